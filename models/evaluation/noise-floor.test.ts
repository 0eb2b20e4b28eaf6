// Tests of the measurement noise floor on a hand-computed example. No I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seriesDisagreement } from './noise-floor';

test('seriesDisagreement compares the first two series of every key measured twice', () => {
  const rows = seriesDisagreement([
    { key: 's1', series: 'v1', slice: 'x', value: 110 },
    { key: 's1', series: 'v2', slice: 'x', value: 100 }, // |110-100|/100 = 10%
    { key: 's1', series: 'v3', slice: 'x', value: 999 }, // third series ignored
    { key: 's2', series: 'v2', slice: 'x', value: 50 },
    { key: 's2', series: 'v1', slice: 'x', value: 40 }, // v1 first: |40-50|/50 = 20%
    { key: 's3', series: 'v1', slice: 'x', value: 7 }, // measured once: ignored
  ]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].n, 2);
  assert.ok(Math.abs(rows[0].medianPct - 15) < 1e-9);
});
