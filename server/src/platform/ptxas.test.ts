// Tests the ptxas report parser on output captured from nvcc 13.0, the Itanium name reader, and
// (when nvcc is installed) a real compilation of a tiled GEMM with its cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelBaseName, measureKernelResources, parsePtxasVerbose } from './ptxas';

// `nvcc -c -arch=sm_80 -Xptxas -v` (CUDA 13.0) on a file with a namespaced kernel, an extern "C"
// kernel, a template instance and a 16x16 tiled GEMM.
const CAPTURED_SM80 = `ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function '_ZN2ns5spillEPfi' for 'sm_80'
ptxas info    : Function properties for _ZN2ns5spillEPfi
    256 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 40 registers, used 0 barriers, 256 bytes cumulative stack size, 364 bytes cmem[0]
ptxas info    : Compile time = 13.824 ms
ptxas info    : Compiling entry function 'plain_c' for 'sm_80'
ptxas info    : Function properties for plain_c
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 8 registers, used 0 barriers, 360 bytes cmem[0]
ptxas info    : Compile time = 0.746 ms
ptxas info    : Compiling entry function '_Z5templIfLi128EEvPT_' for 'sm_80'
ptxas info    : Function properties for _Z5templIfLi128EEvPT_
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 10 registers, used 1 barriers, 512 bytes smem, 360 bytes cmem[0]
ptxas info    : Compile time = 0.756 ms
ptxas info    : Compiling entry function '_Z10tiled_gemmPKfS0_Pfiii' for 'sm_80'
ptxas info    : Function properties for _Z10tiled_gemmPKfS0_Pfiii
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 32 registers, used 1 barriers, 2048 bytes smem, 388 bytes cmem[0]
ptxas info    : Compile time = 7.682 ms
`;

// `-maxrregcount=24` on a 32-accumulator kernel: ptxas spills.
const CAPTURED_SPILL = `ptxas info    : Overriding maximum register limit 256 for '_Z5heavyPKfPfi' with  24 of maxrregcount option
ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function '_Z5heavyPKfPfi' for 'sm_80'
ptxas info    : Function properties for _Z5heavyPKfPfi
    160 bytes stack frame, 504 bytes spill stores, 448 bytes spill loads
ptxas info    : Used 24 registers, used 0 barriers, 160 bytes cumulative stack size, 372 bytes cmem[0]
ptxas info    : Compile time = 9.939 ms
`;

// Two -gencode targets, a __noinline__ device function and a __constant__ array (cmem[3]); the
// helper's stack and spill figures were edited from 0 so that leaking them would show.
const CAPTURED_TWO_ARCHS = `ptxas info    : 0 bytes gmem, 256 bytes cmem[3]
ptxas info    : Compiling entry function '_Z1kPf' for 'sm_80'
ptxas info    : Function properties for _Z1kPf
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 12 registers, used 0 barriers, 360 bytes cmem[0]
ptxas info    : Compile time = 1.978 ms
ptxas info    : Function properties for _Z6helperf
    8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads
ptxas info    : 0 bytes gmem, 256 bytes cmem[3]
ptxas info    : Compiling entry function '_Z1kPf' for 'sm_86'
ptxas info    : Function properties for _Z1kPf
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 12 registers, used 0 barriers, 360 bytes cmem[0]
`;

// The shape of older ptxas reports (CUDA 11.x: no barrier count, several constant banks), written
// by hand in that format rather than captured.
const CAPTURED_CUDA11 = `ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function '_Z6kernelPf' for 'sm_70'
ptxas info    : Function properties for _Z6kernelPf
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 30 registers, 4096 bytes smem, 356 bytes cmem[0], 8 bytes cmem[2]
`;

