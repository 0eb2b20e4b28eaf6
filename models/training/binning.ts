// Quantile binning for the forest trainer: per-feature bin edges computed once, and Uint8 bin codes
// (row-major) with missing values in their own code. Pure array code; it does no I/O.
import { Rng } from './rng';

/** Bin code of a missing (NaN) value. Value codes are 0..edges, at most 254. */
export const MISSING_BIN = 255;
/** Most value bins a feature may have (255 codes for values + 1 for missing). */
export const MAX_VALUE_BINS = 255;

export interface BinEdges {
  /** Length nFeatures + 1; feature f's edges are edges[edgeStart[f] .. edgeStart[f + 1]). */
  edgeStart: Int32Array;
  /** Ascending, finite. A value v gets code = number of edges < v, so code ≤ b ⇔ v ≤ edges[b]. */
  edges: Float32Array;
}

/** Rows used to place bin edges: every row up to this many, else a sample of this size. */
export const EDGE_SAMPLE_ROWS = 100_000;

function sampleRows(nRows: number): Int32Array | null {
  if (nRows <= EDGE_SAMPLE_ROWS) return null;
  const rng = new Rng(0x5eed, nRows);
  const picked = new Int32Array(EDGE_SAMPLE_ROWS);
  let needed = EDGE_SAMPLE_ROWS;
  for (let r = 0, k = 0; r < nRows && needed > 0; r++) {
    if (rng.nextFloat() * (nRows - r) < needed) {
      picked[k++] = r;
      needed--;
    }
  }
  return picked;
}

/**
 * Quantile bin edges per feature from the non-missing finite values: every distinct value is its own
 * bin when there are at most `maxBins`; otherwise edges sit at equal-count ranks. Each edge is an
 * observed value, so a split "code ≤ b" equals "x ≤ edges[b]" on the training data exactly.
 */
export function computeBinEdges(x: Float32Array, nRows: number, nFeatures: number, maxBins: number): BinEdges {
  const bins = Math.max(2, Math.min(MAX_VALUE_BINS, Math.floor(maxBins)));
  const perFeature: Float32Array[] = [];
  // Edges come from all rows up to EDGE_SAMPLE_ROWS, else from a fixed pseudo-random row sample.
  const sample = sampleRows(nRows);
  const column = new Float32Array(sample ? sample.length : nRows);
  for (let f = 0; f < nFeatures; f++) {
    let n = 0;
    if (sample) {
      for (let k = 0; k < sample.length; k++) {
        const v = x[sample[k] * nFeatures + f];
        if (Number.isFinite(v)) column[n++] = v;
      }
    } else {
      for (let r = 0, i = f; r < nRows; r++, i += nFeatures) {
        const v = x[i];
        if (Number.isFinite(v)) column[n++] = v;
      }
    }
    const sorted = column.subarray(0, n).sort();
    const edges: number[] = [];
    if (n > 0) {
      let distinct = 1;
      for (let i = 1; i < n && distinct <= bins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
      if (distinct <= bins) {
        for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) edges.push(sorted[i - 1]);
      } else {
        const max = sorted[n - 1];
        for (let j = 1; j < bins; j++) {
          const v = sorted[Math.max(0, Math.ceil((j * n) / bins) - 1)];
          if (v < max && (edges.length === 0 || v > edges[edges.length - 1])) edges.push(v);
        }
      }
    }
    perFeature.push(Float32Array.from(edges));
  }
  const edgeStart = new Int32Array(nFeatures + 1);
  for (let f = 0; f < nFeatures; f++) edgeStart[f + 1] = edgeStart[f] + perFeature[f].length;
  const edges = new Float32Array(edgeStart[nFeatures]);
  for (let f = 0; f < nFeatures; f++) edges.set(perFeature[f], edgeStart[f]);
  return { edgeStart, edges };
}

/** Bin code of one value against one feature's edges (binary search). */
export function binCode(edges: Float32Array, start: number, end: number, v: number): number {
  if (v !== v) return MISSING_BIN;
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo - start;
}

/** Bins a row-major matrix into `out` (row-major Uint8 codes, same shape). */
export function binMatrix(x: Float32Array, nRows: number, nFeatures: number, edges: BinEdges, out: Uint8Array): void {
  // Each feature's edges padded to 256 with +Infinity: a fixed 8-step search counts the edges < v.
  const table = new Float32Array(nFeatures * 256).fill(Infinity);
  for (let f = 0; f < nFeatures; f++) table.set(edges.edges.subarray(edges.edgeStart[f], edges.edgeStart[f + 1]), f * 256);
  for (let r = 0, i = 0; r < nRows; r++) {
    for (let f = 0; f < nFeatures; f++, i++) {
      const v = x[i];
      if (v !== v) {
        out[i] = MISSING_BIN;
        continue;
      }
      const base = f * 256 - 1;
      let pos = 0;
      if (table[base + pos + 128] < v) pos += 128;
      if (table[base + pos + 64] < v) pos += 64;
      if (table[base + pos + 32] < v) pos += 32;
      if (table[base + pos + 16] < v) pos += 16;
      if (table[base + pos + 8] < v) pos += 8;
      if (table[base + pos + 4] < v) pos += 4;
      if (table[base + pos + 2] < v) pos += 2;
      if (table[base + pos + 1] < v) pos += 1;
      out[i] = pos;
    }
  }
}
