// Loading the model artifacts: clear messages for a missing directory, a missing, corrupt or mismatched
// file; and, when the shipped models are present, real predictions through `tilecast predict`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { makeSynthetic } from '../../../models/training/synthetic-data';
import { trainForest } from '../../../models/training/train-forest';
import { encodeModel } from '../model/artifact';
import { loadShippedPredictor, MODEL_FILES } from './models';
import { runPredict } from '../cli/commands/predict';
import { findGpu } from '../perf/gpu-catalogue';
import { writeTestModels } from '../cli/predict/test-models';

const shippedDir = join(__dirname, '..', '..', '..', 'models');
const shipped = existsSync(join(shippedDir, MODEL_FILES.runtime)) && existsSync(join(shippedDir, MODEL_FILES.power));

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

function dirWith(files: Record<string, Uint8Array | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-models-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

test('models: a directory without model files names the places searched and the fix', async () => {
  const dir = dirWith({});
  const r = await loadShippedPredictor(dir);
  assert.ok(!r.ok);
  assert.match(r.error, /model files runtime\.tcmf and power\.tcmf not found \(looked in .*tilecast-models-.*\): reinstall or run npm run train/);
});

test('models: one file missing, a corrupt file, a model for other features', async () => {
  const good = shipped ? readFileSync(join(shippedDir, MODEL_FILES.power)) : undefined;
  const missing = await loadShippedPredictor(dirWith({ [MODEL_FILES.runtime]: new Uint8Array([1, 2, 3]) }));
  assert.ok(!missing.ok);
  assert.match(missing.error, /model file .*power\.tcmf is missing: reinstall or run npm run train/);

  const corruptDir = dirWith({ [MODEL_FILES.runtime]: new TextEncoder().encode('TCMF this is not a model'), [MODEL_FILES.power]: good ?? new Uint8Array(8) });
  const corrupt = await loadShippedPredictor(corruptDir);
  assert.ok(!corrupt.ok);
  assert.match(corrupt.error, /model file .*runtime\.tcmf is corrupt \(.+\): reinstall or run npm run train/);

  const data = makeSynthetic({ nRows: 400, nFeatures: 8, seed: 3, missingFraction: 0 });
  const trained = await trainForest(data, { trees: 2, maxDepth: 4, minSamplesLeaf: 10, featureFraction: 1, sampleFraction: 1, seed: 1, workers: 1 });
  const other = encodeModel({
    schemaVersion: 1,
    featureNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    featureVersion: 'other-v1',
    target: { name: 'runtime', transform: 'log' },
    dataFingerprint: 'x',
    metrics: {},
    calibration: [],
    forest: trained.forest,
  });
  const mismatch = await loadShippedPredictor(dirWith({ [MODEL_FILES.runtime]: other, [MODEL_FILES.power]: other }));
  assert.ok(!mismatch.ok);
  assert.match(mismatch.error, /model file .*runtime\.tcmf does not match this TileCast's features \(.+\): reinstall or run npm run train/);
});

/** Single and batch predictions through `tilecast predict` from the models in `dir` (default: the shipped ones). */
async function checkEndToEnd(dir: string | undefined): Promise<void> {
  const loaded = await loadShippedPredictor(dir);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
  const values = loaded.predictor.predict({ m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'bf16', kernel: 'library' }, findGpu('h100')!);
  assert.ok(values.runtimeMs > 0 && values.runtimeLoMs <= values.runtimeMs && values.runtimeMs <= values.runtimeHiMs, JSON.stringify(values));
  assert.ok(values.powerW > 0 && values.powerLoW <= values.powerW && values.powerW <= values.powerHiW, JSON.stringify(values));
  assert.ok(values.energyMj > 0);
  const stdout = new Capture();
  const stderr = new Capture();
  const deps = {
    loadPredictor: async (d: string | undefined) => {
      const l = await loadShippedPredictor(d ?? dir);
      return l.ok ? { ...l, modelsDir: l.dir } : l;
    },
  };
  const code = await runPredict(['--gpu', 'h100', '--dtype', 'bf16', '--m', '4096', '--n', '4096', '--k', '4096', '--json'], { stdout, stderr }, deps);
  assert.equal(code, 0, stderr.text);
  const json = JSON.parse(stdout.text);
  assert.ok(json.runtime.ms > 0);
  assert.equal(json.runtime.model.transform, 'log-ratio-to-analytic');
  assert.ok(['fraction-of-power-limit', 'log-ratio-to-physics-power'].includes(json.power.model.transform), json.power.model.transform);
  const input = join(dirWith({ 'in.csv': 'gpu,dtype,m,n,k\nh100,bf16,4096,4096,4096\nl4,fp16,512,512,512\n' }), 'in.csv');
  const batchOut = new Capture();
  const batchCode = await runPredict(['--batch', input], { stdout: batchOut, stderr: new Capture() }, deps);
  assert.equal(batchCode, 0);
  const lines = batchOut.text.trim().split('\n');
  assert.equal(lines.length, 3);
  const first = lines[1].split(',');
  assert.equal(Number(first[5]), json.runtime.ms, 'batch and single agree');
  assert.equal(Number(first[8]), json.power.w);
  assert.equal(first[12], '');
}

test("models: models with this build's features predict through tilecast predict (single and batch agree)", async () => {
  const dir = dirWith({});
  await writeTestModels(dir);
  await checkEndToEnd(dir);
});

test('models: the shipped models predict through tilecast predict (single and batch)', {
  skip: shipped ? false : 'models/runtime.tcmf and models/power.tcmf not present',
}, async () => {
  await checkEndToEnd(undefined);
});

test('models: the shipped runtime model knows which quantised ops it was trained on, per architecture', {
  skip: shipped ? false : 'models/runtime.tcmf and models/power.tcmf not present',
}, async () => {
  const loaded = await loadShippedPredictor(shippedDir);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
  const { predictor } = loaded;
  const fp8 = (gpu: string, wrapper: 'sglang') =>
    predictor.predict({ m: 64, n: 4096, k: 4096, batch: 1, dtype: 'fp8', kernel: 'library', quantization: 'fp8_block', quantWrapper: wrapper }, findGpu(gpu)!);
  // Hopper timed SGLang's per-block fp8 op in training (H100, H200); no Ada GPU timed any quantised op.
  const notes = (p: { extrapolationNotes?: string[] }) => (p.extrapolationNotes ?? []).join('; ');
  assert.doesNotMatch(notes(fp8('gh200', 'sglang')), /quantised GEMMs/);
  const ada = fp8('l40s', 'sglang');
  assert.equal(ada.extrapolating, true);
  assert.match(notes(ada), /^no block-scaled quantised GEMMs timed in sglang on compute capability 8\.x GPUs in the training data/);
});