test('ptxas parser: one record per entry function with registers, smem and cmem', () => {
  const kernels = parsePtxasVerbose(CAPTURED_SM80);
  assert.deepEqual(
    kernels.map((k) => k.name),
    ['ns::spill', 'plain_c', 'templ', 'tiled_gemm'],
  );
  const gemm = kernels[3];
  assert.equal(gemm.mangledName, '_Z10tiled_gemmPKfS0_Pfiii');
  assert.equal(gemm.arch, 'sm_80');
  assert.equal(gemm.registersPerThread, 32);
  assert.equal(gemm.staticSharedMemBytes, 2048);
  assert.equal(gemm.constantMemBytes, 388);
  assert.equal(gemm.barriers, 1);
  assert.equal(kernels[0].stackFrameBytes, 256);
  assert.equal(kernels[0].registersPerThread, 40);
  assert.equal(kernels[0].staticSharedMemBytes, 0);
  assert.equal(kernels[2].staticSharedMemBytes, 512);
});

test('ptxas parser: spills', () => {
  const [heavy] = parsePtxasVerbose(CAPTURED_SPILL);
  assert.equal(heavy.registersPerThread, 24);
  assert.equal(heavy.spillStoresBytes, 504);
  assert.equal(heavy.spillLoadsBytes, 448);
  assert.equal(heavy.stackFrameBytes, 160);
});

test('ptxas parser: device functions are skipped and each architecture is separate', () => {
  const kernels = parsePtxasVerbose(CAPTURED_TWO_ARCHS);
  assert.deepEqual(
    kernels.map((k) => `${k.name}@${k.arch}`),
    ['k@sm_80', 'k@sm_86'],
  );
  // The helper's spills must not leak into the kernel that follows it.
  assert.equal(kernels[1].spillStoresBytes, 0);
  assert.equal(kernels[1].stackFrameBytes, 0);
});

test('ptxas parser: CUDA 11 format, several constant banks', () => {
  const [kernel] = parsePtxasVerbose(CAPTURED_CUDA11);
  assert.equal(kernel.registersPerThread, 30);
  assert.equal(kernel.staticSharedMemBytes, 4096);
  assert.equal(kernel.constantMemBytes, 364);
  assert.equal(kernel.barriers, undefined);
});

test('ptxas parser: garbage gives no kernels and does not throw', () => {
  assert.deepEqual(parsePtxasVerbose(''), []);
  assert.deepEqual(parsePtxasVerbose('error: something went wrong\nUsed 12 registers'), []);
  assert.deepEqual(parsePtxasVerbose(undefined as unknown as string), []);
});

test('Itanium names: plain, nested, templated, extern "C"', () => {
  assert.equal(kernelBaseName('_Z10tiled_gemmPKfS0_Pfiii'), 'tiled_gemm');
  assert.equal(kernelBaseName('_ZN2ns5spillEPfi'), 'ns::spill');
  assert.equal(kernelBaseName('_Z5templIfLi128EEvPT_'), 'templ');
  assert.equal(kernelBaseName('_Z4gemmI6float4Li64ELi64EEvPKT_'), 'gemm');
  assert.equal(kernelBaseName('_ZN7cutlass6KernelINS_4gemm6kernel4GemmIiEEEEvNT_6ParamsE'), 'cutlass::Kernel');
  assert.equal(kernelBaseName('plain_c'), 'plain_c');
  assert.equal(kernelBaseName('_Zbroken'), '_Zbroken');
});

test('measureKernelResources: rejects a malformed arch without running anything', async () => {
  const result = await measureKernelResources('__global__ void k() {}', { arch: 'sm_80; rm -rf /' });
  assert.equal(result.ok, false);
});

test('measureKernelResources: a missing nvcc is an error, not a throw', async () => {
  const result = await measureKernelResources('__global__ void k() {}', { arch: 'sm_80', nvccPath: '/nonexistent/bin/nvcc' });
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.error, /not found/);
});

const hasNvcc = spawnSync('nvcc', ['--version'], { encoding: 'utf8' }).status === 0;
const noNvcc = hasNvcc ? false : 'nvcc is not installed: skipping the real compilation';

