// Occupancy calculator cases with answers worked by hand from the CUDA C++ Programming Guide's
// per-compute-capability limits and the CUDA occupancy calculator rules (docs/occupancy.md).
// Each case's comment is its derivation; none of the expected numbers came from running the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeOccupancy, type OccupancyInput, type OccupancyLimiter } from './occupancy';
import { limitsFor } from './compute-capabilities';

const KiB = 1024;

interface Case {
  name: string;
  cc: string;
  threads: number;
  regs: number;
  smem: number;
  dynamicSmem?: number;
  preference?: number;
  blocks: number;
  limiter: OccupancyLimiter;
  occupancy?: number;
  carveoutBytes?: number;
}

// Reminders used below. Registers: per warp = roundUp(regs x 32, 256); the 64 K register file is
// split over 4 sub-partitions (2 on cc 6.0) of 16384, each holding floor(16384 / perWarp) warps.
// Shared memory: per block = roundUp(static + dynamic + reserved, unit); reserved 1 KB and unit
// 128 B from cc 8.0, 0 and 256 B before. Ties report warps > registers > shared-memory > blocks.
const cases: Case[] = [
  // --- cc 8.0: 64 warps, 32 blocks, 164 KB = 167936 B, opt-in 163 KB ---
  // warps 64/8 = 8; regs 1024/warp -> 16 per sub-partition -> 64 warps -> 8; smem 167936/1024 = 164. Tie warps/regs -> warps.
  { name: 'A100 256 threads 32 regs', cc: '8.0', threads: 256, regs: 32, smem: 0, blocks: 8, limiter: 'warps', occupancy: 1, carveoutBytes: 8 * KiB },
  // regs 2048/warp -> 8 per sub-partition -> 32 warps -> 32/8 = 4 blocks; occupancy 32/64.
  { name: 'A100 256 threads 64 regs', cc: '8.0', threads: 256, regs: 64, smem: 0, blocks: 4, limiter: 'registers', occupancy: 0.5 },
  // smem 49152 + 1024 reserved = 50176 -> 167936/50176 = 3.35 -> 3; 3 x 50176 = 150528 > 132 KB -> 164 KB carve-out.
  {
    name: 'A100 128 threads 48 KB static',
    cc: '8.0',
    threads: 128,
    regs: 32,
    smem: 48 * KiB,
    blocks: 3,
    limiter: 'shared-memory',
    occupancy: 12 / 64,
    carveoutBytes: 164 * KiB,
  },
  // warps 64/1 = 64; regs 512/warp -> 32 per sub-partition -> 128; smem 164; blocks 32 -> 32, occupancy 32/64.
  { name: 'A100 tiny blocks hit the block limit', cc: '8.0', threads: 32, regs: 16, smem: 0, blocks: 32, limiter: 'blocks', occupancy: 0.5 },
  // 33 x 32 = 1056 -> 1280 (= 40 regs/thread); 16384/1280 = 12.8 -> 12 per sub-partition -> 48 warps -> 48/8 = 6.
  { name: 'A100 33 regs round up to 40', cc: '8.0', threads: 256, regs: 33, smem: 0, blocks: 6, limiter: 'registers', occupancy: 0.75 },
  // 40 regs -> 1280/warp; 12 per sub-partition -> 48 warps -> 48/3 = 16 (a single 64 K pool would give 65536/3840 = 17); warps 64/3 = 21.
  { name: 'A100 sub-partition rounding, 3-warp blocks', cc: '8.0', threads: 96, regs: 40, smem: 0, blocks: 16, limiter: 'registers', occupancy: 48 / 64 },
  // warps 64/32 = 2; regs 64 warps/32 = 2 -> tie -> warps.
  { name: 'A100 1024 threads 32 regs', cc: '8.0', threads: 1024, regs: 32, smem: 0, blocks: 2, limiter: 'warps', occupancy: 1 },
  // 2048/warp x 32 warps = 65536 = per-block limit, fits; 8 per sub-partition -> 32 warps -> 1 block.
  { name: 'A100 1024 threads 64 regs', cc: '8.0', threads: 1024, regs: 64, smem: 0, blocks: 1, limiter: 'registers', occupancy: 0.5 },
  // 65 x 32 = 2080 -> 2304/warp x 32 warps = 73728 > 65536 registers per block -> no block.
  { name: 'A100 1024 threads 65 regs does not fit', cc: '8.0', threads: 1024, regs: 65, smem: 0, blocks: 0, limiter: 'registers', occupancy: 0 },
  // 100 KB dynamic + 1 KB = 103424 -> 167936/103424 = 1.6 -> 1; 103424 > 100 KB carve-out -> 132 KB.
  {
    name: 'A100 100 KB dynamic',
    cc: '8.0',
    threads: 256,
    regs: 32,
    smem: 0,
    dynamicSmem: 100 * KiB,
    blocks: 1,
    limiter: 'shared-memory',
    carveoutBytes: 132 * KiB,
  },
  // 163 KB opt-in maximum: 166912 + 1024 = 167936 = whole SM -> 1 block.
  {
    name: 'A100 163 KB opt-in maximum',
    cc: '8.0',
    threads: 128,
    regs: 32,
    smem: 0,
    dynamicSmem: 163 * KiB,
    blocks: 1,
    limiter: 'shared-memory',
    carveoutBytes: 164 * KiB,
  },
  // 32563 + 1024 = 33587 -> rounded to 128: 33664 -> 167936/33664 = 4.99 -> 4 (unrounded would give 5).
  { name: 'A100 shared-memory allocation unit rounding', cc: '8.0', threads: 128, regs: 32, smem: 32563, blocks: 4, limiter: 'shared-memory' },
  // Preference 0 %: carve-out 0 < one block's 1024 B -> smallest carve-out holding a block, 8 KB -> 8 blocks; warps 16, regs 16.
  { name: 'A100 preference max-L1', cc: '8.0', threads: 128, regs: 32, smem: 0, preference: 0, blocks: 8, limiter: 'shared-memory', carveoutBytes: 8 * KiB },
  // Preference 50 %: 167936 x 50 / 100 = 83968 -> 100 KB carve-out; 20480 + 1024 = 21504 -> 102400/21504 = 4.76 -> 4.
  {
    name: 'A100 preference half',
    cc: '8.0',
    threads: 128,
    regs: 32,
    smem: 20 * KiB,
    preference: 50,
    blocks: 4,
    limiter: 'shared-memory',
    carveoutBytes: 100 * KiB,
  },
  // Same kernel without a preference: 167936/21504 = 7.8 -> 7; 7 x 21504 = 150528 -> 164 KB.
  {
    name: 'A100 no preference uses the largest carve-out',
    cc: '8.0',
    threads: 128,
    regs: 32,
    smem: 20 * KiB,
    blocks: 7,
    limiter: 'shared-memory',
    carveoutBytes: 164 * KiB,
  },

  // --- cc 7.5: 32 warps (1024 threads), 16 blocks, 64 KB, 256 B unit, carve-outs 32/64 KB ---
  // warps 32/32 = 1; regs 1024/warp -> 64 warps -> 2 -> 1 block, warps.
  { name: 'T4 1024 threads', cc: '7.5', threads: 1024, regs: 32, smem: 0, blocks: 1, limiter: 'warps', occupancy: 1 },
  // warps 32/1 = 32; block limit 16 -> 16, occupancy 16/32.
  { name: 'T4 block limit 16', cc: '7.5', threads: 32, regs: 32, smem: 0, blocks: 16, limiter: 'blocks', occupancy: 0.5 },
  // No shared memory before cc 8.0 means no shared-memory limit; the driver's smallest Turing carve-out is 32 KB.
  { name: 'T4 no shared memory', cc: '7.5', threads: 256, regs: 32, smem: 0, blocks: 4, limiter: 'warps', occupancy: 1, carveoutBytes: 32 * KiB },
  // 10000 -> 10240 (256 B unit); 65536/10240 = 6.4 -> 6; warps 8; 6 x 10240 = 61440 -> 64 KB.
  {
    name: 'T4 smem rounded to 256 B',
    cc: '7.5',
    threads: 128,
    regs: 32,
    smem: 10000,
    blocks: 6,
    limiter: 'shared-memory',
    occupancy: 24 / 32,
    carveoutBytes: 64 * KiB,
  },
  // 64 KB dynamic = opt-in maximum -> 1 block.
  { name: 'T4 64 KB dynamic', cc: '7.5', threads: 256, regs: 32, smem: 0, dynamicSmem: 64 * KiB, blocks: 1, limiter: 'shared-memory' },

  // --- cc 8.6: 48 warps (1536 threads), 16 blocks, 100 KB, opt-in 99 KB ---
  // warps 48/8 = 6; regs 8 -> 6, occupancy 1.
  { name: 'RTX 3090 256 threads', cc: '8.6', threads: 256, regs: 32, smem: 0, blocks: 6, limiter: 'warps', occupancy: 1 },
  // warps 48/2 = 24; block limit 16 -> 16, occupancy 32/48.
  { name: 'RTX 3090 block limit 16', cc: '8.6', threads: 64, regs: 32, smem: 0, blocks: 16, limiter: 'blocks', occupancy: 32 / 48 },
  // 49152 + 1024 = 50176 -> 102400/50176 = 2.04 -> 2.
  { name: 'RTX 3090 48 KB static', cc: '8.6', threads: 128, regs: 32, smem: 48 * KiB, blocks: 2, limiter: 'shared-memory', carveoutBytes: 100 * KiB },
  // 99 KB + 1 KB = 100 KB = whole SM -> 1 block.
  { name: 'RTX 3090 99 KB opt-in maximum', cc: '8.6', threads: 128, regs: 32, smem: 0, dynamicSmem: 99 * KiB, blocks: 1, limiter: 'shared-memory' },

  // --- cc 8.9: 48 warps, 24 blocks, 100 KB ---
  // warps 48; regs 64; block limit 24 -> 24, occupancy 24/48.
  { name: 'RTX 4090 block limit 24', cc: '8.9', threads: 32, regs: 32, smem: 0, blocks: 24, limiter: 'blocks', occupancy: 0.5 },
  // 48 regs -> 1536/warp -> 16384/1536 = 10.7 -> 10 per sub-partition -> 40 warps -> 40/3 = 13; warps 16.
  { name: 'RTX 4090 96 threads 48 regs', cc: '8.9', threads: 96, regs: 48, smem: 0, blocks: 13, limiter: 'registers', occupancy: 39 / 48 },

  // --- cc 9.0: 64 warps, 32 blocks, 228 KB = 233472 B, opt-in 227 KB ---
  // warps 16, regs 16 -> warps; 16 x 1 KB reserved = 16 KB carve-out.
  { name: 'H100 128 threads', cc: '9.0', threads: 128, regs: 32, smem: 0, blocks: 16, limiter: 'warps', occupancy: 1, carveoutBytes: 16 * KiB },
  // 102400 + 1024 = 103424 -> 233472/103424 = 2.26 -> 2; 2 x 103424 = 206848 > 196 KB -> 228 KB.
  {
    name: 'H100 100 KB dynamic',
    cc: '9.0',
    threads: 256,
    regs: 32,
    smem: 0,
    dynamicSmem: 100 * KiB,
    blocks: 2,
    limiter: 'shared-memory',
    carveoutBytes: 228 * KiB,
  },
  // 227 KB + 1 KB = 228 KB -> 1 block.
  { name: 'H100 227 KB opt-in maximum', cc: '9.0', threads: 384, regs: 32, smem: 0, dynamicSmem: 227 * KiB, blocks: 1, limiter: 'shared-memory' },
  // 168 x 32 = 5376 (already a multiple of 256); 16384/5376 = 3.05 -> 3 per sub-partition -> 12 warps -> 12/12 = 1; warps 64/12 = 5.
  { name: 'H100 warp-specialised 384 threads 168 regs', cc: '9.0', threads: 384, regs: 168, smem: 0, blocks: 1, limiter: 'registers', occupancy: 12 / 64 },
  // warps 64, block limit 32 -> 32.
  { name: 'H100 block limit 32', cc: '9.0', threads: 32, regs: 32, smem: 0, blocks: 32, limiter: 'blocks', occupancy: 0.5 },

  // --- cc 10.0: same per-SM limits as 9.0 ---
  // 128 regs -> 4096/warp -> 4 per sub-partition -> 16 warps -> 2 blocks.
  { name: 'B200 256 threads 128 regs', cc: '10.0', threads: 256, regs: 128, smem: 0, blocks: 2, limiter: 'registers', occupancy: 0.25 },
  // 65536 + 1024 = 66560 -> 233472/66560 = 3.5 -> 3; 3 x 66560 = 199680 <= 196 KB (200704).
  {
    name: 'B200 64 KB dynamic',
    cc: '10.0',
    threads: 256,
    regs: 32,
    smem: 0,
    dynamicSmem: 64 * KiB,
    blocks: 3,
    limiter: 'shared-memory',
    carveoutBytes: 196 * KiB,
  },

  // --- cc 12.0: 48 warps, 24 blocks ---
  { name: 'RTX 5090 block limit 24', cc: '12.0', threads: 32, regs: 32, smem: 0, blocks: 24, limiter: 'blocks', occupancy: 0.5 },

  // --- cc 7.0: 64 warps, 32 blocks, 96 KB, no reserve, carve-outs 0..96 KB ---
  // warps 8, regs 8; no shared memory -> 0 KB carve-out.
  { name: 'V100 256 threads no smem', cc: '7.0', threads: 256, regs: 32, smem: 0, blocks: 8, limiter: 'warps', occupancy: 1, carveoutBytes: 0 },
  // 98304/32768 = 3.
  { name: 'V100 32 KB static', cc: '7.0', threads: 128, regs: 32, smem: 32 * KiB, blocks: 3, limiter: 'shared-memory', carveoutBytes: 96 * KiB },
  // Preference 25 %: 98304 x 25 / 100 = 24576 -> 32 KB carve-out -> 32768/16384 = 2.
  {
    name: 'V100 preference 25 %',
    cc: '7.0',
    threads: 128,
    regs: 32,
    smem: 16 * KiB,
    preference: 25,
    blocks: 2,
    limiter: 'shared-memory',
    carveoutBytes: 32 * KiB,
  },

  // --- cc 6.x: fixed shared memory, 48 KB per block, no opt-in ---
  // 98304/49152 = 2.
  { name: 'P40 (6.1) 48 KB static', cc: '6.1', threads: 128, regs: 32, smem: 48 * KiB, blocks: 2, limiter: 'shared-memory' },
  // 40 regs -> 1280/warp; 6.0 has 2 sub-partitions of 32768 -> 25 each -> 50 warps -> 50/5 = 10.
  { name: 'P100 (6.0) two sub-partitions', cc: '6.0', threads: 160, regs: 40, smem: 0, blocks: 10, limiter: 'registers' },
  // Same kernel on 6.1: 12 per sub-partition x 4 = 48 warps -> 48/5 = 9.
  { name: 'GP10x (6.1) four sub-partitions', cc: '6.1', threads: 160, regs: 40, smem: 0, blocks: 9, limiter: 'registers' },
  // 192 regs -> 6144/warp, 10 warps. On 6.0 alone: 6144 x 10 = 61440 fits, 32768/6144 = 5 x 2 = 10 warps -> 1 block;
  // but on GP10x 6144 x roundUp(10, 4) = 73728 > 65536, and CUDA refuses on GP100 what GP10x cannot run -> 0.
  { name: 'P100 (6.0) GP10x forward-compatibility rule', cc: '6.0', threads: 320, regs: 192, smem: 0, blocks: 0, limiter: 'registers' },

  // --- cc 5.x ---
  // 5.2 has 96 KB: 98304/12288 = 8; warps 16, regs 16.
  { name: 'GTX 980 (5.2) 12 KB static', cc: '5.2', threads: 128, regs: 32, smem: 12 * KiB, blocks: 8, limiter: 'shared-memory' },
  // 5.0 has 64 KB: 65536/12288 = 5.3 -> 5.
  { name: 'GTX 750 (5.0) 12 KB static', cc: '5.0', threads: 128, regs: 32, smem: 12 * KiB, blocks: 5, limiter: 'shared-memory' },
  // 5.3 has 32 K registers per block: 1024/warp x 32 warps = 32768 fits -> regs 64 warps -> 2; warps 2 -> tie -> warps.
  { name: 'Tegra X1 (5.3) 1024 threads 32 regs', cc: '5.3', threads: 1024, regs: 32, smem: 0, blocks: 2, limiter: 'warps', occupancy: 1 },
  // 1280/warp x 32 = 40960 > 32768 per block -> 0 on 5.3 ...
  { name: 'Tegra X1 (5.3) per-block register limit', cc: '5.3', threads: 1024, regs: 40, smem: 0, blocks: 0, limiter: 'registers' },
  // ... while 5.0 (64 K per block): 12 per sub-partition -> 48 warps -> 1 block.
  { name: 'GTX 750 (5.0) 1024 threads 40 regs', cc: '5.0', threads: 1024, regs: 40, smem: 0, blocks: 1, limiter: 'registers', occupancy: 0.5 },
];

