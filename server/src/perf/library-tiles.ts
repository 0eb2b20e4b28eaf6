// Picks the tile a vendor library (cuBLAS/cuBLASLt, CUTLASS-like heuristics) typically launches for a
// GEMM shape on a GPU generation, so the analytic model has a tile when the source names none.
// A documented heuristic, not cuBLAS's real selection; plain functions, no I/O, never throws.
import type { Dtype, TileConfig } from './types';
import { computeCapabilityNumber, dtypeBytes } from './dtype';

export interface LibraryTileChoice {
  tile: TileConfig;
  /** Number of K slices (split-K); 1 when the K loop is not split. */
  splitK: number;
  /** Name in the style of the library's kernels, marked as a heuristic. */
  kernelName: string;
  reason: string;
}

/** The GPU facts the heuristic needs: SM count and compute capability ("9.0"). */
export interface LibraryTileGpu {
  smCount: number;
  computeCapability: string;
}

interface Candidate {
  bm: number;
  bn: number;
  bk: number;
  threads: number;
  stages: number;
  tm: number;
  tn: number;
}

const cdiv = (a: number, b: number): number => Math.ceil(a / b);

/**
 * fp32 SIMT SGEMM tiles, grounded in the `Kernel Name` column of NeuSight's measurements
 * (/work/shared/datasets/neusight, cuBLAS in PyTorch 2.1 / CUDA 12.1, TF32 off):
 * - Maxwell/Pascal (cc 5.x/6.x): `maxwell_sgemm_128x64` (128 threads) for ~all batched GEMMs,
 *   `maxwell_sgemm_64x64` (64 threads) and `32x128` (256 threads) for mid-sized linear layers.
 * - Volta/Turing (cc 7.x): `volta_sgemm_128x128` (256 threads) for the largest outputs,
 *   `128x64` (128 threads) mid, `64x64` (64 threads) small; `32x32_sliced1x4` (128 threads) for
 *   small outputs with a long K.
 * - Ampere/Ada (cc 8.x): `ampere_sgemm_128x128` for batched GEMMs, `128x64` for large linear,
 *   `128x32` (256 threads) mid, `32x32_sliced1x4` for small outputs with a long K.
 * - Hopper (cc 9.x): `sm80_xmma_gemm_f32f32_..._tilesize128x128x8_stage3` (128 threads), `64x64x8`.
 * Thread tiles follow from tile / threads (e.g. 128x128 over 256 threads = 8x8 per thread).
 */
function sgemmCandidates(cc: number): Candidate[] {
  if (cc >= 9) {
    return [
      { bm: 128, bn: 128, bk: 8, threads: 128, stages: 3, tm: 16, tn: 8 },
      { bm: 128, bn: 64, bk: 8, threads: 128, stages: 3, tm: 8, tn: 8 },
      { bm: 64, bn: 64, bk: 8, threads: 128, stages: 3, tm: 8, tn: 4 },
    ];
  }
  if (cc >= 7) {
    return [
      { bm: 128, bn: 128, bk: 8, threads: 256, stages: 2, tm: 8, tn: 8 },
      { bm: 128, bn: 64, bk: 8, threads: 128, stages: 2, tm: 8, tn: 8 },
      { bm: 64, bn: 64, bk: 8, threads: 64, stages: 2, tm: 8, tn: 8 },
    ];
  }
  return [
    { bm: 128, bn: 64, bk: 8, threads: 128, stages: 2, tm: 8, tn: 8 },
    { bm: 64, bn: 64, bk: 8, threads: 64, stages: 2, tm: 8, tn: 8 },
  ];
}

/**
 * Tensor-core tiles per generation, from CUTLASS's default/profiled configurations and cuBLASLt
 * kernel names (sm80 `128x256x32_stage3`, sm90 warp-specialised `128x256x64` with a producer warp
 * group, sm100 `256x128x64` over a 2-SM pair = 128x256 per SM). BK is for 2-byte inputs and scales
 * by 2/bytes (tf32 halves it, fp8 doubles it, fp4 quadruples it) so a stage holds the same bytes.
 */
