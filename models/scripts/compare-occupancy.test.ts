// Tests the GPU-result comparison on hand-written lines in occupancy-check.cu's format: an A100
// device line with its cudaGetDeviceProperties values, agreeing and disagreeing cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareOccupancy } from './compare-occupancy';

// A100 values as cudaGetDeviceProperties reports them (164 KB per SM, 163 KB opt-in, 1 KB reserved).
const A100 = JSON.stringify({
  device: 'NVIDIA A100-SXM4-80GB',
  cc: '8.0',
  multiProcessorCount: 108,
  maxThreadsPerMultiProcessor: 2048,
  maxBlocksPerMultiProcessor: 32,
  regsPerMultiprocessor: 65536,
  regsPerBlock: 65536,
  sharedMemPerMultiprocessor: 167936,
  sharedMemPerBlock: 49152,
  sharedMemPerBlockOptin: 166912,
  reservedSharedMemPerBlock: 1024,
  maxThreadsPerBlock: 1024,
});

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ case: 'x', cc: '8.0', smem: 0, dynamicSmem: 0, carveout: -1, status: 'cudaSuccess', ...fields });

test('compare-occupancy: agreeing cases and a matching device produce no findings', () => {
  const text = [
    A100,
    // 256 threads, 64 regs: 32 warps by registers / 8 = 4 blocks.
    line({ case: 'regs64_t256', threads: 256, regs: 64, blocksPerSM: 4 }),
    // 128 threads, 48 KB static: 167936 / 50176 = 3 blocks.
    line({ case: 'smem48k_t128', threads: 128, regs: 32, smem: 49152, blocksPerSM: 3 }),
  ].join('\n');
  const result = compareOccupancy(text);
  assert.equal(result.compared, 2);
  assert.deepEqual(result.mismatches, []);
  assert.deepEqual(result.limitMismatches, []);
  assert.deepEqual(result.devices, ['NVIDIA A100-SXM4-80GB (cc 8.0)']);
});

test('compare-occupancy: a disagreement, a table difference and a runtime error are reported', () => {
  const text = [
    A100.replace('"sharedMemPerMultiprocessor":167936', '"sharedMemPerMultiprocessor":102400'),
    line({ case: 'wrong', threads: 256, regs: 64, blocksPerSM: 5 }),
    line({ case: 'refused', threads: 256, regs: 64, blocksPerSM: -1, status: 'cudaErrorInvalidValue' }),
    line({ case: 'unknown-cc', cc: '4.2', threads: 256, regs: 64, blocksPerSM: 1 }),
    'not json',
  ].join('\n');
  const result = compareOccupancy(text);
  assert.equal(result.mismatches.length, 1);
  assert.match(result.mismatches[0], /CUDA 5, TileCast 4 \(registers\)/);
  assert.deepEqual(result.limitMismatches, ['cc 8.0 sharedMemPerSMBytes: table 167936, device 102400']);
  assert.deepEqual(result.runtimeErrors, ['refused: cudaErrorInvalidValue']);
  assert.equal(result.unknownCc.length, 2);
});
