// Checks workloadFromLaunch / workloadFromLibraryCall on small synthetic analysis results: tile
// names, Triton meta-parameters, tiles inferred from the grid, naive kernels, and non-GEMMs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelFamilyOf, NAIVE_BLOCK_ASSUMED, TILE_FROM_HEURISTIC, tileFieldOf, workloadFromLaunch, workloadFromLibraryCall } from './workload-from-analysis';
import type { KernelInfo, LaunchSite, LibraryGemmCall, TileParam } from '../analysis/types';

const r = (start: number, end: number) => ({ start, end });
function kernel(over: Partial<KernelInfo> = {}): KernelInfo {
  return {
    name: 'mm',
    range: r(100, 900),
    nameRange: r(110, 112),
    kind: 'gemm',
    kindReason: 'shared-memory tiles and a K loop',
    parameters: [],
    templateParameters: [],
    launchBounds: null,
    sharedArrays: [{ name: 'As', elementType: 'float', sizeBytes: 4096, dynamic: false, range: r(200, 220) }],
    staticSharedMemBytes: 8192,
    dtype: 'fp32',
    tensorCores: 'none',
    tileLoops: [],
    constexprParams: [],
    configs: [],
    ...over,
  };
}
function launch(over: Partial<LaunchSite> = {}): LaunchSite {
  return {
    kernel: 'mm',
    range: r(1000, 1050),
    grid: [64, 64, 1],
    block: [16, 16, 1],
    gridExpr: null,
    blockExpr: null,
    dynamicSharedMemBytes: null,
    stream: null,
    templateArgs: [],
    metaParams: {},
    numWarps: null,
    numStages: null,
    problem: { m: 2048, n: 2048, k: 1024, batch: null, dtype: null, assumed: [], source: 'code' },
    ...over,
  };
}
const param = (name: string, value: number | null, at = 10, origin: TileParam['origin'] = 'define'): TileParam => ({
  name,
  value,
  valueRange: r(at, at + 2),
  range: r(at - 5, at + 2),
  origin,
});

test('workload: tile names map to fields', () => {
  assert.equal(tileFieldOf('BM'), 'blockM');
  assert.equal(tileFieldOf('BLOCK_SIZE_N'), 'blockN');
  assert.equal(tileFieldOf('kTileK'), 'blockK');
  assert.equal(tileFieldOf('TILE_SIZE'), 'square');
  assert.equal(tileFieldOf('TILE'), 'square');
  assert.equal(tileFieldOf('TM'), 'threadM');
  assert.equal(tileFieldOf('num_warps'), 'warps');
  assert.equal(tileFieldOf('SPLIT_K'), 'splitK');
  assert.equal(tileFieldOf('M'), null);
  assert.equal(tileFieldOf('WARP_SIZE'), null);
});

test('workload: square TILE kernel with a 16x16 block', () => {
  const res = workloadFromLaunch(kernel(), launch(), [param('TILE', 16)]);
  const w = res.workload!;
  assert.equal(w.kernel, 'tiled');
  assert.deepEqual([w.m, w.n, w.k, w.batch, w.dtype], [2048, 2048, 1024, 1, 'fp32']);
  assert.equal(w.tile?.blockM, 16);
  assert.equal(w.tile?.blockN, 16);
  assert.equal(w.tile?.blockK, 16);
  // 16 * 16 * 1 = 256 threads = 8 warps
  assert.equal(w.tile?.threads, 256);
  assert.equal(w.tile?.warps, 8);
  assert.equal(w.sharedMemPerBlockBytes, 8192);
  assert.equal(w.usesTensorCores, false);
  assert.ok(res.assumed.includes('batch'));
});

test('workload: BM/BN/BK/TM/TN with kernel-scope values shadowing file scope', () => {
  const params = [
    param('BM', 64, 10),
    param('BN', 64, 20),
    param('BK', 8, 30),
    param('BM', 128, 300, 'const'),
    param('TM', 8, 310, 'const'),
    param('TN', 8, 320, 'const'),
  ];
  // named tile values win over the grid (which alone would suggest 2048 / 16 = 128 for both)
  const w = workloadFromLaunch(kernel(), launch({ grid: [16, 16, 1], block: [256, 1, 1] }), params).workload!;
  assert.equal(w.tile?.blockM, 128); // the kernel-scope BM (offset 300 lies inside the kernel 100..900)
  assert.equal(w.tile?.blockN, 64);
  assert.equal(w.tile?.blockK, 8);
  assert.equal(w.tile?.threadM, 8);
  assert.equal(w.tile?.threadN, 8);
  assert.equal(w.tile?.threads, 256);
});

