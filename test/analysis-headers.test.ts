// Kernels and constants from headers a CUDA file includes (`#include "gemm.cuh"`, cuda/headers.ts): the
// launch in the file folds with the header's constants, the header's templated kernel is read with the
// launch's template arguments and the file's own constants, readers of the kernel's body read the header's
// text, and without the header the launch stays as unknown as before. Fake predictor throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource, SourceDocument, type IncludedSource } from '../server/src/analysis/index';
import * as api from '../server/src/ide/api';
import { fakeReports } from './ide-harness';

/** test/fixtures/headers/tiled.cuh, with its `#define TILE 32` line replaced by `tile`, and without the bounds check unless `guard`. */
const TILED = readFileSync(join(__dirname, 'fixtures', 'headers', 'tiled.cuh'), 'utf8');
const header = (guard: boolean, tile = '#ifndef TILE\n#define TILE 32\n#endif') => {
  const text = TILED.replace('#define TILE 32', tile);
  return guard ? text : text.replace('if (row < M && col < N) ', '');
};

const main = (m: number, before = '') => `${before}#include "tiled.cuh"
void run(const float *A, const float *B, float *C) {
  const int M = ${m}, N = 4096, K = 2048;
  dim3 block(TILE, TILE);
  dim3 grid((N + TILE - 1) / TILE, (M + TILE - 1) / TILE);
  tiled_mm<TILE><<<grid, block>>>(A, B, C, M, N, K);
}
`;

async function analyse(text: string, headers: IncludedSource[]) {
  return analyzeSource(await loadGrammars(), 'cuda', text, undefined, headers);
}

const reports = fakeReports;

test("a launch of a header's templated kernel folds with the header's constants and reads the kernel with its template argument", async () => {
  const text = main(4096);
  const analysis = await analyse(text, [{ name: 'tiled.cuh', text: header(true) }]);
  const launch = analysis.launches[0]!;
  assert.deepEqual(launch.grid, [128, 128, 1]);
  assert.deepEqual(launch.block, [32, 32, 1]);
  assert.deepEqual([launch.problem.m, launch.problem.n, launch.problem.k], [4096, 4096, 2048]);
  assert.equal(analysis.kernels.length, 0, 'the file defines no kernel');
  const kernel = analysis.includedKernels?.[0];
  assert.equal(kernel?.name, 'tiled_mm');
  assert.equal(kernel?.kind, 'gemm');
  assert.equal(kernel?.header?.name, 'tiled.cuh');
  assert.equal(kernel?.staticSharedMemBytes, 2 * 32 * 32 * 4, 'BS bound to TILE = 32 from the launch');

  // The report predicts it; the hover on the launch shows the prediction.
  const built = reports(text, analysis);
  const hover = api.hoverAt(built, text.indexOf('tiled_mm<'));
  assert.match(hover?.markdown ?? '', /\d+(\.\d+)? ms/);
  assert.doesNotMatch(hover?.markdown ?? '', /not defined/);
});

test('without the header the launch stays unknown, as before', async () => {
  const analysis = await analyse(main(4096), []);
  assert.equal(analysis.launches[0]!.grid, null);
  assert.equal(analysis.includedKernels, undefined);
});

test("the file's own constant, defined before the include, wins over the header's default in the launch and in the kernel", async () => {
  const text = main(4096, '#define TILE 16\n');
  const analysis = await analyse(text, [{ name: 'tiled.cuh', text: header(true) }]);
  assert.deepEqual(analysis.launches[0]!.block, [16, 16, 1]);
  assert.equal(analysis.includedKernels?.[0]?.staticSharedMemBytes, 2 * 16 * 16 * 4);
});

