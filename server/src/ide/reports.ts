// One KernelReport per GEMM launch site, library GEMM call and triton.Config of a document: the
// workload the analysis implies, and, computed lazily per GPU on first use, its analytic estimate,
// prediction and legality. Every editor feature reads these; none re-derives them. Pure: no I/O, no
// LSP types; the predictor is injected; never throws on broken user code.
import type { FileAnalysis, KernelInfo, LaunchSite, LibraryGemmCall, ProblemSize, Range, TritonConfig } from '../analysis/types';
import type { AnalyticEstimate } from '../perf/analytic-model';
import type { GemmWorkload, GpuSpec } from '../perf/types';
import { launchedKernel, TILE_FROM_CUTLASS_DEFAULT, workloadFromLaunch, workloadFromLibraryCall, workloadTileParams } from '../perf/workload-from-analysis';
import { archOf, gpuEntries, measuredFor, type ArchResources, type FeaturesJson } from '../report/analysis-features';
import type { GemmPredictor, MeasurementMethod, PredictionValues, PredictOptions } from '../report/prediction';
import { LineIndex } from '../text/line-index';
import type { TilecastSettings } from './protocol';
import { configIssues, type ConfigIssue } from './legality';
import { cutlassDeviceGemm, defaultLaunch } from './cutlass-device';

export type ReportSubject = 'launch' | 'library' | 'triton-config';

/** What a report says on one GPU. Computed on first use and kept. */
export interface GpuOutcome {
  gpu: GpuSpec;
  /** The workload as predicted there (ptxas-measured registers applied when given). */
  workload: GemmWorkload;
  analytic: AnalyticEstimate;
  features: FeaturesJson;
  /** The model's prediction; null without a predictor. NaN values carry `error`. */
  prediction: PredictionValues | null;
  /** Findings on this GPU, illegal ones first. */
  issues: ConfigIssue[];
  /** For an autotuned launch: the config (0-based) the autotuner is predicted to pick on this GPU. */
  pickedConfig?: number;
  /** Spill bytes ptxas reported for this kernel on this GPU's architecture, when given. */
  spills?: { storesBytes: number; loadsBytes: number; arch: string };
}

/** Runtime, power and energy as shown: the model's when it predicted, else the analytic time alone. */
export interface ShownEstimate {
  source: 'model' | 'analytic';
  timeMs: number;
  timeLoMs: number | null;
  timeHiMs: number | null;
  powerW: number | null;
  powerLoW: number | null;
  powerHiW: number | null;
  energyMj: number | null;
  energyLoMj: number | null;
  energyHiMj: number | null;
  /** Why the model's values are missing (model unavailable, or its error for this workload). */
  note?: string;
  /** Issue 9: the model extrapolates here (workload or GPU outside its training data); with its reasons. */
  extrapolating: boolean;
  extrapolationNotes: string[];
}

export interface KernelReport {
  /**
   * Position in DocumentReports.reports (document order within each subject); -1 for the config reports of
   * a kernel an imported module defines, which only its launches' `autotune` holds (their ranges lie in
   * that module: no hint, hover or diagnostic of this file shows them).
   */
  index: number;
  subject: ReportSubject;
  /** Short name for titles: the kernel name, the library API, or `kernel config #i`. */
  label: string;
  /** The launch, call or config text: hovers cover it, inlay hints go after it. */
  range: Range;
  kernel: KernelInfo | null;
  launch: LaunchSite | null;
  call: LibraryGemmCall | null;
  config: TritonConfig | null;
  configIndex: number | null;
  workload: GemmWorkload | null;
  assumed: string[];
  problemSource: ProblemSize['source'] | null;
  /** Why there is no workload (then `workload` is null and nothing is predicted). */
  reason: string | null;
  /**
   * An autotuned Triton launch: its config reports. Its outcome on a GPU is that of the legal config
   * predicted fastest there (what the autotuner would keep), not of the first config.
   */
  autotune?: KernelReport[];
  /** The outcome on `gpu` (memoised by GPU id); null when there is no workload. */
  on(gpu: GpuSpec): GpuOutcome | null;
}

/** Inputs a report needs to compute outcomes (a subset of IdeInput, so this module stands alone). */
export interface ReportInputs {
  text: string;
  analysis: FileAnalysis;
  gpus: GpuSpec[];
  settings: TilecastSettings;
  predictor: GemmPredictor | null;
  modelError: string | null;
  measuredResources?: ReadonlyMap<string, ArchResources>;
}

/** The options every editor prediction passes: how the user times kernels (`tilecast.measurementMethod`). */
export function predictOptionsOf(settings: TilecastSettings): PredictOptions & { method: MeasurementMethod } {
  return { method: settings.measurementMethod ?? 'kernel' };
}

