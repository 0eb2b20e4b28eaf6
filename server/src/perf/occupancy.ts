// The occupancy calculator: how many blocks of a kernel fit on one SM, and which resource stops
// more from fitting, following the rules of CUDA's cudaOccupancyMaxActiveBlocksPerMultiprocessor.
// Pure arithmetic over plain data: no I/O, and it never throws (bad input gives 0 blocks + error).
import type { ComputeCapabilityLimits } from './types';

/** Threads per warp on every NVIDIA GPU (CUDA C++ Programming Guide, "SIMT Architecture"). */
const WARP_SIZE = 32;

export type OccupancyLimiter = 'warps' | 'registers' | 'shared-memory' | 'blocks';

export interface OccupancyInput {
  limits: ComputeCapabilityLimits;
  threadsPerBlock: number;
  /** As ptxas reports it (cudaFuncAttributes::numRegs); 0 is allowed (empty kernels). */
  registersPerThread: number;
  staticSharedMemBytes: number;
  dynamicSharedMemBytes?: number;
  /**
   * cudaFuncAttributePreferredSharedMemoryCarveout: 0 (max L1) ... 100 (max shared), or -1 /
   * undefined for "no preference", which is what a kernel has unless the program sets it.
   */
  carveoutPreferencePercent?: number;
}

export interface OccupancyResult {
  blocksPerSM: number;
  activeWarpsPerSM: number;
  /** Active warps / maximum resident warps per SM, 0..1. */
  occupancy: number;
  /**
   * The resource that caps blocksPerSM. When several give the same cap, the first of
   * warps, registers, shared-memory, blocks wins (the order of cuda_occupancy.h's
   * limitingFactors bits). For invalid input it names the offending resource.
   */
  limiter: OccupancyLimiter;
  /** Blocks each resource alone would allow; Infinity where a resource sets no limit (0 registers, or no shared memory before cc 8.0). */
  blocksByLimit: { warps: number; registers: number; sharedMemory: number; blocks: number };
  /** Unified L1/shared split the driver would configure for this launch (see docs/occupancy.md). */
  sharedMemCarveoutBytes: number;
  /** ceil(threadsPerBlock / 32). */
  warpsPerBlock: number;
  /** Registers allocated to one block: per-warp count rounded up to the allocation unit, times warps. */
  allocatedRegistersPerBlock: number;
  /** Shared memory allocated to one block: static + dynamic + reserved, rounded up to the allocation unit. */
  allocatedSharedMemPerBlockBytes: number;
  /** Why no block fits, or why the input was rejected. */
  error?: string;
  /** Set when the input itself was rejected (as opposed to a valid kernel no block of which fits). */
  invalidInput?: true;
}

function roundUp(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}

function isNonNegativeFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function majorOf(limits: ComputeCapabilityLimits): number {
  const major = Number.parseInt(String(limits.computeCapability), 10);
  if (Number.isFinite(major)) return major;
  // Unknown naming: a configurable carve-out is what distinguishes Volta and later.
  return limits.sharedMemCarveoutsBytes.length > 1 ? 7 : 5;
}

/** Smallest configurable carve-out holding `bytes`, or undefined if none is large enough. */
function carveoutAtLeast(limits: ComputeCapabilityLimits, bytes: number): number | undefined {
  return [...limits.sharedMemCarveoutsBytes].sort((a, b) => a - b).find((carveout) => carveout >= bytes);
}

