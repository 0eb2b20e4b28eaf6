// readImports on a temporary package: relative imports from the file's package, absolute ones beside the
// file, above its topmost package and in the search folders; submodules named in `from . import x`;
// packages' `__init__.py`; names found nowhere skipped; open editors' text preferred.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importedModuleNames, readImports } from './python-imports';

const SOURCE = `import torch, triton
import triton.language as tl
from .kernels import mm
from . import util as U
from ..shared import helpers
from proj.ops import matmul as pm
import layers.attention
import sibling
if True:
    from tools import (
        tuned,  # a comment
        plain as p,
    )
# import commented
x = "from fake import y"
`;

test('importedModuleNames lists each module an import may name, as the analysis qualifies it', () => {
  assert.deepEqual(importedModuleNames(SOURCE), [
    '.kernels',
    '.kernels.mm',
    '.util',
    '..shared',
    '..shared.helpers',
    'proj.ops',
    'proj.ops.matmul',
    'tools',
    'tools.tuned',
    'tools.plain',
    'torch',
    'triton',
    'triton.language',
    'layers.attention',
    'sibling',
  ]);
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-imports-'));
  for (const folder of ['proj/ops', 'proj/shared', 'layers', 'extra']) mkdirSync(join(dir, folder), { recursive: true });
  for (const file of ['proj/__init__.py', 'proj/ops/__init__.py', 'proj/shared/__init__.py']) writeFileSync(join(dir, file), '');
  writeFileSync(join(dir, 'proj/ops/kernels.py'), 'K = 1\n');
  writeFileSync(join(dir, 'proj/ops/util.py'), 'U = 2\n');
  writeFileSync(join(dir, 'proj/ops/matmul.py'), 'M = 3\n');
  writeFileSync(join(dir, 'proj/ops/sibling.py'), 'S = 4\n');
  writeFileSync(join(dir, 'proj/shared/helpers.py'), 'H = 5\n');
  writeFileSync(join(dir, 'layers/attention.py'), 'A = 6\n');
  writeFileSync(join(dir, 'extra/tools.py'), 'T = 7\n');
  return dir;
}

test('modules are found relative to the package, beside the file, above the topmost package and in the search folders', () => {
  const dir = project();
  const modules = readImports(join(dir, 'proj/ops/main.py'), SOURCE, { searchDirs: [join(dir, 'extra')] });
  assert.deepEqual(
    modules.map((m) => [m.name, m.path.slice(dir.length + 1), m.text]),
    [
      ['.kernels', 'proj/ops/kernels.py', 'K = 1\n'],
      ['.util', 'proj/ops/util.py', 'U = 2\n'],
      ['..shared', 'proj/shared/__init__.py', ''],
      ['..shared.helpers', 'proj/shared/helpers.py', 'H = 5\n'],
      ['proj.ops', 'proj/ops/__init__.py', ''],
      ['proj.ops.matmul', 'proj/ops/matmul.py', 'M = 3\n'],
      ['tools', 'extra/tools.py', 'T = 7\n'],
      ['layers.attention', 'layers/attention.py', 'A = 6\n'],
      ['sibling', 'proj/ops/sibling.py', 'S = 4\n'],
    ],
  );
  // Without the search folder, `tools` is found nowhere; torch and triton never are.
  assert.ok(!readImports(join(dir, 'proj/ops/main.py'), SOURCE).some((m) => m.name === 'tools' || m.name === 'torch'));
});

test("an open editor's text of a module is used instead of the file's, with its stamp", () => {
  const dir = project();
  const path = join(dir, 'proj/ops/kernels.py');
  const open = (p: string) => (p === path ? { text: 'K = 10\n', stamp: 'open:3' } : undefined);
  const kernels = readImports(join(dir, 'proj/ops/main.py'), 'from .kernels import mm\n', { open }).find((m) => m.name === '.kernels');
  assert.deepEqual([kernels?.text, kernels?.stamp], ['K = 10\n', 'open:3']);
});

test('only the first 64 module names are looked up: a file of hundreds of imports costs a bounded number of stats', () => {
  const dir = project();
  const many = Array.from({ length: 200 }, (_, i) => `import missing_${i}`).join('\n');
  const names = importedModuleNames(`${many}\nimport sibling\n`);
  assert.equal(names.length, 201);
  assert.deepEqual(readImports(join(dir, 'proj/ops/main.py'), `${many}\nimport sibling\n`), [], 'sibling is the 201st name');
  assert.deepEqual(
    readImports(join(dir, 'proj/ops/main.py'), `import sibling\n${many}\n`).map((m) => m.name),
    ['sibling'],
  );
});

/** A temporary package app/ with app/gemm/kernels.py defining matmul_kernel, plus `files`; `names` reads app/main.py's imports. */
function gemmPackage(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-gemm-package-'));
  mkdirSync(join(dir, 'app/gemm'), { recursive: true });
  const all = { 'app/__init__.py': '', 'app/gemm/kernels.py': 'import triton\n@triton.jit\ndef matmul_kernel(a): pass\n', ...files };
  for (const [path, text] of Object.entries(all)) writeFileSync(join(dir, path), text);
  const names = (text: string) => readImports(join(dir, 'app/main.py'), text).map((m) => [m.name, m.path.slice(dir.length + 1)]);
  return { dir, names };
}

test('a name a package (or module) only re-exports leads to the module that defines it, and no further than needed', () => {
  const { names } = gemmPackage({
    'app/gemm/__init__.py': 'from .kernels import matmul_kernel as mm\nfrom .unused import other\n',
    'app/gemm/unused.py': 'other = 1\n',
    'app/facade.py': 'from .gemm import mm as fast\n',
  });
  // The package re-exports mm from its kernels module: read it (named as this file would), not `unused`.
  assert.deepEqual(names('from .gemm import mm\n'), [
    ['.gemm', 'app/gemm/__init__.py'],
    ['.gemm.kernels', 'app/gemm/kernels.py'],
  ]);
  // Two re-exports deep, through a plain module: its relative import is of its own folder.
  assert.deepEqual(names('from .facade import fast\n'), [
    ['.facade', 'app/facade.py'],
    ['.gemm', 'app/gemm/__init__.py'],
    ['.gemm.kernels', 'app/gemm/kernels.py'],
  ]);
  // A name the package defines itself, or does not have, reads nothing more.
  assert.deepEqual(names('from .gemm import missing\n'), [['.gemm', 'app/gemm/__init__.py']]);
});

test('star imports: a name a package star-imports, and the modules a star-imported module star-imports, are read', () => {
  const { dir, names } = gemmPackage({ 'app/gemm/__init__.py': 'from .kernels import *\n' });
  const both = [
    ['.gemm', 'app/gemm/__init__.py'],
    ['.gemm.kernels', 'app/gemm/kernels.py'],
  ];
  assert.deepEqual(names('from .gemm import matmul_kernel\n'), both);
  assert.deepEqual(names('from .gemm import *\n'), both);
  // A module the package neither names nor star-imports is not read.
  writeFileSync(join(dir, 'app/gemm/__init__.py'), 'from .kernels import other\n');
  assert.deepEqual(names('from .gemm import *\n'), [['.gemm', 'app/gemm/__init__.py']]);
});
