// Checks the compute-capability table against figures quoted from the CUDA C++ Programming Guide
// ("Technical Specifications per Compute Capability") and the tuning guides' carve-out lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { knownComputeCapabilities, limitsFor, normalizeComputeCapability } from './compute-capabilities';

const KiB = 1024;

test('compute capabilities: every required capability is known', () => {
  const required = [
    '3.0',
    '3.5',
    '3.7',
    '5.0',
    '5.2',
    '5.3',
    '6.0',
    '6.1',
    '6.2',
    '7.0',
    '7.2',
    '7.5',
    '8.0',
    '8.6',
    '8.7',
    '8.9',
    '9.0',
    '10.0',
    '10.3',
    '12.0',
  ];
  const known = knownComputeCapabilities();
  for (const cc of required) {
    assert.ok(known.includes(cc), `${cc} listed`);
    assert.equal(limitsFor(cc)?.computeCapability, cc);
  }
});

test('compute capabilities: spellings of the same capability resolve alike', () => {
  assert.equal(normalizeComputeCapability('sm_80'), '8.0');
  assert.equal(normalizeComputeCapability('sm_90a'), '9.0');
  assert.equal(normalizeComputeCapability('compute_120'), '12.0');
  assert.equal(normalizeComputeCapability('100'), '10.0');
  assert.equal(normalizeComputeCapability(' 8.6 '), '8.6');
  assert.deepEqual(limitsFor('sm_86'), limitsFor('8.6'));
  assert.equal(limitsFor('2.0'), undefined);
  assert.equal(limitsFor('banana'), undefined);
  assert.equal(limitsFor(undefined as unknown as string), undefined);
});

// [cc, threads/SM, blocks/SM, smem/SM KiB, opt-in smem/block KiB] quoted from the PG table.
const quoted: Array<[string, number, number, number, number]> = [
  ['3.5', 2048, 16, 48, 48],
  ['5.0', 2048, 32, 64, 48],
  ['5.2', 2048, 32, 96, 48],
  ['6.0', 2048, 32, 64, 48],
  ['6.1', 2048, 32, 96, 48],
  ['7.0', 2048, 32, 96, 96],
  ['7.5', 1024, 16, 64, 64],
  ['8.0', 2048, 32, 164, 163],
  ['8.6', 1536, 16, 100, 99],
  ['8.7', 1536, 16, 164, 163],
  ['8.9', 1536, 24, 100, 99],
  ['9.0', 2048, 32, 228, 227],
  ['10.0', 2048, 32, 228, 227],
  ['12.0', 1536, 24, 100, 99],
];
for (const [cc, threads, blocks, smemKiB, optinKiB] of quoted) {
  test(`compute capabilities: cc ${cc} per-SM limits match the Programming Guide`, () => {
    const limits = limitsFor(cc)!;
    assert.equal(limits.maxThreadsPerSM, threads);
    assert.equal(limits.maxWarpsPerSM, threads / 32);
    assert.equal(limits.maxBlocksPerSM, blocks);
    assert.equal(limits.sharedMemPerSMBytes, smemKiB * KiB);
    assert.equal(limits.sharedMemPerBlockOptinBytes, optinKiB * KiB);
    assert.equal(limits.sharedMemPerBlockBytes, 48 * KiB);
    assert.equal(limits.maxThreadsPerBlock, 1024);
    assert.equal(limits.registerAllocationUnitSize, 256);
  });
}

test('compute capabilities: register files', () => {
  assert.equal(limitsFor('3.7')!.registersPerSM, 128 * KiB);
  assert.equal(limitsFor('3.0')!.maxRegistersPerThread, 63);
  assert.equal(limitsFor('5.3')!.maxRegistersPerBlock, 32 * KiB);
  assert.equal(limitsFor('6.2')!.maxRegistersPerBlock, 32 * KiB);
  for (const cc of ['5.0', '7.5', '8.0', '9.0', '12.0']) {
    assert.equal(limitsFor(cc)!.registersPerSM, 64 * KiB);
    assert.equal(limitsFor(cc)!.maxRegistersPerThread, 255);
  }
  // GP100 has two sub-partitions, every other chip four.
  assert.equal(limitsFor('6.0')!.warpAllocationGranularity, 2);
  assert.equal(limitsFor('6.1')!.warpAllocationGranularity, 4);
});

test('compute capabilities: carve-outs from the tuning guides', () => {
  const kib = (cc: string) => limitsFor(cc)!.sharedMemCarveoutsBytes.map((b) => b / KiB);
  assert.deepEqual(kib('7.0'), [0, 8, 16, 32, 64, 96]);
  assert.deepEqual(kib('7.5'), [32, 64]);
  assert.deepEqual(kib('8.0'), [0, 8, 16, 32, 64, 100, 132, 164]);
  assert.deepEqual(kib('8.6'), [0, 8, 16, 32, 64, 100]);
  assert.deepEqual(kib('8.9'), [0, 8, 16, 32, 64, 100]);
  assert.deepEqual(kib('9.0'), [0, 8, 16, 32, 64, 100, 132, 164, 196, 228]);
  assert.deepEqual(kib('10.0'), [0, 8, 16, 32, 64, 100, 132, 164, 196, 228]);
});

test('compute capabilities: reserved shared memory and allocation unit change at cc 8.0', () => {
  for (const cc of knownComputeCapabilities()) {
    const limits = limitsFor(cc)!;
    const ampereOrLater = Number.parseInt(cc, 10) >= 8;
    assert.equal(limits.reservedSharedMemPerBlockBytes, ampereOrLater ? 1024 : 0, cc);
    assert.equal(limits.sharedMemAllocationUnitBytes, ampereOrLater ? 128 : 256, cc);
    // The largest carve-out is the SM's shared memory, and carve-outs ascend.
    const carveouts = limits.sharedMemCarveoutsBytes;
    assert.equal(carveouts[carveouts.length - 1], limits.sharedMemPerSMBytes, cc);
    assert.deepEqual(
      [...carveouts].sort((a, b) => a - b),
      carveouts,
      cc,
    );
    // One block may use everything but the reserve.
    assert.ok(limits.sharedMemPerBlockOptinBytes + limits.reservedSharedMemPerBlockBytes <= limits.sharedMemPerSMBytes, cc);
  }
});

test('compute capabilities: limitsFor returns a copy', () => {
  const first = limitsFor('8.0')!;
  first.sharedMemCarveoutsBytes.push(1);
  first.maxBlocksPerSM = 1;
  assert.equal(limitsFor('8.0')!.maxBlocksPerSM, 32);
  assert.equal(limitsFor('8.0')!.sharedMemCarveoutsBytes.length, 8);
});
