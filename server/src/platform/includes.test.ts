// readIncludes on a temporary folder: quoted includes relative to the including file, then the include
// folders; `<...>` includes in the include folders only; breadth first, each header once (cycles), missing
// ones skipped, open editors' text preferred, and a stamp that changes when a header's file does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { includeNames, includesKey, readIncludes } from './includes';

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

test('includeNames reads includes at line starts only, quoted or angled', () => {
  assert.deepEqual(
    includeNames(MAIN).map((i) => `${i.angled ? '<' : '"'}${i.name}`),
    ['<cuda_runtime.h', '"a.cuh', '"sub/b.cuh', '"missing.cuh'],
  );
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
  const headers = readIncludes(path, MAIN, { open });
  assert.equal(headers.find((h) => h.name === 'c.cuh')?.text, '#define C 30\n');
  assert.notEqual(includesKey(headers), before);
  // Rewriting a header on disk (another size) changes the key; reading again unchanged keeps it.
  assert.equal(includesKey(readIncludes(path, MAIN)), before);
  writeFileSync(join(dir, 'sub', 'd.cuh'), '#define D 40\n');
  const after = readIncludes(path, MAIN);
  assert.notEqual(includesKey(after), before);
  assert.equal(after.find((h) => h.name === 'd.cuh')?.text, '#define D 40\n');
});

test("include folders: quoted names fall back to them, angled names are looked up only there, the file's folder first", () => {
  const dir = tree();
  mkdirSync(join(dir, 'inc'));
  mkdirSync(join(dir, 'inc', 'lib'));
  writeFileSync(join(dir, 'inc', 'lib', 'gemm.cuh'), '#define FROM_INC 1\n');
  writeFileSync(join(dir, 'inc', 'missing.cuh'), '#define FOUND_IN_INC 1\n');
  writeFileSync(join(dir, 'inc', 'c.cuh'), '#define SHADOWED 1\n');
  const text = '#include <lib/gemm.cuh>\n#include <cuda_runtime.h>\n#include "missing.cuh"\n#include "c.cuh"\n';
  const path = join(dir, 'main.cu');
  // Without include folders: the angled include is not read; "missing.cuh" is missing; c.cuh is the one beside the file.
  assert.deepEqual(
    readIncludes(path, text).map((h) => h.path),
    [join(dir, 'c.cuh')],
  );
  assert.deepEqual(
    readIncludes(path, text, { includeDirs: [join(dir, 'inc')] }).map((h) => h.path),
    [join(dir, 'inc', 'lib', 'gemm.cuh'), join(dir, 'inc', 'missing.cuh'), join(dir, 'c.cuh')],
  );
});

test('includeNames leaves out includes no compiler reads (#if 0, #else of #if 1) and keeps both sides of conditions it cannot know', () => {
  const text = [
    '#include "always.cuh"',
    '#if 0',
    '#include "old.cuh"',
    '#  if 1',
    '#include "nested-old.cuh"',
    '#  endif',
    '#else',
    '#include "new.cuh"',
    '#endif',
    '#if 1 // kept',
    '#include "one.cuh"',
    '#elif 1',
    '#include "elif-after-one.cuh"',
    '#else',
    '#include "else-after-one.cuh"',
    '#endif',
    '#ifdef USE_CUTLASS',
    '#include "cutlass_tiles.cuh"',
    '#else',
    '#include "plain_tiles.cuh"',
    '#endif',
    '#if 0',
    '#elif __CUDA_ARCH__ >= 800',
    '#include "sm80.cuh"',
    '#endif',
    '#endif',
    '#include "after-stray-endif.cuh"',
  ].join('\n');
  assert.deepEqual(
    includeNames(text).map((i) => i.name),
    ['always.cuh', 'new.cuh', 'one.cuh', 'cutlass_tiles.cuh', 'plain_tiles.cuh', 'sm80.cuh', 'after-stray-endif.cuh'],
  );
});
