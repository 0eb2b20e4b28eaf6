// Tests for the tilecast-profile/1 JSON-lines parser: valid lines map to records, every invalid field
// is reported with its line number, nothing throws. No shared data needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROFILE_SCHEMA, formatProfileRecord, parseProfileJsonl, validateProfileRecord, type ProfileRecord } from './profile-record';

const good: ProfileRecord = {
  schema: PROFILE_SCHEMA,
  gpu: 'l4',
  gpuName: 'NVIDIA L4',
  dtype: 'fp16',
  m: 4096,
  n: 4096,
  k: 4096,
  batch: 1,
  kernel: 'tiled',
  params: { BLOCK_M: 128, BLOCK_N: 64 },
  grid: [64, 32, 1],
  block: [256, 1, 1],
  runtimeMs: 1.25,
  runtimeSamplesMs: [1.2, 1.25, 1.3],
  powerW: 70.5,
  powerSamplesW: [70, 71],
  powerLimitW: 72,
  smClockMHz: 2040,
  memClockMHz: 6251,
  temperatureC: 61,
  clockPolicy: 'default',
  timestamp: '2026-11-28T17:00:00Z',
  tool: 'tilecast-profile 0.1.0',
};

test('profile: a valid line round-trips and maps to a plain profile GemmRecord', () => {
  const text = `${formatProfileRecord(good)}\n\n# comment\n${formatProfileRecord({ ...good, gpu: '', grid: null, block: null })}\n`;
  const { profiles, records, issues } = parseProfileJsonl(text, 'models/data/profiles/a.jsonl', (name) => (name === 'NVIDIA L4' ? 'l4' : null));
  assert.deepEqual(issues, []);
  assert.equal(profiles.length, 2);
  assert.deepEqual(profiles[0], good);
  const r = records[0];
  assert.equal(r.source, 'profile');
  assert.equal(r.condition, 'plain');
  assert.equal(r.gpu, 'l4');
  assert.equal(r.powerW, 70.5);
  assert.deepEqual(r.grid, [64, 32, 1]);
  assert.equal(r.framework, 'tilecast-profile 0.1.0');
  assert.equal(records[1].gpu, 'l4', 'empty gpu resolved from gpuName');
  assert.equal(records[1].grid, undefined);
});

test('profile: each invalid field is reported with its line number and reason', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...good, schema: 'tilecast-profile/2' }, /schema/],
    [{ ...good, dtype: 'fp12' }, /dtype/],
    [{ ...good, m: 0 }, /m must be a positive integer/],
    [{ ...good, k: 3.5 }, /k must be/],
    [{ ...good, kernel: 'magic' }, /kernel must be/],
    [{ ...good, params: { a: 'x' } }, /params\.a/],
    [{ ...good, grid: [1, 2] }, /grid/],
    [{ ...good, block: [0, 1, 1] }, /block/],
    [{ ...good, runtimeMs: -1 }, /runtimeMs/],
    [{ ...good, runtimeSamplesMs: [] }, /runtimeSamplesMs/],
    [{ ...good, powerW: 0 }, /powerW/],
    [{ ...good, powerSamplesW: [1, null] }, /powerSamplesW/],
    [{ ...good, powerLimitW: 'x' }, /powerLimitW/],
    [{ ...good, smClockMHz: -5 }, /smClockMHz/],
    [{ ...good, temperatureC: 400 }, /temperatureC/],
    [{ ...good, clockPolicy: 'fast' }, /clockPolicy/],
    [{ ...good, timestamp: 'yesterday' }, /timestamp/],
    [{ ...good, tool: '' }, /tool/],
    [{ ...good, extra: 1 }, /unknown field "extra"/],
    [{ ...good, gpuName: '' }, /gpuName/],
  ];
  const text = ['{not json', '[1,2]', ...bad.map(([v]) => JSON.stringify(v))].join('\n');
  const { records, issues } = parseProfileJsonl(text, 'p.jsonl');
  assert.equal(records.length, 0);
  assert.equal(issues.length, bad.length + 2);
  assert.deepEqual(
    issues.map((i) => i.where),
    Array.from({ length: bad.length + 2 }, (_, i) => i + 1),
  );
  assert.match(issues[0].reason, /invalid JSON/);
  assert.match(issues[1].reason, /not a JSON object/);
  bad.forEach(([, re], i) => assert.match(issues[i + 2].reason, re, `line ${i + 3}`));
});

test('profile: optional fields may be absent', () => {
  const minimal = {
    schema: PROFILE_SCHEMA,
    gpu: 't4',
    gpuName: 'Tesla T4',
    dtype: 'fp32',
    m: 1,
    n: 2,
    k: 3,
    batch: 1,
    kernel: 'library',
    params: {},
    grid: null,
    block: null,
    runtimeMs: 0.01,
    clockPolicy: 'locked',
    timestamp: '2026-11-28T17:00:00.123+01:00',
    tool: 't',
  };
  assert.equal(validateProfileRecord(minimal).ok, true);
});

test('profile: a record whose result check failed is listed but never a training record', () => {
  const text = [good, { ...good, check: 'failed', checkMaxError: 3 }, { ...good, check: 'passed' }]
    .map((r) => formatProfileRecord(r as ProfileRecord))
    .join('\n');
  const parsed = parseProfileJsonl(text, 'store');
  assert.deepEqual(parsed.issues, []);
  assert.equal(parsed.profiles.length, 3, 'kept for listings');
  assert.equal(parsed.profiles[1].check, 'failed');
  assert.equal(parsed.records.length, 2, 'left out of training');
  assert.equal(parsed.failedChecks, 1);
});
