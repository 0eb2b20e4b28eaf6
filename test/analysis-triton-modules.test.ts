// Kernels from Python modules a Triton file imports (triton/modules.ts): a launch of an imported kernel is
// read with that kernel's parameters, autotune configs and constexpr defaults (folded in its own module),
// the autotuned launch picks among the module's configs without showing them in the launching file, and
// without the module the launch stays as unknown as before. Fake predictor throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource, type IncludedSource } from '../server/src/analysis/index';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import * as api from '../server/src/ide/api';
import { fakeReports } from './ide-harness';
import { qualifyImported } from '../server/src/analysis/triton/modules';

const DIR = join(__dirname, 'fixtures', 'triton-modules');
const KERNELS = readFileSync(join(DIR, 'kernels.py'), 'utf8');
const OPS = readFileSync(join(DIR, 'ops.py'), 'utf8');
/** ops.py imports kernels.py as `.kernels` (by name) and as `.kernels` through `from . import kernels as K`. */
const MODULES: IncludedSource[] = [{ name: '.kernels', text: KERNELS }];

async function analyse(text: string, modules: IncludedSource[]) {
  return analyzeSource(await loadGrammars(), 'triton', text, undefined, modules);
}

const reports = fakeReports;

test('launches of imported kernels read them from their module: by name, by alias and through the module', async () => {
  const analysis = await analyse(OPS, MODULES);
  assert.equal(analysis.kernels.length, 0, 'ops.py defines no kernel');
  assert.deepEqual(analysis.includedKernels?.map((k) => [k.name, k.header?.name, k.kind]).sort(), [
    ['plain_matmul', '.kernels', 'gemm'],
    ['tuned_matmul', '.kernels', 'gemm'],
  ]);
  const [tuned, byAlias, byModule] = analysis.launches;
  assert.deepEqual(
    analysis.launches.map((l) => l.kernel),
    ['tuned_matmul', 'plain_matmul', 'plain_matmul'],
    'the alias pm names plain_matmul',
  );

  // The autotuned kernel: the grid lambda folds with the first config, and every config's grid is known.
  assert.equal(tuned!.metaSource, 'first-config');
  assert.deepEqual(tuned!.grid, [32, 8, 1]);
  assert.deepEqual(
    tuned!.configLaunches?.map((c) => c.grid),
    [
      [32, 8, 1],
      [64, 16, 1],
      [128, 32, 1],
    ],
  );
  assert.deepEqual([tuned!.problem.m, tuned!.problem.n, tuned!.problem.k], [4096, 1024, 2048]);
  // The lambda grid reads BLOCK_M and BLOCK_N from META; the literal grids of the other two read neither.
  assert.deepEqual(tuned!.gridFollows, ['BLOCK_M', 'BLOCK_N']);
  assert.deepEqual([byAlias!.gridFollows, byModule!.gridFollows], [[], []]);

  // The plain kernel's tile defaults are its module's constant (DEFAULT_BLOCK = 64), and its dtype its module's annotation.
  assert.deepEqual(byAlias!.grid, [32, 32, 1]);
  assert.equal(byAlias!.problem.dtype, 'fp16');
  assert.equal(byModule!.metaParams?.BLOCK_M, 64);
  const plain = analysis.includedKernels?.find((k) => k.name === 'plain_matmul');
  const defaults = analysis.includedTileParams?.filter(
    (p) => p.origin === 'triton-constexpr' && plain && p.range.start >= plain.range.start && p.range.end <= plain.range.end,
  );
  assert.deepEqual(
    defaults?.map((p) => [p.name, p.value, p.header]),
    [
      ['BLOCK_M', 64, '.kernels'],
      ['BLOCK_N', 64, '.kernels'],
      ['BLOCK_K', 32, '.kernels'],
    ],
  );
});

test('without the module the launches stay unknown, and reports say the kernel is not defined', async () => {
  const analysis = await analyse(OPS, []);
  assert.equal(analysis.includedKernels, undefined);
  assert.equal(analysis.launches[0]?.grid, null, "the grid lambda's META has no configs");
  const built = reports(OPS, analysis);
  assert.equal(built.reports.length, 0, 'no GEMM kernel to report on');
});

test("an autotuned imported kernel's launch picks among its configs, which are not reports of the launching file", async () => {
  const analysis = await analyse(OPS, MODULES);
  const built = reports(OPS, analysis);
  assert.deepEqual(
    built.reports.map((r) => r.subject),
    ['launch', 'launch', 'launch'],
    'no triton-config report: those lie in kernels.py',
  );
  const tuned = built.reports[0]!;
  assert.equal(tuned.autotune?.length, 3, "the module's three configs");
  assert.ok(tuned.autotune?.every((r) => r.index === -1 && r.range.start >= 0 && r.kernel?.header?.name === '.kernels'));
  const outcome = tuned.on(findGpu('rtx-4090')!);
  assert.ok(outcome && outcome.pickedConfig !== undefined && outcome.pickedConfig >= 0 && outcome.pickedConfig < 3);
  const hints = api.inlayHintsIn(built, { start: 0, end: OPS.length });
  assert.deepEqual(
    hints.map((h) => h.offset),
    analysis.launches.map((l) => l.range.end),
    'one hint per launch and none at the configs',
  );
  const hover = api.hoverAt(built, analysis.launches[0]!.range.start + 1)?.markdown ?? '';
  assert.match(hover, /\*\*tuned_matmul\*\* launch \(kernel defined in `\.kernels`\)/);
  assert.match(hover, /config/i, 'the hover names the config the autotuner is predicted to pick');
});

