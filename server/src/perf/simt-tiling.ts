// Per-k-step costs of a hand-written SIMT tiled GEMM main loop (CLBlast Xgemm, shared-memory tiled,
// naive): FMA and load instructions, shared-memory/L1 wavefronts (bank conflicts and broadcast),
// global-load coalescing, register spilling and latency hiding (Little's law). Pure arithmetic over
// plain data: no I/O, never throws; unknown inputs give NaN. Formulas: docs/performance-model.md §3.9.
// Sources:
//  - NVIDIA CUDA C++ Best Practices Guide, "Shared Memory" (32 banks of 4 bytes, one request per clock
//    per SM, n-way bank conflicts serialise, a word read by many threads is broadcast) and "Coalesced
//    Access to Global Memory" (32-byte sectors).
//  - V. Volkov, "Better performance at lower occupancy", GTC 2010: latency hiding needs
//    warps x ILP >= latency x throughput (Little's law); register blocking cuts shared loads per FMA.
//  - S. Boehm, "How to optimize a CUDA matmul kernel for cuBLAS-like performance" (2022) and CUTLASS's
//    "Efficient GEMM in CUDA": a TM x TN outer-product thread tile needs TM + TN operand loads for TM·TN FMAs.
//  - C. Nugteren, CLBlast (xgemm_part1..3.opencl): thread layout (local id 0 along M), STRM/STRN
//    strided access, MDIMA/NDIMB global-to-local load layouts, SA/SB local-memory staging.
//  - Z. Jia et al., "Dissecting the NVIDIA Volta GPU architecture via microbenchmarking" (2018) and
//    "... Turing T4 ..." (2019): FFMA latency 4 cycles, shared-memory load latency ~20-30 cycles; their
//    comparison table gives dependent-arithmetic latency 9 cycles on Kepler, 6 on Maxwell and Pascal.
//  - NVIDIA Kepler GK110 whitepaper, "SMX Processing Core Architecture": 192 FP32 lanes and 4 warp
//    schedulers with 2 dispatch units each per SMX; filling the lanes needs pairs of independent
//    instructions (ILP). CUDA C++ Programming Guide, compute-capability table: 63 registers per thread on
//    cc 3.0, 255 from cc 3.5.

/** Constants of the per-SM pipelines, one value for every GPU (Volta and later; see the sources above). */
export const SIMT_CONSTANTS = {
  /** Warp schedulers per SM, each issuing one warp instruction per clock (Volta..Blackwell). */
  schedulersPerSM: 4,
  /** Shared-memory/L1 data path: 32 banks x 4 B per clock per SM = one 128-byte wavefront per clock. */
  sharedBytesPerClockPerSM: 128,
  /** Dependent FFMA latency, cycles (Jia et al. 2018/2019: 4 on Volta and Turing). */
  fmaLatencyCycles: 4,
  /** Shared-memory load latency, cycles (Jia et al.: ~19-30 on Volta/Turing; L1 hits ~28-32). */
  sharedLatencyCycles: 30,
  /** Loop/address instructions per thread per k step besides FMAs and operand loads. */
  overheadInstrPerK: 1,
  /** Hardware cap on registers per thread when the compute capability's is unknown; beyond it ptxas spills. */
  maxRegistersPerThread: 255,
  /**
   * Local-memory accesses per spilled register per k step. Calibrated on Kernel Tuner's configurations
   * that spill (2,244 per GPU on the RTX 2080 Ti, RTX 3090 and Titan RTX, registersDemand > 255): 1 gives
   * Spearman 0.80-0.81 on all three; 0 gives 0.71-0.75 and 2 (a load and a store of every spilled
   * accumulator) 0.75-0.77, with the spilled configurations then predicted slower than measured
   * relative to the rest (docs/performance-model.md §3.11).
   */
  spillAccessesPerK: 1,
  /**
   * Share of the datasheet FP32 peak a GEMM main loop can issue on compute capabilities whose doubled
   * FP32 lanes share their second datapath with INT32 (cc 8.6, 8.9, 12.x: "dual-issue" FP32): the best of
   * Kernel Tuner's 17,956 CLBlast configurations reaches 0.68 of the datasheet peak on the RTX 3090
   * (cc 8.6) and 0.89 on the RTX 2080 Ti (cc 7.5, same kernel and tuner), 0.68 / 0.89 = 0.77
   * (docs/performance-model.md §3.11). Derived once from those two GPUs, used for every such GPU.
   */
  dualIssueFp32Efficiency: 0.77,
};

