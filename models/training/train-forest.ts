// Random-forest trainer: validates input, bins features once, grows trees in a worker-thread pool over
// SharedArrayBuffers, and assembles the flattened Forest. Deterministic for a seed at any worker count.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { binThreshold, type Forest, type IntervalCalibration } from '../../server/src/model/forest';
import { MAX_VALUE_BINS, binMatrix, computeBinEdges } from './binning';
import { GrowerScratch, growTree, type GrowOptions, type GrownTree, type SharedTrainingData } from './tree-grower';
import type { OobPredictions } from '../../server/src/model/intervals';
import { outOfBag } from './out-of-bag';
import type { FromWorker, ToWorker, WorkerInit } from './tree-worker';

export interface TrainData {
  /** Row-major nRows x nFeatures; NaN = missing. */
  x: Float32Array;
  y: Float64Array;
  nRows: number;
  nFeatures: number;
  weights?: Float32Array;
}

export interface TrainOptions {
  trees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Fraction of features tried at each split (mtry = round(featureFraction x nFeatures), at least 1). */
  featureFraction: number;
  /** Rows drawn per tree, as a fraction of nRows. */
  sampleFraction: number;
  /** Draw with replacement (bootstrap, default) or without (subsampling). */
  bootstrap?: boolean;
  /** Value bins per feature, 2..255 (256 is accepted and means 255: one code is reserved for missing). Default 255. */
  bins?: number;
  seed: number;
  /** Worker threads; default os.availableParallelism(). 1 grows trees on the calling thread. */
  workers?: number;
  /** Leaf quantile levels stored for intervals; default 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95. */
  quantileLevels?: readonly number[];
  /** Also compute out-of-bag predictions of the training rows (for calibrateIntervalsOob and stats.oobR2). */
  oob?: boolean;
  /** Called after each finished tree (in completion order). */
  onProgress?: (done: number, total: number) => void;
}

export interface TrainStats {
  trainMs: number;
  binMs: number;
  workers: number;
  trees: number;
  nodes: number;
  leaves: number;
  maxDepth: number;
  meanSampledRows: number;
  /** With `oob: true`: R² of the out-of-bag mean over rows that have one, and the time it took. */
  oobR2?: number;
  oobMs?: number;
}

export interface ResolvedTrainOptions extends GrowOptions {
  trees: number;
  bins: number;
  workers: number;
}

export interface TrainedForest {
  forest: Forest;
  /** Absent after training; calibrateIntervals returns a copy with it set. */
  calibration?: IntervalCalibration[];
  /** With `oob: true`: out-of-bag predictions of the training rows. */
  oob?: OobPredictions;
  stats: TrainStats;
  options: ResolvedTrainOptions;
}

export const DEFAULT_QUANTILE_LEVELS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];

function checkInput(data: TrainData, options: TrainOptions): string | null {
  const { nRows, nFeatures, x, y, weights } = data;
  if (!Number.isInteger(nRows) || nRows < 1) return `nRows must be a positive integer, got ${nRows}`;
  if (!Number.isInteger(nFeatures) || nFeatures < 1 || nFeatures > 0xffff) return `nFeatures must be an integer in 1..65535, got ${nFeatures}`;
  if (!(x instanceof Float32Array) || x.length !== nRows * nFeatures) return `x must be a Float32Array of nRows x nFeatures = ${nRows * nFeatures} values`;
  if (!(y instanceof Float64Array) || y.length !== nRows) return `y must be a Float64Array of ${nRows} values`;
  for (let i = 0; i < nRows; i++) if (!Number.isFinite(y[i])) return `y[${i}] is ${y[i]}: targets must be finite (drop those rows)`;
  if (weights !== undefined) {
    if (!(weights instanceof Float32Array) || weights.length !== nRows) return `weights must be a Float32Array of ${nRows} values`;
    for (let i = 0; i < nRows; i++)
      if (!(weights[i] >= 0 && Number.isFinite(weights[i]))) return `weights[${i}] is ${weights[i]}: weights must be finite and ≥ 0`;
  }
  const o = options;
  if (!Number.isInteger(o.trees) || o.trees < 1) return `trees must be a positive integer, got ${o.trees}`;
  if (!Number.isInteger(o.maxDepth) || o.maxDepth < 0 || o.maxDepth > 64) return `maxDepth must be an integer in 0..64, got ${o.maxDepth}`;
  if (!Number.isInteger(o.minSamplesLeaf) || o.minSamplesLeaf < 1) return `minSamplesLeaf must be a positive integer, got ${o.minSamplesLeaf}`;
  if (!(o.featureFraction > 0 && o.featureFraction <= 1)) return `featureFraction must be in (0, 1], got ${o.featureFraction}`;
  if (!(o.sampleFraction > 0 && o.sampleFraction <= 1)) return `sampleFraction must be in (0, 1], got ${o.sampleFraction}`;
  if (o.bins !== undefined && !(Number.isInteger(o.bins) && o.bins >= 2 && o.bins <= 256)) return `bins must be an integer in 2..256, got ${o.bins}`;
  if (!Number.isSafeInteger(o.seed)) return `seed must be a safe integer, got ${o.seed}`;
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 1)) return `workers must be a positive integer, got ${o.workers}`;
  const q = o.quantileLevels ?? DEFAULT_QUANTILE_LEVELS;
  if (q.length > 64) return 'at most 64 quantile levels';
  for (let j = 0; j < q.length; j++) if (!(q[j] > 0 && q[j] < 1) || (j > 0 && !(q[j] > q[j - 1]))) return 'quantileLevels must ascend strictly within (0, 1)';
  return null;
}

