// Tests that the comparison learners (ml-random-forest, tfjs MLP) fit a simple known function through
// the adapter; they guard the comparison table against a broken adapter. No I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnStats, fitMlp, fitMlRandomForest, standardise, type Matrix } from './baseline-learners';

function dataset(n: number): { m: Matrix; y: Float64Array } {
  const x = new Float32Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = (i % 17) / 17;
    const b = ((i * 7) % 13) / 13;
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = 3 * a + (b > 0.5 ? 1 : 0);
  }
  return { m: { x, nRows: n, nFeatures: 2 }, y };
}

function rmse(p: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (p[i] - y[i]) ** 2;
  return Math.sqrt(s / y.length);
}

test('standardise gives zero-mean columns and maps NaN to 0', () => {
  const m: Matrix = { x: Float32Array.from([1, NaN, 3, 5]), nRows: 2, nFeatures: 2 };
  const z = standardise(m, columnStats(m));
  assert.ok(Math.abs(z[0] + z[2]) < 1e-6);
  assert.equal(z[1], 0);
});

test('ml-random-forest adapter learns a step-plus-linear function', async () => {
  const { m, y } = dataset(400);
  const fit = await fitMlRandomForest(m, y, { trees: 10, maxDepth: 8, minSamplesLeaf: 2, featureFraction: 1.0, seed: 3 });
  assert.ok(rmse(fit.predict(m), y) < 0.3, 'rf fits');
  assert.ok(fit.sizeBytes > 0);
});

test('tfjs MLP adapter reduces error well below the target spread', async () => {
  const { m, y } = dataset(400);
  const fit = await fitMlp(m, y, { hidden: [16, 16], epochs: 60, batchSize: 32, learningRate: 0.01, seed: 1 });
  assert.ok(rmse(fit.predict(m), y) < 0.4, 'mlp fits'); // target sd is about 1.0
});
