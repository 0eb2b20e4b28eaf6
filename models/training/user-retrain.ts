// Retrains the runtime model on the user's own profiles and picks, by error on the user's held-out
// records, between two strategies: (A) "combined": a new forest on the shipped training data plus the
// user's records, weighted up; (B) "correction": per GPU, a small forest that predicts log(measured /
// shipped prediction) on top of the shipped model. Features come from perf/features.ts (the one
// definition) and forests from the shared trainer. No file I/O: records and artifacts in, artifacts out.
import { createHash } from 'node:crypto';
import type { GemmRecord } from '../../server/src/data/record';
import { recordToWorkload } from '../../server/src/data/to-workload';
import type { ModelArtifact } from '../../server/src/model/artifact';
import { predictBatch } from '../../server/src/model/forest';
import { parseDomain, shrinkCorrection } from '../../server/src/model/applicability';
import { applicabilityOf, methodOverheadsOf } from '../../server/src/model/predictor';
import { fromTarget, toTarget, type TargetTransform } from '../../server/src/model/targets';
import { computeFeatures, FEATURE_NAMES } from '../../server/src/perf/features';
import { findGpu } from '../../server/src/perf/gpu-catalogue';
import { buildDesign, takeRows, type Design } from '../evaluation/design-matrix';
import { trainForest, type TrainOptions } from './train-forest';

export type Strategy = 'combined' | 'correction';

export interface RetrainInput {
  /** The shipped runtime model. */
  runtimeModel: ModelArtifact;
  /** The user's measurements (profile records mapped to GemmRecord). */
  userRecords: readonly GemmRecord[];
  /** The shipped model's training data (or a sample of it): strategy A needs it; without it only B runs. */
  shippedRecords?: readonly GemmRecord[];
  seed?: number;
  /** Share of the user's records held out to choose the strategy and report the error (default 0.3). */
  heldOutFraction?: number;
  onProgress?: (message: string, fraction: number) => void;
  /** Worker threads for the forests (1 inside a worker thread already). */
  workers?: number;
}

export interface ErrorSummary {
  n: number;
  /** Median absolute percentage error of runtime. */
  mdAPEPct: number;
  meanAPEPct: number;
}

export interface StrategyResult {
  strategy: Strategy;
  available: boolean;
  reason?: string;
  heldOut?: ErrorSummary;
}

export interface RetrainOutput {
  ok: boolean;
  error?: string;
  trainRecords: number;
  heldOutRecords: number;
  /** The shipped model on the held-out records. */
  before?: ErrorSummary;
  strategies: StrategyResult[];
  chosen?: Strategy;
  why?: string;
  /** Strategy A: the new runtime model (same format as the shipped one). */
  runtimeArtifact?: ModelArtifact;
  /** Strategy B: one correction forest per GPU id (target "runtime-correction", transform "log" of the ratio). */
  corrections?: Array<{ gpu: string; artifact: ModelArtifact }>;
  /** Fingerprint of the shipped model and the user's records the new model was trained on. */
  fingerprint?: string;
}

const MIN_RECORDS = 8;
const COMBINED_FOREST: Omit<TrainOptions, 'seed'> = { trees: 32, maxDepth: 20, minSamplesLeaf: 8, featureFraction: 0.5, sampleFraction: 0.5, bootstrap: false };
const CORRECTION_FOREST: Omit<TrainOptions, 'seed'> = {
  trees: 32,
  maxDepth: 8,
  minSamplesLeaf: 3,
  featureFraction: 0.6,
  sampleFraction: 0.8,
  bootstrap: false,
};

function hashKey(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0) / 2 ** 32;
}

/** Held-out split by configuration (shape, dtype, params), so held-out records are configurations the retraining never saw. */
export function splitUserRecords(records: readonly GemmRecord[], fraction: number, seed: number): { train: number[]; heldOut: number[] } {
  const train: number[] = [];
  const heldOut: number[] = [];
  records.forEach((r, i) => {
    const key = `${seed}|${r.gpu}|${r.m}x${r.n}x${r.k}x${r.batch}|${r.dtype}|${r.kernel}|${JSON.stringify(r.params)}`;
    (hashKey(key) < fraction ? heldOut : train).push(i);
  });
  return { train, heldOut };
}

