// Error metrics for the honest evaluation: absolute percentage error summaries, interval coverage,
// Spearman rank correlation and top-k regret. Pure functions over arrays; no I/O, never throws.

/** Absolute percentage error of one prediction, in percent. NaN when the actual value is not > 0. */
export function apePct(predicted: number, actual: number): number {
  if (!(actual > 0) || !Number.isFinite(predicted)) return NaN;
  return (Math.abs(predicted - actual) / actual) * 100;
}

/** Quantile q in [0,1] of the finite values, linear interpolation between order statistics (R type 7). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = finiteSorted(values);
  return quantileSorted(sorted, q);
}

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out.push(values[i]);
  return Float64Array.from(out).sort();
}

function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface ApeSummary {
  n: number;
  /** Median absolute percentage error (MdAPE), percent. */
  medianPct: number;
  meanPct: number;
  p90Pct: number;
}

/** MdAPE, mean APE and p90 APE over the pairs whose actual value is > 0 and prediction finite. */
export function summarizeApe(predicted: ArrayLike<number>, actual: ArrayLike<number>): ApeSummary {
  const errors: number[] = [];
  const n = Math.min(predicted.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = apePct(predicted[i], actual[i]);
    if (Number.isFinite(e)) errors.push(e);
  }
  const sorted = Float64Array.from(errors).sort();
  let sum = 0;
  for (const e of sorted) sum += e;
  return {
    n: sorted.length,
    medianPct: quantileSorted(sorted, 0.5),
    meanPct: sorted.length ? sum / sorted.length : NaN,
    p90Pct: quantileSorted(sorted, 0.9),
  };
}

/** Fraction (0..1) of actual values inside [lo, hi] (inclusive). NaN for no pairs. */
export function intervalCoverage(lo: ArrayLike<number>, hi: ArrayLike<number>, actual: ArrayLike<number>): number {
  let inside = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    if (!Number.isFinite(actual[i]) || !Number.isFinite(lo[i]) || !Number.isFinite(hi[i])) continue;
    n++;
    if (actual[i] >= lo[i] && actual[i] <= hi[i]) inside++;
  }
  return n === 0 ? NaN : inside / n;
}

/** 1-based ranks with ties given their average rank. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]] = rank;
    i = j + 1;
  }
  return ranks;
}

/** Pearson correlation; NaN when either side is constant or there are fewer than 2 pairs. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n < 2) return NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

/** Spearman rank correlation (Pearson on average ranks, so ties are handled). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(averageRanks(a), averageRanks(b));
}

/**
 * Top-k regret for "pick the fastest configuration": take the k configurations the model predicts
 * fastest, run them all, keep the best measured; regret = (that − best measured overall) / best
 * measured overall, in percent. 0 means the true best was among the model's top k.
 */
export function topKRegretPct(predictedMs: ArrayLike<number>, measuredMs: ArrayLike<number>, k: number): number {
  const n = Math.min(predictedMs.length, measuredMs.length);
  if (n === 0 || k < 1) return NaN;
  let best = Infinity;
  for (let i = 0; i < n; i++) if (measuredMs[i] < best) best = measuredMs[i];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => predictedMs[a] - predictedMs[b] || a - b);
  let chosen = Infinity;
  for (let t = 0; t < Math.min(k, n); t++) chosen = Math.min(chosen, measuredMs[order[t]]);
  return ((chosen - best) / best) * 100;
}
