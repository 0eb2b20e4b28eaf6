// Grows one regression tree on pre-binned shared data (histogram split finding with the subtraction
// trick). Pure computation seeded from (seed, treeIndex); no I/O and no worker handling here.
import { roundLeafOffsets } from '../../server/src/model/quantise';
import { MISSING_BIN } from './binning';
import { Rng } from './rng';

/** Read-only training data every tree grower shares (backed by SharedArrayBuffers under workers). */
export interface SharedTrainingData {
  nRows: number;
  nFeatures: number;
  /** Row-major bin codes, nRows x nFeatures (for histograms). */
  codes: Uint8Array;
  /** The same codes column-major, nFeatures x nRows (for partitioning on one feature). */
  codesByColumn: Uint8Array;
  y: Float64Array;
  /** Per-row weights, or null for all ones. */
  weights: Float32Array | null;
  /** Number of edges per feature (value codes are 0..edgeCount[f]). */
  edgeCount: Int32Array;
  /** Rows sorted by y (ascending, ties by row index): used to sort leaf targets by integer rank. */
  rowByRank: Int32Array;
  rankOfRow: Int32Array;
}

export interface GrowOptions {
  seed: number;
  maxDepth: number;
  minSamplesLeaf: number;
  featureFraction: number;
  sampleFraction: number;
  /** true: bootstrap with replacement; false: subsample without replacement. */
  bootstrap: boolean;
  quantileLevels: readonly number[];
}

/** One tree in local numbering (preorder; child > 0 right child, child < 0 = ~leaf). */
export interface GrownTree {
  feature: Uint16Array;
  bin: Uint8Array;
  flags: Uint8Array;
  child: Int32Array;
  leafMean: Float32Array;
  leafQuantileOffsets: Float32Array;
  featureGain: Float64Array;
  /** Distinct rows the tree was grown on and the deepest leaf. */
  sampledRows: number;
  depth: number;
}

/**
 * Histogram channels per (feature, code): sum(w*y), sum(w), and with row weights also the sample count.
 * Without row weights w is the bootstrap multiplicity, so sum(w) is the count and two channels suffice.
 */
function histStride(data: SharedTrainingData): number {
  return data.weights ? 3 : 2;
}

/** Per-worker scratch space reused across trees. */
export class GrowerScratch {
  readonly mult: Uint16Array;
  readonly rw: Float64Array;
  readonly wy: Float64Array;
  readonly rows: Int32Array;
  /** Scratch for the stable partition. */
  readonly spill: Int32Array;
  readonly featureOrder: Int32Array;
  private readonly pool: Float64Array[] = [];
  readonly histSize: number;
  readonly stride: number;

  constructor(readonly data: SharedTrainingData) {
    this.mult = new Uint16Array(data.nRows);
    this.rw = new Float64Array(data.nRows);
    this.wy = new Float64Array(data.nRows);
    this.rows = new Int32Array(data.nRows);
    this.spill = new Int32Array(data.nRows);
    this.featureOrder = Int32Array.from({ length: data.nFeatures }, (_, i) => i);
    this.stride = histStride(data);
    this.histSize = data.nFeatures * 256 * this.stride;
  }

  takeHist(): Float64Array {
    const h = this.pool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(this.histSize);
  }

  giveHist(h: Float64Array | null): void {
    if (h) this.pool.push(h);
  }
}

interface Split {
  feature: number;
  bin: number;
  missingLeft: boolean;
  gain: number;
  ls: number;
  lw: number;
  ln: number;
}

interface StackEntry {
  start: number;
  end: number;
  depth: number;
  hist: Float64Array | null;
  s: number;
  w: number;
  n: number;
  /** Node whose right child this is, or -1. */
  parent: number;
}

function buildHist(scratch: GrowerScratch, h: Float64Array, start: number, end: number): void {
  const { codes, nFeatures: nF } = scratch.data;
  const { rows, wy, rw, mult } = scratch;
  if (scratch.stride === 2) {
    for (let i = start; i < end; i++) {
      const r = rows[i];
      const a = wy[r];
      const b = rw[r];
      let base = r * nF;
      for (let f = 0; f < nF; f++, base++) {
        const k = ((f << 8) | codes[base]) << 1;
        h[k] += a;
        h[k + 1] += b;
      }
    }
    return;
  }
  for (let i = start; i < end; i++) {
    const r = rows[i];
    const a = wy[r];
    const b = rw[r];
    const c = mult[r];
    let base = r * nF;
    for (let f = 0; f < nF; f++, base++) {
      const k = ((f << 8) | codes[base]) * 3;
      h[k] += a;
      h[k + 1] += b;
      h[k + 2] += c;
    }
  }
}

