// The rule that decides which named constants plausibly set a tile or block size, so hovers and
// code actions offer them. Pure string tests; it must not look at values or the tree.

/** Whole names that are tile sizes by convention (BM/BN/BK block tile, TM/TN thread tile, WM/WN warp tile). */
const TILE_NAMES = /^(BM|BN|BK|TM|TN|TK|WM|WN|WK|MT|NT|KT|TS|BS|TB)$/;

/** Words that mark a tile/launch-shape constant when they appear anywhere in the name. */
const TILE_WORDS = new Set([
  'TILE',
  'TILES',
  'BLOCK',
  'BLOCKS',
  'WARP',
  'WARPS',
  'THREAD',
  'THREADS',
  'NTHREADS',
  'WMMA',
  'MMA',
  'BLOCKSIZE',
  'TILESIZE',
  'TILEDIM',
  'BLOCKDIM',
  'WARPSIZE',
  // Pipeline stages of a multistage kernel (CUTLASS `NumStages`, `kStages`): the shared memory they stage scales with them.
  'STAGES',
]);

/** Words that mark a problem or data size rather than a tile (`MATRIX_SIZE`, `BATCH_SIZE`). */
const NON_TILE_WORDS = new Set([
  'MATRIX',
  'PROBLEM',
  'ARRAY',
  'DATA',
  'INPUT',
  'OUTPUT',
  'VEC',
  'VECTOR',
  'BUFFER',
  'BATCH',
  'WORKSPACE',
  'SEQ',
  'HIDDEN',
  'VOCAB',
  'NUM_ELEMENTS',
]);

/** Splits `BLOCK_SIZE_M`, `blockSizeM`, `kTileM` into upper-case words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[_\W]+/)
    .filter(Boolean)
    .map((word) => word.toUpperCase());
}

/**
 * True when `name` looks like a tile/block/warp size: TILE, TILE_SIZE, BLOCK_M, BM/BN/BK, TM/TN,
 * WARP_SIZE, THREADS, WMMA_M, kTileM, *_SIZE (except problem sizes such as MATRIX_SIZE).
 * Single letters M, N, K alone are problem sizes, not tiles.
 */
export function isTileName(name: string): boolean {
  const base = name.split(/::|\./).pop() ?? name;
  if (/^[MNK]$/.test(base)) return false;
  const stripped = base.replace(/^k(?=[A-Z])/, '');
  if (TILE_NAMES.test(stripped.toUpperCase()) && stripped.length <= 3 && stripped === stripped.toUpperCase()) return true;
  const words = nameWords(stripped);
  if (words.some((word) => NON_TILE_WORDS.has(word))) return false;
  if (words.some((word) => TILE_WORDS.has(word))) return true;
  return words.length > 1 && words[words.length - 1] === 'SIZE';
}
