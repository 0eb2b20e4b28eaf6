// THE feature vector of a GEMM workload on a GPU, shared by training (models/scripts) and serving (the
// language server): names with units, values, and the analytic estimate they came from. Pure; never
// throws; unknown values are NaN. Bump FEATURE_VERSION on ANY change to names, order or meaning.
import type { GemmWorkload, GpuSpec, KernelFamily } from './types';
import { analyticEstimate, type AnalyticEstimate, type Limiter } from './analytic-model';
import { computeCapabilityNumber, dtypeBytes, outputBytes, quantFlags, quantWrapperClass } from './dtype';

export const FEATURE_VERSION = 'gemm-features-v11';

const KERNEL_FAMILIES: readonly KernelFamily[] = ['library', 'tiled', 'triton', 'clblast-xgemm', 'cutlass', 'naive'];
const LIMITERS: readonly Limiter[] = ['compute', 'memory', 'latency', 'shared-memory', 'issue'];

/**
 * Feature names, in vector order. Designed to transfer to GPUs not seen in training: every feature means
 * the same on every GPU. Problem sizes are log-scaled counts; the GPU enters only through dimensionless
 * ratios of the work to the machine (intensity over the ridge point, waves, tile and wave efficiency,
 * occupancy, footprint over L2, the share of each analytic term), never through raw specs (bandwidth,
 * peaks, SM counts, clocks, board power), which act as a GPU's identity and extrapolate badly
 * (issue 9). Absolute times are left out for the same reason: with the problem size they give the peak.
 */
export const FEATURE_NAMES: readonly string[] = [
  // Problem (log2 of counts)
  'log2_m',
  'log2_n',
  'log2_k',
  'log2_batch',
  'log2_flops',
  // Precision and quantisation scheme (0 for plain GEMMs)
  'dtype_bytes',
  'tensor_cores',
  'quant_dynamic',
  'quant_block_scaled',
  'quant_weight_only',
  // The framework op timed around a quantised GEMM (0 = the kernel alone, see quantWrapperClass)
  'quant_wrapper',
  // A block-scaled GEMM on tensor cores that apply the block scales themselves (cc >= 10; 0 otherwise)
  'native_block_scaling',
  // Work relative to the machine (dimensionless)
  'log2_intensity_over_ridge',
  'log2_dram_over_ideal_bytes',
  'log2_compute_over_memory_time',
  'log2_footprint_over_l2',
  'log2_padded_over_useful_flops',
  'latency_fraction',
  'log2_waves',
  'wave_efficiency',
  'sm_busy_fraction',
  'tile_quant_efficiency',
  'occupancy',
  'blocks_per_sm',
  'log2_tiles_per_sm',
  // SIMT main-loop terms of hand-written kernels (docs/performance-model.md §3.9; NaN for library and
  // tensor-core kernels): shared-memory/L1 data-path time and instruction-issue time over the compute
  // time, latency hiding, global-load coalescing, registers spilled; then the limiting term, one-hot.
  'log2_smem_over_compute_time',
  'log2_issue_over_compute_time',
  'achieved_fraction',
  'coalescing_factor',
  'spilled_registers',
  ...LIMITERS.map((b) => `bound_${b.replace(/-/g, '_')}`),
  // Tile
  'tile_m',
  'tile_n',
  'tile_k',
  'threads_per_block',
  'stages',
  'split_k',
  'work_per_thread',
  'vector_width',
  'smem_kib_per_block',
  'loads_per_fma',
  // CLBlast Xgemm tunables not already covered by the tile (NaN for other families)
  'clblast_kwi',
  'clblast_vwn',
  'clblast_sa',
  'clblast_sb',
  'clblast_mdima_over_mdimc',
  'clblast_ndimb_over_ndimc',
  // Kernel family one-hot
  ...KERNEL_FAMILIES.map((f) => `kernel_${f.replace(/-/g, '_')}`),
];

const INDEX: ReadonlyMap<string, number> = new Map(FEATURE_NAMES.map((name, i) => [name, i]));
/** Positions of the one-hot features, in LIMITERS / KERNEL_FAMILIES order (looked up once, not per row). */
const LIMITER_INDEX: readonly number[] = LIMITERS.map((b) => INDEX.get(`bound_${b.replace(/-/g, '_')}`) ?? -1);
const FAMILY_INDEX: readonly number[] = KERNEL_FAMILIES.map((f) => INDEX.get(`kernel_${f.replace(/-/g, '_')}`) ?? -1);

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
const log2 = (v: number): number => (v > 0 ? Math.log2(v) : NaN);

