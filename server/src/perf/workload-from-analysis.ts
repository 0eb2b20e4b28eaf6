// Turns source-analysis results (a kernel, one of its launches, the file's tile parameters, or a
// library GEMM call) into the GemmWorkload the performance model takes, listing what was assumed.
// Pure mapping over plain data: no I/O, no LSP types, never throws; non-GEMMs give null + a reason.
import type { Dtype, FileAnalysis, KernelInfo, LaunchSite, LibraryGemmCall, TileParam } from '../analysis/types';
import type { GemmWorkload, KernelFamily, TileConfig } from './types';

export interface WorkloadFromAnalysis {
  workload: GemmWorkload | null;
  /** What was assumed rather than read from the code ("dtype", "batch", "blockK from grid", ...). */
  assumed: string[];
  /** Why no workload could be built (non-GEMM kernel, unknown problem size). */
  reason?: string;
}

const withIncluded = new WeakMap<FileAnalysis, TileParam[]>();
/**
 * The tile constants a workload reads: the file's, then those of the headers (or imported modules) it
 * includes that it does not define itself (edits of those go to that file). Every workload, candidate and
 * profiling plan of a document uses this list.
 */
export function workloadTileParams(analysis: FileAnalysis): TileParam[] {
  if (!analysis.includedTileParams) return analysis.tileParams;
  let params = withIncluded.get(analysis);
  if (!params) {
    params = [...analysis.tileParams, ...analysis.includedTileParams];
    withIncluded.set(analysis, params);
  }
  return params;
}

/** The kernel a launch names: defined in the file, or else in a header (imported module) the file includes. */
export function launchedKernel(analysis: FileAnalysis, name: string): KernelInfo | null {
  return analysis.kernels.find((k) => k.name === name) ?? analysis.includedKernels?.find((k) => k.name === name) ?? null;
}

type TileField = 'blockM' | 'blockN' | 'blockK' | 'square' | 'threadM' | 'threadN' | 'warps' | 'stages' | 'splitK' | 'warpM' | 'warpN' | 'warpK';

/**
 * Which tile field a constant's name sets. Names are compared upper-case without underscores and
 * without a `k` prefix (kTileM): BM/BLOCK_M/BLOCK_SIZE_M/TILE_M/MTILE -> blockM (N, K alike),
 * TILE/TILE_SIZE/TILE_WIDTH/TILE_DIM/BLOCK_SIZE -> a square tile, TM/THREAD_M/WPT_M -> threadM,
 * num_warps/NUM_WARPS -> warps, num_stages/STAGES -> stages, SPLIT_K -> splitK. CUTLASS GemmShape
 * arguments (`ThreadblockShape.M`, named by their alias) set blockM/N/K for a threadblock shape and
 * warpM/N/K for a warp shape; an instruction shape sets nothing.
 */
export function tileFieldOf(name: string): TileField | null {
  // Every launch looks up every file-scope constant: memoised by name (a pure function of the string).
  const known = FIELD_CACHE.get(name);
  if (known !== undefined) return known;
  if (FIELD_CACHE.size > 10000) FIELD_CACHE.clear();
  const field = fieldFromName(name);
  FIELD_CACHE.set(name, field);
  return field;
}

const FIELD_CACHE = new Map<string, TileField | null>();

function fieldFromName(name: string): TileField | null {
  const shape = /^(?:.*::)?(\w+)\.([MNK])$/.exec(name);
  if (shape) return cutlassShapeField(shape[1]!, shape[2] as 'M' | 'N' | 'K');
  const base = (name.split(/::|\./).pop() ?? name).replace(/^k(?=[A-Z])/, '');
  const u = base.toUpperCase().replace(/_/g, '');
  const axis = (prefixes: string[]): 'M' | 'N' | 'K' | null => {
    for (const p of prefixes) {
      for (const a of ['M', 'N', 'K'] as const) {
        if (u === `${p}${a}` || u === `${a}${p}`) return a;
      }
    }
    return null;
  };
  if (u === 'SPLITK' || u === 'SPLITKFACTOR') return 'splitK';
  if (u === 'NUMWARPS' || u === 'WARPS' || u === 'NWARPS') return 'warps';
  if (u === 'NUMSTAGES' || u === 'STAGES' || u === 'NSTAGES' || u === 'PIPELINESTAGES') return 'stages';
  const block = axis(['B', 'BLOCK', 'BLOCKSIZE', 'TILE', 'TILESIZE', 'CTA', 'THREADBLOCK']);
  if (block) return `block${block}` as TileField;
  const thread = axis(['T', 'THREAD', 'THREADTILE', 'WPT', 'RT']);
  if (thread === 'M') return 'threadM';
  if (thread === 'N') return 'threadN';
  if (['TILE', 'TILESIZE', 'TILEWIDTH', 'TILEDIM', 'BLOCKSIZE', 'TS', 'BS'].includes(u)) return 'square';
  return null;
}

