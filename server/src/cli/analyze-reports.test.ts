// attachReports on analysed sources: predictions from an injected predictor, ptxas results matched by
// kernel name and architecture (with the fallback note), legality findings, a Triton autotune list's
// configs and the autotuner's pick (the same KernelReports the editor reads), and archOf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../analysis/index';
import { DEFAULT_ANALYSIS_OPTIONS } from '../analysis/types';
import { loadGrammars } from '../platform/grammars';
import { findGpu } from '../perf/gpu-catalogue';
import { archOf, type ArchResources } from '../report/analysis-features';
import { fileAnalysisToJson, type AnalyzeJsonFile } from '../report/analysis-json';
import type { GemmPredictor } from '../report/prediction';
import { renderAnalysisText } from '../report/analysis-text';
import { attachReports, type AttachOptions } from './analyze-reports';

const defaultProblem = DEFAULT_ANALYSIS_OPTIONS.defaultProblem;
const attach = (
  json: AnalyzeJsonFile,
  text: string,
  analysis: Parameters<typeof attachReports>[2],
  options: Omit<AttachOptions, 'defaultProblem'> & Partial<AttachOptions>,
) => attachReports(json, text, analysis, { defaultProblem, ...options });

const SOURCE = `#define TILE 32
__global__ void mm(const float* A, const float* B, float* C, int M, int N, int K) {
  __shared__ float As[TILE][TILE];
  __shared__ float Bs[TILE][TILE];
  float acc = 0.0f;
  for (int t = 0; t < K; t += TILE) {
    As[threadIdx.y][threadIdx.x] = A[t];
    Bs[threadIdx.y][threadIdx.x] = B[t];
    __syncthreads();
    for (int i = 0; i < TILE; ++i) acc += As[threadIdx.y][i] * Bs[i][threadIdx.x];
    __syncthreads();
  }
  C[0] = acc;
}
void run(const float* A, const float* B, float* C, int M, int N, int K) {
  // tilecast: M=2048 N=1024 K=512 dtype=fp32
  mm<<<dim3(N / TILE, M / TILE), dim3(TILE, TILE)>>>(A, B, C, M, N, K);
}
`;

const fake: GemmPredictor = {
  predict: (w, gpu) => ({
    runtimeMs: w.m / 1000,
    runtimeLoMs: w.m / 2000,
    runtimeHiMs: w.m / 500,
    powerW: gpu.boardPowerW.value,
    powerLoW: 1,
    powerHiW: 2,
    energyMj: 3,
    energyLoMj: 2,
    energyHiMj: 4,
  }),
  models: { runtime: { target: 'runtime', transform: 'log', featureVersion: 'x' } },
};

async function analysed(source = SOURCE) {
  const analysis = analyzeSource(await loadGrammars(), 'cuda', source);
  return { analysis, json: fileAnalysisToJson('mm.cu', source, analysis) };
}

