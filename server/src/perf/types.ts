// Plain-data types shared by the GPU catalogue, the occupancy calculator, the analytic model and the
// feature vector. No behaviour and no I/O here.
import type { AttentionShape, Dtype } from '../analysis/types.js';
export type { Dtype };

/** A value from a cited source. `derived` is set when it was computed (e.g. SMs x clock x rate). */
export interface Sourced<T> {
  value: T;
  source: string;
  derived?: boolean;
}

/** Per-SM limits of a compute capability (CUDA C++ Programming Guide, compute capability table). */
export interface ComputeCapabilityLimits {
  computeCapability: string; // "8.0"
  maxThreadsPerSM: number;
  maxWarpsPerSM: number;
  maxBlocksPerSM: number;
  maxThreadsPerBlock: number;
  registersPerSM: number;
  maxRegistersPerThread: number;
  maxRegistersPerBlock: number;
  /** Registers are allocated per warp in units of this many registers. */
  registerAllocationUnitSize: number;
  /** Warps are allocated to a block in multiples of this. */
  warpAllocationGranularity: number;
  /** Shared memory per SM in bytes (maximum carve-out). */
  sharedMemPerSMBytes: number;
  /** Carve-outs the driver may choose, in bytes, ascending. */
  sharedMemCarveoutsBytes: number[];
  /** Default per-block maximum without opt-in. */
  sharedMemPerBlockBytes: number;
  /** Opt-in per-block maximum (cudaFuncAttributeMaxDynamicSharedMemorySize). */
  sharedMemPerBlockOptinBytes: number;
  sharedMemAllocationUnitBytes: number;
  /** Shared memory the system reserves per block (1 KiB from cc 8.0). */
  reservedSharedMemPerBlockBytes: number;
  source: string;
}

/** Dense peak throughput in TFLOP/s (TOPS for int8) per precision; absent when the chip lacks it. */
export interface PeakThroughput {
  fp64?: Sourced<number>;
  fp32?: Sourced<number>;
  tf32Tensor?: Sourced<number>;
  fp16Tensor?: Sourced<number>;
  bf16Tensor?: Sourced<number>;
  fp8Tensor?: Sourced<number>;
  int8Tensor?: Sourced<number>;
  fp4Tensor?: Sourced<number>;
  /** fp16 on SIMT cores (non-tensor). */
  fp16?: Sourced<number>;
}

export interface GpuSpec {
  /** Short stable id, e.g. "h100-sxm". */
  id: string;
  name: string;
  /** Other names, including exact NVML / nvidia-smi device names. */
  aliases: string[];
  vendor: 'nvidia';
  architecture: string; // "Hopper"
  computeCapability: string; // "9.0"
  formFactor: string; // "SXM5", "PCIe", "laptop", ...
  smCount: Sourced<number>;
  fp32LanesPerSM: number;
  baseClockMHz: Sourced<number>;
  boostClockMHz: Sourced<number>;
  memoryType: string;
  memorySizeGB: Sourced<number>;
  memoryBusWidthBits: Sourced<number>;
  memoryBandwidthGBps: Sourced<number>;
  l2CacheMB: Sourced<number>;
  boardPowerW: Sourced<number>;
  peak: PeakThroughput;
  /**
   * SM clock a long dense GEMM sustains, MHz, where a source documents it (e.g. Tesla K40 ships clocked
   * at base). Absent: perf/sustained-clock.ts derives it from the board's power budget.
   */
  sustainedClockMHz?: Sourced<number>;
  /**
   * L2 partitions that each cache data for the SMs attached to them (A100/H100 whitepapers: two; a
   * two-die Blackwell: one per die). Operands every SM reads can be held once per partition, so the
   * L2 capacity for reuse of shared operands is l2CacheMB / l2Partitions. Absent: 1 (one L2).
   */
  l2Partitions?: Sourced<number>;
  /** Effective per-pin memory data rate in Gbit/s (bandwidth = bus width / 8 x rate), where known. */
  memoryDataRateGbps?: Sourced<number>;
  /** Tensor peaks with fp16 accumulate where they differ from `peak` (GeForce: twice the fp32-accumulate rate). */
  peakFp16Accumulate?: PeakThroughput;
  /** GeForce cards run fp16/bf16 with fp32 accumulate at half rate; say so here. */
  notes?: string[];
  limits: ComputeCapabilityLimits;
}

