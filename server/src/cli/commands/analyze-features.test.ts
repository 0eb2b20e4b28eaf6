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
import { mkdtempSync } from 'node:fs';
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