function findSplit(scratch: GrowerScratch, h: Float64Array, e: StackEntry, mtry: number, minLeaf: number, rng: Rng): Split | null {
  const { edgeCount, nFeatures: nF } = scratch.data;
  const order = scratch.featureOrder;
  const stride = scratch.stride;
  const cnt = stride - 1; // channel holding the sample count
  const parentScore = (e.s * e.s) / e.w;
  // Weight sums come partly from histogram subtraction; treat tiny remainders as empty sides.
  const minW = 1e-9 * e.w;
  let best: Split | null = null;
  for (let i = 0; i < mtry; i++) {
    const j = i + rng.nextInt(nF - i);
    const f = order[j];
    order[j] = order[i];
    order[i] = f;
    const nE = edgeCount[f];
    const mk = ((f << 8) | MISSING_BIN) * stride;
    const ms = h[mk];
    const mw = h[mk + 1];
    const mn = h[mk + cnt];
    let cs = 0;
    let cw = 0;
    let cn = 0;
    for (let b = 0; b <= nE; b++) {
      const k = ((f << 8) | b) * stride;
      cs += h[k];
      cw += h[k + 1];
      cn += h[k + cnt];
      if (h[k + cnt] === 0 && b < nE) continue; // same partition as the previous bin
      // Missing right (the only option when nothing is missing).
      const rn = e.n - cn;
      if (cn >= minLeaf && rn >= minLeaf && b < nE + (mn > 0 ? 1 : 0)) {
        const rw = e.w - cw;
        if (cw > minW && rw > minW) {
          const rs = e.s - cs;
          const gain = (cs * cs) / cw + (rs * rs) / rw - parentScore;
          if (best === null ? gain > 0 : gain > best.gain) {
            // With no missing values here, send future missing values to the larger side.
            best = { feature: f, bin: b, missingLeft: mn === 0 && cn >= rn && b < nE, gain, ls: cs, lw: cw, ln: cn };
          }
        }
      }
      if (mn > 0 && b < nE) {
        const ln = cn + mn;
        const rn2 = e.n - ln;
        const lw = cw + mw;
        const rw = e.w - lw;
        if (ln >= minLeaf && rn2 >= minLeaf && lw > minW && rw > minW) {
          const ls = cs + ms;
          const rs = e.s - ls;
          const gain = (ls * ls) / lw + (rs * rs) / rw - parentScore;
          if (best === null ? gain > 0 : gain > best.gain) best = { feature: f, bin: b, missingLeft: true, gain, ls, lw, ln };
        }
      }
    }
  }
  if (best !== null && !(best.gain > 1e-12 * Math.abs(parentScore))) return null;
  return best;
}

/**
 * Stable partition of [start, end): rows going left first, both groups keeping ascending row order, so
 * histogram building reads the row-major codes front to back. Returns the first right position.
 */
function partition(scratch: GrowerScratch, start: number, end: number, split: Split): number {
  const { codesByColumn, nRows } = scratch.data;
  const { rows, spill } = scratch;
  const col = split.feature * nRows;
  const bin = split.bin;
  const missLeft = split.missingLeft;
  let w = start;
  let nRight = 0;
  for (let i = start; i < end; i++) {
    const r = rows[i];
    const c = codesByColumn[col + r];
    if (c === MISSING_BIN ? missLeft : c <= bin) rows[w++] = r;
    else spill[nRight++] = r;
  }
  rows.set(spill.subarray(0, nRight), w);
  return w;
}

