// Fills `tilecast analyze --json`'s per-GPU entries (features, prediction, legality issues, the autotuner's
// pick, each Triton config's outcome) from the editor's KernelReports (ide/reports.ts), so the command line
// and the editor show the same numbers for the same source. Translation only: no analysis, prediction or
// legality logic of its own; no I/O.
import type { FileAnalysis } from '../analysis/types';
import { CUTLASS_DEVICE_LABEL } from '../ide/cutlass-device';
import { buildKernelReports, type GpuOutcome, type KernelReport } from '../ide/reports';
import { DEFAULT_SETTINGS, type TilecastSettings } from '../ide/protocol';
import { predictionJson, type ArchResources, type FeaturesJson, type PredictionJson } from '../report/analysis-features';
import { problemToJson, type AnalyzeJsonFile, type AnalyzeJsonIssue, type AnalyzeJsonOutcomes } from '../report/analysis-json';
import type { GemmPredictor, MeasurementMethod } from '../report/prediction';
import type { Dtype, GpuSpec } from '../perf/types';
import { launchedKernel } from '../perf/workload-from-analysis';
import { LineIndex } from '../text/line-index';

export interface AttachOptions {
  gpus: readonly GpuSpec[];
  /** ptxas results by arch ("sm_80"); absent = estimate everything. */
  measured?: ReadonlyMap<string, ArchResources>;
  predictor?: GemmPredictor;
  /** Sizes assumed where the source gives none (listed in each entry's `assumed`). */
  defaultProblem: { m: number; n: number; k: number; dtype: Dtype };
  method?: MeasurementMethod;
}

/** Adds the per-GPU entries to a file's JSON in place; nothing without GPUs. Non-GEMM launches get nothing. */
export function attachReports(json: AnalyzeJsonFile, text: string, analysis: FileAnalysis, options: AttachOptions): void {
  if (options.gpus.length === 0) return;
  const { m, n, k, dtype } = options.defaultProblem;
  const settings: TilecastSettings = {
    ...DEFAULT_SETTINGS,
    gpus: options.gpus.map((g) => g.id),
    defaultProblemSize: { m, n, k },
    defaultDtype: dtype,
    measurementMethod: options.method ?? 'kernel',
  };
  const reports = buildKernelReports({
    text,
    analysis,
    gpus: [...options.gpus],
    settings,
    predictor: options.predictor ?? null,
    modelError: null,
    measuredResources: options.measured,
  });
  analysis.launches.forEach((launch, i) => {
    const target = json.launches[i];
    if (!target) return;
    const kernel = launchedKernel(analysis, launch.kernel);
    if (!kernel) {
      target.featuresReason = `kernel ${launch.kernel} is not defined in this file, a header it includes or a module it imports`;
      return;
    }
    const report = reports.find((r) => r.subject === 'launch' && r.launch === launch);
    if (!report) return; // not a GEMM: the kernel's `kind` says why
    if (!report.workload) {
      target.featuresReason = report.reason ?? 'no workload';
      return;
    }
    Object.assign(target, outcomesOf(report, options));
    if (report.autotune) {
      // The configs' lines are already in the JSON (fileAnalysisToJson), in the kernel's config order.
      const configs = json.kernels[analysis.kernels.indexOf(kernel)]?.configs ?? [];
      const picked: NonNullable<typeof target.pickedConfig> = {};
      for (const gpu of options.gpus) {
        const index = report.on(gpu)?.pickedConfig;
        const line = index === undefined ? undefined : configs[index]?.line;
        const launched = index === undefined ? undefined : launch.configLaunches?.[index];
        if (index !== undefined && typeof line === 'number')
          picked[gpu.id] = { config: index + 1, line, grid: launched?.grid ?? null, block: launched?.block ?? null };
      }
      target.pickedConfig = picked;
    }
  });
  analysis.libraryCalls.forEach((call, i) => {
    const target = json.libraryCalls[i];
    const report = reports.find((r) => r.subject === 'library' && r.call === call);
    if (!target || !report) return;
    if (!report.workload) target.featuresReason = report.reason ?? 'no workload';
    else Object.assign(target, outcomesOf(report, options));
  });
  analysis.kernels.forEach((kernel, i) => {
    const target = json.kernels[i];
    const configs = reports.filter((r) => r.subject === 'triton-config' && r.kernel === kernel);
    if (!target || configs.length === 0) return;
    target.configResults = configs.map((r) => (r.workload ? outcomesOf(r, options) : {}));
  });
  // A CUTLASS device GEMM has no launch in the analysis: the editor's stand-in report is its entry.
  const deviceGemms = reports.filter((r) => r.subject === 'launch' && r.kernel?.name === CUTLASS_DEVICE_LABEL && r.workload);
  if (deviceGemms.length > 0) {
    json.deviceGemms = deviceGemms.map((r) => {
      const t = r.workload!.tile ?? {};
      const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
      return {
        label: r.kernel!.name,
        // The stand-in is anchored on its threadblock shape, a tile parameter: the JSON already has its line
        // (a Gemm that names no shapes: on its `Gemm<...>` type).
        line:
          json.tileParams[analysis.tileParams.findIndex((p) => p.range.start === r.range.start)]?.line ??
          (analysis.cutlassDefaultTile ? new LineIndex(text).lineNumberAt(analysis.cutlassDefaultTile.range.start) : 0),
        tile: { blockM: num(t.blockM), blockN: num(t.blockN), blockK: num(t.blockK), threads: num(t.threads), stages: num(t.stages) },
        problem: problemToJson(r.launch!.problem),
        ...outcomesOf(r, options),
      };
    });
  }
}

const issueJson = (outcome: GpuOutcome): AnalyzeJsonIssue[] => outcome.issues.map(({ code, illegal, message }) => ({ code, illegal, message }));

function outcomesOf(report: KernelReport, options: AttachOptions): AnalyzeJsonOutcomes {
  const features: Record<string, FeaturesJson> = {};
  const prediction: Record<string, PredictionJson> = {};
  const issues: Record<string, AnalyzeJsonIssue[]> = {};
  for (const gpu of options.gpus) {
    const outcome = report.on(gpu);
    if (!outcome) continue;
    features[gpu.id] = outcome.features;
    if (options.predictor && outcome.prediction) prediction[gpu.id] = predictionJson(outcome.prediction, options.predictor);
    issues[gpu.id] = issueJson(outcome);
  }
  return options.predictor ? { features, prediction, issues } : { features, issues };
}