/** Per-architecture parameters of the SIMT main loop (docs/performance-model.md §3.11). */
export interface SimtArchitecture {
  /** Registers per thread before ptxas spills (compute capability table: 63 on cc 3.0, 255 after). */
  maxRegistersPerThread: number;
  /** Dependent FFMA latency, cycles: 9 Kepler, 6 Maxwell/Pascal, 4 Volta and later (Jia et al.). */
  fmaLatencyCycles: number;
  /** Instructions one scheduler can issue per clock: 2 on Kepler (two dispatch units, independent pairs only), else 1. */
  issuePerScheduler: number;
  /** Share of the datasheet FP32 peak the FP32 datapaths can be fed in a GEMM loop (dualIssueFp32Efficiency on cc 8.6/8.9/12.x, else 1). */
  fp32IssueEfficiency: number;
}

/** SIMT main-loop parameters of a compute capability ("8.6"); unknown or malformed ones get Volta-and-later values. */
export function simtArchitecture(computeCapability: string | undefined, maxRegistersPerThread?: number): SimtArchitecture {
  const cc = Number.parseFloat(String(computeCapability ?? ''));
  const major = Math.floor(cc);
  const regs =
    Number.isFinite(maxRegistersPerThread) && (maxRegistersPerThread as number) > 0 ? (maxRegistersPerThread as number) : SIMT_CONSTANTS.maxRegistersPerThread;
  const dual = cc === 8.6 || cc === 8.7 || cc === 8.9 || major === 12;
  return {
    maxRegistersPerThread: regs,
    fmaLatencyCycles: major === 3 ? 9 : major === 5 || major === 6 ? 6 : SIMT_CONSTANTS.fmaLatencyCycles,
    issuePerScheduler: major === 3 ? 2 : 1,
    fp32IssueEfficiency: dual ? SIMT_CONSTANTS.dualIssueFp32Efficiency : 1,
  };
}

export interface SimtTilingInput {
  /** Block tile and K step. */
  blockM: number;
  blockN: number;
  blockK: number;
  threads: number;
  /** Outputs per thread (outer-product register tile). */
  threadM: number;
  threadN: number;
  /** Elements per vector load along M (A) and N (B); 1 when unknown. */
  vectorM: number;
  vectorN: number;
  /** 1 when the A / B tile is staged in shared memory, 0 when loaded from global (through L1). */
  stagedA: number;
  stagedB: number;
  /** Distinct threads along M within one warp (CLBlast: min(32, MDIMC), local id 0 runs along M); the other 32 / this run along N. */
  warpThreadsM: number;
  /** Threads along M in the global-to-shared load layout of A (CLBlast MDIMA) and along N for B (NDIMB). */
  loadThreadsA: number;
  loadThreadsB: number;
  /** 1: a thread's elements are strided by the thread count (consecutive threads read consecutive vectors); 0: contiguous per thread. */
  stridedM: number;
  stridedN: number;
  /** Input element bytes (4 for fp32). */
  elementBytes: number;
  /** Registers the kernel needs before any cap (resource estimate), for the spill term. */
  registersDemand: number;
  /** Active warps per SM (occupancy calculator) and warp schedulers' FMA lanes per SM. */
  activeWarpsPerSM: number;
  fp32LanesPerSM: number;
  /** The GPU's SIMT parameters (register cap, FFMA latency, dual dispatch); Volta-and-later values when absent. */
  architecture?: SimtArchitecture;
}

export interface SimtTilingCosts {
  /** FMAs per thread per k (TM·TN) = the independent FMAs a warp can issue back to back (ILP). */
  fmaPerThreadPerK: number;
  ilp: number;
  /** Operand load instructions per thread per k: TM/VWM + TN/VWN, plus staging copies and spill accesses. */
  loadInstrPerThreadPerK: number;
  /** All warp instructions per warp per k: FMAs + loads + overhead. */
  instrPerWarpPerK: number;
  /** 128-byte shared-memory wavefronts per warp per k for staged operands (bank conflicts included). */
  sharedWavefrontsPerWarpPerK: number;
  /** 128-byte L1 wavefronts per warp per k for operands loaded from global (one per cache line touched) and spills. */
  l1WavefrontsPerWarpPerK: number;
  /** Shared-memory bytes per warp per k as requested by the threads (no broadcast credit), for reference. */
  sharedBytesPerWarpPerK: number;
  /** Useful / fetched bytes of the global loads (32-byte sectors), 0..1, weighted over A and B tiles. */
  coalescingFactor: number;
  /** Registers above the compute capability's cap (63 on cc 3.0, else 255) that ptxas would spill (0 when none). */
  spilledRegisters: number;
  /** Warp instructions one scheduler issues per clock in this loop: 1, or up to 2 on Kepler when the FMAs are independent. */
  issuePerScheduler: number;
  /** Fraction of the FMA/issue peak latency hiding allows: min(1, warps per scheduler x ILP / (latency x rate)). */
  achievedFraction: number;
}

