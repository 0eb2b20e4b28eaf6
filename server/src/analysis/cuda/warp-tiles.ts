// A WMMA kernel that gives each warp one accumulator-fragment tile of C (cuda-samples'
// cudaTensorCoreGemm `simple_wmma_gemm`): its warp indices, `warpM = (blockIdx.x * blockDim.x +
// threadIdx.x) / warpSize` and `warpN = blockIdx.y * blockDim.y + threadIdx.y`, make a block's tile of C
// (block.x / 32 × fragment M) by (block.y × fragment N) when x runs over M (the names say which axis is
// which). Pure; read from the kernel's text, as launches.ts reads its one-thread-per-element indexing.
import { foldExpr, parseCExpression, type FoldEnv } from '../folding';

/** The C tile one block computes and the grid axis that runs over M (the other one runs over N). */
export interface WarpTiling {
  blockM: number;
  blockN: number;
  axisM: 'x' | 'y';
}

/** `wmma::fragment<wmma::accumulator, M, N, K, T>`: the fragment's M and N arguments. */
const ACCUMULATOR = /\bfragment\s*<\s*(?:nvcuda\s*::\s*)?(?:wmma\s*::\s*)?accumulator\s*,([^,<>]+),([^,<>]+),/;

/** `name = (blockIdx.a * blockDim.a + threadIdx.a) [/ warpSize]`, in the usual orders of the sum and product. */
function warpIndexPattern(axis: 'x' | 'y'): RegExp {
  const product = `(?:blockIdx\\.${axis}\\s*\\*\\s*blockDim\\.${axis}|blockDim\\.${axis}\\s*\\*\\s*blockIdx\\.${axis})`;
  const thread = `threadIdx\\.${axis}`;
  const sum = `(?:${product}\\s*\\+\\s*${thread}|${thread}\\s*\\+\\s*${product})`;
  return new RegExp(`\\b(\\w+)\\s*=\\s*(?:\\(\\s*${sum}\\s*\\)|${sum})\\s*(/\\s*(?:warpSize|32)\\b)?`);
}
const WARP_INDEX = { x: warpIndexPattern('x'), y: warpIndexPattern('y') };

/** Which dimension of C a warp index's name runs over: warpM / warp_row → m, warpN / warpCol → n. */
function roleOf(name: string): 'm' | 'n' | null {
  if (/(?:m|row)$/i.test(name)) return 'm';
  if (/(?:n|col)$/i.test(name)) return 'n';
  return null;
}

/**
 * The tiling of a warp-per-tile WMMA kernel launched with `block`, or null when the kernel does not
 * index its warps that way (at least one axis divided by the warp size, both axes named for M and N).
 */
export function warpPerTile(kernelText: string, block: [number, number, number], env: FoldEnv): WarpTiling | null {
  if (!/\bwarpSize\b|\/\s*32\b/.test(kernelText)) return null;
  const fragment = ACCUMULATOR.exec(kernelText);
  if (!fragment) return null;
  const fold = (expr: string) => foldExpr(parseCExpression(expr.trim(), 0), env, []).value;
  const fragmentM = fold(fragment[1]!);
  const fragmentN = fold(fragment[2]!);
  if (fragmentM === null || fragmentN === null || fragmentM <= 0 || fragmentN <= 0) return null;
  const extent = { m: fragmentM, n: fragmentN };
  const x = WARP_INDEX.x.exec(kernelText);
  const y = WARP_INDEX.y.exec(kernelText);
  if (!x || !y || (!x[2] && !y[2])) return null;
  const roleX = roleOf(x[1]!);
  const roleY = roleOf(y[1]!);
  if (!roleX || !roleY || roleX === roleY) return null;
  // Warps along an axis: its threads in 32s where the index is divided by the warp size, else one per thread.
  const warps = (axis: 0 | 1, divided: boolean) => (divided ? block[axis] / 32 : block[axis]);
  const warpsX = warps(0, !!x[2]);
  const warpsY = warps(1, !!y[2]);
  if (!Number.isInteger(warpsX) || !Number.isInteger(warpsY) || warpsX <= 0 || warpsY <= 0) return null;
  // An undivided x index gives a warp to every thread: not a warp index (a per-element kernel).
  if (!x[2] && block[0] > 1) return null;
  const along = { [roleX]: warpsX * extent[roleX], [roleY]: warpsY * extent[roleY] } as Record<'m' | 'n', number>;
  return { blockM: along.m, blockN: along.n, axisM: roleX === 'm' ? 'x' : 'y' };
}
