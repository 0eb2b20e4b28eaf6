import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from './line-index';

test('positions and offsets round-trip across LF and CRLF lines', () => {
  const text = 'ab\ncd\r\nef\rg';
  const index = new LineIndex(text);
  assert.equal(index.lineCount, 4);
  assert.deepEqual(index.positionAt(0), { line: 0, character: 0 });
  assert.deepEqual(index.positionAt(4), { line: 1, character: 1 });
  assert.deepEqual(index.positionAt(7), { line: 2, character: 0 });
  assert.deepEqual(index.positionAt(10), { line: 3, character: 0 });
  for (let offset = 0; offset <= text.length; offset++) {
    if (text[offset - 1] === '\r' && text[offset] === '\n') continue; // between CR and LF is not a position
    assert.equal(index.offsetAt(index.positionAt(offset)), offset, `offset ${offset}`);
  }
});

test('out-of-range input is clamped, not thrown', () => {
  const index = new LineIndex('one\ntwo');
  assert.deepEqual(index.positionAt(-5), { line: 0, character: 0 });
  assert.deepEqual(index.positionAt(1e9), { line: 1, character: 3 });
  assert.deepEqual(index.positionAt(Number.NaN), { line: 0, character: 0 });
  assert.equal(index.offsetAt({ line: 99, character: 0 }), 7);
  assert.equal(index.offsetAt({ line: 0, character: 99 }), 3);
  assert.equal(index.lineNumberAt(5), 2);
});
