// The SM clock a GPU sustains under a long dense GEMM, and the share of its datasheet (boost-clock)
// peaks that clock allows: a catalogue value where a source gives one, otherwise a power roof from the
// board's power budget against its generation's, never below a base clock below boost; and that roof
// for a GEMM that keeps only a share of the SMs busy (clockAtActivity). Pure arithmetic over plain
// data: no I/O, never throws; a missing input gives the boost clock with a note saying so.
// Formulas: docs/performance-model.md §3.10.
import type { GpuSpec } from './types';

/** What kind of GEMM main loop draws the power: tensor-core MMAs or CUDA-core (SIMT) FMAs. */
export type GemmLoad = 'tensor' | 'simt';

export interface SustainedClock {
  /** SM clock sustained under a long dense GEMM of this load, MHz (NaN only when the boost clock is unknown). */
  clockMHz: number;
  /** The datasheet boost clock the peaks are quoted at, MHz. */
  boostClockMHz: number;
  /** clockMHz / boostClockMHz: the share of the datasheet peaks that is sustained (0..1, 1 when unknown). */
  fractionOfBoost: number;
  /** 'catalogue': a documented sustained clock; 'power-roof': the board's power budget caps it; 'boost': neither applies. */
  source: 'catalogue' | 'power-roof' | 'boost';
  /** One line for hovers, reports and `tilecast gpus`: the clock and where it came from. */
  reason: string;
  /** Set when an input the model needs is missing and a fallback was used. */
  fallbackNote?: string;
  /**
   * budget / need of the power roof before it is capped at 1: above 1 the board has power to spare at
   * boost, below 1 it is the clock fraction (NaN when no power roof applies: documented clock, missing input).
   */
  powerHeadroom: number;
  /** budget / need of the power roof alone, before the base-clock floor (NaN when no power roof applies). */
  roofHeadroom: number;
  /** The base clock as a share of boost: the floor under the power roof (0 when the catalogue gives none below boost). */
  baseFloor: number;
}

/**
 * A power roof's headroom (budget / need, or a share of peak) when only a share `activity` (0..1) of the
 * SMs draws GEMM power over the run (the analytic model's smBusyFraction): idle SMs draw none, so the need
 * scales with the share at work (docs/performance-model.md §3.10, "At partial activity"). Unchanged for a
 * full-chip GEMM and for an activity outside (0, 1).
 */
export function roofAtActivity(headroom: number, activity: number): number {
  return activity > 0 && activity < 1 ? headroom / activity : headroom;
}

/**
 * The clock of `clock`'s board at a share `activity` of busy SMs: its power roof at that share
 * (roofAtActivity), never below the base-clock floor nor above boost. A documented clock, or a board
 * without a roof, is returned unchanged; so is a full-chip GEMM.
 */
export function clockAtActivity(clock: SustainedClock, activity: number): SustainedClock {
  const roof = roofAtActivity(clock.roofHeadroom, activity);
  if (!(roof > clock.roofHeadroom)) return clock;
  const { powerHeadroom, fractionOfBoost } = underRoof(roof, clock.baseFloor);
  return { ...clock, clockMHz: clock.boostClockMHz * fractionOfBoost, fractionOfBoost, powerHeadroom };
}

/** A power roof's headroom floored at the base clock (powerHeadroom), and the share of boost that gives (capped at 1). */
function underRoof(roofHeadroom: number, baseFloor: number): { powerHeadroom: number; fractionOfBoost: number } {
  const powerHeadroom = Math.max(roofHeadroom, baseFloor);
  return { powerHeadroom, fractionOfBoost: Math.min(1, powerHeadroom) };
}

/** The roof fields of a clock no power roof sets (no boost clock, a documented clock, a missing input). */
const NO_ROOF = { powerHeadroom: NaN, roofHeadroom: NaN, baseFloor: 0 } as const;

/**
 * Board power above idle per SM per GHz of boost clock (W / (SM·GHz)) that a board of each compute
 * capability has at its datasheet figures: the median over the catalogue's boards of that compute
 * capability of (boardPowerW − CLOCK_CONSTANTS.idlePowerW) / (smCount · boostClockMHz / 1000). Boards
 * of one compute capability share the SM design and process, so the energy one SM spends per clock
 * under a dense GEMM is a property of the generation; the median board is taken to sustain its boost clock at its board power (GPU Boost's
 * design point: it raises the clock until the power limit). Frozen here so that adding a GPU to the
 * catalogue does not move other GPUs' estimates silently; sustained-clock.test.ts recomputes every
 * value from models/gpus.json and fails when they drift.
 */