/**
 * The field a GemmShape argument sets, by the role its alias names (CUTLASS 2.x examples call them
 * ThreadblockShape / ShapeMMAThreadBlock, WarpShape / ShapeMMAWarp, InstructionShape / ShapeMMAOp).
 */
function cutlassShapeField(alias: string, axis: 'M' | 'N' | 'K'): TileField | null {
  const a = alias.toLowerCase();
  if (/instruction|mmaop|op$/.test(a)) return null;
  if (a.includes('warp')) return `warp${axis}`;
  if (/threadblock|cta|block|tile/.test(a)) return `block${axis}`;
  return null;
}

const pos = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const inside = (inner: { start: number; end: number }, outer: { start: number; end: number }): boolean => inner.start >= outer.start && inner.end <= outer.end;
/** Whether `p` is defined inside `kernel`: both in the file, or both in the same included header (their offsets are that text's). */
export const inKernel = (p: TileParam, kernel: KernelInfo): boolean => (p.header ?? null) === (kernel.header?.name ?? null) && inside(p.range, kernel.range);
const pow2Near = (v: number): number => 2 ** Math.round(Math.log2(v));

/** Kernel family from what the analysis saw: Triton, CUTLASS/CuTe, shared-memory tiles, or naive. */
export function kernelFamilyOf(kernel: KernelInfo, launch: LaunchSite | null, tileParams: TileParam[]): KernelFamily {
  const triton = kernel.tensorCores === 'tl-dot' || kernel.configs.length > 0 || kernel.constexprParams.length > 0 || launch?.metaSource !== undefined;
  if (triton) return 'triton';
  const cutlass =
    kernel.tensorCores === 'cute' || kernel.kindReason === CUTLASS_KERNEL_REASON || tileParams.some((p) => p.origin === 'cutlass-shape' && inKernel(p, kernel));
  if (cutlass) return 'cutlass';
  return kernel.sharedArrays.length > 0 ? 'tiled' : 'naive';
}

/** kindReason of a kernel that instantiates CUTLASS's kernel-level GEMM (analysis/cuda/kernels.ts). */
export const CUTLASS_KERNEL_REASON = 'CUTLASS GEMM kernel';

/**
 * Named values visible to this launch, later sources overriding earlier ones. GemmShape arguments
 * count only for CUTLASS kernels: another kernel in the file does not run CUTLASS's tiles.
 */
/** Side of the block assumed for an untiled (one output per thread) kernel whose launch's block does not fold. */
const NAIVE_BLOCK_SIDE = 16;
/** `assumed` entry of such a launch. */
export const NAIVE_BLOCK_ASSUMED = `block ${NAIVE_BLOCK_SIDE}×${NAIVE_BLOCK_SIDE}, one output per thread (the launch's block does not fold)`;
/** `assumed` entry of a workload whose tile the code does not show: the analytic model takes the library heuristic's. */
export const TILE_FROM_HEURISTIC = 'tile (the library heuristic)';
/** `assumed` entry of a fused attention launch: predicted as its GEMM equivalent (GemmWorkload.attention) and its softmax's exponentials. */
export const ATTENTION_AS_GEMM = "attention as one GEMM per head (QKᵀ and P·V) and its softmax's exponentials";
/** The same for a backward kernel: its products per KV block as one GEMM, dO read like Q, P recomputed per softmax pass. */
export const ATTENTION_BACKWARD_AS_GEMM =
  'attention backward as one GEMM per head (its products per KV block), dO read like Q, and P recomputed in each softmax pass';
/** `assumed` entry of a CUTLASS device GEMM that names no shapes: the tile is CUTLASS's default configuration's. */
export const TILE_FROM_CUTLASS_DEFAULT = "tile (CUTLASS's default configuration)";

/** Origins of tile parameters that can be file-scope constants (the others belong to one launch or config). */
const FILE_SCOPE_ORIGINS = new Set<TileParam['origin']>(['define', 'constexpr', 'const', 'enum', 'cutlass-shape', 'triton-constexpr']);

