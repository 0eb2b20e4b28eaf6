// Tests of the nvidia-smi query: CSV parsing on real-shaped output, the fallback for old drivers, the
// empty answer when nvidia-smi is missing, and matching local GPUs to the catalogue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localGpuSpecs, nvidiaSmiArgs, parseNvidiaSmiCsv, queryLocalGpus, QUERY_FIELDS, type RunProgram } from './device-query';

// Shaped like `nvidia-smi --query-gpu=name,compute_cap,clocks.max.sm,clocks.max.mem,power.limit,power.default_limit --format=csv,noheader,nounits`.
const SAMPLE = [
  'NVIDIA H100 80GB HBM3, 9.0, 1980, 2619, 700.00, 700.00',
  'NVIDIA GeForce RTX 4090, 8.9, 3120, 10501, 450.00, 450.00',
  'NVIDIA GeForce RTX 3060 Laptop GPU, 8.6, 2100, 7001, [N/A], [N/A]',
  'Tesla T4, 7.5, 1590, 5001, 70.00, 70.00',
  '',
].join('\n');

test('parses one GPU per line, with [N/A] as undefined', () => {
  const gpus = parseNvidiaSmiCsv(SAMPLE);
  assert.equal(gpus.length, 4);
  assert.deepEqual(gpus[0], {
    name: 'NVIDIA H100 80GB HBM3',
    computeCapability: '9.0',
    boostClockMHz: 1980,
    memoryClockMHz: 2619,
    powerLimitW: 700,
    powerDefaultLimitW: 700,
  });
  assert.equal(gpus[2].name, 'NVIDIA GeForce RTX 3060 Laptop GPU');
  assert.equal(gpus[2].powerLimitW, undefined);
  assert.equal(gpus[2].powerDefaultLimitW, undefined);
  assert.equal(gpus[3].computeCapability, '7.5');
});

test('tolerates CRLF, units left in, and skips malformed lines', () => {
  const text = 'NVIDIA A10G, 8.6, 1710 MHz, 6251 MHz, 300.00 W, 300.00 W\r\nthis is not csv\r\nNVIDIA L4, 8.9, 2040, 6251\r\n[N/A], 8.0, 1, 1, 1, 1\r\n';
  const gpus = parseNvidiaSmiCsv(text);
  assert.deepEqual(
    gpus.map((g) => [g.name, g.boostClockMHz, g.powerLimitW]),
    [['NVIDIA A10G', 1710, 300]],
  );
  assert.deepEqual(parseNvidiaSmiCsv(''), []);
  assert.deepEqual(parseNvidiaSmiCsv(undefined as unknown as string), []);
});

test('parses the output of the query without compute_cap', () => {
  const fields = QUERY_FIELDS.filter((f) => f !== 'compute_cap');
  const gpus = parseNvidiaSmiCsv('Tesla V100-PCIE-32GB, 1380, 877, 250.00, 250.00\n', fields);
  assert.deepEqual(gpus, [
    { name: 'Tesla V100-PCIE-32GB', computeCapability: undefined, boostClockMHz: 1380, memoryClockMHz: 877, powerLimitW: 250, powerDefaultLimitW: 250 },
  ]);
});

test('runs nvidia-smi with an argument array and the timeout', async () => {
  const calls: Array<{ file: string; args: string[]; timeoutMs: number }> = [];
  const run: RunProgram = async (file, args, timeoutMs) => {
    calls.push({ file, args, timeoutMs });
    return { ok: true, stdout: SAMPLE, stderr: '' };
  };
  const gpus = await queryLocalGpus({ run, timeoutMs: 1234 });
  assert.equal(gpus.length, 4);
  assert.deepEqual(calls, [{ file: 'nvidia-smi', args: nvidiaSmiArgs(), timeoutMs: 1234 }]);
  assert.deepEqual(nvidiaSmiArgs(), [
    '--query-gpu=name,compute_cap,clocks.max.sm,clocks.max.mem,power.limit,power.default_limit',
    '--format=csv,noheader,nounits',
  ]);
});

test('asks again without compute_cap when an old driver rejects the field', async () => {
  const calls: string[][] = [];
  const run: RunProgram = async (_file, args) => {
    calls.push(args);
    if (args[0].includes('compute_cap')) return { ok: false, stdout: '', stderr: 'Field "compute_cap" is not a valid field to query.' };
    return { ok: true, stdout: 'Tesla P100-PCIE-16GB, 1328, 715, 250.00, 250.00\n', stderr: '' };
  };
  const gpus = await queryLocalGpus({ run });
  assert.equal(calls.length, 2);
  assert.equal(gpus[0].name, 'Tesla P100-PCIE-16GB');
  assert.equal(gpus[0].computeCapability, undefined);
});

test('returns [] when nvidia-smi is missing, fails or times out', async () => {
  // The real runner, on a program that does not exist: ENOENT must become [], not a rejection.
  assert.deepEqual(await queryLocalGpus({ program: '/nonexistent/nvidia-smi-for-tilecast-tests' }), []);
  const failing: RunProgram = async () => ({ ok: false, stdout: '', stderr: 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.' });
  assert.deepEqual(await queryLocalGpus({ run: failing }), []);
});

test('a real nvidia-smi that hangs is killed at the timeout and gives []', { skip: process.platform === 'win32' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-smi-'));
  const fake = join(dir, 'nvidia-smi');
  writeFileSync(fake, '#!/bin/sh\nexec sleep 20\n');
  chmodSync(fake, 0o755);
  try {
    const started = Date.now();
    assert.deepEqual(await queryLocalGpus({ program: fake, timeoutMs: 300 }), []);
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    // The same fake answering in time is parsed.
    writeFileSync(fake, `#!/bin/sh\nprintf 'Tesla T4, 7.5, 1590, 5001, 70.00, 70.00\\n'\n`);
    assert.deepEqual(
      (await queryLocalGpus({ program: fake })).map((g) => g.name),
      ['Tesla T4'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('matches local GPUs to the catalogue and applies their measured values', async () => {
  const run: RunProgram = async () => ({ ok: true, stdout: SAMPLE + 'NVIDIA Mystery GPU, 9.9, 1000, 1000, 100.00, 100.00\n', stderr: '' });
  const specs = await localGpuSpecs({ run });
  assert.deepEqual(
    specs.map((s) => s.gpu?.id),
    ['h100-sxm', 'rtx-4090', 'rtx-3060-laptop', 't4', undefined],
  );
  const rtx4090 = specs[1].gpu!;
  // The max SM clock (3120 MHz) is not the rated boost clock; it is only applied on request.
  assert.equal(rtx4090.boostClockMHz.value, 2520);
  assert.equal(rtx4090.name, 'NVIDIA GeForce RTX 4090');
  assert.match(rtx4090.boardPowerW.source + rtx4090.memoryBandwidthGBps.source, /measured on this device/);
  const withMax = await localGpuSpecs({ run, useMaxClock: true });
  assert.equal(withMax[1].gpu!.boostClockMHz.value, 3120);
  assert.ok(withMax[1].gpu!.peak.fp32!.value > 100);
  // The laptop's [N/A] power limit keeps the catalogue value.
  assert.equal(specs[2].gpu!.boardPowerW.value, 115);
});