export function summarize(predicted: ArrayLike<number>, measured: ArrayLike<number>): ErrorSummary {
  const ape: number[] = [];
  for (let i = 0; i < measured.length; i++)
    if (Number.isFinite(predicted[i]) && measured[i] > 0) ape.push((Math.abs(predicted[i] - measured[i]) / measured[i]) * 100);
  ape.sort((a, b) => a - b);
  const mid = ape.length === 0 ? NaN : ape.length % 2 ? ape[(ape.length - 1) / 2] : (ape[ape.length / 2 - 1] + ape[ape.length / 2]) / 2;
  return { n: ape.length, mdAPEPct: mid, meanAPEPct: ape.reduce((s, x) => s + x, 0) / (ape.length || 1) };
}

function design(records: readonly GemmRecord[]): Design {
  return buildDesign(records, Int32Array.from(records.keys()), FEATURE_NAMES.length, computeFeatures, findGpu, recordToWorkload).design;
}

/** Runtime (ms) a runtime artifact predicts for design rows. */
/**
 * Runtime (ms) a runtime artifact predicts for design rows, as the served predictor does
 * (model/predictor.ts composePrediction): the correction shrunk by the applicability check and the
 * kernel-time method's overhead added, so "before" is the error of the model the user actually sees and
 * corrections are learned on top of what is served.
 */
export function predictMs(model: ModelArtifact, d: Design, rows: readonly number[], records?: readonly GemmRecord[]): Float64Array {
  const p = predictBatch(model, takeRows(d.x, d.nFeatures, rows), rows.length, { uncalibrated: true });
  const transform = model.target.transform as TargetTransform;
  const domain = parseDomain(model.training?.applicability, d.nFeatures);
  const overheadMs = methodOverheadsOf(model).kernel ?? 0;
  return Float64Array.from(rows, (r, t) => {
    let mean = p.mean[t];
    const gpu = findGpu(d.tags[r]?.gpu ?? '');
    if (domain && gpu && transform === 'log-ratio-to-analytic') {
      const record = records?.[d.recordIdx[r]];
      const app = applicabilityOf(domain, d.x.subarray(r * d.nFeatures, (r + 1) * d.nFeatures), gpu, record?.kernel, record?.dtype);
      mean = shrinkCorrection(mean, mean, mean, app).mean;
    }
    return fromTarget(transform, mean, d.analyticMs[r]) + overheadMs;
  });
}

function correctionArtifact(base: ModelArtifact, gpu: string, forest: ModelArtifact['forest'], rows: number, fingerprint: string): ModelArtifact {
  return {
    ...base,
    target: { name: 'runtime-correction', transform: 'log', params: { gpu, base: base.dataFingerprint } },
    dataFingerprint: fingerprint,
    metrics: { rows },
    calibration: [],
    training: { ...CORRECTION_FOREST, rows, strategy: 'correction' },
    forest,
  };
}

/** Strategy B on the rows `train` of `d`: one correction forest per GPU with at least 4 rows. */
async function fitCorrections(
  input: RetrainInput,
  d: Design,
  train: readonly number[],
  base: Float64Array,
  seed: number,
  fingerprint: string,
): Promise<Map<string, ModelArtifact>> {
  const byGpu = new Map<string, number[]>();
  for (const r of train) {
    const list = byGpu.get(d.tags[r].gpu) ?? [];
    list.push(r);
    byGpu.set(d.tags[r].gpu, list);
  }
  const out = new Map<string, ModelArtifact>();
  for (const [gpu, rows] of byGpu) {
    const keep = rows.filter((r) => base[r] > 0 && d.runtimeMs[r] > 0);
    if (keep.length < 4) continue;
    const y = Float64Array.from(keep, (r) => Math.log(d.runtimeMs[r] / base[r]));
    const model = await trainForest(
      { x: takeRows(d.x, d.nFeatures, keep), y, nRows: keep.length, nFeatures: d.nFeatures },
      { ...CORRECTION_FOREST, seed, workers: input.workers },
    );
    out.set(gpu, correctionArtifact(input.runtimeModel, gpu, model.forest, keep.length, fingerprint));
  }
  return out;
}

