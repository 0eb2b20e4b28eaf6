// The instruction families a kernel can use that need a minimum (or, for removed intrinsics, a maximum)
// compute capability, each with its source. Data only: the CUDA and Triton analyses find the uses in the
// tree and tag them with a rule; the editor's legality check compares a rule with each GPU. No I/O.
import type { InstructionUse } from './types';

/** One family. Section `#instruction-unsupported` of docs/diagnostics.md lists the same table. */
export interface InstructionRule {
  /** Stable id (`wmma`, `cp-async`, ...). */
  id: string;
  /** Lowest compute capability that runs it natively. */
  minComputeCapability: number;
  /**
   * Below `minComputeCapability` but at or above this, it still compiles and runs, emulated or
   * synchronously (slower, not a failure). Absent: it does not compile or launch below the minimum.
   */
  emulatedFrom?: number;
  /** First compute capability that no longer has it (removed intrinsics). */
  removedIn?: number;
  /** What it needs, for messages: "WMMA (warp matrix) instructions". */
  what: string;
  /** Where the limit is documented. */
  source: string;
}

const GUIDE = 'CUDA C++ Programming Guide';
const PTX = 'PTX ISA, target ISA notes of';

export const INSTRUCTION_RULES: Record<string, InstructionRule> = {
  shfl: { id: 'shfl', minComputeCapability: 3.0, what: 'warp shuffle (__shfl_*_sync)', source: `${GUIDE}, "Warp Shuffle Functions" (sm_30_intrinsics.h)` },
  'shfl-legacy': {
    id: 'shfl-legacy',
    minComputeCapability: 3.0,
    removedIn: 7.0,
    what: 'warp intrinsics without _sync (__shfl, __any, __all, __ballot)',
    source: `${GUIDE}, "Warp Vote Functions" / "Warp Shuffle Functions": removed for compute capability 7.x and higher`,
  },
  'half-arithmetic': {
    id: 'half-arithmetic',
    minComputeCapability: 5.3,
    emulatedFrom: 0,
    what: 'native fp16 arithmetic (__hadd, __hfma2, ...)',
    source: 'CUDA Math API, "Half Precision Intrinsics" (cuda_fp16.hpp: NV_PROVIDES_SM_53, fp32 emulation below)',
  },
  'atomic-add-double': {
    id: 'atomic-add-double',
    minComputeCapability: 6.0,
    what: 'atomicAdd on double',
    source: `${GUIDE}, "Atomic Functions > atomicAdd()" (sm_60_atomic_functions.h)`,
  },
  wmma: { id: 'wmma', minComputeCapability: 7.0, what: 'WMMA (warp matrix) instructions', source: `${GUIDE}, "Warp Matrix Functions"` },
  'wmma-int8': {
    id: 'wmma-int8',
    minComputeCapability: 7.2,
    what: 'int8 WMMA fragments',
    source: `${GUIDE}, "Warp Matrix Functions > Element Types and Matrix Sizes"`,
  },
  'wmma-subbyte': {
    id: 'wmma-subbyte',
    minComputeCapability: 7.5,
    what: 'sub-byte (s4/u4/b1) WMMA fragments',
    source: `${GUIDE}, "Warp Matrix Functions > Sub-byte Operations"`,
  },
  'wmma-ampere': {
    id: 'wmma-ampere',
    minComputeCapability: 8.0,
    what: 'bf16, tf32 and fp64 WMMA fragments',
    source: `${GUIDE}, "Warp Matrix Functions > Alternate Floating Point" and "Double Precision"`,
  },
  'warp-match': {
    id: 'warp-match',
    minComputeCapability: 7.0,
    what: 'warp match functions and __nanosleep',
    source: `${GUIDE}, "Warp Match Functions" and "Nanosleep Function"`,
  },
  'pipeline-primitives': {
    id: 'pipeline-primitives',
    minComputeCapability: 8.0,
    emulatedFrom: 7.0,
    what: 'hardware asynchronous copies (__pipeline_memcpy_async, cuda::memcpy_async)',
    source: `${GUIDE}, "Asynchronous Data Copies" (cuda_pipeline_helpers.h: _CUDA_PIPELINE_HAS_ASYNC_COPY from 800, a synchronous copy from 700)`,
  },
  'bf16-arithmetic': {
    id: 'bf16-arithmetic',
    minComputeCapability: 8.0,
    what: 'bf16 arithmetic intrinsics (__hfma2 on __nv_bfloat162, ...)',
    source: 'CUDA Math API, "Bfloat16 Precision Intrinsics" (cuda_bf16.hpp: declared for __CUDA_ARCH__ >= 800)',
  },
  'warp-reduce': { id: 'warp-reduce', minComputeCapability: 8.0, what: 'warp reduce functions (__reduce_*_sync)', source: `${GUIDE}, "Warp Reduce Functions"` },
  'fp8-convert': {
    id: 'fp8-convert',
    minComputeCapability: 8.9,
    emulatedFrom: 0,
    what: 'native fp8 conversions (__nv_fp8_* types)',
    source: 'CUDA Math API, "FP8 Intrinsics" (cuda_fp8.hpp: cvt to e4m3/e5m2 from __CUDA_ARCH__ >= 890, software conversion below)',
  },
  cluster: { id: 'cluster', minComputeCapability: 9.0, what: 'thread block clusters', source: `${GUIDE}, "Thread Block Clusters"` },
  'ptx-mma-sm70': {
    id: 'ptx-mma-sm70',
    minComputeCapability: 7.0,
    what: 'PTX mma.sync m8n8k4, the first tensor-core MMA',
    source: `${PTX} "Warp-level matrix multiply-accumulate: mma"`,
  },
  'ptx-mma-sm75': {
    id: 'ptx-mma-sm75',
    minComputeCapability: 7.5,
    what: 'PTX mma.sync shapes of sm_75 (m16n8k8 fp16, m8n8k16 int8) and ldmatrix',
    source: `${PTX} "mma" and "ldmatrix"`,
  },
  'ptx-mma-sm80': {
    id: 'ptx-mma-sm80',
    minComputeCapability: 8.0,
    what: 'PTX mma.sync shapes and types of sm_80 (m16n8k16; bf16, tf32, fp64)',
    source: `${PTX} "mma" (shapes and types per target)`,
  },
  'ptx-mma-fp8': { id: 'ptx-mma-fp8', minComputeCapability: 8.9, what: 'fp8 (e4m3/e5m2) PTX mma.sync', source: `${PTX} "mma" (.e4m3/.e5m2 require sm_89)` },
  'cp-async': { id: 'cp-async', minComputeCapability: 8.0, what: 'cp.async, mbarrier and redux.sync', source: `${PTX} "cp.async", "mbarrier", "redux.sync"` },
  'cp-async-bulk': {
    id: 'cp-async-bulk',
    minComputeCapability: 9.0,
    what: 'TMA (cp.async.bulk[.tensor]), stmatrix, setmaxnreg',
    source: `${PTX} "cp.async.bulk.tensor", "stmatrix", "setmaxnreg"`,
  },
  wgmma: { id: 'wgmma', minComputeCapability: 9.0, what: 'wgmma (warpgroup MMA)', source: `${PTX} "wgmma.mma_async" (sm_90a)` },
  tcgen05: { id: 'tcgen05', minComputeCapability: 10.0, what: 'tcgen05 (5th-generation tensor core) instructions', source: `${PTX} "tcgen05" (sm_100a)` },
  'cute-atom': {
    id: 'cute-atom',
    minComputeCapability: 0,
    what: 'CuTe MMA/copy atoms for a newer architecture',
    source: 'CUTLASS, cute/arch/mma_sm*.hpp and copy_sm*.hpp (an atom SM<xy>_… wraps sm_<xy> instructions)',
  },
  'cutlass-arch': {
    id: 'cutlass-arch',
    minComputeCapability: 0,
    what: 'a CUTLASS kernel specialised for a newer architecture',
    source: 'CUTLASS, cutlass/arch/arch.h (arch::Sm<xy>::kMinComputeCapability)',
  },
  'triton-fp8e4nv': {
    id: 'triton-fp8e4nv',
    minComputeCapability: 8.9,
    what: 'tl.dot on fp8e4nv (float8_e4m3fn) operands',
    source: 'Triton NVIDIA backend (compiler.py CUDAOptions.supported_fp8_dtypes: fp8e4nv from capability 89)',
  },
};

/** A use of `rule` at `range`; `minComputeCapability` overrides the rule's (CuTe atoms, CUTLASS arch tags). */
export function instructionUse(ruleId: string, what: string, range: { start: number; end: number }, minComputeCapability?: number): InstructionUse {
  const rule = INSTRUCTION_RULES[ruleId]!;
  const use: InstructionUse = {
    rule: rule.id,
    what,
    minComputeCapability: minComputeCapability ?? rule.minComputeCapability,
    range: { start: range.start, end: range.end },
  };
  if (rule.emulatedFrom !== undefined) use.emulatedFrom = rule.emulatedFrom;
  if (rule.removedIn !== undefined) use.removedIn = rule.removedIn;
  return use;
}

/** How `use` fares on a GPU of compute capability `cc`: runs, runs emulated (slower), or cannot run. */
export function instructionSupport(use: InstructionUse, cc: number): 'native' | 'emulated' | 'unsupported' {
  if (use.removedIn !== undefined && cc >= use.removedIn) return 'unsupported';
  if (cc >= use.minComputeCapability) return 'native';
  return use.emulatedFrom !== undefined && cc >= use.emulatedFrom ? 'emulated' : 'unsupported';
}
