// A CUTLASS device-level GEMM (`using Gemm = cutlass::gemm::device::Gemm<..., ThreadblockShape, WarpShape,
// ...>`) has no `__global__` kernel or launch in the user's file, only its GemmShape tile parameters.
// This gives the editor a stand-in kernel and launch for it, anchored on the threadblock GemmShape, so
// its tiles are predicted, shown and rewritten like a launch's (a Gemm that names no shapes: anchored on
// its type, with CUTLASS's default tile, assumed); `defaultLaunch` also stands in for a Triton kernel
// with configs but no launch (reports.ts). Pure; reads the analysis only.
import type { Dtype, FileAnalysis, KernelInfo, LaunchSite, Range, TileParam } from '../analysis/types';
import { CUTLASS_KERNEL_REASON, kernelFamilyOf, tileFieldOf } from '../perf/workload-from-analysis';
import type { TilecastSettings } from './protocol';

const inside = (inner: { start: number; end: number }, outer: { start: number; end: number }): boolean => inner.start >= outer.start && inner.end <= outer.end;

/** Name of the stand-in kernel (what hovers and titles call the device GEMM). */
export const CUTLASS_DEVICE_LABEL = 'CUTLASS device GEMM';

/**
 * The stand-in kernel and launch of the file's CUTLASS device GEMM, or null: when no threadblock
 * GemmShape sits outside kernels (and no Gemm runs the default configuration), when a CUTLASS kernel of
 * the file already uses the shapes, or when there are several threadblock shapes (their constants would
 * mix). `defaultTile`: the tile is CUTLASS's default, not the file's (TILE_FROM_CUTLASS_DEFAULT). The
 * problem size is what the file's Gemm::Arguments give, the rest the defaults (listed as assumed).
 */
export function cutlassDeviceGemm(analysis: FileAnalysis, settings: TilecastSettings): { kernel: KernelInfo; launch: LaunchSite; defaultTile: boolean } | null {
  if (analysis.language !== 'cuda') return null;
  const outside = (p: TileParam) => p.origin === 'cutlass-shape' && !analysis.kernels.some((k) => inside(p.range, k.range));
  const blockM = analysis.tileParams.filter((p) => outside(p) && tileFieldOf(p.name) === 'blockM');
  const defaultTile = blockM.length === 0 ? (analysis.cutlassDefaultTile ?? null) : null;
  if (blockM.length !== 1 && !defaultTile) return null;
  if (analysis.kernels.some((k) => k.kind === 'gemm' && kernelFamilyOf(k, null, analysis.tileParams) === 'cutlass')) return null;
  const anchor = defaultTile ?? blockM[0]!;
  const kernel: KernelInfo = {
    name: CUTLASS_DEVICE_LABEL,
    range: { ...anchor.range },
    nameRange: { ...anchor.range },
    kind: 'gemm',
    kindReason: CUTLASS_KERNEL_REASON,
    parameters: [],
    templateParameters: [],
    launchBounds: null,
    sharedArrays: [],
    staticSharedMemBytes: null,
    dtype: analysis.cutlassElementType ?? null,
    tensorCores: 'none',
    tileLoops: [],
    constexprParams: [],
    configs: [],
  };
  const launch = defaultLaunch(kernel, settings, anchor.range, kernel.dtype ?? settings.defaultDtype);
  // The sizes the file's Gemm::Arguments give, where they fold; the rest stay the defaults (assumed).
  const sizes = analysis.cutlassProblem;
  if (sizes) {
    const p = launch.problem;
    const known = (['m', 'n', 'k'] as const).filter((axis) => sizes[axis] !== null);
    launch.problem = {
      ...p,
      m: sizes.m ?? p.m,
      n: sizes.n ?? p.n,
      k: sizes.k ?? p.k,
      batch: sizes.batch,
      assumed: p.assumed.filter((a) => !(known as readonly string[]).includes(a)),
      source: known.length === 3 ? 'code' : p.source,
    };
  }
  // A Gemm that names no shapes runs CUTLASS's default configuration: its shapes reach the workload as the
  // stand-in launch's named values (the names a GemmShape alias would give them), not as tile parameters,
  // since no text of the file holds them for a tile action to rewrite.
  if (defaultTile) {
    const [bm, bn, bk] = defaultTile.threadblock;
    const [wm, wn, wk] = defaultTile.warp;
    launch.metaParams = {
      'ThreadblockShape.M': bm,
      'ThreadblockShape.N': bn,
      'ThreadblockShape.K': bk,
      'WarpShape.M': wm,
      'WarpShape.N': wn,
      'WarpShape.K': wk,
      NumStages: defaultTile.stages,
    };
  }
  return { kernel, launch, defaultTile: defaultTile !== null };
}

/**
 * A stand-in launch of `kernel` at the default problem size, for a kernel the file never launches (a
 * CUTLASS device GEMM, a Triton kernel with configs only); `dtype` is the kernel's own or a fallback.
 */
export function defaultLaunch(kernel: KernelInfo, settings: TilecastSettings, range: Range, dtype: Dtype | null): LaunchSite {
  const d = settings.defaultProblemSize;
  return {
    kernel: kernel.name,
    range: { ...range },
    grid: null,
    block: null,
    gridExpr: null,
    blockExpr: null,
    dynamicSharedMemBytes: null,
    stream: null,
    templateArgs: [],
    metaParams: {},
    numWarps: null,
    numStages: null,
    problem: { m: d.m, n: d.n, k: d.k, batch: null, dtype, assumed: ['m', 'n', 'k', ...(kernel.dtype ? [] : ['dtype'])], source: 'default' },
  };
}