function tensorCandidates(cc: number): Candidate[] {
  if (cc >= 12) {
    // consumer/workstation Blackwell: ~100 KB shared memory per SM
    return [
      { bm: 128, bn: 128, bk: 64, threads: 256, stages: 3, tm: 16, tn: 4 },
      { bm: 64, bn: 128, bk: 64, threads: 128, stages: 4, tm: 16, tn: 4 },
      { bm: 64, bn: 64, bk: 64, threads: 128, stages: 4, tm: 8, tn: 4 },
    ];
  }
  if (cc >= 10) {
    // datacenter Blackwell (tcgen05, tensor memory accumulators)
    return [
      { bm: 128, bn: 256, bk: 64, threads: 256, stages: 4, tm: 32, tn: 4 },
      { bm: 128, bn: 128, bk: 64, threads: 256, stages: 6, tm: 16, tn: 4 },
      { bm: 64, bn: 128, bk: 64, threads: 128, stages: 8, tm: 16, tn: 4 },
      { bm: 64, bn: 64, bk: 64, threads: 128, stages: 8, tm: 8, tn: 4 },
    ];
  }
  if (cc >= 9) {
    // Hopper wgmma, warp-specialised (consumer warp groups + 1 producer)
    return [
      { bm: 128, bn: 256, bk: 64, threads: 384, stages: 4, tm: 32, tn: 4 },
      { bm: 128, bn: 128, bk: 64, threads: 256, stages: 5, tm: 16, tn: 4 },
      { bm: 64, bn: 128, bk: 64, threads: 256, stages: 6, tm: 16, tn: 2 },
      { bm: 64, bn: 64, bk: 64, threads: 256, stages: 8, tm: 8, tn: 2 },
    ];
  }
  if (cc >= 8) {
    // Ampere/Ada mma.sync + cp.async multistage
    return [
      { bm: 128, bn: 256, bk: 32, threads: 256, stages: 3, tm: 16, tn: 8 },
      { bm: 128, bn: 128, bk: 32, threads: 128, stages: 4, tm: 16, tn: 8 },
      { bm: 64, bn: 128, bk: 32, threads: 128, stages: 4, tm: 8, tn: 8 },
      { bm: 64, bn: 64, bk: 32, threads: 128, stages: 5, tm: 8, tn: 4 },
    ];
  }
  // Volta/Turing mma (cc 7.x), two-stage shared-memory pipeline.
  return [
    { bm: 128, bn: 128, bk: 32, threads: 256, stages: 2, tm: 8, tn: 8 },
    { bm: 64, bn: 64, bk: 32, threads: 128, stages: 2, tm: 8, tn: 4 },
  ];
}

function toTile(c: Candidate): TileConfig {
  return {
    blockM: c.bm,
    blockN: c.bn,
    blockK: c.bk,
    threads: c.threads,
    warps: c.threads / 32,
    stages: c.stages,
    threadM: c.tm,
    threadN: c.tn,
    vectorWidth: 4,
  };
}

/**
 * Choose the library tile for C[m,n] += A[m,k]·B[k,n] (`batch` times) in `dtype` on `gpu`.
 * Rule (documented in docs/performance-model.md): take the largest candidate of the generation
 * whose tile count batch·⌈m/BM⌉·⌈n/BN⌉ fills at least one wave of SMs; when none does take the
 * smallest (BM = 64 candidates only when m ≤ 64, where larger BM would mostly compute padding;
 * for m ≤ 32 on cc ≥ 8 a swap-AB 16- or 32-row tile with BK = 128, as decode GEMM kernels use).
 * When even that leaves under half the SMs busy and K is long, split K into
 * min(2^⌊log2(SMs/tiles)⌋, ⌊K/(4·BK)⌋, 32) slices (cuBLASLt/CUTLASS split-K / stream-K behaviour).
 * fp32 without tensor cores uses the SGEMM tiles NeuSight's kernel names show, plus the
 * 32x32 "sliced1x4" kernel (K split across 4 warps inside a block) for small outputs with long K.
 */
