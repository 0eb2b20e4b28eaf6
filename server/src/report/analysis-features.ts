// The `features` and `prediction` entries of one GEMM launch, library call or Triton config on one GPU
// (`tilecast analyze --json` and the editor's KernelReport both build them here): feature vector, main
// analytic numbers, registers/shared memory and their source, ptxas results matched by kernel and arch.
// Pure: measured resources come in as data; no I/O, never throws.
import type { GemmWorkload, GpuSpec } from '../perf/types';
import { computeFeatures, FEATURE_NAMES, FEATURE_VERSION } from '../perf/features';
import type { AnalyticEstimate } from '../perf/analytic-model';
import { roundValue, type GemmPredictor, type ModelInfo, type PredictionValues } from './prediction';

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
    /** The L1 (global loads through the cache) part of the on-chip term the 'shared-memory' limiter names. */
    l1TimeMs: number | null;
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
  /** The workload as predicted (measured resources applied) and its raw analytic estimate (for the editor). */
  workload: GemmWorkload;
  analytic: AnalyticEstimate;
}

/**
 * Features of `workload` on `gpu` (the prediction is the caller's: ide/reports.ts). With `measured` (ptxas), its
 * registers and static shared memory (plus `dynamicSharedMemBytes`) go into the workload; otherwise the
 * resources reported are the ones the analytic model estimated and used.
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
    // Shared memory: the kernel's static `__shared__` arrays when the analysis folds them, else what the
    // analytic model used (the tile's operand stages: (BM + BN) x BK x stages x bytes for Triton).
    const smem = options.staticSharedMemBytes ?? finite(a.sharedMemPerBlockBytes);
    resources = { registersPerThread: finite(a.registersPerThread), staticSharedMemBytes: smem === null ? null : Math.ceil(smem), source: 'estimate' };
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
      l1TimeMs: finite(a.l1TimeMs),
      issueTimeMs: finite(a.issueTimeMs),
    },
    resources,
    assumed: [...assumed],
  };
  return { features, workload, analytic: a };
}

/** A prediction as `tilecast analyze --json` writes it (six significant digits, the models that made it). */
export function predictionJson(p: PredictionValues, predictor: Pick<GemmPredictor, 'models'>): PredictionJson {
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
    models: { runtime: predictor.models?.runtime ?? null, power: predictor.models?.power ?? null },
  };
  if (p.extrapolating !== undefined && Number.isFinite(p.runtimeMs)) prediction.extrapolating = p.extrapolating;
  if (p.extrapolating && p.extrapolationNotes?.length) prediction.extrapolationNotes = [...p.extrapolationNotes];
  if (p.error) prediction.error = p.error;
  return prediction;
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

export function measuredFor(
  kernelName: string,
  arch: string | null,
  measured: ReadonlyMap<string, ArchResources> | undefined,
): { measured?: MeasuredResources; note?: string } {
  if (!measured || !arch) return measured && !arch ? { note: 'no CUDA architecture for this GPU: estimated' } : {};
  const result = measured.get(arch);
  if (!result) return { note: `ptxas was not run for ${arch}: estimated` };
  if (!result.ok) return { note: `ptxas failed for ${arch} (${result.error}): estimated` };
  const hit = result.kernels.find((k) => k.name === kernelName) ?? result.kernels.find((k) => k.name.endsWith(`::${kernelName}`));
  if (!hit) return { note: `ptxas reported no kernel named ${kernelName} for ${arch} (not instantiated?): estimated` };
  return { measured: { registersPerThread: hit.registersPerThread, staticSharedMemBytes: hit.staticSharedMemBytes, arch } };
}