test('attachReports: ptxas results by arch and kernel name; missing arch or kernel falls back to the estimate with a note', async () => {
  const { analysis, json } = await analysed();
  assert.equal(analysis.kernels[0].kind, 'gemm', analysis.kernels[0].kindReason);
  const h100 = findGpu('h100')!,
    a100 = findGpu('a100')!,
    l4 = findGpu('l4')!;
  const measured = new Map<string, ArchResources>([
    [
      'sm_90',
      {
        ok: true,
        kernels: [
          { name: 'other', registersPerThread: 99, staticSharedMemBytes: 1 },
          { name: 'mm', registersPerThread: 40, staticSharedMemBytes: 8192 },
        ],
      },
    ],
    ['sm_80', { ok: false, error: 'nvcc fatal: boom' }],
  ]);
  attach(json, SOURCE, analysis, { gpus: [h100, a100, l4], measured, predictor: fake });
  const launch = json.launches[0];
  const f = launch.features!;
  assert.deepEqual(f['h100-sxm'].resources, { registersPerThread: 40, staticSharedMemBytes: 8192, source: 'ptxas', arch: 'sm_90' });
  assert.equal(f['h100-sxm'].values.smem_kib_per_block, 8, 'measured shared memory reaches the features');
  assert.equal(f['a100-sxm4-80gb'].resources.source, 'estimate');
  assert.match(f['a100-sxm4-80gb'].resources.note!, /ptxas failed for sm_80 \(nvcc fatal: boom\): estimated/);
  assert.match(f.l4.resources.note!, /ptxas was not run for sm_89/);
  assert.equal(f.l4.analytic.tiles, (2048 / 32) * (1024 / 32));
  assert.deepEqual(launch.prediction!['h100-sxm'], {
    runtimeMs: 2.048,
    runtimeLoMs: 1.024,
    runtimeHiMs: 4.096,
    powerW: 700,
    powerLoW: 1,
    powerHiW: 2,
    energyMj: 3,
    energyLoMj: 2,
    energyHiMj: 4,
    models: { runtime: { target: 'runtime', transform: 'log', featureVersion: 'x' }, power: null },
  });
  // The text renderer shows the same data: one line per GPU, the prediction under it.
  const text = renderAnalysisText(json);
  assert.match(
    text,
    /on h100-sxm: analytic [\d.]+ ms \([\w-]+-bound\), 2048 tiles, [\d.]+ waves, occupancy \d+% .*, 40 regs, 8192 B smem \(ptxas sm_90\)\n {6}predicted: 2\.05 ms \(1\.02\.\.4\.1\), 700 W \(1\.\.2\), 3 mJ/,
  );
  assert.match(text, /on a100-sxm4-80gb: .*\(estimate\)\n {6}note: ptxas failed for sm_80/);
});

test('attachReports: a launch with dynamic shared memory shows it beside the static bytes', async () => {
  const source = SOURCE.replace('dim3(TILE, TILE)>>>', 'dim3(TILE, TILE), 65536>>>');
  const { analysis, json } = await analysed(source);
  attach(json, source, analysis, { gpus: [findGpu('h100')!], predictor: fake });
  assert.equal(json.launches[0].dynamicSharedMemBytes, 65536);
  assert.match(renderAnalysisText(json), /on h100-sxm: analytic .*, \d+ regs, 8192 B static smem \(estimate\) \+ 65536 B dynamic/);
  // Without dynamic shared memory the line says `B smem`, as before.
  const plain = await analysed(SOURCE);
  attach(plain.json, SOURCE, plain.analysis, { gpus: [findGpu('h100')!], predictor: fake });
  assert.match(renderAnalysisText(plain.json), /, 8192 B smem \(estimate\)\n/);
});

test('attachReports: no GPUs -> nothing added; no predictor -> no prediction key; unfolded library sizes -> the defaults, listed', async () => {
  const { analysis, json } = await analysed();
  attach(json, SOURCE, analysis, { gpus: [] });
  assert.equal(json.launches[0].features, undefined);
  attach(json, SOURCE, analysis, { gpus: [findGpu('t4')!] });
  const launch: AnalyzeJsonFile['launches'][number] = json.launches[0];
  assert.ok(launch.features?.t4);
  assert.equal(launch.prediction, undefined);
  assert.deepEqual(launch.issues, { t4: [] }, 'a legal configuration: no findings');
  assert.equal(launch.pickedConfig, undefined, 'not an autotuned launch');
  assert.equal(launch.features.t4.resources.note, undefined, 'no ptxas asked, no note');
  // A library call whose sizes do not fold takes the default problem and says so.
  const call = { api: 'cublasSgemm', range: { start: 0, end: 1 }, m: null, n: 64, k: 64, batch: null, dtype: null, transA: null, transB: null };
  const libJson: AnalyzeJsonFile = { ...json, libraryCalls: [{ api: 'cublasSgemm', line: 1, m: null, n: 64, k: 64, batch: null, dtype: null }] };
  attach(
    libJson,
    SOURCE,
    { ...analysis, launches: [], libraryCalls: [call] },
    { gpus: [findGpu('t4')!], defaultProblem: { m: 128, n: 128, k: 128, dtype: 'fp16' } },
  );
  assert.deepEqual(libJson.libraryCalls[0].features!.t4.assumed, ['m', 'dtype']);
});

