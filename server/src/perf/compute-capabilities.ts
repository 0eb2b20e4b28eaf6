// Per-SM resource limits of every NVIDIA compute capability TileCast knows, as plain data for the
// occupancy calculator. Pure table look-up: no I/O, no device queries, never throws.
import type { ComputeCapabilityLimits } from './types';

const KiB = 1024;

/*
 * Sources, column by column (PG = CUDA C++ Programming Guide, "Technical Specifications per
 * Compute Capability" table; OCC = the CUDA toolkit's occupancy logic in cuda_occupancy.h, which
 * is what cudaOccupancyMaxActiveBlocksPerMultiprocessor and Nsight Compute's calculator follow):
 *
 *  maxWarpsPerSM          PG "Maximum number of resident warps per SM"; maxThreadsPerSM = 32 x that
 *                         (PG "Maximum number of resident threads per SM").
 *  maxBlocksPerSM         PG "Maximum number of resident blocks per SM"; agrees with OCC's
 *                         per-architecture block limit (16 Kepler/Turing/GA10x/Orin, 24 Ada and
 *                         consumer Blackwell, 32 elsewhere).
 *  maxThreadsPerBlock     PG "Maximum number of threads per block": 1024 on every cc >= 2.0.
 *  registersPerSM         PG "Number of 32-bit registers per SM": 64 K, 128 K on cc 3.7.
 *  maxRegistersPerBlock   PG "Maximum number of 32-bit registers per thread block": 64 K, but 32 K
 *                         on the Tegra parts cc 5.3 and 6.2.
 *  maxRegistersPerThread  PG "Maximum number of 32-bit registers per thread": 63 on cc 3.0, 255 after.
 *  registerAllocationUnitSize  OCC register allocation granularity: a warp's registers are
 *                         allocated in units of 256 (per-thread counts therefore round up to a
 *                         multiple of 8) on every cc from 3.0 to 12.x.
 *  warpAllocationGranularity  OCC sub-partitions per SM (the old Excel calculator's "warp
 *                         allocation granularity"): 4, but 2 on GP100 (cc 6.0). Registers are
 *                         split evenly between the sub-partitions, so the warps that registers
 *                         allow are rounded down to a multiple of this.
 *  sharedMemPerSMBytes    PG "Maximum amount of shared memory per SM" (the largest carve-out;
 *                         Kepler: with cudaFuncCachePreferShared).
 *  sharedMemCarveoutsBytes  Unified L1/shared capacities the driver can configure. Volta: 0, 8,
 *                         16, 32, 64, 96 KB (Volta tuning guide); Turing: 32, 64 KB (Turing tuning
 *                         guide); A100/Orin: 0, 8, 16, 32, 64, 100, 132, 164 KB (Ampere tuning
 *                         guide); GA10x, Ada and cc 12.x: 0, 8, 16, 32, 64, 100 KB (Ampere / Ada
 *                         tuning guides); Hopper and datacenter Blackwell: 0 ... 228 KB (Hopper /
 *                         Blackwell tuning guides). Same lists as OCC's carve-out rounding. Kepler
 *                         splits 64 KB (cc 3.7: 128 KB) into 16/32/48 KB of L1 and the rest
 *                         shared; Maxwell and Pascal have a fixed, dedicated shared memory.
 *  sharedMemPerBlockBytes PG "Maximum amount of shared memory per thread block": 48 KB without opt-in.
 *  sharedMemPerBlockOptinBytes  Same PG row, the opt-in figure (cudaFuncAttributeMaxDynamicShared-
 *                         MemorySize): 96 KB cc 7.0/7.2, 64 KB cc 7.5, 163 KB cc 8.0/8.7, 99 KB cc
 *                         8.6/8.9/12.x, 227 KB cc 9.0/10.x; = 48 KB before Volta (no opt-in).
 *  sharedMemAllocationUnitBytes OCC shared memory allocation granularity: 256 B up to cc 7.x,
 *                         128 B from cc 8.0.
 *  reservedSharedMemPerBlockBytes PG footnote to the shared-memory rows and cudaDeviceProp::
 *                         reservedSharedMemPerBlock: the driver reserves 1 KB per block from cc 8.0.
 */
