// shapeShifts: a group's reference is unchanged, every member ends at the reference's shrunk level plus its
// unshrunk difference from the reference; the median fallback, ungrouped and non-finite items.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_GROUP, shapeShifts } from './keep-shape';

const raw = [0.4, -0.2, 0.1, 0.9, NaN, 0.3];
const shrunk = [0.2, -0.1, 0.05, 0.3, 0.0, 0.3];

test('with a reference: members keep their raw differences from it, at its shrunk level', () => {
  const groups = [0, 0, 0, 0, 0, NO_GROUP];
  const s = shapeShifts(raw, shrunk, groups, [false, false, true, false, false, false]);
  assert.equal(s[2], 0, 'the reference is unchanged');
  for (const i of [0, 1, 3]) assert.ok(Math.abs(shrunk[i]! + s[i]! - (shrunk[2]! + raw[i]! - raw[2]!)) < 1e-12, `item ${i}`);
  assert.equal(s[4], 0, 'no correction: no shift');
  assert.equal(s[5], 0, 'ungrouped: no shift');
  // The order within the group is the raw correction's.
  const corrected = [0, 1, 2, 3].map((i) => shrunk[i]! + s[i]!);
  assert.deepEqual(
    [0, 1, 2, 3].sort((a, b) => corrected[a]! - corrected[b]!),
    [0, 1, 2, 3].sort((a, b) => raw[a]! - raw[b]!),
  );
});

test('without a reference the median member sets the level; a group kept whole (shrunk = raw) is unchanged', () => {
  // Raw corrections of group 0: 0.4, -0.2, 0.1, 0.9: the lower middle one is 0.1 (item 2).
  const s = shapeShifts(raw, shrunk, [0, 0, 0, 0, NO_GROUP, NO_GROUP]);
  assert.equal(s[2], 0);
  assert.ok(Math.abs(shrunk[3]! + s[3]! - (shrunk[2]! + 0.8)) < 1e-12);
  const whole = shapeShifts(raw, raw, [1, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(whole), [0, 0, 0, 0, 0, 0]);
  // Two groups are ranked separately: item 5 alone in its group is its own reference.
  const two = shapeShifts(raw, shrunk, [0, 0, 1, 1, NO_GROUP, 2]);
  assert.equal(two[5], 0);
  assert.ok(Math.abs(shrunk[3]! + two[3]! - (shrunk[2]! + raw[3]! - raw[2]!)) < 1e-12, 'group 1: median of two is the lower (item 2)');
});