const fin = (v: number): boolean => Number.isFinite(v);
const posOr = (v: number, d: number): number => (Number.isFinite(v) && v > 0 ? v : d);

/**
 * Wavefronts one warp load instruction needs when `threads` distinct threads each read `vector`
 * consecutive 4-byte words, consecutive threads `strideWords` words apart (threads reading the same
 * address are broadcast and not counted). Shared memory: the most distinct words mapped to one of the
 * 32 banks, at least distinct bytes / 128. L1 (global): the number of distinct 128-byte lines.
 */
export function wavefrontsPerLoad(threads: number, strideWords: number, vector: number, shared: boolean): number {
  const t = Math.max(1, Math.min(32, Math.round(posOr(threads, 1))));
  const v = Math.max(1, Math.min(32, Math.round(posOr(vector, 1))));
  const s = Math.max(1, Math.round(posOr(strideWords, 1)));
  // Thread i reads words [i·s, i·s + v − 1]: intervals in increasing order, so their union is one sweep
  // (no sets: this runs for every tile candidate a code action ranks).
  let lastWord = -1;
  let lastLine = -1;
  let words = 0;
  let lines = 0;
  perBank.fill(0);
  for (let i = 0; i < t; i++) {
    const first = Math.max(i * s, lastWord + 1);
    const end = i * s + v - 1;
    for (let w = first; w <= end; w++) {
      words++;
      perBank[w % 32]++;
      const line = Math.floor(w / 32);
      if (line > lastLine) {
        lines++;
        lastLine = line;
      }
    }
    lastWord = Math.max(lastWord, end);
  }
  if (!shared) return lines;
  let most = 0;
  for (let b = 0; b < 32; b++) most = Math.max(most, perBank[b]!);
  return Math.max(most, Math.ceil(words / 32));
}
const perBank = new Int32Array(32);

/** Useful fraction of the 32-byte sectors a warp's global load touches (CUDA Best Practices, coalescing). */
export function sectorEfficiency(threads: number, strideWords: number, vector: number, elementBytes: number): number {
  const t = Math.max(1, Math.min(32, Math.round(posOr(threads, 1))));
  const v = Math.max(1, Math.round(posOr(vector, 1)));
  const s = Math.max(v, Math.round(posOr(strideWords, 1)));
  const b = posOr(elementBytes, 4);
  // Thread i covers sectors floor(i·s·b / 32) .. floor((i·s + v − 1)·b / 32); the ranges come in order.
  let sectors = 0;
  let last = -1;
  for (let i = 0; i < t; i++) {
    const first = Math.floor((i * s * b) / 32);
    const end = Math.floor(((i * s + v - 1) * b) / 32);
    if (end > last) sectors += end - Math.max(first, last + 1) + 1;
    last = Math.max(last, end);
  }
  return Math.min(1, (t * v * b) / (sectors * 32));
}

