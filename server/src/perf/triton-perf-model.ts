// The classic Triton matmul performance model (`estimate_matmul_time` and the stage heuristic of
// `early_config_prune`), re-implemented as a second analytic baseline. Pure; no I/O; never throws.
//
// Source: triton/ops/matmul_perf_model.py in Triton <= 2.x, moved to the triton-lang/kernels
// repository as kernels/matmul_perf_model.py (MIT licence), read at commit eeeebdd8 via a copy that
// cites it. Differences from the original, all deliberate: peaks and bandwidth come from the GPU
// catalogue (the original derives them from nvidia-smi clocks and the bus width), and `batch`
// independent GEMMs in one launch multiply CTAs, work and traffic (the original has no batch).
// The original's unit quirks are kept so results match it: GOPS and MB use 2^30 and 2^20, and
// bandwidth saturation is pinned to A100's 108 SMs.
import type { Dtype, GemmWorkload, GpuSpec } from './types';
import { computeCapabilityMajor, dtypeBytes, peakTflops } from './dtype';
import { chooseLibraryTile } from './library-tiles';

export interface TritonMatmulConfig {
  blockM: number;
  blockN: number;
  blockK: number;
  splitK: number;
  numWarps: number;
  numStages: number;
}

export interface TritonEstimate {
  valid: boolean;
  numCtas: number;
  /** Throughput the model assumes, TFLOP/s: the peak scaled by active warps over 4 x SMs. */
  throughputTflops: number;
  /** DRAM bandwidth after the active-CTA scaling, GB/s. */
  dramGBps: number;
  computeMs: number;
  loadMs: number;
  storeMs: number;
  /** max(computeMs, loadMs) + storeMs. */
  totalMs: number;
  /** min(1, CTAs / SMs), reported as in the original's debug line. */
  activeCtaRatio: number;
}

const cdiv = (a: number, b: number): number => Math.ceil(a / b);
const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;

/**
 * Triton's estimate_matmul_time for C[m,n] = A[m,k]·B[k,n] (`batch` times) with one config:
 *   compute_ms = 2·M'·N'·K / 2^30 / tput, with M' = max(M, BM), N' = max(N, BN) and
 *                tput = peak · min(4·SMs, CTAs · min(warps, 4)) / (4·SMs)
 *                (tensor-core peak, except fp32 before cc 8.0: SIMT peak);
 *   dram_bw    = bandwidth · (0.95·min(1, CTAs/32) + 0.05·clamp((CTAs-32)/(108-32), 0, 1));
 *   load_ms    = DRAM MB / dram_bw + L2 MB / (4·dram_bw), where 20% of the re-reads of A (one per
 *                extra column of CTAs) and of B (one per extra row) go to DRAM and 80% hit L2;
 *   store_ms   = M'·N'·bytes·splitK MB / (0.6·dram_bw), plus zeroing C (M'·N'·2 B) when splitK > 1;
 *   total_ms   = max(compute_ms, load_ms) + store_ms.
 */
