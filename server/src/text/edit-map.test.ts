// olderOffset / newerOffset against texts edited at random: every character the edits left alone maps
// to itself in both directions, inserted text maps to -1, replaced text to where its replacement starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newerOffset, olderOffset, type OffsetEdit } from './edit-map';

test('offsets round-trip around many separate edits, and inserted text has no older offset', () => {
  let seed = 5;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let round = 0; round < 300; round++) {
    const before = Array.from({ length: 20 + Math.floor(random() * 60) }, (_, i) => String.fromCharCode(65 + (i % 26))).join('');
    // Each original character carries its index; inserted ones carry -1.
    let owners: number[] = [...before].map((_, i) => i);
    const edits: OffsetEdit[] = [];
    for (let e = 0; e < 1 + Math.floor(random() * 6); e++) {
      const start = Math.floor(random() * (owners.length + 1));
      const end = Math.min(owners.length, start + Math.floor(random() * 4));
      const insertedLength = Math.floor(random() * 4);
      owners = [...owners.slice(0, start), ...Array(insertedLength).fill(-1), ...owners.slice(end)];
      edits.push({ start, end, insertedLength });
    }
    owners.forEach((owner, offset) => {
      assert.equal(olderOffset(edits, offset), owner, `round ${round}: offset ${offset} of the edited text`);
      if (owner >= 0) assert.equal(newerOffset(edits, owner), offset, `round ${round}: original ${owner}`);
    });
  }
});

test('a replaced character maps forward to where its replacement starts; no edits change nothing', () => {
  const edits: OffsetEdit[] = [{ start: 2, end: 5, insertedLength: 1 }];
  assert.equal(newerOffset(edits, 3), 2);
  assert.equal(newerOffset(edits, 5), 3);
  assert.equal(olderOffset(edits, 2), -1);
  assert.equal(olderOffset(edits, 3), 5);
  assert.equal(olderOffset([], 7), 7);
  assert.equal(newerOffset([], 7), 7);
});
