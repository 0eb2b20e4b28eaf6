// The applicability check of the runtime model: where its training data lies (feature ranges of the
// training rows, descriptors of the training GPUs), how far a new workload or GPU lies outside that,
// and how much of the learned correction to keep there. Stored in the artifact (training.applicability),
// fitted by models/scripts/train.ts. Pure: numbers in, numbers out; no I/O, never throws.
import { QUANT_WRAPPERS, type GpuSpec, type KernelFamily } from '../perf/types';
import { computeCapabilityMajor } from '../perf/dtype';
import { sustainedClock } from '../perf/sustained-clock';
import { featureLabel, outsideInWords } from './feature-words';

/** Descriptors of a GPU that say how unlike the training GPUs it is (not model features). */
export const GPU_DESCRIPTOR_NAMES: readonly string[] = [
  'compute_capability',
  'log2_bandwidth_gbps',
  'log2_fp32_tflops',
  'log2_sm_count',
  'log2_l2_mb',
  'log2_sustained_clock_fraction',
];

export interface ApplicabilityDomain {
  /** Per feature (artifact order): the training rows' 0.5th and 99.5th percentiles of finite values (NaN: never finite). */
  featureLo: number[];
  featureHi: number[];
  /**
   * Per kernel-family group: its training GPUs and the range of their descriptors (GPU_DESCRIPTOR_NAMES
   * order). Per group because a correction learned for hand-written tiled kernels on Turing says
   * nothing about Ampere even when library GEMMs were measured there.
   */
  gpuRanges: Record<FamilyGroup, GpuRange>;
  /** GPU_DESCRIPTOR_NAMES when the domain was fitted; parseDomain refuses another layout. Absent in older artifacts. */
  descriptorNames?: readonly string[];
  /**
   * Share of the learned correction kept inside the domain, per kernel-family group (familyGroup): a
   * shrink toward the analytic model fitted on GPUs held out of training (1 keeps all, 0 is the analytic
   * model alone).
   */
  correctionWeights: Record<FamilyGroup, number>;
  /** Outside the domain the kept share decays as exp(−excess / decay); excess in units of the training range. */
  decay: number;
  /** Excess above which a prediction is flagged as extrapolating. */
  flagAbove: number;
  /**
   * A GPU inside the descriptor box can still be unlike every training GPU (the box of a few GPUs has
   * holes): its distance to the nearest training GPU of the group (largest descriptor difference, in
   * the same units) beyond this counts as excess. Infinity turns the check off.
   */
  nearestWithin: number;
  /**
   * Interval scales fitted on GPUs held out of training (calibrated to the nominal level separately):
   * `inDomain` is the one the forest's calibration already applied; rows flagged extrapolating use
   * `extrapolating` on their whole widened interval instead. Absent in older artifacts: the forest's
   * calibrated interval is widened as is.
   */
  intervalScales?: { inDomain: number; extrapolating: number };
  /**
   * The quantised ops the training rows timed, as quantisedKey gives them (scheme flags, element width and
   * framework wrapper, per compute-capability major): a quantised row whose key is absent is outside by
   * UNCOVERED_QUANT_EXCESS. A wrapper's activation quantisation and scale handling run differently on each
   * architecture (SGLang's per-block fp8 op takes 1.6–2.4× the estimate on Blackwell and about 1.0× on
   * Hopper), so what was learned on one says nothing about another. Absent in older artifacts: no check.
   */
  quantisedCoverage?: string[];
}

/** Excess of a quantised row whose op (quantisedKey) no training row timed: that of a flag no training row set. */
export const UNCOVERED_QUANT_EXCESS = 1;

/**
 * Kernel-family groups whose corrections differ: vendor-library GEMMs on tensor cores (cuBLAS, CUTLASS),
 * library fp32 SGEMM on the SIMT cores, and hand-written tiled kernels (CLBlast, Triton, tiled CUDA).
 */
export type FamilyGroup = 'library' | 'library-fp32' | 'tiled';
export const FAMILY_GROUPS: readonly FamilyGroup[] = ['library', 'library-fp32', 'tiled'];