/**
 * A file's tile parameters grouped for namedValues, once per array (a report builds a workload per launch
 * and per autotune config, each of which scanned every parameter of the file: 140,000 checks on the
 * 5,000-line Triton bench file): those that may apply outside their kernel, in file order, and each
 * kernel's own, in file order.
 */
const grouped = new WeakMap<TileParam[], { outside: TileParam[]; inKernel: Map<KernelInfo, TileParam[]> }>();

function groupsOf(tileParams: TileParam[]): { outside: TileParam[]; inKernel: Map<KernelInfo, TileParam[]> } {
  let groups = grouped.get(tileParams);
  if (!groups) {
    const launchOrigins = new Set<TileParam['origin']>(['template-arg', 'launch-kwarg', 'launcher-template-arg']);
    const outside = tileParams.filter((p) => (!p.local && FILE_SCOPE_ORIGINS.has(p.origin)) || (p.header === undefined && launchOrigins.has(p.origin)));
    groups = { outside, inKernel: new Map() };
    grouped.set(tileParams, groups);
  }
  return groups;
}

function namedValues(kernel: KernelInfo, launch: LaunchSite, tileParams: TileParam[], cutlass: boolean): Map<string, number> {
  const values = new Map<string, number>();
  const visible = (p: TileParam) => pos(p.value) && (cutlass || p.origin !== 'cutlass-shape');
  // File-scope definitions and this launch's own arguments first, then those inside the kernel (they
  // shadow). Another function's local constant, another launch's template or keyword argument and another
  // kernel's config are not the kernel's (siboehm's runner.cu: a host function's `const uint BM = 128`
  // gave a naive kernel launched elsewhere 128-wide tiles).
  const own = (p: TileParam) =>
    p.header === undefined &&
    (((p.origin === 'template-arg' || p.origin === 'launch-kwarg') && inside(p.range, launch.range)) ||
      (p.origin === 'launcher-template-arg' && !!p.within && inside(launch.range, p.within)));
  const outside = (p: TileParam) => (!p.local && FILE_SCOPE_ORIGINS.has(p.origin)) || own(p);
  const groups = groupsOf(tileParams);
  for (const p of groups.outside) if (visible(p) && !inKernel(p, kernel) && outside(p)) values.set(p.name, p.value!);
  let kernelParams = groups.inKernel.get(kernel);
  if (!kernelParams) groups.inKernel.set(kernel, (kernelParams = tileParams.filter((p) => inKernel(p, kernel))));
  for (const p of kernelParams) if (visible(p)) values.set(p.name, p.value!);
  const config = kernel.configs[0];
  if (config) {
    for (const [name, value] of Object.entries(config.params)) if (pos(value)) values.set(name, value);
    if (pos(config.numWarps)) values.set('num_warps', config.numWarps);
    if (pos(config.numStages)) values.set('num_stages', config.numStages);
  }
  // Template arguments at the launch bind the kernel's template parameters by position.
  launch.templateArgs.forEach((arg, i) => {
    const name = kernel.templateParameters[i];
    if (name && pos(arg.value)) values.set(name, arg.value);
  });
  for (const [name, value] of Object.entries(launch.metaParams ?? {})) if (pos(value)) values.set(name, value);
  if (pos(launch.numWarps)) values.set('num_warps', launch.numWarps);
  if (pos(launch.numStages)) values.set('num_stages', launch.numStages);
  return values;
}

/**
 * The workload of one kernel launch. Problem size from launch.problem (its `assumed` list carried
 * over); tile from named constants (BM/BN/BK, TILE, TM/TN, Triton BLOCK_SIZE_M/N/K, num_warps,
 * num_stages from the launch or the first autotune config); else inferred from the launch grid
 * (BN ≈ n / grid.x, BM ≈ m / grid.y, rounded to a power of two) or, for naive kernels, the block.
 */
