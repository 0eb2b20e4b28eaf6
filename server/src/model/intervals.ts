// Prediction-interval calibration for quantile forests: fits a conformal scale on held-out (or
// out-of-bag) rows and measures coverage. Pure functions: no I/O, never throws (returns errors).
import { predictBatch, type IntervalCalibration, type PredictableModel } from './forest';

export type { IntervalCalibration } from './forest';

export interface CalibrateOptions {
  /** Nominal level of the interval being calibrated; default 0.8 (10th..90th percentile). */
  level?: number;
  /** Recorded in the calibration, e.g. "holdout" or "out-of-bag". Default "holdout". */
  source?: string;
}

export type CalibrateResult<M> = { ok: true; model: M; calibration: IntervalCalibration } | { ok: false; error: string };

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
  if (!(level > 0 && level < 1)) return { ok: false, error: `interval level must be in (0, 1), got ${level}` };
  if (!(targetCoverage > 0 && targetCoverage < 1)) return { ok: false, error: `target coverage must be in (0, 1), got ${targetCoverage}` };
  const nF = model.forest.nFeatures;
  const nRows = holdoutY.length;
  if (holdoutX.length !== nRows * nF) return { ok: false, error: `holdoutX has ${holdoutX.length} values, ${nRows} rows x ${nF} features need ${nRows * nF}` };
  const raw = predictBatch(model, holdoutX, nRows, { level, uncalibrated: true });
  if (raw.error) return { ok: false, error: raw.error };
  const scores: number[] = [];
  for (let i = 0; i < nRows; i++) {
    const y = holdoutY[i];
    if (!Number.isFinite(y)) continue;
    const m = raw.mean[i];
    const d = y - m;
    const width = d < 0 ? m - raw.lo[i] : raw.hi[i] - m;
    scores.push(d === 0 ? 0 : width > 0 ? Math.abs(d) / width : Infinity);
  }
  const n = scores.length;
  if (n < 10) return { ok: false, error: `need at least 10 finite held-out targets to calibrate, got ${n}` };
  scores.sort((a, b) => a - b);
  const k = Math.min(n - 1, Math.max(0, Math.ceil(targetCoverage * (n + 1)) - 1));
  const scale = scores[k];
  if (!Number.isFinite(scale)) return { ok: false, error: 'intervals have zero width on too many held-out rows to calibrate by scaling' };
  let before = 0;
  let after = 0;
  for (const s of scores) {
    if (s <= 1) before++;
    if (s <= scale) after++;
  }
  const calibration: IntervalCalibration = {
    level,
    scale,
    targetCoverage,
    n,
    coverageBefore: before / n,
    coverageAfter: after / n,
    source: options.source ?? 'holdout',
  };
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
