// Tests of the evaluation metrics on hand-computed examples (APE summaries, coverage, Spearman, regret).
// No I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apePct, averageRanks, intervalCoverage, pearson, quantile, spearman, summarizeApe, topKRegretPct } from './metrics';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test('apePct is |p - a| / a in percent and NaN for non-positive actuals', () => {
  close(apePct(110, 100), 10);
  close(apePct(90, 100), 10);
  close(apePct(3, 2), 50);
  assert.ok(Number.isNaN(apePct(1, 0)));
  assert.ok(Number.isNaN(apePct(1, -1)));
  assert.ok(Number.isNaN(apePct(NaN, 1)));
});

test('quantile interpolates linearly between order statistics (type 7)', () => {
  close(quantile([1, 2, 3, 4], 0.5), 2.5);
  close(quantile([4, 1, 3, 2], 0.9), 3.7); // h = 3 * 0.9 = 2.7 -> 3 + 0.7 * (4 - 3)
  close(quantile([5], 0.9), 5);
  assert.ok(Number.isNaN(quantile([], 0.5)));
  close(quantile([NaN, 1, 3], 0.5), 2); // non-finite values ignored
});

test('summarizeApe: median, mean and p90 of hand-computed errors', () => {
  // errors: 10, 20, 0, 50, 30 (%)
  const s = summarizeApe([110, 80, 5, 3, 13], [100, 100, 5, 2, 10]);
  assert.equal(s.n, 5);
  close(s.medianPct, 20);
  close(s.meanPct, 22);
  close(s.p90Pct, 42); // sorted 0,10,20,30,50; h = 3.6 -> 30 + 0.6*20
});

test('summarizeApe skips pairs with non-positive actual or non-finite prediction', () => {
  const s = summarizeApe([1, NaN, 2], [0, 1, 1]);
  assert.equal(s.n, 1);
  close(s.medianPct, 100);
});

test('intervalCoverage counts inclusive hits', () => {
  close(intervalCoverage([0, 0, 0, 0], [1, 1, 1, 1], [0.5, 1, 1.5, -0.1]), 0.5);
  assert.ok(Number.isNaN(intervalCoverage([], [], [])));
});

test('averageRanks gives ties the mean rank', () => {
  assert.deepEqual(Array.from(averageRanks([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
});

test('spearman: monotone = 1, reversed = -1, hand example with a tie', () => {
  close(spearman([1, 2, 3, 4], [10, 100, 1000, 10000]), 1);
  close(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // ranks a = 1,2,3,4,5; b = 2,1,4,3,5 -> d^2 sum = 4 -> 1 - 6*4/(5*24) = 0.8
  close(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.8, 1e-12);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
});

test('topKRegretPct: 0 when the best is in the predicted top k, else the relative loss', () => {
  const measured = [10, 12, 8, 20];
  // predicted order: idx 3, 1, 0, 2 -> top-1 picks 20 ms vs best 8 -> 150%
  const predicted = [3, 2, 4, 1];
  close(topKRegretPct(predicted, measured, 1), 150);
  close(topKRegretPct(predicted, measured, 2), 50); // best of 20, 12
  close(topKRegretPct(predicted, measured, 3), 25); // best of 20, 12, 10
  close(topKRegretPct(predicted, measured, 4), 0);
  close(topKRegretPct(measured, measured, 1), 0);
});
