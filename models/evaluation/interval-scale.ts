// Interval calibration for the evaluation: the scale on a model's raw central interval that makes a
// given fraction of held-out targets fall inside, and a leave-one-fold-out version so the coverage
// reported for a fold never used that fold. Pure; works in target space (e.g. log runtime).
import { quantile } from './metrics';

/**
 * Per row, the factor by which the interval's distance on the side of the actual value must grow (or
 * may shrink) to just contain it: (y − mean)/(hi − mean) above the mean, (mean − y)/(mean − lo) below.
 * Infinity when the interval has zero width on that side and y differs from the mean.
 */
export function neededScales(mean: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const d = y[i] - mean[i];
    const w = d >= 0 ? hi[i] - mean[i] : mean[i] - lo[i];
    out[i] = d === 0 ? 0 : w > 0 ? Math.abs(d) / w : Infinity;
  }
  return out;
}

/** The scale that makes a fraction `target` of rows covered (quantile of the needed scales). */
export function fitIntervalScale(needed: ArrayLike<number>, target: number): number {
  const finite: number[] = [];
  let infinite = 0;
  for (let i = 0; i < needed.length; i++) {
    if (Number.isFinite(needed[i])) finite.push(needed[i]);
    else if (needed[i] === Infinity) infinite++;
  }
  const n = finite.length + infinite;
  if (n === 0) return 1;
  // The infinite ones can never be covered: the quantile is taken as if they sort last.
  const q = Math.min(1, (target * n) / Math.max(1, finite.length));
  const s = quantile(finite, q);
  return Number.isFinite(s) && s > 0 ? s : 1;
}

/**
 * Leave-one-fold-out calibration: for each fold, the scale fitted on every other fold's rows. `foldOf`
 * gives each row's fold name. Returns fold name → scale.
 */
export function crossFoldScales(needed: ArrayLike<number>, foldOf: readonly string[], target: number): Map<string, number> {
  const folds = [...new Set(foldOf)].sort();
  const out = new Map<string, number>();
  for (const f of folds) {
    const others: number[] = [];
    for (let i = 0; i < needed.length; i++) if (foldOf[i] !== f) others.push(needed[i]);
    out.set(f, others.length ? fitIntervalScale(others, target) : 1);
  }
  return out;
}
