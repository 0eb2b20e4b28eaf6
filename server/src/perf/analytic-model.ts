// The analytic GEMM performance model: tiles, waves, occupancy, traffic with tile and L2 reuse,
// roofline times and a smooth time estimate, as named numbers with units (formulas: docs/performance-model.md);
// for hand-written SIMT kernels also instruction issue, shared-memory/L1 and latency hiding (simt-tiling.ts, §3.9).
// Peaks are taken at the sustained clock (sustained-clock.ts, §3.10) and the architecture's SIMT issue efficiency (§3.11).
// Pure arithmetic over plain data: no I/O, never throws; unknown inputs give NaN, not exceptions.
import type { GemmWorkload, GpuSpec, TileConfig } from './types';
import { computeOccupancy, type OccupancyLimiter } from './occupancy';
import { defaultUsesTensorCores, dtypeBytes, outputBytes, peakTflops, quantFlags, type PeakChoice } from './dtype';
import { chooseLibraryTile, clblastTile } from './library-tiles';
import { estimateKernelResources } from './resource-estimate';
import { simtArchitecture, simtTilingCosts, SIMT_CONSTANTS, type SimtTilingCosts } from './simt-tiling';
import { clockAtActivity, narrowTensorEnergyRoof, roofAtActivity, sustainedClock, type SustainedClock } from './sustained-clock';

/**
 * Calibration constants, one value for every GPU (no per-GPU factors). See docs/performance-model.md
 * ("Constants") for where each comes from and how models/scripts/analytic-baseline.ts checks them.
 */
export const MODEL_CONSTANTS = {
  /** Fraction of the datasheet dense peak a well-tuned GEMM main loop sustains (tensor cores). */
  tensorComputeEfficiency: 0.8,
  /**
   * Exponentials per clock per SM (the special-function units, MUFU.EX2): 16 on Volta to Hopper; an H100
   * SXM5 then does 132 × 16 × 1.83 GHz = 3.9 T/s, the figure FlashAttention-3 gives beside its 989 TFLOP/s
   * of fp16 matmul (Shah et al., 2024, §3.1). Used for attention's softmax.
   */
  exponentialsPerClockPerSM: 16,
  /** Same for SIMT (CUDA-core) FMA loops: SGEMM reaches ~75-85% of fp32 peak. */
  simtComputeEfficiency: 0.8,
  /**
   * Library SIMT SGEMM (cuBLAS `*_sgemm_BMxBN`): the share of the sustained fp32 peak its main loop reaches
   * when operand feed costs nothing (the limit of the largest tiles), before the operand-feed term (§3.5).
   */
  librarySimtEfficiency: 0.95,
  /**
   * Bytes per SM per clock at which a library SIMT SGEMM stages its operand tiles from L2 into shared
   * memory while its FMAs run: feed = lanes·bytes·(BM+BN)/(BM·BN) bytes per clock at full FMA rate, and
   * the main loop runs at 1/√(1 + (feed / this)²) of its rate (§3.5, "Operand feed of library SGEMM").
   */
  operandFeedBytesPerClockPerSM: 12,
  /** Fraction of datasheet DRAM bandwidth a streaming kernel sustains (STREAM-like ~85-90%). */
  memoryEfficiency: 0.85,
  /** L2 bandwidth as a multiple of DRAM bandwidth (Triton's perf model uses 4x). */
  l2BandwidthFactor: 4,
  /** Fraction of the L2 capacity usable for reuse of operand panels. */
  l2UsableFraction: 0.75,
  /** Global-memory load latency in microseconds (~0.5-0.8 us on Volta..Hopper microbenchmarks). */
  dramLatencyUs: 0.7,
  /** Loads an SM keeps in flight at the least, bytes (64 KiB / 0.7 us = ~94 GB/s per SM). */
  minInFlightBytesPerSM: 65536,
  /**
   * Launch + minimal kernel time floor in SM clock cycles at the boost clock: 1.5 us at the ~2 GHz of the
   * GPUs it was measured on (smallest CUDA-graph-replayed GEMMs in aiconfigurator: 1.5-2.5 us), and small
   * GEMMs take the same cycles on an A100 and an H100 (§3.6).
   */
  launchFloorCycles: 3000,
  /** The clock the floor's cycles run at when a GPU has no boost clock, MHz. */
  launchFloorFallbackClockMHz: 2000,
};

/** The launch floor on a GPU, ms: launchFloorCycles at its boost clock (§3.6). */
export function launchFloorMsOf(gpu: GpuSpec | undefined): number {
  const clock = gpu?.boostClockMHz?.value;
  const mhz = typeof clock === 'number' && clock > 0 ? clock : MODEL_CONSTANTS.launchFloorFallbackClockMHz;
  return MODEL_CONSTANTS.launchFloorCycles / mhz / 1000;
}

/** The roofline class of the estimate (the CLI/report contract): in-SM work, DRAM/L2, or fixed latencies. */
export type Bound = 'compute' | 'memory' | 'latency';
/**
 * What limits the estimate, finer than Bound: for hand-written SIMT kernels (§3.9) the in-SM limit
 * is split into the FMA pipes ('compute'), the shared-memory/L1 data path and instruction issue.
 * Bound is 'compute' whenever timeLimiter is 'shared-memory' or 'issue'.
 */
export type Limiter = Bound | 'shared-memory' | 'issue';

