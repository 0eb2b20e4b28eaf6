// GEMM forms the CUDA analysis once missed, through to the workload the editor predicts: a WMMA kernel
// with one warp per fragment tile (its block tile), cuBLASXt and complex cuBLAS calls (complex GEMMs as
// real ones), and a CUTLASS 2.x device::Gemm that names no shapes (CUTLASS's default tile, assumed).
// The analysis-level expectations live in test/fixtures/cuda-instructions/{wmma-warp-per-tile,cublas-xt-and-complex}.cu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import { TILE_FROM_CUTLASS_DEFAULT } from '../server/src/perf/workload-from-analysis';
import * as api from '../server/src/ide/api';
import { DEFAULT_SETTINGS } from '../server/src/ide/protocol';
import { CUTLASS_DEVICE_LABEL } from '../server/src/ide/cutlass-device';
import { DEFAULT_ANALYSIS_OPTIONS } from '../server/src/analysis/types';
import { fileAnalysisToJson } from '../server/src/report/analysis-json';
import { renderAnalysisText } from '../server/src/report/analysis-text';
import { attachReports } from '../server/src/cli/analyze-reports';

const a100 = findGpu('a100-sxm4-80gb')!;

async function reportsFor(text: string) {
  const analysis = analyzeSource(await loadGrammars(), 'cuda', text);
  return { analysis, reports: api.buildReports({ text, analysis, gpus: [a100], settings: DEFAULT_SETTINGS, predictor: null, modelError: null }).reports };
}

test('WMMA one warp per tile: the block tile is warps × fragment, x over M', async () => {
  const text = readFileSync(join(__dirname, 'fixtures', 'cuda-instructions', 'wmma-warp-per-tile.cu'), 'utf8');
  const { reports } = await reportsFor(text);
  const tileOf = (kernel: string) => {
    const report = reports.find((r) => r.subject === 'launch' && r.label === kernel)!;
    const w = report.workload!;
    return [w.m, w.n, w.k, w.tile?.blockM, w.tile?.blockN, w.tile?.blockK, w.tile?.warps];
  };
  // cuda-samples' launch: 4096² (from the launch's M_GLOBAL, N_GLOBAL, K_GLOBAL), 64×64 tiles of 16 warps.
  assert.deepEqual(tileOf('simple_wmma_gemm'), [4096, 4096, 4096, 64, 64, 16, 16]);
  // 8 warps along M × 16 rows, 2 along N × 16 columns; K is the default (the kernel takes none).
  assert.deepEqual(tileOf('fixed_wmma_gemm'), [2048, 1024, 4096, 128, 32, 16, 16]);
});

test('complex cuBLAS calls run as 4 real GEMMs (3 for gemm3m), cuBLASXt as cublas<t>gemm', async () => {
  const text = readFileSync(join(__dirname, 'fixtures', 'cuda-instructions', 'cublas-xt-and-complex.cu'), 'utf8');
  const { reports } = await reportsFor(text);
  const library = (api: string) => reports.find((r) => r.subject === 'library' && r.label === api)!;
  const xt = library('cublasXtSgemm');
  assert.deepEqual([xt.workload?.m, xt.workload?.n, xt.workload?.k, xt.workload?.batch, xt.workload?.dtype], [8192, 4096, 2048, 1, 'fp32']);
  assert.equal(library('cublasCgemm').workload?.batch, 4);
  assert.ok(library('cublasCgemm').assumed.includes('complex: 4 real GEMMs a call'), library('cublasCgemm').assumed.join(', '));
  assert.equal(library('cublasCgemm3m').workload?.batch, 3);
  assert.equal(library('cublasCgemm3mStridedBatched').workload?.batch, 30);
  assert.equal(library('cublasGemmEx').workload?.batch, 4);
  // The analytic estimate follows the work: the 4M GEMM takes longer than the 3M one of the same size.
  const time = (api: string) => library(api).on(a100)!.analytic.timeMs;
  assert.ok(time('cublasCgemm') > time('cublasCgemm3m'), `${time('cublasCgemm')} vs ${time('cublasCgemm3m')}`);
});

