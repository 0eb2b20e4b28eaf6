// Plain-data results of source analysis: kernels, launch sites, tile parameters and problems, in
// editor terms (UTF-16 offsets into the analysed text). No LSP types, no I/O, no behaviour here.

/** Half-open range of UTF-16 code-unit offsets into the analysed text: [start, end). */
export interface Range {
  start: number;
  end: number;
}

export type SourceLanguage = 'cuda' | 'triton';

/** Element types TileCast reasons about. `tf32` is fp32 storage run on tensor cores. */
export type Dtype = 'fp64' | 'fp32' | 'tf32' | 'fp16' | 'bf16' | 'fp8' | 'int8' | 'fp4';

/** A value that came from the source: its text, and a number where constant folding succeeded. */
export interface FoldedValue {
  text: string;
  /** Folded value, or null when it depends on runtime values or could not be folded. */
  value: number | null;
  range: Range;
}

export interface Problem {
  range: Range;
  message: string;
  severity: 'error' | 'warning' | 'info';
}

export interface KernelParameter {
  name: string;
  type: string;
  range: Range;
}

export interface SharedArray {
  name: string;
  elementType: string;
  /** Folded size in bytes; null if a dimension does not fold. `extern __shared__` arrays are dynamic. */
  sizeBytes: number | null;
  dynamic: boolean;
  range: Range;
}

export type TensorCoreUse = 'none' | 'wmma' | 'mma-ptx' | 'cute' | 'tl-dot';

/** The tile loop over K in a tiled GEMM: `for (t = 0; t < K; t += TILE)`. */
export interface TileLoop {
  range: Range;
  /** Stride of the loop variable (the K tile), folded where possible. */
  stride: FoldedValue | null;
}

export interface TritonConfig {
  range: Range;
  /** Meta-parameters such as BLOCK_SIZE_M, folded; null where they do not fold. */
  params: Record<string, number | null>;
  numWarps: number | null;
  numStages: number | null;
}

/**
 * A use in a kernel of an instruction family that needs a minimum (or, removed, a maximum) compute
 * capability (rules and sources: analysis/instruction-rules.ts). One per rule per kernel: the first use.
 */
export interface InstructionUse {
  /** Rule id in INSTRUCTION_RULES. */
  rule: string;
  /** What the code uses, as written: `wmma::mma_sync`, `cp.async.bulk.tensor`, `cute::SM90_...`. */
  what: string;
  minComputeCapability: number;
  /** From this compute capability up to the minimum it runs emulated or synchronously (slower, legal). */
  emulatedFrom?: number;
  /** First compute capability that no longer has it. */
  removedIn?: number;
  /** The use site. */
  range: Range;
}

export interface KernelInfo {
  name: string;
  /** Whole definition. */
  range: Range;
  /** Just the name, for hovers and inlay hints. */
  nameRange: Range;
  kind: 'gemm' | 'other';
  /** Why `kind` was chosen, for the reader (e.g. "shared-memory tiles and a K loop"). */
  kindReason: string;
  parameters: KernelParameter[];
  templateParameters: string[];
  launchBounds: { maxThreadsPerBlock: number | null; minBlocksPerSM: number | null } | null;
  sharedArrays: SharedArray[];
  /** Sum of static `__shared__` arrays in bytes; null if any does not fold. */
  staticSharedMemBytes: number | null;
  /**
   * CUDA: the dynamic shared memory `cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
   * bytes)` allows, when the file sets it: the bytes, or null when they do not fold; absent when it does not.
   */
  dynamicSmemOptInBytes?: number | null;
  /** CUDA: that opt-in is written as a number (it stays fixed when tile constants change); absent without one. */
  dynamicSmemOptInLiteral?: boolean;
  /** Dominant arithmetic element type, or null if unknown. */
  dtype: Dtype | null;
  tensorCores: TensorCoreUse;
  /** Instruction families the kernel uses that not every architecture has (absent = none found). */
  instructions?: InstructionUse[];
  tileLoops: TileLoop[];
  /**
   * A persistent kernel: each program loops over output tiles (Triton's `for tile in range(pid, tiles,
   * NUM_SMS)`), so the launch's grid, not the tile count, is how many run at once. Absent = no.
   */
  persistent?: boolean;
  /**
   * Triton: a fused attention kernel (flash attention's forward: QKᵀ and P·V tl.dot in one loop over KV
   * blocks with an online softmax; or its backward pass, attentionBackward; triton/attention.ts). Its
   * launches' problem has an `attention` shape.
   */
  attention?: boolean;
  /** Triton: set with `attention` for flash attention's backward pass (triton/attention.ts attentionBackward). */
  attentionBackward?: { products: number; softmaxPasses: number };
  /**
   * Set when the kernel is defined in a header the file includes (`#include "gemm.cuh"`) or, for Triton, a
   * module it imports (`from .kernels import mm`: name `.kernels`), not in the file: `range` and `nameRange`
   * are offsets in that text, and `text` is its text from `offset` (the definition), for the readers of
   * the kernel's body (kernelText).
   */
  header?: { name: string; text: string; offset: number };
  /** Triton only: constexpr parameters and autotune configs. Empty for CUDA. */
  constexprParams: string[];
  configs: TritonConfig[];
}

