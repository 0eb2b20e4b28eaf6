// Hand-worked checks of the analytic GEMM model on a toy GPU with round numbers (10 SMs, 100 TFLOP/s
// fp16 tensor, 10 TFLOP/s fp32, 1000 GB/s, 40 MB L2), so no expected value depends on the catalogue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyticEstimate, l2MissFraction, launchFloorMsOf, MODEL_CONSTANTS, operandFeedPerClock } from './analytic-model';
import type { GemmWorkload, GpuSpec } from './types';
import { toyGpu } from './perf-test-fixtures';
import { findGpu } from './gpu-catalogue';

const near = (actual: number, expected: number, rel = 1e-9) => assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} != ${expected}`);

test('analytic: compute-bound 1024^3 fp16, 128x128x32 tile, 3 stages', () => {
  const w: GemmWorkload = {
    m: 1024,
    n: 1024,
    k: 1024,
    batch: 1,
    dtype: 'fp16',
    kernel: 'cutlass',
    usesTensorCores: true,
    registersPerThread: 128,
    tile: { blockM: 128, blockN: 128, blockK: 32, threads: 256, stages: 3 },
  };
  const a = analyticEstimate(w, toyGpu);
  assert.equal(a.valid, true);
  // smem = (128*32 + 32*128) * 2 B * 3 stages = 8192 * 6 = 49152 B
  assert.equal(a.sharedMemPerBlockBytes, 49152);
  // registers: 128 * 32 = 4096 per warp -> 65536/4096 = 16 warps = 2 blocks of 8 warps;
  // smem: 49152 + 1024 reserved = 50176 -> floor(102400 / 50176) = 2; warps: 48/8 = 6 -> 2 blocks
  assert.equal(a.blocksPerSM, 2);
  assert.equal(a.occupancyLimiter, 'registers');
  near(a.occupancy, 16 / 48);
  // tiles = ceil(1024/128) * ceil(1024/128) = 8 * 8 = 64
  assert.equal(a.tilesM, 8);
  assert.equal(a.tilesN, 8);
  assert.equal(a.tiles, 64);
  // waves = 64 / (2 * 10) = 3.2; wave efficiency = 64 / (4 * 20) = 0.8
  near(a.waves, 3.2);
  near(a.waveEfficiency, 0.8);
  // busiest SM runs ceil(64/10) = 7 tiles; busy fraction 64/70
  assert.equal(a.tilesPerSM, 7);
  near(a.smBusyFraction, 64 / 70);
  assert.equal(a.tileQuantEfficiency, 1);
  // flops = 2 * 1024^3 = 2147483648
  assert.equal(a.flops, 2147483648);
  assert.equal(a.kIterations, 32);
  // tiled traffic: A 2 MiB x 8 column-tiles + B 2 MiB x 8 row-tiles + C 2 MiB = 17 x 2097152 = 35651584 B
  assert.equal(a.bytesTiled, 35651584);
  // ideal: 3 x 2097152 = 6291456 B; the working sets (<= 2.7 MB) fit the 30 MB usable L2 -> DRAM = ideal
  assert.equal(a.bytesIdeal, 6291456);
  assert.equal(a.dramBytes, 6291456);
  // intensity = 2147483648 / 6291456 = 341.33 flop/B; ridge = 100e12 / 1000e9 = 100 flop/B
  near(a.arithmeticIntensity, 2147483648 / 6291456);
  near(a.ridgePointFlopsPerByte, 100);
  // compute: 7 tiles * (2*128*128*1024 = 33554432 flop) / (100e12 * 0.8 / 10 SMs = 8e12 flop/s) = 29.360128 us
  assert.equal(MODEL_CONSTANTS.tensorComputeEfficiency, 0.8);
  near(a.computeTimeMs, 0.029360128);
  // memory: 6291456 B / (1000e9 * 0.85) = 7.4017 us (Little's law: 10 SMs * 2 blocks * 2 stages * 16384 B / 0.7 us = 936 GB/s > 850)
  near(a.memoryTimeMs, (6291456 / 850e9) * 1e3);
  // L2: 35651584 B / 4000e9 B/s = 8.9129 us
  near(a.l2TimeMs, (35651584 / 4000e9) * 1e3);
  near(a.rooflineTimeMs, 0.029360128);
  assert.equal(a.bound, 'compute');
  // prologue: ceil(7 tiles / 2 resident) = 4 rounds * 0.7 us = 2.8 us; floor 3000 cycles / 1500 MHz = 2 us
  near(a.prologueMs, 0.0028);
  near(a.launchFloorMs, 0.002);
  near(a.timeMs, 0.002 + 0.029360128 + 0.0028);
  // shared-memory traffic per tile: 32 K-steps * 32 * ((128+128)*2 B + 256 threads * (8+8) * 2 B) = 1024 * 8704 B
  assert.equal(a.sharedMemBytesPerTile, 1024 * (512 + 8192));
});

test("analytic: memory-bound 1x8192x8192 fp16 (GEMV-like), Little's-law bandwidth cap", () => {
  const w: GemmWorkload = {
    m: 1,
    n: 8192,
    k: 8192,
    batch: 1,
    dtype: 'fp16',
    kernel: 'cutlass',
    usesTensorCores: true,
    registersPerThread: 64,
    tile: { blockM: 64, blockN: 128, blockK: 64, threads: 128, stages: 2 },
  };
  const a = analyticEstimate(w, toyGpu);
  // smem = (64*64 + 64*128) * 2 B * 2 = 49152 -> 2 blocks/SM (shared memory); regs would allow 8
  assert.equal(a.blocksPerSM, 2);
  assert.equal(a.occupancyLimiter, 'shared-memory');
  // tiles = 1 * 64 = 64; quantisation = 1*8192 / (64*8192) = 1/64
  assert.equal(a.tiles, 64);
  near(a.tileQuantEfficiency, 1 / 64);
  // compute (padded rows): 7 tiles * 2*64*128*8192 flop / 8e12 flop/s = 0.117440512 ms
  near(a.computeTimeMs, 0.117440512);
  // A panel (1 x 8192 x 2 B = 16384 B) is re-read by 64/20 = 3.2 waves; the reuse distance is one wave's
  // panels: (1*64 + 20*128) * 8192 * 2 B = 42991616 B vs 30 MiB usable L2 -> miss = log2(42991616 / 15728640) / 2
  const missA = Math.log2(42991616 / 15728640) / 2;
  near(a.l2MissA, missA);
  assert.equal(a.l2MissB, 0); // one row of tiles: B read once
  const dram = 16384 * (1 + 2.2 * missA) + 8192 * 8192 * 2 + 1 * 8192 * 2;
  near(a.dramBytes, dram);
  // Little's law: 10 SMs * max(64 KiB floor, 2 blocks * 1 stage * (64+128)*64*2 B = 49152) / 0.7 us = 936 GB/s > 850 GB/s
  near(a.memoryTimeMs, (dram / 850e9) * 1e3);
  assert.equal(a.bound, 'memory');
  assert.ok(a.arithmeticIntensity < a.ridgePointFlopsPerByte);
});

test("analytic: Little's law caps bandwidth when only 2 SMs are busy", () => {
  const w: GemmWorkload = {
    m: 1,
    n: 256,
    k: 65536,
    batch: 1,
    dtype: 'fp16',
    kernel: 'cutlass',
    usesTensorCores: true,
    registersPerThread: 64,
    tile: { blockM: 64, blockN: 128, blockK: 64, threads: 128, stages: 2 },
  };
  const a = analyticEstimate(w, toyGpu);
  // tiles = 1 * 2 = 2 -> 2 active SMs, each with max(65536, 1 block * 1 stage * 24576) = 65536 B in flight:
  // 2 * 65536 B / 0.7 us = 187 GB/s, far below 850 GB/s
  assert.equal(a.tiles, 2);
  assert.equal(a.splitK, 1); // a workload's own tile: no split-K search
  // DRAM: B 65536*256*2 = 33554432 + A 65536*2 = 131072 (one wave: read once) + C 256*2 = 512
  assert.equal(a.dramBytes, 33686016);
  near(a.memoryTimeMs, (33686016 / (131072 / 0.7e-6)) * 1e3);
  // compute: 1 tile per SM * 2*64*128*65536 flop / 8e12 flop/s = 0.134 ms < 0.18 ms
  near(a.computeTimeMs, ((2 * 64 * 128 * 65536) / 8e12) * 1e3);
  assert.equal(a.bound, 'memory');
});

test('analytic: library split-K is the candidate with the smallest estimate', () => {
  const w: GemmWorkload = { m: 64, n: 64, k: 16384, batch: 1, dtype: 'fp16', kernel: 'library' };
  const a = analyticEstimate(w, toyGpu);
  assert.ok(a.splitK > 1, `split ${a.splitK}`);
  // the chosen split is no slower than running the same tile unsplit
  const unsplit = analyticEstimate({ ...w, kernel: 'cutlass', tile: { ...a.tile, native: { splitK: 1 } } }, toyGpu);
  assert.ok(a.timeMs <= unsplit.timeMs, `${a.timeMs} <= ${unsplit.timeMs}`);
});

test('analytic: a library launch with grid.z = 3 x batch runs split-K 3', () => {
  // NeuSight-style record: 128x64 SGEMM, batch 2, grid (4, 2, 6): K split 6 / 2 = 3 ways
  const w: GemmWorkload = {
    m: 128,
    n: 512,
    k: 3000,
    batch: 2,
    dtype: 'fp32',
    kernel: 'library',
    grid: [4, 2, 6],
    block: [128, 1, 1],
    tile: { blockM: 128, blockN: 64, threads: 128 },
  };
  const a = analyticEstimate(w, toyGpu);
  assert.equal(a.splitK, 3);
  // tiles = 2 * ceil(128/128) * ceil(512/64) * 3 = 48; K per slice 1000 -> ceil(1000 / 8) = 125 steps of BK = 8 (SGEMM)
  assert.equal(a.tiles, 48);
  assert.equal(a.kIterations, 125);
  assert.equal(analyticEstimate({ ...w, grid: [4, 2, 2] }, toyGpu).splitK, 1);
});

test('analytic: tile quantisation and waves on an uneven shape, batch and split-K', () => {
  const w: GemmWorkload = {
    m: 1000,
    n: 300,
    k: 100,
    batch: 3,
    dtype: 'fp32',
    kernel: 'tiled',
    registersPerThread: 32,
    tile: { blockM: 128, blockN: 128, blockK: 16, threads: 256, stages: 1, native: { splitK: 2 } },
  };
  const a = analyticEstimate(w, toyGpu);
  // tiles = 3 batches * ceil(1000/128)=8 * ceil(300/128)=3 * splitK 2 = 144
  assert.equal(a.tiles, 144);
  // quantisation = 1000*300 / (1024 * 384) = 300000 / 393216
  near(a.tileQuantEfficiency, 300000 / 393216);
  // K per slice = 50 -> ceil(50/16) = 4 iterations
  assert.equal(a.kIterations, 4);
  // flops = 2 * 1000 * 300 * 100 * 3 = 180,000,000
  assert.equal(a.flops, 180000000);
  // fp32 SIMT peak (no tensor cores for a hand-written tiled kernel)
  assert.equal(a.peak.peak, 'fp32');
  // C: 1000*300*4 B + split-K partials 1000*300*4 B * 2 (write+read) * 2 slices = 1.2e6 + 4.8e6 = 6e6 B per batch
  // tiled = 3 * (A 1000*100*4 * 3 + B 100*300*4 * 8 + 6e6) = 3 * (1.2e6 + 0.96e6 + 6e6) = 24.48e6 B
  assert.equal(a.bytesTiled, 24480000);
  // ideal = 3 * (0.4e6 + 0.12e6 + 6e6) = 19.56e6 B
  assert.equal(a.bytesIdeal, 19560000);
});

test('analytic: dynamic quantisation adds a quantisation pass; per-tensor fp8 first reduces the amax; static adds none', () => {
  const base: GemmWorkload = { m: 1024, n: 1024, k: 1024, batch: 1, dtype: 'fp8', kernel: 'library' };
  const plain = analyticEstimate(base, toyGpu);
  const perTensor = analyticEstimate({ ...base, quantization: 'fp8' }, toyGpu);
  const perBlock = analyticEstimate({ ...base, quantization: 'fp8_block' }, toyGpu);
  const stat = analyticEstimate({ ...base, quantization: 'fp8_static' }, toyGpu);
  assert.equal(plain.quantPassMs, 0);
  assert.equal(stat.quantPassMs, 0);
  // per-block scales: one kernel, 2 us floor + 0.7 us latency + 1024*1024*(2 + 1) B / 850 GB/s
  near(perBlock.quantPassMs, 0.002 + 0.0007 + ((1024 * 1024 * 3) / 850e9) * 1e3);
  // per-tensor scale: an amax kernel reading A (2 B) first; the quantising kernel then finds the
  // 2 MB of A in the toy's 30 MB of usable L2 and only writes 1 B per element to DRAM
  near(perTensor.quantPassMs, 2 * (0.002 + 0.0007) + ((1024 * 1024 * 2) / 850e9) * 1e3 + ((1024 * 1024 * 1) / 850e9) * 1e3);
  near(perTensor.timeMs, plain.timeMs + perTensor.quantPassMs);
});

test('analytic: grouped (library) vs row-major (hand-written) tile order with a 1 MB L2', () => {
  const smallL2: GpuSpec = { ...toyGpu, l2CacheMB: { value: 1, source: 'test fixture' } };
  const tile = { blockM: 128, blockN: 128, blockK: 32, threads: 256, stages: 2 };
  const w: GemmWorkload = { m: 4096, n: 4096, k: 1024, batch: 1, dtype: 'fp16', kernel: 'cutlass', usesTensorCores: true, registersPerThread: 128, tile };
  const g = analyticEstimate(w, smallL2);
  // 2 blocks/SM (registers) x 10 SMs = 20 resident tiles; tilesM = tilesN = 32
  assert.equal(g.blocksPerSM, 2);
  assert.equal(g.tilesM, 32);
  // grouped: a wave is a sqrt(20 * 128/128) = 4.472 x 4.472 patch; the reuse distances
  // (4.472*128 + 4.472*128) * 1024 * 2 B = 2.34 MB and (4096 + 572) * 2048 B exceed 2 x 0.75 MiB -> all misses
  const side = Math.sqrt(20);
  assert.equal(g.l2MissA, 1);
  assert.equal(g.l2MissB, 1);
  near(g.readsA, 32 / side);
  near(g.readsB, 32 / side);
  // A and B are 4096*1024*2 = 8388608 B each; C 4096*4096*2 = 33554432 B
  near(g.dramBytes, 8388608 * (32 / side) * 2 + 33554432);
  // row-major: a wave is 1 row x 20 columns: A re-read 32/20 = 1.6 times, B 32 times
  const r = analyticEstimate({ ...w, kernel: 'tiled' }, smallL2);
  near(r.readsA, 1.6);
  near(r.readsB, 32);
  assert.ok(r.dramBytes > g.dramBytes);
});

test('analytic: L2 miss fraction is 0 at half the L2, 0.5 at the L2 size, 1 beyond twice it', () => {
  assert.equal(l2MissFraction(1e6, 4e6), 0);
  assert.equal(l2MissFraction(2e6, 4e6), 0); // log2(2e6/2e6) / 2 = 0
  assert.equal(l2MissFraction(4e6, 4e6), 0.5); // log2(2) / 2
  assert.equal(l2MissFraction(8e6, 4e6), 1); // log2(4) / 2
  assert.equal(l2MissFraction(64e6, 4e6), 1);
});

test('analytic: library tile chosen when none is given; time grows with every dimension', () => {
  const base: GemmWorkload = { m: 2048, n: 2048, k: 2048, batch: 1, dtype: 'bf16', kernel: 'library' };
  const a = analyticEstimate(base, toyGpu);
  assert.equal(a.tileSource, 'library-heuristic');
  assert.equal(a.usesTensorCores, true);
  assert.equal(a.peak.peak, 'bf16Tensor');
  assert.ok(a.launchable);
  for (const key of ['m', 'n', 'k', 'batch'] as const) {
    const bigger = analyticEstimate({ ...base, [key]: base[key] * 2 }, toyGpu);
    assert.ok(bigger.timeMs > a.timeMs, `${key} doubled: ${bigger.timeMs} > ${a.timeMs}`);
  }
});

test('analytic: a tiny GEMM is latency-bound; bad input gives NaN, not an exception', () => {
  const tiny = analyticEstimate({ m: 16, n: 16, k: 16, batch: 1, dtype: 'fp16', kernel: 'library' }, toyGpu);
  assert.equal(tiny.bound, 'latency');
  // floor 2 us + one round of prologue 0.7 us dominate: time >= 2.7 us
  assert.ok(tiny.timeMs >= 0.0027);
  const bad = analyticEstimate({ m: Number.NaN, n: 16, k: 16, batch: 1, dtype: 'fp16', kernel: 'library' }, toyGpu);
  assert.equal(bad.valid, false);
  assert.ok(Number.isNaN(bad.timeMs));
  const noGpu = analyticEstimate({ m: 16, n: 16, k: 16, batch: 1, dtype: 'fp16', kernel: 'library' }, {} as GpuSpec);
  assert.equal(noGpu.valid, false);
});

test('analytic: operands that fit in L2 stay there across repeated calls; too many rotating copies do not', () => {
  // Decode-like GEMM on the toy GPU (40 MB L2, 0.75 usable = 30 MB): B = 2048 x 2048 x 2 B = 8 MiB.
  const w: GemmWorkload = { m: 16, n: 2048, k: 2048, batch: 1, dtype: 'bf16', kernel: 'library' };
  const cold = analyticEstimate(w, toyGpu);
  assert.equal(cold.crossCallMiss, 1);
  // Same buffers every call: A + B + C = 16·2048·2 + 8 MiB + 16·2048·2 ≈ 8.1 MiB <= half the usable L2
  // (15 MiB), so l2MissFraction = 0: nothing comes from DRAM, only the L2 time is left.
  const warm = analyticEstimate({ ...w, repeatedCalls: { copiesA: 1, copiesB: 1 } }, toyGpu);
  assert.equal(warm.crossCallMiss, 0);
  assert.equal(warm.dramBytes, 0);
  assert.ok(warm.timeMs < cold.timeMs, `${warm.timeMs} < ${cold.timeMs}`);
  assert.equal(warm.l2TimeMs, cold.l2TimeMs);
  // Six rotating copies of B: about 48 MiB against 15 MiB (half the usable L2): miss = log2(48 / 15) / 2 = 0.84.
  const six = analyticEstimate({ ...w, repeatedCalls: { copiesA: 1, copiesB: 6 } }, toyGpu);
  const ws = 16 * 2048 * 2 + 6 * 2048 * 2048 * 2 + 16 * 2048 * 2;
  near(six.crossCallMiss, Math.log2(ws / (0.5 * 40 * 1048576 * MODEL_CONSTANTS.l2UsableFraction)) / 2);
  assert.ok(six.timeMs > warm.timeMs && six.timeMs <= cold.timeMs);
  // Nonsense copy counts are ignored (cold), never NaN.
  assert.equal(analyticEstimate({ ...w, repeatedCalls: { copiesA: Number.NaN, copiesB: -1 } }, toyGpu).crossCallMiss, 1);
});

test('analytic: a GPU missing what the clock and residency physics need gets notes and a finite estimate, never NaN', () => {
  const bare = { ...toyGpu, boardPowerW: undefined, l2CacheMB: undefined } as unknown as GpuSpec;
  const a = analyticEstimate({ m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'bf16', kernel: 'library', repeatedCalls: { copiesA: 1, copiesB: 1 } }, bare);
  assert.equal(a.valid, true);
  assert.ok(Number.isFinite(a.timeMs) && a.timeMs > 0);
  assert.equal(a.clockSource, 'boost');
  assert.equal(a.clockFraction, 1);
  assert.equal(a.sustainedClockMHz, 1500);
  assert.ok(
    a.notes.some((n) => /no board power: boost clock 1500 MHz assumed/.test(n)),
    a.notes.join('; '),
  );
  assert.ok(
    a.notes.some((n) => /no L2 size/.test(n)),
    a.notes.join('; '),
  );
  assert.equal(a.crossCallMiss, 1);
});

test('analytic: split-K adds a reduction kernel (one launch floor + one DRAM latency); no split adds none', () => {
  const w: GemmWorkload = {
    m: 64,
    n: 64,
    k: 16384,
    batch: 1,
    dtype: 'fp16',
    kernel: 'cutlass',
    usesTensorCores: true,
    tile: { blockM: 64, blockN: 64, blockK: 32, threads: 128, stages: 4 },
  };
  const one = analyticEstimate({ ...w, tile: { ...w.tile, native: { splitK: 1 } } }, toyGpu);
  const four = analyticEstimate({ ...w, tile: { ...w.tile, native: { splitK: 4 } } }, toyGpu);
  assert.equal(one.splitKReduceMs, 0);
  near(four.splitKReduceMs, four.launchFloorMs + MODEL_CONSTANTS.dramLatencyUs * 1e-3);
  near(four.timeMs, four.launchFloorMs + four.rooflineTimeMs + four.prologueMs + four.quantPassMs + four.splitKReduceMs);
});

test('analytic: a one-tile GEMM with a long K pays for its split (H100 bf16 2 x 32 x 4096, measured 5.4 us)', () => {
  // aiconfigurator H100 (CUDA graphs) times this at 5.4 us. Splitting K 8 ways would cut the single
  // tile's loads to a few tenths of a microsecond; the reduction kernel is what keeps it above 4 us.
  const h100 = findGpu('h100-sxm')!;
  const w: GemmWorkload = { m: 2, n: 32, k: 4096, batch: 1, dtype: 'bf16', kernel: 'library' };
  const a = analyticEstimate(w, h100);
  assert.ok(a.timeMs > 0.004 && a.timeMs < 0.0065, `${a.timeMs} ms`);
  // every split candidate carries the reduction; without it the best split would be under 3 us
  if (a.splitK > 1) assert.ok(a.timeMs - a.splitKReduceMs < 0.003, `${a.timeMs - a.splitKReduceMs}`);
  const unsplit = analyticEstimate({ ...w, kernel: 'cutlass', usesTensorCores: true, tile: { ...a.tile, native: { splitK: 1 } } }, h100);
  assert.ok(a.timeMs <= unsplit.timeMs);
});

test('analytic: a partitioned L2 holds shared operands once per partition (two partitions = half the reuse capacity)', () => {
  // Six 4 MB weight copies (24 MB) fit the toy's 40 MB L2 (30 MB usable, miss 0 below 15 MB... here
  // log2(24/15)/2 = 0.34), but not half of it (15 MB usable per partition: log2(24/7.5)/2 = 0.84).
  const w: GemmWorkload = { m: 8, n: 2048, k: 1024, batch: 1, dtype: 'fp16', kernel: 'library', repeatedCalls: { copiesA: 1, copiesB: 6, copiesC: 1 } };
  const one = analyticEstimate(w, toyGpu);
  const two = analyticEstimate(w, { ...toyGpu, l2Partitions: { value: 2, source: 'test fixture' } });
  assert.ok(two.crossCallMiss > one.crossCallMiss + 0.3, `${one.crossCallMiss} -> ${two.crossCallMiss}`);
  assert.ok(two.dramBytes > one.dramBytes);
  assert.ok(two.timeMs >= one.timeMs);
  assert.ok(findGpu('h100-sxm')?.l2Partitions?.value === 2 && findGpu('rtx-pro-6000-server')?.l2Partitions === undefined);
});

test('analytic: a swizzled launch whose grid.x·grid.y does not cover the tiles is not read as split-K', () => {
  // NeuSight P4 `sgemm_128x128x8_NT_vec`, 1024 x 5120 x 1280: 8 x 40 = 320 tiles launched as grid (4, 20, 4)
  const w: GemmWorkload = {
    m: 1024,
    n: 5120,
    k: 1280,
    batch: 1,
    dtype: 'fp32',
    kernel: 'library',
    grid: [4, 20, 4],
    block: [256, 1, 1],
    tile: { blockM: 128, blockN: 128, threads: 256 },
  };
  const a = analyticEstimate(w, toyGpu);
  assert.equal(a.splitK, 1);
  assert.equal(a.tiles, 320);
  // the same tile on an unswizzled grid (8, 40, 4) is a 4-way split
  assert.equal(analyticEstimate({ ...w, grid: [8, 40, 4] }, toyGpu).splitK, 4);
});

test("analytic: library SGEMM operand feed, smaller tiles need more bytes per clock and run below the large tiles' rate", () => {
  // 64 lanes x 4 B x (128+128)/(128*128) = 4 B/clock; 32x32: 64 x 4 x 64/1024 = 16 B/clock; 128 lanes doubles it.
  near(operandFeedPerClock(64, 4, 128, 128), 4);
  near(operandFeedPerClock(64, 4, 32, 32), 16);
  near(operandFeedPerClock(128, 4, 128, 128), 8);
  assert.ok(Number.isNaN(operandFeedPerClock(undefined, 4, 128, 128)));
  // Toy GPU: 300 W for 10 SMs at 1.5 GHz has power to spare, so the tile rate decides. Same 4096^3 SGEMM,
  // same flops and no padding: the 32x32 tile's compute time over the 128x128 tile's is the ratio of feed fractions.
  const base = { m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'fp32' as const, kernel: 'library' as const };
  const big = analyticEstimate({ ...base, tile: { blockM: 128, blockN: 128, blockK: 8, threads: 256, stages: 2 } }, toyGpu);
  const small = analyticEstimate({ ...base, tile: { blockM: 32, blockN: 32, blockK: 8, threads: 128, stages: 2 } }, toyGpu);
  const feed = (b: number) => 1 / Math.hypot(1, b / MODEL_CONSTANTS.operandFeedBytesPerClockPerSM);
  near(big.operandFeedFraction, feed(8));
  near(small.operandFeedFraction, feed(32));
  assert.equal(big.clockSource, 'boost');
  // The busiest SM runs ceil(1024/10) = 103 big tiles or ceil(16384/10) = 1639 small ones of 1/16 the flops.
  assert.equal(big.tilesPerSM, 103);
  assert.equal(small.tilesPerSM, 1639);
  near(small.computeTimeMs / big.computeTimeMs, (1639 / 16 / 103) * (big.operandFeedFraction / small.operandFeedFraction), 1e-9);
  assert.ok(small.timeMs > big.timeMs * 1.5);
  // Hand-written SIMT and tensor-core kernels keep their own terms: no feed fraction.
  assert.equal(analyticEstimate({ ...base, kernel: 'tiled', tile: { blockM: 64, blockN: 64, blockK: 8, threads: 256 } }, toyGpu).operandFeedFraction, 1);
  assert.equal(analyticEstimate({ ...base, dtype: 'fp16', usesTensorCores: true }, toyGpu).operandFeedFraction, 1);
});

test('analytic: the launch floor is launchFloorCycles at the boost clock (fallback clock when a GPU has none)', () => {
  const w: GemmWorkload = { m: 16, n: 16, k: 16, batch: 1, dtype: 'fp16', kernel: 'library' };
  const at1500 = analyticEstimate(w, toyGpu);
  const at750 = analyticEstimate(w, { ...toyGpu, boostClockMHz: { value: 750, source: 'test' } });
  near(at1500.launchFloorMs, MODEL_CONSTANTS.launchFloorCycles / 1500 / 1000);
  near(at750.launchFloorMs, 2 * at1500.launchFloorMs);
  assert.ok(at750.timeMs > at1500.timeMs, 'a slower clock gives a tiny GEMM a longer floor');
  near(
    launchFloorMsOf({ ...toyGpu, boostClockMHz: undefined } as unknown as GpuSpec),
    MODEL_CONSTANTS.launchFloorCycles / MODEL_CONSTANTS.launchFloorFallbackClockMHz / 1000,
  );
});

test('analytic: a persistent kernel runs at most one tile per program at a time; a grid of the SM count changes nothing', () => {
  const gpu = findGpu('h100-sxm')!;
  const w: GemmWorkload = {
    m: 8192,
    n: 8192,
    k: 8192,
    batch: 1,
    dtype: 'fp16',
    kernel: 'triton',
    tile: { blockM: 128, blockN: 128, blockK: 64, threads: 128, stages: 3 },
  };
  const plain = analyticEstimate(w, gpu);
  const perSM = analyticEstimate({ ...w, programs: gpu.smCount.value! }, gpu);
  const eight = analyticEstimate({ ...w, programs: 8 }, gpu);
  assert.ok(Math.abs(perSM.timeMs / plain.timeMs - 1) < 0.05, `${perSM.timeMs} vs ${plain.timeMs}`);
  // 4096 tiles: 512 rounds on 8 SMs against 32 on 132, so about 16 times the compute time.
  assert.equal(eight.tilesPerSM, 512);
  assert.ok(eight.timeMs > 10 * plain.timeMs, `${eight.timeMs} vs ${plain.timeMs}`);
});
