// Tests of the interval calibration helpers on hand-computed examples. No I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossFoldScales, fitIntervalScale, neededScales } from './interval-scale';

test('neededScales is the distance ratio on the side of the actual value', () => {
  const s = neededScales([0, 0, 0, 0], [-1, -2, -1, 0], [1, 2, 1, 1], [0.5, -4, 0, -1]);
  assert.deepEqual(Array.from(s), [0.5, 2, 0, Infinity]);
});

test('fitIntervalScale covers the target fraction; infinite rows count as uncovered', () => {
  const needed = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
  const s = fitIntervalScale(needed, 0.8);
  assert.ok(Math.abs(s - 0.82) < 1e-9); // type-7 quantile at 0.8 of 10 values: 0.8 + 0.2 * 0.1
  const covered = needed.filter((v) => v <= s).length / needed.length;
  assert.equal(covered, 0.8);
  assert.ok(fitIntervalScale([0.5, Infinity], 0.5) >= 0.5);
  assert.equal(fitIntervalScale([], 0.8), 1);
});

test('crossFoldScales never uses the fold it is for', () => {
  const needed = [1, 1, 1, 5, 5, 5];
  const folds = ['a', 'a', 'a', 'b', 'b', 'b'];
  const s = crossFoldScales(needed, folds, 0.8);
  assert.equal(s.get('a'), 5);
  assert.equal(s.get('b'), 1);
});
