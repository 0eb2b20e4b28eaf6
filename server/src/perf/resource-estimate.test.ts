// Tests the register / shared-memory heuristic: its arithmetic worked by hand from the formula in
// resource-estimate.ts, and its plausibility against a ptxas measurement of the same kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../data/csv';
import { estimateKernelResources } from './resource-estimate';

test('estimate: 16x16 tiled GEMM is close to what ptxas measured', () => {
  // acc 1; fragments 2 x ceil(1 + 1) = 4; staging ceil((16 + 16) x 16 x 4 / 4 / 256) = 2; + 24 = 31.
  // Shared memory (16 + 16) x 16 x 4 = 2048 = two 16x16 float __shared__ tiles.
  const estimate = estimateKernelResources({ threadsPerBlock: 256, tileM: 16, tileN: 16, tileK: 16, threadTileM: 1, threadTileN: 1, dtypeBytes: 4 });
  assert.equal(estimate.registersPerThread, 31);
  assert.equal(estimate.staticSharedMemBytes, 2048);
  assert.equal(estimate.source, 'estimate');
  // ptxas (CUDA 13.0, sm_80) reports 32 registers for this kernel (platform/ptxas.test.ts capture).
  assert.ok(Math.abs(estimate.registersPerThread - 32) <= 8);
});

test('estimate: SIMT 128x128x8 with 8x8 thread tiles', () => {
  // acc 64; fragments 2 x (8 + 8) = 32; staging ceil(256 x 8 x 4 / 4 / 256) = 8; + 24 = 128.
  const estimate = estimateKernelResources({ threadsPerBlock: 256, tileM: 128, tileN: 128, tileK: 8, threadTileM: 8, threadTileN: 8, dtypeBytes: 4 });
  assert.equal(estimate.registersPerThread, 128);
  assert.equal(estimate.staticSharedMemBytes, 256 * 8 * 4);
  // ptxas (CUDA 13.0, sm_80) allocates 122 registers and 8192 B of shared memory for a plain
  // 128x128x8 kernel with 8x8 thread tiles and __launch_bounds__(256).
  assert.ok(Math.abs(estimate.registersPerThread - 122) <= 16);
  assert.match(estimate.reasoning, /8x8 accumulators/);
});

test('estimate: tensor-core 128x128x32 fp16 with 4 warps', () => {
  // acc 128 x 128 / 128 = 128; 2x2 warp grid -> 64x64 warp tiles; kStep 16 halves;
  // operands/lane (64 + 64) x 16 / 32 = 64 halves = 32 registers, double-buffered 64;
  // staging (256 x 32 x 2) / 4 / 128 = 32; + 24 -> 248. Shared memory 256 x 32 x 2 = 16384.
  const estimate = estimateKernelResources({ threadsPerBlock: 128, tileM: 128, tileN: 128, tileK: 32, dtypeBytes: 2, usesTensorCores: true });
  assert.equal(estimate.registersPerThread, 248);
  assert.equal(estimate.staticSharedMemBytes, 16384);
  assert.match(estimate.reasoning, /2x2 warp grid/);
});

test('estimate: fp64 accumulators take two registers', () => {
  // acc 16 x 2 = 32; fragments 2 x (4 + 4) x 2 = 32; no tile -> no staging; + 24 = 88.
  const estimate = estimateKernelResources({ threadsPerBlock: 64, threadTileM: 4, threadTileN: 4, dtypeBytes: 8 });
  assert.equal(estimate.registersPerThread, 88);
  assert.equal(estimate.staticSharedMemBytes, 0);
});

test('estimate: capped at 255 with a note about spills', () => {
  // 16x16 thread tile: 256 accumulators alone exceed the per-thread maximum.
  const estimate = estimateKernelResources({ threadsPerBlock: 64, threadTileM: 16, threadTileN: 16, dtypeBytes: 4 });
  assert.equal(estimate.registersPerThread, 255);
  assert.match(estimate.reasoning, /spill/);
});

test('estimate: given shared memory wins over the tile formula', () => {
  const estimate = estimateKernelResources({ threadsPerBlock: 256, tileM: 64, tileN: 64, tileK: 16, dtypeBytes: 4, staticSharedMemBytes: 12345 });
  assert.equal(estimate.staticSharedMemBytes, 12345);
});

test('estimate: nonsense input gives a floor estimate, never a throw', () => {
  // threads unknown -> 256; one output; fragments 2 x 1; + 24 = 27.
  const estimate = estimateKernelResources({ threadsPerBlock: Number.NaN, dtypeBytes: -3 });
  assert.equal(estimate.registersPerThread, 27);
  assert.equal(estimate.staticSharedMemBytes, 0);
  assert.match(estimate.reasoning, /assumed 256/);
  assert.doesNotThrow(() => estimateKernelResources(undefined as never));
  assert.ok(estimateKernelResources(undefined as never).registersPerThread >= 16);
});

test('lower bound: never above ptxas where it did not spill, above 255 only where it spilled (18,456 Kernel Tuner configurations)', () => {
  // models/data/kerneltuner-ptxas.csv: CLBlast Xgemm compiled by ptxas for sm_75 and sm_86 (models/scripts/kt-ptxas.ts).
  const table = parseCsv(readFileSync(join(__dirname, '..', '..', '..', 'models', 'data', 'kerneltuner-ptxas.csv'), 'utf8'));
  const col = (name: string) => table.header.indexOf(name);
  let compared = 0,
    flagged = 0,
    flaggedByDemand = 0,
    spilling = 0;
  for (const { cells } of table.rows) {
    if (cells[col('registers')] === '') continue;
    const n = (name: string) => Number(cells[col(name)]);
    const e = estimateKernelResources({
      threadsPerBlock: n('MDIMC') * n('NDIMC'),
      tileM: n('MWG'),
      tileN: n('NWG'),
      tileK: n('KWG'),
      threadTileM: n('MWG') / n('MDIMC'),
      threadTileN: n('NWG') / n('NDIMC'),
      dtypeBytes: 4,
    });
    const spilled = n('spill_stores_bytes') > 0;
    compared++;
    if (spilled) spilling++;
    if (!spilled)
      assert.ok(e.registersLowerBound <= n('registers'), `lower bound ${e.registersLowerBound} > ptxas ${n('registers')} at ${cells.slice(0, 14).join(',')}`);
    if (e.registersLowerBound > 255) {
      flagged++;
      assert.ok(spilled, `lower bound ${e.registersLowerBound} > 255 but ptxas did not spill at ${cells.slice(0, 14).join(',')}`);
    }
    if (e.registersDemand > 255) flaggedByDemand++;
  }
  assert.ok(compared > 18000, `${compared} configurations compared`);
  // The estimate flags about four times the configurations that spill; the bound flags most that do.
  assert.ok(flaggedByDemand > 3 * spilling, `estimate flags ${flaggedByDemand}, ${spilling} spill`);
  assert.ok(flagged >= 0.75 * spilling, `bound flags ${flagged} of ${spilling} spilling`);
});

test('lower bound: accumulators + one k step of operands + 8; fp64 doubles both', () => {
  assert.equal(
    estimateKernelResources({ threadsPerBlock: 128, tileM: 128, tileN: 128, tileK: 32, threadTileM: 16, threadTileN: 8, dtypeBytes: 4 }).registersLowerBound,
    128 + 24 + 8,
  );
  assert.equal(estimateKernelResources({ threadsPerBlock: 64, threadTileM: 4, threadTileN: 4, dtypeBytes: 8 }).registersLowerBound, 32 + 16 + 8);
});
