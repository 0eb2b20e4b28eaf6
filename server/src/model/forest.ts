// Flattened random-forest structure and fast prediction (mean + quantile interval) for TileCast models.
// Pure functions over typed arrays: no I/O, never throws; bad input yields NaN results with an error.
import { NODE_BYTES, newWalker, type Walker } from './forest-walk';

/**
 * A trained forest. Trees are stored in preorder, one contiguous node range per tree. For an internal
 * node `i`, the left child is `i + 1` and `child[i] > 0` is the right child; for a leaf,
 * `child[i] = ~leafIndex` (negative). A row goes left when `x[feature[i]] <= threshold[i]`; a missing
 * value (NaN) goes left when `flags[i] & 1`.
 */
export interface Forest {
  nFeatures: number;
  /** Length nTrees + 1: tree t owns nodes [treeStart[t], treeStart[t + 1]). */
  treeStart: Int32Array;
  feature: Uint16Array;
  /** Split bin: threshold = edges[edgeStart[feature] + bin], or +Infinity when bin = number of edges. */
  bin: Uint8Array;
  /** bit 0: missing values go left. */
  flags: Uint8Array;
  child: Int32Array;
  /** Derived from `bin` and the edge table (kept for fast prediction). */
  threshold: Float32Array;
  /** Length nFeatures + 1: feature f's quantile bin edges are edges[edgeStart[f] .. edgeStart[f + 1]). */
  edgeStart: Int32Array;
  edges: Float32Array;
  /** Mean training target (weighted, bootstrap multiplicity included) per leaf. */
  leafMean: Float32Array;
  /** Ascending probabilities in (0, 1) for which each leaf stores a target quantile. */
  quantileLevels: Float64Array;
  /** nLeaves x nLevels, row-major: leaf quantile minus leaf mean (binary16-representable values). */
  leafQuantileOffsets: Float32Array;
  /** Total variance-reduction gain (weighted SSE decrease) of splits on each feature. */
  featureGain: Float64Array;
}

/** Interval scale fitted on held-out or out-of-bag data for one nominal level (see intervals.ts). */
export interface IntervalCalibration {
  /** Nominal central level, e.g. 0.8 for the 10th..90th percentile interval. */
  level: number;
  /** Multiplies the distances mean-lo and hi-mean. */
  scale: number;
  /** Coverage the calibration aimed for on its data. */
  targetCoverage: number;
  /** Rows it was fitted on and their coverage before / after scaling. */
  n: number;
  coverageBefore: number;
  coverageAfter: number;
  source: string;
}

/** Anything prediction accepts: a ModelArtifact, a TrainedForest, or `{ forest }`. */
export interface PredictableModel {
  forest: Forest;
  calibration?: readonly IntervalCalibration[];
}

export interface PredictOptions {
  /** Nominal central interval level in (0, 1); default: the first calibrated level, else 0.8. */
  level?: number;
  /** Also return the forest-averaged quantile at each stored level. */
  quantiles?: boolean;
  /** Ignore stored calibration (raw quantile-forest interval). */
  uncalibrated?: boolean;
}

export interface Prediction {
  mean: number;
  lo: number;
  hi: number;
  /** Level actually used and whether a stored calibration scaled the interval. */
  level: number;
  calibrated: boolean;
  quantiles?: { level: number; value: number }[];
  error?: string;
}

export interface BatchPrediction {
  mean: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  level: number;
  calibrated: boolean;
  error?: string;
}

export function treeCount(forest: Forest): number {
  return forest.treeStart.length - 1;
}

/** Where a probability falls among the stored levels: columns j0, j1 and weight w1 of column j1. */
export function levelColumns(levels: Float64Array, p: number): { j0: number; j1: number; w1: number } {
  const n = levels.length;
  if (n === 0) return { j0: -1, j1: -1, w1: 0 };
  if (p <= levels[0]) return { j0: 0, j1: 0, w1: 0 };
  if (p >= levels[n - 1]) return { j0: n - 1, j1: n - 1, w1: 0 };
  let j = 0;
  while (levels[j + 1] < p) j++;
  const w1 = (p - levels[j]) / (levels[j + 1] - levels[j]);
  return { j0: j, j1: j + 1, w1 };
}

interface IntervalPlan {
  level: number;
  lo: { j0: number; j1: number; w1: number };
  hi: { j0: number; j1: number; w1: number };
  scale: number;
  calibrated: boolean;
  error?: string;
}

