// Checks the top-k choice among candidate configurations: ranked by predicted runtime within each
// problem, near-ties counted against the fastest's interval, unpredicted candidates never picked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topConfigurations } from './top-configs';

test('top configurations: the k fastest per group, in rank order, near-ties against the best interval', () => {
  const c = [
    { index: 0, group: 'A', runtimeMs: 3, runtimeHiMs: 4 },
    { index: 1, group: 'A', runtimeMs: 1, runtimeHiMs: 1.5 },
    { index: 2, group: 'B', runtimeMs: 5, runtimeHiMs: 6 },
    { index: 3, group: 'A', runtimeMs: 1.4, runtimeHiMs: 2 },
    { index: 4, group: 'A', runtimeMs: NaN, runtimeHiMs: NaN },
    { index: 5, group: 'A', runtimeMs: 1.4, runtimeHiMs: 1.9 },
  ];
  const { picks, groups } = topConfigurations(c, 3);
  assert.deepEqual(
    picks.map((p) => [p.group, p.index, p.rank, p.nearTie]),
    [
      ['A', 1, 1, true],
      ['A', 3, 2, true],
      ['A', 5, 3, true],
      ['B', 2, 1, true],
    ],
  );
  assert.deepEqual(groups, [
    { group: 'A', candidates: 4, nearTies: 3 },
    { group: 'B', candidates: 1, nearTies: 1 },
  ]);
  assert.deepEqual(topConfigurations(c, 0).picks, []);
});
