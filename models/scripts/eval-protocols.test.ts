// Tests of the runtime protocol's interval calibration: rows the applicability check flags as
// extrapolating (their interval already widened) and the rest each get a scale fitted to the nominal
// coverage on the other folds, so neither group is over- or under-covered to balance the other.
// Synthetic folds; no data files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Design } from '../evaluation/design-matrix';
import { heldOutOf, rankedHeldOut, type FoldRun } from './eval-protocols';

/** Two folds (GPUs a, b) of n rows inside the domain (interval ±1) and n flagged (interval ±2); errors spread evenly over ±1. */
function setup(n: number) {
  const rows = 2 * 2 * n;
  const y = new Float64Array(rows);
  const tags: Array<Record<string, string>> = [];
  const runs: FoldRun[] = [];
  const flags = new Map<string, boolean[]>();
  for (const [f, gpu] of ['a', 'b'].entries()) {
    const idx: number[] = [];
    const half: number[] = [];
    const flagged: boolean[] = [];
    for (let g = 0; g < 2; g++) {
      for (let i = 0; i < n; i++) {
        const row = f * 2 * n + g * n + i;
        y[row] = -1 + (2 * (i + 0.5)) / n;
        tags.push({ gpu });
        idx.push(row);
        half.push(g === 0 ? 1 : 2);
        flagged.push(g === 1);
      }
    }
    const mean = new Float64Array(idx.length);
    runs.push({ name: gpu, testIdx: Int32Array.from(idx), mean, lo: Float64Array.from(half, (h) => -h), hi: Float64Array.from(half), nTrain: 1, fitMs: 0 });
    flags.set(gpu, flagged);
  }
  const d = { tags, analyticMs: new Float64Array(rows).fill(1), runtimeMs: Float64Array.from(y, Math.exp) } as unknown as Design;
  return { d, y, runs, flags };
}

function coverage(h: { actual: number[]; lo: number[]; hi: number[] }, pick: (i: number) => boolean): number {
  let n = 0;
  let inside = 0;
  h.actual.forEach((a, i) => {
    if (!pick(i)) return;
    n++;
    if (a >= h.lo[i] - 1e-12 && a <= h.hi[i] + 1e-12) inside++;
  });
  return inside / n;
}

test('heldOutOf: flagged and unflagged rows each get the scale that covers 80% of them', () => {
  const { d, y, runs, flags } = setup(200);
  const split = heldOutOf(runs, d, y, { transform: 'log-ratio-to-analytic', calibrateTo: 0.8, extrapolating: flags });
  assert.ok(Math.abs(split.pooledScale - 0.8) < 0.02, `in-domain scale ${split.pooledScale}`);
  assert.ok(Math.abs(split.pooledExtrapolatingScale - 0.4) < 0.02, `extrapolating scale ${split.pooledExtrapolatingScale}`);
  const flaggedRow = (i: number) => Math.floor(i / 200) % 2 === 1;
  for (const [what, pick] of [
    ['inside', (i: number) => !flaggedRow(i)],
    ['flagged', flaggedRow],
  ] as const) {
    const c = coverage(split.heldOut, pick);
    assert.ok(Math.abs(c - 0.8) < 0.03, `${what}: coverage ${c}`);
  }
  // One pooled scale instead: the flagged rows are all covered and the others fall short of 80%.
  const one = heldOutOf(runs, d, y, { transform: 'log-ratio-to-analytic', calibrateTo: 0.8 });
  assert.equal(coverage(one.heldOut, flaggedRow), 1);
  assert.ok(coverage(one.heldOut, (i) => !flaggedRow(i)) < 0.7);
});

test('rankedHeldOut: each problem of a GPU is one group around its median row, its raw differences kept, the overhead left as it is', () => {
  // One fold, GPU a: problem p1 (rows 0-2) and p2 (rows 3-4); raw corrections and a shrink to 0.2 of them.
  const raw = Float64Array.from([0.5, -0.5, 0.1, 0.3, 0.9]);
  const shrunk = raw.map((c) => 0.2 * c);
  const tags = ['p1', 'p1', 'p1', 'p2', 'p2'].map((problem) => ({ gpu: 'a', source: 's', kernel: 'k', dtype: 'fp32', problem }));
  const analyticMs = Float64Array.from([1, 2, 3, 4, 5]);
  const d = { tags, analyticMs } as unknown as Design;
  const run = (mean: Float64Array): FoldRun => ({ name: 'a', testIdx: Int32Array.from([0, 1, 2, 3, 4]), mean, lo: mean, hi: mean, nTrain: 1, fitMs: 0 });
  const overheadMs = 0.25;
  const predicted = Array.from(shrunk, (m, i) => analyticMs[i] * Math.exp(m) + overheadMs);
  const h = { predicted, lo: predicted.map((p) => p * 0.9), hi: predicted.map((p) => p * 1.1), actual: predicted, tags };
  const r = rankedHeldOut(d, [run(raw)], [run(shrunk)], h, () => overheadMs);
  // p1's median raw correction is row 2's (0.1), p2's lower middle is row 3's (0.3): both unchanged.
  assert.equal(r.predicted[2], predicted[2]);
  assert.equal(r.predicted[3], predicted[3]);
  const device = (i: number) => r.predicted[i] - overheadMs;
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(Math.log(device(0) / analyticMs[0]) - Math.log(device(2) / analyticMs[2]), raw[0] - raw[2]);
  close(Math.log(device(1) / analyticMs[1]) - Math.log(device(2) / analyticMs[2]), raw[1] - raw[2]);
  close(Math.log(device(4) / analyticMs[4]) - Math.log(device(3) / analyticMs[3]), raw[4] - raw[3]);
  // Intervals move with their rows; the measured times are untouched.
  for (let i = 0; i < 5; i++) assert.ok(r.lo[i] < r.predicted[i] && r.predicted[i] < r.hi[i]);
  assert.deepEqual(r.actual, h.actual);
});