export function workloadFromLaunch(kernel: KernelInfo, launch: LaunchSite, tileParams: TileParam[]): WorkloadFromAnalysis {
  const assumed: string[] = [];
  if (!kernel || kernel.kind !== 'gemm') {
    return { workload: null, assumed, reason: `${kernel?.name ?? 'kernel'} is not a GEMM${kernel?.kindReason ? ` (${kernel.kindReason})` : ''}` };
  }
  const p = launch?.problem;
  if (!p || !pos(p.m) || !pos(p.n) || !pos(p.k)) {
    return { workload: null, assumed, reason: 'problem size (m, n, k) unknown: add a `// tilecast: m=... n=... k=...` annotation' };
  }
  assumed.push(...(p.assumed ?? []));
  const batch = pos(p.batch) ? p.batch : 1;
  if (!pos(p.batch) && !assumed.includes('batch')) assumed.push('batch');
  let dtype: Dtype = 'fp32';
  if (p.dtype) dtype = p.dtype;
  else if (kernel.dtype) dtype = kernel.dtype;
  else if (!assumed.includes('dtype')) assumed.push('dtype');

  const params = tileParams ?? [];
  const kernelFamily = kernelFamilyOf(kernel, launch, params);
  const named = namedValues(kernel, launch, params, kernelFamily === 'cutlass');
  const tile: TileConfig = {};
  let square: number | undefined;
  for (const [name, value] of named) {
    const field = tileFieldOf(name);
    if (field === null) continue;
    if (field === 'square') square = square ?? value;
    else if (field === 'splitK' || field === 'warpM' || field === 'warpN' || field === 'warpK') tile.native = { ...(tile.native ?? {}), [field]: value };
    else tile[field] = value;
  }
  if (square !== undefined) {
    tile.blockM = tile.blockM ?? square;
    tile.blockN = tile.blockN ?? square;
    tile.blockK = tile.blockK ?? square;
  }
  const block = launch.block;
  const threads = block ? block[0] * block[1] * block[2] : undefined;
  if (kernelFamily === 'triton') {
    if (!pos(tile.warps)) {
      tile.warps = 4;
      assumed.push('num_warps (Triton default 4)');
    }
    if (!pos(tile.stages)) {
      tile.stages = 3;
      assumed.push('num_stages (Triton default 3)');
    }
    tile.threads = tile.warps * 32;
  } else if (pos(threads)) {
    tile.threads = threads;
    tile.warps = Math.ceil(threads / 32);
  } else if (kernelFamily === 'cutlass') {
    // CUTLASS runs one warp per warp tile of the threadblock tile: WarpCount = ThreadblockShape / WarpShape
    // (cutlass/gemm/kernel/gemm.h: kThreadCount = 32 * WarpCount::kCount). A shape that does not divide
    // gives a fractional count, which tile candidates reject.
    const w = tile.native ?? {};
    if (pos(tile.blockM) && pos(tile.blockN) && pos(w.warpM) && pos(w.warpN)) {
      const warps = (tile.blockM / w.warpM) * (tile.blockN / w.warpN) * (pos(tile.blockK) && pos(w.warpK) ? tile.blockK / w.warpK : 1);
      tile.warps = warps;
      tile.threads = warps * 32;
    }
  }
  const grid = launch.grid;
  // The block's tile of C as the kernel's indexing shows it (one warp per WMMA fragment): read from code.
  if (launch.blockTile && !pos(tile.blockM) && !pos(tile.blockN)) {
    tile.blockM = launch.blockTile.m;
    tile.blockN = launch.blockTile.n;
  }
  if (kernelFamily === 'naive' && kernel.tensorCores === 'none' && !pos(tile.blockM)) {
    // One output per thread: the block covers block.y rows and block.x columns of C. A block that does
    // not fold is taken as 16×16, the usual one, not a library's 128×128 tile (five times too fast).
    const [x, y] = block ?? [NAIVE_BLOCK_SIDE, NAIVE_BLOCK_SIDE];
    if (!block) {
      assumed.push(NAIVE_BLOCK_ASSUMED);
      tile.threads = x * y;
      tile.warps = Math.ceil((x * y) / 32);
    }
    tile.blockM = y;
    tile.blockN = x;
    tile.blockK = 1;
    tile.threadM = 1;
    tile.threadN = 1;
  } else if (kernelFamily === 'triton' && grid && grid[1] === 1 && !pos(tile.blockM) && !pos(tile.blockN) && grid[0] > 0) {
    // Triton's usual 1-D grid is cdiv(M, BM) * cdiv(N, BN) programs: its size gives the tile's area, not
    // its sides (grid.x is not N / BN here). Taken square.
    const side = pow2Near(Math.sqrt((p.m * p.n) / grid[0]));
    tile.blockM = side;
    tile.blockN = side;
    assumed.push('blockM, blockN square from the grid size');
  } else if (grid && (!pos(tile.blockM) || !pos(tile.blockN))) {
    if (!pos(tile.blockN) && grid[0] > 0) {
      tile.blockN = pow2Near(p.n / grid[0]);
      assumed.push('blockN from grid.x');
    }
    if (!pos(tile.blockM) && grid[1] > 0) {
      tile.blockM = pow2Near(p.m / grid[1]);
      assumed.push('blockM from grid.y');
    }
  }
  // Fused attention: the program's output tile is BLOCK_M × head_dim, and its KV block (BLOCK_N) is the
  // step along K of the equivalent GEMM (its queries × keys, then × values).
  const attention = p.attention && kernel.attention ? p.attention : null;
  if (attention) {
    if (pos(tile.blockN)) tile.blockK = tile.blockN;
    tile.blockN = attention.headDim;
    assumed.push(attention.backward ? ATTENTION_BACKWARD_AS_GEMM : ATTENTION_AS_GEMM);
  }
  if (!pos(tile.blockK) && pos(kernel.tileLoops[0]?.stride?.value ?? null)) tile.blockK = kernel.tileLoops[0].stride!.value!;
  if (pos(tile.blockM) && pos(tile.blockN) && !pos(tile.blockK)) assumed.push('blockK');
  // No tile in the code (Triton's `**config`, a run-time dict): the analytic model takes the library
  // heuristic's, and the user must be told the prediction is for a tile they did not write.
  else if (!pos(tile.blockM) || !pos(tile.blockN)) assumed.push(TILE_FROM_HEURISTIC);

  const workload: GemmWorkload = { m: p.m, n: p.n, k: p.k, batch, dtype, kernel: kernelFamily };
  if (attention) workload.attention = { ...attention };
  if (Object.keys(tile).length > 0) workload.tile = tile;
  if (grid) workload.grid = [...grid];
  if (kernel.persistent && grid) workload.programs = grid[0] * grid[1] * grid[2];
  if (block) workload.block = [...block];
  const dynamicSmem = launch.dynamicSharedMemBytes?.value;
  // A CUTLASS kernel's shared storage is dynamic, sized by its tile and stages: unless the launch's size
  // folds, the analytic model computes it from the tile (the total here would be a mere 0).
  const unknownDynamic = kernelFamily === 'cutlass' && kernel.sharedArrays.some((a) => a.dynamic) && !pos(dynamicSmem);
  if (kernel.staticSharedMemBytes !== null && kernelFamily !== 'triton' && !unknownDynamic) {
    workload.sharedMemPerBlockBytes = kernel.staticSharedMemBytes + (pos(dynamicSmem) ? dynamicSmem : 0);
  }
  if (kernel.tensorCores === 'wmma' || kernel.tensorCores === 'mma-ptx' || kernel.tensorCores === 'cute') workload.usesTensorCores = true;
  else if (kernelFamily === 'tiled' || kernelFamily === 'naive') workload.usesTensorCores = false;
  // The Triton analysis reads tl.dot's default precision on fp32 data as tf32 (triton/problem-size.ts), so
  // an fp32 it found in the code is `input_precision="ieee"` / `allow_tf32=False`: the FMA units, not the
  // tensor cores defaultUsesTensorCores gives Triton fp32 rows of a batch (which mean the default).
  else if (kernelFamily === 'triton' && dtype === 'fp32' && !assumed.includes('dtype')) workload.usesTensorCores = false;
  return { workload, assumed };
}