function run(c: Case) {
  const limits = limitsFor(c.cc);
  assert.ok(limits, `cc ${c.cc} is known`);
  const input: OccupancyInput = {
    limits,
    threadsPerBlock: c.threads,
    registersPerThread: c.regs,
    staticSharedMemBytes: c.smem,
    dynamicSharedMemBytes: c.dynamicSmem,
    carveoutPreferencePercent: c.preference,
  };
  return computeOccupancy(input);
}

for (const c of cases) {
  test(`occupancy: ${c.name} (cc ${c.cc}) -> ${c.blocks} blocks, ${c.limiter}`, () => {
    const result = run(c);
    assert.equal(result.blocksPerSM, c.blocks);
    assert.equal(result.limiter, c.limiter);
    if (c.occupancy !== undefined) assert.ok(Math.abs(result.occupancy - c.occupancy) < 1e-12, `occupancy ${result.occupancy} vs ${c.occupancy}`);
    if (c.carveoutBytes !== undefined) assert.equal(result.sharedMemCarveoutBytes, c.carveoutBytes);
    assert.equal(result.activeWarpsPerSM, c.blocks * Math.ceil(c.threads / 32));
    if (c.blocks === 0) assert.match(result.error ?? '', /\S/);
    else assert.equal(result.error, undefined);
    // A kernel that does not fit is a result, not rejected input.
    assert.equal(result.invalidInput, undefined);
  });
}

