// The hover's measured lines (issue 10): a record of the launch under the cursor (same kernel, size,
// dtype, tile values, GPU) shows beside the hover's own prediction; a record that differs in any of them
// does not; the latest wins. And the stores a document's hover reads (nearest .tilecast/profiles, global).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeSource } from '../server/src/analysis/index';
import type { ProfileRecord } from '../server/src/data/profile-record';
import * as api from '../server/src/ide/api';
import { measuredMarkdown, predictRecordAt } from '../server/src/ide/measured';
import { formatTime } from '../server/src/ide/render';
import { DEFAULT_SETTINGS } from '../server/src/ide/protocol';
import { storesFor, withMeasured } from '../server/src/lsp/measured-hover';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import { loadGrammars } from '../server/src/platform/grammars';
import { appendProfiles } from '../server/src/platform/profile-store';
import { fakePredictor } from './ide-harness';

const source = readFileSync(join(__dirname, '..', 'examples', 'tiled_matmul.cu'), 'utf8');

async function reports(text = source) {
  const analysis = analyzeSource(await loadGrammars(), 'cuda', text);
  return api.buildReports({
    text,
    analysis,
    gpus: ['rtx-4090', 'h100-sxm'].map((id) => findGpu(id)!),
    settings: DEFAULT_SETTINGS,
    predictor: fakePredictor(),
    modelError: null,
  });
}

function record(overrides: Partial<ProfileRecord> = {}): ProfileRecord {
  return {
    schema: 'tilecast-profile/1',
    gpu: 'rtx-4090',
    gpuName: 'NVIDIA GeForce RTX 4090',
    dtype: 'fp32',
    m: 4096,
    n: 4096,
    k: 4096,
    batch: 1,
    kernel: 'tiled',
    params: { TILE: 16 },
    grid: [256, 256, 1],
    block: [16, 16, 1],
    runtimeMs: 31.2,
    powerW: 350,
    clockPolicy: 'default',
    timestamp: '2026-12-05T19:00:00Z',
    tool: 'test',
    kernelName: 'matmul_tiled',
    ...overrides,
  };
}

test("a matching record shows beside the hover's prediction; mismatches do not; the latest wins", async () => {
  const r = await reports();
  const at = source.indexOf('matmul_tiled<<<');
  const predicted = r.reports[0].on(findGpu('rtx-4090')!)!.prediction!.runtimeMs;
  const line = measuredMarkdown(r, at, [record({ runtimeMs: 40, timestamp: '2026-12-01T00:00:00Z' }), record()]);
  const delta = Math.round(((31.2 - predicted) / predicted) * 100);
  assert.equal(
    line,
    `**Measured** on NVIDIA GeForce RTX 4090: 31.2 ms vs predicted ${formatTime(predicted)}, ${delta >= 0 ? '+' : ''}${delta}%, 350 W (your profile of 2026-12-05)`,
  );
  for (const other of [
    record({ params: { TILE: 32 } }),
    record({ m: 2048 }),
    record({ dtype: 'fp16' }),
    record({ kernelName: 'other' }),
    record({ gpu: 'a100-sxm4-80gb', gpuName: 'NVIDIA A100' }),
    record({ check: 'failed' }),
  ]) {
    assert.equal(measuredMarkdown(r, at, [other]), null, JSON.stringify(other).slice(0, 120));
  }
  // A record on the second target GPU, found by its name when the id is empty.
  assert.match(
    measuredMarkdown(r, at, [record({ gpu: '', gpuName: 'NVIDIA H100 80GB HBM3', runtimeMs: 12 })]) ?? '',
    /^\*\*Measured\*\* on .*H100.*: 12 ms vs predicted/,
  );
});

test('after an edit to TILE the old measurement no longer matches', async () => {
  const edited = source.replace('#define TILE 16', '#define TILE 32');
  const r = await reports(edited);
  assert.equal(measuredMarkdown(r, edited.indexOf('matmul_tiled<<<'), [record()]), null);
  assert.ok(measuredMarkdown(r, edited.indexOf('matmul_tiled<<<'), [record({ params: { TILE: 32 }, grid: [128, 128, 1], block: [32, 32, 1] })]));
});

test('stores: the nearest .tilecast/profiles above the file, then the global one; withMeasured appends from the store', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tilecast-measured-'));
  const home = join(root, 'home');
  const workspace = join(root, 'ws');
  mkdirSync(join(workspace, 'src', 'deep'), { recursive: true });
  assert.deepEqual(storesFor(join(workspace, 'src', 'deep', 'a.cu'), home), []);
  appendProfiles({ dir: join(workspace, '.tilecast', 'profiles') }, [record()]);
  appendProfiles({ dir: join(home, '.tilecast', 'profiles') }, [record({ gpu: 'h100-sxm', gpuName: 'NVIDIA H100 SXM5 80 GB', runtimeMs: 9 })]);
  assert.deepEqual(storesFor(join(workspace, 'src', 'deep', 'a.cu'), home), [join(workspace, '.tilecast', 'profiles'), join(home, '.tilecast', 'profiles')]);
  const r = await reports();
  const at = source.indexOf('matmul_tiled<<<');
  const hover = api.hoverAt(r, at)!;
  const file = join(workspace, 'src', 'deep', 'a.cu');
  const shown = withMeasured(hover, r, at, pathToFileURL(file).href);
  assert.ok(shown.markdown.startsWith(hover.markdown));
  assert.match(shown.markdown, /\*\*Measured\*\* on NVIDIA GeForce RTX 4090: 31\.2 ms/);
  // A new batch appears in the next hover (the store's listing changed).
  appendProfiles({ dir: join(workspace, '.tilecast', 'profiles') }, [record({ runtimeMs: 33.3, timestamp: '2026-12-06T00:00:00Z' })]);
  assert.match(withMeasured(hover, r, at, pathToFileURL(file).href).markdown, /33\.3 ms/);
  assert.equal(withMeasured(hover, r, at, 'untitled:Untitled-1'), hover);
});

test('a measured record is predicted as the hover predicts its configuration: the current one, or another tile value as if edited', async () => {
  const r = await reports();
  const at = source.indexOf('matmul_tiled<<<');
  const gpu = findGpu('rtx-4090')!;
  assert.equal(predictRecordAt(r, at, record())?.runtimeMs?.value, r.reports[0].on(gpu)!.prediction!.runtimeMs);
  const edited = source.replace('#define TILE 16', '#define TILE 32');
  const afterEdit = await reports(edited);
  const asEdited = afterEdit.reports[0].on(gpu)!.prediction!.runtimeMs;
  assert.notEqual(asEdited, r.reports[0].on(gpu)!.prediction!.runtimeMs, 'the tile changes the prediction');
  assert.equal(predictRecordAt(r, at, record({ params: { TILE: 32 } }))?.runtimeMs?.value, asEdited);
  assert.equal(predictRecordAt(r, at, record({ params: { BM: 64 } })), null, 'not a tile parameter of this launch');
  assert.equal(predictRecordAt(r, at, record({ m: 1024 })), null, 'another problem size');
  assert.deepEqual(predictRecordAt(r, at, record({ gpu: '', gpuName: 'Imaginary 9000' })), {
    runtimeMs: null,
    error: 'Imaginary 9000 is not in the GPU catalogue',
  });
});