function sharedTyped<T extends Float64Array | Float32Array | Int32Array | Uint8Array>(ctor: new (b: SharedArrayBuffer) => T, bytesPer: number, n: number): T {
  return new ctor(new SharedArrayBuffer(Math.max(1, n) * bytesPer));
}

/** Ranks rows by target (ties by row index) with a native numeric sort plus binary search. */
function rankRows(yIn: Float64Array, rowByRank: Int32Array, rankOfRow: Int32Array): void {
  const n = yIn.length;
  const sorted = Float64Array.from(yIn).sort();
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[i] = i;
  for (let r = 0; r < n; r++) {
    const v = yIn[r];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    const k = next[lo]++;
    rowByRank[k] = r;
    rankOfRow[r] = k;
  }
}

/** Trains a random forest. Rejects with a descriptive Error on invalid input. */
export async function trainForest(data: TrainData, options: TrainOptions): Promise<TrainedForest> {
  const problem = checkInput(data, options);
  if (problem) throw new Error(`trainForest: ${problem}`);
  const t0 = performance.now();
  const { nRows, nFeatures } = data;
  const bins = Math.min(MAX_VALUE_BINS, options.bins ?? 255);
  const edges = computeBinEdges(data.x, nRows, nFeatures, bins);
  const codes = sharedTyped(Uint8Array, 1, nRows * nFeatures);
  binMatrix(data.x, nRows, nFeatures, edges, codes);
  const codesByColumn = sharedTyped(Uint8Array, 1, nRows * nFeatures);
  for (let r = 0, i = 0; r < nRows; r++) for (let f = 0; f < nFeatures; f++, i++) codesByColumn[f * nRows + r] = codes[i];
  const y = sharedTyped(Float64Array, 8, nRows);
  y.set(data.y);
  let weights: Float32Array | null = null;
  if (data.weights) {
    weights = sharedTyped(Float32Array, 4, nRows);
    weights.set(data.weights);
  }
  const edgeCount = sharedTyped(Int32Array, 4, nFeatures);
  for (let f = 0; f < nFeatures; f++) edgeCount[f] = edges.edgeStart[f + 1] - edges.edgeStart[f];
  const rowByRank = sharedTyped(Int32Array, 4, nRows);
  const rankOfRow = sharedTyped(Int32Array, 4, nRows);
  rankRows(data.y, rowByRank, rankOfRow);
  const shared: SharedTrainingData = { nRows, nFeatures, codes, codesByColumn, y, weights, edgeCount, rowByRank, rankOfRow };
  const binMs = performance.now() - t0;

  const grow: GrowOptions = {
    seed: options.seed,
    maxDepth: options.maxDepth,
    minSamplesLeaf: options.minSamplesLeaf,
    featureFraction: options.featureFraction,
    sampleFraction: options.sampleFraction,
    bootstrap: options.bootstrap ?? true,
    quantileLevels: [...(options.quantileLevels ?? DEFAULT_QUANTILE_LEVELS)],
  };
  const requested = Math.min(options.workers ?? availableParallelism(), options.trees);
  const trees: GrownTree[] = new Array(options.trees);
  let workersUsed = requested;
  if (requested <= 1 || !workerEntry()) {
    workersUsed = 1;
    const scratch = new GrowerScratch(shared);
    for (let t = 0; t < options.trees; t++) {
      trees[t] = growTree(scratch, grow, t);
      options.onProgress?.(t + 1, options.trees);
      if (t % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
  } else {
    await growInPool(requested, { data: shared, options: grow }, trees, options.onProgress);
  }
  const forest = assemble(nFeatures, edges.edgeStart, edges.edges, grow.quantileLevels, trees);
  let sampled = 0;
  let depth = 0;
  for (const t of trees) {
    sampled += t.sampledRows;
    depth = Math.max(depth, t.depth);
  }
  let oob: OobPredictions | undefined;
  let oobR2: number | undefined;
  let oobMs: number | undefined;
  if (options.oob) {
    const t1 = performance.now();
    oob = outOfBag(forest, shared, grow);
    oobR2 = rSquared(oob.mean, data.y);
    oobMs = performance.now() - t1;
  }
  return {
    forest,
    ...(oob ? { oob } : {}),
    stats: {
      trainMs: performance.now() - t0,
      binMs,
      workers: workersUsed,
      trees: trees.length,
      nodes: forest.child.length,
      leaves: forest.leafMean.length,
      maxDepth: depth,
      meanSampledRows: sampled / trees.length,
      ...(oob ? { oobR2, oobMs } : {}),
    },
    options: { ...grow, trees: options.trees, bins, workers: workersUsed },
  };
}

/** R² of predictions against targets over rows with a finite prediction. */
function rSquared(pred: Float64Array, y: Float64Array): number {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isFinite(pred[i])) {
      n++;
      sum += y[i];
    }
  }
  const mean = sum / n;
  let se = 0;
  let sv = 0;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(pred[i])) continue;
    se += (pred[i] - y[i]) ** 2;
    sv += (y[i] - mean) ** 2;
  }
  return sv > 0 ? 1 - se / sv : NaN;
}