/**
 * The workload of a cuBLAS/cuBLASLt-style library call: kernel 'library', tile left to the library
 * heuristic. Unfolded sizes take `defaults` when given (and are listed as assumed), else null.
 */
export function workloadFromLibraryCall(call: LibraryGemmCall, defaults?: { m: number; n: number; k: number; dtype: Dtype }): WorkloadFromAnalysis {
  const assumed: string[] = [];
  const size = (key: 'm' | 'n' | 'k'): number | null => {
    const v = call?.[key];
    if (pos(v)) return v;
    if (defaults && pos(defaults[key])) {
      assumed.push(key);
      return defaults[key];
    }
    return null;
  };
  const m = size('m'),
    n = size('n'),
    k = size('k');
  if (m === null || n === null || k === null) {
    return { workload: null, assumed, reason: `${call?.api ?? 'library call'}: problem size (m, n, k) unknown` };
  }
  let dtype: Dtype = defaults?.dtype ?? 'fp32';
  if (call.dtype) dtype = call.dtype;
  else assumed.push('dtype');
  let batch = pos(call.batch) ? call.batch : 1;
  // A complex GEMM runs as that many real ones (LibraryGemmCall.realGemms): their FLOPs, as a batch. The
  // operands' traffic is over-counted (each part read once per product it takes part in).
  if (pos(call.realGemms) && call.realGemms > 1) {
    batch *= call.realGemms;
    assumed.push(`complex: ${call.realGemms} real GEMMs a call`);
  }
  return { workload: { m, n, k, batch, dtype, kernel: 'library' }, assumed };
}
