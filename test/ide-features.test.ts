// Editor-core behaviour that caret fixtures cannot show: multi-line autotune edits, the annotation edit
// as the analysis reads it back, legality per architecture, ptxas spills only when given, severities,
// hint modes, laziness, and docs/diagnostics.md covering every code. Fake predictor throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import type { SourceLanguage } from '../server/src/analysis/types';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import { analyticEstimate } from '../server/src/perf/analytic-model';
import type { GemmWorkload, GpuSpec } from '../server/src/perf/types';
import type { GemmPredictor } from '../server/src/report/prediction';
import * as api from '../server/src/ide/api';
import { configIssues } from '../server/src/ide/legality';
import { csvCell } from '../server/src/ide/chart-data';
import { DEFAULT_SETTINGS, DIAGNOSTIC_CODES, type TilecastSettings } from '../server/src/ide/protocol';
import { fakePredictor } from './ide-harness';

const gpu = (id: string): GpuSpec => findGpu(id)!;
const fixture = (path: string) => readFileSync(join(__dirname, 'fixtures', path), 'utf8').replace('$0', '');

async function reportsFor(
  text: string,
  language: SourceLanguage,
  options: { settings?: Partial<TilecastSettings>; predictor?: GemmPredictor | null; gpus?: string[]; measured?: api.IdeInput['measuredResources'] } = {},
) {
  const analysis = analyzeSource(await loadGrammars(), language, text);
  return api.buildReports({
    text,
    analysis,
    gpus: (options.gpus ?? ['rtx-4090']).map(gpu),
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    predictor: options.predictor === undefined ? fakePredictor({ centre: 128 }) : options.predictor,
    modelError: options.predictor === null ? 'missing' : null,
    measuredResources: options.measured,
  });
}

function apply(text: string, edits: api.TextEditItem[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.range.start - a.range.start)) out = out.slice(0, edit.range.start) + edit.newText + out.slice(edit.range.end);
  return out;
}

test('autotune actions: keep the 3 fastest and add the best missing config give a list the analysis reads back', async () => {
  const text = fixture('ide/triton-autotune-actions.py');
  const reports = await reportsFor(text, 'triton');
  const at = text.indexOf("triton.Config({'BLOCK_SIZE_M': 64, 'BLOCK_SIZE_N': 64");
  const actions = api.codeActionsAt(reports, { start: at, end: at }, []);
  const keep = actions.find((a) => a.title.startsWith('Keep the 3 fastest'))!;
  const kept = analyzeSource(await loadGrammars(), 'triton', apply(text, keep.edits)).kernels[0]!.configs;
  // Fastest first under the fake (centre 128, BK 16 best): 64x128x16, 128x64x32, 64x64x32.
  assert.deepEqual(
    kept.map((c) => [c.params.BLOCK_SIZE_M, c.params.BLOCK_SIZE_N, c.params.BLOCK_SIZE_K]),
    [
      [64, 128, 16],
      [128, 64, 32],
      [64, 64, 32],
    ],
  );
  const add = actions.find((a) => a.title.startsWith('Add triton.Config'))!;
  const added = analyzeSource(await loadGrammars(), 'triton', apply(text, add.edits)).kernels[0]!.configs;
  assert.equal(added.length, 5);
  assert.deepEqual([added[4]!.params.BLOCK_SIZE_M, added[4]!.params.BLOCK_SIZE_N, added[4]!.numWarps, added[4]!.numStages], [128, 128, 4, 3]);
  const sort = actions.find((a) => a.title.startsWith('Sort'))!;
  const sorted = analyzeSource(await loadGrammars(), 'triton', apply(text, sort.edits)).kernels[0]!.configs;
  assert.deepEqual(
    sorted.map((c) => c.params.BLOCK_SIZE_M),
    [64, 128, 64, 32],
  );
});

