// How much of the learned correction to trust on a GPU the model never saw: the applicability domain of
// each fold's training rows (server/src/model/applicability.ts) and the correction weight λ fitted on
// GPUs held out of training, per kernel-family group. Used by train.ts (the shipped λ) and eval.ts
// (λ of each fold fitted on the other folds only). Writes nothing.
import {
  fitDomain,
  shrinkCorrection,
  assess,
  familyGroupOf,
  FAMILY_GROUPS,
  type ApplicabilityDomain,
  type FamilyGroup,
} from '../../server/src/model/applicability';

/** λ = 1 for every group. */
export const allOnes = (): Record<FamilyGroup, number> => Object.fromEntries(FAMILY_GROUPS.map((g) => [g, 1])) as Record<FamilyGroup, number>;
import { FEATURE_NAMES } from '../../server/src/perf/features';
import { findGpu } from '../../server/src/perf/gpu-catalogue';
import type { GpuSpec } from '../../server/src/perf/types';
import type { Design } from '../evaluation/design-matrix';
import type { FoldRun } from './eval-protocols';

/** Outside the training ranges the kept share decays as exp(−excess / DECAY) (excess in training ranges). */
export const DECAY = 0.5;
/** Excess above which a prediction says "extrapolating" (a quarter of a training range, or of a factor 2 / a generation of a GPU spec). */
export const FLAG_ABOVE = 0.25;
/**
 * A GPU farther than this from every training GPU of its group (largest descriptor difference: compute
 * capability generations, or log2 of a spec) is outside the domain by the difference beyond it, even
 * inside the descriptor box. From LOGO (docs/model.md, Applicability): held-out GPUs whose nearest
 * training GPU lay within 1.4 gained from the correction (T4, P4, P100, RTX 3090 at 1.0-1.4); those at
 * 1.8-2.4 gained nothing or lost (L4 at 2.4 lost 0.7 points).
 */
export const NEAREST_WITHIN = 1.5;
/** Candidate correction weights. */
export const LAMBDAS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/** Kernel-family group a row's λ belongs to (server/src/model/applicability.ts familyGroupOf). */
export function familyGroup(tags: Record<string, string>): FamilyGroup {
  return familyGroupOf(tags.kernel, tags.dtype);
}

/** The GPUs of some design rows per kernel-family group, from the catalogue. */
function gpusOf(d: Design, rows: ArrayLike<number>): Record<FamilyGroup, GpuSpec[]> {
  const ids = Object.fromEntries(FAMILY_GROUPS.map((g) => [g, new Set<string>()])) as Record<FamilyGroup, Set<string>>;
  for (let t = 0; t < rows.length; t++) ids[familyGroup(d.tags[rows[t]])].add(d.tags[rows[t]].gpu);
  const specs = (s: Set<string>) =>
    [...s]
      .sort()
      .map((id) => findGpu(id))
      .filter((g): g is GpuSpec => !!g);
  return Object.fromEntries(FAMILY_GROUPS.map((g) => [g, specs(ids[g])])) as Record<FamilyGroup, GpuSpec[]>;
}

/** What fitDomain reads per training row besides its features (the quantised ops' coverage): row t is design row rows[t]. */
function rowInputs(d: Design, rows: ArrayLike<number>): { featureNames: readonly string[]; gpuOfRow: (t: number) => GpuSpec | undefined } {
  const specs = new Map<string, GpuSpec | undefined>();
  return {
    featureNames: FEATURE_NAMES,
    gpuOfRow: (t) => {
      const id = d.tags[rows[t]].gpu;
      if (!specs.has(id)) specs.set(id, findGpu(id));
      return specs.get(id);
    },
  };
}

/**
 * Applicability domain of training rows. The evaluation applies λ separately (weights 1); the shipped
 * artifact stores the calibrated λ per group (models/scripts/train.ts).
 */
export function domainOf(d: Design, rows: ArrayLike<number>, correctionWeights: Record<FamilyGroup, number> = allOnes()): ApplicabilityDomain {
  const nF = d.nFeatures;
  const x = new Float32Array(rows.length * nF);
  for (let t = 0; t < rows.length; t++) x.set(d.x.subarray(rows[t] * nF, (rows[t] + 1) * nF), t * nF);
  const settings = { correctionWeights, decay: DECAY, flagAbove: FLAG_ABOVE, nearestWithin: NEAREST_WITHIN };
  return fitDomain(x, rows.length, nF, gpusOf(d, rows), settings, rowInputs(d, rows));
}

/** Per test row of a run: the applicability of its features and GPU in the run's training domain. */
export function assessRun(d: Design, run: FoldRun & { domain: ApplicabilityDomain }): Array<{ excess: number; extrapolating: boolean; weight: number }> {
  const gpuCache = new Map<string, GpuSpec | null>();
  return Array.from(run.testIdx, (row) => {
    const id = d.tags[row].gpu;
    if (!gpuCache.has(id)) gpuCache.set(id, findGpu(id) ?? null);
    const a = assess(
      run.domain,
      FEATURE_NAMES,
      d.x.subarray(row * d.nFeatures, (row + 1) * d.nFeatures),
      gpuCache.get(id) ?? null,
      d.tags[row].kernel,
      d.tags[row].dtype,
    );
    return { excess: a.excess, extrapolating: a.extrapolating, weight: a.weight };
  });
}

