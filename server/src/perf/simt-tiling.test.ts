// Hand-worked checks of the SIMT tiling terms (simt-tiling.ts): shared-memory bank conflicts and
// broadcast, L1 lines, sector coalescing, per-k instruction counts, spills and latency hiding, and how
// analyticEstimate uses them for a 16x16 shared-memory tiled SGEMM on the toy GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sectorEfficiency, simtArchitecture, simtTilingCosts, SIMT_CONSTANTS, wavefrontsPerLoad, type SimtTilingInput } from './simt-tiling';
import { analyticEstimate } from './analytic-model';
import { toyGpu } from './perf-test-fixtures';

const near = (actual: number, expected: number, rel = 1e-9) => assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} != ${expected}`);

test('simt: shared-memory wavefronts count bank conflicts, not broadcasts; L1 counts 128-byte lines', () => {
  // 32 threads, consecutive words: one per bank -> 1 wavefront
  assert.equal(wavefrontsPerLoad(32, 1, 1, true), 1);
  // 8 threads 16 words apart: words 0,16,...,112 -> banks 0,16,0,16,... -> bank 0 holds 0,32,64,96 = 4-way
  assert.equal(wavefrontsPerLoad(8, 16, 1, true), 4);
  // 8 threads reading 4-word vectors 4 words apart: words 0..31, conflict-free -> 1
  assert.equal(wavefrontsPerLoad(8, 4, 4, true), 1);
  // 8 threads x 8-word vectors, contiguous: 64 words = 256 B -> at least 2 wavefronts
  assert.equal(wavefrontsPerLoad(8, 8, 8, true), 2);
  // one distinct thread (the rest broadcast) -> 1
  assert.equal(wavefrontsPerLoad(1, 1, 1, true), 1);
  // L1: words 0..112 step 16 lie in lines 0,0,1,1,2,2,3,3 (32 words per 128-byte line) -> 4
  assert.equal(wavefrontsPerLoad(8, 16, 1, false), 4);
  // bad inputs are clamped, never thrown
  assert.equal(wavefrontsPerLoad(Number.NaN, Number.NaN, Number.NaN, true), 1);
});

test('simt: sector efficiency of a warp load', () => {
  // 32 threads x 4 B contiguous = 128 B in 4 sectors -> 1
  assert.equal(sectorEfficiency(32, 1, 1, 4), 1);
  // 8 threads x 4 B, 8 B apart: useful 32 B, bytes 0..60 touch sectors 0 and 1 = 64 B -> 0.5
  assert.equal(sectorEfficiency(8, 2, 1, 4), 0.5);
  // 8 threads x 4 B, 64 B apart: 8 sectors of 32 B for 32 useful B -> 0.125
  assert.equal(sectorEfficiency(8, 16, 1, 4), 0.125);
});

const tiled16: SimtTilingInput = {
  blockM: 16,
  blockN: 16,
  blockK: 16,
  threads: 256,
  threadM: 1,
  threadN: 1,
  vectorM: 1,
  vectorN: 1,
  stagedA: 1,
  stagedB: 1,
  warpThreadsM: 2,
  loadThreadsA: 32,
  loadThreadsB: 32,
  stridedM: 1,
  stridedN: 1,
  elementBytes: 4,
  registersDemand: 31,
  activeWarpsPerSM: 48,
  fp32LanesPerSM: 128,
};

test('simt: 16x16 shared-memory tiled SGEMM needs 2 shared loads per FMA', () => {
  const c = simtTilingCosts(tiled16);
  assert.equal(c.fmaPerThreadPerK, 1);
  assert.equal(c.ilp, 1);
  // loads: A 1 + B 1 + staging 2 x (16 + 16) / 256 = 0.25 -> 2.25; instructions 1 FMA + 2.25 + 1 overhead
  assert.equal(c.loadInstrPerThreadPerK, 2.25);
  assert.equal(c.instrPerWarpPerK, 4.25);
  // a warp covers 16 columns x 2 rows: A 2 distinct words (1 wavefront), B 16 words (1), staging stores (16 + 16) / 256
  assert.equal(c.sharedWavefrontsPerWarpPerK, 2.125);
  // staging loads through L1, coalesced: (16 + 16) / 256
  assert.equal(c.l1WavefrontsPerWarpPerK, 0.125);
  assert.equal(c.coalescingFactor, 1);
  assert.equal(c.spilledRegisters, 0);
  // 12 warps per scheduler: FMA 12 x 1 / (4 cycles x 1 warp-FMA per clock) = 3, loads 12 x 2 / (30 / 4) = 3.2 -> 1
  assert.equal(c.achievedFraction, 1);
  // with 4 warps per SM (1 per scheduler): FMA 1 x 1 / 4 = 0.25, loads 1 x 2 / 7.5 = 0.267 -> 0.25
  assert.equal(simtTilingCosts({ ...tiled16, activeWarpsPerSM: 4 }).achievedFraction, 0.25);
});

test('simt: CLBlast STRM=0 thread tiles conflict in shared memory, SA=0 loads go through L1, spills add accesses', () => {
  // MWG=NWG=128, MDIMC=NDIMC=8: 16 x 16 per thread, no vectors, A staged, B from global
  const base: SimtTilingInput = {
    blockM: 128,
    blockN: 128,
    blockK: 32,
    threads: 64,
    threadM: 16,
    threadN: 16,
    vectorM: 1,
    vectorN: 1,
    stagedA: 1,
    stagedB: 0,
    warpThreadsM: 8,
    loadThreadsA: 8,
    loadThreadsB: 8,
    stridedM: 0,
    stridedN: 0,
    elementBytes: 4,
    registersDemand: 472,
    activeWarpsPerSM: 8,
    fp32LanesPerSM: 64,
  };
  const c = simtTilingCosts(base);
  // A: 16 loads, each 8 threads 16 words apart = 4-way conflict -> 64; staging stores 128 / 64 = 2 -> 66
  assert.equal(c.sharedWavefrontsPerWarpPerK, 66);
  // B: 16 loads by 4 threads 16 words apart = words 0..48 in lines 0,0,1,1 = 2 lines -> 32;
  // staging loads of A: MDIMA layout, 8 threads 16 words apart, efficiency 0.125 -> 128 / 0.125 / 64 = 16; spills 472 - 255 = 217
  assert.equal(c.spilledRegisters, 217);
  assert.equal(c.l1WavefrontsPerWarpPerK, 32 + 16 + 217);
  // loads 16 + 16 + staging 2 x 128 / 64 = 4 + 217 spills = 253; FMAs 256
  assert.equal(c.loadInstrPerThreadPerK, 253);
  assert.equal(c.instrPerWarpPerK, 256 + 253 + 1);
  // coalescing: A 0.125 (MDIMA layout, 16 words apart), B 4 threads 16 words apart = 0.125 -> 0.125
  assert.equal(c.coalescingFactor, 0.125);
  // STRM=1: consecutive threads read consecutive words -> no conflict: 16 x 1 + 2 = 18
  assert.equal(simtTilingCosts({ ...base, stridedM: 1 }).sharedWavefrontsPerWarpPerK, 18);
});

test('analytic: a 16x16 tiled SGEMM is shared-memory bound, not compute bound (toy GPU, 1024^3)', () => {
  const a = analyticEstimate(
    { m: 1024, n: 1024, k: 1024, batch: 1, dtype: 'fp32', kernel: 'tiled', tile: { blockM: 16, blockN: 16, blockK: 16, threads: 256 } },
    toyGpu,
  );
  assert.equal(a.simtTiling, true);
  // registers 1 + 4 + 2 + 24 = 31; 8 warps per block, 48 per SM -> 6 blocks = 48 warps
  assert.equal(a.registersPerThread, 31);
  assert.equal(a.blocksPerSM, 6);
  // 64 x 64 = 4096 tiles, ceil(4096 / 10) = 410 per SM; warp-steps 410 x 8 warps x 1024 k = 3358720
  assert.equal(a.tilesPerSM, 410);
  // issue: 3358720 x 4.25 / (4 x 1.5e9) = 2.3790933 ms
  near(a.issueTimeMs, ((3358720 * 4.25) / 6e9) * 1e3);
  // shared: 3358720 x 2.125 / 1.5e9 = 4.7581867 ms; L1: 3358720 x 0.125 / 1.5e9 = 0.2798933 ms
  near(a.sharedMemTimeMs, ((3358720 * 2.125) / 1.5e9) * 1e3);
  near(a.l1TimeMs, ((3358720 * 0.125) / 1.5e9) * 1e3);
  // compute: the toy GPU is cc 8.6, whose doubled FP32 lanes issue at dualIssueFp32Efficiency = 0.77 of
  // the datasheet peak (§3.11): 410 x 2 x 16 x 16 x 1024 / (10e12 x 0.77 x 0.8 / 10) = 0.2686976 / 0.77 ms
  near(a.simtIssueEfficiency, SIMT_CONSTANTS.dualIssueFp32Efficiency);
  near(a.computeTimeMs, 0.2686976 / SIMT_CONSTANTS.dualIssueFp32Efficiency);
  // the five times combine as an L2 norm
  near(a.rooflineTimeMs, Math.hypot(a.computeTimeMs, a.memoryTimeMs, a.l2TimeMs, a.issueTimeMs, a.sharedMemTimeMs + a.l1TimeMs));
  assert.equal(a.timeLimiter, 'shared-memory');
  assert.equal(a.bound, 'compute');
  assert.equal(a.ilp, 1);
  assert.equal(a.achievedFraction, 1);
  assert.equal(a.coalescingFactor, 1);
});

test('analytic: registers past 255 are spilled (CLBlast 128x128 tile on 8x8 threads)', () => {
  const native = { MWG: 128, NWG: 128, KWG: 32, MDIMC: 8, NDIMC: 8, MDIMA: 8, NDIMB: 8, KWI: 2, VWM: 1, VWN: 1, STRM: 0, STRN: 0, SA: 1, SB: 0 };
  const a = analyticEstimate({ m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'fp32', kernel: 'clblast-xgemm', tile: { native } }, toyGpu);
  // 16 x 16 = 256 accumulators + 2 x 32 fragments + (128 + 128) x 32 / 64 = 128 staging + 24 = 472; capped at 255
  assert.equal(a.registersDemand, 472);
  assert.equal(a.registersPerThread, 255);
  assert.equal(a.simt?.spilledRegisters, 217);
});

test('analytic: library kernels keep the max of compute, memory and L2; SIMT terms are NaN', () => {
  const a = analyticEstimate({ m: 1024, n: 1024, k: 1024, batch: 1, dtype: 'fp32', kernel: 'library' }, toyGpu);
  assert.equal(a.simtTiling, false);
  assert.ok(Number.isNaN(a.issueTimeMs));
  assert.ok(Number.isNaN(a.sharedMemTimeMs));
  assert.equal(a.rooflineTimeMs, Math.max(a.computeTimeMs, a.memoryTimeMs, a.l2TimeMs));
  assert.equal(a.timeLimiter, a.bound);
  assert.equal(a.achievedFraction, 1);
});

test("simt: the register cap is the compute capability's (63 on cc 3.0), so 64 accumulators spill on a GTX 680", () => {
  assert.equal(simtArchitecture('3.0', 63).maxRegistersPerThread, 63);
  assert.equal(simtArchitecture('3.5', 255).maxRegistersPerThread, 255);
  // A 128x128 tile on 16x16 threads: 8 x 8 = 64 accumulators; with fragments, staging and addresses take a
  // demand of 110 registers: 110 - 63 = 47 spilled on cc 3.0, none under cc 3.5's 255.
  const big: SimtTilingInput = {
    ...tiled16,
    blockM: 128,
    blockN: 128,
    blockK: 16,
    threads: 256,
    threadM: 8,
    threadN: 8,
    registersDemand: 110,
    fp32LanesPerSM: 192,
  };
  const kepler30 = simtTilingCosts({ ...big, architecture: simtArchitecture('3.0', 63) });
  const kepler35 = simtTilingCosts({ ...big, architecture: simtArchitecture('3.5', 255) });
  assert.equal(kepler30.spilledRegisters, 47);
  assert.equal(kepler35.spilledRegisters, 0);
  // each spilled register costs spillAccessesPerK load instructions and L1 wavefronts per k step
  assert.equal(kepler30.loadInstrPerThreadPerK - kepler35.loadInstrPerThreadPerK, 47 * SIMT_CONSTANTS.spillAccessesPerK);
  assert.equal(kepler30.l1WavefrontsPerWarpPerK - kepler35.l1WavefrontsPerWarpPerK, 47 * SIMT_CONSTANTS.spillAccessesPerK);
});

test('simt: Kepler fills its 192 lanes only with independent FMAs to dual-issue; dual-issue FP32 parts lose issue efficiency', () => {
  const k = simtArchitecture('3.5', 255);
  assert.equal(k.issuePerScheduler, 2);
  assert.equal(k.fmaLatencyCycles, 9);
  // ILP 1 (one FMA per k): one instruction per clock per scheduler = 1 of the 1.5 warp-FMAs the 48 lanes take -> 2/3
  const ilp1 = simtTilingCosts({ ...tiled16, fp32LanesPerSM: 192, architecture: k });
  assert.equal(ilp1.issuePerScheduler, 1);
  near(ilp1.achievedFraction, 1 / 1.5);
  // ILP 4 (2 x 2 tile): pairs dual-issue, 2 per clock >= 1.5 -> the lanes can be filled (latency: 12 warps x 4 / (9 x 1.5) > 1)
  const ilp4 = simtTilingCosts({ ...tiled16, threadM: 2, threadN: 2, fp32LanesPerSM: 192, architecture: k });
  assert.equal(ilp4.issuePerScheduler, 2);
  assert.equal(ilp4.achievedFraction, 1);
  assert.equal(simtArchitecture('8.6').fp32IssueEfficiency, SIMT_CONSTANTS.dualIssueFp32Efficiency);
  assert.equal(simtArchitecture('8.9').fp32IssueEfficiency, SIMT_CONSTANTS.dualIssueFp32Efficiency);
  assert.equal(simtArchitecture('8.0').fp32IssueEfficiency, 1);
  assert.equal(simtArchitecture('9.0').fp32IssueEfficiency, 1);
  assert.equal(simtArchitecture('garbage').maxRegistersPerThread, 255);
});