test('occupancy: there are at least 30 hand-worked cases across cc 5.x to 12.x', () => {
  assert.ok(cases.length >= 30);
  const majors = new Set(cases.map((c) => c.cc.split('.')[0]));
  for (const major of ['5', '6', '7', '8', '9', '10']) assert.ok(majors.has(major), `cases for cc ${major}.x`);
});

test('occupancy: allocation details are reported', () => {
  // 33 regs -> 1280 per warp x 8 warps = 10240; 0 smem + 1 KB reserved -> 1024.
  const r = run({ name: '', cc: '8.0', threads: 256, regs: 33, smem: 0, blocks: 0, limiter: 'warps' });
  assert.equal(r.warpsPerBlock, 8);
  assert.equal(r.allocatedRegistersPerBlock, 10240);
  assert.equal(r.allocatedSharedMemPerBlockBytes, 1024);
  assert.deepEqual(r.blocksByLimit, { warps: 8, registers: 6, sharedMemory: 164, blocks: 32 });
});

test('occupancy: a resource a kernel does not use sets no limit', () => {
  // Volta has no reserved shared memory: 0 bytes means no shared-memory limit at all.
  const v100 = run({ name: '', cc: '7.0', threads: 128, regs: 0, smem: 0, blocks: 0, limiter: 'warps' });
  assert.equal(v100.blocksByLimit.sharedMemory, Number.POSITIVE_INFINITY);
  assert.equal(v100.blocksByLimit.registers, Number.POSITIVE_INFINITY);
  assert.equal(v100.blocksPerSM, 16);
});

