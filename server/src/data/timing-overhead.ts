// Measurement methods and their timing overhead: how each data source timed its GEMMs, the fixed
// overhead each source's harness adds on top of the kernel's device time (estimated from the data's
// smallest times), and the device-time labels the runtime model trains on. Pure: records in, numbers
// out; no I/O, never throws.
import type { GemmRecord, GemmSource } from './record';
import { computeCapabilityMajor, quantFlags } from '../perf/dtype';
import type { GemmWorkload } from '../perf/types';

/**
 * How a runtime was (or is to be) measured.
 * - 'kernel': device time of the kernel as CUDA events around a CUDA-graph replay, Nsight or CUPTI
 *   report it (aiconfigurator, Kernel Tuner, the project's profiles). The default.
 * - 'pytorch-eager': CUDA events around one eager PyTorch call (NeuSight): the GPU waits for the
 *   Python dispatch and kernel launch between the events, a fixed 20–90 µs on small GEMMs.
 * - 'triton-do-bench': `triton.testing.do_bench`: events around each call, an L2 flush (a large
 *   memset) before each, so the launch is queued behind the flush and adds little.
 */
export type MeasurementMethod = 'kernel' | 'pytorch-eager' | 'triton-do-bench';
export const MEASUREMENT_METHODS: readonly MeasurementMethod[] = ['kernel', 'pytorch-eager', 'triton-do-bench'];

export function isMeasurementMethod(v: unknown): v is MeasurementMethod {
  return typeof v === 'string' && (MEASUREMENT_METHODS as readonly string[]).includes(v);
}

/** The method each source used (docs/data.md, "Measurement method"). */
export const SOURCE_METHOD: Readonly<Record<GemmSource, MeasurementMethod>> = {
  aiconfigurator: 'kernel',
  neusight: 'pytorch-eager',
  kerneltuner: 'kernel',
  profile: 'kernel',
};

/**
 * The buffers each source's harness cycles through between timed calls, for the analytic model's L2
 * residency across calls (docs/performance-model.md §3.4): aiconfigurator rotates six weight copies
 * (one activation, one output); NeuSight and Kernel Tuner time the same tensors again and again.
 * Profiles say nothing: cold.
 */
export const SOURCE_REPEATED_CALLS: Readonly<Record<GemmSource, GemmWorkload['repeatedCalls'] | undefined>> = {
  aiconfigurator: { copiesA: 1, copiesB: 6, copiesC: 1 },
  neusight: { copiesA: 1, copiesB: 1, copiesC: 1 },
  kerneltuner: { copiesA: 1, copiesB: 1, copiesC: 1 },
  profile: undefined,
};

/**
 * The workload as the method would time it: `triton-do-bench` flushes L2 before every call (cold, no
 * residency); `pytorch-eager` times the same tensors repeatedly (one copy each) unless the workload says
 * otherwise; `kernel` keeps what the workload says (absent = cold). Returns the same object when
 * nothing changes.
 */
export function workloadForMethod(w: GemmWorkload, method: MeasurementMethod): GemmWorkload {
  if (method === 'triton-do-bench' && w?.repeatedCalls) {
    const { repeatedCalls: _flushed, ...cold } = w;
    return cold;
  }
  if (method === 'pytorch-eager' && w && !w.repeatedCalls) return { ...w, repeatedCalls: { copiesA: 1, copiesB: 1, copiesC: 1 } };
  return w;
}

/**
 * A source/GPU's overhead is identifiable only if it measured GEMMs small enough that the kernel itself
 * takes a few microseconds: its smallest analytic device time must be below this. Kernel Tuner's CLBlast
 * configurations all run M=N=K=4096 (milliseconds), so its overhead is not identifiable: taken as 0.
 */
export const IDENTIFIABLE_BELOW_MS = 0.02;

/**
 * Overhead added by triton.testing.do_bench over kernel time. Not estimated (no do_bench data here): the
 * L2-flush memset before each call (256 MB, ~0.1 ms) hides the launch, leaving the events' own cost,
 * about one graph-replay floor. Stated, not fitted; docs/data.md.
 */
export const DO_BENCH_OVERHEAD_MS = 0.001;

export interface SourceGpuOverhead {
  source: GemmSource;
  gpu: string;
  method: MeasurementMethod;
  rows: number;
  /** Smallest measured time of the source on the GPU, ms. */
  floorMs: number;
  /** Smallest analytic device time among those rows (how small its GEMMs go), ms. */
  smallestAnalyticMs: number;
  identifiable: boolean;
  /** Estimated overhead over kernel time, ms (0 for the reference method or when not identifiable). */
  overheadMs: number;
}

