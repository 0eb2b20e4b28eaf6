// Prediction-interval calibration for quantile forests: fits a conformal scale on held-out (or
// out-of-bag) rows and measures coverage. Pure functions: no I/O, never throws (returns errors).
import { levelColumns, predictBatch, type IntervalCalibration, type PredictableModel } from './forest';

export type { IntervalCalibration } from './forest';

export interface CalibrateOptions {
  /** Nominal level of the interval being calibrated; default 0.8 (10th..90th percentile). */
  level?: number;
  /** Recorded in the calibration, e.g. "holdout" or "out-of-bag". Default "holdout". */
  source?: string;
}

/** Out-of-bag predictions of the training rows (from trainForest with `oob: true`). */
export interface OobPredictions {
  /** Trees for which each row was out of bag (0: no OOB prediction; mean is NaN). */
  count: Int32Array;
  /** Average leaf mean over those trees. */
  mean: Float64Array;
  /** nRows x nLevels: average leaf quantile offset (from the leaf mean) at each stored level. */
  quantileOffsets: Float64Array;
}

export type CalibrateResult<M> = { ok: true; model: M; calibration: IntervalCalibration } | { ok: false; error: string };

/** Why an interval level or a target coverage is unusable, or null when both are in (0, 1). */
function checkLevels(level: number, targetCoverage: number): string | null {
  if (!(level > 0 && level < 1)) return `interval level must be in (0, 1), got ${level}`;
  if (!(targetCoverage > 0 && targetCoverage < 1)) return `target coverage must be in (0, 1), got ${targetCoverage}`;
  return null;
}

/**
 * Scale each interval side by s (lo' = mean - s (mean - lo), hi' = mean + s (hi - mean)) where s is the
 * split-conformal quantile of the per-row scores "smallest s that covers y": with n rows, the
 * ceil(target (n + 1))-th smallest score. Returns a copy of the model whose calibration list holds the
 * new entry (replacing one at the same level); the input model is not modified.
 */
export function calibrateIntervals<M extends PredictableModel>(
  model: M,
  holdoutX: Float32Array | Float64Array,
  holdoutY: Float64Array | readonly number[],
  targetCoverage: number,
  options: CalibrateOptions = {},
): CalibrateResult<M> {
  const level = options.level ?? 0.8;
  const invalid = checkLevels(level, targetCoverage);
  if (invalid) return { ok: false, error: invalid };
  const nF = model.forest.nFeatures;
  const nRows = holdoutY.length;
  if (holdoutX.length !== nRows * nF) return { ok: false, error: `holdoutX has ${holdoutX.length} values, ${nRows} rows x ${nF} features need ${nRows * nF}` };
  const raw = predictBatch(model, holdoutX, nRows, { level, uncalibrated: true });
  if (raw.error) return { ok: false, error: raw.error };
  return fitScale(model, raw.mean, raw.lo, raw.hi, holdoutY, level, targetCoverage, options.source ?? 'holdout');
}

/**
 * Like calibrateIntervals, but on the training rows' out-of-bag predictions (each row predicted by the
 * trees that did not sample it), so no data need be held out. `y` is the training target.
 */
export function calibrateIntervalsOob<M extends PredictableModel>(
  model: M,
  oob: OobPredictions,
  y: Float64Array | readonly number[],
  targetCoverage: number,
  options: CalibrateOptions = {},
): CalibrateResult<M> {
  const level = options.level ?? 0.8;
  const invalid = checkLevels(level, targetCoverage);
  if (invalid) return { ok: false, error: invalid };
  const levels = model.forest.quantileLevels;
  const nq = levels.length;
  const nRows = y.length;
  if (oob.mean.length !== nRows || oob.count.length !== nRows || oob.quantileOffsets.length !== nRows * nq)
    return { ok: false, error: 'out-of-bag predictions do not match the targets or the model' };
  const intervals = oobIntervals(levels, oob, level);
  return fitScale(model, intervals.mean, intervals.lo, intervals.hi, y, level, targetCoverage, options.source ?? 'out-of-bag');
}