test("a header's constant is used by a second header's kernel (both included)", async () => {
  const text = main(4096).replace('#include "tiled.cuh"', '#include "config.cuh"\n#include "tiled.cuh"');
  const analysis = await analyse(text, [
    { name: 'config.cuh', text: '#define TILE 8\n' },
    { name: 'tiled.cuh', text: header(true, '') },
  ]);
  assert.deepEqual(analysis.launches[0]!.block, [8, 8, 1]);
  assert.equal(analysis.includedKernels?.[0]?.staticSharedMemBytes, 2 * 8 * 8 * 4);
});

test("the bounds check is read from the header's text: a tile that does not divide M is flagged only when the header's kernel has none", async () => {
  for (const guard of [false, true]) {
    const text = main(1000);
    const analysis = await analyse(text, [{ name: 'tiled.cuh', text: header(guard) }]);
    const codes = api.diagnosticsOf(reports(text, analysis)).map((d) => d.code);
    assert.equal(codes.includes('tile-does-not-divide'), !guard, `guard ${guard}: ${codes.join(', ')}`);
  }
});

test('edits of the including file re-analysed incrementally give what a fresh analysis with the same header gives', async () => {
  const grammars = await loadGrammars();
  const headerDocument = new SourceDocument(grammars, 'cuda', header(true));
  const context = headerDocument.asIncluded('tiled.cuh')!;
  const headers = [context];
  let text = main(4096);
  const document = new SourceDocument(grammars, 'cuda', text);
  try {
    document.analyze(undefined, headers);
    const edits: Array<[string, string]> = [
      ['M = 4096', 'M = 2048'],
      ['#include', '#define TILE 16\n#include'],
      ['tiled_mm<TILE>', 'tiled_mm<8>'],
      ['dim3 block(TILE, TILE);', 'dim3 block(TILE, TILE); foo('],
      [' foo(', ''],
    ];
    for (const [from, to] of edits) {
      const start = text.indexOf(from);
      document.applyEdit({ start, end: start + from.length, newText: to });
      text = text.slice(0, start) + to + text.slice(start + from.length);
      const incremental = document.analyze(undefined, headers);
      const fresh = await analyse(text, [{ name: 'tiled.cuh', text: header(true) }]);
      assert.deepEqual(incremental, fresh, `after ${JSON.stringify(to)}`);
    }
    assert.equal(document.analyze(undefined, headers).includedKernels?.[0]?.staticSharedMemBytes, 2 * 8 * 8 * 4);
  } finally {
    document.dispose();
    headerDocument.dispose();
  }
});

test("a tile constant defined in the header is tuned by the launch's code actions, with the edit in the header", async () => {
  // TILE only in the header: the launch's action edits the header's `#define TILE 32`.
  const text = main(4096);
  const headerText = header(true, '#define TILE 32');
  const analysis = await analyse(text, [{ name: 'tiled.cuh', text: headerText }]);
  assert.deepEqual(
    analysis.includedTileParams?.map((p) => [p.name, p.value, p.header]),
    [['TILE', 32, 'tiled.cuh']],
  );
  const actions = api.codeActionsAt(reports(text, analysis), { start: text.indexOf('tiled_mm<'), end: text.indexOf('tiled_mm<') }, []);
  const tile = actions.find((a) => /^Use TILE = \d+ in tiled\.cuh/.test(a.title));
  assert.ok(tile, actions.map((a) => a.title).join('\n'));
  assert.equal(tile.edits.length, 1);
  const [edit] = tile.edits;
  assert.equal(edit!.header, 'tiled.cuh');
  assert.equal(headerText.slice(edit!.range.start, edit!.range.end), '32');
  assert.equal(headerText.slice(edit!.range.start - 13, edit!.range.start), '#define TILE ');

  // The file's own TILE wins: the action edits the file, not the header.
  const own = main(4096, '#define TILE 16\n');
  const ownAnalysis = await analyse(own, [{ name: 'tiled.cuh', text: headerText }]);
  assert.equal(ownAnalysis.includedTileParams, undefined);
  const ownActions = api.codeActionsAt(reports(own, ownAnalysis), { start: own.indexOf('tiled_mm<'), end: own.indexOf('tiled_mm<') }, []);
  const ownTile = ownActions.find((a) => a.title.startsWith('Use TILE = '));
  assert.ok(ownTile, ownActions.map((a) => a.title).join('\n'));
  assert.ok(ownTile.edits.every((e) => e.header === undefined && own.slice(e.range.start - 13, e.range.start) === '#define TILE '));
});