export interface AnalyticEstimate {
  /** False when inputs were incomplete (NaN dims, no peak) and the numbers are NaN. */
  valid: boolean;
  notes: string[];
  // Tile and launch
  tile: Required<Pick<TileConfig, 'blockM' | 'blockN' | 'blockK' | 'threads' | 'stages'>> & { threadM: number; threadN: number };
  tileSource: 'workload' | 'library-heuristic' | 'launch' | 'default';
  libraryKernelName?: string;
  splitK: number;
  threadsPerBlock: number;
  registersPerThread: number;
  registersSource: 'workload' | 'estimate';
  /** Registers the tile needs before the 255 cap (estimate), or the given count. */
  registersDemand: number;
  /** Registers no compiler can do without (accumulators + one k step's operands + addresses), or the given count. */
  registersLowerBound: number;
  sharedMemPerBlockBytes: number;
  sharedMemSource: 'workload' | 'tile';
  // Occupancy
  blocksPerSM: number;
  occupancy: number;
  occupancyLimiter: OccupancyLimiter | 'invalid';
  launchable: boolean;
  smCount: number;
  // Tiles and waves
  tilesM: number;
  tilesN: number;
  /** Thread blocks launched: batch x tilesM x tilesN x splitK. */
  tiles: number;
  /** tiles / (blocksPerSM x SMs). */
  waves: number;
  /** tiles / (ceil(waves) x blocksPerSM x SMs). */
  waveEfficiency: number;
  /** Most tiles any one SM runs: ceil(tiles / SMs). */
  tilesPerSM: number;
  /** tiles / (tilesPerSM x SMs): the fraction of SM-time doing work (SM-level wave quantisation). */
  smBusyFraction: number;
  /** Share of the SMs a persistent kernel with fewer programs than SMs leaves idle for its whole run; 0 otherwise. */
  idleSmShare: number;
  /** m·n / (ceil(m/BM)·BM · ceil(n/BN)·BN). */
  tileQuantEfficiency: number;
  /** Iterations of the K loop per tile: ceil((k / splitK) / BK). */
  kIterations: number;
  // Work and traffic
  flops: number;
  /** Flops including the padding of partial tiles and K steps. */
  paddedFlops: number;
  /** Global-memory bytes with tile reuse only (A once per column of tiles, B once per row of tiles, C once). */
  bytesTiled: number;
  /** Each matrix read or written exactly once (ideal L2 reuse). */
  bytesIdeal: number;
  /** DRAM bytes after the L2 model: between bytesIdeal and bytesTiled. */
  dramBytes: number;
  /** Miss fractions of re-reads of A and B panels in L2 (0 = all hits, 1 = all misses). */
  l2MissA: number;
  l2MissB: number;
  /** Miss fraction of the compulsory reads and C write-back across repeated calls (1 = cold; §3.4). */
  crossCallMiss: number;
  /** DRAM reads of each A and B element after the L2 model (1 = ideal; tilesN / tilesM = no reuse; below 1 when operands stay in L2 between repeated calls). */
  readsA: number;
  readsB: number;
  /** flops / dramBytes. */
  arithmeticIntensity: number;
  /** flops / bytesIdeal. */
  arithmeticIntensityIdeal: number;
  /** Peak flop/s ÷ DRAM byte/s: the roofline's ridge point in flop/byte. */
  ridgePointFlopsPerByte: number;
  /** Shared-memory bytes per tile: stores of A/B stages plus per-thread fragment loads. */
  sharedMemBytesPerTile: number;
  // Peak and times
  peak: PeakChoice;
  usesTensorCores: boolean;
  computeTimeMs: number;
  memoryTimeMs: number;
  /** Tiled traffic through L2 at l2BandwidthFactor x DRAM bandwidth. */
  l2TimeMs: number;
  /** max(compute, memory, l2) for library/tensor-core kernels; for hand-written SIMT kernels also issue and shared/L1 (§3.9), ms. */
  rooflineTimeMs: number;
  /** True when the SIMT tiling terms of §3.9 apply (non-library kernels without tensor cores). */
  simtTiling: boolean;
  /** Warp-instruction issue time of the busiest SM at 4 warp instructions per clock, over the achieved fraction, ms (NaN when simtTiling is false). */
  issueTimeMs: number;
  /** Shared-memory time of staged operands: 128-byte wavefronts (bank conflicts included) at one per clock per SM, ms (0 when nothing is staged; NaN when simtTiling is false). */
  sharedMemTimeMs: number;
  /** L1 time of operands loaded from global inside the loop and of spills, same data path, ms (NaN when simtTiling is false). */
  l1TimeMs: number;
  /** Per-k costs behind issueTimeMs and sharedMemTimeMs (undefined when simtTiling is false). */
  simt?: SimtTilingCosts;
  /** Independent FMAs per thread per k (TM·TN). */
  ilp: number;
  /** Fraction of the FMA/issue peak latency hiding allows (1 for library kernels). */
  achievedFraction: number;
  /** Useful / fetched bytes of the global loads, 0..1 (1 for library kernels). */
  coalescingFactor: number;
  /** Pipeline prologue/epilogue: one DRAM latency per round of resident tiles, ms. */
  prologueMs: number;
  launchFloorMs: number;
  /** Separate activation-quantisation kernel for dynamically quantised GEMMs (0 otherwise), ms. */
  quantPassMs: number;
  /** Split-K reduction: a second kernel (one launch floor + one DRAM latency) that sums the K slices' partials (0 when splitK = 1), ms (§3.7). */
  splitKReduceMs: number;
  /** launchFloor + roofline + prologue + quantPass + splitKReduce, ms: the analytic time estimate. */
  timeMs: number;
  bound: Bound;
  /** The largest term of the estimate (§3.9); equals bound except 'shared-memory' and 'issue'. */
  timeLimiter: Limiter;
  /** flops / timeMs, TFLOP/s. */
  achievedTflops: number;
  // Sustained clock (§3.10): the compute time uses the peak at this clock, not at boost.
  /** SM clock this GEMM sustains (tensor or SIMT load, at its share of busy SMs: §3.10), MHz. */
  sustainedClockMHz: number;
  /** The share of the datasheet peak the clock and the narrow-precision energy roof allow (0..1). */
  clockFraction: number;
  /** The same share for a GEMM that keeps every SM busy (the roofs without the partial-activity relief, §3.10). */
  fullChipClockFraction: number;
  /** Where the sustained clock came from: a documented value, the power roof, or the boost clock. */
  clockSource: SustainedClock['source'];
  /** Share of the datasheet FP32 peak the SIMT datapaths can be fed (0.77 on cc 8.6/8.9/12.x, §3.11; 1 otherwise and for tensor cores). */
  simtIssueEfficiency: number;
  /** The datasheet peak x clockFraction x simtIssueEfficiency, TFLOP/s: the peak the compute time is taken against (before efficiency). */
  sustainedPeakTflops: number;
  /** Library SIMT SGEMM: share of its main-loop rate the operand feed of its tile allows (§3.5); 1 for other kernels. */
  operandFeedFraction: number;
}