function median(v: number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Per family group, per (run, GPU) key, the median APE (device time) at each λ of LAMBDAS. */
export type MedianTable = Record<FamilyGroup, Map<string, { run: string; medians: number[] }>>;

export function medianTable(d: Design, runs: ReadonlyArray<FoldRun & { applicability: Array<{ weight: number }> }>): MedianTable {
  const out = Object.fromEntries(FAMILY_GROUPS.map((g) => [g, new Map()])) as MedianTable;
  for (const group of FAMILY_GROUPS) {
    for (const r of runs) {
      const byGpu = new Map<string, number[]>();
      for (let t = 0; t < r.testIdx.length; t++) {
        const row = r.testIdx[t];
        if (familyGroup(d.tags[row]) !== group) continue;
        let list = byGpu.get(d.tags[row].gpu);
        if (!list) byGpu.set(d.tags[row].gpu, (list = []));
        list.push(t);
      }
      for (const [gpu, ts] of byGpu) {
        const ape = new Float64Array(ts.length);
        const medians = LAMBDAS.map((lambda) => {
          for (let j = 0; j < ts.length; j++) {
            const row = r.testIdx[ts[j]];
            const p = d.analyticMs[row] * Math.exp(lambda * r.applicability[ts[j]].weight * r.mean[ts[j]]);
            ape[j] = Math.abs(p - d.deviceMs[row]) / d.deviceMs[row];
          }
          return median(Array.from(ape));
        });
        out[group].set(`${r.name}|${gpu}`, { run: r.name, medians });
      }
    }
  }
  return out;
}

/**
 * λ per family group that minimises the mean over held-out (run, GPU) pairs of their median APE (device
 * time, the applicability decay included), over the runs `use` accepts. Averaging per GPU, not per row,
 * so a GPU with many rows does not decide alone and a GPU the correction hurts pulls λ down. Ties (within
 * 0.1 point) go to the smaller λ: trust the physics when learning does not pay.
 */
export function lambdasFrom(table: MedianTable, use: (run: string) => boolean): Record<FamilyGroup, number> {
  const out = allOnes();
  for (const group of FAMILY_GROUPS) {
    const keys = [...table[group].values()].filter((e) => use(e.run));
    if (keys.length === 0) continue;
    let best = Infinity;
    LAMBDAS.forEach((lambda, j) => {
      const score = keys.reduce((s, e) => s + e.medians[j], 0) / keys.length;
      if (score < best - 1e-3) {
        best = score;
        out[group] = lambda;
      }
    });
  }
  return out;
}

export function fitLambdas(
  d: Design,
  runs: ReadonlyArray<FoldRun & { applicability: Array<{ weight: number }> }>,
  use: (run: FoldRun) => boolean = () => true,
): Record<FamilyGroup, number> {
  const names = new Set(runs.filter(use).map((r) => r.name));
  return lambdasFrom(medianTable(d, runs), (run) => names.has(run));
}

/**
 * Applies λ (fitted on the *other* runs: no run's λ saw its own held-out GPUs) and the applicability
 * decay to each run's predictions, in target space; returns new runs and each row's extrapolating flag.
 */
export function shrinkRuns(
  d: Design,
  runs: readonly FoldRun[],
  options: { pooled?: boolean } = {},
): { runs: FoldRun[]; extrapolating: Map<string, boolean[]>; lambdas: Map<string, Record<FamilyGroup, number>>; pooled: Record<FamilyGroup, number> } {
  const assessed = runs.map((r) => ({
    ...r,
    applicability: r.domain
      ? assessRun(d, { ...r, domain: r.domain })
      : r.testIdx.length
        ? Array.from(r.testIdx, () => ({ excess: 0, extrapolating: false, weight: 1 }))
        : [],
  }));
  const table = medianTable(d, assessed);
  const pooled = lambdasFrom(table, () => true);
  const out: FoldRun[] = [];
  const flags = new Map<string, boolean[]>();
  const lambdas = new Map<string, Record<FamilyGroup, number>>();
  for (const r of assessed) {
    const lambda = options.pooled ? pooled : lambdasFrom(table, (run) => run !== r.name);
    lambdas.set(r.name, lambda);
    const mean = new Float64Array(r.testIdx.length);
    const lo = new Float64Array(r.testIdx.length);
    const hi = new Float64Array(r.testIdx.length);
    for (let t = 0; t < r.testIdx.length; t++) {
      const a = r.applicability[t];
      const w = lambda[familyGroup(d.tags[r.testIdx[t]])] * a.weight;
      const s = shrinkCorrection(r.mean[t], r.lo[t], r.hi[t], { excess: a.excess, extrapolating: a.extrapolating, weight: w, reasons: [] });
      mean[t] = s.mean;
      lo[t] = s.lo;
      hi[t] = s.hi;
    }
    out.push({ ...r, mean, lo, hi });
    flags.set(
      r.name,
      r.applicability.map((a) => a.extrapolating),
    );
  }
  return { runs: out, extrapolating: flags, lambdas, pooled };
}
