// The editor's profiling logic without the editor: trust gating, the CLI argument arrays (checked by
// running the real `tilecast profile` command with them), output parsing, the result line, the sweep's
// measured cells and the profiles table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProfileRecord } from '../../server/src/data/profile-record';
import { command as profileCommand } from '../../server/src/cli/commands/profile';
import { runInProcess } from '../../server/src/cli/run-in-process';
import { appendProfiles, storeLocation } from '../../server/src/platform/profile-store';
import { runCli } from './cli-process';
import {
  DEFAULT_PROFILE_SETTINGS,
  describeWhere,
  formatComparison,
  importArgs,
  importNeedsSize,
  isMissingGpuMessage,
  lastCliError,
  measuredSweepCells,
  parseRecordLines,
  parseRetrainProgress,
  parseRetrainAnswer,
  profileArgs,
  retrainArgs,
  summariseRun,
  trustRefusal,
  whereArgs,
  type ProfileSettings,
} from './profiling-core';
import { distinct, filterRows, profileRow, rowsToCsv } from './profiles-table';

const example = join(__dirname, '..', '..', 'examples', 'tiled_matmul.cu');

function record(overrides: Partial<ProfileRecord> = {}): ProfileRecord {
  return {
    schema: 'tilecast-profile/1',
    gpu: 'rtx-4090',
    gpuName: 'NVIDIA GeForce RTX 4090',
    dtype: 'fp32',
    m: 1024,
    n: 1024,
    k: 1024,
    batch: 1,
    kernel: 'tiled',
    params: { TILE: 16 },
    grid: [64, 64, 1],
    block: [16, 16, 1],
    runtimeMs: 2.1,
    clockPolicy: 'default',
    timestamp: '2026-12-05T19:00:00Z',
    tool: 'tilecast-harness 0.1.0',
    kernelName: 'matmul_tiled',
    check: 'passed',
    ...overrides,
  };
}

test('only Profile and Sweep are refused in an untrusted workspace, with the reason', () => {
  assert.match(trustRefusal('profile', false) ?? '', /compiles the kernel from this workspace.*trust the workspace/);
  assert.match(trustRefusal('sweep', false) ?? '', /^TileCast: A tile sweep/);
  for (const c of ['retrain', 'revert', 'import', 'showProfiles'] as const) assert.equal(trustRefusal(c, false), null, c);
  for (const c of ['profile', 'sweep'] as const) assert.equal(trustRefusal(c, true), null, c);
});

test('where a run goes: nothing for this machine, host and SSH options, SLURM options in the = form', () => {
  assert.deepEqual(whereArgs(DEFAULT_PROFILE_SETTINGS), []);
  assert.equal(describeWhere(DEFAULT_PROFILE_SETTINGS), 'this machine');
  const remote: ProfileSettings = {
    ...DEFAULT_PROFILE_SETTINGS,
    host: ' me@gpu-box ',
    port: 2222,
    identityFile: '~/.ssh/id_gpu',
    sshOptions: ['StrictHostKeyChecking=accept-new', ' '],
    slurm: { enabled: true, partition: 'gpu', account: '', time: '00:05:00', options: ['--constraint=h100'] },
  };
  assert.deepEqual(whereArgs(remote), [
    '--host',
    'me@gpu-box',
    '--port',
    '2222',
    '--identity',
    '~/.ssh/id_gpu',
    '--ssh-option',
    'StrictHostKeyChecking=accept-new',
    '--slurm',
    '--partition',
    'gpu',
    '--time',
    '00:05:00',
    '--slurm-option=--constraint=h100',
  ]);
  assert.equal(describeWhere(remote), 'SLURM (gpu) via me@gpu-box');
});