test('occupancy: a warp of 33 threads allocates two warps', () => {
  // 33 threads -> 2 warps; cc 8.0 warps limit 64/2 = 32 = block limit -> tie -> warps; active warps 64.
  const r = run({ name: '', cc: '8.0', threads: 33, regs: 32, smem: 0, blocks: 0, limiter: 'warps' });
  assert.equal(r.warpsPerBlock, 2);
  assert.equal(r.blocksPerSM, 32);
  assert.equal(r.limiter, 'warps');
  assert.equal(r.occupancy, 1);
});

const a100 = limitsFor('8.0')!;
const invalid: Array<[string, Partial<OccupancyInput>, OccupancyLimiter, RegExp]> = [
  ['0 threads', { threadsPerBlock: 0 }, 'warps', /threads/],
  ['1025 threads', { threadsPerBlock: 1025 }, 'warps', /1024/],
  ['NaN threads', { threadsPerBlock: Number.NaN }, 'warps', /threads/],
  ['fractional threads', { threadsPerBlock: 100.5 }, 'warps', /integer/],
  ['negative registers', { registersPerThread: -1 }, 'registers', /registers/],
  ['NaN registers', { registersPerThread: Number.NaN }, 'registers', /registers/],
  ['256 registers', { registersPerThread: 256 }, 'registers', /255/],
  ['negative shared memory', { staticSharedMemBytes: -4 }, 'shared-memory', /shared memory/],
  ['infinite dynamic shared memory', { dynamicSharedMemBytes: Number.POSITIVE_INFINITY }, 'shared-memory', /shared memory/],
  ['shared memory above the opt-in maximum', { dynamicSharedMemBytes: 163 * KiB + 1 }, 'shared-memory', /166912/],
  ['carve-out preference above 100', { carveoutPreferencePercent: 150 }, 'shared-memory', /0\.\.100/],
];
for (const [name, patch, limiter, message] of invalid) {
  test(`occupancy: invalid input (${name}) gives 0 blocks and an error, never a throw`, () => {
    const input: OccupancyInput = { limits: a100, threadsPerBlock: 128, registersPerThread: 32, staticSharedMemBytes: 0, ...patch };
    const r = computeOccupancy(input);
    assert.equal(r.blocksPerSM, 0);
    assert.equal(r.occupancy, 0);
    assert.equal(r.limiter, limiter);
    assert.match(r.error ?? '', message);
    // Too much shared memory is a kernel that cannot launch, not malformed input.
    assert.equal(r.invalidInput, limiter === 'shared-memory' && /opt-in/.test(name) ? undefined : true);
  });
}

