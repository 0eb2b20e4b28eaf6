// The worker-thread path of `tilecast predict --batch` gives byte-identical output to the in-process path,
// on small models trained here (written as .tcmf files, loaded through platform/models.ts by each worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { loadShippedPredictor } from '../../platform/models';
import { predictCsvStream } from './batch-csv';
import { workerPool, workerScript } from './predict-pool';
import { writeTestModels } from './test-models';
import { mkdtempSync } from 'node:fs';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

test('predict pool: worker threads give the same CSV as the main thread, in order', { skip: workerScript() ? false : 'no worker script' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-pool-'));
  await writeTestModels(dir);
  const loaded = await loadShippedPredictor(dir);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
  // Quoted fields with commas and line breaks, a bad GPU, and an unclosed quote at the end cross the thread boundary.
  const csv =
    'gpu,dtype,m,n,k,note\n' +
    Array.from({ length: 3000 }, (_, i) =>
      i === 1234
        ? 'nope,fp16,1,1,1,x\n'
        : `${['h100', 'l4', 't4'][i % 3]},${i % 2 ? 'fp16' : 'bf16'},${16 * (1 + (i % 97))},${32 * (1 + (i % 13))},${8 * (1 + i)},${i % 5 ? '' : '"a, ""b""\nc"'}\n`,
    ).join('') +
    'h100,fp16,1,1,1,"open';
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