test('autotune actions rank the listed configs as one group, and place the missing configs against the same reference', async () => {
  const text = fixture('ide/triton-autotune-actions.py');
  const inner = fakePredictor({ centre: 128 });
  const batches: Array<Array<{ group?: string | number; reference?: boolean; workload: GemmWorkload }>> = [];
  const predictor: GemmPredictor = {
    predict: (w, g, options) => inner.predict(w, g, options),
    predictBatch: (items) => {
      batches.push(items.map((i) => ({ group: i.group, reference: i.reference, workload: i.workload })));
      return items.map((i) => inner.predict(i.workload, i.gpu, i.method ? { method: i.method } : undefined));
    },
  };
  const reports = await reportsFor(text, 'triton', { predictor });
  const at = text.indexOf("triton.Config({'BLOCK_SIZE_M': 64, 'BLOCK_SIZE_N': 64");
  batches.length = 0;
  const actions = api.codeActionsAt(reports, { start: at, end: at }, []);
  assert.ok(actions.some((a) => a.title.startsWith('Add triton.Config')));
  const tiles = (w: GemmWorkload) => [w.tile?.blockM, w.tile?.blockN, w.tile?.blockK];
  // The listed configs (4), the tile action's candidates (placed at the config under the cursor) and the
  // missing configs (every block size, warp count and stage count: the largest).
  const listed = batches.find((b) => b.length === 4)!;
  const missing = batches.reduce((a, b) => (b.length > a.length ? b : a));
  for (const batch of [listed, missing]) {
    assert.equal(new Set(batch.map((i) => i.group)).size, 1);
    const refs = batch.filter((i) => i.reference);
    assert.equal(refs.length, 1);
    // The first listed config that can run is the reference of both: 32x32x32.
    assert.deepEqual(tiles(refs[0]!.workload), [32, 32, 32]);
  }
  assert.deepEqual(
    listed.map((i) => tiles(i.workload)),
    [
      [32, 32, 32],
      [64, 64, 32],
      [128, 64, 32],
      [64, 128, 16],
    ],
  );
});

test('problem-size annotation: inserted above the launch, read back by the analysis, then updated in place', async () => {
  const text = fixture('cuda/default-problem.cu');
  const at = text.indexOf('dgemm_naive<<<');
  const first = api.problemSizeAnnotationEdit(await reportsFor(text, 'cuda'), at, { m: 512, n: 256, k: 128, dtype: 'fp64' })!;
  const once = apply(text, [first]);
  const launch = analyzeSource(await loadGrammars(), 'cuda', once).launches[0]!;
  assert.deepEqual([launch.problem.m, launch.problem.n, launch.problem.k, launch.problem.source], [512, 256, 128, 'annotation']);
  const second = api.problemSizeAnnotationEdit(await reportsFor(once, 'cuda'), once.indexOf('dgemm_naive<<<'), { m: 64, n: 64, k: 64 })!;
  const twice = apply(once, [second]);
  assert.equal(twice.match(/tilecast:/g)!.length, 1, 'the annotation is updated, not duplicated');
  assert.match(twice, /\/\/ tilecast: M=64 N=64 K=64 dtype=fp64\n/);
  assert.equal(api.problemSizeAnnotationEdit(await reportsFor(text, 'cuda'), at, { m: 0, n: 1, k: 1 }), null);
  assert.deepEqual(
    api.problemSizeFieldsAt(await reportsFor(once, 'cuda'), once.indexOf('dgemm_naive<<<')).fields.map((f) => [f.key, f.value]),
    [
      ['m', 512],
      ['n', 256],
      ['k', 128],
    ],
  );
});

