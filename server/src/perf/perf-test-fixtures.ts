// Hand-built GPU fixture for the performance-model tests: round numbers, written out in full so that
// no expected value depends on the GPU catalogue. Test support only; not used by production code.
import type { ComputeCapabilityLimits, GpuSpec } from './types';

const s = (value: number) => ({ value, source: 'test fixture' });
// cc 8.6-like limits written out by hand: 48 warps, 16 blocks, 64 K registers, 100 KB shared memory.
const limits: ComputeCapabilityLimits = {
  computeCapability: '8.6',
  maxThreadsPerSM: 1536,
  maxWarpsPerSM: 48,
  maxBlocksPerSM: 16,
  maxThreadsPerBlock: 1024,
  registersPerSM: 65536,
  maxRegistersPerThread: 255,
  maxRegistersPerBlock: 65536,
  registerAllocationUnitSize: 256,
  warpAllocationGranularity: 4,
  sharedMemPerSMBytes: 102400,
  sharedMemCarveoutsBytes: [0, 8192, 16384, 32768, 65536, 102400],
  sharedMemPerBlockBytes: 49152,
  sharedMemPerBlockOptinBytes: 101376,
  sharedMemAllocationUnitBytes: 128,
  reservedSharedMemPerBlockBytes: 1024,
  source: 'test fixture',
};
/** 10 SMs, 1500 MHz, 1000 GB/s, 40 MB L2, 300 W; fp32 10, tf32 50, fp16/bf16 100 TFLOP/s; cc 8.6 limits. */
export const toyGpu: GpuSpec = {
  id: 'toy',
  name: 'Toy GPU',
  aliases: [],
  vendor: 'nvidia',
  architecture: 'Toy',
  computeCapability: '8.6',
  formFactor: 'PCIe',
  smCount: s(10),
  fp32LanesPerSM: 128,
  baseClockMHz: s(1000),
  boostClockMHz: s(1500),
  memoryType: 'GDDR6',
  memorySizeGB: s(16),
  memoryBusWidthBits: s(256),
  memoryBandwidthGBps: s(1000),
  l2CacheMB: s(40),
  boardPowerW: s(300),
  peak: { fp64: s(0.5), fp32: s(10), tf32Tensor: s(50), fp16Tensor: s(100), bf16Tensor: s(100) },
  limits,
};
