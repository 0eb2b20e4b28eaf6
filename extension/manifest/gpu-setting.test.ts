// package.json's `tilecast.gpus` schema is the one generated from the GPU catalogue (so adding a GPU to
// models/gpus.json without `npm run manifest:gpus` fails here), and it admits what the server resolves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findGpu, listGpus } from '../../server/src/perf/gpu-catalogue';
import { DEFAULT_SETTINGS } from '../../server/src/ide/protocol';
import { acceptsGpu, gpuSettingSchema, type GpuSettingSchema } from './gpu-setting';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, unknown> } };
};
const contributed = manifest.contributes.configuration.properties['tilecast.gpus'] as GpuSettingSchema;

test('package.json lists every catalogue GPU in the tilecast.gpus enum, as generated (npm run manifest:gpus)', () => {
  assert.deepEqual(contributed, gpuSettingSchema(listGpus(), DEFAULT_SETTINGS.gpus));
  const [ids] = contributed.items.anyOf;
  assert.deepEqual(
    ids.enum,
    listGpus().map((g) => g.id),
  );
  assert.equal(ids.markdownEnumDescriptions.length, ids.enum.length);
  assert.equal(ids.enumItemLabels.length, ids.enum.length);
  const h100 = ids.markdownEnumDescriptions[ids.enum.indexOf('h100-sxm')];
  assert.match(h100, /^\*\*NVIDIA H100 SXM5 80 GB\*\* · Hopper \(sm_90\) · 80 GB HBM3 · \d+ GB\/s · FP32 [\d.]+ TFLOP\/s$/);
});

test('a generated schema differs when the catalogue does (the check can fail)', () => {
  const fewer = gpuSettingSchema(listGpus().slice(1), DEFAULT_SETTINGS.gpus);
  assert.notDeepEqual(contributed, fewer);
});

test('the schema admits the default, every id, and every name and alias the server resolves', () => {
  for (const id of DEFAULT_SETTINGS.gpus) assert.ok(acceptsGpu(contributed, id), id);
  for (const gpu of listGpus()) {
    for (const name of [gpu.id, gpu.name, ...gpu.aliases]) {
      assert.equal(findGpu(name)?.id !== undefined, true, `the server resolves ${name}`);
      assert.ok(acceptsGpu(contributed, name), `the schema admits ${name}`);
    }
  }
});

test('a mistyped id is flagged (neither an id nor a name as nvidia-smi prints it)', () => {
  for (const typo of ['rtx-4091', 'h100', '', '  ']) assert.equal(acceptsGpu(contributed, typo), false, JSON.stringify(typo));
});
