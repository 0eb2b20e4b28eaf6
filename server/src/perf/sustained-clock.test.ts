// Checks of the sustained-clock model: the frozen per-generation power references still match the
// catalogue they were derived from, power-capped boards get a clock below boost by their budget
// ratio but never below a base clock below boost, documented clocks win, and missing inputs give a note
// and the boost clock, never NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLOCK_CONSTANTS, clockAtActivity, POWER_PER_SM_GHZ_REFERENCE_W, sustainedClock } from './sustained-clock';
import { findGpu, listGpus } from './gpu-catalogue';
import { toyGpu } from './perf-test-fixtures';
import { analyticEstimate, MODEL_CONSTANTS } from './analytic-model';
import type { GpuSpec } from './types';

const near = (actual: number, expected: number, rel = 1e-9) => assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} != ${expected}`);

const budget = (g: GpuSpec) => (g.boardPowerW.value - CLOCK_CONSTANTS.idlePowerW) / ((g.smCount.value * g.boostClockMHz.value) / 1000);

test('sustained clock: each reference is the median power per SM-GHz of its compute capability in the catalogue', () => {
  const groups = new Map<string, number[]>();
  for (const g of listGpus()) groups.set(g.computeCapability, [...(groups.get(g.computeCapability) ?? []), budget(g)]);
  assert.deepEqual(
    [...groups.keys()].sort(),
    Object.keys(POWER_PER_SM_GHZ_REFERENCE_W).sort(),
    'a compute capability was added or removed: update POWER_PER_SM_GHZ_REFERENCE_W',
  );
  for (const [cc, values] of groups) {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
    assert.ok(
      Math.abs(POWER_PER_SM_GHZ_REFERENCE_W[cc] - median) < 0.0006,
      `cc ${cc}: table ${POWER_PER_SM_GHZ_REFERENCE_W[cc]}, catalogue median ${median.toFixed(3)}`,
    );
  }
});

test('sustained clock: T4 (70 W for 40 Turing SMs) is power-capped, the RTX 2080 Ti is not', () => {
  const t4 = findGpu('t4')!;
  // budget = (70 − 10 idle) / (40 * 1.59) = 0.943 W per SM-GHz; tensor load needs the cc 7.5 reference 2.202.
  const idle = CLOCK_CONSTANTS.idlePowerW;
  const tensor = sustainedClock(t4, 'tensor');
  assert.equal(tensor.source, 'power-roof');
  near(tensor.fractionOfBoost, (70 - idle) / (40 * 1.59) / 2.202, 1e-6);
  near(tensor.clockMHz, 1590 * tensor.fractionOfBoost);
  // A SIMT GEMM on a tensor-core chip needs simtPowerFraction of that: more clock, still capped.
  const simt = sustainedClock(t4, 'simt');
  near(simt.fractionOfBoost, (70 - idle) / (40 * 1.59) / (2.202 * CLOCK_CONSTANTS.simtPowerFraction), 1e-6);
  assert.ok(simt.fractionOfBoost > tensor.fractionOfBoost && simt.fractionOfBoost < 1);
  assert.match(simt.reason, /power roof/);
  // (250 − 10) / (68 * 1.545) = 2.28 >= 2.202: the 2080 Ti's budget covers its boost clock.
  const ti = sustainedClock(findGpu('rtx-2080-ti')!, 'tensor');
  assert.equal(ti.source, 'boost');
  assert.equal(ti.clockMHz, 1545);
});

test('sustained clock: only the power above idle feeds the roof, so a small board loses a larger share of its clock', () => {
  const t4 = findGpu('t4')!;
  // Twice the SMs and twice the power: the same power per SM-GHz, but idle is a smaller share of 140 W.
  const double = { ...t4, smCount: { ...t4.smCount, value: 80 }, boardPowerW: { ...t4.boardPowerW, value: 140 } } as GpuSpec;
  const small = sustainedClock(t4, 'simt').fractionOfBoost;
  const big = sustainedClock(double, 'simt').fractionOfBoost;
  near(big / small, (140 - CLOCK_CONSTANTS.idlePowerW) / 2 / (70 - CLOCK_CONSTANTS.idlePowerW), 1e-9);
  assert.ok(big > small);
  assert.match(sustainedClock(t4, 'simt').reason, /70 W less 10 W idle/);
});

test('sustained clock: a board power at or below idle gives no roof: boost with a note, never a zero clock', () => {
  const t4 = findGpu('t4')!;
  for (const watts of [CLOCK_CONSTANTS.idlePowerW, 3]) {
    const c = sustainedClock({ ...t4, boardPowerW: { ...t4.boardPowerW, value: watts } } as GpuSpec, 'simt');
    assert.equal(c.source, 'boost');
    assert.equal(c.clockMHz, t4.boostClockMHz.value);
    assert.match(c.fallbackNote ?? '', new RegExp(`board power ${watts} W not above the 10 W idle power`));
    const e = analyticEstimate({ m: 1024, n: 1024, k: 1024, batch: 1, dtype: 'fp32', kernel: 'library' }, {
      ...t4,
      boardPowerW: { ...t4.boardPowerW, value: watts },
    } as GpuSpec);
    assert.ok(Number.isFinite(e.timeMs) && e.timeMs > 0, String(e.timeMs));
  }
});

test('sustained clock: never below a base clock the catalogue gives below boost (P4); one published clock is no floor (B200)', () => {
  const p4 = findGpu('p4')!;
  // (75 − 10) / (20 * 1.063) = 3.06 W per SM-GHz against cc 6.1's 5.225: the roof alone gives 0.59 x 1063 = 622 MHz.
  const roof = (75 - CLOCK_CONSTANTS.idlePowerW) / (20 * 1.063) / 5.225;
  assert.ok(1063 * roof < 810);
  const clock = sustainedClock(p4, 'simt');
  assert.equal(clock.source, 'power-roof');
  assert.equal(clock.clockMHz, 810);
  near(clock.fractionOfBoost, 810 / 1063);
  near(clock.powerHeadroom, 810 / 1063);
  assert.match(clock.reason, /the base clock, which the board is rated to sustain .* gives 622 MHz/);
  // The same board with no base clock in the catalogue: the roof.
  const noBase = sustainedClock({ ...p4, baseClockMHz: undefined } as unknown as GpuSpec, 'simt');
  near(noBase.fractionOfBoost, roof, 1e-6);
  // B200: base and boost are the one published 1965 MHz, so its roof (below it) stands.
  const b200 = sustainedClock(findGpu('b200')!, 'tensor');
  assert.equal(findGpu('b200')!.baseClockMHz.value, 1965);
  assert.ok(b200.clockMHz < 1965 && b200.source === 'power-roof');
  // The analytic model follows: a P4 SGEMM's compute time shrinks by the clock's ratio.
  const w = { m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'fp32' as const, kernel: 'library' as const };
  const floor = analyticEstimate(w, p4);
  const bare = analyticEstimate(w, { ...p4, baseClockMHz: undefined } as unknown as GpuSpec);
  // Per FLOP of the busiest SM (the split-K search may split the two differently); the roof is taken at
  // the GEMM's share of busy SMs (§3.10), still below the base clock here.
  const perFlop = (e: typeof floor) => e.computeTimeMs / ((e.tilesPerSM * e.paddedFlops) / e.tiles);
  assert.ok(roof / bare.smBusyFraction < 810 / 1063);
  near(perFlop(bare) / perFlop(floor), 810 / 1063 / (roof / bare.smBusyFraction), 1e-6);
});

test('sustained clock: a documented sustained clock wins (Tesla K40 ships clocked at base)', () => {
  const k40 = sustainedClock(findGpu('k40')!, 'simt');
  assert.equal(k40.source, 'catalogue');
  assert.equal(k40.clockMHz, 745);
  near(k40.fractionOfBoost, 745 / 875);
  assert.match(k40.reason, /BD-06902/);
});

test('sustained clock: a GPU without board power or with an unknown compute capability gets boost and a note, never NaN', () => {
  const noPower = { ...toyGpu, boardPowerW: undefined } as unknown as GpuSpec;
  const a = sustainedClock(noPower, 'tensor');
  assert.equal(a.clockMHz, 1500);
  assert.equal(a.fractionOfBoost, 1);
  assert.match(a.fallbackNote ?? '', /no board power/);
  const unknownCc = sustainedClock({ ...toyGpu, computeCapability: '13.7' }, 'simt');
  assert.equal(unknownCc.clockMHz, 1500);
  assert.match(unknownCc.fallbackNote ?? '', /no power reference for compute capability 13.7/);
  const nothing = sustainedClock(undefined, 'simt');
  assert.equal(nothing.fractionOfBoost, 1);
  assert.ok(nothing.fallbackNote);
});

test('sustained clock: a power-capped board caps a library SGEMM at the roof, a board with power to spare runs at its tile rate', () => {
  const t4 = findGpu('t4')!;
  const w = { m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'fp32' as const, kernel: 'library' as const };
  const capped = analyticEstimate(w, t4);
  const unlimited = analyticEstimate(w, { ...t4, boardPowerW: { value: 1000, source: 'test' } });
  assert.equal(capped.clockSource, 'power-roof');
  assert.equal(unlimited.clockSource, 'boost');
  near(capped.sustainedPeakTflops, 8.1 * capped.clockFraction, 1e-9);
  // Capped: power covers simtComputeEfficiency x headroom of the peak (headroom = clock fraction < 1).
  // Unlimited: the tile's own rate, librarySimtEfficiency x operand-feed fraction of the boost peak.
  // Compared per FLOP of the busiest SM (the split-K search may split the two differently).
  const perFlop = (e: typeof capped) => e.computeTimeMs / ((e.tilesPerSM * e.paddedFlops) / e.tiles);
  near(
    perFlop(capped) * capped.clockFraction * MODEL_CONSTANTS.simtComputeEfficiency,
    perFlop(unlimited) * MODEL_CONSTANTS.librarySimtEfficiency * unlimited.operandFeedFraction,
    1e-9,
  );
  assert.ok(unlimited.operandFeedFraction < 1 && unlimited.operandFeedFraction > 0.5);
  assert.ok(perFlop(capped) > (perFlop(unlimited) / capped.clockFraction) * 0.99, 'the roof binds: slower than the tile rate at the capped clock');
  assert.ok(capped.notes.some((n) => /power roof/.test(n)));
});

test('sustained clock: power headroom is budget / need before the cap (above 1 with power to spare, NaN without a roof)', () => {
  const t4 = sustainedClock(findGpu('t4')!, 'simt');
  near(t4.powerHeadroom, t4.fractionOfBoost);
  const ti = sustainedClock(findGpu('rtx-2080-ti')!, 'simt');
  near(ti.powerHeadroom, (250 - CLOCK_CONSTANTS.idlePowerW) / (68 * 1.545) / (POWER_PER_SM_GHZ_REFERENCE_W['7.5'] * CLOCK_CONSTANTS.simtPowerFraction), 1e-9);
  assert.ok(ti.powerHeadroom > 1 && ti.fractionOfBoost === 1);
  assert.ok(Number.isNaN(sustainedClock(findGpu('k40')!, 'simt').powerHeadroom));
  assert.ok(Number.isNaN(sustainedClock({ ...toyGpu, boardPowerW: undefined } as unknown as GpuSpec, 'simt').powerHeadroom));
});

test('power roof at partial activity: a share a of busy SMs needs a of the power, up to boost, never below base', () => {
  const t4 = sustainedClock(findGpu('t4')!, 'simt'); // roof 0.54 of boost, base 585 MHz = 0.37
  near(clockAtActivity(t4, 1).fractionOfBoost, t4.fractionOfBoost);
  const half = clockAtActivity(t4, 0.75);
  near(half.fractionOfBoost, t4.roofHeadroom / 0.75, 1e-9);
  near(half.clockMHz, 1590 * half.fractionOfBoost, 1e-6);
  near(half.powerHeadroom, t4.roofHeadroom / 0.75, 1e-9);
  assert.equal(clockAtActivity(t4, 0.1).fractionOfBoost, 1, 'a tenth of the SMs: boost');
  // P4: the roof (0.59) is below the base clock (0.76), which stays the floor at full activity.
  const p4 = sustainedClock(findGpu('p4')!, 'simt');
  near(clockAtActivity(p4, 1).fractionOfBoost, 810 / 1063, 1e-9);
  near(clockAtActivity(p4, 0.5).fractionOfBoost, Math.min(1, Math.max(p4.roofHeadroom / 0.5, 810 / 1063)), 1e-9);
  // A documented clock and a board without a roof do not move; nonsense activity changes nothing.
  const k40 = sustainedClock(findGpu('k40')!, 'simt');
  assert.equal(clockAtActivity(k40, 0.1).clockMHz, k40.clockMHz);
  const noPower = sustainedClock({ ...toyGpu, boardPowerW: undefined } as unknown as GpuSpec, 'simt');
  assert.equal(clockAtActivity(noPower, 0.1).clockMHz, noPower.clockMHz);
  for (const a of [0, -1, NaN, 2]) assert.equal(clockAtActivity(t4, a).fractionOfBoost, t4.fractionOfBoost);
});

test('power roof at partial activity: a GEMM with few tiles on a power-capped board runs above its full-chip clock', () => {
  const t4 = findGpu('t4')!;
  const roof = sustainedClock(t4, 'simt').roofHeadroom;
  const small = analyticEstimate({ m: 128, n: 256, k: 4096, batch: 1, dtype: 'fp32', kernel: 'library' }, t4);
  const large = analyticEstimate({ m: 8192, n: 8192, k: 8192, batch: 1, dtype: 'fp32', kernel: 'library' }, t4);
  assert.ok(small.smBusyFraction < 0.9 && large.smBusyFraction > 0.98, `${small.smBusyFraction}, ${large.smBusyFraction}`);
  near(small.clockFraction, Math.min(1, roof / small.smBusyFraction), 1e-9);
  near(large.clockFraction, roof / large.smBusyFraction, 1e-9);
  near(small.sustainedClockMHz, 1590 * small.clockFraction, 1e-6);
  assert.ok(small.clockFraction > large.clockFraction * 1.1, `${small.clockFraction} vs ${large.clockFraction}`);
  assert.ok(small.notes.some((n) => /of the SMs busy/.test(n)));
  assert.ok(!large.notes.some((n) => /of the SMs busy/.test(n)), 'within 2% of the full-chip clock: no note');
  // The same small GEMM on a board with power to spare is unchanged by activity: boost either way.
  const h100 = analyticEstimate({ m: 128, n: 256, k: 4096, batch: 1, dtype: 'bf16', kernel: 'library' }, findGpu('h100-sxm')!);
  assert.equal(h100.clockFraction, 1);
});

test('narrow-precision power roof: B200 fp8/fp4 run below their doubled peaks, bf16 and the RTX PRO 6000 do not', async () => {
  const { narrowTensorEnergyRoof, TENSOR_ENERGY_PJ_PER_FLOP } = await import('./sustained-clock');
  const b200 = findGpu('b200')!;
  const fp8 = narrowTensorEnergyRoof(b200, 'fp8Tensor', b200.peak.fp8Tensor!.value);
  // 1000 W / (0.356 pJ/FLOP x 4500 TFLOP/s) = 0.624 of the fp8 peak
  near(fp8.fractionOfPeak, 1000 / (TENSOR_ENERGY_PJ_PER_FLOP.blackwell.fp8Tensor! * 4500), 1e-9);
  assert.ok(fp8.fractionOfPeak < 0.7);
  assert.equal(narrowTensorEnergyRoof(b200, 'bf16Tensor', 2250).fractionOfPeak, 1);
  // The workstation GB202 has a quarter of B200's tensor rate per SM for 600 W: the roof does not bind.
  const pro = findGpu('rtx-pro-6000-server')!;
  assert.equal(narrowTensorEnergyRoof(pro, 'fp8Tensor', pro.peak.fp8Tensor!.value).fractionOfPeak, 1);
  // No energy for the generation (Ampere): no roof, and never NaN.
  assert.equal(narrowTensorEnergyRoof(findGpu('a100-sxm4-80gb'), 'fp8Tensor', 624).fractionOfPeak, 1);
  assert.equal(narrowTensorEnergyRoof(undefined, 'fp8Tensor', NaN).fractionOfPeak, 1);
  // In the estimate: a large fp8 GEMM on B200 is well under 2x as fast as bf16, because of the roof.
  const big = { m: 8192, n: 8192, k: 8192, batch: 1, kernel: 'library' as const };
  const e8 = analyticEstimate({ ...big, dtype: 'fp8' }, b200);
  const e16 = analyticEstimate({ ...big, dtype: 'bf16' }, b200);
  // (Its roof at the GEMM's share of busy SMs, as the clock's: §3.10.)
  near(e8.clockFraction, Math.min(1, fp8.fractionOfPeak / e8.smBusyFraction), 1e-9);
  assert.ok(e16.computeTimeMs / e8.computeTimeMs < 1.4, `${e16.computeTimeMs} / ${e8.computeTimeMs}`);
});