export const POWER_PER_SM_GHZ_REFERENCE_W: Readonly<Record<string, number>> = {
  '3.0': 21.857,
  '3.5': 17.143,
  '3.7': 12.308,
  '5.2': 8.977,
  '6.0': 3.394,
  '6.1': 5.225,
  '7.0': 2.174,
  '7.5': 2.202,
  '8.0': 1.922,
  '8.6': 2.283,
  '8.9': 1.364,
  '9.0': 2.64,
  '10.0': 3.606,
  '10.3': 4.084,
  '12.0': 1.381,
};

export const CLOCK_CONSTANTS = {
  /**
   * Power per SM-cycle of a CUDA-core (SIMT) GEMM relative to the tensor-core GEMM a tensor-core chip's
   * board power is sized for (cc >= 7.0): the FMA lanes, register file and shared memory are busy, the
   * tensor cores idle. One global value, chosen by a sweep over all GPUs at once (0.7 / 0.8 / 0.9 / 1.0,
   * docs/performance-model.md §3.10); chips without tensor cores use 1 (SIMT is their design-point load).
   */
  simtPowerFraction: 0.8,
  /**
   * Power a board draws that does not scale with the SM clock (idle: memory, fans, regulators), W, taken
   * off its board power before the power roof divides what is left: one value for every board. It is
   * what sets 70 W boards (T4, L4) apart, where it is a seventh of the budget, against a few percent on
   * the boards that set a generation's reference. One global value, chosen by a sweep over all GPUs at
   * once (0 / 4 / 6 / 8 / 10 / 12 / 16 / 20 W, docs/performance-model.md §3.10).
   */
  idlePowerW: 10,
};

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Whether the chip has tensor cores (compute capability 7.0 and later). */
function hasTensorCores(computeCapability: string): boolean {
  const cc = Number.parseFloat(computeCapability);
  return Number.isFinite(cc) && cc >= 7;
}

/**
 * The sustained GEMM clock of `gpu` for a main loop of kind `load`. Order: the catalogue's documented
 * sustained clock (e.g. Tesla K40 ships clocked at base); else the power roof
 * `clock <= boost · budget / (reference · loadFraction)`, budget = (boardPowerW − idlePowerW) / (SMs ·
 * boost GHz) and reference = the generation's median budget (POWER_PER_SM_GHZ_REFERENCE_W), so a board
 * with less power per SM-clock than its siblings (T4, L4, A10) sustains proportionally less clock, but not
 * less than a base clock the catalogue gives below boost (the P4: 810 MHz, where the roof gives 622);
 * else boost. Idle power (CLOCK_CONSTANTS.idlePowerW, the same on every board) is taken off first.
 */
export function sustainedClock(gpu: GpuSpec | undefined, load: GemmLoad): SustainedClock {
  const boost = gpu?.boostClockMHz?.value;
  if (!positive(boost)) {
    return {
      clockMHz: NaN,
      boostClockMHz: NaN,
      fractionOfBoost: 1,
      source: 'boost',
      reason: 'no boost clock in the catalogue',
      ...NO_ROOF,
      fallbackNote: 'no boost clock: SIMT clock-based times are unknown',
    };
  }
  const documented = gpu?.sustainedClockMHz;
  if (documented && positive(documented.value)) {
    const clockMHz = Math.min(boost, documented.value);
    return {
      clockMHz,
      boostClockMHz: boost,
      fractionOfBoost: clockMHz / boost,
      source: 'catalogue',
      reason: `sustained ${clockMHz} MHz (${documented.source})`,
      ...NO_ROOF,
    };
  }
  const cc = gpu?.computeCapability ?? '';
  const reference = POWER_PER_SM_GHZ_REFERENCE_W[cc];
  const power = gpu?.boardPowerW?.value,
    sms = gpu?.smCount?.value;
  const idle = CLOCK_CONSTANTS.idlePowerW;
  if (!positive(reference) || !positive(power) || !positive(sms) || power <= idle) {
    const missing = !positive(reference)
      ? `no power reference for compute capability ${cc || '?'}`
      : !positive(power)
        ? 'no board power'
        : !positive(sms)
          ? 'no SM count'
          : `board power ${power} W not above the ${idle} W idle power`;
    return {
      clockMHz: boost,
      boostClockMHz: boost,
      fractionOfBoost: 1,
      source: 'boost',
      reason: `boost ${boost} MHz (${missing}; no power roof)`,
      fallbackNote: `${missing}: boost clock ${boost} MHz assumed sustained`,
      ...NO_ROOF,
    };
  }
  const loadFraction = load === 'simt' && hasTensorCores(cc) ? CLOCK_CONSTANTS.simtPowerFraction : 1;
  const budget = (power - idle) / (sms * (boost / 1000));
  const roofHeadroom = budget / (reference * loadFraction);
  // The base clock is the clock a board is rated to sustain at its rated power (NVIDIA's datasheets
  // quote it beside the boost clock): the roof, a generation-wide estimate, never goes below it.
  // Only where the catalogue gives a base clock below boost (a single published clock is not a base).
  const base = gpu?.baseClockMHz?.value;
  const baseFloor = positive(base) && base < boost ? base / boost : 0;
  const { powerHeadroom, fractionOfBoost: fraction } = underRoof(roofHeadroom, baseFloor);
  const clockMHz = boost * fraction;
  if (fraction >= 1) {
    return {
      clockMHz,
      boostClockMHz: boost,
      fractionOfBoost: 1,
      source: 'boost',
      powerHeadroom,
      roofHeadroom,
      baseFloor,
      reason: `boost ${boost} MHz (board power ${power} W covers it: ${budget.toFixed(2)} W per SM-GHz above ${idle} W idle, generation needs ${(reference * loadFraction).toFixed(2)})`,
    };
  }
  const need = (reference * loadFraction).toFixed(2);
  return {
    clockMHz,
    boostClockMHz: boost,
    fractionOfBoost: fraction,
    source: 'power-roof',
    powerHeadroom,
    roofHeadroom,
    baseFloor,
    reason:
      roofHeadroom < baseFloor
        ? `${Math.round(clockMHz)} MHz = ${fraction.toFixed(2)} x boost: the base clock, which the board is rated to sustain (its power roof, ${power} W at ${budget.toFixed(2)} W per SM-GHz above ${idle} W idle against the ${need} a ${load} GEMM on cc ${cc} needs, gives ${Math.round(boost * roofHeadroom)} MHz)`
        : `${Math.round(clockMHz)} MHz = ${fraction.toFixed(2)} x boost: power roof (${power} W less ${idle} W idle is ${budget.toFixed(2)} W per SM-GHz at boost; a ${load} GEMM on cc ${cc} needs ${need})`,
  };
}

