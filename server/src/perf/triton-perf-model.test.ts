// Works the classic Triton matmul performance model by hand on a toy GPU (10 SMs, 100 TFLOP/s fp16
// tensor peak, 1000 GB/s), following the formulas of triton-lang/kernels' estimate_matmul_time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tritonEstimateForWorkload, tritonEstimateMatmulTime, tritonOptimalStages } from './triton-perf-model';
import type { GpuSpec } from './types';

const s = (value: number) => ({ value, source: 'test fixture' });
const toy = {
  name: 'Toy',
  computeCapability: '8.6',
  smCount: s(10),
  memoryBandwidthGBps: s(1000),
  peak: { fp32: s(10), tf32Tensor: s(50), fp16Tensor: s(100), bf16Tensor: s(100) },
} as unknown as GpuSpec;
const near = (actual: number, expected: number, rel = 1e-9) => assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} != ${expected}`);

test('triton model: 1024^3 fp16 with 128x128x32, 4 warps, worked by hand', () => {
  const e = tritonEstimateMatmulTime(1024, 1024, 1024, 1, 'fp16', { blockM: 128, blockN: 128, blockK: 32, splitK: 1, numWarps: 4, numStages: 3 }, toy);
  assert.equal(e.valid, true);
  // CTAs = 8 * 8 = 64; warps 64 * 4 = 256 >= 4 * 10 subcores -> full 100 TFLOP/s
  assert.equal(e.numCtas, 64);
  near(e.throughputTflops, 100);
  // compute = 2 * 1024^3 / 2^30 GOPS / 100 = 0.02 "ms"
  near(e.computeMs, 0.02);
  // dram_bw = 1000 * (0.95 * min(1, 64/32) + 0.05 * (64-32)/(108-32)) = 1000 * (0.95 + 0.05 * 32/76)
  const dram = 1000 * (0.95 + (0.05 * 32) / 76);
  near(e.dramGBps, dram);
  // DRAM: 2 * 2 MiB * (1 + 0.2 * 7) = 9.6 MB; L2: 2 * 2 MiB * 0.8 * 7 = 22.4 MB at 4 * dram_bw
  near(e.loadMs, 9.6 / dram + 22.4 / (4 * dram));
  // store: 1024 * 1024 * 2 B = 2 MB at 0.6 * dram_bw
  near(e.storeMs, 2 / (0.6 * dram));
  near(e.totalMs, Math.max(0.02, 9.6 / dram + 22.4 / (4 * dram)) + 2 / (0.6 * dram));
});

test('triton model: few CTAs scale throughput and bandwidth down; split-K adds zeroing', () => {
  // 128 x 128 x 4096 with 64x64 tiles, split-K 2: CTAs = 2 * 2 * 2 = 8; warps = 8 * 4 = 32 of 40 subcores
  const e = tritonEstimateMatmulTime(128, 128, 4096, 1, 'fp16', { blockM: 64, blockN: 64, blockK: 32, splitK: 2, numWarps: 4, numStages: 2 }, toy);
  assert.equal(e.numCtas, 8);
  near(e.throughputTflops, (100 * 32) / 40);
  // dram_bw = 1000 * 0.95 * 8/32 = 237.5 GB/s (bw2 term is 0 below 32 CTAs)
  near(e.dramGBps, 237.5);
  // store: 128*128*2 B * 2 slices = 64 KiB = 0.0625 MB, plus zeroing 128*128*2 B = 0.03125 MB, at 0.6 * 237.5
  near(e.storeMs, (0.0625 + 0.03125) / (0.6 * 237.5));
});

test('triton model: stage heuristic and workload wrapper', () => {
  // 128x128x32: 128*128*32 / 2048 = 256 mmas / 4 warps * 8 cycles = 512 cycles; 300 / 512 stages
  near(tritonOptimalStages(128, 128, 32, 8), 300 / 512);
  const w = tritonEstimateForWorkload(
    { m: 1024, n: 1024, k: 1024, batch: 2, dtype: 'fp16', kernel: 'triton', tile: { blockM: 128, blockN: 128, blockK: 32, warps: 4, stages: 3 } },
    toy,
  );
  // batch 2: 128 CTAs, twice the work: compute = 4 / 100
  assert.equal(w.numCtas, 128);
  near(w.computeMs, 0.04);
  const bad = tritonEstimateMatmulTime(Number.NaN, 1, 1, 1, 'fp16', { blockM: 64, blockN: 64, blockK: 32, splitK: 1, numWarps: 4, numStages: 2 }, toy);
  assert.equal(bad.valid, false);
});
