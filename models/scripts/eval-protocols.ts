// The evaluation protocols behind `npm run eval`: fit the project's forest on each fold's training rows,
// predict the held-out rows, calibrate intervals leave-one-fold-out, and turn predictions into natural
// units (ms, W) with slice tags. Uses the same features, targets and trainer as the shipped models.
import type { TrainOptions } from '../training/train-forest';
import { fromTarget, type TargetTransform } from '../../server/src/model/targets';
import type { Design } from '../evaluation/design-matrix';
import { capPerStratum, type Fold } from '../evaluation/splits';
import { fitIntervalScale, neededScales } from '../evaluation/interval-scale';
import type { HeldOut } from '../evaluation/breakdown';
import { spearman, topKRegretPct } from '../evaluation/metrics';
import { fitRows, predictRows, tuningWeights, SEED, SHIP_RUNTIME_FOREST } from './pipeline';
import type { ApplicabilityDomain } from '../../server/src/model/applicability';
import { domainOf, shrinkRuns } from './correction-shrink';
import { fixedOverheadFor, type OverheadDesign } from './pipeline';
import { shapeShifts } from '../../server/src/model/keep-shape';

const QUICK = process.env.TILECAST_EVAL_QUICK === '1';
/** Fewer trees and rows per fold than the shipped model, so 3 seeds of 17 LOGO folds fit in minutes on 2 cores. */
export const EVAL_RUNTIME_FOREST: Omit<TrainOptions, 'seed'> = { ...SHIP_RUNTIME_FOREST, trees: QUICK ? 8 : 16 };
/** Training rows per stratum of a fold, and rows per stratum of the eval pool (TILECAST_EVAL_QUICK=1: smaller). */
export const EVAL_TRAIN_CAP = QUICK ? 1500 : 2500;
export const EVAL_POOL_CAP = QUICK ? 3000 : 8000;

/** Held-out predictions of one fold in target space. */
export interface FoldRun {
  name: string;
  testIdx: Int32Array;
  mean: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  nTrain: number;
  fitMs: number;
  /** Where the fold's training rows lie (features, GPUs): the applicability check of its test rows. */
  domain?: ApplicabilityDomain;
}

/** Subsampling stratum of a design row (same definition as pipeline.stratum, from tags). */
export function rowStratum(tags: Record<string, string>): string {
  return `${tags.source}|${tags.gpu}|${tags.dtype}|${tags.split}`;
}

/**
 * Fits one forest per fold on at most `trainCap` rows per stratum of the fold's training rows (all
 * Kernel Tuner configurations: a tuning space is only useful whole) and predicts its test rows, with
 * the pipeline's training weights. Folds whose training set is empty are skipped.
 */
export async function runFolds(
  d: Design,
  y: Float64Array,
  folds: readonly Fold[],
  forest: Omit<TrainOptions, 'seed'>,
  trainCap: number,
  log: (line: string) => void,
  seed = SEED,
): Promise<FoldRun[]> {
  const strata = d.tags.map((t) => (t.source === 'kerneltuner' ? '' : rowStratum(t)));
  const weights = tuningWeights(d);
  const runs: FoldRun[] = [];
  for (const f of folds) {
    const capped = capPerStratum(
      strata,
      trainCap,
      seed,
      Array.from(f.trainIdx).filter((i) => strata[i] !== ''),
    );
    const train = Int32Array.from([...capped, ...Array.from(f.trainIdx).filter((i) => strata[i] === '')]).sort();
    if (train.length === 0 || f.testIdx.length === 0) continue;
    const model = await fitRows(d, y, train, forest, seed, weights);
    const p = predictRows(model, d, f.testIdx);
    runs.push({
      name: f.name,
      testIdx: f.testIdx,
      mean: p.mean,
      lo: p.lo,
      hi: p.hi,
      nTrain: train.length,
      fitMs: model.stats.trainMs,
      domain: domainOf(d, train),
    });
    log(`  ${f.name}: train ${train.length} rows, test ${f.testIdx.length}, fit ${(model.stats.trainMs / 1000).toFixed(1)} s`);
  }
  return runs;
}

/** Reference value of the inverse transform for a row (analytic ms, power limit W). */
export function referenceOf(d: Design, transform: TargetTransform, row: number): number {
  if (transform === 'log-ratio-to-analytic') return d.analyticMs[row];
  if (transform === 'fraction-of-power-limit') return d.powerLimitW[row];
  if (transform === 'log-ratio-to-physics-power') return d.physicsPowerW[row];
  return NaN;
}