test('problem size of an attention launch: the command asks for seq, batch × heads and head_dim, and the annotation it writes is read back', async () => {
  const text = readFileSync(join(__dirname, '..', 'examples', 'triton_attention.py'), 'utf8').replace(/q = torch\.randn[^\n]*\n/, 'q = make_q()\n');
  const at = text.indexOf('attention_fwd[grid]');
  const reports = await reportsFor(text, 'triton');
  const asked = api.problemSizeFieldsAt(reports, at);
  assert.equal(asked.kind, 'attention');
  assert.deepEqual(
    asked.fields.map((f) => f.key),
    ['seq', 'heads', 'head_dim'],
  );
  const edit = api.problemSizeAnnotationEdit(reports, at, { seq: 8192, heads: 64, head_dim: 64 })!;
  const written = apply(text, [edit]);
  assert.match(written, /# tilecast: seq=8192 heads=64 head_dim=64\n/);
  const problem = analyzeSource(await loadGrammars(), 'triton', written).launches[0]!.problem;
  // q's shape is unknown here (make_q()): all three come from the annotation.
  assert.deepEqual([problem.attention?.seqQ, problem.attention?.batchHeads, problem.attention?.headDim], [8192, 64, 64]);
  assert.equal(problem.source, 'annotation');
});

test('legality: instructions the architecture lacks, threads, registers per block', () => {
  const w: GemmWorkload = {
    m: 1024,
    n: 1024,
    k: 1024,
    batch: 1,
    dtype: 'bf16',
    kernel: 'tiled',
    usesTensorCores: true,
    tile: { blockM: 64, blockN: 64, blockK: 32, threads: 128 },
  };
  const wmma = { kernel: { tensorCores: 'wmma', launchBounds: null } as never, staticSharedMemBytes: null, checkLaunchBounds: false };
  const unsupported = (g: GpuSpec, dtype: GemmWorkload['dtype']) =>
    configIssues({ ...w, dtype }, analyticEstimate({ ...w, dtype }, g), g, wmma).some((i) => i.code === 'instruction-unsupported' && i.illegal);
  assert.equal(unsupported(gpu('t4'), 'bf16'), true, 'bf16 tensor cores need cc 8.0');
  assert.equal(unsupported(gpu('a100-sxm4-80gb'), 'bf16'), false);
  assert.equal(unsupported(gpu('rtx-3090'), 'fp8'), true, 'fp8 needs cc 8.9');
  assert.equal(unsupported(gpu('rtx-4090'), 'fp8'), false);
  assert.equal(unsupported(gpu('gtx-1080'), 'fp16'), true, 'wmma needs cc 7.0');
  const issuesOf = (threads: number, registersPerThread: number) => {
    const big: GemmWorkload = { ...w, dtype: 'fp32', usesTensorCores: false, tile: { blockM: 64, blockN: 64, blockK: 8, threads }, registersPerThread };
    return configIssues(big, analyticEstimate(big, gpu('rtx-4090')), gpu('rtx-4090'), { kernel: null, staticSharedMemBytes: null, checkLaunchBounds: false });
  };
  assert.deepEqual(
    issuesOf(2048, 64)
      .filter((i) => i.illegal)
      .map((i) => i.code),
    ['threads-over-limit'],
    'the register file is not reported again',
  );
  assert.ok(
    issuesOf(1024, 128).some((i) => i.code === 'registers-over-limit' && i.illegal),
    '128 registers x 1024 threads > 65536',
  );
  assert.ok(!issuesOf(1024, 64).some((i) => i.illegal), '64 x 1024 = 65536 fits');
});

test('register-spills fires only with ptxas results that report spills', async () => {
  const text = fixture('cuda/register-blocked.cu');
  const codes = async (measured?: api.IdeInput['measuredResources']) => api.diagnosticsOf(await reportsFor(text, 'cuda', { measured })).map((d) => d.code);
  assert.ok(!(await codes()).includes('register-spills'));
  const kernels = (spill: number) => [
    { name: 'sgemm2DBlocktiling', registersPerThread: 128, staticSharedMemBytes: 8192, spillStoresBytes: spill, spillLoadsBytes: spill },
  ];
  assert.ok(!(await codes(new Map([['sm_89', { ok: true, kernels: kernels(0) }]]))).includes('register-spills'));
  const spilled = api.diagnosticsOf(await reportsFor(text, 'cuda', { measured: new Map([['sm_89', { ok: true, kernels: kernels(504) }]]) }));
  const hit = spilled.find((d) => d.code === 'register-spills')!;
  assert.match(hit.message, /504 bytes of spill stores/);
  assert.equal(hit.severity, 'warning');
});

test('severities: a rule set to off disappears, others keep their defaults', async () => {
  const text = fixture('ide/gemm-diagnostics.cu');
  const all = api.diagnosticsOf(await reportsFor(text, 'cuda', { predictor: fakePredictor() }));
  const off = api.diagnosticsOf(await reportsFor(text, 'cuda', { predictor: fakePredictor(), settings: { diagnostics: { 'tile-does-not-divide': 'off' } } }));
  assert.ok(all.some((d) => d.code === 'tile-does-not-divide'));
  assert.deepEqual(
    off.map((d) => d.code),
    all.map((d) => d.code).filter((c) => c !== 'tile-does-not-divide'),
  );
  assert.equal(all.find((d) => d.code === 'low-occupancy')!.severity, 'information');
});

test('docs/diagnostics.md has a section for every diagnostic code', () => {
  const doc = readFileSync(join(__dirname, '..', 'docs', 'diagnostics.md'), 'utf8');
  for (const code of DIAGNOSTIC_CODES) assert.match(doc, new RegExp(`^## ${code}$`, 'm'), code);
});

test('inlay hint modes: off gives none, time gives the time alone', async () => {
  const text = fixture('ide/tiled-hover.cu');
  const whole = { start: 0, end: text.length };
  assert.deepEqual(api.inlayHintsIn(await reportsFor(text, 'cuda', { settings: { inlayHints: 'off' } }), whole), []);
  const time = api.inlayHintsIn(await reportsFor(text, 'cuda', { settings: { inlayHints: 'time' }, predictor: fakePredictor() }), whole);
  assert.deepEqual(
    time.map((h) => h.label),
    ['88 µs'],
  );
});

test('laziness: building reports predicts nothing; hints for a range predict only the reports in it', async () => {
  let calls = 0;
  const fake = fakePredictor();
  const counting: GemmPredictor = {
    predict: (w, g) => {
      calls++;
      return fake.predict(w, g);
    },
  };
  const text = fixture('cuda/multi-launch.cu');
  const reports = await reportsFor(text, 'cuda', { predictor: counting, gpus: ['rtx-4090', 't4'] });
  assert.ok(reports.reports.length >= 2, 'the fixture has several launches');
  assert.equal(calls, 0);
  const first = reports.reports[0]!;
  api.inlayHintsIn(reports, { start: first.range.start, end: first.range.end + 1 });
  assert.equal(calls, 1, 'one report on the primary GPU');
  api.inlayHintsIn(reports, { start: first.range.start, end: first.range.end + 1 });
  assert.equal(calls, 1, 'memoised');
});

test('code actions at the same version rank once: a cursor move gets the same actions without predicting again', async () => {
  let calls = 0;
  const fake = fakePredictor({ interval: 0.3 });
  const counting: GemmPredictor = {
    predict: (w, g, o) => {
      calls++;
      return fake.predict(w, g, o);
    },
  };
  const text = fixture('ide/tile-action.cu');
  const reports = await reportsFor(text, 'cuda', { predictor: counting });
  const at = text.indexOf('TILE 16') + 5;
  const first = api.codeActionsAt(reports, { start: at, end: at }, []);
  assert.ok(first.length > 0 && calls > 0);
  const ranked = calls;
  // Elsewhere on the same constant, and as a quickfix: same candidates, titles and edits; nothing predicted again.
  const again = api.codeActionsAt(reports, { start: at + 1, end: at + 1 }, ['low-occupancy']);
  assert.equal(calls, ranked, 'the ranking is kept with the report');
  assert.deepEqual(
    again.map((a) => [a.title, a.edits]),
    first.map((a) => [a.title, a.edits]),
  );
  // A new version (reports built afresh) ranks again, and to the same result as the kept ranking.
  const fresh = await reportsFor(text, 'cuda', { predictor: counting });
  const rebuilt = api.codeActionsAt(fresh, { start: at, end: at }, []);
  assert.ok(calls > ranked, 'new reports, new ranking');
  assert.deepEqual(
    rebuilt.map((a) => [a.title, a.edits]),
    first.map((a) => [a.title, a.edits]),
  );
});

test('without a predictor, tile actions rank by the analytic estimate and say so', async () => {
  const text = fixture('ide/tile-action.cu');
  const reports = await reportsFor(text, 'cuda', { predictor: null });
  const at = text.indexOf('TILE 16') + 5;
  const actions = api.codeActionsAt(reports, { start: at, end: at }, []);
  assert.ok(actions.length > 0);
  for (const action of actions) assert.match(action.title, /analytic estimate, model unavailable/);
  assert.ok(
    actions.every((a) => !a.title.includes('least energy')),
    'no energy without the power model',
  );
});

test('the tile sweep marks illegal cells with a reason and the best legal cell as suggested', async () => {
  const text = fixture('ide/register-blocked-actions.cu');
  const reports = await reportsFor(text, 'cuda', { predictor: fakePredictor({ centre: 128 }) });
  const sweep = api.tileSweepAt(reports, text.indexOf('sgemm2DBlocktiling<<<'));
  assert.equal(sweep.xName, 'BN');
  assert.equal(sweep.yName, 'BM');
  assert.deepEqual(sweep.current, { x: 128, y: 128 });
  assert.deepEqual(sweep.suggested, { x: 128, y: 128 }, 'the fake is fastest at 128x128');
  const illegal = sweep.cells.find((c) => c.x === 256 && c.y === 256)!;
  assert.equal(illegal.timeMs, null);
  // 256x256 with 8x8 per thread is 1,024 threads, each needing more registers than a block may hold.
  assert.match(illegal.illegalReason!, /× 1024 threads = \d+ registers per block > 65536/);
  const cell = sweep.cells.find((c) => c.x === 64 && c.y === 128)!;
  assert.ok(cell.timeMs && cell.timeMs.lo < cell.timeMs.value && cell.timeMs.value < cell.timeMs.hi);
});

test('CSV export: one row per report and GPU; a cell a spreadsheet would run as a formula is neutralised', async () => {
  const reports = await reportsFor(fixture('ide/tiled-hover.cu'), 'cuda', { gpus: ['rtx-4090', 't4'] });
  const { csv, rows } = api.exportCsv(reports);
  assert.equal(rows, 2);
  const lines = csv.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1]!, /^33,launch,matmul_tiled,rtx-4090,1024,1024,1024,1,fp32,model,/);
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell(-1.5), '-1.5', 'numbers stay numbers');
});