/** parent -= histogram of rows [start, end), touching only their bins (cheaper than a dense pass for few rows). */
function subtractRows(scratch: GrowerScratch, h: Float64Array, start: number, end: number): void {
  const { codes, nFeatures: nF } = scratch.data;
  const { rows, wy, rw, mult } = scratch;
  const stride = scratch.stride;
  for (let i = start; i < end; i++) {
    const r = rows[i];
    const a = wy[r];
    const b = rw[r];
    const c = mult[r];
    let base = r * nF;
    for (let f = 0; f < nF; f++, base++) {
      const k = ((f << 8) | codes[base]) * stride;
      h[k] -= a;
      h[k + 1] -= b;
      if (stride === 3) h[k + 2] -= c;
    }
  }
}

/** Below this many rows in the smaller child, subtract its rows rather than its whole histogram. */
const SPARSE_SUBTRACT_ROWS = 128;

/** Weighted quantiles (midpoint plotting positions, linear interpolation) of the leaf's targets. */
function leafQuantiles(scratch: GrowerScratch, start: number, end: number, w: number, levels: readonly number[], mean: number, out: number[]): void {
  const { y, rowByRank, rankOfRow } = scratch.data;
  const { rows, rw } = scratch;
  const ranks = new Int32Array(end - start);
  for (let i = start; i < end; i++) ranks[i - start] = rankOfRow[rows[i]];
  ranks.sort();
  const first = out.length;
  let cum = 0;
  let prevPos = -Infinity;
  let prevY = mean;
  let j = 0;
  for (let i = 0; i < ranks.length && j < levels.length; i++) {
    const r = rowByRank[ranks[i]];
    const wi = rw[r];
    if (!(wi > 0)) continue; // zero-weight rows carry no quantile mass
    const pos = (cum + wi / 2) / w;
    cum += wi;
    const yi = y[r];
    while (j < levels.length && levels[j] <= pos) {
      const p = levels[j];
      const v = prevPos === -Infinity ? yi : prevY + ((p - prevPos) / (pos - prevPos)) * (yi - prevY);
      out.push(v - mean);
      j++;
    }
    prevPos = pos;
    prevY = yi;
  }
  while (j++ < levels.length) out.push(prevY - mean);
  roundLeafOffsets(out, first, levels.length);
}

/** The generator of tree `treeIndex`: the sample is its first use, so sampleMultiplicities can replay it. */
export function treeRng(options: GrowOptions, treeIndex: number): Rng {
  return new Rng(options.seed, treeIndex, 0x7ee5);
}

/** Fills `mult` with how often each row is drawn for a tree (0 = out of bag). */
export function sampleMultiplicities(mult: Uint16Array, nRows: number, options: GrowOptions, rng: Rng): void {
  mult.fill(0);
  const draws = Math.max(1, Math.round(options.sampleFraction * nRows));
  if (options.bootstrap) {
    for (let i = 0; i < draws; i++) {
      const r = rng.nextInt(nRows);
      if (mult[r] < 0xffff) mult[r]++;
    }
  } else {
    // Selection sampling (Knuth's algorithm S): exactly `draws` distinct rows.
    let needed = Math.min(draws, nRows);
    for (let r = 0; r < nRows && needed > 0; r++) {
      if (rng.nextFloat() * (nRows - r) < needed) {
        mult[r] = 1;
        needed--;
      }
    }
  }
}

/** Draws the tree's sample into scratch (multiplicities, weights) and returns the distinct row count. */
function drawSample(scratch: GrowerScratch, options: GrowOptions, rng: Rng): number {
  const { nRows, y, weights } = scratch.data;
  const { mult, rw, wy, rows } = scratch;
  sampleMultiplicities(mult, nRows, options, rng);
  let n = 0;
  for (let r = 0; r < nRows; r++) {
    const m = mult[r];
    if (m === 0) continue;
    const wr = weights ? m * weights[r] : m;
    rw[r] = wr;
    wy[r] = wr * y[r];
    rows[n++] = r;
  }
  return n;
}

