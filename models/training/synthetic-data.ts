// Seeded synthetic regression data with known structure (for the trainer's tests and benchmark).
// Not a model of GEMM behaviour; it only has to have signal, interactions, noise and missing values.
import { Rng } from './rng';

export interface SyntheticData {
  x: Float32Array;
  y: Float64Array;
  nRows: number;
  nFeatures: number;
  /** Noise standard deviation of each row (known heteroscedastic noise). */
  noiseSd: Float64Array;
}

export interface SyntheticOptions {
  nRows: number;
  /** At least 6. Features beyond the first six are pure noise. */
  nFeatures: number;
  seed: number;
  /** Fraction of feature 6 values set to NaN (needs nFeatures ≥ 7); a missing value adds 2 to y. */
  missingFraction?: number;
  /** Noise sd = noiseBase + noiseSlope x feature `noiseFeature` (default 0, which also drives the mean). */
  noiseBase?: number;
  noiseSlope?: number;
  noiseFeature?: number;
}

/** Gaussian via Box-Muller from the seeded generator. */
export function gaussian(rng: Rng): number {
  const u = 1 - rng.nextFloat();
  const v = rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** The noise-free target for one row of features (NaN feature 6 means missing). */
export function syntheticSignal(x: ArrayLike<number>, offset = 0): number {
  const x0 = x[offset];
  const x1 = x[offset + 1];
  const x2 = x[offset + 2];
  const x3 = x[offset + 3];
  const x4 = x[offset + 4];
  let y = 3 * x0 + 2 * Math.sin(6 * x1) + (x2 > 0.5 ? 1 : 0) + 2 * x3 * x4;
  if (x[offset + 6] !== x[offset + 6]) y += 2;
  return y;
}

export function makeSynthetic(o: SyntheticOptions): SyntheticData {
  const { nRows, nFeatures } = o;
  const rng = new Rng(o.seed, 0x5e7);
  const x = new Float32Array(nRows * nFeatures);
  const y = new Float64Array(nRows);
  const noiseSd = new Float64Array(nRows);
  const base = o.noiseBase ?? 0.05;
  const slope = o.noiseSlope ?? 0.5;
  const missing = o.missingFraction ?? 0;
  for (let r = 0; r < nRows; r++) {
    const off = r * nFeatures;
    for (let f = 0; f < nFeatures; f++) x[off + f] = rng.nextFloat();
    if (nFeatures > 6 && missing > 0 && rng.nextFloat() < missing) x[off + 6] = NaN;
    const sd = base + slope * x[off + (o.noiseFeature ?? 0)];
    noiseSd[r] = sd;
    y[r] = syntheticSignal(x, off) + sd * gaussian(rng);
  }
  return { x, y, nRows, nFeatures, noiseSd };
}

/** Rows [start, end) of a dataset as a new dataset. */
export function sliceRows(d: SyntheticData, start: number, end: number): SyntheticData {
  return {
    x: d.x.slice(start * d.nFeatures, end * d.nFeatures),
    y: d.y.slice(start, end),
    nRows: end - start,
    nFeatures: d.nFeatures,
    noiseSd: d.noiseSd.slice(start, end),
  };
}
