// Runs `tilecast occupancy` in-process: text and JSON output, --gpu through the catalogue, and
// exit code 2 with a message on stderr for bad arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInProcess } from '../run-in-process';
import { command } from './occupancy';

const run = (...args: string[]) => runInProcess(command, args);

test('occupancy CLI: --cc 8.0, 256 threads, 64 registers -> 4 blocks, 50 %, registers (JSON)', async () => {
  // 64 x 32 = 2048 registers per warp; 16384 per sub-partition / 2048 = 8 warps x 4 = 32 -> 32 / 8 = 4 blocks.
  const { code, stdout, stderr } = await run('--cc', '8.0', '--threads', '256', '--regs', '64', '--smem', '0', '--json');
  assert.equal(code, 0, stderr);
  const json = JSON.parse(stdout);
  assert.equal(json.blocksPerSM, 4);
  assert.equal(json.occupancy, 0.5);
  assert.equal(json.limiter, 'registers');
  assert.equal(json.computeCapability, '8.0');
  assert.equal(json.gpu, null);
  assert.deepEqual(json.blocksByLimit, { warps: 8, registers: 4, sharedMemory: 164, blocks: 32 });
});

test('occupancy CLI: text output names the limiter and the occupancy', async () => {
  // cc 8.0, 128 threads, 48 KB static: (49152 + 1024) -> 167936 / 50176 = 3 blocks, 12 of 64 warps.
  const { code, stdout } = await run('--cc', 'sm_80', '--threads', '128', '--regs', '32', '--smem', '48K');
  assert.equal(code, 0);
  assert.match(stdout, /blocks per SM: 3 \(limited by shared-memory\)/);
  assert.match(stdout, /18\.8% \(12 of 64 warps\)/);
});

test('occupancy CLI: --gpu resolves through the catalogue (RTX 4090 is cc 8.9)', async () => {
  // cc 8.9: 48 warps, 24 blocks. 32-thread blocks: warps allow 48, the block limit 24 -> 24, 24/48 warps.
  const { code, stdout, stderr } = await run('--gpu', 'rtx-4090', '--threads', '32', '--regs', '32', '--json');
  assert.equal(code, 0, stderr);
  const json = JSON.parse(stdout);
  assert.equal(json.computeCapability, '8.9');
  assert.equal(json.gpu, 'rtx-4090');
  assert.equal(json.blocksPerSM, 24);
  assert.equal(json.limiter, 'blocks');
  assert.equal(json.occupancy, 0.5);
});

test('occupancy CLI: --gpu with a name as nvidia-smi prints it', async () => {
  // H100: 64 warps. 1024 threads x 32 registers: warps 2, registers 64 warps / 32 = 2 -> 2 blocks, warps.
  const { code, stdout, stderr } = await run('--gpu', 'NVIDIA H100 80GB HBM3', '--threads', '1024', '--regs', '32', '--json');
  assert.equal(code, 0, stderr);
  const json = JSON.parse(stdout);
  assert.equal(json.computeCapability, '9.0');
  assert.equal(json.blocksPerSM, 2);
  assert.equal(json.limiter, 'warps');
  assert.equal(json.occupancy, 1);
});

test('occupancy CLI: dynamic shared memory and carve-out preference', async () => {
  // cc 8.0, preference 50 %: 83968 -> 100 KB carve-out; 20 KB + 1 KB = 21504 -> 102400 / 21504 = 4.
  const { code, stdout } = await run('--cc', '8.0', '--threads', '128', '--regs', '32', '--dynamic-smem', '20KB', '--carveout', '50', '--json');
  assert.equal(code, 0);
  const json = JSON.parse(stdout);
  assert.equal(json.blocksPerSM, 4);
  assert.equal(json.sharedMemCarveoutBytes, 100 * 1024);
  assert.equal(json.input.dynamicSharedMemBytes, 20 * 1024);
});

test('occupancy CLI: a kernel no block of which fits is an answer, not an error', async () => {
  // 1024 threads x 65 registers: 2304 per warp x 32 warps = 73728 > 65536 registers per block.
  const { code, stdout } = await run('--cc', '8.0', '--threads', '1024', '--regs', '65', '--json');
  assert.equal(code, 0);
  const json = JSON.parse(stdout);
  assert.equal(json.blocksPerSM, 0);
  assert.equal(json.limiter, 'registers');
  assert.match(json.error, /registers/);
});

test('occupancy CLI: no shared memory on Volta reports an unlimited (null) shared-memory limit', async () => {
  const { stdout } = await run('--cc', '7.0', '--threads', '256', '--regs', '32', '--json');
  assert.equal(JSON.parse(stdout).blocksByLimit.sharedMemory, null);
  const text = await run('--cc', '7.0', '--threads', '256', '--regs', '32');
  assert.match(text.stdout, /shared memory unlimited/);
});

const bad: Array<[string, string[], RegExp]> = [
  ['no target', ['--threads', '256', '--regs', '32'], /--gpu ID or --cc/],
  ['unknown GPU', ['--gpu', 'rtx-9999-imaginary', '--threads', '256', '--regs', '32'], /unknown GPU/],
  ['unknown cc', ['--cc', '4.2', '--threads', '256', '--regs', '32'], /compute capability/],
  ['cc contradicts the GPU', ['--gpu', 'rtx-4090', '--cc', '9.0', '--threads', '256', '--regs', '32'], /contradicts/],
  ['missing --threads', ['--cc', '8.0', '--regs', '32'], /--threads is required/],
  ['missing --regs', ['--cc', '8.0', '--threads', '128'], /--regs is required/],
  ['non-numeric threads', ['--cc', '8.0', '--threads', 'many', '--regs', '32'], /--threads/],
  ['negative registers', ['--cc', '8.0', '--threads', '128', '--regs=-4'], /--regs/],
  ['too many threads', ['--cc', '8.0', '--threads', '2048', '--regs', '32'], /1024/],
  ['too many registers', ['--cc', '8.0', '--threads', '128', '--regs', '300'], /255/],
  ['malformed smem', ['--cc', '8.0', '--threads', '128', '--regs', '32', '--smem', '12MB'], /--smem/],
  ['unknown flag', ['--cc', '8.0', '--threads', '128', '--regs', '32', '--frobnicate'], /unknown option/],
  ['stray argument', ['--cc', '8.0', '--threads', '128', '--regs', '32', 'extra'], /unexpected argument/],
];
for (const [name, args, message] of bad) {
  test(`occupancy CLI: bad arguments (${name}) -> exit 2, message on stderr`, async () => {
    const { code, stdout, stderr } = await run(...args);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, message);
  });
}

test('occupancy CLI: --help', async () => {
  const { code, stdout } = await run('--help');
  assert.equal(code, 0);
  assert.match(stdout, /usage: tilecast occupancy/);
});