const cdiv = (a: number, b: number): number => Math.ceil(a / b);
const pos = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/**
 * L2 miss fraction of a re-read whose reuse distance touches `workingSetBytes`: 0 at or below half
 * the usable L2, 1 at or above twice it, linear in log2 between (smooth, monotone).
 */
export function l2MissFraction(workingSetBytes: number, l2Bytes: number): number {
  if (!pos(l2Bytes)) return 1;
  if (!(workingSetBytes > 0)) return 0;
  return clamp01(Math.log2(workingSetBytes / (0.5 * l2Bytes)) / 2);
}

/**
 * Miss fraction of a call's compulsory operand reads when the call repeats over `repeated` copies of
 * each operand: the reuse distance between two uses of one buffer is every copy of A, B and C, so the
 * same capacity test as l2MissFraction applies to copiesA·A + copiesB·B + copiesC·C. 1 (cold) when the
 * call is not repeated or the counts are not positive.
 */
export function crossCallMissFraction(repeated: GemmWorkload['repeatedCalls'], aBytes: number, bBytes: number, cBytes: number, l2Bytes: number): number {
  if (!repeated || !pos(repeated.copiesA) || !pos(repeated.copiesB)) return 1;
  const copiesC = pos(repeated.copiesC) ? repeated.copiesC : 1;
  return l2MissFraction(repeated.copiesA * aBytes + repeated.copiesB * bBytes + copiesC * cBytes, l2Bytes);
}

/**
 * Operand bytes an SM must stage per clock to keep its FP32 lanes busy with a BM x BN tile:
 * lanes FMAs per clock, each tile k step brings (BM+BN)·bytes for BM·BN FMAs. NaN when an input is missing.
 */
export function operandFeedPerClock(fp32LanesPerSM: number | undefined, elementBytes: number, blockM: number, blockN: number): number {
  if (!pos(fp32LanesPerSM) || !pos(elementBytes) || !pos(blockM) || !pos(blockN)) return NaN;
  return (fp32LanesPerSM * elementBytes * (blockM + blockN)) / (blockM * blockN);
}

function stripUndefined(t: TileConfig): TileConfig {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as TileConfig;
}

/** Shared memory a tile stages: (BM·BK + BK·BN) x bytes x stages; CLBlast stages A/B only when SA/SB = 1. */
export function tileSharedMemBytes(w: GemmWorkload, tile: { blockM: number; blockN: number; blockK: number; stages: number }, inBytes: number): number {
  if (w.kernel === 'naive') return 0;
  const native = w.tile?.native;
  const sa = w.kernel === 'clblast-xgemm' && native && typeof native.SA === 'number' ? native.SA : 1;
  const sb = w.kernel === 'clblast-xgemm' && native && typeof native.SB === 'number' ? native.SB : 1;
  return (sa * tile.blockM * tile.blockK + sb * tile.blockK * tile.blockN) * inBytes * Math.max(1, tile.stages);
}

interface ResolvedTile { tile: AnalyticEstimate['tile']; source: AnalyticEstimate['tileSource']; splitK: number; splitFixed?: boolean; name?: string; notes: string[] }

function resolveTile(w: GemmWorkload, gpu: GpuSpec, tensor: boolean): ResolvedTile {
  const given = w.tile ?? {};
  const t = w.kernel === 'clblast-xgemm' && !pos(given.blockM) && given.native ? { ...clblastTile(given.native), ...stripUndefined(given) } : given;
  const notes: string[] = [];
  const blockThreads = w.block ? w.block[0] * w.block[1] * w.block[2] : NaN;
  const nativeSplit = t.native?.splitK;
  if (w.kernel === 'naive' && !tensor && !pos(t.blockM) && w.block) {
    // One output per thread; a block covers block.y rows x block.x columns of C.
    const tile = { blockM: w.block[1], blockN: w.block[0], blockK: 1, threads: blockThreads, stages: 1, threadM: 1, threadN: 1 };
    return { tile, source: 'launch', splitK: 1, notes };
  }
  // The library heuristic fills whatever the workload leaves out (all of it for library calls). Asked
  // only then: a hand-written kernel's candidate tiles give every field (the code actions rank hundreds).
  let choice: ReturnType<typeof chooseLibraryTile> | undefined;
  const heuristic = () =>
    (choice ??= chooseLibraryTile(w.m, w.n, w.k, w.batch, w.dtype, { smCount: gpu?.smCount?.value, computeCapability: gpu?.computeCapability }, tensor));
  const complete = pos(t.blockM) && pos(t.blockN);
  const handWritten = w.kernel === 'tiled' || w.kernel === 'naive' || w.kernel === 'clblast-xgemm';
  const blockM = pos(t.blockM) ? t.blockM : (heuristic().tile.blockM ?? 128);
  const blockN = pos(t.blockN) ? t.blockN : (heuristic().tile.blockN ?? 128);
  const threads = pos(t.threads) ? t.threads : pos(t.warps) ? t.warps * 32 : pos(blockThreads) ? blockThreads : (heuristic().tile.threads ?? 256);
  const blockK = pos(t.blockK) ? t.blockK : (heuristic().tile.blockK ?? 32);
  // Hand-written shared-memory kernels load one K tile per iteration unless they say otherwise.
  const stages = pos(t.stages) ? t.stages : handWritten ? 1 : (heuristic().tile.stages ?? 2);
  const perThread = (blockM * blockN) / threads;
  /** The heuristic's thread tile when the tile is the heuristic's own, else undefined. */
  const heuristicThread = (key: 'threadM' | 'threadN'): number | undefined => {
    const h = heuristic().tile;
    return blockM === h.blockM && blockN === h.blockN && threads === h.threads && h[key] ? h[key] : undefined;
  };
  const threadM = pos(t.threadM) ? t.threadM : (heuristicThread('threadM') ?? Math.max(1, Math.sqrt(perThread)));
  const threadN = pos(t.threadN) ? t.threadN : (heuristicThread('threadN') ?? Math.max(1, perThread / threadM));
  // A library launch whose grid.z is a multiple of the batch splits K that many ways (cuBLAS's
  // split-K kernels put the K slices on grid.z, as NeuSight's launch records show).
  const gz = w.grid?.[2];
  const batchCount = pos(w.batch) ? w.batch : 1;
  // Only when grid.x·grid.y covers the output tiles: swizzled launches (CUTLASS-style
  // `sgemm_128x128x8_NT_vec`) fold tile rows into grid.z, which is then not a K split.
  const gx = w.grid?.[0] ?? NaN, gy = w.grid?.[1] ?? NaN;
  const coversTiles = pos(gx) && pos(gy) && gx * gy >= cdiv(w.m, blockM) * cdiv(w.n, blockN);
  const gridSplit = (w.kernel === 'library' || w.kernel === 'cutlass') && pos(gz) && gz > batchCount && gz % batchCount === 0 && coversTiles ? gz / batchCount : undefined;
  const splitK = pos(nativeSplit) ? Math.floor(nativeSplit) : (gridSplit ?? (complete ? 1 : heuristic().splitK));
  const missing = (['blockM', 'blockN', 'blockK', 'threads', 'stages'] as const).filter((key) => !pos(t[key]) && !(key === 'threads' && (pos(t.warps) || pos(blockThreads))));
  if (w.kernel !== 'library' && missing.length > 0) notes.push(`tile ${missing.join(', ')} not given; assumed from the library heuristic or defaults`);
  const source: ResolvedTile['source'] = complete ? 'workload' : w.kernel === 'library' ? 'library-heuristic' : 'default';
  return { tile: { blockM, blockN, blockK, threads, stages, threadM, threadN }, source, splitK, splitFixed: pos(nativeSplit) || gridSplit !== undefined, name: complete ? undefined : heuristic().kernelName, notes };
}

