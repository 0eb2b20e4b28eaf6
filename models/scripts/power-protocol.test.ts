// Tests of the power protocol's held-out figures: the correction weight λ is fitted on the other fold's
// rows of the reliable bands (≥ 10 GFLOP) only, and interval scales are fitted per size band on the other
// fold, so a noisy band gets a wider interval than a quiet one. Synthetic folds; no data files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Design } from '../evaluation/design-matrix';
import type { FoldRun } from './eval-protocols';
import { powerHeldOut } from './power-protocol';

/** Two folds (GPUs a, b) of `perBand` rows in each of the 4 bands; physics 500 W everywhere. */
function setup(truth: (band: number, i: number) => number, forest: (band: number, i: number) => number, halfWidth: number) {
  const perBand = 40;
  const n = 2 * 4 * perBand;
  const band = new Int32Array(n);
  const y = new Float64Array(n);
  const powerW = new Float64Array(n);
  const tags: Array<Record<string, string>> = [];
  const runs: FoldRun[] = [];
  for (const [f, gpu] of ['a', 'b'].entries()) {
    const idx: number[] = [];
    const mean: number[] = [];
    for (let b = 0; b < 4; b++) {
      for (let i = 0; i < perBand; i++) {
        const row = f * 4 * perBand + b * perBand + i;
        band[row] = b;
        y[row] = truth(b, i);
        powerW[row] = 500 * Math.exp(y[row]);
        tags.push({ gpu });
        idx.push(row);
        mean.push(forest(b, i));
      }
    }
    runs.push({
      name: gpu,
      testIdx: Int32Array.from(idx),
      mean: Float64Array.from(mean),
      lo: Float64Array.from(mean, (m) => m - halfWidth),
      hi: Float64Array.from(mean, (m) => m + halfWidth),
      nTrain: 0,
      fitMs: 0,
    });
  }
  const d = { nRows: n, tags, powerW, physicsPowerW: new Float64Array(n).fill(500), powerLimitW: new Float64Array(n).fill(1000) } as unknown as Design;
  return powerHeldOut(runs, d, y, band, 'log-ratio-to-physics-power');
}

test('λ is fitted on rows ≥ 10 GFLOP only, not on the noisy short GEMMs', () => {
  // Short GEMMs: the forest's correction (0.3) is exactly right; ≥ 10 GFLOP: the truth is 0.1. Fitted on the
  // reliable bands λ = 0.25 (error 0.025); fitted on all rows it would be 0.75 (median error 0.125).
  const r = setup(
    (b) => (b < 2 ? 0.3 : 0.1),
    () => 0.3,
    0.1,
  );
  assert.equal(r.lambda, 0.25);
  assert.deepEqual([...r.lambdas.values()], [0.25, 0.25]);
  const i = r.model.tags.findIndex((t) => t.band === '≥ 100 GFLOP');
  assert.ok(Math.abs(r.model.predicted[i] - 500 * Math.exp(0.075)) < 1e-9, `${r.model.predicted[i]}`);
  // A correction that is wrong where labels are reliable gets no weight: the physics alone.
  const bad = setup(
    (b) => (b < 2 ? 0.3 : 0),
    () => 0.3,
    0.1,
  );
  assert.equal(bad.lambda, 0);
});

test('interval scales are per size band and come from the other fold', () => {
  // Truth scatters ±0.4 in the smallest band and ±0.02 in the largest; the forest says 0 with half-width 0.1.
  const spread = [0.4, 0.2, 0.05, 0.02];
  const r = setup(
    (b, i) => spread[b] * ((i % 10) / 4.5 - 1),
    () => 0,
    0.1,
  );
  assert.ok(r.bandScales[0] > 3 && r.bandScales[3] < 0.3, r.bandScales.join(', '));
  for (const label of ['< 1 GFLOP', '≥ 100 GFLOP']) {
    const rows = r.model.tags.map((t, i) => (t.band === label ? i : -1)).filter((i) => i >= 0);
    const covered = rows.filter((i) => r.model.lo[i] <= r.model.actual[i] && r.model.actual[i] <= r.model.hi[i]).length;
    const coverage = covered / rows.length;
    assert.ok(coverage >= 0.7 && coverage <= 0.9, `${label}: ${coverage}`);
  }
});
