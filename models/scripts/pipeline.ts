// The learning pipeline shared by train.ts, eval.ts and compare-learners.ts: which records feed which
// model, deterministic subsampling, features and targets, the forest hyperparameters, fit and predict.
// May do I/O (loads the datasets); writes nothing.
import { loadDatasets, datasetFingerprint } from './load-datasets';
import type { GemmRecord, GemmSource } from '../../server/src/data/record';
import {
  ccFamily,
  deviceTimeMs,
  dynamicScheme,
  estimateOverheads,
  estimateSchemeOverheads,
  overheadOf,
  schemeOverheadOf,
  SOURCE_METHOD,
  type MeasurementMethod,
  type OverheadTable,
  type SchemeOverheadTable,
} from '../../server/src/data/timing-overhead';
import { recordToWorkload } from '../../server/src/data/to-workload';
import { computeFeatures, FEATURE_NAMES } from '../../server/src/perf/features';
import { analyticEstimate } from '../../server/src/perf/analytic-model';
import { physicsPower } from '../../server/src/perf/power-model';
import { findGpu } from '../../server/src/perf/gpu-catalogue';
import { predictBatch, type BatchPrediction } from '../../server/src/model/forest';
import { toTarget, type PowerTransform, type RuntimeTransform } from '../../server/src/model/targets';
import { trainForest, type TrainOptions, type TrainedForest } from '../training/train-forest';
import { buildDesign, dtypeLabel, takeRows, takeValues, type Design } from '../evaluation/design-matrix';
import { capPerStratum } from '../evaluation/splits';

export const SEED = 20261128;

/** Forest settings of the shipped models (sized so both artifacts stay well under 8 MB). 32 runtime trees:
 * the eval's figures come from 16-tree folds, so 64 never showed a gain for twice the batch walk cost
 * (`npm run bench -- predict-batch`, builds alternated back to back: 57,649 and 54,945 rows/s with 64 trees,
 * 62,613 and 61,467 with 32). */
export const SHIP_RUNTIME_FOREST: Omit<TrainOptions, 'seed'> = {
  trees: 32,
  maxDepth: 24,
  minSamplesLeaf: 24,
  featureFraction: 0.5,
  sampleFraction: 0.5,
  bootstrap: false,
};
export const SHIP_POWER_FOREST: Omit<TrainOptions, 'seed'> = {
  trees: 48,
  maxDepth: 20,
  minSamplesLeaf: 20,
  featureFraction: 0.5,
  sampleFraction: 0.5,
  bootstrap: false,
};

/** Rows per source/GPU/dtype/split stratum for the shipped runtime model and for the eval pool. */
export const RUNTIME_CAP_PER_STRATUM = 12000;
export const POWER_CAP_PER_STRATUM = 15000;

export interface Loaded {
  records: GemmRecord[];
  fingerprint: string;
  report: string;
  loadMs: number;
}

export async function loadAll(): Promise<Loaded> {
  const t0 = performance.now();
  const { records, report } = await loadDatasets();
  const fingerprint = datasetFingerprint(records);
  return { records, report, fingerprint, loadMs: performance.now() - t0 };
}

/** Stratum of a record for subsampling: source, GPU, dtype/quantization, NeuSight split. */
export function stratum(r: GemmRecord): string {
  return `${r.source}|${r.gpu}|${dtypeLabel(r)}|${r.split ?? ''}`;
}

/**
 * Runtime rows: plain runs only. aiconfigurator's power-measuring runs are 7–15% slower (sustained load
 * hits the power cap); the same shapes are measured plainly on the same GPUs, so they are left out of
 * the runtime model rather than flagged by a feature the user could not set at serving time.
 */