test('a register file the launch cannot get is an error; certain spilling alone is a warning, an estimate over 255 is not', async () => {
  const text = fixture('cuda/register-blocked.cu').replace('#define BM 128', '#define BM 256').replace('#define BN 128', '#define BN 256');
  const found = api.diagnosticsOf(await reportsFor(text, 'cuda')).filter((d) => d.code === 'registers-over-limit');
  assert.equal(found.length, 1);
  assert.equal(found[0]!.severity, 'error');
  assert.match(found[0]!.message, /× 1024 threads = \d+ registers per block > 65536/);
  const spilling = fixture('cuda/register-blocked.cu').replace('#define TM 8', '#define TM 32').replace('#define TN 8', '#define TN 16');
  const soft = api.diagnosticsOf(await reportsFor(spilling, 'cuda')).filter((d) => d.code === 'registers-over-limit');
  assert.deepEqual(
    soft.map((d) => d.severity),
    ['warning'],
  );
  assert.match(soft[0]!.message, /at least 568 registers per thread .* compiler caps at 255 and spills/);
  // 128 accumulators (16x8 per thread, 128x128x32 tile, 128 threads): the estimate says 264 registers,
  // ptxas allocates 167-215 without spilling (models/data/kerneltuner-ptxas.csv): no warning.
  const fits = fixture('cuda/register-blocked.cu').replace('#define BK 8', '#define BK 32').replace('#define TM 8', '#define TM 16');
  const fitsReports = await reportsFor(fits, 'cuda');
  assert.ok(
    fitsReports.reports.some((r) => (r.on(gpu('rtx-4090'))?.analytic.registersDemand ?? 0) > 255),
    'the estimate alone would have flagged it',
  );
  assert.deepEqual(
    api.diagnosticsOf(fitsReports).filter((d) => d.code === 'registers-over-limit'),
    [],
  );
});