test('profile arguments: 1-based line, sweep, store, JSON output; a file name with spaces stays one argument', () => {
  const args = profileArgs(
    { file: '/w/my kernels/a.cu', line: 32, sweep: true, workspace: '/w' },
    { ...DEFAULT_PROFILE_SETTINGS, clockPolicy: 'locked', timeoutSeconds: 90 },
  );
  assert.deepEqual(args, [
    'profile',
    '/w/my kernels/a.cu',
    '--line',
    '33',
    '--sweep',
    '--arch',
    'native',
    '--timeout',
    '90',
    '--clock-policy',
    'locked',
    '--workspace',
    '/w',
    '--json',
  ]);
  assert.deepEqual(profileArgs({ file: '/a.cu', line: 0, sweep: false, workspace: '/w' }, { ...DEFAULT_PROFILE_SETTINGS, store: 'global' }).slice(-2), [
    '--global',
    '--json',
  ]);
  assert.deepEqual(profileArgs({ file: '/a.cu', line: 0, sweep: false, workspace: '/w', gpuId: 'l4' }, DEFAULT_PROFILE_SETTINGS).slice(4, 6), ['--gpu', 'l4']);
  // tilecast.includePaths reaches the harness as --include folders, each one argument.
  assert.deepEqual(
    profileArgs(
      { file: '/a.cu', line: 0, sweep: false, workspace: '/w', includeDirs: ['/w/inc', '/w/my headers'], compileCommandsDir: '/w/out' },
      DEFAULT_PROFILE_SETTINGS,
    ).slice(6, 12),
    ['--include', '/w/inc', '--include', '/w/my headers', '--compile-commands-dir', '/w/out'],
  );
  assert.deepEqual(retrainArgs('/w', DEFAULT_PROFILE_SETTINGS), ['profile', 'retrain', '--workspace', '/w', '--json']);
});

test('the real `tilecast profile` accepts the arguments; with no nvidia-smi the failure is the no-GPU message the editor recognises', async () => {
  const emptyPath = mkdtempSync(join(tmpdir(), 'tilecast-nopath-'));
  const store = mkdtempSync(join(tmpdir(), 'tilecast-store-'));
  const savedPath = process.env.PATH;
  process.env.PATH = emptyPath;
  let result: Awaited<ReturnType<typeof runInProcess>>;
  try {
    const args = profileArgs({ file: example, line: 32, sweep: false, workspace: store }, DEFAULT_PROFILE_SETTINGS);
    assert.equal(args[0], 'profile');
    // dist/cli.js takes the sub-command name first; the command itself gets the rest.
    result = await runInProcess(profileCommand, args.slice(1));
  } finally {
    process.env.PATH = savedPath;
  }
  assert.equal(result.code, 1, result.stderr);
  const error = lastCliError(result.stderr.split('\n'));
  assert.ok(error && isMissingGpuMessage(error), result.stderr);
  assert.match(error, /nvidia-smi is not on PATH.*tilecast\.profile\.host.*tilecast\.profile\.slurm/);
  assert.equal(result.stdout, '');
});

test('import needs a size for ncu tables, not for Kernel Tuner caches; the size or the source goes along', () => {
  assert.equal(importNeedsSize(['/a/cache.json', '/a/cache.json.gz']), false);
  assert.equal(importNeedsSize(['/a/cache.json', '/a/ncu.csv']), true);
  assert.deepEqual(importArgs({ files: ['/a/ncu.csv'], workspace: '/w', source: { file: '/w/k.cu', line: 9 } }, DEFAULT_PROFILE_SETTINGS), [
    'profile',
    'import',
    '/a/ncu.csv',
    '--source',
    '/w/k.cu',
    '--line',
    '10',
    '--workspace',
    '/w',
  ]);
  assert.deepEqual(importArgs({ files: ['/a/ncu.csv'], workspace: undefined, size: { m: 1, n: 2, k: 3 } }, DEFAULT_PROFILE_SETTINGS), [
    'profile',
    'import',
    '/a/ncu.csv',
    '--m',
    '1',
    '--n',
    '2',
    '--k',
    '3',
    '--global',
  ]);
});

test('record lines: valid records kept, anything else an issue with its line', () => {
  const out = `${JSON.stringify(record())}\nnot json\n\n${JSON.stringify({ ...record(), runtimeMs: -1 })}\n`;
  const parsed = parseRecordLines(out);
  assert.equal(parsed.records.length, 1);
  assert.deepEqual(parsed.issues, ['line 2: not JSON', 'line 4: runtimeMs must be a finite number > 0']);
});

test('retrain progress and the last CLI error', () => {
  assert.deepEqual(parseRetrainProgress('tilecast profile retrain: 40% fitting the correction'), { fraction: 0.4, message: 'fitting the correction' });
  assert.equal(parseRetrainProgress('tilecast profile retrain: 12 record(s) from /w'), null);
  assert.equal(lastCliError(['tilecast profile: building', '  nvcc: error', 'tilecast profile: the build failed (exit 2)', '']), 'the build failed (exit 2)');
  assert.equal(lastCliError(['nothing']), null);
});