/** The group of a kernel family and dtype (a dtype label such as 'fp8/fp8_block' works too). */
export function familyGroupOf(kernel: KernelFamily | string | undefined, dtype?: string): FamilyGroup {
  if (!(kernel === undefined || kernel === 'library' || kernel === 'cutlass')) return 'tiled';
  return dtype !== undefined && dtype.startsWith('fp32') ? 'library-fp32' : 'library';
}

const perGroup = <T>(f: (g: FamilyGroup) => T): Record<FamilyGroup, T> => Object.fromEntries(FAMILY_GROUPS.map((g) => [g, f(g)])) as Record<FamilyGroup, T>;

export interface GpuRange {
  gpus: string[];
  lo: number[];
  hi: number[];
  /** Each training GPU's descriptor (GPU_DESCRIPTOR_NAMES order), in `gpus` order. */
  descriptors: number[][];
}

export interface Applicability {
  /** Largest distance outside the training ranges, in units of the range (0 inside). */
  excess: number;
  extrapolating: boolean;
  /** Share of the learned correction to keep (0..1). */
  weight: number;
  /** What lies outside, e.g. "compute_capability 3.5 outside 6–12"; empty inside. */
  reasons: string[];
}

const pos = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const log2 = (v: unknown): number => (pos(v) ? Math.log2(v) : NaN);

/**
 * Sustained clock fractions above this count as not power-bound (descriptor 0): the power roof's
 * reference is a median over boards, so boards within 15% of it are not told apart.
 */
const POWER_BOUND_BELOW = 0.85;

/**
 * The GPU's descriptor vector; NaN where the catalogue lacks a field (then that descriptor is not checked).
 * Power enters as the share of the boost clock the board sustains under a GEMM (sustained-clock.ts, a
 * tensor-core load on chips with tensor cores), not as watts: past the point where the power roof stops
 * binding, more board power changes nothing (the GB300's 1,400 W against the B300's 1,100 W, one chip).
 */
export function gpuDescriptor(gpu: GpuSpec): number[] {
  const cc = typeof gpu?.computeCapability === 'string' ? Number.parseFloat(gpu.computeCapability) : NaN;
  const clock = sustainedClock(gpu, computeCapabilityMajor(gpu?.computeCapability) >= 7 ? 'tensor' : 'simt');
  return [
    Number.isFinite(cc) ? cc : computeCapabilityMajor(gpu?.computeCapability),
    log2(gpu?.memoryBandwidthGBps?.value),
    log2(gpu?.peak?.fp32?.value),
    log2(gpu?.smCount?.value),
    log2(gpu?.l2CacheMB?.value),
    clock.source === 'boost' && clock.fallbackNote ? NaN : Math.min(0, log2(clock.fractionOfBoost / POWER_BOUND_BELOW)),
  ];
}

/** q-quantile (0..1) of a sorted array, linear between order statistics. */
function sortedQuantile(s: ArrayLike<number>, q: number): number {
  if (s.length === 0) return NaN;
  const pos0 = q * (s.length - 1);
  const i = Math.floor(pos0);
  const f = pos0 - i;
  return i + 1 < s.length ? s[i] * (1 - f) + s[i + 1] * f : s[i];
}