test('attachReports: an illegal configuration is named per GPU in --json and in the text', async () => {
  // TILE 64: a 64 x 64 thread block, 4096 threads, over every GPU's 1024.
  const source = SOURCE.replace('#define TILE 32', '#define TILE 64');
  const { analysis, json } = await analysed(source);
  attach(json, source, analysis, { gpus: [findGpu('h100')!], predictor: fake });
  const issues = json.launches[0].issues!['h100-sxm'];
  assert.ok(issues.length >= 1);
  assert.equal(issues[0].code, 'threads-over-limit');
  assert.equal(issues[0].illegal, true);
  assert.match(issues[0].message, /4096 threads per block/);
  assert.match(renderAnalysisText(json), /predicted: .*\n {6}illegal: 4096 threads per block/);
});

test('attachReports: a Triton autotune list: each config on each GPU, the illegal one flagged, the launch is the pick', async () => {
  const path = join(__dirname, '..', '..', '..', 'examples', 'triton_matmul.py');
  const source = readFileSync(path, 'utf8');
  const analysis = analyzeSource(await loadGrammars(), 'triton', source);
  const json = fileAnalysisToJson('triton_matmul.py', source, analysis);
  // Time falls with the config's tile area, so the largest legal tile is the pick.
  const byTile: GemmPredictor = {
    predict: (w, gpu, options) => ({ ...fake.predict(w, gpu, options), runtimeMs: 1e6 / ((w.tile?.blockM ?? 1) * (w.tile?.blockN ?? 1)) }),
  };
  attach(json, source, analysis, { gpus: [findGpu('rtx-4090')!, findGpu('h100')!], predictor: byTile });
  const kernel = json.kernels[0];
  const results = kernel.configResults!;
  assert.equal(results.length, kernel.configs.length);
  assert.ok(kernel.configs.length >= 3);
  // Config #1 (128 x 256 x 64, 3 stages) needs 144 KiB of shared memory: over the RTX 4090's 99 KiB, within the H100's 227 KiB.
  assert.equal(results[0].issues!['rtx-4090'][0]?.code, 'triton-smem-over-limit');
  assert.equal(results[0].issues!['rtx-4090'][0]?.illegal, true);
  assert.ok(!results[0].issues!['h100-sxm'].some((i) => i.illegal));
  const launch = json.launches[0];
  const picked = launch.pickedConfig!;
  assert.equal(picked['h100-sxm'].config, 1, 'the largest tile fits on the H100');
  assert.notEqual(picked['rtx-4090'].config, 1, 'the illegal config is never the pick');
  assert.equal(picked['rtx-4090'].line, kernel.configs[picked['rtx-4090'].config - 1].line);
  // The launch shows the picked config's outcome on each GPU, and the grid and block it launches with
  // (the annotation's M = N = 8192 over that config's tile; the launch's own grid is config #1's).
  const cdiv = (a: number, b: number) => Math.ceil(a / b);
  const gridOf = (c: (typeof kernel.configs)[number]) => cdiv(8192, c.BLOCK_SIZE_M as number) * cdiv(8192, c.BLOCK_SIZE_N as number);
  assert.deepEqual(launch.grid, [gridOf(kernel.configs[0]), 1, 1]);
  for (const gpu of ['rtx-4090', 'h100-sxm']) {
    assert.deepEqual(launch.prediction![gpu], results[picked[gpu].config - 1].prediction![gpu]);
    const config = kernel.configs[picked[gpu].config - 1];
    assert.deepEqual(picked[gpu].grid, [gridOf(config), 1, 1]);
    assert.deepEqual(picked[gpu].block, [(config.num_warps as number) * 32, 1, 1]);
  }
  assert.notDeepEqual(picked['rtx-4090'].grid, launch.grid, 'the RTX 4090 launches another config than #1');
  const text = renderAnalysisText(json);
  assert.match(text, /launch matmul_kernel \(line \d+\): grid \(2048, 1, 1\), block \(256, 1, 1\) with config #1/);
  const g = picked['rtx-4090'].grid!;
  assert.match(
    text,
    new RegExp(`on rtx-4090: the autotuner's pick is config #\\d+ .*: grid \\(${g[0]}, 1, 1\\), block \\(${picked['rtx-4090'].block![0]}, 1, 1\\)`),
  );
  assert.match(text, /config #1 \(line \d+\): BLOCK_SIZE_M=128 .*\n {6}on rtx-4090: predicted .*\n {8}illegal: .*\n {6}on h100-sxm: predicted /);
  assert.match(text, new RegExp(`on rtx-4090: the autotuner's pick is config #${picked['rtx-4090'].config} \\(line ${picked['rtx-4090'].line}\\)`));
  assert.doesNotMatch(text, /tile parameters: BLOCK_SIZE_M/, 'config values are printed once, on their config lines');
});

test('attachReports: a CUTLASS device GEMM the file only configures is an entry of its own, as the editor predicts it', async () => {
  const path = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'ide', 'cutlass3-collective-builder.cu');
  const source = readFileSync(path, 'utf8');
  const analysis = analyzeSource(await loadGrammars(), 'cuda', source);
  const json = fileAnalysisToJson('cutlass3.cu', source, analysis);
  assert.equal(json.launches.length, 0);
  attach(json, source, analysis, { gpus: [findGpu('h100')!], predictor: fake });
  const [device, ...rest] = json.deviceGemms ?? [];
  assert.equal(rest.length, 0);
  assert.deepEqual([device!.tile.blockM, device!.tile.blockN, device!.tile.blockK], [128, 256, 64]);
  assert.equal(device!.line, source.slice(0, source.indexOf('using TileShape = Shape<_128')).split('\n').length);
  // The element type comes from `using ElementA = cutlass::bfloat16_t`, the sizes from the Arguments' {M, N, K, 1}
  // through run(8192, 8192, 8192).
  assert.deepEqual([device!.problem.m, device!.problem.n, device!.problem.k, device!.problem.dtype], [8192, 8192, 8192, 'bf16']);
  assert.deepEqual([device!.problem.assumed, device!.problem.source], [[], 'code']);
  assert.ok(device!.prediction!['h100-sxm'].runtimeMs! > 0);
  assert.deepEqual(device!.issues!['h100-sxm'], []);
  const text = renderAnalysisText(json);
  assert.match(text, new RegExp(`CUTLASS device GEMM \\(line ${device!.line}\\): tile 128×256×64\n {4}problem: M=\\d+ N=\\d+ K=\\d+ dtype=bf16`));
  assert.doesNotMatch(text, /no kernels found/);
});

test('attachReports: a CUTLASS 2.x device GEMM takes its sizes from a GemmCoord passed to its Arguments', async () => {
  const source = [
    '#include <cutlass/gemm/device/gemm.h>',
    'using ThreadblockShape = cutlass::gemm::GemmShape<128, 128, 32>;',
    'using WarpShape = cutlass::gemm::GemmShape<64, 64, 32>;',
    'using Gemm = cutlass::gemm::device::Gemm<cutlass::half_t, cutlass::layout::RowMajor, cutlass::half_t,',
    '    cutlass::layout::ColumnMajor, float, cutlass::layout::RowMajor, float, cutlass::arch::OpClassTensorOp,',
    '    cutlass::arch::Sm80, ThreadblockShape, WarpShape>;',
    '// A comment naming Arguments args{mode, {1, 2, 3}} is not read.',
    'void run(const cutlass::half_t *A, const cutlass::half_t *B, float *C) {',
    '  const int M = 1024, N = 2048, K = 512;',
    '  cutlass::gemm::GemmCoord problem_size(M, N, K);',
    '  typename Gemm::Arguments args(problem_size, {A, K}, {B, K}, {C, N}, {C, N}, {1.0f, 0.0f});',
    '  Gemm gemm_op;',
    '  gemm_op(args);',
    '}',
  ].join('\n');
  const analysis = analyzeSource(await loadGrammars(), 'cuda', source);
  const json = fileAnalysisToJson('cutlass2.cu', source, analysis);
  attach(json, source, analysis, { gpus: [findGpu('a100-sxm4-80gb')!], predictor: fake });
  const problem = json.deviceGemms![0]!.problem;
  assert.deepEqual([problem.m, problem.n, problem.k, problem.dtype, problem.source], [1024, 2048, 512, 'fp16', 'code']);
  assert.equal(json.deviceGemms![0]!.tile.threads, 128, 'four 64x64 warps');
});

test('attachReports: every bundled example gives a prediction on a GPU it can run on', async () => {
  const dir = join(__dirname, '..', '..', '..', 'examples');
  const names = readdirSync(dir).filter((name) => /\.(cu|cuh|py)$/.test(name));
  assert.ok(names.length >= 3, names.join(', '));
  for (const name of names) {
    const source = readFileSync(join(dir, name), 'utf8');
    const analysis = analyzeSource(await loadGrammars(), name.endsWith('.py') ? 'triton' : 'cuda', source);
    const json = fileAnalysisToJson(name, source, analysis);
    attach(json, source, analysis, { gpus: [findGpu('h100')!], predictor: fake });
    const entries = [...json.launches, ...json.libraryCalls, ...(json.deviceGemms ?? [])];
    assert.ok(
      entries.some((e) => e.prediction?.['h100-sxm']?.runtimeMs),
      `${name}: no prediction (${entries.map((e) => ('featuresReason' in e ? e.featuresReason : undefined) ?? 'features').join('; ') || 'no launches'})`,
    );
  }
});

test('archOf: compute capability to ptxas architecture', () => {
  assert.equal(archOf('8.0'), 'sm_80');
  assert.equal(archOf('9.0'), 'sm_90');
  assert.equal(archOf('10.0'), 'sm_100');
  assert.equal(archOf('12.1'), 'sm_121');
  assert.equal(archOf('x'), null);
});

test('attachReports: an extrapolating prediction says so in --json and in the text, per GPU', async () => {
  const { analysis, json } = await analysed();
  const extrapolatingOnT4: GemmPredictor = {
    predict: (w, gpu, options) => ({
      ...fake.predict(w, gpu, options),
      ...(gpu.id === 't4'
        ? { extrapolating: true, extrapolationNotes: ['t4 is not in the training data', 'K=512 below the trained range'] }
        : { extrapolating: false }),
    }),
  };
  attach(json, SOURCE, analysis, { gpus: [findGpu('h100')!, findGpu('t4')!], predictor: extrapolatingOnT4 });
  const p = json.launches[0].prediction!;
  assert.equal(p.t4.extrapolating, true);
  assert.deepEqual(p.t4.extrapolationNotes, ['t4 is not in the training data', 'K=512 below the trained range']);
  assert.equal(p['h100-sxm'].extrapolating, false);
  assert.equal(p['h100-sxm'].extrapolationNotes, undefined);
  const text = renderAnalysisText(json);
  assert.match(
    text,
    /on t4: .*\n {6}predicted: .*\n {6}extrapolating: t4 is not in the training data; K=512 below the trained range; the learned correction is shrunk toward the analytic model, interval widened\n/,
  );
  assert.equal(text.match(/extrapolating/g)?.length, 1, 'only the extrapolating GPU says so');
});