type Row = [
  cc: string,
  maxWarpsPerSM: number,
  maxBlocksPerSM: number,
  registersPerSM: number,
  maxRegistersPerBlock: number,
  maxRegistersPerThread: number,
  warpAllocationGranularity: number,
  sharedMemPerSMKiB: number,
  carveoutsKiB: number[],
  sharedMemPerBlockOptinKiB: number,
  sharedMemAllocationUnitBytes: number,
  reservedSharedMemPerBlockBytes: number,
  architecture: string,
];

const VOLTA_CARVEOUTS_KIB = [0, 8, 16, 32, 64, 96];
const TURING_CARVEOUTS_KIB = [32, 64];
const A100_CARVEOUTS_KIB = [0, 8, 16, 32, 64, 100, 132, 164];
const GA10X_CARVEOUTS_KIB = [0, 8, 16, 32, 64, 100];
const HOPPER_CARVEOUTS_KIB = [0, 8, 16, 32, 64, 100, 132, 164, 196, 228];

// cc, warps/SM, blocks/SM, regs/SM, regs/block, regs/thread, sub-partitions, smem/SM KiB,
// carve-outs KiB, opt-in smem/block KiB, smem unit B, reserved smem/block B, architecture
const ROWS: Row[] = [
  ['3.0', 64, 16, 65536, 65536, 63, 4, 48, [16, 32, 48], 48, 256, 0, 'Kepler GK10x'],
  ['3.5', 64, 16, 65536, 65536, 255, 4, 48, [16, 32, 48], 48, 256, 0, 'Kepler GK11x'],
  ['3.7', 64, 16, 131072, 65536, 255, 4, 112, [80, 96, 112], 48, 256, 0, 'Kepler GK210'],
  ['5.0', 64, 32, 65536, 65536, 255, 4, 64, [64], 48, 256, 0, 'Maxwell GM10x'],
  ['5.2', 64, 32, 65536, 65536, 255, 4, 96, [96], 48, 256, 0, 'Maxwell GM20x'],
  ['5.3', 64, 32, 65536, 32768, 255, 4, 64, [64], 48, 256, 0, 'Maxwell Tegra X1'],
  ['6.0', 64, 32, 65536, 65536, 255, 2, 64, [64], 48, 256, 0, 'Pascal GP100'],
  ['6.1', 64, 32, 65536, 65536, 255, 4, 96, [96], 48, 256, 0, 'Pascal GP10x'],
  ['6.2', 64, 32, 65536, 32768, 255, 4, 64, [64], 48, 256, 0, 'Pascal Tegra X2'],
  ['7.0', 64, 32, 65536, 65536, 255, 4, 96, VOLTA_CARVEOUTS_KIB, 96, 256, 0, 'Volta GV100'],
  ['7.2', 64, 32, 65536, 65536, 255, 4, 96, VOLTA_CARVEOUTS_KIB, 96, 256, 0, 'Volta Xavier'],
  ['7.5', 32, 16, 65536, 65536, 255, 4, 64, TURING_CARVEOUTS_KIB, 64, 256, 0, 'Turing TU10x'],
  ['8.0', 64, 32, 65536, 65536, 255, 4, 164, A100_CARVEOUTS_KIB, 163, 128, 1024, 'Ampere GA100'],
  ['8.6', 48, 16, 65536, 65536, 255, 4, 100, GA10X_CARVEOUTS_KIB, 99, 128, 1024, 'Ampere GA10x'],
  ['8.7', 48, 16, 65536, 65536, 255, 4, 164, A100_CARVEOUTS_KIB, 163, 128, 1024, 'Ampere Orin'],
  ['8.9', 48, 24, 65536, 65536, 255, 4, 100, GA10X_CARVEOUTS_KIB, 99, 128, 1024, 'Ada AD10x'],
  ['9.0', 64, 32, 65536, 65536, 255, 4, 228, HOPPER_CARVEOUTS_KIB, 227, 128, 1024, 'Hopper GH100'],
  ['10.0', 64, 32, 65536, 65536, 255, 4, 228, HOPPER_CARVEOUTS_KIB, 227, 128, 1024, 'Blackwell GB100'],
  ['10.3', 64, 32, 65536, 65536, 255, 4, 228, HOPPER_CARVEOUTS_KIB, 227, 128, 1024, 'Blackwell GB300'],
  ['12.0', 48, 24, 65536, 65536, 255, 4, 100, GA10X_CARVEOUTS_KIB, 99, 128, 1024, 'Blackwell GB20x'],
  // cc 12.1 (GB10): OCC treats 12.0 and 12.1 identically (block limit, carve-outs); the PG's
  // 12.x column gives both the same per-SM limits.
  ['12.1', 48, 24, 65536, 65536, 255, 4, 100, GA10X_CARVEOUTS_KIB, 99, 128, 1024, 'Blackwell GB10'],
];