export interface OverheadTable {
  /** Kernel-time floor: median over GPUs of the reference ('kernel') sources' smallest times, ms. */
  kernelFloorMs: number;
  entries: SourceGpuOverhead[];
  /** Overhead per method over kernel time, ms: median over the GPUs that identify it. NaN if none does. */
  methodOverheadMs: Record<MeasurementMethod, number>;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Estimates each source/GPU's timing overhead from its smallest measured times: a harness's overhead is
 * what its tiniest GEMM takes beyond what a kernel-time harness measures for a tiny GEMM (the kernel-time
 * floor). Timing noise only adds time, so the minimum is the right statistic. `rows` are the records to
 * use; `analyticMs[i]` the analytic device time of records[rows[i]].
 */
export function estimateOverheads(records: readonly GemmRecord[], rows: ArrayLike<number>, analyticMs: ArrayLike<number>): OverheadTable {
  const groups = new Map<string, { source: GemmSource; gpu: string; rows: number; floorMs: number; smallestAnalyticMs: number }>();
  for (let t = 0; t < rows.length; t++) {
    const r = records[rows[t]];
    if (!(r.runtimeMs > 0)) continue;
    const key = `${r.source}|${r.gpu}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { source: r.source, gpu: r.gpu, rows: 0, floorMs: Infinity, smallestAnalyticMs: Infinity }));
    g.rows++;
    if (r.runtimeMs < g.floorMs) g.floorMs = r.runtimeMs;
    if (analyticMs[t] > 0 && analyticMs[t] < g.smallestAnalyticMs) g.smallestAnalyticMs = analyticMs[t];
  }
  const sorted = [...groups.values()].sort((a, b) => (a.source + a.gpu < b.source + b.gpu ? -1 : 1));
  const referenceFloors = sorted.filter((g) => SOURCE_METHOD[g.source] === 'kernel' && g.smallestAnalyticMs < IDENTIFIABLE_BELOW_MS).map((g) => g.floorMs);
  const kernelFloorMs = referenceFloors.length > 0 ? median(referenceFloors) : 0.002;
  const entries: SourceGpuOverhead[] = sorted.map((g) => {
    const method = SOURCE_METHOD[g.source];
    const identifiable = g.smallestAnalyticMs < IDENTIFIABLE_BELOW_MS;
    const overheadMs = method === 'kernel' || !identifiable ? 0 : Math.max(0, g.floorMs - kernelFloorMs);
    return { ...g, method, identifiable, overheadMs };
  });
  const methodOverheadMs: Record<MeasurementMethod, number> = { kernel: 0, 'pytorch-eager': NaN, 'triton-do-bench': DO_BENCH_OVERHEAD_MS };
  const eager = entries.filter((e) => e.method === 'pytorch-eager' && e.identifiable).map((e) => e.overheadMs);
  if (eager.length > 0) methodOverheadMs['pytorch-eager'] = median(eager);
  return { kernelFloorMs, entries, methodOverheadMs };
}

/** Overhead of a record's own source and GPU in the table (0 when the table has no entry for it). */
export function overheadOf(table: OverheadTable, source: GemmSource, gpu: string): number {
  for (const e of table.entries) if (e.source === source && e.gpu === gpu) return e.overheadMs;
  return 0;
}

/**
 * Device (kernel) time of a measured time: the measured time less its source/GPU overhead. Never below
 * the kernel-time floor's share: overhead ≤ floor − kernelFloor, so measured − overhead ≥ kernelFloor > 0
 * for every row the overhead was estimated on; the clamp only guards rows outside that set.
 */
export function deviceTimeMs(measuredMs: number, overheadMs: number, kernelFloorMs: number): number {
  if (!(measuredMs > 0)) return NaN;
  const device = measuredMs - Math.max(0, overheadMs);
  const least = Math.min(measuredMs, Math.max(kernelFloorMs, 1e-6));
  return device >= least ? device : least;
}

/**
 * A dynamically quantised GEMM (fp8 per-tensor or per-block, NVFP4, SmoothQuant) runs more than the GEMM
 * and the one quantising pass the analytic model counts (docs/performance-model.md §3.6): scale-layout
 * transforms, amax reductions, smoothing, done by extra kernels or prologues whose number depends on the
 * framework. Their fixed per-call cost is estimated from the data, per scheme, like a timing overhead:
 * on one source and GPU, for each GEMM measured both quantised and plain (bf16/fp16) whose plain time is
 * tiny (< IDENTIFIABLE_BELOW_MS, where fixed costs dominate), (measured − analytic) quantised less
 * (measured − analytic) plain; the entry is the lower quartile over those pairs
 * (SCHEME_OVERHEAD_QUANTILE), a scheme's overhead on a GPU the median over the entries of its
 * architecture family, else of all (each source/GPU counts once, whatever its row count).
 */
export interface SchemeOverheadEntry {
  scheme: string;
  source: GemmSource;
  gpu: string;
  /** Architecture family of the GPU (compute capability major: the libraries' kernels differ by it). */
  family: string;
  /** Quantised/plain pairs of tiny GEMMs the entry is estimated from. */
  pairs: number;
  /** Extra time per call, ms (≥ 0): the SCHEME_OVERHEAD_QUANTILE of the pairs. */
  overheadMs: number;
}

export interface SchemeOverheadTable {
  /** One per scheme, source and GPU with enough pairs, sorted; schemeOverheadOf reads them. */
  entries: SchemeOverheadEntry[];
}

/** Pairs a source/GPU needs before its entry counts. */
export const MIN_SCHEME_PAIRS = 20;
/**
 * The entry is this quantile of its pairs' extra times, not their median: frameworks run different
 * numbers of extra kernels (on the B200, fp8 per-tensor costs TensorRT-LLM ~10 µs more than plain and vLLM
 * or SGLang ~3.5), and the lower quartile is the cost the leanest framework pays, which a scheme implies
 * whatever runs it; the rest stays with the learned correction. Chosen from 0.5 / 0.35 / 0.25 by the
 * analytic model's leave-one-GPU-out error (models/scripts/analytic-logo.ts): 0.5 made fp8 per-tensor
 * worse on every Blackwell GPU (+3 to +4 points), 0.25 made no GPU · dtype slice worse.
 */
export const SCHEME_OVERHEAD_QUANTILE = 0.25;

/** The scheme key of a quantisation name when it quantises activations at run time, else undefined. */
export function dynamicScheme(quantization: string | undefined): string | undefined {
  const q = (quantization ?? '').toLowerCase();
  return q !== '' && quantFlags(q).dynamic === 1 ? q : undefined;
}

/** The architecture family a GPU's scheme overhead is shared with: its compute capability's major version. */
export function ccFamily(computeCapability: string | undefined): string {
  const major = computeCapabilityMajor(computeCapability);
  return Number.isFinite(major) ? `cc${major}` : '?';
}

export function estimateSchemeOverheads(
  records: readonly GemmRecord[],
  rows: ArrayLike<number>,
  analyticMs: ArrayLike<number>,
  familyOf: (gpu: string) => string,
): SchemeOverheadTable {
  const shapeKey = (r: GemmRecord) => `${r.source}|${r.gpu}|${r.m}|${r.n}|${r.k}|${r.batch ?? 1}`;
  // Plain residuals of tiny GEMMs, per shape (the median when a shape was measured more than once).
  const plain = new Map<string, number[]>();
  for (let t = 0; t < rows.length; t++) {
    const r = records[rows[t]];
    if (r.quantization || (r.dtype !== 'bf16' && r.dtype !== 'fp16') || !(r.runtimeMs > 0) || !(analyticMs[t] > 0)) continue;
    if (r.runtimeMs >= IDENTIFIABLE_BELOW_MS) continue;
    const key = shapeKey(r);
    let list = plain.get(key);
    if (!list) plain.set(key, (list = []));
    list.push(r.runtimeMs - analyticMs[t]);
  }
  const plainResidual = new Map([...plain].map(([k, v]) => [k, median(v)]));
  const extras = new Map<string, { scheme: string; source: GemmSource; gpu: string; values: number[] }>();
  for (let t = 0; t < rows.length; t++) {
    const r = records[rows[t]];
    const scheme = dynamicScheme(r.quantization);
    if (!scheme || !(r.runtimeMs > 0) || !(analyticMs[t] > 0)) continue;
    const base = plainResidual.get(shapeKey(r));
    if (base === undefined) continue;
    const key = `${scheme}|${r.source}|${r.gpu}`;
    let e = extras.get(key);
    if (!e) extras.set(key, (e = { scheme, source: r.source, gpu: r.gpu, values: [] }));
    e.values.push(r.runtimeMs - analyticMs[t] - base);
  }
  const entries: SchemeOverheadEntry[] = [...extras.values()]
    .filter((e) => e.values.length >= MIN_SCHEME_PAIRS)
    .map((e) => ({
      scheme: e.scheme,
      source: e.source,
      gpu: e.gpu,
      family: familyOf(e.gpu),
      pairs: e.values.length,
      overheadMs: Math.max(0, quantile(e.values, SCHEME_OVERHEAD_QUANTILE)),
    }))
    .sort((a, b) => (`${a.scheme}|${a.source}|${a.gpu}` < `${b.scheme}|${b.source}|${b.gpu}` ? -1 : 1));
  return { entries };
}

/**
 * A scheme's overhead on a GPU of architecture `family`, ms: the median over the scheme's entries of that
 * family that `keep` accepts (held-out GPUs and sources must not lend their own), else over all its kept
 * entries (a new architecture); 0 for a plain GEMM, a static or weight-only scheme, or one no kept entry measured.
 */
export function schemeOverheadOf(
  entries: readonly SchemeOverheadEntry[],
  quantization: string | undefined,
  family: string,
  keep: (e: SchemeOverheadEntry) => boolean = () => true,
): number {
  const scheme = dynamicScheme(quantization);
  if (!scheme) return 0;
  const kept = entries.filter((e) => e.scheme === scheme && keep(e));
  const same = kept.filter((e) => e.family === family);
  const values = (same.length > 0 ? same : kept).map((e) => e.overheadMs);
  return values.length > 0 ? median(values) : 0;
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
}
