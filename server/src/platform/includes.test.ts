// readIncludes on a temporary folder: quoted includes only, relative to the including file, breadth
// first, each header once (cycles), missing ones skipped, open editors' text preferred, and a stamp
// that changes when a header's file does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { includesKey, quotedIncludes, readIncludes } from './includes';

function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-includes-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'a.cuh'), '#include "a.cuh"\n#include "c.cuh"\n#define A 1\n');
  writeFileSync(join(dir, 'c.cuh'), '#define C 3\n');
  writeFileSync(join(dir, 'sub', 'b.cuh'), '#include "../a.cuh"\n  #  include "d.cuh"\n');
  writeFileSync(join(dir, 'sub', 'd.cuh'), '#define D 4\n');
  return dir;
}

const MAIN = '#include <cuda_runtime.h>\n#include "a.cuh"\n// #include "commented.cuh"\n#include "sub/b.cuh"\n#include "missing.cuh"\nint x;\n';

test('quotedIncludes reads quoted includes at line starts only', () => {
  assert.deepEqual(quotedIncludes(MAIN), ['a.cuh', 'sub/b.cuh', 'missing.cuh']);
});

test('headers are found beside the including file, breadth first, once each, missing ones skipped', () => {
  const dir = tree();
  const headers = readIncludes(join(dir, 'main.cu'), MAIN);
  assert.deepEqual(
    headers.map((h) => [h.name, h.path]),
    [
      ['a.cuh', join(dir, 'a.cuh')],
      ['sub/b.cuh', join(dir, 'sub', 'b.cuh')],
      ['c.cuh', join(dir, 'c.cuh')],
      ['d.cuh', join(dir, 'sub', 'd.cuh')],
    ],
  );
  assert.equal(headers[2]!.text, '#define C 3\n');
});

test("an open editor's text is used instead of the file's, and the key follows the stamps", () => {
  const dir = tree();
  const path = join(dir, 'main.cu');
  const before = includesKey(readIncludes(path, MAIN));
  const open = (p: string) => (p === join(dir, 'c.cuh') ? { text: '#define C 30\n', stamp: 'open:7' } : undefined);
  const headers = readIncludes(path, MAIN, open);
  assert.equal(headers.find((h) => h.name === 'c.cuh')?.text, '#define C 30\n');
  assert.notEqual(includesKey(headers), before);
  // Rewriting a header on disk (another size) changes the key; reading again unchanged keeps it.
  assert.equal(includesKey(readIncludes(path, MAIN)), before);
  writeFileSync(join(dir, 'sub', 'd.cuh'), '#define D 40\n');
  const after = readIncludes(path, MAIN);
  assert.notEqual(includesKey(after), before);
  assert.equal(after.find((h) => h.name === 'd.cuh')?.text, '#define D 40\n');
});