// 32x32 tiles, A's tile padded to 33 columns against bank conflicts: 32*33*4 + 32*32*4 = 8320 bytes.
const TILED_GEMM = `
#define TILE 32
__global__ void tiled_gemm(const float* A, const float* B, float* C, int M, int N, int K) {
  __shared__ float As[TILE][TILE + 1];
  __shared__ float Bs[TILE][TILE];
  int row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;
  float acc = 0.f;
  for (int t = 0; t < (K + TILE - 1) / TILE; ++t) {
    As[threadIdx.y][threadIdx.x] = (row < M && t * TILE + threadIdx.x < K) ? A[row * K + t * TILE + threadIdx.x] : 0.f;
    Bs[threadIdx.y][threadIdx.x] = (col < N && t * TILE + threadIdx.y < K) ? B[(t * TILE + threadIdx.y) * N + col] : 0.f;
    __syncthreads();
    for (int k = 0; k < TILE; ++k) acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
    __syncthreads();
  }
  if (row < M && col < N) C[row * N + col] = acc;
}
`;

test('measureKernelResources: real nvcc on a tiled GEMM, then from the cache', { skip: noNvcc, timeout: 120_000 }, async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'tilecast-ptxas-test-'));
  try {
    const first = await measureKernelResources(TILED_GEMM, { arch: 'sm_80', cacheDir });
    assert.equal(first.ok, true, first.ok ? '' : first.error);
    if (!first.ok) return;
    assert.equal(first.cached, false);
    assert.equal(first.kernels.length, 1);
    const [gemm] = first.kernels;
    assert.equal(gemm.name, 'tiled_gemm');
    assert.equal(gemm.mangledName, '_Z10tiled_gemmPKfS0_Pfiii');
    assert.ok(gemm.registersPerThread > 0 && gemm.registersPerThread <= 255, `registers ${gemm.registersPerThread}`);
    assert.equal(gemm.staticSharedMemBytes, 32 * 33 * 4 + 32 * 32 * 4);
    assert.equal(gemm.spillStoresBytes, 0);
    assert.equal((await readdir(cacheDir)).length, 1);

    const second = await measureKernelResources(TILED_GEMM, { arch: 'sm_80', cacheDir });
    assert.equal(second.ok, true);
    if (second.ok) {
      assert.equal(second.cached, true);
      assert.deepEqual(second.kernels, first.kernels);
    }
    // A different architecture is a different cache entry.
    const hopper = await measureKernelResources(TILED_GEMM, { arch: 'sm_90', cacheDir });
    assert.equal(hopper.ok && hopper.cached, false);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test('measureKernelResources: a compile error is reported with the compiler message', { skip: noNvcc, timeout: 120_000 }, async () => {
  const result = await measureKernelResources('__global__ void k() { undeclared_thing = 1; }', { arch: 'sm_80' });
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.error, /undeclared_thing|error/);
});

const hasPrlimit = spawnSync('prlimit', ['--version'], { encoding: 'utf8' }).status === 0;

test('measureKernelResources: nvcc over its memory limit is reported as such', {
  skip: noNvcc || (hasPrlimit ? false : 'prlimit is not installed'),
  timeout: 120_000,
}, async () => {
  // 64 MiB: nvcc itself cannot start (it crashes); 128 MiB: the front end (cicc) reports "out of memory".
  // Measured with nvcc 13.0: the tiled GEMM compiles from 160 MiB up.
  for (const mib of [64, 128]) {
    const result = await measureKernelResources(TILED_GEMM, { arch: 'sm_80', memoryLimitBytes: mib * 1024 ** 2 });
    assert.equal(result.ok, false, `${mib} MiB`);
    if (!result.ok) assert.match(result.error, new RegExp(`nvcc ran out of memory: the compiler may use at most ${mib} MiB`), result.error);
  }
  const roomy = await measureKernelResources(TILED_GEMM, { arch: 'sm_80', memoryLimitBytes: 1024 ** 3 });
  assert.equal(roomy.ok, true, roomy.ok ? '' : roomy.error);
});