export function runtimeIndices(records: readonly GemmRecord[], cap: number, seed = SEED, options: { allKernelTuner?: boolean } = {}): Int32Array {
  const keys = records.map((r) => (r.condition === 'plain' ? stratum(r) : ''));
  const excluded = new Set(fallbackSeries(records).map((s) => s.series));
  const subset: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < records.length; i++) {
    if (records[i].condition !== 'plain') continue;
    if (excluded.size > 0 && excluded.has(seriesKey(records[i]))) continue;
    (options.allKernelTuner && records[i].source === 'kerneltuner' ? whole : subset).push(i);
  }
  const capped = capPerStratum(keys, cap, seed, subset);
  if (whole.length === 0) return capped;
  return Int32Array.from([...capped, ...whole].sort((a, b) => a - b));
}

/** One measurement series: a GPU, quantization scheme and framework version of aiconfigurator. */
export function seriesKey(r: GemmRecord): string {
  return `${r.source}|${r.gpu}|${dtypeLabel(r)}|${r.framework ?? ''} ${r.frameworkVersion ?? ''}|${r.condition}`;
}

/** A series whose median runtime over bf16 on the same GPU and shapes exceeds this is not a library GEMM. */
export const FALLBACK_RATIO = 3;

let fallbackCache: { records: readonly GemmRecord[]; out: Array<{ series: string; medianRatioToBf16: number; rows: number }> } | null = null;

/**
 * Quantized aiconfigurator series that run a framework's fallback path rather than a library GEMM: the
 * median of (runtime / bf16 runtime of the same GPU and shape) over the series is above FALLBACK_RATIO.
 * On this snapshot that is vLLM's fp8_block (4–90x slower than bf16 at small m, while TensorRT-LLM and
 * SGLang run the same shapes at 0.6–1.2x). TileCast predicts library GEMMs, so these leave the runtime and
 * power sets. Power-measuring series are compared with the plain bf16 runs (they are 7–15% slower anyway).
 */
export function fallbackSeries(records: readonly GemmRecord[]): Array<{ series: string; medianRatioToBf16: number; rows: number }> {
  if (fallbackCache && fallbackCache.records === records) return fallbackCache.out;
  const bf16 = new Map<string, number>();
  for (const r of records) {
    if (r.source === 'aiconfigurator' && r.condition === 'plain' && r.dtype === 'bf16') bf16.set(`${r.gpu}|${r.m}|${r.n}|${r.k}`, r.runtimeMs);
  }
  const ratios = new Map<string, number[]>();
  for (const r of records) {
    if (r.source !== 'aiconfigurator' || r.dtype === 'bf16') continue;
    const b = bf16.get(`${r.gpu}|${r.m}|${r.n}|${r.k}`);
    if (b === undefined) continue;
    const key = seriesKey(r);
    let list = ratios.get(key);
    if (!list) ratios.set(key, (list = []));
    list.push(r.runtimeMs / b);
  }
  const out: Array<{ series: string; medianRatioToBf16: number; rows: number }> = [];
  for (const [series, list] of [...ratios].sort()) {
    list.sort((a, b) => a - b);
    const median = list[list.length >> 1];
    if (median > FALLBACK_RATIO) out.push({ series, medianRatioToBf16: median, rows: list.length });
  }
  fallbackCache = { records, out };
  return out;
}

/** Power rows: every record with a measured power (the power-measuring runs). */
export function powerIndices(records: readonly GemmRecord[], cap: number, seed = SEED): Int32Array {
  const keys = records.map(stratum);
  const excluded = new Set(fallbackSeries(records).map((s) => s.series));
  const subset: number[] = [];
  for (let i = 0; i < records.length; i++) {
    if (records[i].powerW !== undefined && Number.isFinite(records[i].powerW) && !excluded.has(seriesKey(records[i]))) subset.push(i);
  }
  return capPerStratum(keys, cap, seed + 1, subset);
}

/** Design rows with the overheads their device times were computed with, and each row's quantisation scheme ('' for none). */
export type OverheadDesign = Design & { overheads: OverheadTable; schemes: SchemeOverheadTable; quantization: string[] };

