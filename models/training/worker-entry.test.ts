// Checks the trainer's worker pool from compiled JavaScript (tree-worker.js beside train-forest.js), the
// path other than the tsx one the other tests use; the result must equal the inline (1-thread) forest.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { build } from 'esbuild';

const root = resolve(__dirname, '../..');
const sources = [
  'models/training/train-forest.ts',
  'models/training/tree-grower.ts',
  'models/training/tree-worker.ts',
  'models/training/binning.ts',
  'models/training/rng.ts',
  'models/training/out-of-bag.ts',
  'models/training/synthetic-data.ts',
  'server/src/model/forest.ts',
  'server/src/model/forest-walk.ts',
  'server/src/model/quantise.ts',
  'server/src/model/intervals.ts',
];

describe('trainer worker entry', () => {
  it('runs worker threads from compiled JavaScript and matches the inline forest', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tilecast-trainer-'));
    try {
      await build({
        entryPoints: sources.map((s) => join(root, s)),
        outdir: out,
        outbase: root,
        bundle: false,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        logLevel: 'silent',
      });
      const script = `
        const { trainForest } = require(${JSON.stringify(join(out, 'models/training/train-forest.js'))});
        const { makeSynthetic } = require(${JSON.stringify(join(out, 'models/training/synthetic-data.js'))});
        (async () => {
          const d = makeSynthetic({ nRows: 1200, nFeatures: 6, seed: 5 });
          const o = { trees: 6, maxDepth: 8, minSamplesLeaf: 5, featureFraction: 0.5, sampleFraction: 1, seed: 2 };
          const a = await trainForest(d, { ...o, workers: 2 });
          const b = await trainForest(d, { ...o, workers: 1 });
          const same = ['child', 'feature', 'threshold', 'leafMean', 'leafQuantileOffsets'].every((k) => Buffer.compare(Buffer.from(a.forest[k].buffer), Buffer.from(b.forest[k].buffer)) === 0);
          console.log(JSON.stringify({ workers: a.stats.workers, same, nodes: a.stats.nodes }));
        })().catch((e) => { console.error(e); process.exit(1); });`;
      const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 0, run.stderr);
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
      assert.equal(result.workers, 2);
      assert.equal(result.same, true);
      assert.ok(result.nodes > 6);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