test('the result line: signed percentage, precision by size, no prediction said so', () => {
  assert.equal(formatComparison(2.1, 1.92), 'measured 2.10 ms vs predicted 1.92 ms, +9%');
  assert.equal(formatComparison(1.5, 2), 'measured 1.50 ms vs predicted 2.00 ms, -25%');
  assert.equal(formatComparison(123.4, 12.34), 'measured 123 ms vs predicted 12.3 ms, +900%');
  assert.equal(formatComparison(2.1, null, 'GPU not in the catalogue'), 'measured 2.10 ms (no prediction: GPU not in the catalogue)');
  assert.equal(
    summariseRun([record()], [{ runtimeMs: 1.92 }]),
    'TileCast: matmul_tiled on NVIDIA GeForce RTX 4090: measured 2.10 ms vs predicted 1.92 ms, +9%',
  );
  const sweep = [record({ params: { TILE: 8 }, runtimeMs: 3 }), record({ params: { TILE: 32 }, runtimeMs: 1.5 })];
  assert.equal(
    summariseRun(sweep, [{ runtimeMs: 2 }, { runtimeMs: 1.6 }]),
    'TileCast: 2 configurations measured on NVIDIA GeForce RTX 4090; fastest TILE=32: measured 1.50 ms vs predicted 1.60 ms, -6%',
  );
});

test('measured sweep cells: the sweep GPU, kernel and size only, both axes set, fastest per cell, failed checks left out', () => {
  const records = [
    record({ params: { BM: 64, BN: 64 }, runtimeMs: 2 }),
    record({ params: { BM: 64, BN: 64 }, runtimeMs: 1.8 }),
    record({ params: { BM: 128, BN: 64 }, runtimeMs: 1.2, check: 'failed' }),
    record({ params: { BM: 128, BN: 128 }, runtimeMs: 1.1, gpu: 'h100-sxm' }),
    record({ params: { BM: 32, BN: 32 }, runtimeMs: 4, m: 2048 }),
    record({ params: { BM: 32 }, runtimeMs: 4 }),
    record({ params: { BM: 32, BN: 64 }, runtimeMs: 3, kernelName: 'other' }),
  ];
  assert.deepEqual(measuredSweepCells(records, { gpuId: 'rtx-4090', xName: 'BM', yName: 'BN', kernelName: 'matmul_tiled', m: 1024 }), [
    { x: 64, y: 64, timeMs: 1.8 },
  ]);
  // A one-parameter sweep (#define TILE): no y parameter, one row at y = 1.
  assert.deepEqual(
    measuredSweepCells([record({ params: { TILE: 32 }, runtimeMs: 1.5 }), record({ params: { TILE: 8 }, runtimeMs: 3 })], {
      gpuId: 'rtx-4090',
      xName: 'TILE',
      yName: '',
    }),
    [
      { x: 32, y: 1, timeMs: 1.5 },
      { x: 8, y: 1, timeMs: 3 },
    ],
  );
});