/** Architecture family of a catalogue GPU id, for scheme overheads (timing-overhead.ts ccFamily). */
export const familyOfGpu = (id: string): string => ccFamily(findGpu(id)?.computeCapability);

/**
 * Features, targets and tags of records `idx`; `deviceMs` holds each row's device time: measured time less
 * its source/GPU timing overhead and, for a dynamically quantised GEMM, the fixed cost of its scheme's
 * extra kernels on that source/GPU (timing-overhead.ts estimateSchemeOverheads); `physicsPowerW` the
 * physics power model's W for rows with a measured power (catalogue board power, as served).
 */
export function designFor(records: readonly GemmRecord[], idx: ArrayLike<number>): OverheadDesign {
  const { design } = buildDesign(records, idx, FEATURE_NAMES.length, computeFeatures, findGpu, recordToWorkload);
  const overheads = estimateOverheads(records, design.recordIdx, design.analyticMs);
  const schemes = estimateSchemeOverheads(records, design.recordIdx, design.analyticMs, familyOfGpu);
  const quantization = Array.from(design.recordIdx, (i) => records[i].quantization ?? '');
  for (let i = 0; i < design.nRows; i++) {
    const r = records[design.recordIdx[i]];
    // The row's own source/GPU entry when it has one, else what its architecture family's entries say.
    const rowScheme = dynamicScheme(r.quantization);
    const own = rowScheme ? schemes.entries.find((e) => e.gpu === r.gpu && e.source === r.source && e.scheme === rowScheme) : undefined;
    const scheme = own ? own.overheadMs : schemeOverheadOf(schemes.entries, r.quantization, familyOfGpu(r.gpu));
    design.deviceMs[i] = deviceTimeMs(r.runtimeMs, overheadOf(overheads, r.source, r.gpu) + scheme, overheads.kernelFloorMs);
    if (Number.isFinite(design.powerW[i])) {
      const gpu = findGpu(r.gpu);
      if (gpu) design.physicsPowerW[i] = physicsPower(analyticEstimate(recordToWorkload(r), gpu), gpu).powerW;
    }
  }
  return { ...design, overheads, schemes, quantization };
}

/** The measurement method of a design row (from its source). */
export function methodOfRow(d: Design, row: number): MeasurementMethod {
  return SOURCE_METHOD[d.tags[row].source as GemmSource] ?? 'kernel';
}

/**
 * Fixed time to add to a device-time prediction of `row` so it compares with the row's measured time:
 * the overhead of the row's method, estimated without the GPUs in `excludeGpus` (held-out GPUs must not
 * lend their own overhead; falls back to the all-GPU estimate when no other GPU identifies the method),
 * plus its quantisation scheme's overhead from the entries `keepScheme` accepts (those of GPUs and
 * sources the fold trained on).
 */
export function fixedOverheadFor(
  d: OverheadDesign,
  excludeGpus: ReadonlySet<string>,
  keepScheme: (e: SchemeOverheadTable['entries'][number]) => boolean,
): (row: number) => number {
  const cache = new Map<string, number>();
  return (row) => {
    const method = methodOfRow(d, row);
    const gpu = d.tags[row].gpu;
    const quantization = d.quantization[row];
    const key = `${method}|${quantization}|${gpu}`;
    let v = cache.get(key);
    if (v === undefined) {
      const others = d.overheads.entries
        .filter((e) => e.method === method && e.identifiable && !excludeGpus.has(e.gpu))
        .map((e) => e.overheadMs)
        .sort((a, b) => a - b);
      let m =
        method === 'pytorch-eager' && others.length > 0
          ? others.length % 2
            ? others[others.length >> 1]
            : (others[others.length / 2 - 1] + others[others.length / 2]) / 2
          : d.overheads.methodOverheadMs[method];
      if (!Number.isFinite(m)) m = 0;
      v = m + schemeOverheadOf(d.schemes.entries, quantization, familyOfGpu(gpu), keepScheme);
      cache.set(key, v);
    }
    return v;
  };
}