export interface HeldOutOptions {
  transform: TargetTransform;
  /** Nominal interval coverage to calibrate to (leave-one-fold-out); null keeps the raw interval. */
  calibrateTo: number | null;
  /**
   * Runtime: the measurement-method overhead to add to a row's device-time prediction so it compares with
   * the measured time (pipeline.fixedOverheadFor: method and quantisation-scheme overheads, estimated without the fold's unseen GPUs and sources). Default none.
   */
  overheadMs?: (row: number, run: FoldRun) => number;
  /**
   * Per run, each test row's extrapolating flag (shrinkRuns). Given, the rows flagged and the rest get
   * their own scales, each fitted to the nominal coverage: the applicability check has already widened
   * the flagged rows' intervals, and one pooled scale would leave them far too wide and the rest too narrow.
   */
  extrapolating?: Map<string, boolean[]>;
}

/** The scale of each group (rows flagged or not) fitted on the rows `use` keeps; a group with no rows gets the scale of all of them. */
function groupScales(
  needed: Float64Array,
  flags: readonly boolean[],
  use: (i: number) => boolean,
  target: number,
): { inDomain: number; extrapolating: number } {
  const inDomain: number[] = [];
  const outside: number[] = [];
  const all: number[] = [];
  for (let i = 0; i < needed.length; i++) {
    if (!use(i)) continue;
    (flags[i] ? outside : inDomain).push(needed[i]);
    all.push(needed[i]);
  }
  const pooled = fitIntervalScale(all, target);
  return {
    inDomain: inDomain.length ? fitIntervalScale(inDomain, target) : pooled,
    extrapolating: outside.length ? fitIntervalScale(outside, target) : pooled,
  };
}

/**
 * Natural-unit held-out predictions for all runs. With calibration, each fold's interval is scaled by
 * the factor fitted on every other fold's held-out rows, so the coverage reported never saw the fold.
 * Returns the held-out set and the scale fitted on all folds together (what a shipped model would use).
 */
export function heldOutOf(
  runs: readonly FoldRun[],
  d: Design,
  y: Float64Array,
  o: HeldOutOptions,
): { heldOut: HeldOut; pooledScale: number; pooledExtrapolatingScale: number; scales: Map<string, number> } {
  const mean: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  const yy: number[] = [];
  const foldOf: string[] = [];
  for (const r of runs) {
    for (let t = 0; t < r.testIdx.length; t++) {
      mean.push(r.mean[t]);
      lo.push(r.lo[t]);
      hi.push(r.hi[t]);
      yy.push(y[r.testIdx[t]]);
      foldOf.push(r.name);
    }
  }
  const needed = neededScales(mean, lo, hi, yy);
  const target = o.calibrateTo;
  // Without flags every row is in the one group, whose scale is then the pooled one.
  const flags = runs.flatMap((r) => o.extrapolating?.get(r.name) ?? Array.from(r.testIdx, () => false));
  const scales = new Map<string, number>();
  const outsideScales = new Map<string, number>();
  let pooled = 1;
  let pooledOutside = 1;
  if (target !== null) {
    for (const f of new Set(foldOf)) {
      const g = groupScales(needed, flags, (i) => foldOf[i] !== f, target);
      scales.set(f, g.inDomain);
      outsideScales.set(f, g.extrapolating);
    }
    const g = groupScales(needed, flags, () => true, target);
    pooled = g.inDomain;
    pooledOutside = g.extrapolating;
  }
  const actualOf = o.transform === 'fraction-of-power-limit' || o.transform === 'log-ratio-to-physics-power' ? d.powerW : d.runtimeMs;
  const h: HeldOut = { predicted: [], lo: [], hi: [], actual: [], tags: [] };
  let i = 0;
  for (const r of runs) {
    const inside = scales.get(r.name) ?? 1;
    const outside = outsideScales.get(r.name) ?? inside;
    for (let t = 0; t < r.testIdx.length; t++, i++) {
      const row = r.testIdx[t];
      const s = flags[i] ? outside : inside;
      const ref = referenceOf(d, o.transform, row);
      const m = mean[i];
      const add = o.overheadMs ? o.overheadMs(row, r) : 0;
      h.predicted.push(fromTarget(o.transform, m, ref) + add);
      h.lo.push(fromTarget(o.transform, m - s * Math.max(0, m - lo[i]), ref) + add);
      h.hi.push(fromTarget(o.transform, m + s * Math.max(0, hi[i] - m), ref) + add);
      h.actual.push(actualOf[row]);
      h.tags.push({ ...d.tags[row], fold: r.name });
    }
  }
  return { heldOut: h, pooledScale: pooled, pooledExtrapolatingScale: pooledOutside, scales };
}