function planInterval(model: PredictableModel, options: PredictOptions | undefined): IntervalPlan {
  const cal = options?.uncalibrated ? [] : (model.calibration ?? []);
  const level = options?.level ?? (cal.length > 0 ? cal[0].level : 0.8);
  const levels = model.forest.quantileLevels;
  let error: string | undefined;
  if (!(level > 0 && level < 1)) error = `interval level must be in (0, 1), got ${level}`;
  const match = cal.find((c) => Math.abs(c.level - level) < 1e-9);
  return {
    level,
    lo: levelColumns(levels, (1 - level) / 2),
    hi: levelColumns(levels, (1 + level) / 2),
    scale: match ? match.scale : 1,
    calibrated: match !== undefined,
    error,
  };
}

function finishInterval(mean: number, lo: number, hi: number, scale: number): [number, number] {
  const dLo = Math.max(0, mean - lo);
  const dHi = Math.max(0, hi - mean);
  return [mean - scale * dLo, mean + scale * dHi];
}

/** Leaf index reached by `row` in the tree rooted at `root`. */
function leafOf(forest: Forest, root: number, row: ArrayLike<number>): number {
  const { child, feature, threshold, flags } = forest;
  let n = root;
  let c = child[n];
  while (c > 0) {
    const v = row[feature[n]];
    const t = threshold[n];
    if (v <= t) n = n + 1;
    else if (v > t) n = c;
    else n = (flags[n] & 1) !== 0 ? n + 1 : c;
    c = child[n];
  }
  return ~c;
}

/** Predicts one row: forest mean and a central interval from averaged leaf quantiles, scaled by the stored calibration. */
export function predict(model: PredictableModel, row: Float32Array | Float64Array | readonly number[], options?: PredictOptions): Prediction {
  const forest = model.forest;
  const plan = planInterval(model, options);
  const nTrees = treeCount(forest);
  const fail = (error: string): Prediction => ({ mean: NaN, lo: NaN, hi: NaN, level: plan.level, calibrated: false, error });
  if (plan.error) return fail(plan.error);
  if (row.length < forest.nFeatures) return fail(`row has ${row.length} values, the model needs ${forest.nFeatures}`);
  if (nTrees <= 0) return fail('model has no trees');
  const nq = forest.quantileLevels.length;
  const q = forest.leafQuantileOffsets;
  const sumQ = options?.quantiles ? new Float64Array(nq) : undefined;
  let sum = 0;
  let sumLo = 0;
  let sumHi = 0;
  for (let t = 0; t < nTrees; t++) {
    const leaf = leafOf(forest, forest.treeStart[t], row);
    sum += forest.leafMean[leaf];
    if (nq > 0) {
      const base = leaf * nq;
      sumLo += q[base + plan.lo.j0] + plan.lo.w1 * (q[base + plan.lo.j1] - q[base + plan.lo.j0]);
      sumHi += q[base + plan.hi.j0] + plan.hi.w1 * (q[base + plan.hi.j1] - q[base + plan.hi.j0]);
      if (sumQ) for (let j = 0; j < nq; j++) sumQ[j] += q[base + j];
    }
  }
  const mean = sum / nTrees;
  const [lo, hi] = nq > 0 ? finishInterval(mean, mean + sumLo / nTrees, mean + sumHi / nTrees, plan.scale) : [mean, mean];
  const out: Prediction = { mean, lo, hi, level: plan.level, calibrated: plan.calibrated };
  if (sumQ) out.quantiles = Array.from(forest.quantileLevels, (level, j) => ({ level, value: mean + sumQ[j] / nTrees }));
  return out;
}

/** Rows walked through a tree per call of the WebAssembly walker (their values stay in cache beside the tree). */
const BLOCK_ROWS = 4096;

/**
 * A forest's nodes in WebAssembly memory for the walker (forest-walk.ts), written once per forest:
 * forests are never changed after they are built or decoded.
 */
interface WalkMemory extends Walker {
  /** Where the block of rows starts (after the nodes). */
  rowsAt: number;
}

const walkMemories = new WeakMap<Forest, WalkMemory>();