test('occupancy: 48 KB + 1 B on a cc without opt-in is rejected', () => {
  const r = computeOccupancy({ limits: limitsFor('6.1')!, threadsPerBlock: 128, registersPerThread: 32, staticSharedMemBytes: 48 * KiB + 1 });
  assert.equal(r.blocksPerSM, 0);
  assert.equal(r.limiter, 'shared-memory');
});

test('occupancy: missing or broken limits do not throw', () => {
  const broken = computeOccupancy({ limits: undefined as unknown as typeof a100, threadsPerBlock: 128, registersPerThread: 32, staticSharedMemBytes: 0 });
  assert.equal(broken.blocksPerSM, 0);
  assert.match(broken.error ?? '', /limits/);
  const zeroWarps = computeOccupancy({ limits: { ...a100, maxWarpsPerSM: 0 }, threadsPerBlock: 128, registersPerThread: 32, staticSharedMemBytes: 0 });
  assert.equal(zeroWarps.blocksPerSM, 0);
  assert.match(zeroWarps.error ?? '', /maxWarpsPerSM/);
  assert.equal(computeOccupancy(null as unknown as OccupancyInput).blocksPerSM, 0);
});

test('occupancy: -1 means no carve-out preference', () => {
  const base: OccupancyInput = { limits: a100, threadsPerBlock: 128, registersPerThread: 32, staticSharedMemBytes: 20 * KiB };
  assert.deepEqual(computeOccupancy({ ...base, carveoutPreferencePercent: -1 }), computeOccupancy(base));
});
