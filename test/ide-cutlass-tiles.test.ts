// CUTLASS GemmShape tiles reach the workload, the prediction and the tile actions: the threadblock shape
// is the block tile, the warp shape sets the warp count, and another kernel in the same file ignores
// them. Uses the fixture test/fixtures/ide/cutlass-gemm-shape.cu and the fake predictor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import * as api from '../server/src/ide/api';
import { candidateContext, candidateProblem } from '../server/src/ide/tile-candidates';
import { DEFAULT_SETTINGS } from '../server/src/ide/protocol';
import { fakePredictor } from './ide-harness';

const base = readFileSync(join(__dirname, 'fixtures', 'ide', 'cutlass-gemm-shape.cu'), 'utf8');
const a100 = findGpu('a100-sxm4-80gb')!;

async function reportsFor(text: string) {
  const analysis = analyzeSource(await loadGrammars(), 'cuda', text);
  return api.buildReports({ text, analysis, gpus: [a100], settings: DEFAULT_SETTINGS, predictor: fakePredictor({ centre: 128 }), modelError: null });
}

const withShapes = (block: string, warp: string, stages = 3) =>
  base
    .replace('ThreadblockShape = cutlass::gemm::GemmShape<128, 128, 32>;', `ThreadblockShape = cutlass::gemm::GemmShape<${block}>;`)
    .replace('WarpShape = cutlass::gemm::GemmShape<64, 64, 32>;', `WarpShape = cutlass::gemm::GemmShape<${warp}>;`)
    .replace('NumStages = 3;', `NumStages = ${stages};`);

test('CUTLASS: the threadblock shape is the block tile, the warp shape sets the warps, NumStages the stages', async () => {
  const report = (await reportsFor(base)).reports.find((r) => r.subject === 'launch')!;
  assert.equal(report.workload?.kernel, 'cutlass');
  const tile = report.workload!.tile!;
  assert.deepEqual([tile.blockM, tile.blockN, tile.blockK, tile.warps, tile.threads, tile.stages], [128, 128, 32, 4, 128, 3]);
  // The shared storage is sized by the tile: (128 + 128) x 32 x 2 bytes x 3 stages = 48 KiB.
  assert.equal(report.on(a100)!.analytic.sharedMemPerBlockBytes, 48 * 1024);
});

test('CUTLASS: the prediction changes when the ThreadblockShape changes', async () => {
  const time = async (text: string) => {
    const report = (await reportsFor(text)).reports.find((r) => r.subject === 'launch')!;
    const outcome = report.on(a100)!;
    return { model: outcome.prediction!.runtimeMs, analytic: outcome.analytic.timeMs, tile: outcome.analytic.tile };
  };
  const large = await time(base);
  const small = await time(withShapes('64, 64, 32', '32, 32, 32'));
  assert.deepEqual([small.tile.blockM, small.tile.blockN, small.tile.threads], [64, 64, 128]);
  assert.notEqual(small.analytic, large.analytic);
  assert.notEqual(small.model, large.model);
});

test('CUTLASS: GemmShapes do not feed a hand-written kernel of the same file', async () => {
  const text = `${base}
__global__ void plain_mm(const float *A, const float *B, float *C, int M, int N, int K) {
    int row = blockIdx.y * blockDim.y + threadIdx.y, col = blockIdx.x * blockDim.x + threadIdx.x;
    float acc = 0.0f;
    for (int k = 0; k < K; ++k) acc += A[row * K + k] * B[k * N + col];
    C[row * N + col] = acc;
}
void run_plain(const float *A, const float *B, float *C) {
    plain_mm<<<dim3(256, 256), dim3(16, 16)>>>(A, B, C, 4096, 4096, 4096);
}
`;
  const plain = (await reportsFor(text)).reports.find((r) => r.kernel?.name === 'plain_mm')!;
  assert.equal(plain.workload?.kernel, 'naive');
  assert.deepEqual([plain.workload!.tile!.blockM, plain.workload!.tile!.blockN], [16, 16]);
});