/** The forest's walk memory, grown to hold `rows` rows of nF values and their leaf indices. */
function walkMemory(forest: Forest, rows: number): WalkMemory {
  const nNodes = forest.child.length;
  // Rows of float64 start on an 8-byte boundary.
  const rowsAt = Math.ceil((nNodes * NODE_BYTES) / 8) * 8;
  const need = rowsAt + rows * forest.nFeatures * 8 + rows * 4;
  const pages = Math.ceil(need / 65536);
  let hit = walkMemories.get(forest);
  if (!hit) {
    const walker = newWalker(pages);
    const memory = walker.memory;
    const threshold = new Float32Array(memory.buffer, 0, nNodes * 3);
    const words = new Int32Array(memory.buffer, 0, nNodes * 3);
    const { child, feature, flags } = forest;
    for (let n = 0; n < nNodes; n++) {
      threshold[3 * n] = forest.threshold[n];
      words[3 * n + 1] = feature[n] * 8 + (flags[n] & 1);
      words[3 * n + 2] = child[n];
    }
    hit = { ...walker, rowsAt };
    walkMemories.set(forest, hit);
  }
  const have = hit.memory.buffer.byteLength / 65536;
  if (have < pages) hit.memory.grow(pages - have);
  return hit;
}

/**
 * Writes the forest's nodes into the batch walker's memory now (once per forest) instead of at its first
 * predictBatch: for a caller with idle time before the first batch (the language server while its
 * parsers load). Predictions are the same either way.
 */
export function prepareBatch(model: PredictableModel): void {
  if (treeCount(model.forest) > 0) walkMemory(model.forest, 1);
}

/**
 * Predicts nRows rows of a row-major matrix (nRows x nFeatures, NaN = missing): the same numbers as
 * `predict` row by row (forest.test.ts checks), computed tree by tree over blocks of rows by a WebAssembly
 * walker (forest-walk.ts).
 */
export function predictBatch(model: PredictableModel, x: Float32Array | Float64Array, nRows: number, options?: PredictOptions): BatchPrediction {
  const forest = model.forest;
  const plan = planInterval(model, options);
  const nF = forest.nFeatures;
  const rows = Number.isInteger(nRows) && nRows > 0 ? nRows : 0;
  const mean = new Float64Array(rows);
  const lo = new Float64Array(rows);
  const hi = new Float64Array(rows);
  const out: BatchPrediction = { mean, lo, hi, level: plan.level, calibrated: plan.calibrated };
  const nTrees = treeCount(forest);
  let error = plan.error;
  if (!error && !(Number.isInteger(nRows) && nRows >= 0)) error = `nRows must be a non-negative integer, got ${nRows}`;
  if (!error && x.length < rows * nF) error = `x has ${x.length} values, ${rows} rows x ${nF} features need ${rows * nF}`;
  if (!error && nTrees <= 0) error = 'model has no trees';
  if (error) {
    mean.fill(NaN);
    lo.fill(NaN);
    hi.fill(NaN);
    out.calibrated = false;
    out.error = error;
    return out;
  }
  const { leafMean } = forest;
  const q = forest.leafQuantileOffsets;
  const { j0: l0, j1: l1, w1: lw } = plan.lo;
  const { j0: h0, j1: h1, w1: hw } = plan.hi;
  const nq = forest.quantileLevels.length;
  const { treeStart } = forest;
  const blockRows = Math.min(rows, BLOCK_ROWS);
  const { memory, walk, rowsAt } = walkMemory(forest, blockRows);
  const leavesAt = rowsAt + blockRows * nF * 8;
  const block = new Float64Array(memory.buffer, rowsAt, blockRows * nF);
  const leafOf = new Int32Array(memory.buffer, leavesAt, blockRows);
  for (let from = 0; from < rows; from += blockRows) {
    const count = Math.min(blockRows, rows - from);
    block.set(x.subarray(from * nF, (from + count) * nF));
    // Tree by tree over the block, so each tree's nodes stay in cache for all its rows.
    for (let t = 0; t < nTrees; t++) {
      walk(treeStart[t], count, rowsAt, nF * 8, leavesAt);
      for (let i = 0, r = from; i < count; i++, r++) {
        const leaf = leafOf[i];
        mean[r] += leafMean[leaf];
        if (nq > 0) {
          const base = leaf * nq;
          lo[r] += q[base + l0] + lw * (q[base + l1] - q[base + l0]);
          hi[r] += q[base + h0] + hw * (q[base + h1] - q[base + h0]);
        }
      }
    }
  }
  const inv = 1 / nTrees;
  for (let r = 0; r < rows; r++) {
    const m = mean[r] * inv;
    mean[r] = m;
    if (nq > 0) {
      const [a, b] = finishInterval(m, m + lo[r] * inv, m + hi[r] * inv, plan.scale);
      lo[r] = a;
      hi[r] = b;
    } else {
      lo[r] = m;
      hi[r] = m;
    }
  }
  return out;
}

/**
 * Split-gain feature importance (total variance reduction per feature), normalised to sum to 1 (all
 * zeros when the forest never split), most important first. Names come from `featureNames`, else from
 * the model's own `featureNames` (a ModelArtifact), else "f<index>".
 */
