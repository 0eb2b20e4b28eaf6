// Turns NeuSight (ASPLOS'25) SGEMM latency CSV text into GemmRecords, mapping their B/M/N/K to our
// m/n/k (their N is the reduction). Text in, records and issues out; no I/O, never throws on bad rows.
import type { GemmRecord, ParseIssue, ParseResult } from './record';
import { parseCsv } from './csv';
import { resolveGpuId, type GpuResolver } from './gpu-id';

/** Tile and layout read from a cuBLAS / CUTLASS kernel name, in OUR row-major orientation. */
export interface KernelNameTile {
  /** Tile along our m (rows of C). */
  tileM: number;
  /** Tile along our n (columns of C). */
  tileN: number;
  tileK?: number;
  stages?: number;
  /** Warps per block from `warpsize AxBxC` (xmma) names. */
  warps?: number;
  /** `sliced1x4` kernels split K across 4 warps of a block. */
  slices?: number;
}

/**
 * Reads the tile from a kernel name. cuBLAS names tiles column-major (`ampere_sgemm_128x64_tn`: 128
 * along cuBLAS's m), and PyTorch's row-major GEMM calls cuBLAS with the operands swapped, so cuBLAS's
 * m is our n: the first number tiles our n, the second our m. Checked on the NeuSight data: for the
 * `*_sgemm_AxB_*` kernels grid.x = ceil(n/A) and grid.y = ceil(m/B) on all ~137k rows. xmma and
 * CUTLASS names (`tilesize128x64x8`, `cutlass_80_simt_sgemm_256x128_8x4`) follow the same convention.
 * Returns null when no tile is recognisable.
 */
export function parseKernelNameTile(kernelName: string): KernelNameTile | null {
  let m: RegExpMatchArray | null;
  // sm80_xmma_gemm_..._tilesize128x128x8_stage3_warpsize2x2x1_...
  if ((m = kernelName.match(/tilesize(\d+)x(\d+)x(\d+)/))) {
    const out: KernelNameTile = { tileN: Number(m[1]), tileM: Number(m[2]), tileK: Number(m[3]) };
    const st = kernelName.match(/stage(\d+)/);
    if (st) out.stages = Number(st[1]);
    const wz = kernelName.match(/warpsize(\d+)x(\d+)x(\d+)/);
    if (wz) out.warps = Number(wz[1]) * Number(wz[2]) * Number(wz[3]);
    return out;
  }
  // cutlass_80_simt_sgemm_256x128_8x4_nn_align1: 256x128 tile, K tile 8, 4 stages
  if ((m = kernelName.match(/cutlass_\d+_\w*?gemm_(\d+)x(\d+)_(\d+)x(\d+)_/))) {
    return { tileN: Number(m[1]), tileM: Number(m[2]), tileK: Number(m[3]), stages: Number(m[4]) };
  }
  // ampere_sgemm_128x64_tn, volta_sgemm_32x32_sliced1x4_nn, maxwell_sgemm_128x64_nn
  if ((m = kernelName.match(/[a-z]+_[a-z0-9]*gemm_(\d+)x(\d+)(?:_sliced(\d+)x(\d+))?_[nt][nt]\b/))) {
    const out: KernelNameTile = { tileN: Number(m[1]), tileM: Number(m[2]) };
    if (m[3] !== undefined) out.slices = Number(m[3]) * Number(m[4]);
    return out;
  }
  // sgemm_128x128x8_NT_vec, sgemm_32x32x32_NN (CUTLASS-style names, also column-major)
  if ((m = kernelName.match(/gemm_(\d+)x(\d+)x(\d+)/))) {
    return { tileN: Number(m[1]), tileM: Number(m[2]), tileK: Number(m[3]) };
  }
  return null;
}

/** Operand layout letters (`_tn`, `_NT_`) as cuBLAS spells them, or null. */
export function parseKernelNameLayout(kernelName: string): string | null {
  const m = kernelName.match(/_([nt][nt])(?:_|\b)/i);
  return m ? m[1].toLowerCase() : null;
}

