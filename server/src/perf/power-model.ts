// The physics power model: the board power a GEMM draws while it runs back to back, from the analytic
// estimate's busy times: an active floor, plus energy per operation times the operation rate, plus energy
// per DRAM byte times the byte rate, capped at the board power limit. Pure arithmetic over the analytic
// estimate and the catalogue; no I/O, never throws (NaN with a note when the board power is unknown).
// Formulas and the source of every constant: docs/performance-model.md §3.12.
import { MODEL_CONSTANTS, type AnalyticEstimate } from './analytic-model';
import { CLOCK_CONSTANTS } from './sustained-clock';
import type { GpuSpec } from './types';

export const POWER_CONSTANTS = {
  /**
   * Power of a board that replays tiny kernels back to back (clocks at boost, SMs mostly waiting), as a
   * share of its board power: static power, memory refresh and interconnect, the clocks. One value for
   * every board (docs/performance-model.md §3.12).
   */
  activeFloorFraction: 0.25,
  /**
   * Share of the board's dynamic range (board power − floor) drawn by DRAM streaming at the analytic
   * model's bandwidth (memoryEfficiency × datasheet): the HBM/GDDR interface plus the L2, crossbar and
   * load path every byte crosses on chip. One value for every board (§3.12).
   */
  memoryPowerShare: 1,
};

export interface PhysicsPower {
  /** Predicted average board power while the GEMM runs back to back, W (NaN when the board power is unknown). */
  powerW: number;
  /** powerW / board power (0..1). */
  fractionOfLimit: number;
  /** Board power limit used, W. */
  limitW: number;
  /** Share of the time the SM datapaths (tensor cores or FMA/issue/shared memory) are busy, 0..1. */
  computeActivity: number;
  /** Share of the time DRAM streams at the model's bandwidth, 0..1. */
  memoryActivity: number;
  /** Demand before the cap, as a share of the board power (> 1: the board throttles to its limit). */
  demandFraction: number;
  /** Energy per FLOP of this main loop at the design point, pJ (board level, dynamic part only). */
  energyPerFlopPj: number;
  /** Energy per DRAM byte, pJ (board level, dynamic part only). */
  energyPerBytePj: number;
  /** Set when an input is missing. */
  note?: string;
}

const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/** Whether the chip has tensor cores (its board power is sized for tensor-core GEMMs). */
function hasTensorCores(gpu: GpuSpec): boolean {
  const cc = Number.parseFloat(gpu?.computeCapability ?? '');
  return Number.isFinite(cc) && cc >= 7;
}

/**
 * Board power of the GEMM `a` (the analytic estimate on `gpu`) replayed back to back:
 *
 *   P = min(limit, limit · (floor + (1 − floor) · (loadFraction · computeActivity + memoryPowerShare · memoryActivity)))
 *
 * computeActivity = the SM datapaths' busy time / the estimate's time (tensor or FMA pipes at the sustained
 * clock and the model's efficiency; for hand-written SIMT kernels the largest of FMA, issue and shared/L1
 * time), memoryActivity = DRAM time / the estimate's time. The design point (as in the sustained clock,
 * §3.10): a board's power is sized so that its dense tensor-core GEMM at the sustained clock fills the
 * dynamic range; a SIMT GEMM on a tensor-core chip draws CLOCK_CONSTANTS.simtPowerFraction of it. The
 * launch floor, pipeline prologue and quantisation pass count as time at the floor: short GEMMs ramp up
 * from the floor as their busy share grows. Energy per FLOP is therefore (limit − floor) / sustained
 * throughput, and per byte memoryPowerShare · (limit − floor) / sustained bandwidth.
 */
export function physicsPower(a: AnalyticEstimate, gpu: GpuSpec): PhysicsPower {
  const limitW = gpu?.boardPowerW?.value;
  const nan = (note: string): PhysicsPower => ({
    powerW: NaN,
    fractionOfLimit: NaN,
    limitW: NaN,
    computeActivity: NaN,
    memoryActivity: NaN,
    demandFraction: NaN,
    energyPerFlopPj: NaN,
    energyPerBytePj: NaN,
    note,
  });
  if (!(typeof limitW === 'number' && Number.isFinite(limitW) && limitW > 0)) return nan(`${gpu?.id ?? 'this GPU'} has no board power in the catalogue`);
  if (!a || !a.valid || !(a.timeMs > 0)) return nan('no analytic estimate for this workload');
  const { activeFloorFraction: floor, memoryPowerShare } = POWER_CONSTANTS;
  const sm = a.simtTiling ? Math.max(a.computeTimeMs, a.issueTimeMs || 0, (a.sharedMemTimeMs || 0) + (a.l1TimeMs || 0)) : a.computeTimeMs;
  // A GEMM that keeps few SMs busy runs them above the full-chip clock (§3.10, partial activity); each
  // busy SM then draws power in proportion to its clock, so its activity counts at that ratio. The SMs a
  // persistent kernel leaves without a program draw none of it for the whole run (idleSmShare).
  const clockRatio = a.fullChipClockFraction > 0 && a.clockFraction > a.fullChipClockFraction ? a.clockFraction / a.fullChipClockFraction : 1;
  const busySmShare = 1 - (Number.isFinite(a.idleSmShare) ? a.idleSmShare : 0);
  const computeActivity = clamp01((sm / a.timeMs) * clockRatio * busySmShare);
  const memoryActivity = clamp01(a.memoryTimeMs / a.timeMs);
  const loadFraction = !a.usesTensorCores && hasTensorCores(gpu) ? CLOCK_CONSTANTS.simtPowerFraction : 1;
  const demandFraction = floor + (1 - floor) * (loadFraction * computeActivity + memoryPowerShare * memoryActivity);
  const fractionOfLimit = Math.min(1, demandFraction);
  const dynamicW = (1 - floor) * limitW;
  // Energies at the design point, for the record (pJ): dynamic power over the sustained rate.
  const efficiency = a.usesTensorCores ? MODEL_CONSTANTS.tensorComputeEfficiency : MODEL_CONSTANTS.simtComputeEfficiency;
  const flopsPerS = a.sustainedPeakTflops * 1e12 * efficiency;
  const bytesPerS = (gpu?.memoryBandwidthGBps?.value ?? NaN) * 1e9 * MODEL_CONSTANTS.memoryEfficiency;
  return {
    powerW: fractionOfLimit * limitW,
    fractionOfLimit,
    limitW,
    computeActivity,
    memoryActivity,
    demandFraction,
    energyPerFlopPj: ((loadFraction * dynamicW) / flopsPerS) * 1e12,
    energyPerBytePj: ((memoryPowerShare * dynamicW) / bytesPerS) * 1e12,
  };
}
