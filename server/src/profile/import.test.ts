// Importers on sample files written by the project (test/fixtures/profiling): ncu --csv --page raw and
// a Kernel Tuner cache become valid tilecast-profile/1 records with the caller's problem size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKernelTunerProfiles, parseNcuRawCsv, type ImportContext } from './import';
import { formatProfileRecord, parseProfileJsonl } from '../data/profile-record';

const dir = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'profiling');
const ctx: ImportContext = { m: 1024, n: 1024, k: 1024, dtype: 'fp32', kernel: 'tiled', params: { TILE: 16 }, timestamp: '2026-12-05T19:00:00Z' };

test('ncu raw CSV: launches of one kernel and shape become one record (median of samples, units converted)', () => {
  const text = readFileSync(join(dir, 'ncu-raw.csv'), 'utf8');
  const { profiles, issues } = parseNcuRawCsv(text, 'ncu-raw.csv', { ...ctx, kernelFilter: 'matmul_tiled' });
  assert.deepEqual(issues, []);
  assert.equal(profiles.length, 1);
  const p = profiles[0];
  assert.equal(p.gpuName, 'NVIDIA GeForce RTX 4090');
  assert.ok(Math.abs(p.runtimeMs - (1.83459 + 1.83021) / 2) < 1e-12);
  assert.deepEqual(
    p.runtimeSamplesMs!.map((x) => Math.round(x * 1e9) / 1e9),
    [1.83459, 1.83021],
  );
  assert.deepEqual(p.grid, [64, 64, 1]);
  assert.deepEqual(p.block, [16, 16, 1]);
  assert.equal(p.smClockMHz, 2235);
  assert.equal(p.memClockMHz, 10490);
  assert.equal(p.clockPolicy, 'locked');
  // Round trip through the store's line format and the reader.
  const back = parseProfileJsonl(formatProfileRecord(p), 'x', () => 'rtx-4090');
  assert.deepEqual(back.issues, []);
  assert.equal(back.records[0].gpu, 'rtx-4090');
  const all = parseNcuRawCsv(text, 'ncu-raw.csv', ctx);
  assert.equal(all.profiles.length, 2, 'without a filter every kernel is imported');
  assert.match(parseNcuRawCsv('a,b\n1,2\n', 'x.csv', ctx).issues[0], /not an ncu --csv --page raw table/);
});

test('Kernel Tuner cache: one record per valid configuration; failed ones are issues', () => {
  const cache = JSON.parse(readFileSync(join(dir, 'kerneltuner-cache.json'), 'utf8'));
  const { profiles, issues } = parseKernelTunerProfiles(cache, 'kt.json', ctx);
  assert.equal(profiles.length, 2);
  assert.equal(issues.length, 2);
  assert.match(issues.join('\n'), /InvalidConfig/);
  const first = profiles.find((p) => p.runtimeMs === 1.9214)!;
  assert.deepEqual([first.m, first.n, first.k], [2048, 1024, 512]);
  assert.deepEqual(first.params, { TILE: 16, block_size_x: 16, block_size_y: 8, tile_size_x: 1, tile_size_y: 1 });
  assert.deepEqual(first.block, [16, 8, 1]);
  assert.equal(first.powerW, 301.5);
  assert.equal(first.timestamp, '2026-11-30T10:11:12Z');
  assert.equal(first.tool, 'Kernel Tuner');
  assert.match(parseKernelTunerProfiles({}, 'x', ctx).issues[0], /not a Kernel Tuner cache/);
});
