// Include folders from compile_commands.json: shell words, the include flags (not -isystem), the file's
// own entry or one in its folder, the nearest database above the file (or in build/), and nothing (no
// error) from a malformed or missing database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseIncludeDirs, findDatabase, includeDirsOf, shellWords } from './compile-commands';

test('shellWords splits as a POSIX shell does, quotes and backslashes included', () => {
  assert.deepEqual(shellWords(`nvcc -I"my dir" -I 'a b' -DX=\\"y\\" c\\ d.cu  -o x`), ['nvcc', '-Imy dir', '-I', 'a b', '-DX="y"', 'c d.cu', '-o', 'x']);
});

test('include flags in every spelling, relative to the entry directory; -isystem left out', () => {
  assert.deepEqual(
    includeDirsOf(
      ['nvcc', '-Iinc', '-I', '/abs', '-iquote', 'q', '--include-path=p', '-isystem', '/usr/local/cuda/include', '-idirafter', 'late', '-c', 'x.cu'],
      '/proj/build',
    ),
    ['/proj/build/inc', '/abs', '/proj/build/q', '/proj/build/p', '/proj/build/late'],
  );
});

test('the nearest database (or build/compile_commands.json) gives the file its entry, a header its folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'tilecast-ccdb-'));
  mkdirSync(join(root, 'src', 'kernels'), { recursive: true });
  mkdirSync(join(root, 'build'));
  writeFileSync(
    join(root, 'build', 'compile_commands.json'),
    JSON.stringify([
      {
        directory: join(root, 'build'),
        file: '../src/main.cu',
        command: `nvcc -I../include -I"${join(root, 'third party')}" -isystem /usr/include -c ../src/main.cu`,
      },
      { directory: join(root, 'build'), file: join(root, 'src', 'kernels', 'k.cu'), arguments: ['nvcc', '-I', 'gen', '-c', 'k.cu'] },
    ]),
  );
  assert.equal(findDatabase(join(root, 'src', 'main.cu')), join(root, 'build', 'compile_commands.json'));
  assert.deepEqual(databaseIncludeDirs(join(root, 'src', 'main.cu')), [join(root, 'include'), join(root, 'third party')]);
  assert.deepEqual(databaseIncludeDirs(join(root, 'src', 'kernels', 'k.cu')), [join(root, 'build', 'gen')]);
  // A header has no entry: it takes its folder's entry; a file in a folder without entries gets nothing.
  assert.deepEqual(databaseIncludeDirs(join(root, 'src', 'kernels', 'k.cuh')), [join(root, 'build', 'gen')]);
  assert.deepEqual(databaseIncludeDirs(join(root, 'other.cu')), []);
});

test('a malformed database gives no folders and no error', () => {
  const root = mkdtempSync(join(tmpdir(), 'tilecast-ccdb-'));
  writeFileSync(join(root, 'compile_commands.json'), '{ not json');
  assert.deepEqual(databaseIncludeDirs(join(root, 'main.cu')), []);
  writeFileSync(join(root, 'compile_commands.json'), JSON.stringify([{ file: 7 }, null, { file: 'main.cu', arguments: [1, '-Iok'] }]));
  assert.deepEqual(databaseIncludeDirs(join(root, 'main.cu')), [join(root, 'ok')]);
});

test('a named database folder (clangd --compile-commands-dir) is the only place looked at', () => {
  const root = mkdtempSync(join(tmpdir(), 'tilecast-ccdb-'));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'out', 'release'), { recursive: true });
  // The nearest database says one thing, the named one another.
  writeFileSync(
    join(root, 'compile_commands.json'),
    JSON.stringify([{ directory: root, file: 'src/main.cu', arguments: ['nvcc', '-Inear', '-c', 'src/main.cu'] }]),
  );
  const named = join(root, 'out', 'release');
  writeFileSync(
    join(named, 'compile_commands.json'),
    JSON.stringify([{ directory: named, file: '../../src/main.cu', arguments: ['nvcc', '-I../../far', '-c', '../../src/main.cu'] }]),
  );
  const main = join(root, 'src', 'main.cu');
  assert.deepEqual(databaseIncludeDirs(main), [join(root, 'near')]);
  assert.deepEqual(databaseIncludeDirs(main, null, named), [join(root, 'far')]);
  assert.equal(findDatabase(main, null, named), join(named, 'compile_commands.json'));
  // A named folder without a database gives none, not the nearest.
  assert.equal(findDatabase(main, null, join(root, 'src')), null);
  assert.deepEqual(databaseIncludeDirs(main, null, join(root, 'src')), []);
});
