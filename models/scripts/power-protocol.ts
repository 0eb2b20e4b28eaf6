// The power protocol shared by `npm run eval` (H200 <-> B200 leave-one-GPU-out) and `npm run train`
// (the shipped interval scales): forests on the power target per fold, the physics power model alone on
// the same rows, and interval scales per size band (short GEMMs' power labels are far noisier than long
// ones'), each fold's scales fitted on the other folds' held-out rows.
import type { TrainOptions } from '../training/train-forest';
import { fromTarget, type PowerTransform } from '../../server/src/model/targets';
import { gemmFlops, type GemmRecord } from '../../server/src/data/record';
import { POWER_BAND_EDGES_GFLOP, POWER_BAND_LABELS, powerBandOf } from '../../server/src/model/power-bands';
import type { Design } from '../evaluation/design-matrix';
import type { Fold } from '../evaluation/splits';
import { crossFoldScales, fitIntervalScale, neededScales } from '../evaluation/interval-scale';
import type { HeldOut } from '../evaluation/breakdown';
import { referenceOf, runFolds, type FoldRun } from './eval-protocols';
import { SEED } from './pipeline';

export interface PowerProtocolResult {
  /** Held-out predictions in W with per-band intervals (tags carry `band` and `fold`). */
  model: HeldOut;
  /** The physics power model alone on the same rows (interval = point). */
  physics: HeldOut;
  runs: FoldRun[];
  /** Per band, the scale fitted on all folds' held-out rows together (what the shipped model stores). */
  bandScales: number[];
  /** One scale over all bands, fitted on all folds together. */
  pooledScale: number;
  /** Coverage of the unscaled interval (around the shrunk mean) on the held-out rows. */
  rawCoverage: number;
  /** Correction weight λ fitted on all folds' held-out rows (what the shipped model stores). */
  lambda: number;
  /** Per fold, the λ fitted on the other folds' held-out rows (used for that fold's predictions). */
  lambdas: Map<string, number>;
}

/** λ is fitted on bands from this index up (≥ 10 GFLOP), where repeated measurements agree. */
export const RELIABLE_BAND = 2;

/** Candidate weights of the forest's correction to the physics power (0 = physics alone). */
export const POWER_LAMBDAS = [0, 0.25, 0.5, 0.75, 1];

/** The λ of POWER_LAMBDAS with the smallest median |ln(actual / predicted)| over rows `idx`. */
function fitLambda(mean: readonly number[], yy: readonly number[], idx: readonly number[]): number {
  let best = 0,
    bestErr = Infinity;
  for (const lam of POWER_LAMBDAS) {
    const e = idx
      .map((i) => Math.abs(yy[i] - lam * mean[i]))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const med = e.length ? e[e.length >> 1] : Infinity;
    if (med < bestErr - 1e-12) {
      bestErr = med;
      best = lam;
    }
  }
  return best;
}

/** Band index of each design row (from its record's GEMM size). */
export function bandsOf(d: Design, records: readonly GemmRecord[]): Int32Array {
  return Int32Array.from(d.recordIdx, (i) => powerBandOf(gemmFlops(records[i])));
}

/**
 * Held-out power predictions of `runs`: the forest's correction to the physics power weighted by λ, and
 * intervals scaled per band; each fold's λ and band scales are fitted on the other folds' held-out rows
 * (leave-one-fold-out), so no reported figure saw its own GPU. Without the physics transform λ is still
 * fitted but only matters as a multiplier of the forest's output.
 */