/**
 * How to start a tree worker from wherever this module runs. From TypeScript source (tsx, how
 * `npm run train` runs) the worker is an eval'd bootstrap that registers tsx's CommonJS hook and then
 * requires tree-worker.ts; from compiled JavaScript it is tree-worker.js beside this file. Returns null
 * when neither exists (e.g. inside an esbuild bundle), and training then runs on the calling thread.
 */
function workerEntry(): { file: string; eval: boolean } | null {
  const ext = extname(__filename);
  const file = join(__dirname, `tree-worker${ext}`);
  if (!existsSync(file)) return null;
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
    const tsx = require.resolve('tsx/cjs');
    return { file: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, eval: true };
  }
  return { file, eval: false };
}

function growInPool(count: number, init: WorkerInit, out: GrownTree[], onProgress?: (done: number, total: number) => void): Promise<void> {
  const entry = workerEntry()!;
  const total = out.length;
  return new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let failed = false;
    const stopAll = () => {
      for (const w of workers) void w.terminate();
    };
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      stopAll();
      reject(err);
    };
    const feed = (w: Worker) => {
      if (next < total) w.postMessage({ type: 'grow', tree: next++ } satisfies ToWorker);
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(entry.file, { eval: entry.eval, workerData: { tilecastTreeWorker: true, init } });
      workers.push(w);
      w.on('message', (msg: FromWorker) => {
        if (failed) return;
        if (msg.type === 'ready') feed(w);
        else if (msg.type === 'error') fail(new Error(`tree ${msg.tree} failed in a worker: ${msg.message}`));
        else {
          out[msg.tree] = msg.result;
          done++;
          onProgress?.(done, total);
          if (done === total) {
            stopAll();
            resolve();
          } else feed(w);
        }
      });
      w.on('error', (err) => fail(err));
      w.on('exit', (code) => {
        if (!failed && done < total && code !== 0) fail(new Error(`a tree worker exited with code ${code}`));
      });
    }
  });
}

/** Concatenates trees in index order into one flattened Forest (global node and leaf numbering). */
export function assemble(
  nFeatures: number,
  edgeStart: Int32Array,
  edges: Float32Array,
  quantileLevels: readonly number[],
  trees: readonly GrownTree[],
): Forest {
  let nodes = 0;
  let leaves = 0;
  for (const t of trees) {
    nodes += t.child.length;
    leaves += t.leafMean.length;
  }
  const nq = quantileLevels.length;
  const forest: Forest = {
    nFeatures,
    treeStart: new Int32Array(trees.length + 1),
    feature: new Uint16Array(nodes),
    bin: new Uint8Array(nodes),
    flags: new Uint8Array(nodes),
    child: new Int32Array(nodes),
    threshold: new Float32Array(nodes),
    edgeStart: Int32Array.from(edgeStart),
    edges: Float32Array.from(edges),
    leafMean: new Float32Array(leaves),
    quantileLevels: Float64Array.from(quantileLevels),
    leafQuantileOffsets: new Float32Array(leaves * nq),
    featureGain: new Float64Array(nFeatures),
  };
  let nodeBase = 0;
  let leafBase = 0;
  trees.forEach((t, ti) => {
    forest.treeStart[ti] = nodeBase;
    forest.feature.set(t.feature, nodeBase);
    forest.bin.set(t.bin, nodeBase);
    forest.flags.set(t.flags, nodeBase);
    for (let i = 0; i < t.child.length; i++) {
      const c = t.child[i];
      const g = nodeBase + i;
      if (c < 0) forest.child[g] = ~(~c + leafBase);
      else {
        forest.child[g] = c + nodeBase;
        forest.threshold[g] = binThreshold(forest.edgeStart, forest.edges, t.feature[i], t.bin[i]);
      }
    }
    forest.leafMean.set(t.leafMean, leafBase);
    forest.leafQuantileOffsets.set(t.leafQuantileOffsets, leafBase * nq);
    for (let f = 0; f < nFeatures; f++) forest.featureGain[f] += t.featureGain[f];
    nodeBase += t.child.length;
    leafBase += t.leafMean.length;
  });
  forest.treeStart[trees.length] = nodeBase;
  return forest;
}