export function tritonEstimateMatmulTime(m: number, n: number, k: number, batch: number, dtype: Dtype, cfg: TritonMatmulConfig, gpu: GpuSpec): TritonEstimate {
  const sms = gpu?.smCount?.value ?? NaN;
  const cc = computeCapabilityMajor(gpu?.computeCapability);
  const dtsize = dtypeBytes(dtype);
  const B = batch > 0 && Number.isFinite(batch) ? batch : 1;
  const splitK = cfg.splitK > 0 ? cfg.splitK : 1;
  const numCtaM = cdiv(m, cfg.blockM);
  const numCtaN = cdiv(n, cfg.blockN);
  const numCtas = numCtaM * numCtaN * splitK * B;
  const M = Math.max(m, cfg.blockM);
  const N = Math.max(n, cfg.blockN);

  // get_tflops: SIMT for fp32 before Ampere, tensor cores otherwise (fp32 as tf32).
  const simt = cc < 8 && (dtype === 'fp32' || dtype === 'fp64');
  const peak = peakTflops(gpu, dtype, !simt).tflops;
  const subcores = sms * 4;
  const totalWarps = numCtas * Math.min(cfg.numWarps, 4);
  const throughputTflops = (Math.min(subcores, totalWarps) / subcores) * peak;
  const totalOps = (2 * M * N * k * B) / GIB;
  const computeMs = totalOps / throughputTflops;

  const activeCtaRatio = Math.min(1, numCtas / sms);
  const bw1 = Math.min(1, numCtas / 32);
  const bw2 = Math.max(Math.min(1, (numCtas - 32) / (108 - 32)), 0);
  const dramGBps = (gpu?.memoryBandwidthGBps?.value ?? NaN) * (bw1 * 0.95 + bw2 * 0.05);
  const l2GBps = dramGBps * 4;
  const loadADram = M * k * dtsize * (1 + 0.2 * (numCtaN - 1));
  const loadAL2 = M * k * dtsize * 0.8 * (numCtaN - 1);
  const loadBDram = N * k * dtsize * (1 + 0.2 * (numCtaM - 1));
  const loadBL2 = N * k * dtsize * 0.8 * (numCtaM - 1);
  const totalDramMB = (B * (loadADram + loadBDram)) / MIB;
  const totalL2MB = (B * (loadAL2 + loadBL2)) / MIB;
  const loadMs = totalDramMB / dramGBps + totalL2MB / l2GBps;

  const storeGBps = dramGBps * 0.6;
  let storeMs = (B * M * N * dtsize * splitK) / MIB / storeGBps;
  if (splitK > 1) storeMs += (B * M * N * 2) / MIB / storeGBps; // c.zero_()

  const totalMs = Math.max(computeMs, loadMs) + storeMs;
  const valid = [m, n, k, dtsize, peak, sms, dramGBps, totalMs].every((v) => Number.isFinite(v) && v > 0);
  return { valid, numCtas, throughputTflops, dramGBps, computeMs, loadMs, storeMs, totalMs: valid ? totalMs : NaN, activeCtaRatio };
}

/**
 * Stage count the original's early_config_prune prefers on cc >= 8: ldgsts latency (300 cycles)
 * over the cycles of one K step's mma.sync m16n8k16 instructions, BM·BN·BK/(16·8·16) of them at 8
 * cycles each, spread over min(4, warps) warps.
 */
export function tritonOptimalStages(blockM: number, blockN: number, blockK: number, numWarps: number): number {
  const mmas = (blockM * blockN * blockK) / (16 * 8 * 16);
  const mmaCycles = (mmas / Math.min(4, Math.max(1, numWarps))) * 8;
  return 300 / mmaCycles;
}

/**
 * The Triton estimate for a workload: its own tile when it has one (BLOCK_SIZE_M/N/K, num_warps,
 * num_stages), else the library heuristic's tile, so the model can serve as a baseline on any row.
 */
export function tritonEstimateForWorkload(w: GemmWorkload, gpu: GpuSpec): TritonEstimate {
  const t = w?.tile;
  let cfg: TritonMatmulConfig;
  if (t && t.blockM && t.blockN && t.blockK) {
    const warps = t.warps ?? (t.threads ? t.threads / 32 : 4);
    cfg = { blockM: t.blockM, blockN: t.blockN, blockK: t.blockK, splitK: t.native?.splitK ?? 1, numWarps: warps, numStages: t.stages ?? 2 };
  } else {
    const tensor = w?.usesTensorCores ?? (w?.dtype !== 'fp32' && w?.dtype !== 'fp64');
    const c = chooseLibraryTile(w?.m, w?.n, w?.k, w?.batch, w?.dtype, { smCount: gpu?.smCount?.value, computeCapability: gpu?.computeCapability }, tensor);
    cfg = {
      blockM: c.tile.blockM ?? 128,
      blockN: c.tile.blockN ?? 128,
      blockK: c.tile.blockK ?? 32,
      splitK: c.splitK,
      numWarps: c.tile.warps ?? 4,
      numStages: c.tile.stages ?? 2,
    };
  }
  return tritonEstimateMatmulTime(w?.m, w?.n, w?.k, w?.batch ?? 1, w?.dtype, cfg, gpu);
}