/** How a GEMM is implemented: by a vendor library, or by a kernel family TileCast knows. */
export type KernelFamily = 'library' | 'tiled' | 'triton' | 'clblast-xgemm' | 'cutlass' | 'naive';

/**
 * The framework op timed around a quantised GEMM, whose time then includes the op's own activation
 * quantisation and dispatch: SGLang's quantised linear ('sglang'), a TensorRT-LLM PyTorch-flow op
 * ('trtllm-torch'), a TensorRT-LLM plugin ('trtllm-plugin'). Absent: the GEMM kernel timed alone (a
 * CUTLASS, DeepGEMM or FlashInfer kernel, vLLM's kernel classes, a hand-written kernel).
 */
export type QuantWrapper = 'sglang' | 'trtllm-torch' | 'trtllm-plugin';
export const QUANT_WRAPPERS: readonly QuantWrapper[] = ['sglang', 'trtllm-torch', 'trtllm-plugin'];

/** Tile configuration of a GEMM kernel. Unknown fields are absent. */
export interface TileConfig {
  blockM?: number;
  blockN?: number;
  blockK?: number;
  threads?: number;
  warps?: number;
  stages?: number;
  threadM?: number;
  threadN?: number;
  vectorWidth?: number;
  /** Native parameters of the family (e.g. the 14 CLBlast tunables), verbatim. */
  native?: Record<string, number>;
}

/** One GEMM to predict: C[m,n] = A[m,k] x B[k,n], `batch` times. */
export interface GemmWorkload {
  m: number;
  n: number;
  /** Reduction dimension. */
  k: number;
  batch: number;
  dtype: Dtype;
  kernel: KernelFamily;
  tile?: TileConfig;
  /** Launch grid and block if known (from source analysis or a profile). */
  grid?: [number, number, number];
  /**
   * A persistent kernel's programs (its grid's size): each loops over output tiles, so at most this many
   * tiles run at once, one per program (KernelInfo.persistent). Absent: one block per tile.
   */
  programs?: number;
  block?: [number, number, number];
  registersPerThread?: number;
  sharedMemPerBlockBytes?: number;
  usesTensorCores?: boolean;
  /**
   * Quantisation scheme of a low-precision GEMM, verbatim from the source where known: 'fp8' (dynamic
   * per-tensor), 'fp8_static', 'fp8_block', 'nvfp4', 'int8_wo', 'int4_wo', 'sq'. Absent = plain GEMM.
   */
  quantization?: string;
  /** The framework op timed around a quantised GEMM (ignored without `quantization`); absent = the kernel alone. */
  quantWrapper?: QuantWrapper;
  /**
   * The call is repeated back to back by a harness (or a loop) that cycles through this many distinct
   * copies of each operand (1 = the same buffer every call). Operands whose copies fit in L2 stay there
   * between calls (analytic model §3.4, "L2 residency across calls"). Absent = every call starts cold.
   */
  repeatedCalls?: { copiesA: number; copiesB: number; copiesC?: number };
  /**
   * A fused attention launch run as this GEMM: one per batch × head, M = seqQ, N = headDim, K = 2·seqKv
   * (QKᵀ and P·V have the same FLOPs; a causal mask: twice the keys a query sees). A is then Q alone (seqQ × headDim): the
   * probabilities P never leave the chip; with `kvGroup` query heads sharing each K/V head, B (K and V) is
   * read once per group; a backward pass (`backward`) has K = its products / 2 × the forward's and reads dO
   * like Q. Absent = a plain GEMM.
   */
  attention?: AttentionShape;
}
