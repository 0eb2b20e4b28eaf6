// The `features` and `prediction` entries of `tilecast analyze --json` for one GEMM launch or library call
// on the selected GPUs: feature vector, main analytic numbers, registers/shared memory and their source.
// Pure: measured resources come in as data; no I/O, never throws.
import type { Dtype, GemmWorkload, GpuSpec } from '../perf/types';
import type { FileAnalysis } from '../analysis/types';
import { workloadFromLaunch, workloadFromLibraryCall } from '../perf/workload-from-analysis';
import type { AnalyzeJsonFile } from './analysis-json';
import { computeFeatures, FEATURE_NAMES, FEATURE_VERSION } from '../perf/features';
import type { AnalyticEstimate } from '../perf/analytic-model';
import { estimateKernelResources } from '../perf/resource-estimate';
import { dtypeBytes } from '../perf/dtype';
import { roundValue, type GemmPredictor, type ModelInfo } from './prediction';

/** Registers and static shared memory ptxas measured for a kernel on a GPU's architecture. */
export interface MeasuredResources {
  registersPerThread: number;
  staticSharedMemBytes: number;
  arch: string;
}

export interface FeaturesJson {
  featureVersion: string;
  values: Record<string, number | null>;
  analytic: {
    tiles: number | null;
    waves: number | null;
    waveEfficiency: number | null;
    blocksPerSM: number | null;
    occupancy: number | null;
    limiter: string;
    flops: number | null;
    dramBytes: number | null;
    arithmeticIntensity: number | null;
    computeTimeMs: number | null;
    memoryTimeMs: number | null;
    rooflineTimeMs: number | null;
    analyticTimeMs: number | null;
    bound: string;
    /** The term that sets the estimate: compute, memory, latency, shared-memory or issue. */
    timeLimiter: string;
    sharedMemTimeMs: number | null;
    issueTimeMs: number | null;
  };
  resources: { registersPerThread: number | null; staticSharedMemBytes: number | null; source: 'ptxas' | 'estimate'; arch?: string; note?: string };
  assumed: string[];
}