/**
 * Analytic estimate of one GEMM workload on one GPU. Formulas and sources: docs/performance-model.md
 * (NVIDIA Matrix Multiplication Background User's Guide for tile/wave quantisation, CUDA occupancy,
 * the roofline of Williams et al. 2009, Little's law for the latency floor).
 */
export function analyticEstimate(w: GemmWorkload, gpu: GpuSpec): AnalyticEstimate {
  const C = MODEL_CONSTANTS;
  const m = Number(w?.m), n = Number(w?.n), k = Number(w?.k);
  const batch = pos(w?.batch) ? w.batch : 1;
  const notes: string[] = [];
  const tensor = typeof w?.usesTensorCores === 'boolean' ? w.usesTensorCores : defaultUsesTensorCores(w?.kernel, w?.dtype, gpu?.computeCapability);
  const peak = peakTflops(gpu, w?.dtype, tensor);
  if (peak.fallback) notes.push(peak.reason);
  const inBytes = dtypeBytes(w?.dtype);
  const outBytes = outputBytes(w?.dtype);
  const smCount = gpu?.smCount?.value ?? NaN;
  const bandwidthGBps = gpu?.memoryBandwidthGBps?.value ?? NaN;
  // A partitioned L2 (A100, H100, two-die Blackwell) caches shared operands once per partition (§3.4).
  const l2Partitions = pos(gpu?.l2Partitions?.value) ? gpu.l2Partitions.value : 1;
  const l2Bytes = ((gpu?.l2CacheMB?.value ?? NaN) * 1024 * 1024 * C.l2UsableFraction) / l2Partitions;
  if (w?.repeatedCalls && !pos(l2Bytes)) notes.push('no L2 size in the catalogue: repeated calls are estimated cold (no L2 residency)');

  const tensorPath = tensor && !!peak.peak?.endsWith('Tensor');
  const resolved = resolveTile(w, gpu, tensorPath);
  notes.push(...resolved.notes);
  const { tile, splitK } = resolved;
  const { blockM: BM, blockN: BN, blockK: BK, threads } = tile;
  const stages = Math.max(1, tile.stages);

  // Registers and shared memory: given, or estimated from the tile.
  const maxRegs = gpu?.limits?.maxRegistersPerThread ?? 255;
  const registersSource = pos(w.registersPerThread) ? 'workload' : 'estimate';
  const resources = estimateKernelResources({
    threadsPerBlock: threads, tileM: BM, tileN: BN, tileK: BK, threadTileM: tile.threadM, threadTileN: tile.threadN,
    dtypeBytes: inBytes, usesTensorCores: tensorPath,
  });
  let registersPerThread = pos(w.registersPerThread) ? w.registersPerThread : Math.min(maxRegs, resources.registersPerThread);
  const registersDemand = pos(w.registersPerThread) ? w.registersPerThread : resources.registersDemand;
  const registersLowerBound = pos(w.registersPerThread) ? w.registersPerThread : resources.registersLowerBound;
  if (registersSource === 'estimate' && (w.kernel === 'cutlass' || (resolved.source !== 'workload' && resolved.source !== 'launch'))) {
    // Library and CUTLASS kernels are built to fit: at least one block's registers fit the register file
    // (they declare __launch_bounds__; Hopper's warp-specialised kernels rebalance with setmaxnreg).
    const perBlockCap = Math.floor((gpu?.limits?.maxRegistersPerBlock ?? 65536) / threads / 8) * 8;
    if (perBlockCap > 0) registersPerThread = Math.min(registersPerThread, perBlockCap);
  }
  const smemFromTile = tileSharedMemBytes(w, { blockM: BM, blockN: BN, blockK: BK, stages }, inBytes);
  const sharedMemSource = typeof w.sharedMemPerBlockBytes === 'number' && w.sharedMemPerBlockBytes >= 0 ? 'workload' : 'tile';
  const sharedMemPerBlockBytes = sharedMemSource === 'workload' ? (w.sharedMemPerBlockBytes as number) : smemFromTile;

  let blocksPerSM = 1, occupancy = NaN, limiter: AnalyticEstimate['occupancyLimiter'] = 'invalid', launchable = false;
  if (gpu?.limits) {
    const occ = computeOccupancy({ limits: gpu.limits, threadsPerBlock: threads, registersPerThread, staticSharedMemBytes: 0, dynamicSharedMemBytes: sharedMemPerBlockBytes });
    if (occ.blocksPerSM > 0 && !occ.error) {
      blocksPerSM = occ.blocksPerSM; occupancy = occ.occupancy; limiter = occ.limiter; launchable = true;
    } else {
      notes.push(`does not fit on an SM (${occ.error ?? occ.limiter}); estimated as if 1 block per SM ran`);
      occupancy = Math.min(1, threads / 32 / (gpu.limits.maxWarpsPerSM || 64));
    }
  }

  // Hand-written SIMT kernels (§3.9): per-k instruction, shared-memory/L1 and latency-hiding costs.
  const simt = w.kernel !== 'library' && !tensorPath ? simtCosts(w, tile, inBytes, registersDemand, blocksPerSM, gpu) : undefined;
  // The clock a long full-chip GEMM sustains (§3.10): documented, or capped by the board's power budget.
  const clock = sustainedClock(gpu, tensorPath ? 'tensor' : 'simt');
  if (clock.fallbackNote) notes.push(clock.fallbackNote);
  else if (clock.source !== 'boost') notes.push(`sustained clock ${clock.reason}`);
  // SIMT FP32 on cc 8.6/8.9/12.x: the doubled FP32 lanes share a datapath with INT32 (§3.11).
  const architecture = simtArchitecture(gpu?.computeCapability, gpu?.limits?.maxRegistersPerThread);
  const simtIssueEfficiency = peak.peak === 'fp32' ? architecture.fp32IssueEfficiency : 1;
  // fp8/fp4 tensor peaks: the board's power covers fewer of their (cheaper, but not 2-4x cheaper)
  // operations per second than the datasheet's doubled rate (§3.10, narrow-precision power roof).
  const energyRoof = tensorPath ? narrowTensorEnergyRoof(gpu, peak.peak, peak.tflops) : { fractionOfPeak: 1, reason: '' };
  if (energyRoof.fractionOfPeak < clock.fractionOfBoost) notes.push(energyRoof.reason);
  // Library SIMT SGEMM (§3.5, "Operand feed"): each k step stages (BM+BN) words of A and B per BM·BN
  // FMAs; at full FMA rate an SM needs lanes·bytes·(BM+BN)/(BM·BN) bytes per clock of operand feed, and
  // the two overlap imperfectly (the L2 norm of §3.9), so small tiles run below the large tiles' rate.
  const librarySimt = w.kernel === 'library' && !tensorPath && !simt;
  const operandFeedBytesPerClock = librarySimt ? operandFeedPerClock(gpu?.fp32LanesPerSM, inBytes, BM, BN) : NaN;
  const operandFeedFraction = librarySimt && Number.isFinite(operandFeedBytesPerClock) ? 1 / Math.hypot(1, operandFeedBytesPerClock / C.operandFeedBytesPerClockPerSM) : 1;

  // Everything below depends on the split-K factor; evaluated once, or per candidate split.
  const evaluate = (splitK: number) => {
    // Tiles and waves (NVIDIA Matrix Multiplication Background: tile and wave quantisation).
    const tilesM = cdiv(m, BM), tilesN = cdiv(n, BN);
    const tilesPerBatch = tilesM * tilesN * splitK;
    const tiles = batch * tilesPerBatch;
    const slots = blocksPerSM * smCount;
    const waves = tiles / slots;
    const waveEfficiency = tiles / (Math.ceil(waves) * slots);
    // A persistent kernel's programs each run ceil(tiles / programs) tiles in turn, and an SM holds
    // ceil(programs / SMs) of them: 8 programs on 132 SMs leave 124 idle (a grid of NUM_SMS, none).
    const programs = pos(w.programs) ? Math.min(w.programs, tiles) : NaN;
    const tilesPerSM = pos(programs) ? Math.ceil(tiles / programs) * Math.ceil(programs / smCount) : Math.ceil(tiles / smCount);
    const smBusyFraction = tiles / (tilesPerSM * smCount);
    const tileQuantEfficiency = (m * n) / (tilesM * BM * tilesN * BN);
    const kSlice = k / splitK;
    const kIterations = Math.ceil(kSlice / BK);

    // Work.
    const flops = 2 * m * n * k * batch;
    const tileFlops = 2 * BM * BN * kIterations * BK;
    const paddedFlops = tiles * tileFlops;

    // Traffic. A is read once per column of tiles, B once per row of tiles, C written once; split-K
    // adds fp32 partials written and read back by the reduction. Fused attention's A is Q alone: the
    // K-long panel of probabilities is computed on chip (GemmWorkload.attention).
    // Grouped-query attention reads each K/V head once for its group of query heads (batch counts query heads).
    const kvShare = w.attention?.kvGroup && w.attention.kvGroup > 1 ? 1 / w.attention.kvGroup : 1;
    // The backward pass also reads the output gradient dO, as large as Q.
    const queryReads = w.attention?.backward ? 2 : 1;
    const aOnce = (w.attention ? queryReads * m * w.attention.headDim : m * k) * inBytes, bOnce = k * n * inBytes * kvShare;
    const cBytes = m * n * outBytes + (splitK > 1 ? m * n * 4 * 2 * splitK : 0);
    const bytesTiled = batch * (aOnce * tilesN + bOnce * tilesM + cBytes);
    const bytesIdeal = batch * (aOnce + bOnce + cBytes);
    // L2 model (docs/performance-model.md, "L2 reuse"). A wave of W resident tiles advances through K
    // roughly in lockstep, so tiles of one wave that share an A row panel or a B column panel read it
    // from DRAM once. Libraries, CUTLASS and Triton's grouped ordering launch tiles in swizzled groups,
    // so a wave covers a near-square patch of R x C tiles (R·BM ≈ C·BN); hand-written kernels launch
    // in plain row-major order (a wave covers W / tilesN rows). Re-reads by later waves hit L2 when the
    // data touched in between fits: for A the group's A panels plus one wave's B panels, for B all of
    // B plus the group's A panels.
    const W = Math.min(tilesPerBatch, slots);
    const grouped = w.kernel === 'library' || w.kernel === 'cutlass' || w.kernel === 'triton';
    let rowsInWave = grouped ? Math.min(tilesM, Math.max(1, Math.sqrt((W * BN) / BM))) : Math.min(tilesM, Math.max(1, W / tilesN));
    const colsInWave = Math.min(tilesN, Math.max(1, W / rowsInWave));
    rowsInWave = Math.min(tilesM, Math.max(1, W / colsInWave));
    const groupsA = tilesN / colsInWave; // wave groups along N: each reads every A panel once
    const groupsB = tilesM / rowsInWave; // wave groups along M: each reads every B panel once
    const wsA = (rowsInWave * BM + colsInWave * BN) * k * inBytes;
    const wsB = (n + rowsInWave * BM) * k * inBytes;
    const l2MissA = groupsA > 1 ? l2MissFraction(wsA, l2Bytes) : 0;
    const l2MissB = groupsB > 1 ? l2MissFraction(wsB, l2Bytes) : 0;
    // L2 residency across calls (§3.4): when the call repeats over few operand copies, the compulsory
    // reads (and C's write-back) hit L2 by the same capacity test, with all copies as the working set.
    const crossCallMiss = crossCallMissFraction(w.repeatedCalls, batch * aOnce, batch * bOnce, batch * cBytes, l2Bytes);
    const readsA = crossCallMiss + (groupsA - 1) * Math.min(l2MissA, crossCallMiss);
    const readsB = crossCallMiss + (groupsB - 1) * Math.min(l2MissB, crossCallMiss);
    const dramBytes = batch * (aOnce * readsA + bOnce * readsB + cBytes * crossCallMiss);

    // The power roofs at this GEMM's activity (§3.10): SMs without tiles draw no GEMM power, so a GEMM
    // that keeps a share of them busy over its run is held to that share of the roofs' power need.
    const roof = clockAtActivity(clock, smBusyFraction);
    const clockFraction = Math.min(roof.fractionOfBoost, Math.min(1, roofAtActivity(energyRoof.fractionOfPeak, smBusyFraction)));
    const sustainedPeakTflops = peak.tflops * clockFraction * simtIssueEfficiency;
    const peakFlopsPerS = sustainedPeakTflops * 1e12;
    const clockHz = roof.clockMHz * 1e6;
    // Library SIMT runs at the tile's rate at boost, capped by the power roof as a throughput: at power
    // headroom h the board's power covers h x simtComputeEfficiency of the fp32 peak (the design-point
    // efficiency the roof's reference stands for), whatever the tile. A tile that stalls on operand feed
    // draws less power per second, so the roof binds on power-capped boards and the tile on the others.
    const libraryEfficiency = librarySimt
      ? Math.min((C.librarySimtEfficiency * operandFeedFraction) / roof.fractionOfBoost, Number.isFinite(roof.powerHeadroom) ? (C.simtComputeEfficiency * roof.powerHeadroom) / roof.fractionOfBoost : Infinity)
      : NaN;
    const bandwidthBps = bandwidthGBps * 1e9;
    const arithmeticIntensity = flops / dramBytes;
    const arithmeticIntensityIdeal = flops / bytesIdeal;
    const ridgePointFlopsPerByte = peakFlopsPerS / bandwidthBps;
    const sharedMemBytesPerTile = w.kernel === 'naive' ? 0
      : kIterations * BK * ((BM + BN) * inBytes + threads * (tile.threadM + tile.threadN) * inBytes);

    // Times. Compute: the busiest SM runs tilesPerSM tiles at its share of the peak.
    const efficiency = peak.peak?.endsWith('Tensor') ? C.tensorComputeEfficiency : librarySimt ? libraryEfficiency : C.simtComputeEfficiency;
    // Hand-written SIMT kernels reach that peak only at the fraction latency hiding allows (§3.9).
    const achievedFraction = simt ? simt.achievedFraction : 1;
    // Fused attention adds its softmax: one exponential per score, BM × k/2 per tile (k = 2·seqKv), on the
    // special-function units, taken as serial with the tensor-core work (a FlashAttention-2-style loop;
    // FlashAttention-3 overlaps the two, so there this is an upper bound). The backward pass (k: its products
    // times the forward's k / 2) recomputes P once per softmax pass: passes / products exponentials per unit of k.
    const exponentialsPerK = w.attention?.backward ? w.attention.backward.softmaxPasses / w.attention.backward.products : 1 / 2;
    const softmaxTimeMs = w.attention ? (tilesPerSM * BM * (kIterations * BK * exponentialsPerK)) / (C.exponentialsPerClockPerSM * clockHz) * 1e3 : 0;
    const computeTimeMs = (tilesPerSM * tileFlops) / ((peakFlopsPerS * efficiency * achievedFraction) / smCount) * 1e3 + softmaxTimeMs;
    // Memory: DRAM bandwidth, capped by Little's law when few SMs with shallow pipelines are active:
    // bytes in flight per SM = blocksPerSM x (stages-1 or 1) x stage bytes (at least
    // minInFlightBytesPerSM: warps also prefetch into registers), over the DRAM latency.
    const activeSMs = Math.min(tiles, smCount);
    const stageBytes = (BM + BN) * BK * inBytes;
    const inFlightPerSM = Math.max(C.minInFlightBytesPerSM, Math.min(blocksPerSM, cdiv(tiles, activeSMs)) * Math.max(1, stages - 1) * stageBytes);
    const inFlightBytes = activeSMs * inFlightPerSM;
    const littleBps = inFlightBytes / (C.dramLatencyUs * 1e-6);
    const effectiveBps = Math.min(bandwidthBps * C.memoryEfficiency, littleBps);
    const memoryTimeMs = dramBytes / effectiveBps * 1e3;
    const l2TimeMs = bytesTiled / (bandwidthBps * C.l2BandwidthFactor) * 1e3;
    // SIMT tiling terms: the busiest SM runs tilesPerSM x warps x K warp-steps of the main loop.
    const warpSteps = tilesPerSM * Math.ceil(threads / 32) * kIterations * BK;
    const issueTimeMs = simt ? (warpSteps * simt.instrPerWarpPerK) / (SIMT_CONSTANTS.schedulersPerSM * simt.issuePerScheduler * clockHz * achievedFraction) * 1e3 : NaN;
    const sharedMemTimeMs = simt ? (warpSteps * simt.sharedWavefrontsPerWarpPerK) / clockHz * 1e3 : NaN;
    const l1TimeMs = simt ? (warpSteps * simt.l1WavefrontsPerWarpPerK) / clockHz * 1e3 : NaN;
    const onChipMs = simt ? sharedMemTimeMs + l1TimeMs : 0;
    // Library kernels overlap their pipes: the largest time wins. Hand-written SIMT loops overlap them
    // imperfectly (a warp waiting on a shared load issues no FMA): their five times combine as an L2
    // norm, the max when one dominates and √2·max when two are equal (§3.9).
    const rooflineTimeMs = simt ? Math.hypot(computeTimeMs, memoryTimeMs, l2TimeMs, issueTimeMs, onChipMs)
      : Math.max(computeTimeMs, memoryTimeMs, l2TimeMs);
    const rounds = pos(programs) ? Math.ceil(tiles / programs) : Math.ceil(tilesPerSM / blocksPerSM);
    const prologueMs = rounds * C.dramLatencyUs * 1e-3;
    const launchFloorMs = launchFloorMsOf(gpu);
    // Dynamic activation quantisation (fp8 per-tensor/per-block, NVFP4, SmoothQuant) runs a separate
    // kernel first: one launch floor + one DRAM latency + reading A in 16 bits and writing it quantised.
    const quant = (w.quantization ?? '').toLowerCase();
    const dynamicQuant = quantFlags(quant).dynamic === 1;
    // A per-tensor scale (quantization 'fp8') needs the amax of all of A before any element is
    // scaled: a reduction kernel over A first (vLLM's dynamic scaled_fp8_quant launches
    // segmented_max_reduction, then scaled_fp8_quant_kernel); per-token, per-group and per-block
    // scales are computed inside the one quantisation kernel.
    const perTensorAmax = quant === 'fp8';
    // The quantising pass then finds A in L2 when A fits (the capacity test of §3.4).
    const a16Bytes = batch * m * k * 2;
    const quantReadBytes = perTensorAmax ? a16Bytes * l2MissFraction(a16Bytes, l2Bytes) : a16Bytes;
    const quantPassMs = dynamicQuant
      ? launchFloorMs + C.dramLatencyUs * 1e-3 + (quantReadBytes + batch * m * k * inBytes) / (bandwidthBps * C.memoryEfficiency) * 1e3
        + (perTensorAmax ? launchFloorMs + C.dramLatencyUs * 1e-3 + a16Bytes / (bandwidthBps * C.memoryEfficiency) * 1e3 : 0)
      : 0;
    // Split-K (§3.7): the K slices' fp32 partials are summed by a second kernel (cuBLAS's
    // splitKreduce_kernel, in NeuSight's kernel lists; CUTLASS's parallel split-K reduction), which
    // waits for the GEMM: one more launch and one DRAM round trip (its traffic is in cBytes above).
    const splitKReduceMs = splitK > 1 ? launchFloorMs + C.dramLatencyUs * 1e-3 : 0;
    const timeMs = launchFloorMs + rooflineTimeMs + prologueMs + quantPassMs + splitKReduceMs;
    const memTimeMs = Math.max(memoryTimeMs, l2TimeMs);
    const largest = Math.max(computeTimeMs, memTimeMs, simt ? issueTimeMs : 0, onChipMs);
    const timeLimiter: Limiter = launchFloorMs + prologueMs + quantPassMs + splitKReduceMs >= rooflineTimeMs ? 'latency'
      : computeTimeMs >= largest ? 'compute'
        : simt && issueTimeMs >= largest ? 'issue'
          : simt && onChipMs >= largest && onChipMs > memTimeMs ? 'shared-memory' : 'memory';
    const bound: Bound = timeLimiter === 'shared-memory' || timeLimiter === 'issue' ? 'compute' : timeLimiter;

    return { splitK, tilesM, tilesN, tiles, waves, waveEfficiency, tilesPerSM, smBusyFraction, tileQuantEfficiency, kIterations, flops, paddedFlops, bytesTiled, bytesIdeal, dramBytes, l2MissA, l2MissB, crossCallMiss, readsA, readsB, arithmeticIntensity, arithmeticIntensityIdeal, ridgePointFlopsPerByte, sharedMemBytesPerTile, computeTimeMs, memoryTimeMs, l2TimeMs, rooflineTimeMs, prologueMs, launchFloorMs, quantPassMs, splitKReduceMs, timeMs, bound, timeLimiter, issueTimeMs, sharedMemTimeMs, l1TimeMs, sustainedClockMHz: roof.clockMHz, clockFraction, sustainedPeakTflops };
  };

  // Library (and defaulted) tiles: the split-K factor is the one that minimises the estimate among
  // 1, 2, 4, ... 32 (K slices of at least 4·BK), as a tuned library's heuristic aims to; taking the
  // minimum over configurations also keeps the estimate monotone in m, n and k.
  const searchSplit = (resolved.source === 'library-heuristic' || resolved.source === 'default') && !resolved.splitFixed;
  let best = evaluate(splitK);
  if (searchSplit) {
    for (let s = 1; s <= 32; s *= 2) {
      if (s === splitK || (s > 1 && k / s < 4 * BK)) continue;
      const e = evaluate(s);
      if (e.timeMs < best.timeMs * (1 - 1e-9) || (!(best.timeMs > 0) && e.timeMs > 0)) best = e;
    }
  }
  const { tilesM, tilesN, tiles, waves, waveEfficiency, tilesPerSM, smBusyFraction, tileQuantEfficiency, kIterations, flops, paddedFlops, bytesTiled, bytesIdeal, dramBytes, l2MissA, l2MissB, crossCallMiss, readsA, readsB, arithmeticIntensity, arithmeticIntensityIdeal, ridgePointFlopsPerByte, sharedMemBytesPerTile, computeTimeMs, memoryTimeMs, l2TimeMs, rooflineTimeMs, prologueMs, launchFloorMs, quantPassMs, splitKReduceMs, timeMs, bound, timeLimiter, issueTimeMs, sharedMemTimeMs, l1TimeMs, sustainedClockMHz, clockFraction, sustainedPeakTflops } = best;
  const fullChipClockFraction = Math.min(clock.fractionOfBoost, energyRoof.fractionOfPeak);
  // A note only where the share moves the peak by more than 2% (a nearly full last wave is not worth one).
  if (clockFraction > fullChipClockFraction * 1.02)
    notes.push(
      `${Math.round(smBusyFraction * 100)}% of the SMs busy: the power roofs allow ${Math.round(clockFraction * 100)}% of the datasheet peak (${Math.round(sustainedClockMHz)} MHz), not a full-chip GEMM's ${Math.round(fullChipClockFraction * 100)}%`,
    );

  const valid = [m, n, k, inBytes, peak.tflops, smCount, bandwidthGBps, timeMs].every((v) => Number.isFinite(v) && v > 0);
  if (!valid) notes.push('incomplete inputs: estimate is NaN');
  return {
    valid, notes,
    tile, tileSource: resolved.source, libraryKernelName: resolved.name, splitK: best.splitK,
    threadsPerBlock: threads, registersPerThread, registersSource, registersDemand, registersLowerBound, sharedMemPerBlockBytes, sharedMemSource,
    blocksPerSM, occupancy, occupancyLimiter: limiter, launchable, smCount,
    tilesM, tilesN, tiles, waves, waveEfficiency, tilesPerSM, smBusyFraction, tileQuantEfficiency, kIterations,
    idleSmShare: pos(w.programs) && w.programs < smCount ? 1 - w.programs / smCount : 0,
    flops, paddedFlops, bytesTiled, bytesIdeal, dramBytes, l2MissA, l2MissB, crossCallMiss, readsA, readsB,
    arithmeticIntensity, arithmeticIntensityIdeal, ridgePointFlopsPerByte, sharedMemBytesPerTile,
    peak, usesTensorCores: tensor,
    computeTimeMs, memoryTimeMs, l2TimeMs, rooflineTimeMs, prologueMs, launchFloorMs, quantPassMs, splitKReduceMs,
    simtTiling: simt !== undefined, issueTimeMs, sharedMemTimeMs, l1TimeMs, simt,
    ilp: tile.threadM * tile.threadN, achievedFraction: simt ? simt.achievedFraction : 1, coalescingFactor: simt ? simt.coalescingFactor : 1,
    timeMs: valid ? timeMs : NaN, bound, timeLimiter, achievedTflops: valid ? flops / (timeMs * 1e-3) / 1e12 : NaN,
    sustainedClockMHz, clockFraction, fullChipClockFraction, clockSource: clock.source, simtIssueEfficiency, sustainedPeakTflops,
    operandFeedFraction,
  };
}