test('CUTLASS tile candidates: a warp shape that does not divide the threadblock shape, or shared memory over the limit, is rejected', async () => {
  const reports = await reportsFor(base);
  const report = reports.reports.find((r) => r.subject === 'launch')!;
  const ctx = candidateContext(reports, report, a100);
  const w = report.workload!;
  const with_ = (tile: object) => ({ ...w, tile: { ...w.tile, ...tile } });
  assert.equal(candidateProblem(w, ctx, report.kernel), null);
  assert.match(candidateProblem(with_({ native: { warpM: 48, warpN: 64, warpK: 32 } }), ctx, report.kernel) ?? '', /does not divide the threadblock shape/);
  // 256 x 256 x 64 tiles in 4 stages stage 256 KiB of fp16: over the A100's 163 KiB.
  assert.match(
    candidateProblem(with_({ blockM: 256, blockN: 256, blockK: 64, stages: 4, warps: 16, threads: 512 }), ctx, report.kernel) ?? '',
    /shared memory/,
  );
  // A K tile under one tensor-core MMA's K (32 bytes: 16 fp16 elements) is rejected; 16 is the smallest kept.
  assert.equal(w.dtype, 'fp16');
  assert.match(candidateProblem(with_({ blockK: 8, native: { warpM: 64, warpN: 64, warpK: 8 } }), ctx, report.kernel) ?? '', /under one tensor-core MMA's K/);
  assert.equal(candidateProblem(with_({ blockK: 16, native: { warpM: 64, warpN: 64, warpK: 16 } }), ctx, report.kernel), null);
});

test('CUTLASS tile actions rewrite GemmShape template arguments in place, and the result analyses back to a legal tile', async () => {
  const text = withShapes('256, 256, 64', '64, 64, 64', 4);
  const reports = await reportsFor(text);
  const launch = reports.reports.find((r) => r.subject === 'launch')!;
  assert.ok(
    launch.on(a100)!.issues.some((i) => i.illegal && i.code === 'smem-over-limit'),
    'the written tile does not fit',
  );
  const actions = api.codeActionsAt(reports, launch.range, ['smem-over-limit']);
  const fix = actions.find((a) => a.kind === 'quickfix' && a.title.startsWith('Use '));
  assert.ok(fix, actions.map((a) => a.title).join(' | '));
  const shapeLine = text.indexOf('using ThreadblockShape');
  const shapeEnd = text.indexOf(';', shapeLine);
  for (const edit of fix!.edits) assert.match(text.slice(edit.range.start, edit.range.end), /^\d+$/, 'each edit replaces one number');
  assert.ok(
    fix!.edits.some((e) => e.range.start > shapeLine && e.range.end < shapeEnd) || fix!.title.includes('NumStages') || fix!.title.includes('WarpShape'),
  );
  let fixed = text;
  for (const edit of [...fix!.edits].sort((a, b) => b.range.start - a.range.start))
    fixed = fixed.slice(0, edit.range.start) + edit.newText + fixed.slice(edit.range.end);
  const after = (await reportsFor(fixed)).reports.find((r) => r.subject === 'launch')!;
  assert.ok(
    !after.on(a100)!.issues.some((i) => i.illegal),
    after
      .on(a100)!
      .issues.map((i) => i.message)
      .join('; '),
  );
});

test('CUTLASS device GEMM: the threadblock GemmShape stands in for a launch, and its prediction follows the shape', async () => {
  const device = readFileSync(join(__dirname, 'fixtures', 'ide', 'cutlass-device-gemm.cu'), 'utf8');
  const predict = async (text: string) => {
    const reports = (await reportsFor(text)).reports;
    assert.equal(reports.length, 1);
    const outcome = reports[0]!.on(a100)!;
    return { time: outcome.prediction!.runtimeMs, tile: outcome.analytic.tile, workload: reports[0]!.workload! };
  };
  const written = await predict(device);
  assert.equal(written.workload.kernel, 'cutlass');
  assert.deepEqual([written.tile.blockM, written.tile.blockN, written.tile.blockK, written.tile.threads, written.tile.stages], [128, 128, 32, 256, 4]);
  const smaller = await predict(device.replace('GemmShape<128, 128, 32>;', 'GemmShape<64, 64, 32>;'));
  assert.deepEqual([smaller.tile.blockM, smaller.tile.blockN, smaller.tile.threads], [64, 64, 64]);
  assert.notEqual(smaller.time, written.time);
  // With a CUTLASS kernel launched in the file (the other fixture), its launch is the only report.
  assert.deepEqual(
    (await reportsFor(base)).reports.map((r) => r.label),
    ['cutlass_gemm'],
  );
});
