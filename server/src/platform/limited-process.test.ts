// Runs programs under the memory limit (prlimit --as) and a timeout: the command line it builds, a run that
// fits, one that exceeds the limit (reported as out of memory), a missing program and a timeout. The runs use
// node itself as the program, so they need only prlimit (util-linux).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { findOnPath, formatBytes, runLimited, withMemoryLimit } from './limited-process';

const GiB = 1024 ** 3;
const prlimit = findOnPath('prlimit');
const noPrlimit = prlimit ? false : 'prlimit (util-linux) is not installed: skipping runs under a memory limit';
/** Reserves `mb` MiB without touching it: counts against the address-space limit, costs no RAM. */
const reserve = (mb: number) => ['-e', `const b = Buffer.allocUnsafe(${mb} * 1024 * 1024); console.log('reserved', b.length)`];

test('memory limit: prlimit --as=BYTES -- FILE ARGS, or the command unchanged without prlimit or a limit', () => {
  assert.deepEqual(withMemoryLimit('nvcc', ['-arch=sm_80', 'a b.cu'], 64 * 1024 ** 2, '/usr/bin/prlimit'), {
    file: '/usr/bin/prlimit',
    args: ['--as=67108864', '--', 'nvcc', '-arch=sm_80', 'a b.cu'],
    memoryLimitBytes: 67108864,
  });
  assert.deepEqual(withMemoryLimit('nvcc', ['x'], 64 * 1024 ** 2, null), { file: 'nvcc', args: ['x'], memoryLimitBytes: undefined });
  assert.deepEqual(withMemoryLimit('nvcc', ['x'], 0, '/usr/bin/prlimit'), { file: 'nvcc', args: ['x'], memoryLimitBytes: undefined });
  assert.deepEqual(withMemoryLimit('nvcc', ['x'], Number.NaN, '/usr/bin/prlimit').memoryLimitBytes, undefined);
  assert.equal(findOnPath('node', dirname(process.execPath)), process.execPath);
  assert.equal(findOnPath('no-such-program-tilecast', dirname(process.execPath)), undefined);
  assert.equal(formatBytes(8 * GiB), '8 GiB');
  assert.equal(formatBytes(64 * 1024 ** 2), '64 MiB');
});

test('memory limit: a run that fits succeeds; one that needs more than the limit is reported as out of memory', {
  skip: noPrlimit,
  timeout: 60_000,
}, async () => {
  const fits = await runLimited(process.execPath, reserve(100), { timeoutMs: 30_000, memoryLimitBytes: 2 * GiB });
  assert.equal(fits.code, 0, fits.stderr);
  assert.equal(fits.memoryLimitBytes, 2 * GiB);
  assert.match(fits.stdout, /reserved 104857600/);
  assert.equal(fits.outOfMemory, false);
  const over = await runLimited(process.execPath, reserve(3000), { timeoutMs: 30_000, memoryLimitBytes: 2 * GiB });
  assert.notEqual(over.code, 0);
  assert.equal(over.outOfMemory, true, `${over.code} ${over.signal} ${over.stderr.slice(0, 300)}`);
  // The same program without a limit: the limit, not the program, made the difference.
  const unlimited = await runLimited(process.execPath, reserve(3000), { timeoutMs: 30_000, memoryLimitBytes: 0 });
  assert.equal(unlimited.code, 0, unlimited.stderr);
  assert.equal(unlimited.memoryLimitBytes, undefined);
});

test('memory limit: a missing program and a timeout are told apart from running out of memory', { skip: noPrlimit, timeout: 60_000 }, async () => {
  const missing = await runLimited('/nonexistent/bin/nvcc', ['--version'], { timeoutMs: 10_000, memoryLimitBytes: GiB });
  assert.equal(missing.notFound, true, missing.stderr);
  assert.equal(missing.outOfMemory, false);
  const slow = await runLimited(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { timeoutMs: 300, memoryLimitBytes: 2 * GiB });
  assert.equal(slow.timedOut, true);
  assert.equal(slow.outOfMemory, false);
});
