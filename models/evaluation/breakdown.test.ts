// Tests of the per-slice breakdown: slices group held-out rows by tag and summarise them correctly.
// No I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendHeldOut, breakdownBy, emptyHeldOut, sliceTable, summarizeHeldOut } from './breakdown';

test('breakdownBy summarises each slice on its own rows', () => {
  const h = emptyHeldOut();
  appendHeldOut(h, {
    predicted: [110, 50, 12, 9],
    lo: [100, 40, 11, 9.5],
    hi: [120, 60, 13, 11],
    actual: [100, 100, 10, 10],
    tags: [{ source: 'a' }, { source: 'a' }, { source: 'b' }, { source: 'b' }],
  });
  const rows = breakdownBy(h, (t) => t.source);
  assert.deepEqual(
    rows.map((r) => r.slice),
    ['a', 'b'],
  );
  assert.equal(rows[0].medianPct, 30); // errors 10, 50
  assert.equal(rows[0].coverage, 0.5); // 100 in [100,120]; 100 not in [40,60]
  assert.ok(Math.abs(rows[1].medianPct - 15) < 1e-9); // errors 20, 10
  assert.equal(rows[1].coverage, 0.5);
  const all = summarizeHeldOut(h);
  assert.equal(all.n, 4);
  assert.match(sliceTable(rows), /\| a \| 2 \| 30\.0 \|/);
});