export interface ProblemSize {
  m: number | null;
  n: number | null;
  /** Reduction dimension. */
  k: number | null;
  batch: number | null;
  dtype: Dtype | null;
  /** Names of the values that were assumed rather than read from code ("m", "dtype", ...). */
  assumed: string[];
  /** Where assumed values came from: 'annotation' (// tilecast: ...), 'default', or 'code'. */
  source: 'code' | 'annotation' | 'default' | 'mixed';
  /**
   * An attention launch's shape, read from the code (KernelInfo.attention); m, n, k and batch are then
   * its GEMM equivalent (one per batch × head: M = seqQ, N = headDim, K = 2·seqKv; causal: twice the keys a query sees).
   */
  attention?: AttentionShape;
}

/** A fused attention launch: batch × heads, query and key/value sequence lengths, head dimension, causal mask. */
export interface AttentionShape {
  batchHeads: number;
  seqQ: number;
  seqKv: number;
  headDim: number;
  causal: boolean;
  /** Query heads per key/value head (grouped-query or multi-latent attention); absent: 1, each head its own K and V. */
  kvGroup?: number;
  /**
   * The backward pass (KernelInfo.attentionBackward): its products per KV step in all (tutorial 06: 7) and
   * how many of its loops recompute P (2); absent: the forward pass, QKᵀ and P·V with one softmax.
   */
  backward?: { products: number; softmaxPasses: number };
}

export interface LaunchSite {
  kernel: string;
  range: Range;
  /** Folded [x, y, z]; null when any component does not fold. */
  grid: [number, number, number] | null;
  block: [number, number, number] | null;
  gridExpr: FoldedValue | null;
  blockExpr: FoldedValue | null;
  dynamicSharedMemBytes: FoldedValue | null;
  stream: FoldedValue | null;
  /** Template arguments at the launch (`mm<64, 64, 8><<<...>>>`) or Triton meta-parameters given as keywords. */
  templateArgs: FoldedValue[];
  metaParams: Record<string, number | null>;
  numWarps: number | null;
  numStages: number | null;
  /**
   * Triton only: where the meta-parameters that folded the grid, numWarps and numStages came from:
   * the kernel's first autotune config, the launch's keywords, or Triton's defaults (4 warps, 3 stages).
   */
  metaSource?: 'first-config' | 'launch-kwargs' | 'triton-defaults';
  /**
   * Triton only, when the kernel is autotuned: the grid and block under each autotune config, in config
   * order (`grid` and `block` above are the first's); a grid that does not fold is null.
   */
  configLaunches?: Array<{ grid: [number, number, number] | null; block: [number, number, number] | null }>;
  /**
   * Triton only, when the grid folds: the meta-parameters the grid is computed from (doubling one changes
   * the folded grid: `lambda META: (cdiv(M, META['BLOCK_M']),)` follows BLOCK_M; `(cdiv(M, 64),)` none).
   * A tile suggestion must not change a block size the grid does not follow.
   */
  gridFollows?: string[];
  problem: ProblemSize;
  /**
   * CUDA: the launch sits in a branch that does not run at the problem size of the code (`if (M >= 128 &&
   * N >= 128) big<<<...>>>; else small<<<...>>>;` with M and N known): the `if` condition's text and range,
   * and whether it holds. Absent when every enclosing condition is unknown or leads to the launch.
   */
  notTaken?: { condition: string; range: Range; holds: boolean };
  /**
   * CUDA: the tile of C one block computes where the kernel's indexing shows it (a WMMA kernel with one
   * warp per accumulator fragment: its warps along each axis × the fragment's M and N, cuda/warp-tiles.ts;
   * a kernel that moves its output pointer to its block's tile by blockIdx, cuda/block-offsets.ts).
   */
  blockTile?: { m: number; n: number };
}