/** Per-k costs of the SIMT tiled main loop. See docs/performance-model.md §3.9 for the derivation. */
export function simtTilingCosts(x: SimtTilingInput): SimtTilingCosts {
  const C = SIMT_CONSTANTS;
  const TM = posOr(x.threadM, 1),
    TN = posOr(x.threadN, 1);
  const VM = Math.min(TM, posOr(x.vectorM, 1)),
    VN = Math.min(TN, posOr(x.vectorN, 1));
  const T = posOr(x.threads, NaN);
  const sa = x.stagedA > 0 ? 1 : 0,
    sb = x.stagedB > 0 ? 1 : 0;
  const BM = posOr(x.blockM, NaN),
    BN = posOr(x.blockN, NaN);
  const fma = TM * TN;
  // Threads of one warp along M and N (local id 0 runs along M): the rest read the same A (B) values.
  const warpM = Math.max(1, Math.min(32, posOr(x.warpThreadsM, 1)));
  const warpN = Math.max(1, Math.min(32, Math.floor(32 / warpM)));
  // A thread's TM values: contiguous (stride TM words between threads) unless strided access is on.
  const strideA = x.stridedM > 0 ? VM : TM;
  const strideB = x.stridedN > 0 ? VN : TN;
  const instrA = TM / VM,
    instrB = TN / VN;
  const fronts = (shared: boolean, threads: number, stride: number, vec: number): number => wavefrontsPerLoad(threads, stride, vec, shared);
  const frontsA = instrA * fronts(sa === 1, warpM, strideA, VM);
  const frontsB = instrB * fronts(sb === 1, warpN, strideB, VN);
  // Global loads: A through the MDIMA layout when staged, else each thread's own TM values (likewise B).
  const effA = sa
    ? sectorEfficiency(posOr(x.loadThreadsA, warpM), x.stridedM > 0 ? VM : posOr(BM / posOr(x.loadThreadsA, warpM), 1), VM, x.elementBytes)
    : sectorEfficiency(warpM, strideA, VM, x.elementBytes);
  const effB = sb
    ? sectorEfficiency(posOr(x.loadThreadsB, warpN), x.stridedN > 0 ? VN : posOr(BN / posOr(x.loadThreadsB, warpN), 1), VN, x.elementBytes)
    : sectorEfficiency(warpN, strideB, VN, x.elementBytes);
  const coalescingFactor = fin(BM) && fin(BN) ? (BM + BN) / (BM / effA + BN / effB) : (effA + effB) / 2;
  // Global -> shared staging loads pass through L1: (sa·BM + sb·BN) / T elements per thread per k, one
  // 128-byte wavefront per 32 elements per warp when coalesced, 1 / efficiency times that when not.
  const stagingLoadFronts = fin(T) ? ((sa * BM) / effA + (sb * BN) / effB) / T : 0;
  // Staging: each k step the block copies BM·sa + BN·sb elements global -> shared (a load and a store).
  const stagingInstr = fin(T) ? (2 * ((sa * BM) / VM + (sb * BN) / VN)) / T : 0;
  const arch = x.architecture ?? simtArchitecture(undefined);
  const spilledRegisters = fin(x.registersDemand) ? Math.max(0, Math.ceil(x.registersDemand) - arch.maxRegistersPerThread) : 0;
  // Spilled registers are accessed spillAccessesPerK times per k step: one instruction and one 128-byte
  // L1 wavefront each (local memory is interleaved per thread, so a warp's access is coalesced).
  const spillAccesses = C.spillAccessesPerK * spilledRegisters;
  const loadInstr = instrA + instrB + stagingInstr + spillAccesses;
  // Staging stores: (sa·BM + sb·BN) / T elements per thread per k, 32 x 4 B = one wavefront per element.
  const stagingStoreFronts = fin(T) ? (sa * BM + sb * BN) / T : 0;
  const sharedWavefronts = sa * frontsA + sb * frontsB + stagingStoreFronts;
  const l1Wavefronts = (1 - sa) * frontsA + (1 - sb) * frontsB + stagingLoadFronts + spillAccesses;
  const sharedBytes = 32 * (sa * TM + sb * TN) * posOr(x.elementBytes, 4);
  // Little's law (Volkov 2010): a scheduler keeps its FMA pipe busy when warps x ILP independent FMAs
  // cover latency x rate (rate = lanes / 32 / schedulers warp-FMAs per clock), and its share of the
  // load path busy when warps x wavefronts per k cover the shared-memory latency at 1/schedulers
  // wavefronts per clock (the loads of one k step are independent of each other).
  const warpsPerScheduler = posOr(x.activeWarpsPerSM, 1) / C.schedulersPerSM;
  const fmaRate = posOr(x.fp32LanesPerSM, 128) / 32 / C.schedulersPerSM;
  const fmaHidden = (warpsPerScheduler * fma) / (arch.fmaLatencyCycles * fmaRate);
  const loadHidden = (warpsPerScheduler * (frontsA + frontsB)) / (C.sharedLatencyCycles / C.schedulersPerSM);
  // Kepler: 1.5 warp-FMAs per clock per scheduler fill the 192 lanes only by dual-issuing independent
  // instructions; a thread tile with one FMA per k (ILP 1) issues one per clock, 1 / 1.5 of the lanes.
  const issuePerScheduler = fma >= 2 ? arch.issuePerScheduler : 1;
  const dualIssueLimit = Math.min(1, issuePerScheduler / fmaRate);
  const achievedFraction = Math.min(1, fmaHidden, loadHidden, dualIssueLimit);
  return {
    fmaPerThreadPerK: fma,
    ilp: fma,
    loadInstrPerThreadPerK: loadInstr,
    instrPerWarpPerK: fma + loadInstr + C.overheadInstrPerK,
    sharedWavefrontsPerWarpPerK: sharedWavefronts,
    l1WavefrontsPerWarpPerK: l1Wavefronts,
    sharedBytesPerWarpPerK: sharedBytes,
    coalescingFactor,
    spilledRegisters,
    issuePerScheduler,
    achievedFraction,
  };
}
