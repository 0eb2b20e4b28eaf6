// Runs `tilecast analyze --gpu ID` in-process: per-GPU `features` on GEMM launches and library calls,
// nothing for non-GEMMs or without --gpu, text lines from the same data, and ptxas resources when nvcc exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runInProcess } from '../run-in-process';
import { command } from './analyze';
import { FEATURE_NAMES, FEATURE_VERSION } from '../../perf/features';
import { writeTestModels } from '../predict/test-models';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const run = (...args: string[]) => runInProcess(command, args);

const root = join(__dirname, '..', '..', '..', '..');
const example = join(root, 'examples', 'tiled_matmul.cu');
const cublas = join(root, 'test', 'fixtures', 'cuda', 'cublas-sgemm.cu');
const softmax = join(root, 'test', 'fixtures', 'cuda', 'softmax.cu');

function hasNvcc(): boolean {
  try {
    execFileSync('nvcc', ['--version'], { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch {
    return false;
  }
}

test('analyze --gpu: features per GPU on a GEMM launch, analytic numbers, estimated resources', async () => {
  const { code, stdout, stderr } = await run(example, '--json', '--gpu', 'h100', '--gpu', 'NVIDIA A100-SXM4-80GB', '--gpu', 'h100-sxm');
  assert.equal(code, 0, stderr);
  const launch = JSON.parse(stdout).files[0].launches[0];
  assert.deepEqual(Object.keys(launch.features), ['h100-sxm', 'a100-sxm4-80gb'], 'one entry per distinct GPU, by catalogue id');
  const h100 = launch.features['h100-sxm'];
  assert.equal(h100.featureVersion, FEATURE_VERSION);
  assert.deepEqual(Object.keys(h100.values), [...FEATURE_NAMES]);
  assert.ok(Object.values(h100.values).every((v) => v === null || typeof v === 'number'));
  assert.equal(h100.values.tile_m, 16);
  assert.equal(h100.values.threads_per_block, 256);
  assert.equal(h100.values.log2_k, 12);
  // 4096 / 16 = 256 tiles each way; 256 threads and 2 KB per block: 8 blocks per SM, limited by warps.
  assert.equal(h100.analytic.tiles, 65536);
  assert.equal(h100.analytic.blocksPerSM, 8);
  assert.equal(h100.analytic.limiter, 'warps');
  assert.equal(h100.analytic.flops, 2 * 4096 ** 3);
  assert.ok(h100.analytic.analyticTimeMs >= h100.analytic.rooflineTimeMs && h100.analytic.rooflineTimeMs >= h100.analytic.computeTimeMs);
  assert.ok(['compute', 'memory', 'latency'].includes(h100.analytic.bound));
  // A 16x16 SIMT tile reads 2 shared-memory words per FMA: shared memory, not the FP32 pipes, sets the time.
  assert.equal(h100.analytic.timeLimiter, 'shared-memory');
  assert.ok(h100.analytic.sharedMemTimeMs > h100.analytic.computeTimeMs);
  assert.equal(h100.resources.source, 'estimate');
  assert.equal(h100.resources.staticSharedMemBytes, 2048, 'counted __shared__ arrays');
  assert.ok(h100.resources.registersPerThread >= 16);
  assert.ok(Array.isArray(h100.assumed));
  assert.ok(launch.features['a100-sxm4-80gb'].analytic.computeTimeMs > h100.analytic.computeTimeMs, 'A100 is slower than H100 at fp32');
});

test('analyze --gpu: library calls get features; non-GEMM launches get none; no --gpu, no features key', async () => {
  const { code, stdout } = await run(cublas, softmax, '--json', '--gpu', 'l4');
  assert.equal(code, 0);
  const [lib, soft] = JSON.parse(stdout).files;
  const sgemm = lib.libraryCalls[0];
  assert.equal(sgemm.features.l4.values.kernel_library, 1);
  assert.equal(sgemm.features.l4.analytic.flops, 2 * 1024 * 512 * 256);
  assert.equal(sgemm.features.l4.resources.source, 'estimate');
  assert.equal(soft.kernels[0].kind, 'other');
  assert.equal(soft.launches[0].features, undefined);
  assert.equal(soft.launches[0].featuresReason, undefined);
  const plain = await run(example, cublas, '--json');
  assert.ok(!plain.stdout.includes('"features"') && !plain.stdout.includes('"prediction"'), 'version-1 output unchanged without --gpu');
});

test("analyze --gpu: a host function's local tile constants do not set another launch's tile; the limiter names L1 when the kernel has no shared memory", async () => {
  const fixture = join(root, 'test', 'fixtures', 'cuda-instructions', 'host-local-tiles.cu');
  const { code, stdout, stderr } = await run(fixture, '--json', '--gpu', 'rtx-4090');
  assert.equal(code, 0, stderr);
  const values = JSON.parse(stdout).files[0].launches[0].features['rtx-4090'].values;
  assert.equal(values.tile_m, 32);
  assert.equal(values.tile_n, 32);
  const text = await run(fixture, '--gpu', 'rtx-4090');
  assert.match(text.stdout, /analytic [\d.]+ ms \(L1-cache-bound\), 16384 tiles/);
});

test('analyze --gpu: a library call of unknown sizes says what its prediction assumed; a non-GEMM launch has no problem line', async () => {
  const source = join(mkdtempSync(join(tmpdir(), 'tilecast-text-')), 'unknown.cu');
  writeFileSync(
    source,
    `#include <cublas_v2.h>
void gemm(cublasHandle_t h, int m, int n, int k, const float *A, const float *B, float *C) {
  const float one = 1.f, zero = 0.f;
  cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, B, n, A, k, &zero, C, n);
}
`,
  );
  const library = await run(source, '--gpu', 'rtx-4090');
  assert.match(library.stdout, /library cublasSgemm \(line 4\): M=\? N=\? K=\? dtype=fp32 \(assumed m, n, k from the default\)/);
  const elementwise = await run(softmax, '--gpu', 'rtx-4090');
  assert.match(elementwise.stdout, /launch /);
  assert.doesNotMatch(elementwise.stdout, /problem: M=/);
});

/** A Triton GEMM kernel `mm(a, b, c, M, N, K, BLOCK_M, BLOCK_N, BLOCK_K)`; tests append its launches. */
const TRITON_MM = `import torch
import triton
import triton.language as tl


@triton.jit
def mm(a_ptr, b_ptr, c_ptr, M, N, K, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, K, BLOCK_K):
        a = tl.load(a_ptr + tl.arange(0, BLOCK_M)[:, None] * K + tl.arange(0, BLOCK_K)[None, :])
        b = tl.load(b_ptr + tl.arange(0, BLOCK_K)[:, None] * N + tl.arange(0, BLOCK_N)[None, :])
        acc += tl.dot(a, b)
    tl.store(c_ptr + tl.arange(0, BLOCK_M)[:, None] * N + tl.arange(0, BLOCK_N)[None, :], acc.to(tl.float16))
`;

test('analyze --gpu: Triton tile sizes passed by position set the tile, as keywords do', async () => {
  const source = join(mkdtempSync(join(tmpdir(), 'tilecast-positional-')), 'positional.py');
  writeFileSync(
    source,
    `${TRITON_MM}
a = torch.randn((4096, 2048), device="cuda", dtype=torch.float16)
b = torch.randn((2048, 1024), device="cuda", dtype=torch.float16)
c = torch.empty((4096, 1024), device="cuda", dtype=torch.float16)
mm[(triton.cdiv(4096, 128) * triton.cdiv(1024, 64),)](a, b, c, 4096, 1024, 2048, 128, 64, 32)
`,
  );
  const { code, stdout, stderr } = await run(source, '--json', '--gpu', 'h100-sxm');
  assert.equal(code, 0, stderr);
  const launch = JSON.parse(stdout).files[0].launches[0];
  const values = launch.features['h100-sxm'].values;
  assert.deepEqual([values.tile_m, values.tile_n, values.tile_k], [128, 64, 32]);
  assert.ok(!launch.features['h100-sxm'].assumed.some((name: string) => name.startsWith('block')), launch.features['h100-sxm'].assumed.join(', '));
});

test('analyze --gpu: a Triton launch whose tile comes from a run-time dict says which tile its prediction assumed', async () => {
  const source = join(mkdtempSync(join(tmpdir(), 'tilecast-config-')), 'config.py');
  writeFileSync(
    source,
    `${TRITON_MM}
def run(config):
    a = torch.randn((2048, 2048), device="cuda", dtype=torch.float16)
    b = torch.randn((2048, 2048), device="cuda", dtype=torch.float16)
    c = torch.empty((2048, 2048), device="cuda", dtype=torch.float16)
    grid = lambda META: (triton.cdiv(2048, META["BLOCK_M"]) * triton.cdiv(2048, META["BLOCK_N"]),)
    mm[grid](a, b, c, 2048, 2048, 2048, **config)
    mm[(256,)](a, b, c, 2048, 2048, 2048, **config)
`,
  );
  const json = await run(source, '--json', '--gpu', 'h100-sxm');
  const [lambdaGrid, fixedGrid] = JSON.parse(json.stdout).files[0].launches.map((l: { features: Record<string, any> }) => l.features['h100-sxm']);
  assert.ok(lambdaGrid.assumed.includes('tile (the library heuristic)'), lambdaGrid.assumed.join(', '));
  // A 1-D grid of 256 programs over 2048 x 2048: 128 x 128 tiles (not N / 256 = 8 wide).
  assert.deepEqual([fixedGrid.values.tile_m, fixedGrid.values.tile_n], [128, 128]);
  assert.ok(fixedGrid.assumed.includes('blockM, blockN square from the grid size'), fixedGrid.assumed.join(', '));
  const text = await run(source, '--gpu', 'h100-sxm');
  assert.match(text.stdout, /tile assumed: \d+×\d+×\d+, the library heuristic's/);
});

test('analyze --gpu: text shows one line per GPU from the same data; bad GPU or --ptxas alone -> exit 2', async () => {
  const text = await run(example, '--gpu', 'rtx-4090');
  assert.equal(text.code, 0);
  assert.match(
    text.stdout,
    /on rtx-4090: analytic [\d.]+ ms \(shared-memory-bound\), 65536 tiles, [\d.]+ waves, occupancy \d+% \(\d+ blocks\/SM, \w+\), \d+ regs, 2048 B smem \(estimate\)/,
  );
  const bad = await run(example, '--gpu', 'RTX 9090');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown GPU 'RTX 9090'/);
  const ptxasAlone = await run(example, '--ptxas');
  assert.equal(ptxasAlone.code, 2);
  assert.match(ptxasAlone.stderr, /--ptxas needs --gpu/);
});

test('analyze --gpu --ptxas: registers and shared memory measured for each GPU architecture', { skip: hasNvcc() ? false : 'nvcc not installed' }, async () => {
  const { code, stdout, stderr } = await run(example, '--json', '--gpu', 'a100', '--gpu', 'h100', '--ptxas');
  assert.equal(code, 0, stderr);
  const features = JSON.parse(stdout).files[0].launches[0].features;
  for (const [id, arch] of [
    ['a100-sxm4-80gb', 'sm_80'],
    ['h100-sxm', 'sm_90'],
  ]) {
    const r = features[id].resources;
    assert.equal(r.source, 'ptxas', `${id}: ${r.note ?? ''}`);
    assert.equal(r.arch, arch);
    assert.equal(r.staticSharedMemBytes, 2048);
    assert.ok(r.registersPerThread >= 16 && r.registersPerThread <= 64, `${r.registersPerThread} registers`);
  }
});

test('analyze --gpu --models DIR: a prediction per GPU from the loaded models; a bad directory leaves features only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-analyze-models-'));
  await writeTestModels(dir);
  const { code, stdout, stderr } = await run(example, cublas, '--json', '--gpu', 'h100', '--gpu', 't4', '--models', dir);
  assert.equal(code, 0, stderr);
  const [file, lib] = JSON.parse(stdout).files;
  for (const target of [file.launches[0], lib.libraryCalls[0]]) {
    assert.deepEqual(Object.keys(target.prediction), ['h100-sxm', 't4']);
    const p = target.prediction['h100-sxm'];
    assert.ok(p.runtimeMs > 0 && p.runtimeLoMs <= p.runtimeMs && p.runtimeMs <= p.runtimeHiMs, JSON.stringify(p));
    assert.ok(p.powerW > 0 && p.energyMj > 0);
    assert.equal(p.models.runtime.transform, 'log-ratio-to-analytic');
    assert.equal(p.models.power.target, 'power');
    assert.equal(p.models.runtime.featureVersion, FEATURE_VERSION);
  }
  const text = await run(example, '--gpu', 'h100', '--models', dir);
  assert.match(text.stdout, /on h100-sxm: analytic .*\n {6}predicted: [\d.]+ ms \([\d.]+\.\.[\d.]+\), [\d.]+ W/);
  // --method (with the shipped models, which record each method's overhead): eager PyTorch timing adds
  // its per-call overhead to the runtime.
  const timeWith = async (...method: string[]) => {
    const r = await run(example, '--json', '--gpu', 'h100', ...method);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).files[0].launches[0].prediction['h100-sxm'].runtimeMs as number;
  };
  const kernelMs = await timeWith();
  const eagerMs = await timeWith('--method', 'pytorch-eager');
  assert.ok(kernelMs > 0 && eagerMs > kernelMs + 0.005, `kernel ${kernelMs} ms, eager ${eagerMs} ms`);
  const badMethod = await run(example, '--gpu', 'h100', '--method', 'stopwatch');
  assert.equal(badMethod.code, 2);
  assert.match(badMethod.stderr, /--method must be one of kernel, pytorch-eager, triton-do-bench, got 'stopwatch'/);
  const missing = await run(example, '--json', '--gpu', 'h100', '--models', join(dir, 'nope'));
  assert.equal(missing.code, 0);
  assert.match(missing.stderr, /no predictions \(model files runtime\.tcmf and power\.tcmf not found/);
  const launch = JSON.parse(missing.stdout).files[0].launches[0];
  assert.ok(launch.features['h100-sxm']);
  assert.equal(launch.prediction, undefined);
});