/** Splits NeuSight's `Kernels` column (";k1;k2") into kernel names. */
export function splitKernelList(kernels: string): string[] {
  return kernels
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const REQUIRED = ['OPName', 'Latency', 'Device', 'Kernel Name', 'B', 'M', 'N', 'K'] as const;

export interface NeusightOptions {
  resolveGpu?: GpuResolver;
  /** NeuSight's own folder the file came from. */
  split?: 'train' | 'test';
}

function int(s: string | undefined): number {
  if (s === undefined || s.trim() === '') return NaN;
  return Number(s);
}

/**
 * Parses one NeuSight CSV. Mapping (their columns -> ours):
 * - bmm = torch.bmm(randn(B,M,N), randn(B,N,K)): m = M, k = N (reduction), n = K, batch = B.
 * - linear = nn.Linear(N,K) on a (B,M,N) input: one GEMM with m = B·M rows, k = N, n = K, batch 1.
 * Latency is ms, fp32 (TF32 off). params: tile_m, tile_n, tile_k?, stages?, warps?, slices?,
 * kernel_count (kernels launched by the call), split_k (1 when a cuBLAS split-K reduce kernel ran),
 * trans_a/trans_b (cuBLAS layout letters). Grid and block are those of the main kernel.
 */
export function parseNeusightCsv(text: string, sourceFile: string, options: NeusightOptions = {}): ParseResult {
  const resolve = options.resolveGpu ?? resolveGpuId;
  const records: GemmRecord[] = [];
  const issues: ParseIssue[] = [];
  const table = parseCsv(text);
  const col = new Map(table.header.map((h, i) => [h, i]));
  const missing = REQUIRED.filter((h) => !col.has(h));
  if (missing.length > 0) {
    issues.push({ sourceFile, where: 1, reason: `missing columns: ${missing.join(', ')}` });
    return { records, issues };
  }
  const get = (cells: string[], name: string): string | undefined => {
    const i = col.get(name);
    return i === undefined ? undefined : cells[i];
  };
  const gpuCache = new Map<string, string>();
  for (const { line, cells } of table.rows) {
    if (cells.length !== table.header.length) {
      issues.push({ sourceFile, where: line, reason: `expected ${table.header.length} cells, got ${cells.length}` });
      continue;
    }
    const op = (get(cells, 'OPName') ?? '').trim();
    const B = int(get(cells, 'B'));
    const M = int(get(cells, 'M'));
    const N = int(get(cells, 'N'));
    const K = int(get(cells, 'K'));
    let m: number, n: number, k: number, batch: number;
    if (op === 'bmm') {
      m = M;
      n = K;
      k = N;
      batch = B;
    } else if (op === 'linear') {
      m = B * M;
      n = K;
      k = N;
      batch = 1;
    } else {
      issues.push({ sourceFile, where: line, reason: `unknown OPName ${JSON.stringify(op)}` });
      continue;
    }
    const device = (get(cells, 'Device') ?? '').trim();
    let gpu = gpuCache.get(device);
    if (gpu === undefined) {
      gpu = resolve(device) ?? '';
      gpuCache.set(device, gpu);
    }
    const kernelName = (get(cells, 'Kernel Name') ?? '').trim();
    const params: Record<string, number> = {};
    const tile = parseKernelNameTile(kernelName);
    if (tile) {
      params.tile_m = tile.tileM;
      params.tile_n = tile.tileN;
      if (tile.tileK !== undefined) params.tile_k = tile.tileK;
      if (tile.stages !== undefined) params.stages = tile.stages;
      if (tile.warps !== undefined) params.warps = tile.warps;
      if (tile.slices !== undefined) params.slices = tile.slices;
    }
    const layout = parseKernelNameLayout(kernelName);
    if (layout) {
      params.trans_a = layout[0] === 't' ? 1 : 0;
      params.trans_b = layout[1] === 't' ? 1 : 0;
    }
    const kernels = splitKernelList(get(cells, 'Kernels') ?? '');
    params.kernel_count = Math.max(1, kernels.length);
    params.split_k = kernels.some((s) => /splitk/i.test(s)) ? 1 : 0;
    const record: GemmRecord = {
      gpu,
      gpuName: device,
      dtype: 'fp32',
      m,
      n,
      k,
      batch,
      kernel: 'library',
      params,
      runtimeMs: Number(get(cells, 'Latency')),
      source: 'neusight',
      sourceFile,
      condition: 'plain',
      op,
    };
    if (kernelName !== '') record.kernelName = kernelName;
    const grid = [int(get(cells, 'Grid x')), int(get(cells, 'Grid y')), int(get(cells, 'Grid z'))];
    if (grid.every((v) => Number.isInteger(v) && v > 0)) record.grid = grid as [number, number, number];
    const block = [int(get(cells, 'Block x')), int(get(cells, 'Block y')), int(get(cells, 'Block z'))];
    if (block.every((v) => Number.isInteger(v) && v > 0)) record.block = block as [number, number, number];
    const torch = get(cells, 'Torch Version');
    if (torch) {
      record.framework = 'PyTorch';
      record.frameworkVersion = torch.replace(/^p/, '');
    }
    if (options.split) record.split = options.split;
    records.push(record);
  }
  return { records, issues };
}