test('library calls: no shared-memory or register findings (the library picks and opts in); fp8 still needs cc 8.9', async () => {
  const text = fixture('cuda/cublas-gemmex.cu');
  const reports = await reportsFor(text, 'cuda', { gpus: ['rtx-4090', 'h100-sxm', 't4'] });
  assert.deepEqual(
    api.diagnosticsOf(reports).filter((d) => d.code !== 'tail-wave-idle' && d.code !== 'low-occupancy'),
    [],
  );
  const fp8: GemmWorkload = { m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'fp8', kernel: 'library' };
  const on = (id: string) =>
    configIssues(fp8, analyticEstimate(fp8, gpu(id)), gpu(id), { kernel: null, staticSharedMemBytes: null, checkLaunchBounds: true }).map((i) => i.code);
  assert.deepEqual(on('a100-sxm4-80gb'), ['instruction-unsupported']);
  assert.deepEqual(on('h100-sxm'), []);
});

test('a tile constant several launches read: the action says it changes the others too; launches with grids written in numbers get none', async () => {
  // The fixture's two GEMM launches write their grids as numbers (dim3(4, 4), dim3(64, 32)): another
  // TILE_DIM would leave them covering the wrong part of C, so no TILE_DIM action is offered there.
  const literal = fixture('cuda/multi-launch.cu');
  const literalReports = await reportsFor(literal, 'cuda', { predictor: fakePredictor({ centre: 16 }) });
  const literalAt = literal.indexOf('#define TILE_DIM 32') + '#define TILE_DIM '.length;
  assert.deepEqual(
    api.codeActionsAt(literalReports, { start: literalAt, end: literalAt }, []).map((a) => a.title),
    [],
  );
  // With grids computed from TILE_DIM, the action is offered and names the other launch it changes.
  const text = literal.replace('dim3(4, 4)', 'dim3(128 / TILE_DIM, 128 / TILE_DIM)').replace('dim3(64, 32)', 'dim3(2048 / TILE_DIM, 1024 / TILE_DIM)');
  const reports = await reportsFor(text, 'cuda', { predictor: fakePredictor({ centre: 16 }) });
  const at = text.indexOf('#define TILE_DIM 32') + '#define TILE_DIM '.length;
  const actions = api.codeActionsAt(reports, { start: at, end: at }, []);
  const use = actions.find((a) => a.title.startsWith('Use TILE_DIM = 16'))!;
  assert.match(use.title, /; also changes 1 other launch\)$/);
  assert.deepEqual(use.edits, [{ range: { start: at, end: at + 2 }, newText: '16' }]);
  // A block written in numbers (dim3(32, 32)) would keep 32×32 threads for a 16×16 tile: none again.
  const fixedBlock = text.replaceAll('dim3(TILE_DIM, TILE_DIM)', 'dim3(32, 32)');
  const fixedReports = await reportsFor(fixedBlock, 'cuda', { predictor: fakePredictor({ centre: 16 }) });
  const fixedAt = fixedBlock.indexOf('#define TILE_DIM 32') + '#define TILE_DIM '.length;
  assert.deepEqual(
    api.codeActionsAt(fixedReports, { start: fixedAt, end: fixedAt }, []).map((a) => a.title),
    [],
  );
});