export function chooseLibraryTile(
  m: number,
  n: number,
  k: number,
  batch: number,
  dtype: Dtype,
  gpu: LibraryTileGpu,
  usesTensorCores: boolean,
): LibraryTileChoice {
  const cc = computeCapabilityNumber(gpu.computeCapability);
  const sms = Number.isFinite(gpu.smCount) && gpu.smCount > 0 ? gpu.smCount : 80;
  const M = Math.max(1, Number.isFinite(m) ? m : 1);
  const N = Math.max(1, Number.isFinite(n) ? n : 1);
  const K = Math.max(1, Number.isFinite(k) ? k : 1);
  const B = Math.max(1, Number.isFinite(batch) ? batch : 1);
  const tensor = usesTensorCores && dtype !== 'fp64' && !(cc < 7);
  const arch = Number.isFinite(cc) ? `sm${Math.round(cc * 10)}` : 'sm?';
  const tilesOf = (c: Candidate): number => B * cdiv(M, c.bm) * cdiv(N, c.bn);

  if (!tensor) {
    const list = sgemmCandidates(Number.isFinite(cc) ? cc : 8);
    // Small output, long K: cuBLAS's sliced1x4 kernels (32x32 tile, K split over 4 warps).
    const smallest = list[list.length - 1];
    if (cc >= 7 && tilesOf(smallest) < sms / 2 && K >= 1024) {
      const c: Candidate = { bm: 32, bn: 32, bk: 8, threads: 128, stages: 2, tm: 4, tn: 2 };
      return {
        tile: toTile(c),
        splitK: 1,
        kernelName: `${arch}_sgemm_32x32_sliced1x4 (heuristic)`,
        reason: `${tilesOf(smallest)} tiles of 64x64 fill under half of ${sms} SMs and K=${K} is long: sliced 32x32 SGEMM`,
      };
    }
    // Batched SGEMMs on Ampere+ stay on the largest tile (NeuSight A100 bmm: 128x128 for ~all shapes).
    const pick = cc >= 8 && cc < 9 && B > 1 ? list[0] : (list.find((c) => tilesOf(c) >= sms) ?? smallest);
    return {
      tile: toTile(pick),
      splitK: 1,
      kernelName: `${arch}_sgemm_${pick.bm}x${pick.bn} (heuristic)`,
      reason: `fp32 SIMT SGEMM: ${pick.bm}x${pick.bn} gives ${tilesOf(pick)} tiles on ${sms} SMs`,
    };
  }

  const bytes = dtypeBytes(dtype);
  const scaleK = Number.isFinite(bytes) && bytes > 0 ? 2 / bytes : 1;
  let list = tensorCandidates(Number.isFinite(cc) ? cc : 8).map((c) => ({ ...c, bk: Math.max(8, Math.round(c.bk * scaleK)) }));
  if (M <= 32 && cc >= 8) {
    // Skinny GEMMs (decode): libraries swap A and B so the few rows of A become the MMA's narrow
    // N side (wgmma/tcgen05 N = 8..256; mma.sync n8), i.e. a 16- or 32-row tile with a deep K step.
    const bm = M <= 16 ? 16 : 32;
    list = [128, 64].map((bn) => ({ bm, bn, bk: Math.max(8, Math.round(128 * scaleK)), threads: 128, stages: 4, tm: bm / 4, tn: bn / 32 }));
  } else if (M <= 64) {
    const small = list.filter((c) => c.bm <= 64);
    if (small.length > 0) list = small;
  }
  const smallest = list[list.length - 1];
  const pick = list.find((c) => tilesOf(c) >= sms) ?? smallest;
  const tiles = tilesOf(pick);
  let splitK = 1;
  if (tiles < sms / 2 && K >= 8 * pick.bk) {
    const bySms = 2 ** Math.floor(Math.log2(sms / tiles));
    splitK = Math.max(1, Math.min(bySms, Math.floor(K / (4 * pick.bk)), 32));
  }
  const name = `${arch}_${dtype}_gemm_${pick.bm}x${pick.bn}x${pick.bk}_stage${pick.stages}${splitK > 1 ? `_splitk${splitK}` : ''} (heuristic)`;
  return {
    tile: toTile(pick),
    splitK,
    kernelName: name,
    reason: `tensor-core tile ${pick.bm}x${pick.bn}x${pick.bk}: ${tiles} tiles on ${sms} SMs${splitK > 1 ? `, split-K ${splitK} to fill the GPU` : ''}`,
  };
}

/** The 14 CLBlast Xgemm tunables (Kernel Tuner's gemm cache), in CLBlast's order. */
export const CLBLAST_TUNABLES = ['MWG', 'NWG', 'KWG', 'MDIMC', 'NDIMC', 'MDIMA', 'NDIMB', 'KWI', 'VWM', 'VWN', 'STRM', 'STRN', 'SA', 'SB'] as const;

/**
 * TileConfig of a CLBlast Xgemm configuration (CLBlast's xgemm kernel: MWG x NWG block tile with a
 * KWG-deep K step, MDIMC x NDIMC threads, each computing (MWG/MDIMC) x (NWG/NDIMC) outputs; SA/SB
 * stage A/B in local memory; no multi-stage pipeline). Missing tunables give absent fields.
 */
export function clblastTile(native: Record<string, number> | undefined): TileConfig {
  const v = (key: string): number | undefined => {
    const x = native?.[key];
    return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
  };
  const mwg = v('MWG'),
    nwg = v('NWG'),
    kwg = v('KWG'),
    mdimc = v('MDIMC'),
    ndimc = v('NDIMC');
  const threads = mdimc !== undefined && ndimc !== undefined ? mdimc * ndimc : undefined;
  return {
    blockM: mwg,
    blockN: nwg,
    blockK: kwg,
    threads,
    warps: threads !== undefined ? Math.ceil(threads / 32) : undefined,
    stages: 1,
    threadM: mwg !== undefined && mdimc ? mwg / mdimc : undefined,
    threadN: nwg !== undefined && ndimc ? nwg / ndimc : undefined,
    vectorWidth: v('VWM'),
    native: native ? { ...native } : undefined,
  };
}