test('broken, binary and junk headers never break the including file: its own kernels and launches are found as without them', async () => {
  const example = readFileSync(join(__dirname, '..', 'examples', 'tiled_matmul.cu'), 'utf8');
  const plain = await analyse(example, []);
  const good = header(true);
  const junk = [
    good.slice(0, good.length >> 1),
    good.slice(good.length >> 1),
    `\u0000\u0001${good}`,
    'a+'.repeat(50_000),
    good.replace('{', '{{{<<<'),
    '#define TILE (TILE + 1)\n#define BS TILE\n',
    '',
  ];
  for (const [i, text] of junk.entries()) {
    const analysis = await analyse(`#include "h.cuh"\n${example}`, [{ name: 'h.cuh', text }]);
    assert.ok(!analysis.problems.some((p) => /internal error/.test(p.message)), `header ${i}: ${JSON.stringify(analysis.problems)}`);
    assert.deepEqual(
      analysis.kernels.map((k) => k.name),
      plain.kernels.map((k) => k.name),
      `header ${i}`,
    );
    assert.equal(analysis.launches.length, plain.launches.length, `header ${i}`);
  }
});

test('an action that changes several constants of one header names the header once; the kernel, its constants and the grid macro come from two nested headers', async () => {
  const util = `#pragma once
#define CEIL_DIV(a, b) (((a) + (b) - 1) / (b))
namespace cfg { constexpr int BM = 64; constexpr int BN = 64; constexpr int BK = 8; constexpr int THREADS = 256; }
`;
  const kernel = `#pragma once
#include "util.cuh"
template <int BM_, int BN_, int BK_>
__global__ void sgemm(int M, int N, int K, const float *A, const float *B, float *C) {
  __shared__ float As[BM_ * BK_];
  __shared__ float Bs[BK_ * BN_];
  float acc[8][8] = {};
  for (int k0 = 0; k0 < K; k0 += BK_) {
    As[threadIdx.x] = A[k0]; Bs[threadIdx.x] = B[k0];
    __syncthreads();
    for (int k = 0; k < BK_; ++k) for (int i = 0; i < 8; ++i) for (int j = 0; j < 8; ++j) acc[i][j] += As[k * BM_ + i] * Bs[k * BN_ + j];
    __syncthreads();
  }
  if (blockIdx.x < N && blockIdx.y < M) C[0] = acc[0][0];
}
`;
  const text = `#include "k.cuh"
void run(int M, int N, int K, const float *A, const float *B, float *C) {
  dim3 grid(CEIL_DIV(N, cfg::BN), CEIL_DIV(M, cfg::BM));
  sgemm<cfg::BM, cfg::BN, cfg::BK><<<grid, cfg::THREADS>>>(M, N, K, A, B, C);  // tilecast: M=4096 N=4096 K=4096
}
`;
  // As readIncludes lists them: breadth first, so k.cuh, then the util.cuh it includes.
  const analysis = await analyse(text, [
    { name: 'k.cuh', text: kernel },
    { name: 'util.cuh', text: util },
  ]);
  assert.deepEqual(analysis.launches[0]!.grid, [64, 64, 1]);
  assert.deepEqual(analysis.launches[0]!.block, [256, 1, 1]);
  const at = text.indexOf('sgemm<');
  const titles = api.codeActionsAt(reports(text, analysis), { start: at, end: at }, []).map((a) => a.title);
  const several = titles.find((t) => /^Use BM = \d+, BN = \d+(, BK = \d+)? in util\.cuh \(/.test(t));
  assert.ok(several, titles.join('\n'));
  assert.ok(!/in util\.cuh,/.test(several), several);
});
