// Retraining on "user profiles" derived from the shared data: a small stand-in for the shipped model is
// trained on two GPUs' Kernel Tuner configurations; the third GPU's configurations (a sample) play the
// user's tile-sweep profiles. Both strategies are fitted and compared on held-out configurations, and
// the chosen one must lower the held-out error of that GPU. Skips when ../shared/datasets is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDatasets, datasetsRoot } from '../scripts/load-datasets';
import { MODEL_SCHEMA_VERSION, type ModelArtifact } from '../../server/src/model/artifact';
import { toTarget } from '../../server/src/model/targets';
import { FEATURE_NAMES, FEATURE_VERSION, computeFeatures } from '../../server/src/perf/features';
import { findGpu } from '../../server/src/perf/gpu-catalogue';
import { recordToWorkload } from '../../server/src/data/to-workload';
import { buildDesign } from '../evaluation/design-matrix';
import { trainForest } from './train-forest';
import { retrainWithProfiles, summarize } from './user-retrain';
import type { GemmRecord } from '../../server/src/data/record';

function sample<T>(items: readonly T[], n: number, seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, n);
}

test("retraining on one GPU's records lowers the error on its held-out records", {
  skip: datasetsRoot() ? false : '../shared/datasets not found (set TILECAST_DATASETS)',
}, async () => {
  const { records } = await loadDatasets({ sources: ['kerneltuner'] });
  const gpus = [...new Set(records.map((r) => r.gpu))].sort();
  assert.ok(gpus.length >= 3, `three Kernel Tuner GPUs (${gpus.join(', ')})`);
  const userGpu = gpus.includes('rtx-3090') ? 'rtx-3090' : gpus[gpus.length - 1];
  const shippedRecords: GemmRecord[] = sample(
    records.filter((r) => r.gpu !== userGpu),
    3000,
    1,
  );
  const userRecords: GemmRecord[] = sample(
    records.filter((r) => r.gpu === userGpu),
    400,
    2,
  );
  // The stand-in for the shipped model: same features, targets and trainer as npm run train, smaller.
  const d = buildDesign(shippedRecords, Int32Array.from(shippedRecords.keys()), FEATURE_NAMES.length, computeFeatures, findGpu, recordToWorkload).design;
  const y = Float64Array.from({ length: d.nRows }, (_, i) => toTarget('log-ratio-to-analytic', d.runtimeMs[i], d.analyticMs[i]));
  const trained = await trainForest(
    { x: d.x, y, nRows: d.nRows, nFeatures: d.nFeatures },
    { trees: 24, maxDepth: 16, minSamplesLeaf: 8, featureFraction: 0.5, sampleFraction: 0.5, bootstrap: false, seed: 7, workers: 1 },
  );
  const runtimeModel: ModelArtifact = {
    schemaVersion: MODEL_SCHEMA_VERSION,
    featureNames: [...FEATURE_NAMES],
    featureVersion: FEATURE_VERSION,
    target: { name: 'runtime', transform: 'log-ratio-to-analytic' },
    dataFingerprint: 'test-shipped',
    metrics: {},
    calibration: [],
    forest: trained.forest,
  };
  const stages: string[] = [];
  const out = await retrainWithProfiles({ runtimeModel, userRecords, shippedRecords, workers: 1, onProgress: (m) => stages.push(m) });
  assert.ok(out.ok, out.error);
  const byName = Object.fromEntries(out.strategies.map((s) => [s.strategy, s]));
  assert.ok(byName.combined.available && byName.correction.available);
  const chosen = byName[out.chosen!];
  process.stdout.write(
    `# user GPU ${userGpu}: ${out.trainRecords} train / ${out.heldOutRecords} held-out records; held-out MdAPE shipped ${out.before!.mdAPEPct.toFixed(1)}%, combined ${byName.combined.heldOut!.mdAPEPct.toFixed(1)}%, correction ${byName.correction.heldOut!.mdAPEPct.toFixed(1)}% -> ${out.chosen}\n`,
  );
  assert.ok(chosen.heldOut!.mdAPEPct < out.before!.mdAPEPct, `held-out error drops: ${out.why}`);
  assert.ok(chosen.heldOut!.mdAPEPct <= Math.min(byName.combined.heldOut!.mdAPEPct, byName.correction.heldOut!.mdAPEPct));
  assert.match(out.why!, /held-out records/);
  assert.ok(out.fingerprint?.startsWith('user:'));
  assert.ok(out.chosen === 'combined' ? out.runtimeArtifact : out.corrections?.length === 1);
  assert.ok(stages.includes('done'));
  // summarize: a check of the metric itself.
  assert.deepEqual(summarize([110, 90, 100], [100, 100, 100]), { n: 3, mdAPEPct: 10, meanAPEPct: 20 / 3 });
});

test('retraining refuses with a clear message when there are too few records', async () => {
  const runtimeModel = { featureNames: [...FEATURE_NAMES] } as unknown as ModelArtifact;
  const out = await retrainWithProfiles({ runtimeModel, userRecords: [] });
  assert.equal(out.ok, false);
  assert.match(out.error!, /at least 8 profile records/);
});