/**
 * The analytic model alone on the same held-out rows (runtime only; intervals are the point value), with
 * the same measurement-method overhead as the model's predictions.
 */
export function analyticHeldOut(runs: readonly FoldRun[], d: Design, overheadMs?: (row: number, run: FoldRun) => number): HeldOut {
  const h: HeldOut = { predicted: [], lo: [], hi: [], actual: [], tags: [] };
  for (const r of runs) {
    for (const row of r.testIdx) {
      const t = d.analyticMs[row] + (overheadMs ? overheadMs(row, r) : 0);
      h.predicted.push(t);
      h.lo.push(t);
      h.hi.push(t);
      h.actual.push(d.runtimeMs[row]);
      h.tags.push({ ...d.tags[row], fold: r.name });
    }
  }
  return h;
}

export interface RankingResult {
  gpu: string;
  n: number;
  spearman: number;
  top1RegretPct: number;
  top5RegretPct: number;
  /** Top-1 regret when configurations are ranked by the interval's upper bound (pessimistic pick). */
  top1RegretByHiPct: number;
  /** Regret of the configuration the analytic model ranks first (baseline). */
  analyticTop1RegretPct: number;
  analyticSpearman: number;
}

/** Kernel Tuner ranking quality per held-out GPU: Spearman over its configurations and top-k regret. */
export function rankingByGpu(h: HeldOut, analytic: HeldOut): RankingResult[] {
  const gpus = [...new Set(h.tags.filter((t) => t.source === 'kerneltuner').map((t) => t.gpu))].sort();
  return gpus.map((gpu) => {
    const pick = (x: HeldOut) => {
      const p: number[] = [];
      const a: number[] = [];
      const hi: number[] = [];
      x.tags.forEach((t, i) => {
        if (t.source === 'kerneltuner' && t.gpu === gpu) {
          p.push(x.predicted[i]);
          a.push(x.actual[i]);
          hi.push(x.hi[i]);
        }
      });
      return { p, a, hi };
    };
    const f = pick(h);
    const b = pick(analytic);
    return {
      gpu,
      n: f.p.length,
      spearman: spearman(f.p, f.a),
      top1RegretPct: topKRegretPct(f.p, f.a, 1),
      top5RegretPct: topKRegretPct(f.p, f.a, 5),
      top1RegretByHiPct: topKRegretPct(f.hi, f.a, 1),
      analyticTop1RegretPct: topKRegretPct(b.p, b.a, 1),
      analyticSpearman: spearman(b.p, b.a),
    };
  });
}

/** Test GPUs of a run. */
function testGpus(d: Design, run: FoldRun): Set<string> {
  const out = new Set<string>();
  for (const row of run.testIdx) out.add(d.tags[row].gpu);
  return out;
}

/** Values of tag `key` that only the fold's test rows have: GPUs (or sources) the fold never trained on. */
function unseen(d: Design, run: FoldRun, key: string): Set<string> {
  const all = new Map<string, number>();
  for (const t of d.tags) all.set(t[key], (all.get(t[key]) ?? 0) + 1);
  const test = new Map<string, number>();
  for (const row of run.testIdx) test.set(d.tags[row][key], (test.get(d.tags[row][key]) ?? 0) + 1);
  return new Set([...test].filter(([v, n]) => n === all.get(v)).map(([v]) => v));
}

export interface RuntimeProtocolResult {
  /** The shipped design's predictions: correction shrunk (λ from the other folds, applicability decay), method overhead added. */
  model: HeldOut;
  /** The analytic model alone on the same rows, with the same method overhead. */
  analytic: HeldOut;
  /** The unshrunk forest on the same rows (for the record). */
  raw: HeldOut;
  /**
   * `model` as the product ranks candidates (model/keep-shape.ts): the rows of one problem on one GPU of one
   * source and kernel form a group, placed around its median member with the correction's shape kept. The
   * ranking figures read this; accuracy figures read `model`, each row predicted alone as a hover shows it.
   */
  ranked: HeldOut;
  runs: FoldRun[];
  lambdas: Map<string, Record<string, number>>;
  /** Interval scales pooled over folds: rows inside the applicability domain, and rows flagged extrapolating. */
  pooledScale: number;
  pooledExtrapolatingScale: number;
  fitMs: number;
}