/** Feature ranges of a row-major training matrix (finite values only) and the training GPUs' descriptor ranges. */
export function fitDomain(
  x: ArrayLike<number>,
  nRows: number,
  nFeatures: number,
  gpus: Readonly<Record<FamilyGroup, readonly GpuSpec[]>>,
  settings: { correctionWeights: Record<FamilyGroup, number>; decay: number; flagAbove: number; nearestWithin: number },
  rows?: { featureNames: readonly string[]; gpuOfRow: (row: number) => GpuSpec | null | undefined },
): ApplicabilityDomain {
  const featureLo: number[] = [];
  const featureHi: number[] = [];
  const column = new Float64Array(nRows);
  for (let f = 0; f < nFeatures; f++) {
    let n = 0;
    for (let i = 0; i < nRows; i++) {
      const v = x[i * nFeatures + f];
      if (Number.isFinite(v)) column[n++] = v;
    }
    const s = column.subarray(0, n).sort();
    featureLo.push(sortedQuantile(s, 0.005));
    featureHi.push(sortedQuantile(s, 0.995));
  }
  const range = (list: readonly GpuSpec[]): GpuRange => {
    const sorted = [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const ds = sorted.map(gpuDescriptor);
    const finite = (j: number) => ds.map((d) => d[j]).filter(Number.isFinite);
    return {
      gpus: sorted.map((g) => g.id),
      descriptors: ds,
      lo: GPU_DESCRIPTOR_NAMES.map((_, j) => (finite(j).length ? Math.min(...finite(j)) : NaN)),
      hi: GPU_DESCRIPTOR_NAMES.map((_, j) => (finite(j).length ? Math.max(...finite(j)) : NaN)),
    };
  };
  let quantisedCoverage: string[] | undefined;
  if (rows) {
    const keys = new Set<string>();
    for (let i = 0; i < nRows; i++) {
      const key = quantisedKey(rows.featureNames, rowOf(x, i, nFeatures), rows.gpuOfRow(i) ?? null);
      if (key !== null) keys.add(key);
    }
    quantisedCoverage = [...keys].sort();
  }
  return {
    featureLo,
    featureHi,
    gpuRanges: perGroup((g) => range(gpus[g] ?? [])),
    descriptorNames: [...GPU_DESCRIPTOR_NAMES],
    ...settings,
    ...(quantisedCoverage ? { quantisedCoverage } : {}),
  };
}

function rowOf(x: ArrayLike<number>, row: number, nFeatures: number): ArrayLike<number> {
  return x instanceof Float32Array || x instanceof Float64Array
    ? x.subarray(row * nFeatures, (row + 1) * nFeatures)
    : Array.from({ length: nFeatures }, (_, f) => x[row * nFeatures + f]);
}

/** The features quantisedKey reads, in key order. */
const QUANT_KEY_FEATURES = ['quant_dynamic', 'quant_block_scaled', 'quant_weight_only', 'dtype_bytes', 'quant_wrapper'] as const;
const quantIndexCache = new WeakMap<readonly string[], number[]>();

/**
 * Which quantised op a row times, on which architecture: `cc<major>|<dynamic><block><weight-only>|<bytes>|<wrapper>`
 * from the row's features and GPU; null for a plain GEMM, an unknown compute capability, or feature names
 * without the quantisation features.
 */
export function quantisedKey(featureNames: readonly string[], values: ArrayLike<number>, gpu: GpuSpec | null): string | null {
  let idx = quantIndexCache.get(featureNames);
  if (!idx) quantIndexCache.set(featureNames, (idx = QUANT_KEY_FEATURES.map((n) => featureNames.indexOf(n))));
  for (const i of idx) if (i < 0 || i >= values.length) return null;
  // Read per row of a batch: no array is built for a plain GEMM.
  const dynamic = values[idx[0]!]!;
  const block = values[idx[1]!]!;
  const weightOnly = values[idx[2]!]!;
  const wrapper = values[idx[4]!]!;
  if (!(dynamic > 0 || block > 0 || weightOnly > 0 || wrapper > 0)) return null;
  const major = computeCapabilityMajor(gpu?.computeCapability);
  if (!Number.isFinite(major)) return null;
  const bytes = values[idx[3]!]!;
  // Features may arrive as float32 (training) or float64 (serving): widths are rounded so both spell one key.
  return `cc${major}|${dynamic}${block}${weightOnly}|${Number(bytes.toFixed(3))}|${wrapper}`;
}

/** A quantised op in words, from its key's flags and wrapper ("block-scaled quantised GEMMs timed in sglang"). */
function quantisedWords(key: string): string {
  const [cc, flags, , wrapper] = key.split('|');
  const scheme = flags[1] === '1' ? 'block-scaled' : flags[2] === '1' ? 'weight-only' : flags[0] === '1' ? 'dynamically' : '';
  const op = `${scheme ? `${scheme} ` : ''}quantised GEMMs`;
  const w = QUANT_WRAPPERS[Number(wrapper) - 1];
  return `${op}${w ? ` timed in ${w}` : ''} on compute capability ${cc.slice(2)}.x GPUs`;
}

const coverageSets = new WeakMap<ApplicabilityDomain, Set<string>>();

/** Distance of v outside [lo, hi] in units of the range (at least `minWidth` wide); 0 inside or when unknown. */
function outside(v: number, lo: number, hi: number, minWidth: number, fixedWidth = false): number {
  if (!Number.isFinite(v) || !Number.isFinite(lo) || !Number.isFinite(hi)) return 0;
  const width = fixedWidth ? minWidth : Math.max(hi - lo, minWidth);
  return v < lo ? (lo - v) / width : v > hi ? (v - hi) / width : 0;
}

const fmt = (v: number) => String(Number(v.toPrecision(3)));
/**
 * A kernel-family group in words, for reasons. 'library' holds every library dtype but fp32 (fp64 too, which
 * has no tensor cores on most GPUs: 'tensor-core library GEMMs' misnamed a DGEMM's group).
 */
const groupWords = (group: string): string =>
  ({ library: 'library GEMMs other than fp32', 'library-fp32': 'fp32 library GEMMs', tiled: 'hand-written tiled kernels' })[group] ?? `${group} kernels`;

/** GPU part of the check, once per domain, GPU and group (a batch of a million rows has a few GPUs). */
const gpuCache = new WeakMap<ApplicabilityDomain, WeakMap<GpuSpec, Map<FamilyGroup, { excess: number; reasons: string[] }>>>();

function gpuExcess(domain: ApplicabilityDomain, gpu: GpuSpec, group: FamilyGroup): { excess: number; reasons: string[] } {
  let byGpu = gpuCache.get(domain);
  if (!byGpu) gpuCache.set(domain, (byGpu = new WeakMap()));
  let byGroup = byGpu.get(gpu);
  if (!byGroup) byGpu.set(gpu, (byGroup = new Map()));
  const hit = byGroup.get(group);
  if (hit) return hit;
  let excess = 0;
  const reasons: string[] = [];
  const range = domain.gpuRanges[group];
  if (range && !range.gpus.includes(gpu.id)) {
    // GPU descriptors count in absolute units: one compute-capability generation, a factor 2 of a spec.
    const d = gpuDescriptor(gpu);
    if (range.gpus.length === 0) {
      excess = 1e9;
      reasons.push(`no ${groupWords(group)} in the training data`);
    }
    for (let j = 0; j < GPU_DESCRIPTOR_NAMES.length; j++) {
      const e = outside(d[j], range.lo[j], range.hi[j], 1, true);
      if (e > 0 && e > domain.flagAbove)
        reasons.push(outsideInWords(GPU_DESCRIPTOR_NAMES[j]!, d[j]!, range.lo[j]!, range.hi[j]!, `training GPUs for ${groupWords(group)}:`));
      if (e > excess) excess = e;
    }
    const near = nearestTrainingGpu(range, d);
    const e = near ? near.distance - domain.nearestWithin : 0;
    if (near && e > 0) {
      if (e > domain.flagAbove)
        reasons.push(
          `unlike every training GPU of ${groupWords(group)}: the nearest, ${near.id}, differs most in ${featureLabel(near.descriptor)} (${fmt(near.distance)}, more than ${fmt(domain.nearestWithin)}${near.descriptor.startsWith('log2_') ? ' in log2' : ''})`,
        );
      if (e > excess) excess = e;
    }
  }
  const out = { excess, reasons };
  byGroup.set(group, out);
  return out;
}

/** The training GPU nearest to a descriptor: largest absolute difference over the known descriptors. */
function nearestTrainingGpu(range: GpuRange, d: readonly number[]): { id: string; distance: number; descriptor: string } | null {
  let best: { id: string; distance: number; descriptor: string } | null = null;
  range.descriptors.forEach((t, i) => {
    let distance = 0;
    let descriptor = '';
    for (let j = 0; j < GPU_DESCRIPTOR_NAMES.length; j++) {
      const diff = Math.abs(d[j] - t[j]);
      if (Number.isFinite(diff) && diff > distance) {
        distance = diff;
        descriptor = GPU_DESCRIPTOR_NAMES[j];
      }
    }
    if (!best || distance < best.distance) best = { id: range.gpus[i], distance, descriptor };
  });
  return best;
}

/**
 * Kernel families in words where the feature name misleads: `tiled` is the hand-written CUDA family, and the
 * tiled-kernel group of the training data may still hold CLBlast's kernels (Kernel Tuner).
 */
const FAMILY_WORDS: Readonly<Record<string, string>> = {
  tiled: 'hand-written CUDA tiled kernels',
  clblast_xgemm: 'CLBlast Xgemm kernels',
  naive: 'untiled (naive) kernels',
  cutlass: 'CUTLASS kernels',
  triton: 'Triton kernels',
  library: 'library GEMMs',
};

/**
 * Why a feature lies outside the training range, in words: a flag the training rows never set (a kernel
 * family, quantisation scheme or tensor-core path none of them had) says so; other features give the value
 * and the range.
 */
function outsideReason(name: string, value: number, lo: number, hi: number): string {
  if (lo === 0 && hi === 0 && value === 1) {
    const what = name.startsWith('kernel_')
      ? (FAMILY_WORDS[name.slice('kernel_'.length)] ?? `${name.slice('kernel_'.length).replace(/_/g, '-')} kernels`)
      : name.startsWith('quant_')
        ? `${name.slice('quant_'.length).replace(/_/g, '-')} quantisation`
        : name === 'tensor_cores'
          ? 'tensor-core kernels'
          : name.startsWith('bound_')
            ? `${name.slice('bound_'.length).replace(/_/g, '-')}-bound GEMMs (the analytic model's limiter)`
            : `${name} = 1`;
    return `no ${what} in the training data`;
  }
  return outsideInWords(name, value, lo, hi);
}

/**
 * How far a feature vector (and its GPU) lies outside the training domain. Features whose training
 * values never vary (one-hots absent from training, constant flags) use a width of 1.
 */
export function assess(
  domain: ApplicabilityDomain,
  featureNames: readonly string[],
  values: ArrayLike<number>,
  gpu: GpuSpec | null,
  kernel?: KernelFamily | string,
  dtype?: string,
): Applicability {
  let excess = 0;
  const reasons: string[] = [];
  for (let f = 0; f < domain.featureLo.length && f < values.length; f++) {
    const e = outside(values[f], domain.featureLo[f], domain.featureHi[f], 1);
    if (e > 0 && e > domain.flagAbove) reasons.push(outsideReason(featureNames[f] ?? `feature ${f}`, values[f], domain.featureLo[f], domain.featureHi[f]));
    if (e > excess) excess = e;
  }
  // The workload's own reasons come first (renderers show the first few): its features, then its quantised op.
  if (gpu && domain.quantisedCoverage) {
    const key = quantisedKey(featureNames, values, gpu);
    let covered = coverageSets.get(domain);
    if (!covered) coverageSets.set(domain, (covered = new Set(domain.quantisedCoverage)));
    if (key !== null && !covered.has(key)) {
      reasons.push(`no ${quantisedWords(key)} in the training data`);
      if (UNCOVERED_QUANT_EXCESS > excess) excess = UNCOVERED_QUANT_EXCESS;
    }
  }
  const group = familyGroupOf(kernel, dtype);
  if (gpu) {
    const g = gpuExcess(domain, gpu, group);
    if (g.excess > excess) excess = g.excess;
    reasons.push(...g.reasons);
  }
  const lambda = domain.correctionWeights[group];
  const weight = (Number.isFinite(lambda) ? lambda : 1) * Math.exp(-excess / Math.max(domain.decay, 1e-9));
  return { excess, extrapolating: excess > domain.flagAbove, weight, reasons };
}

/**
 * Shrinks a correction interval (target space, log ratio to the analytic model) toward 0 by `weight` and
 * widens it so it still covers both the unshrunk forest value and the analytic model, scaled up by the
 * excess: lo/hi of the result always contain mean·weight. With `scales` (the domain's intervalScales; [lo,
 * hi] then carries the in-domain scale), a row flagged extrapolating gets the extrapolating scale on its
 * whole widened interval, as the evaluation calibrated it: half-width = extrapolating · (raw · widen + moved).
 */
export function shrinkCorrection(
  mean: number,
  lo: number,
  hi: number,
  a: Applicability,
  scales?: ApplicabilityDomain['intervalScales'],
): { mean: number; lo: number; hi: number } {
  const m = mean * a.weight;
  const widen = 1 + a.excess;
  const moved = a.extrapolating ? Math.abs(mean - m) : 0;
  const rescale = a.extrapolating && scales ? scales.extrapolating : 1;
  const unscale = a.extrapolating && scales ? 1 / scales.inDomain : 1;
  return {
    mean: m,
    lo: m - rescale * (Math.max(0, mean - lo) * unscale * widen + moved),
    hi: m + rescale * (Math.max(0, hi - mean) * unscale * widen + moved),
  };
}

/** Validates an applicability domain read from an artifact header; null when absent or malformed. */
export function parseDomain(v: unknown, nFeatures: number): ApplicabilityDomain | null {
  if (typeof v !== 'object' || v === null) return null;
  const d = v as Record<string, unknown>;
  const nums = (a: unknown, n: number) => Array.isArray(a) && a.length === n && a.every((x) => x === null || typeof x === 'number');
  if (!nums(d.featureLo, nFeatures) || !nums(d.featureHi, nFeatures)) return null;
  const ranges = d.gpuRanges as Record<string, Record<string, unknown>> | undefined;
  const rangeOk = (r: Record<string, unknown> | undefined) =>
    typeof r === 'object' &&
    r !== null &&
    nums(r.lo, GPU_DESCRIPTOR_NAMES.length) &&
    nums(r.hi, GPU_DESCRIPTOR_NAMES.length) &&
    Array.isArray(r.gpus) &&
    r.gpus.every((g) => typeof g === 'string') &&
    (r.descriptors === undefined ||
      (Array.isArray(r.descriptors) && r.descriptors.length === r.gpus.length && r.descriptors.every((x) => nums(x, GPU_DESCRIPTOR_NAMES.length))));
  if (typeof ranges !== 'object' || ranges === null || !FAMILY_GROUPS.every((g) => rangeOk(ranges[g]))) return null;
  // Descriptors of another layout (the power descriptor was log2 watts before 2026-12-07) would be compared
  // with this build's: refused, so the check is off rather than wrong.
  const names = d.descriptorNames;
  if (names !== undefined && !(Array.isArray(names) && names.length === GPU_DESCRIPTOR_NAMES.length && names.every((n, i) => n === GPU_DESCRIPTOR_NAMES[i])))
    return null;
  for (const key of ['decay', 'flagAbove']) if (typeof d[key] !== 'number' || !Number.isFinite(d[key] as number)) return null;
  // Artifacts written before the nearest-GPU check carry neither field: the check stays off for them
  // (as it is for Infinity, which JSON writes as null).
  const nearestWithin = d.nearestWithin === undefined || d.nearestWithin === null ? Infinity : d.nearestWithin;
  if (typeof nearestWithin !== 'number' || !(nearestWithin >= 0)) return null;
  // Optional (artifacts before it lack it); present, both scales must be positive and finite.
  const rawScales = d.intervalScales as Record<string, unknown> | undefined | null;
  const scaleOk = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;
  if (rawScales !== undefined && rawScales !== null && !(scaleOk(rawScales.inDomain) && scaleOk(rawScales.extrapolating))) return null;
  const scales = rawScales ? { inDomain: rawScales.inDomain as number, extrapolating: rawScales.extrapolating as number } : undefined;
  // Optional (artifacts before it lack it: no quantised-op check); present, a list of strings.
  const coverage = d.quantisedCoverage;
  if (coverage !== undefined && !(Array.isArray(coverage) && coverage.every((k) => typeof k === 'string'))) return null;
  const cw = d.correctionWeights as Record<string, unknown> | undefined;
  const weightOf = (v: unknown) => (typeof v === 'number' && v >= 0 && v <= 1 ? v : NaN);
  if (typeof cw !== 'object' || cw === null || FAMILY_GROUPS.some((g) => Number.isNaN(weightOf(cw[g])))) return null;
  // JSON writes NaN as null.
  const back = (a: unknown) => (a as Array<number | null>).map((x) => (x === null ? NaN : x));
  return {
    featureLo: back(d.featureLo),
    featureHi: back(d.featureHi),
    gpuRanges: perGroup((g) => ({
      gpus: [...(ranges[g].gpus as string[])],
      lo: back(ranges[g].lo),
      hi: back(ranges[g].hi),
      descriptors: ((ranges[g].descriptors as unknown[] | undefined) ?? []).map(back),
    })),
    ...(names ? { descriptorNames: [...GPU_DESCRIPTOR_NAMES] } : {}),
    correctionWeights: perGroup((g) => cw[g] as number),
    decay: d.decay as number,
    flagAbove: d.flagAbove as number,
    nearestWithin,
    ...(scales ? { intervalScales: scales } : {}),
    ...(coverage ? { quantisedCoverage: [...(coverage as string[])] } : {}),
  };
}