test("Triton tile actions change a block size only where the launch's grid follows it (one program per tile); a persistent grid does not restrict them", async () => {
  // The plain-kwargs fixture: launch 1 computes its grid from the module constants; launch 2 from literals.
  const text = fixture('triton/plain-kernel-launch-kwargs.py');
  const reports = await reportsFor(text, 'triton');
  const launches = reports.reports.filter((r) => r.subject === 'launch');
  assert.equal(launches.length, 2);
  // Launch 2's grid is `(triton.cdiv(M, 64), triton.cdiv(N, 64))` (literals): its BLOCK_M=64 and BLOCK_N=64
  // keywords cannot change alone. Before, it offered "Use BLOCK_M = …" edits of those keywords.
  const literal = api.codeActionsAt(reports, launches[1]!.range, []).map((a) => a.title);
  assert.ok(
    literal.some((title) => /BLOCK_K = \d+/.test(title)),
    literal.join('\n'),
  );
  for (const title of literal) assert.doesNotMatch(title, /BLOCK_[MN] = /, title);
  // Launch 1's grid reads the module constants BLOCK_M and BLOCK_N, which its keywords pass on
  // (`BLOCK_M=BLOCK_M`): a block size changes at the constant, so grid and keyword follow; never at the keyword.
  const following = api.codeActionsAt(reports, launches[0]!.range, []);
  const constants = following
    .flatMap((a) => a.edits)
    .filter((e) => /^BLOCK_[MN] = /.test(text.slice(text.lastIndexOf('\n', e.range.start) + 1, e.range.start)));
  assert.ok(constants.length > 0, following.map((a) => a.title).join('\n'));
  const keywordBefore = (offset: number) => /(\w+)\s*=\s*$/.exec(text.slice(Math.max(0, offset - 20), offset))?.[1] ?? '';
  const inLaunch = (edit: api.TextEditItem) => edit.range.start >= launches[0]!.range.start && edit.range.end <= launches[0]!.range.end;
  for (const action of following)
    for (const edit of action.edits) if (inLaunch(edit)) assert.doesNotMatch(keywordBefore(edit.range.start), /^BLOCK_[MN]$/, action.title);
  // A persistent kernel (NUM_SMS programs looping over the tiles) may change its block sizes: its grid is
  // not one program per tile.
  const persistentText = fixture('ide/triton-persistent-grid-action.py');
  const persistent = await reportsFor(persistentText, 'triton');
  const launch = persistent.reports.find((r) => r.subject === 'launch')!;
  assert.deepEqual(launch.launch?.grid, [132, 1, 1]);
  const offered = api.codeActionsAt(persistent, launch.range, []).map((a) => a.title);
  assert.ok(
    offered.some((title) => /BLOCK_[MN] = \d+/.test(title)),
    offered.join('\n'),
  );
});