/** Runtime targets from device times (measured times less their source's timing overhead). */
export function runtimeTargets(d: Design, transform: RuntimeTransform): Float64Array {
  const y = new Float64Array(d.nRows);
  for (let i = 0; i < d.nRows; i++) y[i] = toTarget(transform, d.deviceMs[i], d.analyticMs[i]);
  return y;
}

/** The shipped power target: the log ratio of measured power to the physics power model's. */
export const POWER_TRANSFORM: PowerTransform = 'log-ratio-to-physics-power';

export function powerTargets(d: Design, transform: PowerTransform = POWER_TRANSFORM): Float64Array {
  const y = new Float64Array(d.nRows);
  for (let i = 0; i < d.nRows; i++) {
    y[i] = toTarget(transform, d.powerW[i], transform === 'fraction-of-power-limit' ? d.powerLimitW[i] : d.physicsPowerW[i]);
  }
  return y;
}

/** Rows of `rows` whose target is finite (the trainer rejects non-finite targets). */
export function finiteRows(y: Float64Array, rows: ArrayLike<number>): Int32Array {
  const out: number[] = [];
  for (let t = 0; t < rows.length; t++) if (Number.isFinite(y[rows[t]])) out.push(rows[t]);
  return Int32Array.from(out);
}

/** Weight of the fastest configurations of a tuning space in training (see tuningWeights). */
export const FAST_CONFIG_WEIGHT = 3;
export const FAST_CONFIG_FRACTION = 0.25;

/**
 * Training weights: 1, except the fastest quarter of Kernel Tuner configurations of each GPU weigh 3, so
 * the trees resolve the fast end of a tuning space, where picking the best configuration is decided.
 * Chosen among (weight, fraction) = (1, 10%), (5, 10%), (10, 5%), (3, 25%) by mean top-1 regret over the
 * three Kernel Tuner LOGO folds and two seeds (37 / 23 / 31 / 16%), so those folds' regret is
 * optimistic by that selection. Uses only the training rows' own runtimes.
 */
export function tuningWeights(d: Design): Float32Array {
  const w = new Float32Array(d.nRows).fill(1);
  const byGpu = new Map<string, number[]>();
  for (let i = 0; i < d.nRows; i++) {
    if (d.tags[i].source !== 'kerneltuner') continue;
    let list = byGpu.get(d.tags[i].gpu);
    if (!list) byGpu.set(d.tags[i].gpu, (list = []));
    list.push(i);
  }
  for (const rows of byGpu.values()) {
    rows.sort((a, b) => d.runtimeMs[a] - d.runtimeMs[b]);
    const fast = Math.ceil(rows.length * FAST_CONFIG_FRACTION);
    for (let t = 0; t < fast; t++) w[rows[t]] = FAST_CONFIG_WEIGHT;
  }
  return w;
}

export async function fitRows(
  d: Design,
  y: Float64Array,
  rows: ArrayLike<number>,
  options: Omit<TrainOptions, 'seed'>,
  seed = SEED,
  weights?: Float32Array,
): Promise<TrainedForest> {
  const keep = finiteRows(y, rows);
  const data = { x: takeRows(d.x, d.nFeatures, keep), y: takeValues(y, keep), nRows: keep.length, nFeatures: d.nFeatures };
  return trainForest(weights ? { ...data, weights: Float32Array.from(keep, (i) => weights[i]) } : data, { ...options, seed });
}

export function predictRows(model: { forest: TrainedForest['forest'] }, d: Design, rows: ArrayLike<number>): BatchPrediction {
  return predictBatch(model, takeRows(d.x, d.nFeatures, rows), rows.length, { uncalibrated: true, level: 0.8 });
}

/** Rows of the design whose tag `key` equals / differs from `value`. */
export function rowsWhere(d: Design, pred: (tags: Record<string, string>, row: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < d.nRows; i++) if (pred(d.tags[i], i)) out.push(i);
  return Int32Array.from(out);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