test("workload: another function's local constant, another launch's keyword and another kernel's default are not the kernel's", () => {
  // m = n = 2048, grid (32, 16): without names the tile is BN = 64, BM = 128 from the grid.
  const foreign = [
    { ...param('BM', 16, 2000, 'const'), local: true },
    param('BN', 16, 2010, 'launch-kwarg'),
    { ...param('BK', 16, 2020, 'triton-constexpr'), local: true },
    param('TM', 16, 2030, 'template-arg'),
  ];
  const w = workloadFromLaunch(kernel(), launch({ grid: [32, 16, 1], block: [256, 1, 1] }), foreign).workload!;
  assert.equal(w.tile?.blockM, 128);
  assert.equal(w.tile?.blockN, 64);
  assert.notEqual(w.tile?.blockK, 16);
  assert.notEqual(w.tile?.threadM, 16);
  // The same names at file scope are the kernel's.
  const fileScope = workloadFromLaunch(kernel(), launch({ grid: [32, 16, 1], block: [256, 1, 1] }), [param('BM', 16, 2000, 'const')]).workload!;
  assert.equal(fileScope.tile?.blockM, 16);
  // This launch's own keyword argument (inside its range 1000..1050) is.
  const own = workloadFromLaunch(kernel(), launch({ grid: [32, 16, 1], block: [256, 1, 1] }), [param('BN', 32, 1020, 'launch-kwarg')]).workload!;
  assert.equal(own.tile?.blockN, 32);
});

test('workload: a Triton kernel whose fp32 the code states (ieee precision) runs on the FMA units, an assumed fp32 on tensor cores', () => {
  const ieee = kernel({ tensorCores: 'tl-dot', sharedArrays: [], staticSharedMemBytes: null, dtype: 'fp32', constexprParams: ['BLOCK_M'] });
  const meta = { metaParams: { BLOCK_M: 64, BLOCK_N: 64, BLOCK_K: 32 }, grid: null, block: null };
  const stated = launch({ ...meta, problem: { m: 2048, n: 2048, k: 1024, batch: null, dtype: 'fp32', assumed: [], source: 'code' } });
  assert.equal(workloadFromLaunch(ieee, stated, []).workload?.usesTensorCores, false);
  const assumed = launch({ ...meta, problem: { m: 2048, n: 2048, k: 1024, batch: null, dtype: 'fp32', assumed: ['dtype'], source: 'default' } });
  assert.equal(workloadFromLaunch(ieee, assumed, []).workload?.usesTensorCores, undefined);
});

test('workload: tile inferred from the grid when no names are found', () => {
  // m = n = 2048, grid (32, 16): BN = 2048 / 32 = 64, BM = 2048 / 16 = 128
  const res = workloadFromLaunch(kernel(), launch({ grid: [32, 16, 1], block: [256, 1, 1] }), []);
  assert.equal(res.workload?.tile?.blockN, 64);
  assert.equal(res.workload?.tile?.blockM, 128);
  assert.ok(res.assumed.includes('blockN from grid.x'));
  assert.ok(res.assumed.includes('blockK'));
});

test('workload: naive kernel uses the block as its tile', () => {
  const naive = kernel({ sharedArrays: [], staticSharedMemBytes: 0, kindReason: 'dot-product loop' });
  const w = workloadFromLaunch(naive, launch({ block: [32, 8, 1] }), []).workload!;
  assert.equal(w.kernel, 'naive');
  assert.equal(w.tile?.blockM, 8);
  assert.equal(w.tile?.blockN, 32);
  assert.equal(w.tile?.threadM, 1);
  // A block that does not fold: the usual 16×16, one output per thread, said; not a library's 128×128 tile.
  const unknown = workloadFromLaunch(naive, launch({ block: null, grid: null }), []);
  assert.deepEqual(
    [unknown.workload?.tile?.blockM, unknown.workload?.tile?.blockN, unknown.workload?.tile?.blockK, unknown.workload?.tile?.threads],
    [16, 16, 1, 256],
  );
  assert.ok(unknown.assumed.includes(NAIVE_BLOCK_ASSUMED));
  assert.ok(!unknown.assumed.includes(TILE_FROM_HEURISTIC));
});