/** The feature vector and the analytic estimate behind it. */
export function computeFeatures(
  workload: GemmWorkload,
  gpu: GpuSpec,
  a: AnalyticEstimate = analyticEstimate(workload, gpu),
): { values: Float64Array; analytic: AnalyticEstimate } {
  const values = new Float64Array(FEATURE_NAMES.length).fill(NaN);
  const set = (name: string, value: number): void => {
    const i = INDEX.get(name);
    if (i !== undefined) values[i] = Number.isFinite(value) ? value : NaN;
  };
  const m = num(workload?.m),
    n = num(workload?.n),
    k = num(workload?.k);
  const batch = workload?.batch === undefined ? 1 : num(workload.batch);

  set('log2_m', log2(m));
  set('log2_n', log2(n));
  set('log2_k', log2(k));
  set('log2_batch', log2(batch));
  set('log2_flops', log2(a.flops));
  set('dtype_bytes', dtypeBytes(workload?.dtype));
  set('tensor_cores', a.peak.peak?.endsWith('Tensor') ? 1 : 0);
  const q = quantFlags(workload?.quantization);
  set('quant_dynamic', q.dynamic);
  set('quant_block_scaled', q.blockScaled);
  set('quant_weight_only', q.weightOnly);
  set('quant_wrapper', quantWrapperClass(workload));
  // Hopper's per-block fp8 kernels apply the scales in CUDA cores (DeepGEMM's promotion); Blackwell's tensor
  // cores take them (block-scaled MMA), and the frameworks' ops around them differ there (docs/data.md).
  set('native_block_scaling', q.blockScaled && computeCapabilityNumber(gpu?.computeCapability) >= 10 ? 1 : 0);

  set('log2_intensity_over_ridge', log2(a.arithmeticIntensity / a.ridgePointFlopsPerByte));
  set('log2_dram_over_ideal_bytes', log2(a.dramBytes / a.bytesIdeal));
  set('log2_compute_over_memory_time', log2(a.computeTimeMs / a.memoryTimeMs));
  set('log2_padded_over_useful_flops', log2(a.paddedFlops / a.flops));
  // Operands + output (each once) over the L2 size: small footprints can stay L2-resident between calls.
  const footprintBytes = batch * (m * k * dtypeBytes(workload?.dtype) + k * n * dtypeBytes(workload?.dtype) + m * n * outputBytes(workload?.dtype));
  set('log2_footprint_over_l2', log2(footprintBytes / (num(gpu?.l2CacheMB?.value) * 1024 * 1024)));
  set('latency_fraction', (a.launchFloorMs + a.prologueMs + a.quantPassMs) / a.timeMs);
  set('log2_waves', log2(a.waves));
  set('wave_efficiency', a.waveEfficiency);
  set('sm_busy_fraction', a.smBusyFraction);
  set('tile_quant_efficiency', a.tileQuantEfficiency);
  set('occupancy', a.occupancy);
  set('blocks_per_sm', a.launchable ? a.blocksPerSM : 0);
  set('log2_tiles_per_sm', log2(a.tilesPerSM));
  if (a.simtTiling) {
    // Shared memory and L1 are one data path on Volta and later: staged reads + unstaged L1 reads + spills.
    set('log2_smem_over_compute_time', log2((a.sharedMemTimeMs + a.l1TimeMs) / a.computeTimeMs));
    set('log2_issue_over_compute_time', log2(a.issueTimeMs / a.computeTimeMs));
    set('achieved_fraction', a.achievedFraction);
    set('coalescing_factor', a.coalescingFactor);
    set('spilled_registers', a.simt?.spilledRegisters ?? NaN);
  }
  for (let j = 0; j < LIMITERS.length; j++) values[LIMITER_INDEX[j]] = a.valid ? (a.timeLimiter === LIMITERS[j] ? 1 : 0) : NaN;

  const t = a.tile;
  set('tile_m', t.blockM);
  set('tile_n', t.blockN);
  set('tile_k', t.blockK);
  set('threads_per_block', t.threads);
  set('stages', t.stages);
  set('split_k', a.splitK);
  set('work_per_thread', t.threadM * t.threadN);
  // Library, CUTLASS and Triton kernels load 128-bit vectors: 16 / dtype bytes elements.
  const family = workload?.kernel;
  const libraryVector = family === 'library' || family === 'cutlass' || family === 'triton' ? 16 / dtypeBytes(workload?.dtype) : NaN;
  set('vector_width', num(workload?.tile?.vectorWidth ?? workload?.tile?.native?.VWM ?? libraryVector));
  set('smem_kib_per_block', a.sharedMemPerBlockBytes / 1024);
  // Shared-memory (or register-file) operand loads per FMA in the inner loop: (TM + TN) / (TM x TN).
  set('loads_per_fma', (t.threadM + t.threadN) / (t.threadM * t.threadN));

  if (workload?.kernel === 'clblast-xgemm') {
    const nat = workload.tile?.native ?? {};
    set('clblast_kwi', num(nat.KWI));
    set('clblast_vwn', num(nat.VWN));
    set('clblast_sa', num(nat.SA));
    set('clblast_sb', num(nat.SB));
    set('clblast_mdima_over_mdimc', num(nat.MDIMA) / num(nat.MDIMC));
    set('clblast_ndimb_over_ndimc', num(nat.NDIMB) / num(nat.NDIMC));
  }
  for (let j = 0; j < KERNEL_FAMILIES.length; j++) values[FAMILY_INDEX[j]] = workload?.kernel === KERNEL_FAMILIES[j] ? 1 : 0;
  return { values, analytic: a };
}

/** Name → value view of a feature vector (for reports, JSON and debugging). */
export function featureRecord(values: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  FEATURE_NAMES.forEach((name, i) => {
    out[name] = i < values.length ? values[i] : NaN;
  });
  return out;
}