/** Grows tree `treeIndex`; the result depends only on the data, the options and the index. */
export function growTree(scratch: GrowerScratch, options: GrowOptions, treeIndex: number): GrownTree {
  const data = scratch.data;
  const nF = data.nFeatures;
  const rng = treeRng(options, treeIndex);
  const sampled = drawSample(scratch, options, rng);
  for (let f = 0; f < nF; f++) scratch.featureOrder[f] = f; // no state may leak between trees
  const minLeaf = Math.max(1, Math.floor(options.minSamplesLeaf));
  const mtry = Math.max(1, Math.min(nF, Math.round(options.featureFraction * nF)));
  const levels = options.quantileLevels;

  const feature: number[] = [];
  const bin: number[] = [];
  const flags: number[] = [];
  const child: number[] = [];
  const leafMean: number[] = [];
  const leafQ: number[] = [];
  const featureGain = new Float64Array(nF);
  let maxDepthSeen = 0;

  const rootHist = scratch.takeHist();
  buildHist(scratch, rootHist, 0, sampled);
  let s = 0;
  let w = 0;
  let n = 0;
  for (let b = 0; b < 256; b++) {
    s += rootHist[b * scratch.stride];
    w += rootHist[b * scratch.stride + 1];
    n += rootHist[b * scratch.stride + scratch.stride - 1];
  }
  const canSplit = (depth: number, count: number) => depth < options.maxDepth && count >= 2 * minLeaf;
  const stack: StackEntry[] = [{ start: 0, end: sampled, depth: 0, hist: rootHist, s, w, n, parent: -1 }];
  while (stack.length > 0) {
    const e = stack.pop()!;
    const node = child.length;
    if (e.parent >= 0) child[e.parent] = node;
    if (e.depth > maxDepthSeen) maxDepthSeen = e.depth;
    const split = e.hist && canSplit(e.depth, e.n) && e.w > 0 ? findSplit(scratch, e.hist, e, mtry, minLeaf, rng) : null;
    if (split === null) {
      scratch.giveHist(e.hist);
      const mean = e.w > 0 ? e.s / e.w : 0;
      const leaf = leafMean.length;
      leafMean.push(Math.fround(mean));
      if (levels.length > 0) leafQuantiles(scratch, e.start, e.end, e.w, levels, Math.fround(mean), leafQ);
      feature.push(0);
      bin.push(0);
      flags.push(0);
      child.push(~leaf);
      continue;
    }
    feature.push(split.feature);
    bin.push(split.bin);
    flags.push(split.missingLeft ? 1 : 0);
    child.push(0); // patched when the right child is emitted
    featureGain[split.feature] += split.gain;
    const mid = partition(scratch, e.start, e.end, split);
    const left: StackEntry = { start: e.start, end: mid, depth: e.depth + 1, hist: null, s: split.ls, w: split.lw, n: split.ln, parent: -1 };
    const right: StackEntry = { start: mid, end: e.end, depth: e.depth + 1, hist: null, s: e.s - split.ls, w: e.w - split.lw, n: e.n - split.ln, parent: node };
    const needL = canSplit(left.depth, left.n);
    const needR = canSplit(right.depth, right.n);
    const parentHist = e.hist!;
    if (needL || needR) {
      const leftSmaller = mid - e.start <= e.end - mid;
      const small = leftSmaller ? left : right;
      const large = leftSmaller ? right : left;
      const needSmall = leftSmaller ? needL : needR;
      const needLarge = leftSmaller ? needR : needL;
      const sparse = small.end - small.start < SPARSE_SUBTRACT_ROWS;
      // The smaller child's histogram is built when it may split or for a dense subtraction.
      let hs: Float64Array | null = null;
      if (needSmall || (needLarge && !sparse)) {
        hs = scratch.takeHist();
        buildHist(scratch, hs, small.start, small.end);
      }
      if (needLarge) {
        if (sparse) subtractRows(scratch, parentHist, small.start, small.end);
        else for (let k = 0, h = hs!; k < parentHist.length; k++) parentHist[k] -= h[k];
        large.hist = parentHist;
      } else scratch.giveHist(parentHist);
      if (needSmall) small.hist = hs;
      else scratch.giveHist(hs);
    } else scratch.giveHist(parentHist);
    stack.push(right, left);
  }

  return {
    feature: Uint16Array.from(feature),
    bin: Uint8Array.from(bin),
    flags: Uint8Array.from(flags),
    child: Int32Array.from(child),
    leafMean: Float32Array.from(leafMean),
    leafQuantileOffsets: Float32Array.from(leafQ),
    featureGain,
    sampledRows: sampled,
    depth: maxDepthSeen,
  };
}