const finiteOr = (v: number | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The estimate a feature shows for an outcome. */
export function shownEstimate(outcome: GpuOutcome, modelError: string | null): ShownEstimate {
  const p = outcome.prediction;
  if (p && Number.isFinite(p.runtimeMs)) {
    return {
      source: 'model',
      timeMs: p.runtimeMs,
      timeLoMs: finiteOr(p.runtimeLoMs),
      timeHiMs: finiteOr(p.runtimeHiMs),
      powerW: finiteOr(p.powerW),
      powerLoW: finiteOr(p.powerLoW),
      powerHiW: finiteOr(p.powerHiW),
      energyMj: finiteOr(p.energyMj),
      energyLoMj: finiteOr(p.energyLoMj),
      energyHiMj: finiteOr(p.energyHiMj),
      extrapolating: p.extrapolating === true,
      extrapolationNotes: p.extrapolating ? [...(p.extrapolationNotes ?? [])] : [],
    };
  }
  const note = p?.error ? `model: ${p.error}` : `model unavailable${modelError ? `: ${modelError}` : ''}`;
  return {
    source: 'analytic',
    timeMs: outcome.analytic.timeMs,
    timeLoMs: null,
    timeHiMs: null,
    powerW: null,
    powerLoW: null,
    powerHiW: null,
    energyMj: null,
    energyLoMj: null,
    energyHiMj: null,
    note,
    extrapolating: false,
    extrapolationNotes: [],
  };
}

/** Builds every report of a document; outcomes are computed lazily by `report.on(gpu)`. */
export function buildKernelReports(inputs: ReportInputs): KernelReport[] {
  const { analysis, settings } = inputs;
  const reports: KernelReport[] = [];
  const elsewhere: KernelReport[] = [];
  const add = (
    partial: Omit<KernelReport, 'index' | 'on'>,
    options: { dynamicSmem: number; staticSmem: number | null; kernelName: string | null },
    into: KernelReport[] = reports,
  ): void => {
    const cache = new Map<string, GpuOutcome | null>();
    const report: KernelReport = {
      ...partial,
      index: into === reports ? reports.length : -1,
      on(gpu: GpuSpec): GpuOutcome | null {
        const key = gpu.id;
        if (!cache.has(key))
          cache.set(key, report.autotune ? pickConfig(report.autotune, gpu, inputs.modelError) : computeOutcome(report, gpu, inputs, options));
        return cache.get(key) ?? null;
      },
    };
    into.push(report);
  };

  for (const launch of analysis.launches) {
    const kernel = launchedKernel(analysis, launch.kernel);
    if (!kernel || kernel.kind !== 'gemm') continue;
    const built = workloadFromLaunch(kernel, launch, workloadTileParams(analysis));
    add(
      {
        subject: 'launch',
        label: kernel.name,
        range: launch.range,
        kernel,
        launch,
        call: null,
        config: null,
        configIndex: null,
        workload: built.workload,
        assumed: built.assumed,
        problemSource: launch.problem.source,
        reason: built.workload ? null : (built.reason ?? 'no workload'),
      },
      { dynamicSmem: launch.dynamicSharedMemBytes?.value ?? 0, staticSmem: kernel.staticSharedMemBytes, kernelName: kernel.name },
    );
  }
  const device = cutlassDeviceGemm(analysis, settings);
  if (device) {
    const built = workloadFromLaunch(device.kernel, device.launch, analysis.tileParams);
    if (device.defaultTile) built.assumed.push(TILE_FROM_CUTLASS_DEFAULT);
    add(
      {
        subject: 'launch',
        label: device.kernel.name,
        range: device.launch.range,
        kernel: device.kernel,
        launch: device.launch,
        call: null,
        config: null,
        configIndex: null,
        workload: built.workload,
        assumed: built.assumed,
        problemSource: 'default',
        reason: built.workload ? null : (built.reason ?? 'no workload'),
      },
      { dynamicSmem: 0, staticSmem: null, kernelName: null },
    );
  }
  const defaults = { ...settings.defaultProblemSize, dtype: settings.defaultDtype };
  for (const call of analysis.libraryCalls) {
    const built = workloadFromLibraryCall(call, defaults);
    const assumedSize = built.assumed.some((a) => a === 'm' || a === 'n' || a === 'k');
    add(
      {
        subject: 'library',
        label: call.api,
        range: call.range,
        kernel: null,
        launch: null,
        call,
        config: null,
        configIndex: null,
        workload: built.workload,
        assumed: built.assumed,
        problemSource: assumedSize ? 'default' : 'code',
        reason: built.workload ? null : (built.reason ?? 'no workload'),
      },
      { dynamicSmem: 0, staticSmem: null, kernelName: null },
    );
  }
  // Configs of the file's kernels, then those of autotuned kernels it imports (for their launches only).
  const imported = (analysis.includedKernels ?? []).filter((k) => k.configs.length > 0);
  for (const kernel of [...analysis.kernels, ...imported]) {
    if (kernel.kind !== 'gemm') continue;
    const into = kernel.header ? elsewhere : reports;
    const launch = analysis.launches.find((l) => l.kernel === kernel.name) ?? defaultLaunch(kernel, settings, kernel.nameRange, kernel.dtype);
    kernel.configs.forEach((config, i) => {
      // The config alone decides the meta-parameters: the launch's own keywords would override it.
      const single: KernelInfo = { ...kernel, configs: [config] };
      const plain: LaunchSite = { ...launch, metaParams: {}, numWarps: null, numStages: null };
      const built = workloadFromLaunch(
        single,
        plain,
        workloadTileParams(analysis).filter((p) => p.origin !== 'launch-kwarg'),
      );
      add(
        {
          subject: 'triton-config',
          label: `${kernel.name} config #${i + 1}`,
          range: config.range,
          kernel,
          launch,
          call: null,
          config,
          configIndex: i,
          workload: built.workload,
          assumed: built.assumed,
          problemSource: launch.problem.source,
          reason: built.workload ? null : (built.reason ?? 'no workload'),
        },
        { dynamicSmem: 0, staticSmem: null, kernelName: kernel.name },
        into,
      );
    });
  }
  for (const report of reports) {
    if (report.subject !== 'launch' || report.launch?.metaSource !== 'first-config') continue;
    const configs = [...reports, ...elsewhere].filter((r) => r.subject === 'triton-config' && r.kernel === report.kernel);
    if (configs.length > 1) report.autotune = configs;
  }
  return reports;
}

/** The outcome of the legal config predicted fastest on `gpu` (the first config when none is legal). */
function pickConfig(configs: KernelReport[], gpu: GpuSpec, modelError: string | null): GpuOutcome | null {
  let best: { outcome: GpuOutcome; index: number; timeMs: number } | null = null;
  configs.forEach((config, index) => {
    const outcome = config.on(gpu);
    if (!outcome || outcome.issues.some((i) => i.illegal)) return;
    const timeMs = shownEstimate(outcome, modelError).timeMs;
    if (Number.isFinite(timeMs) && (!best || timeMs < best.timeMs)) best = { outcome, index, timeMs };
  });
  const chosen = best as { outcome: GpuOutcome; index: number } | null;
  if (chosen) return { ...chosen.outcome, pickedConfig: chosen.index };
  const first = configs[0]!.on(gpu);
  return first ? { ...first, pickedConfig: 0 } : null;
}

function computeOutcome(
  report: KernelReport,
  gpu: GpuSpec,
  inputs: ReportInputs,
  options: { dynamicSmem: number; staticSmem: number | null; kernelName: string | null },
): GpuOutcome | null {
  if (!report.workload) return null;
  const cuda = inputs.analysis.language === 'cuda' && options.kernelName !== null;
  const resources = cuda && inputs.measuredResources ? measuredFor(options.kernelName!, archOf(gpu.computeCapability), inputs.measuredResources) : {};
  const entries = gpuEntries(report.workload, gpu, report.assumed, {
    measured: resources.measured,
    measureNote: resources.note,
    dynamicSharedMemBytes: options.dynamicSmem,
    staticSharedMemBytes: options.staticSmem,
  });
  const prediction = inputs.predictor ? inputs.predictor.predict(entries.workload, gpu, predictOptionsOf(inputs.settings)) : null;
  const issues = configIssues(entries.workload, entries.analytic, gpu, {
    kernel: report.kernel,
    staticSharedMemBytes: resources.measured ? resources.measured.staticSharedMemBytes : options.staticSmem,
    measuredRegistersPerThread: resources.measured?.registersPerThread,
    checkLaunchBounds: true,
    dtypeAssumed: report.assumed.includes('dtype'),
  });
  const outcome: GpuOutcome = { gpu, workload: entries.workload, analytic: entries.analytic, features: entries.features, prediction, issues };
  if (resources.measured && options.kernelName) {
    const result = inputs.measuredResources?.get(resources.measured.arch);
    const hit = result && result.ok ? result.kernels.find((k) => k.name === options.kernelName || k.name.endsWith(`::${options.kernelName}`)) : undefined;
    if (hit && (hit.spillStoresBytes !== undefined || hit.spillLoadsBytes !== undefined)) {
      outcome.spills = { storesBytes: hit.spillStoresBytes ?? 0, loadsBytes: hit.spillLoadsBytes ?? 0, arch: resources.measured.arch };
    }
  }
  return outcome;
}

/** 1-based line of an offset, computed once per text. */
export function lineIndexOf(cache: { lineIndex?: LineIndex; text: string }): LineIndex {
  if (!cache.lineIndex) cache.lineIndex = new LineIndex(cache.text);
  return cache.lineIndex;
}