test("a module's own problems and launches do not become the importing file's", async () => {
  const broken = `${KERNELS}\n\ndef launch(a, b, c):\n    tuned_matmul[(1, 1)](a, b, c, 64, 64, 64, BLOCK_M=64)\n    oops(\n`;
  const analysis = await analyse(OPS, [{ name: '.kernels', text: broken }]);
  assert.equal(analysis.launches.length, 3, "the module's own launch is not the file's");
  assert.deepEqual(analysis.problems, [], "the module's syntax error and conflicting keyword are not the file's");
  assert.equal(analysis.includedKernels?.length, 2, 'the kernels before the error are still read');
});

test('a module imported under another name, or a kernel the module does not define, is not matched', async () => {
  const analysis = await analyse(OPS, [{ name: 'kernels', text: KERNELS }]);
  assert.equal(analysis.includedKernels, undefined, 'ops.py imports .kernels, not kernels');
  const other = await analyse(OPS.replace(/tuned_matmul/g, 'missing_kernel'), MODULES);
  assert.deepEqual(
    other.includedKernels?.map((k) => k.name),
    ['plain_matmul'],
  );
  assert.equal(other.launches[0]?.kernel, 'missing_kernel');
});

test('a kernel a package only re-exports is read from the module that defines it, through plain modules too', async () => {
  const gemm: IncludedSource = { name: '.gemm', text: 'from .kernels import plain_matmul as mm\nfrom .kernels import tuned_matmul\n' };
  const kernels: IncludedSource = { name: '.gemm.kernels', text: KERNELS };
  const launch = (target: string) => `\n\ndef run(a, b, c):\n    ${target}[(32, 32)](a, b, c, 2048, 2048, 512)\n`;
  const viaPackage = await analyse(`from .gemm import mm${launch('mm')}`, [gemm, kernels]);
  assert.deepEqual(
    viaPackage.launches.map((l) => [l.kernel, l.problem.dtype]),
    [['plain_matmul', 'fp16']],
  );
  assert.deepEqual(
    viaPackage.includedKernels?.map((k) => [k.name, k.header?.name]),
    [['plain_matmul', '.gemm.kernels']],
  );
  // A plain module re-exporting the package's name: its `.gemm` is its own folder's, as the file's is.
  const facade: IncludedSource = { name: '.facade', text: 'from .gemm import mm as fast\n' };
  const viaFacade = await analyse(`from .facade import fast${launch('fast')}`, [facade, gemm, kernels]);
  assert.deepEqual(
    viaFacade.includedKernels?.map((k) => [k.name, k.header?.name]),
    [['plain_matmul', '.gemm.kernels']],
  );
  // Without the defining module the re-export leads nowhere, as before.
  const missing = await analyse(`from .gemm import mm${launch('mm')}`, [gemm]);
  assert.equal(missing.includedKernels, undefined);
});

test("qualifyImported: a module's own import in the importing file's terms", () => {
  assert.equal(qualifyImported('.gemm', true, '.kernels.mm'), '.gemm.kernels.mm');
  assert.equal(qualifyImported('.gemm', false, '.kernels.mm'), '.kernels.mm');
  assert.equal(qualifyImported('.a.b', false, '..c.mm'), '.c.mm');
  assert.equal(qualifyImported('.a', false, '..c'), '..c');
  assert.equal(qualifyImported('pkg.ops', false, '.kernels'), 'pkg.kernels');
  assert.equal(qualifyImported('pkg', true, '.kernels'), 'pkg.kernels');
  assert.equal(qualifyImported('ops', false, '.kernels'), null, 'a top-level module has no package to be relative to');
  assert.equal(qualifyImported('.gemm', true, 'torch.nn'), 'torch.nn');
});

test('star imports: a kernel the file or a package star-imports is read from the module that defines it', async () => {
  const kernels: IncludedSource = { name: '.gemm.kernels', text: KERNELS };
  const launch = `\n\ndef run(a, b, c):\n    plain_matmul[(32, 32)](a, b, c, 2048, 2048, 512)\n`;
  const direct = await analyse(`from .gemm.kernels import *${launch}`, [kernels]);
  assert.deepEqual(
    direct.includedKernels?.map((k) => [k.name, k.header?.name]),
    [['plain_matmul', '.gemm.kernels']],
  );
  const gemm: IncludedSource = { name: '.gemm', text: 'from .kernels import *\n' };
  for (const source of [`from .gemm import *${launch}`, `from .gemm import plain_matmul${launch}`]) {
    const analysis = await analyse(source, [gemm, kernels]);
    assert.deepEqual(
      analysis.launches.map((l) => [l.kernel, l.problem.dtype]),
      [['plain_matmul', 'fp16']],
      source.split('\n')[0],
    );
    assert.deepEqual(
      analysis.includedKernels?.map((k) => [k.name, k.header?.name]),
      [['plain_matmul', '.gemm.kernels']],
    );
  }
  // A name no star-imported module defines is not a launch of anything imported.
  const none = await analyse(`from .gemm import *\n\ndef run(a):\n    table[(1,)](a)\n`, [gemm, kernels]);
  assert.equal(none.includedKernels, undefined);
});
