// Cleaning rules for GemmRecords: each rule is a separate pure function returning what it kept and
// what it removed, and cleanRecords applies them in order with counts. No I/O; never throws.
import type { GemmRecord } from './record';

export interface RuleResult {
  kept: GemmRecord[];
  removed: GemmRecord[];
}

export interface RuleCount {
  rule: string;
  description: string;
  count: number;
  /** Up to three of the affected records. */
  examples: GemmRecord[];
}

export interface CleanOptions {
  /** Keep aiconfigurator's weight-only int8_wo / int4_wo rows (default: drop). */
  keepWeightOnly?: boolean;
  /** Drop NeuSight rows whose call launched more than one kernel (default: keep, flagged). */
  dropMultiKernel?: boolean;
  /** Power must lie in (0, powerLimitFactor × powerLimitW]; default 1.5. */
  powerLimitFactor?: number;
}

export interface CleanResult {
  records: GemmRecord[];
  /** Per rule, in the order applied, how many records it removed (count 0 included). */
  removed: RuleCount[];
  /** Records kept but marked (e.g. multi-kernel NeuSight calls): per rule, how many. */
  flagged: RuleCount[];
}

function split(records: readonly GemmRecord[], keep: (r: GemmRecord) => boolean): RuleResult {
  const kept: GemmRecord[] = [];
  const removed: GemmRecord[] = [];
  for (const r of records) (keep(r) ? kept : removed).push(r);
  return { kept, removed };
}

const positiveFinite = (v: number): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
const positiveInteger = (v: number): boolean => positiveFinite(v) && Number.isInteger(v);

/** Removes records whose runtime is not a finite number > 0. */
export function dropInvalidRuntime(records: readonly GemmRecord[]): RuleResult {
  return split(records, (r) => positiveFinite(r.runtimeMs));
}

/** Removes records whose m, n, k or batch is not a positive integer (NaN, 0, negative, fractional). */
export function dropInvalidSize(records: readonly GemmRecord[]): RuleResult {
  return split(records, (r) => positiveInteger(r.m) && positiveInteger(r.n) && positiveInteger(r.k) && positiveInteger(r.batch));
}

/** Removes records whose device name did not resolve to a catalogue id (gpu === ''). */
export function dropUnknownGpu(records: readonly GemmRecord[], isKnown: (gpu: string) => boolean = (g) => g !== ''): RuleResult {
  return split(records, (r) => isKnown(r.gpu));
}

/** Weight-only quantization schemes: int weights, bf16/fp16 activations and arithmetic. */
export const WEIGHT_ONLY_QUANTIZATIONS: ReadonlySet<string> = new Set(['int8_wo', 'int4_wo']);

/**
 * Removes aiconfigurator's weight-only rows (int8_wo, int4_wo): their arithmetic runs in bf16 after
 * dequantizing the weights, so no Dtype describes them; labelling them int8 would teach a model that
 * int8 runs at bf16 speed. SmoothQuant (`sq`, W8A8) is a true int8 GEMM and stays.
 */
export function dropWeightOnlyQuantization(records: readonly GemmRecord[]): RuleResult {
  return split(records, (r) => r.quantization === undefined || !WEIGHT_ONLY_QUANTIZATIONS.has(r.quantization));
}

/**
 * Removes records with a power reading outside (0, factor × powerLimitW]; without a limit, outside
 * (0, ∞). Records without a power reading pass.
 */
export function dropImplausiblePower(records: readonly GemmRecord[], factor = 1.5): RuleResult {
  return split(records, (r) => {
    if (r.powerW === undefined) return true;
    if (!positiveFinite(r.powerW)) return false;
    if (r.powerLimitW === undefined || !positiveFinite(r.powerLimitW)) return true;
    return r.powerW <= factor * r.powerLimitW;
  });
}

/** True for a NeuSight-style record whose call launched more than one kernel (e.g. split-K + reduce). */
export function isMultiKernel(r: GemmRecord): boolean {
  return (r.params.kernel_count ?? 1) > 1;
}

/** Removes multi-kernel records (used only with `dropMultiKernel`; by default they are kept, flagged). */
export function dropMultiKernel(records: readonly GemmRecord[]): RuleResult {
  return split(records, (r) => !isMultiKernel(r));
}