/** Uncalibrated central intervals at `level` from out-of-bag predictions (NaN where a row has none). */
export function oobIntervals(levels: Float64Array, oob: OobPredictions, level: number): { mean: Float64Array; lo: Float64Array; hi: Float64Array } {
  const nq = levels.length;
  const n = oob.mean.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const a = levelColumns(levels, (1 - level) / 2);
  const b = levelColumns(levels, (1 + level) / 2);
  for (let r = 0; r < n; r++) {
    const m = oob.mean[r];
    if (nq === 0) {
      lo[r] = m;
      hi[r] = m;
      continue;
    }
    const q = oob.quantileOffsets;
    const base = r * nq;
    lo[r] = Math.min(m, m + q[base + a.j0] + a.w1 * (q[base + a.j1] - q[base + a.j0]));
    hi[r] = Math.max(m, m + q[base + b.j0] + b.w1 * (q[base + b.j1] - q[base + b.j0]));
  }
  return { mean: oob.mean, lo, hi };
}

/** The conformal scale fit shared by the held-out and out-of-bag hooks. Rows with non-finite values are skipped. */
function fitScale<M extends PredictableModel>(
  model: M,
  mean: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
  y: Float64Array | readonly number[],
  level: number,
  targetCoverage: number,
  source: string,
): CalibrateResult<M> {
  const scores: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const yi = y[i];
    const m = mean[i];
    if (!Number.isFinite(yi) || !Number.isFinite(m)) continue;
    const d = yi - m;
    const width = d < 0 ? m - lo[i] : hi[i] - m;
    scores.push(d === 0 ? 0 : width > 0 ? Math.abs(d) / width : Infinity);
  }
  const n = scores.length;
  if (n < 10) return { ok: false, error: `need at least 10 rows with a finite target and prediction to calibrate, got ${n}` };
  scores.sort((a, b) => a - b);
  const k = Math.min(n - 1, Math.max(0, Math.ceil(targetCoverage * (n + 1)) - 1));
  const scale = scores[k];
  if (!Number.isFinite(scale)) return { ok: false, error: 'intervals have zero width on too many rows to calibrate by scaling' };
  let before = 0;
  let after = 0;
  for (const s of scores) {
    if (s <= 1) before++;
    if (s <= scale) after++;
  }
  const calibration: IntervalCalibration = { level, scale, targetCoverage, n, coverageBefore: before / n, coverageAfter: after / n, source };
  const others = (model.calibration ?? []).filter((c) => Math.abs(c.level - level) >= 1e-9);
  return { ok: true, model: { ...model, calibration: [calibration, ...others] }, calibration };
}

export interface CoverageReport {
  /** Fraction of finite targets inside [lo, hi]. */
  coverage: number;
  /** Mean hi - lo. */
  meanWidth: number;
  n: number;
  level: number;
  calibrated: boolean;
  error?: string;
}

/** Empirical coverage and width of the model's interval (calibrated when the model has a matching calibration). */
export function intervalCoverage(
  model: PredictableModel,
  x: Float32Array | Float64Array,
  y: Float64Array | readonly number[],
  options: { level?: number; uncalibrated?: boolean } = {},
): CoverageReport {
  const p = predictBatch(model, x, y.length, options);
  if (p.error) return { coverage: NaN, meanWidth: NaN, n: 0, level: p.level, calibrated: false, error: p.error };
  let n = 0;
  let inside = 0;
  let width = 0;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) continue;
    n++;
    if (y[i] >= p.lo[i] && y[i] <= p.hi[i]) inside++;
    width += p.hi[i] - p.lo[i];
  }
  return { coverage: n > 0 ? inside / n : NaN, meanWidth: n > 0 ? width / n : NaN, n, level: p.level, calibrated: p.calibrated };
}