/**
 * Energy per dense tensor-core operation (pJ per FLOP, board power included) of the narrow datatypes
 * whose datasheet peak is 2x / 4x bf16's, per chip generation (one process node, one tensor-core
 * design): Hopper (cc 9.x, TSMC 4N) and Blackwell (cc 10.x-12.x, TSMC 4NP). A board sustains at most
 * boardPowerW / (energy x peak) of such a peak: the datasheet doubles the operations per clock, but an
 * fp8 operation costs more than half a bf16 one (operand delivery and accumulation do not halve), so
 * the power-capped data-centre boards reach their fp8/fp4 peaks at a lower clock than bf16. Values:
 * the median over the generation's GPUs in aiconfigurator of board power / (peak x large-shape
 * efficiency / 0.8) (docs/performance-model.md §3.10, "Narrow-precision power roof"); bf16 keeps the
 * generation-relative clock roof above. Absent generation or dtype: no roof (the clock roof alone).
 */
export const TENSOR_ENERGY_PJ_PER_FLOP: Readonly<Record<string, Partial<Record<'fp8Tensor' | 'fp4Tensor', number>>>> = {
  hopper: { fp8Tensor: 0.49 },
  blackwell: { fp8Tensor: 0.356, fp4Tensor: 0.215 },
};

/** The tensor-core generation a compute capability belongs to, for TENSOR_ENERGY_PJ_PER_FLOP. */
export function tensorGeneration(computeCapability: string | undefined): string | undefined {
  const cc = Number.parseFloat(computeCapability ?? '');
  if (!Number.isFinite(cc)) return undefined;
  if (cc >= 9 && cc < 10) return 'hopper';
  if (cc >= 10 && cc < 13) return 'blackwell';
  return undefined;
}

export interface EnergyRoof {
  /** Share of the datasheet peak the board's power sustains (0..1; 1 when no roof applies). */
  fractionOfPeak: number;
  /** One line for notes: the roof and its inputs, or why none applies. */
  reason: string;
}

/**
 * Power roof of a narrow-precision tensor GEMM: throughput <= boardPowerW / energy per FLOP, as a share
 * of the datasheet peak of `peakKind` (min(1, W / (pJ/FLOP x TFLOP/s))). 1 for other peaks, unknown
 * generations or missing board power.
 */
export function narrowTensorEnergyRoof(gpu: GpuSpec | undefined, peakKind: string | null | undefined, peakTflops: number): EnergyRoof {
  const generation = tensorGeneration(gpu?.computeCapability);
  const energy = generation && (peakKind === 'fp8Tensor' || peakKind === 'fp4Tensor') ? TENSOR_ENERGY_PJ_PER_FLOP[generation]?.[peakKind] : undefined;
  const power = gpu?.boardPowerW?.value;
  if (!positive(energy) || !positive(power) || !positive(peakTflops)) return { fractionOfPeak: 1, reason: 'no narrow-precision power roof' };
  const fraction = Math.min(1, power / (energy * peakTflops));
  return {
    fractionOfPeak: fraction,
    reason: `${peakKind} power roof: ${power} W / (${energy} pJ/FLOP x ${peakTflops} TFLOP/s) = ${fraction.toFixed(2)} of peak`,
  };
}
