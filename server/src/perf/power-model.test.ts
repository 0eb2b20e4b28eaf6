// Tests of the physics power model: the cap at board power, the ramp from the active floor as a GEMM's
// busy share grows, the DRAM term, the SIMT load fraction, and a clear NaN with a note for missing inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyticEstimate } from './analytic-model';
import { findGpu } from './gpu-catalogue';
import { physicsPower, POWER_CONSTANTS } from './power-model';
import type { GemmWorkload, GpuSpec } from './types';

const h200 = findGpu('h200')!;
const gemm = (m: number, n: number, k: number, dtype = 'bf16', kernel = 'library'): GemmWorkload => ({ m, n, k, batch: 1, dtype, kernel }) as GemmWorkload;
const power = (w: GemmWorkload, gpu: GpuSpec = h200) => physicsPower(analyticEstimate(w, gpu), gpu);

test('a large tensor-core GEMM demands more than the board power and is capped at it', () => {
  const p = power(gemm(8192, 8192, 8192));
  assert.ok(p.demandFraction > 1, `demand ${p.demandFraction}`);
  assert.equal(p.powerW, h200.boardPowerW.value);
  assert.equal(p.fractionOfLimit, 1);
  // Energy per FLOP at the design point: (700 W − floor) over the sustained bf16 throughput, under 1 pJ.
  assert.ok(p.energyPerFlopPj > 0.4 && p.energyPerFlopPj < 1, `${p.energyPerFlopPj} pJ/FLOP`);
});

test('short GEMMs sit near the active floor and power ramps up with the busy share', () => {
  const tiny = power(gemm(64, 64, 64));
  assert.ok(tiny.fractionOfLimit >= POWER_CONSTANTS.activeFloorFraction);
  assert.ok(tiny.fractionOfLimit < POWER_CONSTANTS.activeFloorFraction + 0.15, `${tiny.fractionOfLimit}`);
  // Power follows the busy shares, not M itself: a split-K choice can add DRAM traffic to a smaller GEMM,
  // so the ramp over M need not be monotone; wherever both shares grow, power does not fall.
  const ramp = [16, 32, 64, 128, 256, 512, 1024, 2048].map((m) => power(gemm(m, 1024, 1024)));
  const text = ramp.map((p) => `${p.fractionOfLimit.toFixed(3)} (c ${p.computeActivity.toFixed(2)}, m ${p.memoryActivity.toFixed(2)})`).join(', ');
  for (const a of ramp) {
    for (const b of ramp) {
      if (b.computeActivity >= a.computeActivity && b.memoryActivity >= a.memoryActivity) {
        assert.ok(b.fractionOfLimit >= a.fractionOfLimit - 1e-9, `ramp ${text}`);
      }
    }
  }
  assert.ok(ramp[ramp.length - 1].fractionOfLimit - ramp[0].fractionOfLimit > 0.2, `ramp ${text}`);
});

test('SMs run above the full-chip clock at partial activity: their compute activity counts at that clock', () => {
  // B200's power roof holds a full-chip bf16 GEMM at 0.94 x boost; a GEMM with few tiles runs its SMs faster.
  const b200 = findGpu('b200')!;
  const a = analyticEstimate(gemm(256, 1024, 8192), b200);
  assert.ok(a.clockFraction > a.fullChipClockFraction, `${a.clockFraction} vs ${a.fullChipClockFraction}`);
  const p = physicsPower(a, b200);
  const sm = a.computeTimeMs / a.timeMs;
  assert.ok(Math.abs(p.computeActivity - Math.min(1, (sm * a.clockFraction) / a.fullChipClockFraction)) < 1e-12);
  // The same estimate at the full-chip clock would count the plain busy share.
  const plain = physicsPower({ ...a, fullChipClockFraction: a.clockFraction }, b200);
  assert.ok(Math.abs(plain.computeActivity - Math.min(1, sm)) < 1e-12);
  assert.ok(p.powerW >= plain.powerW);
});

test('a persistent kernel with fewer programs than SMs draws the idle SMs no compute power: less power, more time, more energy', () => {
  const triton = (programs?: number): GemmWorkload => ({ ...gemm(4096, 4096, 4096, 'fp16', 'triton'), ...(programs ? { programs } : {}) });
  const few = analyticEstimate(triton(16), h200);
  const full = analyticEstimate(triton(h200.smCount.value), h200);
  assert.equal(full.idleSmShare, 0);
  assert.ok(Math.abs(few.idleSmShare - (1 - 16 / h200.smCount.value)) < 1e-12);
  const pFew = physicsPower(few, h200);
  const pFull = physicsPower(full, h200);
  assert.ok(pFew.powerW < 0.5 * pFull.powerW, `${pFew.powerW} W vs ${pFull.powerW} W`);
  assert.ok(pFew.powerW > POWER_CONSTANTS.activeFloorFraction * h200.boardPowerW.value);
  // Energy: the long run at the floor costs more than the full chip's short one.
  assert.ok(pFew.powerW * few.timeMs > pFull.powerW * full.timeMs);
});

test('a memory-bound GEMV draws power for its DRAM traffic, not only for its FLOPs', () => {
  const p = power(gemm(1, 8192, 8192));
  assert.ok(p.computeActivity < 0.15, `compute activity ${p.computeActivity}`);
  assert.ok(p.memoryActivity > 0.8, `memory activity ${p.memoryActivity}`);
  // Without the DRAM term this would be floor + 0.75 x compute activity, about 0.3 of the board.
  assert.ok(p.fractionOfLimit > 0.8, `${p.fractionOfLimit}`);
  assert.ok(p.energyPerBytePj > 20 && p.energyPerBytePj < 500, `${p.energyPerBytePj} pJ/B`);
});

test('a SIMT SGEMM on a tensor-core chip draws less than the tensor-core design point', () => {
  const simt = power(gemm(4096, 4096, 4096, 'fp32', 'library'));
  assert.equal(analyticEstimate(gemm(4096, 4096, 4096, 'fp32', 'library'), h200).usesTensorCores, false);
  assert.ok(simt.computeActivity > 0.9, `${simt.computeActivity}`);
  assert.ok(simt.fractionOfLimit < 0.97 && simt.fractionOfLimit > 0.8, `${simt.fractionOfLimit}`);
});

test('missing board power or an invalid workload gives NaN with a note, never a throw', () => {
  const noPower = { ...h200, boardPowerW: { value: NaN, source: 'none' } } as unknown as GpuSpec;
  const p = physicsPower(analyticEstimate(gemm(1024, 1024, 1024), noPower), noPower);
  assert.ok(Number.isNaN(p.powerW));
  assert.match(p.note ?? '', /board power/);
  const bad = power(gemm(0, 1024, 1024));
  assert.ok(Number.isNaN(bad.powerW));
  assert.match(bad.note ?? '', /analytic estimate/);
});
