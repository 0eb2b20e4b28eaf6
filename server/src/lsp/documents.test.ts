// The one edit that brings the parser's text up to date after a burst of changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { differingSpan } from './documents';

const apply = (before: string, edit: { start: number; end: number; newText: string } | null) =>
  edit ? before.slice(0, edit.start) + edit.newText + before.slice(edit.end) : before;

test('differingSpan turns the old text into the new one, covering only what changed', () => {
  const cases: Array<[string, string]> = [
    ['abc', 'abc'],
    ['', 'x'],
    ['x', ''],
    ['abcdef', 'abXdef'],
    ['aaaa', 'aaaaa'],
    ['aaaa', 'aaa'],
    ['#define TILE 16\nk<<<1,1>>>();', '#define TILE 32\nk<<<1,1>>>(); // x'],
    ['ab', 'ba'],
  ];
  for (const [before, after] of cases) {
    const edit = differingSpan(before, after);
    assert.equal(apply(before, edit), after, `${before} -> ${after}`);
  }
  assert.equal(differingSpan('same', 'same'), null);
  assert.deepEqual(differingSpan('abcdef', 'abXdef'), { start: 2, end: 3, newText: 'X' });
});

test('differingSpan on random pairs reproduces the new text', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const word = () => Array.from({ length: Math.floor(random() * 12) }, () => 'ab\n<'[Math.floor(random() * 4)]).join('');
  for (let i = 0; i < 2000; i++) {
    const before = word();
    const after = word();
    assert.equal(apply(before, differingSpan(before, after)), after);
  }
});