test('tile candidates of a kernel with extern __shared__ may grow past 48 KiB: the opt-in follows the launch size it is set from', async () => {
  const text = fixture('cuda/aliased-kernel-launch.cu');
  const at = text.lastIndexOf('kernel<<<');
  const cell = async (source: string) => {
    const sweep = api.tileSweepAt(await reportsFor(source, 'cuda', { gpus: ['a100-sxm4-80gb'] }), source.lastIndexOf('kernel<<<'));
    assert.deepEqual([sweep.xName, sweep.yName], ['BN', 'BM']);
    return sweep.cells.find((c) => c.x === 128 && c.y === 256)!;
  };
  assert.ok(at > 0);
  // BM = 256: 4 stages × (256×32 + 32×128) halves = 96 KiB of dynamic shared memory, under the A100's 163 KiB opt-in.
  const grown = await cell(text);
  assert.equal(grown.illegalReason ?? null, null, 'legal: dynamic shared memory, opted in with the same size expression');
  assert.ok(grown.timeMs);
  // The same opt-in written as a number stays 64 KiB for every candidate: 96 KiB then fails to launch.
  const fixed = await cell(text.replace('cudaFuncAttributeMaxDynamicSharedMemorySize, smem)', 'cudaFuncAttributeMaxDynamicSharedMemorySize, 65536)'));
  assert.match(fixed.illegalReason ?? '', /dynamic shared memory 96 KiB per block > the 64 KiB cudaFuncSetAttribute/);
});