export interface PredictionJson {
  runtimeMs: number | null;
  runtimeLoMs: number | null;
  runtimeHiMs: number | null;
  powerW: number | null;
  powerLoW: number | null;
  powerHiW: number | null;
  energyMj: number | null;
  energyLoMj: number | null;
  energyHiMj: number | null;
  models: { runtime: ModelInfo | null; power: ModelInfo | null };
  /** Issue 9: the workload or GPU lies outside the training data; the correction was shrunk toward the analytic model and the interval widened. */
  extrapolating?: boolean;
  extrapolationNotes?: string[];
  error?: string;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export interface GpuEntries {
  features: FeaturesJson;
  prediction?: PredictionJson;
  /** The workload as predicted (measured resources applied) and its raw analytic estimate (for the editor). */
  workload: GemmWorkload;
  analytic: AnalyticEstimate;
}

/**
 * Features (and, with a predictor, a prediction) of `workload` on `gpu`. With `measured` (ptxas), its
 * registers and static shared memory (plus `dynamicSharedMemBytes`) go into the workload; otherwise the
 * resource estimate is reported and the analytic model uses the same estimate.
 */
export function gpuEntries(
  base: GemmWorkload,
  gpu: GpuSpec,
  assumed: readonly string[],
  options: {
    measured?: MeasuredResources;
    measureNote?: string;
    dynamicSharedMemBytes?: number;
    staticSharedMemBytes?: number | null;
    predictor?: GemmPredictor;
  },
): GpuEntries {
  const workload: GemmWorkload = { ...base };
  if (options.measured) {
    workload.registersPerThread = options.measured.registersPerThread;
    workload.sharedMemPerBlockBytes = options.measured.staticSharedMemBytes + (options.dynamicSharedMemBytes ?? 0);
  }
  const { values, analytic: a } = computeFeatures(workload, gpu);
  const record: Record<string, number | null> = {};
  FEATURE_NAMES.forEach((name, i) => {
    record[name] = finite(values[i]);
  });
  let resources: FeaturesJson['resources'];
  if (options.measured) {
    resources = {
      registersPerThread: options.measured.registersPerThread,
      staticSharedMemBytes: options.measured.staticSharedMemBytes,
      source: 'ptxas',
      arch: options.measured.arch,
    };
  } else {
    const estimate = estimateKernelResources({
      threadsPerBlock: a.tile.threads,
      tileM: a.tile.blockM,
      tileN: a.tile.blockN,
      tileK: a.tile.blockK,
      threadTileM: a.tile.threadM,
      threadTileN: a.tile.threadN,
      dtypeBytes: dtypeBytes(workload.dtype),
      usesTensorCores: a.usesTensorCores,
      staticSharedMemBytes: options.staticSharedMemBytes ?? undefined,
    });
    resources = { registersPerThread: finite(a.registersPerThread), staticSharedMemBytes: estimate.staticSharedMemBytes, source: 'estimate' };
    if (options.measureNote) resources.note = options.measureNote;
  }
  const features: FeaturesJson = {
    featureVersion: FEATURE_VERSION,
    values: record,
    analytic: {
      tiles: finite(a.tiles),
      waves: finite(a.waves),
      waveEfficiency: finite(a.waveEfficiency),
      blocksPerSM: finite(a.blocksPerSM),
      occupancy: finite(a.occupancy),
      limiter: a.occupancyLimiter,
      flops: finite(a.flops),
      dramBytes: finite(a.dramBytes),
      arithmeticIntensity: finite(a.arithmeticIntensity),
      computeTimeMs: finite(a.computeTimeMs),
      memoryTimeMs: finite(a.memoryTimeMs),
      rooflineTimeMs: finite(a.rooflineTimeMs),
      analyticTimeMs: finite(a.timeMs),
      bound: a.bound,
      timeLimiter: a.timeLimiter,
      sharedMemTimeMs: finite(a.sharedMemTimeMs),
      issueTimeMs: finite(a.issueTimeMs),
    },
    resources,
    assumed: [...assumed],
  };
  if (!options.predictor) return { features, workload, analytic: a };
  const p = options.predictor.predict(workload, gpu);
  const prediction: PredictionJson = {
    runtimeMs: roundValue(p.runtimeMs),
    runtimeLoMs: roundValue(p.runtimeLoMs),
    runtimeHiMs: roundValue(p.runtimeHiMs),
    powerW: roundValue(p.powerW),
    powerLoW: roundValue(p.powerLoW),
    powerHiW: roundValue(p.powerHiW),
    energyMj: roundValue(p.energyMj),
    energyLoMj: roundValue(p.energyLoMj),
    energyHiMj: roundValue(p.energyHiMj),
    models: { runtime: options.predictor.models?.runtime ?? null, power: options.predictor.models?.power ?? null },
  };
  if (p.extrapolating !== undefined && Number.isFinite(p.runtimeMs)) prediction.extrapolating = p.extrapolating;
  if (p.extrapolating && p.extrapolationNotes?.length) prediction.extrapolationNotes = [...p.extrapolationNotes];
  if (p.error) prediction.error = p.error;
  return { features, prediction, workload, analytic: a };
}

/** "8.0" -> "sm_80", "10.0" -> "sm_100"; null when malformed. */
export function archOf(computeCapability: string): string | null {
  const match = /^(\d+)\.(\d)$/.exec(String(computeCapability ?? '').trim());
  return match ? `sm_${match[1]}${match[2]}` : null;
}

/** What ptxas reported for one architecture: kernels by name, or why it could not run. */
export type ArchResources =
  | {
      ok: true;
      /** Spill bytes are optional (ptxas reports them; the editor's register-spills diagnostic reads them). */
      kernels: ReadonlyArray<{ name: string; registersPerThread: number; staticSharedMemBytes: number; spillStoresBytes?: number; spillLoadsBytes?: number }>;
    }
  | { ok: false; error: string };

export interface AttachOptions {
  gpus: readonly GpuSpec[];
  /** ptxas results by arch ("sm_80"); absent = estimate everything. */
  measured?: ReadonlyMap<string, ArchResources>;
  predictor?: GemmPredictor;
  /** Sizes assumed for library calls whose sizes do not fold (listed in `assumed`). */
  defaultProblem?: { m: number; n: number; k: number; dtype: Dtype };
}

export function measuredFor(kernelName: string, arch: string | null, measured: AttachOptions['measured']): { measured?: MeasuredResources; note?: string } {
  if (!measured || !arch) return measured && !arch ? { note: 'no CUDA architecture for this GPU: estimated' } : {};
  const result = measured.get(arch);
  if (!result) return { note: `ptxas was not run for ${arch}: estimated` };
  if (!result.ok) return { note: `ptxas failed for ${arch} (${result.error}): estimated` };
  const hit = result.kernels.find((k) => k.name === kernelName) ?? result.kernels.find((k) => k.name.endsWith(`::${kernelName}`));
  if (!hit) return { note: `ptxas reported no kernel named ${kernelName} for ${arch} (not instantiated?): estimated` };
  return { measured: { registersPerThread: hit.registersPerThread, staticSharedMemBytes: hit.staticSharedMemBytes, arch } };
}

/**
 * Adds `features` (and `prediction` with a predictor) per selected GPU to each GEMM launch and library
 * call of a file's JSON, in place. Launches of non-GEMM kernels get nothing (their kernel's `kind`
 * says why); GEMM launches whose workload cannot be built get `featuresReason`.
 */
export function attachFeatures(json: AnalyzeJsonFile, analysis: FileAnalysis, options: AttachOptions): void {
  if (options.gpus.length === 0) return;
  analysis.launches.forEach((launch, i) => {
    const target = json.launches[i];
    const kernel = analysis.kernels.find((k) => k.name === launch.kernel);
    if (!target) return;
    if (!kernel) {
      target.featuresReason = `kernel ${launch.kernel} is not defined in this file`;
      return;
    }
    if (kernel.kind !== 'gemm') return;
    const built = workloadFromLaunch(kernel, launch, analysis.tileParams);
    if (!built.workload) {
      target.featuresReason = built.reason ?? 'no workload';
      return;
    }
    const features: Record<string, FeaturesJson> = {};
    const prediction: Record<string, PredictionJson> = {};
    for (const gpu of options.gpus) {
      // ptxas runs on CUDA only; Triton kernels are compiled by Triton.
      const resources = analysis.language === 'cuda' ? measuredFor(kernel.name, archOf(gpu.computeCapability), options.measured) : {};
      const entries = gpuEntries(built.workload, gpu, built.assumed, {
        measured: resources.measured,
        measureNote: resources.note,
        predictor: options.predictor,
        dynamicSharedMemBytes: launch.dynamicSharedMemBytes?.value ?? 0,
        staticSharedMemBytes: kernel.staticSharedMemBytes,
      });
      features[gpu.id] = entries.features;
      if (entries.prediction) prediction[gpu.id] = entries.prediction;
    }
    target.features = features;
    if (options.predictor) target.prediction = prediction;
  });
  analysis.libraryCalls.forEach((call, i) => {
    const target = json.libraryCalls[i];
    if (!target) return;
    const built = workloadFromLibraryCall(call, options.defaultProblem);
    if (!built.workload) {
      target.featuresReason = built.reason ?? 'no workload';
      return;
    }
    const features: Record<string, FeaturesJson> = {};
    const prediction: Record<string, PredictionJson> = {};
    for (const gpu of options.gpus) {
      const entries = gpuEntries(built.workload, gpu, built.assumed, { predictor: options.predictor });
      features[gpu.id] = entries.features;
      if (entries.prediction) prediction[gpu.id] = entries.prediction;
    }
    target.features = features;
    if (options.predictor) target.prediction = prediction;
  });
}