export interface TileParam {
  name: string;
  value: number | null;
  /** Range of the value's text, which a code action rewrites. */
  valueRange: Range;
  /** Range of the whole definition. */
  range: Range;
  origin:
    | 'define'
    | 'constexpr'
    | 'const'
    | 'enum'
    | 'template-arg'
    | 'launcher-template-arg'
    | 'cutlass-shape'
    | 'triton-config'
    | 'triton-constexpr'
    | 'launch-kwarg';
  /**
   * `launcher-template-arg` only: the templated launcher whose launches it sets (`launch_tiled<16, 32>(...)`
   * sets BM and BN of the launches inside `launch_tiled`).
   */
  within?: Range;
  /**
   * Defined inside a function (a host function's or a kernel's `const`, a Triton kernel parameter's
   * default): the name has this value only there. Absent at file scope.
   */
  local?: boolean;
  /**
   * Set for a constant defined in a header the file includes or a module it imports
   * (FileAnalysis.includedTileParams): the include's or import's name. `range` and `valueRange` are offsets
   * in that text, which a code action edits.
   */
  header?: string;
}

export interface LibraryGemmCall {
  api: string;
  range: Range;
  m: number | null;
  n: number | null;
  k: number | null;
  batch: number | null;
  dtype: Dtype | null;
  transA: boolean | null;
  transB: boolean | null;
  /**
   * Complex data: the real GEMMs of m×n×k one call runs (4 for cublasCgemm/Zgemm and complex Ex calls,
   * 3 for the Gauss 3M variants cublas[CZ]gemm3m); `dtype` is the real type of each part. Absent: real data.
   */
  realGemms?: number;
}

export interface FileAnalysis {
  language: SourceLanguage;
  kernels: KernelInfo[];
  launches: LaunchSite[];
  tileParams: TileParam[];
  libraryCalls: LibraryGemmCall[];
  problems: Problem[];
  /** Kernels the file launches that a header it includes (CUDA) or a module it imports (Triton) defines (KernelInfo.header set); absent when none. */
  includedKernels?: KernelInfo[];
  /**
   * CUDA: tile constants of included headers that the file does not define itself; Triton: the constexpr
   * defaults and config values of the imported kernels it launches (TileParam.header set); absent when none.
   */
  includedTileParams?: TileParam[];
  /** CUDA: the A element type the file's CUTLASS device GEMM names (`using ElementA = cutlass::bfloat16_t`), when it has one. */
  cutlassElementType?: Dtype;
  /** CUDA: the problem size the file gives its CUTLASS device GEMM (`Gemm::Arguments{mode, {M, N, K, L}, ...}`), what folds of it. */
  cutlassProblem?: { m: number | null; n: number | null; k: number | null; batch: number | null };
  /**
   * CUDA: the tile of a CUTLASS 2.x `device::Gemm<ElementA, LayoutA, ..., LayoutC>` that names no shapes:
   * CUTLASS's default configuration (SIMT: threadblock 128×128×8, warp 32×64×8, 2 stages), and the range
   * of its `Gemm<...>` type. Absent when the file names its shapes or has no such Gemm.
   */
  cutlassDefaultTile?: { range: Range; threadblock: [number, number, number]; warp: [number, number, number]; stages: number };
}

export interface AnalysisOptions {
  /** M, N, K, dtype assumed when neither the code nor an annotation fixes them. */
  defaultProblem: { m: number; n: number; k: number; dtype: Dtype };
}

export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = {
  defaultProblem: { m: 4096, n: 4096, k: 4096, dtype: 'fp32' },
};
