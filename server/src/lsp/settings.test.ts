// The settings reader keeps a default for every unusable value and says why; GPU names resolve with suggestions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS } from '../ide/protocol';
import { readSettings, resolveGpus } from './settings';

test('missing settings are the defaults, with nothing to report', () => {
  assert.deepEqual(readSettings(undefined), { settings: DEFAULT_SETTINGS, problems: [] });
  assert.deepEqual(readSettings({}).settings, DEFAULT_SETTINGS);
});

test('good values are kept', () => {
  const { settings, problems } = readSettings({
    gpus: ['h100', 'rtx-4090'],
    defaultProblemSize: { m: 128, n: 256, k: 64 },
    defaultDtype: 'bf16',
    inlayHints: 'time',
    diagnostics: { 'low-occupancy': 'off' },
    modelPath: ' /models ',
    measurementMethod: 'pytorch-eager',
    includePaths: [' include ', '/opt/cutlass/include'],
    compileCommandsDir: ' out/release ',
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    gpus: ['h100', 'rtx-4090'],
    defaultProblemSize: { m: 128, n: 256, k: 64 },
    defaultDtype: 'bf16',
    inlayHints: 'time',
    diagnostics: { 'low-occupancy': 'off' },
    modelPath: '/models',
    measurementMethod: 'pytorch-eager',
    includePaths: ['include', '/opt/cutlass/include'],
    compileCommandsDir: 'out/release',
  });
});

test('garbage values keep their defaults, one line each naming the setting', () => {
  const { settings, problems } = readSettings({
    gpus: [42, '', null],
    defaultProblemSize: { m: -1, n: 1.5, k: '4096' },
    defaultDtype: 'fp128',
    inlayHints: true,
    diagnostics: { 'low-occupancy': 'loud', 'no-such-rule': 'error' },
    modelPath: 7,
    measurementMethod: {},
    includePaths: { dir: 'include' },
    compileCommandsDir: ['build'],
  });
  assert.deepEqual(settings, DEFAULT_SETTINGS);
  for (const name of [
    'gpus',
    'defaultProblemSize.m',
    'defaultProblemSize.n',
    'defaultProblemSize.k',
    'defaultDtype',
    'inlayHints',
    'diagnostics.low-occupancy',
    'no-such-rule',
    'modelPath',
    'measurementMethod',
    'includePaths',
    'compileCommandsDir',
  ]) {
    assert.ok(
      problems.some((line) => line.includes(name)),
      `${name} in ${problems.join('\n')}`,
    );
  }
  assert.ok(problems.every((line) => !line.includes('\n')));
});

test('settings that are not an object at all are the defaults, said once', () => {
  for (const raw of ['tilecast', 12, [1, 2]]) {
    const { settings, problems } = readSettings(raw);
    assert.deepEqual(settings, DEFAULT_SETTINGS);
    assert.equal(problems.length, 1);
  }
});

test('a single GPU name as a string is a list of one; control characters do not reach the log', () => {
  assert.deepEqual(readSettings({ gpus: 'a100' }).settings.gpus, ['a100']);
  const { problems } = readSettings({ defaultDtype: 'x\u001b[31my' });
  assert.ok(!problems[0]!.includes('\u001b'));
});

test('unknown GPUs are reported with suggestions and skipped; none known falls back to the default GPU', () => {
  const some = resolveGpus(['H100 SXM', 'rtx 4900x']);
  assert.deepEqual(
    some.gpus.map((gpu) => gpu.id),
    ['h100-sxm'],
  );
  assert.equal(some.unknown[0]!.name, 'rtx 4900x');
  assert.ok(some.unknown[0]!.suggestions.includes('rtx-4090'));
  const none = resolveGpus(['nonsense']);
  assert.deepEqual(
    none.gpus.map((gpu) => gpu.id),
    ['rtx-4090'],
  );
  assert.ok(none.problems.some((line) => /none of nonsense/.test(line)));
});

test('includePaths keeps the folder names and drops the entries that are not', () => {
  const { settings, problems } = readSettings({ includePaths: ['inc', 3, '', 'third_party/lib'] });
  assert.deepEqual(settings.includePaths, ['inc', 'third_party/lib']);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /tilecast\.includePaths: ignored 2 entries/);
});