test('workload: Triton meta-parameters from the launch, else the first config, else defaults', () => {
  const triton = kernel({
    name: 'matmul_kernel',
    tensorCores: 'tl-dot',
    sharedArrays: [],
    staticSharedMemBytes: null,
    dtype: 'fp16',
    constexprParams: ['BLOCK_SIZE_M', 'BLOCK_SIZE_N', 'BLOCK_SIZE_K'],
    configs: [{ range: r(50, 90), params: { BLOCK_SIZE_M: 128, BLOCK_SIZE_N: 256, BLOCK_SIZE_K: 64 }, numWarps: 8, numStages: 3 }],
  });
  const fromConfig = workloadFromLaunch(triton, launch({ grid: null, block: null, metaSource: 'first-config' }), []).workload!;
  assert.equal(fromConfig.kernel, 'triton');
  assert.equal(fromConfig.dtype, 'fp16');
  assert.equal(fromConfig.tile?.blockM, 128);
  assert.equal(fromConfig.tile?.blockN, 256);
  assert.equal(fromConfig.tile?.blockK, 64);
  // 8 warps * 32 = 256 threads
  assert.equal(fromConfig.tile?.warps, 8);
  assert.equal(fromConfig.tile?.threads, 256);
  assert.equal(fromConfig.tile?.stages, 3);
  assert.equal(fromConfig.usesTensorCores, undefined);
  const kw = workloadFromLaunch(triton, launch({ grid: null, block: null, metaParams: { BLOCK_SIZE_M: 64 }, numWarps: 4 }), []).workload!;
  assert.equal(kw.tile?.blockM, 64);
  assert.equal(kw.tile?.warps, 4);
  assert.equal(kw.tile?.threads, 128);
  const bare = kernel({ tensorCores: 'tl-dot', sharedArrays: [], constexprParams: ['BLOCK_M'], configs: [] });
  const res = workloadFromLaunch(bare, launch({ grid: null, block: null, metaParams: { BLOCK_M: 32, BLOCK_N: 32, BLOCK_K: 32 } }), []);
  assert.equal(res.workload?.tile?.warps, 4);
  assert.ok(res.assumed.some((a) => a.startsWith('num_warps')));
});

test('workload: non-GEMMs and unknown sizes give null with a reason', () => {
  const other = workloadFromLaunch(kernel({ kind: 'other', kindReason: 'elementwise' }), launch(), []);
  assert.equal(other.workload, null);
  assert.match(other.reason ?? '', /not a GEMM/);
  const unknown = workloadFromLaunch(kernel(), launch({ problem: { m: null, n: 10, k: 10, batch: null, dtype: null, assumed: [], source: 'code' } }), []);
  assert.equal(unknown.workload, null);
  assert.match(unknown.reason ?? '', /problem size/);
});

test('workload: a WMMA kernel without shared memory takes its tile from the grid, not one output per thread', () => {
  const wmma = kernel({ tensorCores: 'wmma', dtype: 'fp16', sharedArrays: [], staticSharedMemBytes: 0 });
  // 4096 x 4096 over grid (64, 64): BN = 4096 / 64 = 64, BM = 64; block (128, 4) = 512 threads
  const w = workloadFromLaunch(
    wmma,
    launch({ grid: [64, 64, 1], block: [128, 4, 1], problem: { m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'fp16', assumed: [], source: 'code' } }),
    [param('WMMA_M', 16)],
  ).workload!;
  assert.equal(w.kernel, 'naive');
  assert.equal(w.usesTensorCores, true);
  assert.equal(w.tile?.blockM, 64);
  assert.equal(w.tile?.blockN, 64);
  assert.equal(w.tile?.threads, 512);
});

test('workload: CUTLASS and tensor-core kernels', () => {
  const cute = kernel({ tensorCores: 'cute', dtype: 'bf16' });
  assert.equal(kernelFamilyOf(cute, null, []), 'cutlass');
  const wmma = workloadFromLaunch(kernel({ tensorCores: 'wmma', dtype: 'fp16' }), launch(), [param('TILE', 32)]).workload!;
  assert.equal(wmma.usesTensorCores, true);
});

test('workload: library calls', () => {
  const call: LibraryGemmCall = { api: 'cublasSgemm', range: r(0, 10), m: 512, n: 256, k: 128, batch: null, dtype: 'fp32', transA: false, transB: false };
  const w = workloadFromLibraryCall(call).workload!;
  assert.deepEqual([w.kernel, w.m, w.n, w.k, w.batch, w.dtype], ['library', 512, 256, 128, 1, 'fp32']);
  const partial = workloadFromLibraryCall({ ...call, k: null, dtype: null }, { m: 4096, n: 4096, k: 4096, dtype: 'fp16' });
  assert.equal(partial.workload?.k, 4096);
  assert.equal(partial.workload?.dtype, 'fp16');
  assert.deepEqual(partial.assumed, ['k', 'dtype']);
  assert.equal(workloadFromLibraryCall({ ...call, m: null }).workload, null);
});