export function powerHeldOut(
  runs: readonly FoldRun[],
  d: Design,
  y: Float64Array,
  band: Int32Array,
  transform: PowerTransform,
  level = 0.8,
): Omit<PowerProtocolResult, 'runs'> {
  const rows: number[] = [];
  const mean: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  const yy: number[] = [];
  const foldOf: string[] = [];
  for (const r of runs) {
    for (let t = 0; t < r.testIdx.length; t++) {
      rows.push(r.testIdx[t]);
      mean.push(r.mean[t]);
      lo.push(r.lo[t]);
      hi.push(r.hi[t]);
      yy.push(y[r.testIdx[t]]);
      foldOf.push(r.name);
    }
  }
  // The correction weight: each fold's λ from the other folds' held-out rows of the reliable bands (≥ 10
  // GFLOP: below that the labels are mostly measurement noise, and a weight fitted there fits the noise);
  // the interval keeps the forest's half-widths around the shrunk mean (log space), scaled per band.
  const nBands = POWER_BAND_EDGES_GFLOP.length + 1;
  const reliable = rows.map((row, i) => (band[row] >= RELIABLE_BAND ? i : -1)).filter((i) => i >= 0);
  const folds = [...new Set(foldOf)].sort();
  const lambdas = new Map(
    folds.map(
      (f) =>
        [
          f,
          fitLambda(
            mean,
            yy,
            reliable.filter((i) => foldOf[i] !== f),
          ),
        ] as const,
    ),
  );
  const lambda = fitLambda(mean, yy, reliable);
  for (let i = 0; i < rows.length; i++) {
    const m = (lambdas.get(foldOf[i]) ?? 1) * mean[i];
    lo[i] = m - (mean[i] - lo[i]);
    hi[i] = m + (hi[i] - mean[i]);
    mean[i] = m;
  }
  const needed = neededScales(mean, lo, hi, yy);
  const rawCoverage = needed.length ? needed.filter((x) => x <= 1).length / needed.length : NaN;
  const perBand: Array<Map<string, number>> = [];
  const bandScales: number[] = [];
  for (let b = 0; b < nBands; b++) {
    const idx = rows.map((row, i) => (band[row] === b ? i : -1)).filter((i) => i >= 0);
    const nb = idx.map((i) => needed[i]);
    perBand.push(
      crossFoldScales(
        nb,
        idx.map((i) => foldOf[i]),
        level,
      ),
    );
    bandScales.push(nb.length ? fitIntervalScale(nb, level) : 1);
  }
  const model: HeldOut = { predicted: [], lo: [], hi: [], actual: [], tags: [] };
  const physics: HeldOut = { predicted: [], lo: [], hi: [], actual: [], tags: [] };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const b = band[row];
    const s = perBand[b].get(foldOf[i]) ?? 1;
    const ref = referenceOf(d, transform, row);
    const tags = { ...d.tags[row], fold: foldOf[i], band: POWER_BAND_LABELS[b] };
    model.predicted.push(fromTarget(transform, mean[i], ref));
    model.lo.push(fromTarget(transform, mean[i] - s * Math.max(0, mean[i] - lo[i]), ref));
    model.hi.push(fromTarget(transform, mean[i] + s * Math.max(0, hi[i] - mean[i]), ref));
    model.actual.push(d.powerW[row]);
    model.tags.push(tags);
    const p = d.physicsPowerW[row];
    physics.predicted.push(p);
    physics.lo.push(p);
    physics.hi.push(p);
    physics.actual.push(d.powerW[row]);
    physics.tags.push(tags);
  }
  return { model, physics, bandScales, pooledScale: fitIntervalScale(needed, level), lambda, lambdas, rawCoverage };
}

/** Fits a forest per fold on all of its training rows, predicts its held-out GPU, scales intervals per band. */
export async function runPowerProtocol(
  d: Design,
  y: Float64Array,
  records: readonly GemmRecord[],
  folds: readonly Fold[],
  forest: Omit<TrainOptions, 'seed'>,
  transform: PowerTransform,
  log: (line: string) => void,
  seed = SEED,
): Promise<PowerProtocolResult> {
  const runs = await runFolds(d, y, folds, forest, 1e9, log, seed);
  return { ...powerHeldOut(runs, d, y, bandsOf(d, records), transform), runs };
}