export function featureImportance(
  model: PredictableModel & { featureNames?: readonly string[] },
  featureNames?: readonly string[],
): { feature: number; name: string; importance: number }[] {
  const names = featureNames ?? model.featureNames;
  const gain = model.forest.featureGain;
  let total = 0;
  for (let f = 0; f < gain.length; f++) total += gain[f];
  const rows = Array.from(gain, (g, f) => ({ feature: f, name: names?.[f] ?? `f${f}`, importance: total > 0 ? g / total : 0 }));
  return rows.sort((a, b) => b.importance - a.importance || a.feature - b.feature);
}

/** Threshold of a split on `feature` at `bin` (+Infinity past the last edge, i.e. a missing-vs-present split). */
export function binThreshold(edgeStart: Int32Array, edges: Float32Array, feature: number, bin: number): number {
  const count = edgeStart[feature + 1] - edgeStart[feature];
  return bin < count ? edges[edgeStart[feature] + bin] : Infinity;
}

/**
 * Checks every structural invariant prediction relies on (so a decoded forest can never index out of
 * range or loop). Returns an error message, or null when the forest is sound.
 */
export function validateForest(forest: Forest): string | null {
  const { treeStart, feature, bin, flags, child, threshold, edgeStart, edges, leafMean, quantileLevels, leafQuantileOffsets, featureGain } = forest;
  const nF = forest.nFeatures;
  const nNodes = child.length;
  if (!Number.isInteger(nF) || nF < 1 || nF > 0xffff) return `bad feature count ${nF}`;
  if (feature.length !== nNodes || bin.length !== nNodes || flags.length !== nNodes || threshold.length !== nNodes) return 'node arrays differ in length';
  if (treeStart.length < 2) return 'forest has no trees';
  if (treeStart[0] !== 0 || treeStart[treeStart.length - 1] !== nNodes) return 'tree ranges do not cover the node arrays';
  if (edgeStart.length !== nF + 1 || edgeStart[0] !== 0 || edgeStart[nF] !== edges.length) return 'edge table does not match the feature count';
  for (let f = 0; f < nF; f++) {
    const a = edgeStart[f];
    const b = edgeStart[f + 1];
    if (b < a || b - a > 254) return `feature ${f} has a bad edge range`;
    for (let i = a; i < b; i++)
      if (!Number.isFinite(edges[i]) || (i > a && !(edges[i] > edges[i - 1]))) return `feature ${f} edges are not finite and ascending`;
  }
  const nq = quantileLevels.length;
  for (let j = 0; j < nq; j++)
    if (!(quantileLevels[j] > 0 && quantileLevels[j] < 1) || (j > 0 && !(quantileLevels[j] > quantileLevels[j - 1])))
      return 'quantile levels must ascend within (0, 1)';
  const nLeaves = leafMean.length;
  if (leafQuantileOffsets.length !== nLeaves * nq) return 'leaf quantile table does not match the leaf count';
  if (featureGain.length !== nF) return 'feature gain table does not match the feature count';
  for (let t = 0; t + 1 < treeStart.length; t++) {
    const start = treeStart[t];
    const end = treeStart[t + 1];
    if (!(end > start)) return `tree ${t} is empty`;
    for (let n = start; n < end; n++) {
      const c = child[n];
      if (c < 0) {
        if (~c >= nLeaves) return `node ${n} points at leaf ${~c}, only ${nLeaves} leaves`;
        continue;
      }
      if (!(c > n + 1 && c < end) || n + 1 >= end) return `node ${n} of tree ${t} has a child outside its tree`;
      const f = feature[n];
      if (f >= nF) return `node ${n} splits on feature ${f}, the model has ${nF}`;
      const count = edgeStart[f + 1] - edgeStart[f];
      if (bin[n] > count) return `node ${n} splits at bin ${bin[n]}, feature ${f} has ${count} edges`;
      const expected = binThreshold(edgeStart, edges, f, bin[n]);
      if (!Object.is(threshold[n], Math.fround(expected))) return `node ${n} threshold disagrees with the edge table`;
      if (bin[n] === count && (flags[n] & 1) !== 0) return `node ${n} is a missing-value split but sends missing left`;
    }
  }
  for (let i = 0; i < nLeaves; i++) if (!Number.isFinite(leafMean[i])) return `leaf ${i} has a non-finite mean`;
  for (let i = 0; i < leafQuantileOffsets.length; i++) if (!Number.isFinite(leafQuantileOffsets[i])) return 'leaf quantiles are not finite';
  return null;
}
