// Maps a measured GemmRecord to the GemmWorkload the feature vector and models take, recovering the
// tile configuration from the record's params. Pure mapping; no I/O, never throws.
import type { GemmWorkload, QuantWrapper, TileConfig } from '../perf/types';
import type { GemmRecord } from './record';
import { SOURCE_REPEATED_CALLS } from './timing-overhead';

/** Param names (any source) that carry a tile field, first match wins. */
const TILE_ALIASES: Record<'blockM' | 'blockN' | 'blockK' | 'stages' | 'warps', string[]> = {
  blockM: ['blockM', 'block_m', 'tile_m', 'BLOCK_M', 'BLOCK_SIZE_M', 'MWG'],
  blockN: ['blockN', 'block_n', 'tile_n', 'BLOCK_N', 'BLOCK_SIZE_N', 'NWG'],
  blockK: ['blockK', 'block_k', 'tile_k', 'BLOCK_K', 'BLOCK_SIZE_K', 'KWG'],
  stages: ['stages', 'num_stages', 'numStages'],
  warps: ['warps', 'num_warps', 'numWarps'],
};

function pick(params: Record<string, number>, names: string[]): number | undefined {
  for (const n of names) {
    const v = params[n];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  }
  return undefined;
}

/** Tile of a CLBlast Xgemm configuration: MWG/NWG/KWG block tile, MDIMC×NDIMC threads. */
export function clblastTile(params: Record<string, number>): TileConfig {
  const tile: TileConfig = { native: { ...params } };
  const { MWG, NWG, KWG, MDIMC, NDIMC, VWM } = params;
  if (MWG > 0) tile.blockM = MWG;
  if (NWG > 0) tile.blockN = NWG;
  if (KWG > 0) tile.blockK = KWG;
  if (MDIMC > 0 && NDIMC > 0) {
    tile.threads = MDIMC * NDIMC;
    tile.warps = Math.ceil(tile.threads / 32);
    if (MWG > 0) tile.threadM = MWG / MDIMC;
    if (NWG > 0) tile.threadN = NWG / NDIMC;
  }
  if (VWM > 0) tile.vectorWidth = VWM;
  return tile;
}

/**
 * The framework op an aiconfigurator record timed around its quantised GEMM, from the recorded kernel
 * source (docs/data.md, "aiconfigurator"): SGLang's ops ('sglang', 'sglang_deepgemm_gemm_nt_f8f8bf16',
 * 'sglang_flashinfer_*', ...), TensorRT-LLM's PyTorch flow ('torch_flow') and its plugins ('trt_flow_*').
 * Named kernels (vLLM's kernel classes, TensorRT-LLM's 'deepgemm') and plain GEMMs: undefined.
 */
export function quantWrapperOf(r: Pick<GemmRecord, 'source' | 'quantization' | 'kernelName'>): QuantWrapper | undefined {
  if (r.source !== 'aiconfigurator' || !r.quantization) return undefined;
  const name = r.kernelName ?? '';
  if (name.startsWith('sglang')) return 'sglang';
  if (name.startsWith('torch_flow')) return 'trtllm-torch';
  if (name.startsWith('trt_flow')) return 'trtllm-plugin';
  return undefined;
}

/**
 * The workload of a record. aiconfigurator rows (no params) give a library workload without a tile.
 * NeuSight rows give the tile from the kernel name (params tile_m/tile_n/tile_k, already in our
 * row-major orientation, see parseKernelNameTile) and threads = block.x·y·z. CLBlast configurations
 * map MWG→blockM, NWG→blockN, KWG→blockK, MDIMC·NDIMC→threads, MWG/MDIMC→threadM, NWG/NDIMC→threadN,
 * VWM→vectorWidth, and all 14 tunables as native. A record's own tile (TileCast's harness writes the
 * launch's) is used as is; other params (older profiles) map by common names.
 */
export function recordToWorkload(r: GemmRecord): GemmWorkload {
  const w: GemmWorkload = { m: r.m, n: r.n, k: r.k, batch: r.batch, dtype: r.dtype, kernel: r.kernel };
  // fp8_block, nvfp4, sq, ... run at very different speeds from plain fp8/fp4: the features need it.
  if (r.quantization) w.quantization = r.quantization;
  const wrapper = quantWrapperOf(r);
  if (wrapper) w.quantWrapper = wrapper;
  if (r.grid) w.grid = [...r.grid];
  if (r.block) w.block = [...r.block];
  const hasParams = Object.keys(r.params).length > 0;
  let tile: TileConfig | undefined;
  if (r.sharedMemPerBlockBytes !== undefined) w.sharedMemPerBlockBytes = r.sharedMemPerBlockBytes;
  if (r.usesTensorCores !== undefined) w.usesTensorCores = r.usesTensorCores;
  if (r.tile) tile = { ...r.tile };
  else if (r.kernel === 'clblast-xgemm') tile = clblastTile(r.params);
  else if (hasParams) {
    tile = {};
    for (const key of Object.keys(TILE_ALIASES) as Array<keyof typeof TILE_ALIASES>) {
      const v = pick(r.params, TILE_ALIASES[key]);
      if (v !== undefined) tile[key] = v;
    }
    tile.native = { ...r.params };
  }
  if (r.block) {
    const threads = r.block[0] * r.block[1] * r.block[2];
    tile = tile ?? {};
    tile.threads = threads;
    if (tile.warps === undefined) tile.warps = Math.ceil(threads / 32);
  }
  if (tile && Object.keys(tile).length > 0) w.tile = tile;
  // The harness's buffer rotation: how much of the operands stays in L2 between timed calls.
  const repeated = SOURCE_REPEATED_CALLS[r.source];
  if (repeated) w.repeatedCalls = { ...repeated };
  return w;
}