function applyCorrections(corrections: Map<string, ModelArtifact>, d: Design, rows: readonly number[], base: Float64Array): Float64Array {
  const out = Float64Array.from(rows, (r) => base[r]);
  for (const [gpu, artifact] of corrections) {
    const mine = rows.map((r, t) => ({ r, t })).filter((x) => d.tags[x.r].gpu === gpu);
    if (mine.length === 0) continue;
    const p = predictBatch(
      artifact,
      takeRows(
        d.x,
        d.nFeatures,
        mine.map((x) => x.r),
      ),
      mine.length,
      { uncalibrated: true },
    );
    mine.forEach((x, i) => {
      out[x.t] = base[x.r] * Math.exp(p.mean[i]);
    });
  }
  return out;
}

/** Strategy A on user rows `train`: shipped data plus the user's rows, each user row weighing as much as `weight` shipped rows. */
async function fitCombined(input: RetrainInput, shipped: Design, user: Design, train: readonly number[], seed: number): Promise<ModelArtifact['forest']> {
  const transform = input.runtimeModel.target.transform as TargetTransform;
  const nShip = shipped.nRows;
  const n = nShip + train.length;
  const x = new Float32Array(n * shipped.nFeatures);
  x.set(shipped.x.subarray(0, nShip * shipped.nFeatures));
  x.set(takeRows(user.x, user.nFeatures, train), nShip * shipped.nFeatures);
  const y = new Float64Array(n);
  for (let i = 0; i < nShip; i++) y[i] = toTarget(transform, shipped.runtimeMs[i], shipped.analyticMs[i]);
  train.forEach((r, t) => {
    y[nShip + t] = toTarget(transform, user.runtimeMs[r], user.analyticMs[r]);
  });
  // The user's rows together weigh a quarter of the shipped set (at least 5 each): enough to move the
  // trees on their GPU and shapes without forgetting everything else.
  const weight = Math.max(5, (0.25 * nShip) / Math.max(1, train.length));
  const weights = new Float32Array(n).fill(1);
  weights.fill(weight, nShip);
  const finite = Array.from({ length: n }, (_, i) => i).filter((i) => Number.isFinite(y[i]));
  const model = await trainForest(
    {
      x: takeRows(x, shipped.nFeatures, finite),
      y: Float64Array.from(finite, (i) => y[i]),
      weights: Float32Array.from(finite, (i) => weights[i]),
      nRows: finite.length,
      nFeatures: shipped.nFeatures,
    },
    {
      ...COMBINED_FOREST,
      seed,
      workers: input.workers,
      onProgress: (done, total) => input.onProgress?.(`combined forest: tree ${done}/${total}`, 0.3 + 0.3 * (done / total)),
    },
  );
  return model.forest;
}

function fingerprintOf(base: ModelArtifact, records: readonly GemmRecord[]): string {
  const h = createHash('sha256').update(base.dataFingerprint);
  for (const r of records) h.update(`${r.gpu}|${r.m}|${r.n}|${r.k}|${r.batch}|${r.dtype}|${r.kernel}|${JSON.stringify(r.params)}|${r.runtimeMs}\n`);
  return `user:${h.digest('hex').slice(0, 16)}`;
}