/**
 * One runtime protocol end to end, as the shipped predictor works: a forest per fold on device-time
 * targets, its correction shrunk by λ fitted on the *other* folds' held-out rows and by the applicability
 * decay of the fold's training domain, intervals scaled leave-one-fold-out, and the measurement-method
 * overhead of each row's source (estimated without the fold's test GPUs) added to model and analytic alike.
 * Model rows carry tags.extrapolating = 'true' | 'false'.
 */
export async function runRuntimeProtocol(
  d: OverheadDesign,
  y: Float64Array,
  folds: readonly Fold[],
  forest: Omit<TrainOptions, 'seed'>,
  trainCap: number,
  log: (line: string) => void,
  seed = SEED,
): Promise<RuntimeProtocolResult> {
  const t0 = performance.now();
  const fitted = await runFolds(d, y, folds, forest, trainCap, log, seed);
  const shrunk = shrinkRuns(d, fitted);
  const perRun = new Map<string, (row: number) => number>();
  const overheadMs = (row: number, run: FoldRun) => {
    let f = perRun.get(run.name);
    if (!f) {
      const gpus = unseen(d, run, 'gpu');
      const sources = unseen(d, run, 'source');
      f = fixedOverheadFor(d, testGpus(d, run), (e) => !gpus.has(e.gpu) && !sources.has(e.source));
      perRun.set(run.name, f);
    }
    return f(row);
  };
  const transform = 'log-ratio-to-analytic' as const;
  const cal = heldOutOf(shrunk.runs, d, y, { transform, calibrateTo: 0.8, overheadMs, extrapolating: shrunk.extrapolating });
  let i = 0;
  for (const r of shrunk.runs) {
    const flags = shrunk.extrapolating.get(r.name) ?? [];
    for (let t = 0; t < r.testIdx.length; t++, i++) cal.heldOut.tags[i] = { ...cal.heldOut.tags[i], extrapolating: flags[t] ? 'true' : 'false' };
  }
  return {
    model: cal.heldOut,
    ranked: rankedHeldOut(d, fitted, shrunk.runs, cal.heldOut, overheadMs),
    analytic: analyticHeldOut(fitted, d, overheadMs),
    raw: heldOutOf(fitted, d, y, { transform, calibrateTo: 0.8, overheadMs }).heldOut,
    runs: shrunk.runs,
    lambdas: shrunk.lambdas,
    pooledScale: cal.pooledScale,
    pooledExtrapolatingScale: cal.pooledExtrapolatingScale,
    fitMs: performance.now() - t0,
  };
}

/**
 * Held-out predictions `h` (rows in run order, each run's test rows in order) re-composed the way the batch
 * predictor ranks a group (predict-batch.ts): per group (run, GPU, source, kernel, dtype, problem), the
 * shift keep-shape.ts gives from the unshrunk (`rawRuns`) and shrunk (`runs`) corrections scales each row's
 * corrected device time; the row's overhead stays as it is.
 */
export function rankedHeldOut(
  d: Design,
  rawRuns: readonly FoldRun[],
  runs: readonly FoldRun[],
  h: HeldOut,
  overheadMs: (row: number, run: FoldRun) => number,
): HeldOut {
  const n = h.predicted.length;
  const raw = new Float64Array(n);
  const shrunk = new Float64Array(n);
  const groups: string[] = new Array(n);
  const overhead = new Float64Array(n);
  let i = 0;
  runs.forEach((run, r) => {
    for (let t = 0; t < run.testIdx.length; t++, i++) {
      const row = run.testIdx[t];
      const tag = d.tags[row];
      groups[i] = `${run.name}|${tag.gpu}|${tag.source}|${tag.kernel}|${tag.dtype}|${tag.problem}`;
      raw[i] = rawRuns[r].mean[t];
      shrunk[i] = run.mean[t];
      overhead[i] = overheadMs(row, run);
    }
  });
  const s = shapeShifts(raw, shrunk, groups);
  const move = (v: number[]) => v.map((x, j) => (s[j] === 0 ? x : overhead[j] + (x - overhead[j]) * Math.exp(s[j])));
  return { ...h, predicted: move(h.predicted), lo: move(h.lo), hi: move(h.hi) };
}