/**
 * Inputs of simtTilingCosts from the workload (§3.9). CLBlast: MDIMC threads along M (local id 0),
 * MDIMA/NDIMB load layouts, STRM/STRN, SA/SB, VWM/VWN. Other hand-written kernels: threadIdx.x runs
 * along N (a warp covers min(32, BN/TN) columns), operands staged in shared memory (naive: none) and
 * read with conflict-free, coalesced layouts.
 */
function simtCosts(w: GemmWorkload, tile: AnalyticEstimate['tile'], inBytes: number, registersDemand: number, blocksPerSM: number, gpu: GpuSpec): SimtTilingCosts {
  const nat = w.tile?.native ?? {};
  const n = (key: string, d: number): number => (typeof nat[key] === 'number' && Number.isFinite(nat[key]) ? nat[key] : d);
  const clblast = w.kernel === 'clblast-xgemm';
  const vectorM = pos(w.tile?.vectorWidth) ? w.tile.vectorWidth : n('VWM', 1);
  const vectorN = clblast ? n('VWN', 1) : vectorM;
  const threadsAlongN = Math.max(1, Math.min(32, tile.blockN / Math.max(1, tile.threadN)));
  const staged = w.kernel === 'naive' ? 0 : 1;
  return simtTilingCosts({
    blockM: tile.blockM, blockN: tile.blockN, blockK: tile.blockK, threads: tile.threads,
    threadM: tile.threadM, threadN: tile.threadN, vectorM, vectorN,
    stagedA: clblast ? n('SA', 1) : staged, stagedB: clblast ? n('SB', 1) : staged,
    warpThreadsM: clblast ? Math.min(32, n('MDIMC', tile.blockM / Math.max(1, tile.threadM))) : Math.max(1, 32 / threadsAlongN),
    loadThreadsA: clblast ? n('MDIMA', 32) : 32, loadThreadsB: clblast ? n('NDIMB', 32) : 32,
    stridedM: clblast ? n('STRM', 0) : 1, stridedN: clblast ? n('STRN', 0) : 1,
    elementBytes: inBytes, registersDemand,
    activeWarpsPerSM: blocksPerSM * Math.ceil(tile.threads / 32), fp32LanesPerSM: gpu?.fp32LanesPerSM ?? NaN,
    architecture: simtArchitecture(gpu?.computeCapability, gpu?.limits?.maxRegistersPerThread),
  });
}