const SIMT_DEFAULT = `#include <cutlass/gemm/device/gemm.h>
cudaError_t CutlassSgemmNN(int M, int N, int K, float alpha, float const *A, int lda, float const *B, int ldb, float beta, float *C, int ldc) {
  using ColumnMajor = cutlass::layout::ColumnMajor;
  using CutlassGemm = cutlass::gemm::device::Gemm<float,        // Data-type of A matrix
                                                  ColumnMajor,  // Layout of A matrix
                                                  float,        // Data-type of B matrix
                                                  ColumnMajor,  // Layout of B matrix
                                                  float,        // Data-type of C matrix
                                                  ColumnMajor>; // Layout of C matrix
  CutlassGemm gemm_operator;
  CutlassGemm::Arguments args({M, N, K}, {A, lda}, {B, ldb}, {C, ldc}, {C, ldc}, {alpha, beta});
  cutlass::Status status = gemm_operator(args);
  return status == cutlass::Status::kSuccess ? cudaSuccess : cudaErrorUnknown;
}
`;

test("CUTLASS device::Gemm with six arguments: CUTLASS's default SIMT tile, assumed", async () => {
  const { analysis, reports } = await reportsFor(SIMT_DEFAULT);
  const at = SIMT_DEFAULT.indexOf('Gemm<float');
  assert.deepEqual(analysis.cutlassDefaultTile, {
    range: { start: at, end: SIMT_DEFAULT.indexOf('>;', at) + 1 },
    threadblock: [128, 128, 8],
    warp: [32, 64, 8],
    stages: 2,
  });
  const report = reports.find((r) => r.subject === 'launch' && r.label === CUTLASS_DEVICE_LABEL);
  assert.ok(report, 'the default-configuration Gemm gets a stand-in launch');
  assert.equal(report.workload?.kernel, 'cutlass');
  assert.equal(report.workload?.dtype, 'fp32');
  const t = report.workload!.tile!;
  assert.deepEqual([t.blockM, t.blockN, t.blockK, t.native?.warpM, t.native?.warpN, t.warps, t.threads, t.stages], [128, 128, 8, 32, 64, 8, 256, 2]);
  assert.ok(report.assumed.includes(TILE_FROM_CUTLASS_DEFAULT), report.assumed.join(', '));
  assert.ok(report.on(a100)!.analytic.timeMs > 0);
  // `tilecast analyze`: the entry sits on the Gemm's line and says whose tile it is.
  const json = fileAnalysisToJson('sgemm.cu', SIMT_DEFAULT, analysis);
  attachReports(json, SIMT_DEFAULT, analysis, { gpus: [a100], defaultProblem: DEFAULT_ANALYSIS_OPTIONS.defaultProblem });
  const text = renderAnalysisText(json);
  assert.match(text, /CUTLASS device GEMM \(line 4\): tile 128×128×8, 256 threads, 2 stages/);
  assert.match(text, /tile assumed: 128×128×8, CUTLASS's default configuration/);
});

test('CUTLASS default tile: int8 SIMT takes K 32; a tensor-op class or named shapes take no default', async () => {
  const int8 = SIMT_DEFAULT.replace(
    /Gemm<float,[^>]*ColumnMajor>;[^\n]*/s,
    'Gemm<int8_t, cutlass::layout::RowMajor, int8_t, cutlass::layout::ColumnMajor, int32_t, cutlass::layout::RowMajor, int32_t>;',
  );
  assert.deepEqual((await reportsFor(int8)).analysis.cutlassDefaultTile?.threadblock, [128, 128, 32]);
  const simt = SIMT_DEFAULT.replace('ColumnMajor>; // Layout of C matrix', 'ColumnMajor, float, cutlass::arch::OpClassSimt, cutlass::arch::Sm80>;');
  assert.deepEqual((await reportsFor(simt)).analysis.cutlassDefaultTile?.warp, [32, 64, 8]);
  const tensorOp = SIMT_DEFAULT.replace('ColumnMajor>; // Layout of C matrix', 'ColumnMajor, float, cutlass::arch::OpClassTensorOp, cutlass::arch::Sm80>;');
  const tensor = await reportsFor(tensorOp);
  assert.equal(tensor.analysis.cutlassDefaultTile, undefined);
  assert.equal(
    tensor.reports.some((r) => r.label === CUTLASS_DEVICE_LABEL),
    false,
  );
  const shaped = SIMT_DEFAULT.replace(
    'ColumnMajor>; // Layout of C matrix',
    'ColumnMajor, float, cutlass::arch::OpClassSimt, cutlass::arch::Sm80, cutlass::gemm::GemmShape<64, 64, 8>, cutlass::gemm::GemmShape<32, 32, 8>>;',
  );
  const named = await reportsFor(shaped);
  assert.equal(named.analysis.cutlassDefaultTile, undefined);
  const tile = named.reports.find((r) => r.label === CUTLASS_DEVICE_LABEL)!.workload!.tile!;
  assert.deepEqual([tile.blockM, tile.blockN, tile.blockK], [64, 64, 8]);
});