/** Splits, fits both strategies on the training part, compares them on the held-out part, refits the winner on all records. */
export async function retrainWithProfiles(input: RetrainInput): Promise<RetrainOutput> {
  const seed = input.seed ?? 20261205;
  const progress = input.onProgress ?? (() => {});
  const user = design(input.userRecords);
  const fail = (error: string): RetrainOutput => ({ ok: false, error, trainRecords: 0, heldOutRecords: 0, strategies: [] });
  if (user.nRows < MIN_RECORDS)
    return fail(`need at least ${MIN_RECORDS} profile records on GPUs in the catalogue to retrain; have ${user.nRows} of ${input.userRecords.length}`);
  const usable = user.recordIdx.length;
  const split = splitUserRecords(
    Array.from(user.recordIdx, (i) => input.userRecords[i]),
    input.heldOutFraction ?? 0.3,
    seed,
  );
  if (split.heldOut.length < 2 || split.train.length < 4) return fail(`too few distinct configurations to hold some out (${usable} records)`);
  progress('shipped model on your records', 0.05);
  const all = Array.from({ length: user.nRows }, (_, i) => i);
  const base = new Float64Array(user.nRows);
  predictMs(input.runtimeModel, user, all, input.userRecords).forEach((v, i) => {
    base[i] = v;
  });
  const measured = Float64Array.from(split.heldOut, (r) => user.runtimeMs[r]);
  const before = summarize(
    Float64Array.from(split.heldOut, (r) => base[r]),
    measured,
  );
  const fingerprint = fingerprintOf(input.runtimeModel, input.userRecords);
  const strategies: StrategyResult[] = [];

  progress('correction forest (strategy B)', 0.1);
  const corrections = await fitCorrections(input, user, split.train, base, seed, fingerprint);
  strategies.push({
    strategy: 'correction',
    available: corrections.size > 0,
    heldOut: summarize(applyCorrections(corrections, user, split.heldOut, base), measured),
  });

  let shipped: Design | null = null;
  if (input.shippedRecords && input.shippedRecords.length > 0) {
    progress('combined forest (strategy A)', 0.3);
    shipped = design(input.shippedRecords);
    const forest = await fitCombined(input, shipped, user, split.train, seed);
    const predicted = predictMs({ ...input.runtimeModel, forest }, user, split.heldOut, input.userRecords);
    strategies.push({ strategy: 'combined', available: true, heldOut: summarize(predicted, measured) });
  } else {
    strategies.push({
      strategy: 'combined',
      available: false,
      reason: 'the shipped training data is not available here (set TILECAST_DATASETS or pass --datasets)',
    });
  }
  const candidates = strategies.filter((s) => s.available && s.heldOut && Number.isFinite(s.heldOut.mdAPEPct));
  if (candidates.length === 0)
    return { ok: false, error: 'no strategy could be fitted', trainRecords: split.train.length, heldOutRecords: split.heldOut.length, before, strategies };
  candidates.sort((a, b) => a.heldOut!.mdAPEPct - b.heldOut!.mdAPEPct);
  const best = candidates[0];
  const other = candidates[1];
  const why = other
    ? `${best.strategy} has the lower median error on your ${split.heldOut.length} held-out records (${best.heldOut!.mdAPEPct.toFixed(1)}% vs ${other.heldOut!.mdAPEPct.toFixed(1)}% for ${other.strategy}; shipped model ${before.mdAPEPct.toFixed(1)}%)`
    : `${best.strategy} is the only strategy available (held-out median error ${best.heldOut!.mdAPEPct.toFixed(1)}%, shipped model ${before.mdAPEPct.toFixed(1)}%)`;

  progress(`refitting ${best.strategy} on all ${user.nRows} records`, 0.7);
  const output: RetrainOutput = {
    ok: true,
    trainRecords: split.train.length,
    heldOutRecords: split.heldOut.length,
    before,
    strategies,
    chosen: best.strategy,
    why,
    fingerprint,
  };
  if (best.strategy === 'correction') {
    const final = await fitCorrections(input, user, all, base, seed, fingerprint);
    output.corrections = [...final].map(([gpu, artifact]) => ({ gpu, artifact }));
  } else {
    const forest = await fitCombined(input, shipped!, user, all, seed);
    output.runtimeArtifact = {
      ...input.runtimeModel,
      forest,
      dataFingerprint: fingerprint,
      metrics: { ...input.runtimeModel.metrics, userHeldOut: { before, after: best.heldOut, records: user.nRows } },
      training: { ...(input.runtimeModel.training ?? {}), strategy: 'combined', userRecords: user.nRows, shippedRecords: shipped!.nRows },
    };
  }
  progress('done', 1);
  return output;
}