function limitsProblem(limits: ComputeCapabilityLimits | undefined): string | undefined {
  if (!limits || typeof limits !== 'object') return 'no compute-capability limits given';
  const positive: Array<keyof ComputeCapabilityLimits> = [
    'maxWarpsPerSM',
    'maxBlocksPerSM',
    'maxThreadsPerBlock',
    'registersPerSM',
    'maxRegistersPerBlock',
    'maxRegistersPerThread',
    'registerAllocationUnitSize',
    'warpAllocationGranularity',
    'sharedMemPerSMBytes',
    'sharedMemPerBlockBytes',
    'sharedMemAllocationUnitBytes',
  ];
  for (const key of positive) {
    const value = limits[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return `invalid limits: ${key} = ${String(value)}`;
  }
  if (!Array.isArray(limits.sharedMemCarveoutsBytes) || limits.sharedMemCarveoutsBytes.length === 0) {
    return 'invalid limits: no shared-memory carve-outs';
  }
  return undefined;
}

function rejected(limiter: OccupancyLimiter, error: string, warpsPerBlock = 0): OccupancyResult {
  return {
    blocksPerSM: 0,
    activeWarpsPerSM: 0,
    occupancy: 0,
    limiter,
    blocksByLimit: { warps: 0, registers: 0, sharedMemory: 0, blocks: 0 },
    sharedMemCarveoutBytes: 0,
    warpsPerBlock,
    allocatedRegistersPerBlock: 0,
    allocatedSharedMemPerBlockBytes: 0,
    error,
    invalidInput: true,
  };
}

interface RegisterLimit {
  blocks: number;
  allocatedPerBlock: number;
  error?: string;
}

/**
 * Blocks the register file allows. Registers go to warps in units of registerAllocationUnitSize
 * (so 33 registers/thread x 32 lanes = 1056 -> 1280 = 40/thread). The register file is split
 * evenly between the SM's sub-partitions and a warp lives in one, so each sub-partition holds
 * floor((registersPerSM / subPartitions) / registersPerWarp) warps (cuda_occupancy.h; the Excel
 * calculator floors registersPerSM / registersPerWarp to the warp allocation granularity, which
 * is the same number). A block must also pass the per-block register limit, checked by the
 * hardware as if its warps were rounded up to a multiple of the sub-partition count.
 */
function registerLimit(limits: ComputeCapabilityLimits, registersPerThread: number, warpsPerBlock: number, subPartitions: number): RegisterLimit {
  const registersPerWarp = roundUp(registersPerThread * WARP_SIZE, limits.registerAllocationUnitSize);
  const allocatedPerBlock = registersPerWarp * warpsPerBlock;
  const assumedPerBlock = registersPerWarp * roundUp(warpsPerBlock, subPartitions);
  if (assumedPerBlock > limits.maxRegistersPerBlock || allocatedPerBlock > limits.maxRegistersPerBlock) {
    return {
      blocks: 0,
      allocatedPerBlock,
      error: `block needs ${assumedPerBlock} registers (${registersPerWarp} per warp x ${roundUp(warpsPerBlock, subPartitions)} warps), above the ${limits.maxRegistersPerBlock} per block`,
    };
  }
  if (registersPerWarp === 0) return { blocks: Number.POSITIVE_INFINITY, allocatedPerBlock };
  const warpsPerSubPartition = Math.floor(Math.floor(limits.registersPerSM / subPartitions) / registersPerWarp);
  return { blocks: Math.floor((warpsPerSubPartition * subPartitions) / warpsPerBlock), allocatedPerBlock };
}

interface SharedMemLimit {
  blocks: number;
  allocatedPerBlock: number;
  perSMBytes: number;
  preferenceSet: boolean;
  error?: string;
}

/**
 * Blocks shared memory allows. A block takes static + dynamic + the driver's reserved bytes,
 * rounded up to the allocation unit. Launches above 48 KB need the opt-in attribute; we assume
 * it is set, so only the opt-in maximum rejects a block. From Volta the SM's shared memory is a
 * carve-out of L1: with no preference the driver may use the largest; with a preference it
 * uses that (rounded up to a configurable size) unless one block would not fit, in which case
 * it takes the smallest carve-out that holds one block (cuda_occupancy.h semantics).
 */
function sharedMemLimit(limits: ComputeCapabilityLimits, totalRequestedBytes: number, preferencePercent: number | undefined): SharedMemLimit {
  const reserved = Math.max(0, limits.reservedSharedMemPerBlockBytes || 0);
  const allocatedPerBlock = roundUp(totalRequestedBytes + reserved, limits.sharedMemAllocationUnitBytes);
  const perBlockMax = Math.max(limits.sharedMemPerBlockBytes, limits.sharedMemPerBlockOptinBytes || 0);
  const preferenceSet = preferencePercent !== undefined;
  if (totalRequestedBytes > perBlockMax) {
    return {
      blocks: 0,
      allocatedPerBlock,
      perSMBytes: 0,
      preferenceSet,
      error: `block needs ${totalRequestedBytes} bytes of shared memory, above the ${perBlockMax}-byte per-block maximum (opt-in) of cc ${limits.computeCapability}`,
    };
  }
  let perSMBytes = limits.sharedMemPerSMBytes;
  if (majorOf(limits) >= 7 && preferenceSet) {
    const preferred = Math.floor((Math.floor(preferencePercent) * limits.sharedMemPerSMBytes) / 100);
    const preferredCarveout = carveoutAtLeast(limits, preferred) ?? limits.sharedMemPerSMBytes;
    perSMBytes = preferredCarveout >= allocatedPerBlock ? preferredCarveout : (carveoutAtLeast(limits, allocatedPerBlock) ?? limits.sharedMemPerSMBytes);
  }
  const blocks = allocatedPerBlock > 0 ? Math.floor(perSMBytes / allocatedPerBlock) : Number.POSITIVE_INFINITY;
  return { blocks, allocatedPerBlock, perSMBytes, preferenceSet };
}

/**
 * Resident blocks per SM for a kernel, as cudaOccupancyMaxActiveBlocksPerMultiprocessor computes
 * it for compute capabilities 5.0 to 12.x (partitioned global caching off, no cluster or
 * block-barrier limits). Never throws: invalid input gives blocksPerSM 0 and an `error`.
 */
export function computeOccupancy(input: OccupancyInput): OccupancyResult {
  if (!input || typeof input !== 'object') return rejected('blocks', 'no occupancy input given');
  const limitsError = limitsProblem(input.limits);
  if (limitsError) return rejected('blocks', limitsError);
  const limits = input.limits;
  const { threadsPerBlock, registersPerThread, staticSharedMemBytes } = input;
  const dynamicSharedMemBytes = input.dynamicSharedMemBytes ?? 0;

  if (typeof threadsPerBlock !== 'number' || !Number.isInteger(threadsPerBlock) || threadsPerBlock < 1) {
    return rejected('warps', `threads per block must be a positive integer, got ${String(threadsPerBlock)}`);
  }
  if (threadsPerBlock > limits.maxThreadsPerBlock) {
    return rejected('warps', `${threadsPerBlock} threads per block is above the maximum of ${limits.maxThreadsPerBlock}`);
  }
  const warpsPerBlock = Math.ceil(threadsPerBlock / WARP_SIZE);
  if (!isNonNegativeFinite(registersPerThread)) {
    return rejected('registers', `registers per thread must be a number >= 0, got ${String(registersPerThread)}`, warpsPerBlock);
  }
  const registers = Math.ceil(registersPerThread);
  if (registers > limits.maxRegistersPerThread) {
    return rejected('registers', `${registers} registers per thread is above the maximum of ${limits.maxRegistersPerThread}`, warpsPerBlock);
  }
  if (!isNonNegativeFinite(staticSharedMemBytes) || !isNonNegativeFinite(dynamicSharedMemBytes)) {
    return rejected(
      'shared-memory',
      `shared memory must be a number of bytes >= 0, got static ${String(staticSharedMemBytes)}, dynamic ${String(dynamicSharedMemBytes)}`,
      warpsPerBlock,
    );
  }
  let preference = input.carveoutPreferencePercent;
  if (preference === -1) preference = undefined;
  if (preference !== undefined && (!isNonNegativeFinite(preference) || preference > 100)) {
    return rejected('shared-memory', `carve-out preference must be 0..100 percent (or -1 for none), got ${String(preference)}`, warpsPerBlock);
  }

  const warpsLimit = Math.floor(limits.maxWarpsPerSM / warpsPerBlock);
  const subPartitions = limits.warpAllocationGranularity;
  let regs = registerLimit(limits, registers, warpsPerBlock, subPartitions);
  // GP100 (cc 6.0) has 2 sub-partitions, the rest of Pascal 4. CUDA refuses on GP100 any block
  // that would not fit on GP10x, so a launch runs on every Pascal chip (cuda_occupancy.h).
  if (limits.computeCapability === '6.0' && regs.blocks > 0 && subPartitions !== 4) {
    const gp10x = registerLimit(limits, registers, warpsPerBlock, 4);
    if (gp10x.blocks === 0) regs = { ...gp10x, allocatedPerBlock: regs.allocatedPerBlock };
  }
  const smem = sharedMemLimit(limits, Math.ceil(staticSharedMemBytes) + Math.ceil(dynamicSharedMemBytes), preference);
  const blocksLimit = limits.maxBlocksPerSM;

  const blocksPerSM = Math.min(warpsLimit, regs.blocks, smem.blocks, blocksLimit);
  const candidates: Array<[OccupancyLimiter, number]> = [
    ['warps', warpsLimit],
    ['registers', regs.blocks],
    ['shared-memory', smem.blocks],
    ['blocks', blocksLimit],
  ];
  const limiter = candidates.find(([, blocks]) => blocks === blocksPerSM)?.[0] ?? 'blocks';
  const activeWarpsPerSM = blocksPerSM * warpsPerBlock;

  let sharedMemCarveoutBytes: number;
  if (majorOf(limits) < 7) sharedMemCarveoutBytes = limits.sharedMemPerSMBytes;
  else if (smem.preferenceSet) sharedMemCarveoutBytes = smem.perSMBytes;
  else if (blocksPerSM === 0) sharedMemCarveoutBytes = 0;
  // No preference: the driver configures enough shared memory for the blocks that fit and leaves
  // the rest to L1 (Volta / Ampere tuning guides, "Shared Memory" sections).
  else sharedMemCarveoutBytes = carveoutAtLeast(limits, blocksPerSM * smem.allocatedPerBlock) ?? limits.sharedMemPerSMBytes;

  const result: OccupancyResult = {
    blocksPerSM,
    activeWarpsPerSM,
    occupancy: activeWarpsPerSM / limits.maxWarpsPerSM,
    limiter,
    blocksByLimit: { warps: warpsLimit, registers: regs.blocks, sharedMemory: smem.blocks, blocks: blocksLimit },
    sharedMemCarveoutBytes,
    warpsPerBlock,
    allocatedRegistersPerBlock: regs.allocatedPerBlock,
    allocatedSharedMemPerBlockBytes: smem.allocatedPerBlock,
  };
  if (blocksPerSM === 0) {
    const specific = limiter === 'registers' ? regs.error : limiter === 'shared-memory' ? smem.error : undefined;
    result.error = specific ?? smem.error ?? regs.error ?? `no block fits: limited by ${limiter}`;
  }
  return result;
}
