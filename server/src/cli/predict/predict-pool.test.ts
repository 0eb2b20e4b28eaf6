// The worker-thread path of `tilecast predict --batch` gives byte-identical output to the in-process path,
// on small models trained here (written as .tcmf files, loaded through platform/models.ts by each worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { trainForest } from '../../../../models/training/train-forest';
import { encodeModel, MODEL_SCHEMA_VERSION } from '../../model/artifact';
import { computeFeatures, FEATURE_NAMES, FEATURE_VERSION } from '../../perf/features';
import { findGpu } from '../../perf/gpu-catalogue';
import { loadShippedPredictor } from '../../platform/models';
import { predictCsvStream } from './batch-csv';
import { workerPool, workerScript } from './predict-pool';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

async function writeModels(dir: string): Promise<void> {
  const nF = FEATURE_NAMES.length, nRows = 2000;
  const x = new Float32Array(nRows * nF), y = new Float64Array(nRows);
  const gpus = ['h100', 'l4', 't4'].map((g) => findGpu(g)!);
  for (let r = 0; r < nRows; r++) {
    const { values } = computeFeatures({ m: 64 * (1 + (r % 50)), n: 128 * (1 + (r % 7)), k: 512, batch: 1, dtype: r % 2 ? 'fp16' : 'fp32', kernel: 'library' }, gpus[r % 3]);
    x.set(values, r * nF);
    y[r] = 0.3 + 0.4 * Math.sin(r);
  }
  const forest = (await trainForest({ x, y, nRows, nFeatures: nF }, { trees: 4, maxDepth: 8, minSamplesLeaf: 5, featureFraction: 0.7, sampleFraction: 0.8, seed: 2, workers: 1 })).forest;
  const bytes = (name: string, transform: string) => encodeModel({ schemaVersion: MODEL_SCHEMA_VERSION, featureNames: [...FEATURE_NAMES], featureVersion: FEATURE_VERSION, target: { name, transform }, dataFingerprint: 't', metrics: {}, calibration: [], forest });
  writeFileSync(join(dir, 'runtime.tcmf'), bytes('runtime', 'log-ratio-to-analytic'));
  writeFileSync(join(dir, 'power.tcmf'), bytes('power', 'fraction-of-power-limit'));
}

test('predict pool: worker threads give the same CSV as the main thread, in order', { skip: workerScript() ? false : 'no worker script' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-pool-'));
  await writeModels(dir);
  const loaded = await loadShippedPredictor(dir);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
  // Quoted fields with commas and line breaks, a bad GPU, and an unclosed quote at the end cross the thread boundary.
  const csv = 'gpu,dtype,m,n,k,note\n' + Array.from({ length: 3000 }, (_, i) => (i === 1234 ? 'nope,fp16,1,1,1,x\n'
    : `${['h100', 'l4', 't4'][i % 3]},${i % 2 ? 'fp16' : 'bf16'},${16 * (1 + (i % 97))},${32 * (1 + (i % 13))},${8 * (1 + i)},${i % 5 ? '' : '"a, ""b""\nc"'}\n`)).join('') + 'h100,fp16,1,1,1,"open';
  const run = async (runner?: ReturnType<typeof workerPool>) => {
    const out = new Capture();
    const result = await predictCsvStream(Readable.from([csv]), out, loaded.predictor, { chunkRows: 256, runner: runner?.create });
    assert.ok(result.ok);
    return { text: out.text, summary: result.summary };
  };
  const inProcess = await run();
  const pool = workerPool(loaded.dir, 2, 0);
  try {
    const viaWorkers = await run(pool);
    assert.equal(pool.stats.fallback, undefined);
    assert.ok(pool.stats.workerChunks >= 10 && pool.stats.inProcessChunks === 0, JSON.stringify(pool.stats));
    assert.equal(viaWorkers.text, inProcess.text);
    assert.deepEqual(viaWorkers.summary, inProcess.summary);
    assert.equal(inProcess.summary.failed, 2);
    assert.match(inProcess.text, /line 3602: a quoted field is not closed/);
  } finally {
    await pool.close();
  }
});