const SOURCE =
  'CUDA C++ Programming Guide, "Technical Specifications per Compute Capability"; ' +
  'allocation granularities and carve-outs per cuda_occupancy.h and the NVIDIA tuning guides';

function toLimits(row: Row): ComputeCapabilityLimits {
  const [cc, warps, blocks, regsSM, regsBlock, regsThread, warpGranularity, smemSMKiB, carveoutsKiB, optinKiB, smemUnit, reserved, architecture] = row;
  return {
    computeCapability: cc,
    maxThreadsPerSM: warps * 32,
    maxWarpsPerSM: warps,
    maxBlocksPerSM: blocks,
    maxThreadsPerBlock: 1024,
    registersPerSM: regsSM,
    maxRegistersPerThread: regsThread,
    maxRegistersPerBlock: regsBlock,
    registerAllocationUnitSize: 256,
    warpAllocationGranularity: warpGranularity,
    sharedMemPerSMBytes: smemSMKiB * KiB,
    sharedMemCarveoutsBytes: carveoutsKiB.map((kib) => kib * KiB),
    sharedMemPerBlockBytes: 48 * KiB,
    sharedMemPerBlockOptinBytes: optinKiB * KiB,
    sharedMemAllocationUnitBytes: smemUnit,
    reservedSharedMemPerBlockBytes: reserved,
    source: `${SOURCE} (${architecture})`,
  };
}

const TABLE: ReadonlyMap<string, ComputeCapabilityLimits> = new Map(ROWS.map((row) => [row[0], toLimits(row)]));

/** Normalises "8.0", "8", "80", "sm_80", "sm80", "compute_90a", "9.0a" to "8.0" / "9.0". */
export function normalizeComputeCapability(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim().toLowerCase();
  const dotted = /^(\d{1,2})\.(\d)[af]?$/.exec(trimmed);
  if (dotted) return `${Number(dotted[1])}.${dotted[2]}`;
  const arch = /^(?:sm_?|compute_?)?(\d{1,2})(\d)[af]?$/.exec(trimmed);
  if (arch) return `${Number(arch[1])}.${arch[2]}`;
  const major = /^(\d{1,2})$/.exec(trimmed);
  if (major) return `${Number(major[1])}.0`;
  return undefined;
}

/**
 * Limits of a compute capability ("8.0"; "sm_80" and "80" are accepted too), or undefined when
 * the capability is unknown. Returns a fresh copy the caller may modify.
 */
export function limitsFor(cc: string): ComputeCapabilityLimits | undefined {
  const key = normalizeComputeCapability(cc);
  const limits = key === undefined ? undefined : TABLE.get(key);
  if (!limits) return undefined;
  return { ...limits, sharedMemCarveoutsBytes: [...limits.sharedMemCarveoutsBytes] };
}

/** Every compute capability limitsFor knows, ascending ("3.0", ..., "12.1"). */
export function knownComputeCapabilities(): string[] {
  return ROWS.map((row) => row[0]);
}
