// For tests only: writes small but valid runtime.tcmf / power.tcmf (this build's feature names and version,
// forests fitted to made-up targets) so the real model loading and prediction paths run without the shipped models.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainForest } from '../../../../models/training/train-forest';
import { encodeModel, MODEL_SCHEMA_VERSION } from '../../model/artifact';
import { computeFeatures, FEATURE_NAMES, FEATURE_VERSION } from '../../perf/features';
import { findGpu } from '../../perf/gpu-catalogue';

export async function writeTestModels(dir: string): Promise<void> {
  const nF = FEATURE_NAMES.length,
    nRows = 2000;
  const x = new Float32Array(nRows * nF),
    y = new Float64Array(nRows);
  const gpus = ['h100', 'l4', 't4'].map((g) => findGpu(g)!);
  for (let r = 0; r < nRows; r++) {
    const { values } = computeFeatures(
      { m: 64 * (1 + (r % 50)), n: 128 * (1 + (r % 7)), k: 512, batch: 1, dtype: r % 2 ? 'fp16' : 'fp32', kernel: 'library' },
      gpus[r % 3],
    );
    x.set(values, r * nF);
    y[r] = 0.3 + 0.4 * Math.sin(r);
  }
  const forest = (
    await trainForest(
      { x, y, nRows, nFeatures: nF },
      { trees: 4, maxDepth: 8, minSamplesLeaf: 5, featureFraction: 0.7, sampleFraction: 0.8, seed: 2, workers: 1 },
    )
  ).forest;
  const bytes = (name: string, transform: string) =>
    encodeModel({
      schemaVersion: MODEL_SCHEMA_VERSION,
      featureNames: [...FEATURE_NAMES],
      featureVersion: FEATURE_VERSION,
      target: { name, transform },
      dataFingerprint: 'test models',
      metrics: {},
      calibration: [],
      forest,
    });
  writeFileSync(join(dir, 'runtime.tcmf'), bytes('runtime', 'log-ratio-to-analytic'));
  writeFileSync(join(dir, 'power.tcmf'), bytes('power', 'fraction-of-power-limit'));
}