test('profiles table: filters by GPU, dtype, family and text; CSV quotes and defuses formulas', () => {
  const rows = [record(), record({ gpu: 'h100-sxm', gpuName: 'NVIDIA H100', dtype: 'fp16', kernelName: '=cmd|x', params: { BM: 128 } })].map(profileRow);
  assert.deepEqual(distinct(rows, 'gpuName'), ['NVIDIA GeForce RTX 4090', 'NVIDIA H100']);
  assert.equal(filterRows(rows, { gpu: 'h100-sxm' }).length, 1);
  assert.equal(filterRows(rows, { dtype: 'fp32' })[0].kernelName, 'matmul_tiled');
  assert.equal(filterRows(rows, { text: 'bm=128' }).length, 1);
  assert.equal(filterRows(rows, { text: 'nothing' }).length, 0);
  const csv = rowsToCsv(rows).split('\n');
  assert.equal(csv[0], 'timestamp,gpu,gpuName,kernel,kernelName,dtype,m,n,k,params,runtimeMs,powerW,energyMj,check,tool');
  assert.equal(
    csv[1],
    '2026-12-05T19:00:00Z,rtx-4090,NVIDIA GeForce RTX 4090,tiled,matmul_tiled,fp32,1024,1024,1024,TILE=16,2.1,,,passed,tilecast-harness 0.1.0',
  );
  assert.match(csv[2], /,'=cmd\|x,fp16,/);
});

test('the retrain answer is stdout as one JSON document; anything else is no answer', async () => {
  const manifest = { modelDir: '/w/.tilecast/models', strategy: 'correction', strategies: [{ strategy: 'correction', available: true }] };
  assert.deepEqual(parseRetrainAnswer(`${JSON.stringify(manifest, null, 2)}\n`), manifest);
  assert.equal(parseRetrainAnswer(`datasets root: (not found)\n${JSON.stringify(manifest)}\n`), null);
  assert.equal(parseRetrainAnswer('no json at all\n'), null);
  assert.equal(parseRetrainAnswer('{ broken\n'), null);
});

test('retrain through the bundled CLI as the editor runs it: the answer parses to the stored model', {
  skip: !existsSync(join(__dirname, '..', '..', 'dist', 'cli.js')) && 'dist/cli.js not built',
}, async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tilecast-retrain-'));
  const records: ProfileRecord[] = [];
  for (const m of [512, 1024, 2048, 4096])
    for (const tile of [8, 16, 32]) {
      records.push(
        record({
          m,
          n: m,
          k: m,
          params: { TILE: tile },
          grid: [m / tile, m / tile, 1],
          block: [tile, tile, 1],
          runtimeMs: ((2 * m ** 3) / (tile * 1.2e12)) * (1 + 0.1 * Math.sin(m + tile)),
        }),
      );
    }
  appendProfiles(storeLocation({ workspace }), records);
  // No shipped training data here (--datasets to a missing directory): the correction strategy alone, as in the .vsix.
  const run = await runCli(
    join(__dirname, '..', '..', 'dist', 'cli.js'),
    [...retrainArgs(workspace, DEFAULT_PROFILE_SETTINGS), '--datasets', join(workspace, 'none')],
    { cwd: workspace },
  );
  assert.equal(run.code, 0, run.stderrLines.join('\n'));
  const progress = run.stderrLines.map(parseRetrainProgress).filter((p) => p !== null);
  assert.ok(progress.length >= 2 && progress.at(-1)!.fraction === 1, run.stderrLines.join('\n'));
  const manifest = parseRetrainAnswer(run.stdout) as { modelDir: string; strategy: string; fingerprint: string };
  assert.equal(manifest.strategy, 'correction');
  assert.equal(manifest.modelDir, join(workspace, '.tilecast', 'models'));
  assert.ok(existsSync(join(manifest.modelDir, 'user-model.json')));
});

test('import through the bundled CLI as the editor runs it: a Kernel Tuner cache and an ncu table with the size of the launch at the cursor', {
  skip: !existsSync(join(__dirname, '..', '..', 'dist', 'cli.js')) && 'dist/cli.js not built',
}, async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tilecast-import-'));
  const fixtures = join(__dirname, '..', '..', 'test', 'fixtures', 'profiling');
  const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
  const cache = await runCli(cli, importArgs({ files: [join(fixtures, 'kerneltuner-cache.json')], workspace }, DEFAULT_PROFILE_SETTINGS));
  assert.equal(cache.code, 0, cache.stderrLines.join('\n'));
  assert.match(cache.stdout, /^2 record\(s\) appended to /m);
  const files = [join(fixtures, 'ncu-raw.csv')];
  assert.equal(importNeedsSize(files), true);
  const ncu = await runCli(cli, importArgs({ files, workspace, source: { file: example, line: 32 } }, DEFAULT_PROFILE_SETTINGS));
  assert.match(ncu.stdout, /record\(s\) appended to /, ncu.stderrLines.join('\n'));
  const stored = parseRecordLines((await runCli(cli, ['profile', 'list', '--workspace', workspace, '--json'])).stdout).records;
  assert.ok(stored.length > 2);
  assert.ok(
    stored.some((r) => r.m === 4096 && r.n === 4096 && r.k === 4096),
    'the ncu rows took the size of the launch at the cursor',
  );
});