/** Identity of a measurement for duplicate detection. `split` is included so NeuSight's train and test never merge. */
export function duplicateKey(r: GemmRecord): string {
  const keys = Object.keys(r.params);
  const params =
    keys.length === 0
      ? ''
      : keys
          .sort()
          .map((key) => `${key}=${r.params[key]}`)
          .join(',');
  return `${r.source}|${r.gpu}|${r.dtype}|${r.quantization ?? ''}|${r.m}|${r.n}|${r.k}|${r.batch}|${r.kernel}|${params}|${r.condition}|${r.framework ?? ''}|${r.frameworkVersion ?? ''}|${r.split ?? ''}`;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Fields that differ between almost every record; the rest of duplicateKey partitions the records first. */
function shapeKey(r: GemmRecord): string {
  const keys = Object.keys(r.params);
  const params =
    keys.length === 0
      ? ''
      : keys
          .sort()
          .map((key) => `${key}=${r.params[key]}`)
          .join(',');
  return `${r.m}|${r.n}|${r.k}|${r.batch}|${r.dtype}|${r.quantization ?? ''}|${r.kernel}|${params}`;
}

function samePartition(a: GemmRecord, b: GemmRecord): boolean {
  return (
    a.source === b.source &&
    a.gpu === b.gpu &&
    a.condition === b.condition &&
    a.framework === b.framework &&
    a.frameworkVersion === b.frameworkVersion &&
    a.split === b.split
  );
}

/**
 * Merges exact duplicates (same duplicateKey): keeps the first record of each group, in input order,
 * with runtimeMs (and powerW where all have one) set to the group's median; the others count as
 * removed. Records are first partitioned by source/gpu/condition/framework/split so each lookup table
 * stays small (fast and lean on the 2.5 M aiconfigurator rows).
 */
export function mergeDuplicates(records: readonly GemmRecord[]): RuleResult {
  const partitions = new Map<string, number[]>();
  let prev: GemmRecord | undefined;
  let current: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (!prev || !samePartition(prev, r)) {
      const key = `${r.source}|${r.gpu}|${r.condition}|${r.framework ?? ''}|${r.frameworkVersion ?? ''}|${r.split ?? ''}`;
      let list = partitions.get(key);
      if (!list) {
        list = [];
        partitions.set(key, list);
      }
      current = list;
      prev = r;
    }
    current.push(i);
  }
  const removedFlag = new Uint8Array(records.length);
  const groups = new Map<number, GemmRecord[]>();
  for (const indices of partitions.values()) {
    const first = new Map<string, number>();
    for (const i of indices) {
      const key = shapeKey(records[i]);
      const at = first.get(key);
      if (at === undefined) {
        first.set(key, i);
        continue;
      }
      removedFlag[i] = 1;
      const g = groups.get(at);
      if (g) g.push(records[i]);
      else groups.set(at, [records[at], records[i]]);
    }
  }
  const kept: GemmRecord[] = [];
  const removed: GemmRecord[] = [];
  for (let i = 0; i < records.length; i++) {
    if (removedFlag[i]) {
      removed.push(records[i]);
      continue;
    }
    const g = groups.get(i);
    if (!g) {
      kept.push(records[i]);
      continue;
    }
    const merged: GemmRecord = { ...g[0], runtimeMs: median(g.map((r) => r.runtimeMs)) };
    const powers = g.map((r) => r.powerW);
    if (powers.every((p): p is number => p !== undefined)) merged.powerW = median(powers);
    kept.push(merged);
  }
  return { kept, removed };
}

const RULES: Array<{ rule: string; description: string; enabled: (o: CleanOptions) => boolean; apply: (rs: GemmRecord[], o: CleanOptions) => RuleResult }> = [
  { rule: 'invalid-runtime', description: 'runtime not a finite number > 0', enabled: () => true, apply: (rs) => dropInvalidRuntime(rs) },
  { rule: 'invalid-size', description: 'm, n, k or batch not a positive integer', enabled: () => true, apply: (rs) => dropInvalidSize(rs) },
  { rule: 'unknown-gpu', description: 'device name not in the GPU catalogue', enabled: () => true, apply: (rs) => dropUnknownGpu(rs) },
  {
    rule: 'weight-only-quantization',
    description: 'int8_wo / int4_wo: bf16 arithmetic on int weights, no matching dtype',
    enabled: (o) => !o.keepWeightOnly,
    apply: (rs) => dropWeightOnlyQuantization(rs),
  },
  {
    rule: 'implausible-power',
    description: 'power outside (0, 1.5 × power limit]',
    enabled: () => true,
    apply: (rs, o) => dropImplausiblePower(rs, o.powerLimitFactor ?? 1.5),
  },
  {
    rule: 'multi-kernel',
    description: 'call launched several kernels (split-K reduce)',
    enabled: (o) => o.dropMultiKernel === true,
    apply: (rs) => dropMultiKernel(rs),
  },
  { rule: 'duplicate', description: 'same measurement key; kept one with the median runtime', enabled: () => true, apply: (rs) => mergeDuplicates(rs) },
];

/** Applies every cleaning rule in order; see docs/data.md for the rules and the counts measured. */
export function cleanRecords(records: readonly GemmRecord[], options: CleanOptions = {}): CleanResult {
  let current = records as GemmRecord[];
  const removed: RuleCount[] = [];
  for (const r of RULES) {
    if (!r.enabled(options)) continue;
    const res = r.apply(current, options);
    removed.push({ rule: r.rule, description: r.description, count: res.removed.length, examples: res.removed.slice(0, 3) });
    current = res.kept;
  }
  const flagged: RuleCount[] = [];
  if (!options.dropMultiKernel) {
    const multi = current.filter(isMultiKernel);
    flagged.push({
      rule: 'multi-kernel',
      description: 'kept; params.kernel_count > 1 (split_k = 1 for split-K)',
      count: multi.length,
      examples: multi.slice(0, 3),
    });
  }
  return { records: current, removed, flagged };
}
