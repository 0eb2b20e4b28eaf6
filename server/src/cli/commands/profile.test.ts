// The profiling sub-commands in-process: `harness` writes the directory and prints the exact commands;
// `profile` without a GPU says what it looked for; `profile import` and `profile list` go through a
// workspace store. No GPU, nvcc or network needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { command as harness } from './harness';
import { prepareHarness } from './harness-request';
import { command as profile } from './profile';
import { appendProfiles } from '../../platform/profile-store';

const fixtures = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures');

async function run(cmd: typeof harness, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const code = await cmd.run(argv, { stdout, stderr });
  return { code, out, err };
}

test('tilecast harness writes the files and prints the build and run commands; a wrong line lists the launches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-cli-harness-'));
  try {
    const ok = await run(harness, [join(fixtures, 'cuda', 'tiled-16.cu'), '--line', '32', '--out', join(dir, 'h'), '--gpu', 'l4']);
    assert.equal(ok.code, 0, ok.err);
    assert.ok(existsSync(join(dir, 'h', 'harness.cu')) && existsSync(join(dir, 'h', 'Makefile')) && existsSync(join(dir, 'h', 'run.sh')));
    assert.match(ok.out, new RegExp(`build: cd ${join(dir, 'h')} && nvcc -O3 -std=c\\+\\+17 -arch=sm_89 -lineinfo -I \\. -o harness harness\\.cu -ldl`));
    assert.match(ok.out, /run: {3}cd .* && sh run\.sh/);
    const wrong = await run(harness, [join(fixtures, 'cuda', 'tiled-16.cu'), '--line', '3', '--out', join(dir, 'x')]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /launches: matmul_tiled at line 32/);
    const usage = await run(harness, [join(fixtures, 'cuda', 'tiled-16.cu'), '--out', join(dir, 'x')]);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--line N is required/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tilecast profile import + list use the workspace store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-cli-import-'));
  try {
    const imported = await run(profile, [
      'import',
      join(fixtures, 'profiling', 'ncu-raw.csv'),
      '--source',
      join(fixtures, 'cuda', 'tiled-16.cu'),
      '--line',
      '32',
      '--workspace',
      dir,
    ]);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /1 record\(s\) appended to .*\.tilecast\/profiles\/batch-/);
    const listed = await run(profile, ['list', '--workspace', dir, '--json']);
    const record = JSON.parse(listed.out.trim());
    assert.equal(record.gpu, 'rtx-4090');
    assert.deepEqual([record.m, record.n, record.k, record.dtype], [1024, 1024, 1024, 'fp32'], "problem size from the source's launch");
    assert.deepEqual(record.params, { TILE: 16 });
    appendProfiles({ dir: join(dir, '.tilecast', 'profiles') }, [{ ...record, runtimeMs: 9, check: 'failed', checkMaxError: 2 }]);
    const text = await run(profile, ['list', '--workspace', dir]);
    assert.match(text.out, /2 record\(s\)/);
    assert.equal((text.out.match(/check FAILED: not used for retraining/g) ?? []).length, 1, 'the failed record is listed, marked');
    const noSize = await run(profile, ['import', join(fixtures, 'profiling', 'ncu-raw.csv'), '--workspace', dir]);
    assert.equal(noSize.code, 2);
    assert.match(noSize.err, /give --m\/--n\/--k or --source FILE --line N/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--arch native: the GPU nvidia-smi reports here gives -arch and the records' gpu id; elsewhere nvcc -arch=native", async () => {
  const file = join(fixtures, 'cuda', 'tiled-16.cu');
  const h100 = {
    name: 'NVIDIA H100 80GB HBM3',
    computeCapability: '9.0',
    boostClockMHz: undefined,
    memoryClockMHz: undefined,
    powerLimitW: undefined,
    powerDefaultLimitW: undefined,
  };
  const here = await prepareHarness(
    { positional: [file], flags: { line: '32', arch: 'native' } },
    { localGpus: async () => [{ ...h100, name: 'NVIDIA L4', computeCapability: '8.9' }] },
  );
  assert.ok(here.ok, here.ok ? '' : here.error);
  assert.equal(here.arch, 'sm_89');
  assert.equal(here.gpuId, 'l4');
  assert.ok(here.result.bundle.build?.includes('-arch=sm_89'));
  assert.match(here.result.bundle.files.find((f) => f.path === 'harness.cu')!.text, /TcRecordInfo tc_info = \{ "l4"/);
  const none = await prepareHarness({ positional: [file], flags: { line: '32', arch: 'native' } }, { localGpus: async () => [] });
  assert.ok(!none.ok && /nvidia-smi reports no GPU/.test(none.error));
  const remote = await prepareHarness({ positional: [file], flags: { line: '32', arch: 'native' } });
  assert.ok(remote.ok);
  assert.equal(remote.gpuId, '', 'labelled by the device name the harness reads');
  assert.ok(remote.result.bundle.build?.includes('-arch=native'));
  const bad = await prepareHarness({ positional: [file], flags: { line: '32', arch: 'nativ' } });
  assert.ok(!bad.ok && /sm_90 or be native/.test(bad.error));
});
