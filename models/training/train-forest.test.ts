// Tests for the random-forest trainer: accuracy against a mean predictor, determinism across worker
// counts, missing values, weights, limits, and input rejection. Small synthetic data keeps them fast.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featureImportance, predict, predictBatch, type Forest } from '../../server/src/model/forest';
import { makeSynthetic, sliceRows, syntheticSignal } from './synthetic-data';
import { trainForest, type TrainOptions } from './train-forest';

const base: TrainOptions = { trees: 30, maxDepth: 12, minSamplesLeaf: 5, featureFraction: 0.5, sampleFraction: 1, seed: 7, workers: 1 };

function r2(pred: Float64Array, y: Float64Array): number {
  let my = 0;
  for (const v of y) my += v;
  my /= y.length;
  let se = 0;
  let sv = 0;
  for (let i = 0; i < y.length; i++) {
    se += (pred[i] - y[i]) ** 2;
    sv += (y[i] - my) ** 2;
  }
  return 1 - se / sv;
}

function sameForest(a: Forest, b: Forest): void {
  for (const key of [
    'treeStart',
    'feature',
    'bin',
    'flags',
    'child',
    'threshold',
    'edgeStart',
    'edges',
    'leafMean',
    'leafQuantileOffsets',
    'featureGain',
  ] as const) {
    assert.deepEqual(a[key], b[key], `${key} differs`);
  }
}

describe('trainForest', () => {
  const all = makeSynthetic({ nRows: 5000, nFeatures: 10, seed: 1, noiseSlope: 0.2 });
  const train = sliceRows(all, 0, 4000);
  const test = sliceRows(all, 4000, 5000);

  it('beats a mean predictor by a wide margin on held-out data', async () => {
    const model = await trainForest(train, base);
    const p = predictBatch(model, test.x, test.nRows);
    const score = r2(p.mean, test.y);
    assert.ok(score > 0.9, `held-out R² ${score}`);
    // The noise-free signal is recovered closely (RMSE well below the target's sd of ~1.4).
    let se = 0;
    for (let i = 0; i < test.nRows; i++) se += (p.mean[i] - syntheticSignal(test.x, i * test.nFeatures)) ** 2;
    assert.ok(Math.sqrt(se / test.nRows) < 0.35, `RMSE vs signal ${Math.sqrt(se / test.nRows)}`);
    assert.equal(model.stats.trees, 30);
    assert.equal(model.forest.treeStart.length, 31);
  });

  it('is reproducible for a seed and identical for 1 and 2 worker threads', async () => {
    const small = sliceRows(all, 0, 1500);
    const opts = { ...base, trees: 6 };
    const a = await trainForest(small, opts);
    const b = await trainForest(small, opts);
    const c = await trainForest(small, { ...opts, workers: 2 });
    assert.equal(c.stats.workers, 2);
    sameForest(a.forest, b.forest);
    sameForest(a.forest, c.forest);
    const oa = await trainForest(small, { ...opts, oob: true });
    const oc = await trainForest(small, { ...opts, oob: true, workers: 2 });
    assert.deepEqual(oa.oob, oc.oob);
    const d = await trainForest(small, { ...opts, seed: 8 });
    assert.notDeepEqual(a.forest.child, d.forest.child);
  });

  it('routes missing values by what was learned', async () => {
    const data = makeSynthetic({ nRows: 4000, nFeatures: 8, seed: 3, missingFraction: 0.3, noiseSlope: 0.1 });
    const model = await trainForest(data, { ...base, featureFraction: 1 });
    const probe = makeSynthetic({ nRows: 300, nFeatures: 8, seed: 9 });
    let diff = 0;
    for (let r = 0; r < probe.nRows; r++) {
      const row = probe.x.slice(r * 8, r * 8 + 8);
      const present = predict(model, row).mean;
      row[6] = NaN;
      diff += predict(model, row).mean - present;
    }
    diff /= probe.nRows;
    assert.ok(Math.abs(diff - 2) < 0.2, `missing adds ${diff} on average, expected ~2`);
    const allMissing = predict(model, new Float32Array(8).fill(NaN));
    assert.ok(Number.isFinite(allMissing.mean) && allMissing.lo <= allMissing.mean && allMissing.mean <= allMissing.hi);
  });

  it('fits exactly with one unrestricted tree (thresholds reproduce the binned splits)', async () => {
    const data = makeSynthetic({ nRows: 400, nFeatures: 6, seed: 4 });
    const model = await trainForest(data, {
      trees: 1,
      maxDepth: 64,
      minSamplesLeaf: 1,
      featureFraction: 1,
      sampleFraction: 1,
      bootstrap: false,
      seed: 1,
      workers: 1,
    });
    const p = predictBatch(model, data.x, data.nRows);
    for (let i = 0; i < data.nRows; i++) assert.ok(Math.abs(p.mean[i] - data.y[i]) < 1e-5 * Math.max(1, Math.abs(data.y[i])), `row ${i}`);
  });

  it('respects maxDepth and minSamplesLeaf', async () => {
    const shallow = await trainForest(train, { ...base, trees: 5, maxDepth: 3 });
    for (let t = 0; t < 5; t++) {
      const leaves = shallow.forest.child.subarray(shallow.forest.treeStart[t], shallow.forest.treeStart[t + 1]).filter((c) => c < 0).length;
      assert.ok(leaves <= 8, `tree ${t} has ${leaves} leaves`);
    }
    assert.ok(shallow.stats.maxDepth <= 3);
    const minLeaf = 40;
    const m = await trainForest(train, { ...base, trees: 3, minSamplesLeaf: minLeaf, bootstrap: false, sampleFraction: 1 });
    const counts = new Map<number, number>();
    for (let r = 0; r < train.nRows; r++) {
      // Apply tree 0 only: a one-tree view of the forest.
      const one = { forest: { ...m.forest, treeStart: m.forest.treeStart.subarray(0, 2) } };
      const leafValue = predict(one, train.x.subarray(r * 10, r * 10 + 10)).mean;
      counts.set(leafValue, (counts.get(leafValue) ?? 0) + 1);
    }
    for (const [, n] of counts) assert.ok(n >= minLeaf, `a leaf holds ${n} training rows`);
  });

  it('uses weights: zero-weight rows do not influence the fit', async () => {
    const corrupted = sliceRows(all, 0, 3000);
    const weights = new Float32Array(corrupted.nRows).fill(1);
    for (let r = 0; r < corrupted.nRows; r += 3) {
      corrupted.y[r] = 100;
      weights[r] = 0;
    }
    const model = await trainForest({ ...corrupted, weights }, { ...base, trees: 10 });
    const p = predictBatch(model, test.x, test.nRows);
    assert.ok(r2(p.mean, test.y) > 0.85);
    let max = -Infinity;
    for (let i = 0; i < test.nRows; i++) max = Math.max(max, p.mean[i], p.hi[i]);
    assert.ok(max < 20, `a prediction or interval bound reached ${max}`);
  });

  it('ranks the informative features first by split gain', async () => {
    const model = await trainForest(train, { ...base, trees: 10 });
    const imp = featureImportance(model);
    const top = imp.slice(0, 3).map((r) => r.feature);
    assert.ok(top.includes(0) && top.includes(1), `top features ${top}`);
    const noise = imp.filter((r) => r.feature >= 7).reduce((s, r) => s + r.importance, 0);
    assert.ok(noise < 0.1, `noise features carry ${noise}`);
    assert.ok(Math.abs(imp.reduce((s, r) => s + r.importance, 0) - 1) < 1e-9);
  });

  it('rejects invalid input with a clear message', async () => {
    const x = new Float32Array(20);
    await assert.rejects(trainForest({ x, y: new Float64Array(3), nRows: 4, nFeatures: 5 }, base), /y must be a Float64Array of 4/);
    await assert.rejects(trainForest({ x, y: new Float64Array(5), nRows: 5, nFeatures: 3 }, base), /x must be a Float32Array/);
    const y = new Float64Array(4);
    y[2] = NaN;
    await assert.rejects(trainForest({ x, y, nRows: 4, nFeatures: 5 }, base), /y\[2\] is NaN/);
    await assert.rejects(trainForest({ x, y: new Float64Array(4), nRows: 4, nFeatures: 5 }, { ...base, featureFraction: 0 }), /featureFraction/);
    await assert.rejects(trainForest({ x, y: new Float64Array(4), nRows: 4, nFeatures: 5 }, { ...base, bins: 300 }), /bins/);
  });

  it('handles constant targets and constant features', async () => {
    const x = new Float32Array(200 * 3).fill(1);
    const y = new Float64Array(200).fill(2.5);
    const model = await trainForest({ x, y, nRows: 200, nFeatures: 3 }, base);
    const p = predict(model, [1, 1, 1]);
    assert.equal(p.mean, 2.5);
    assert.equal(p.lo, 2.5);
    assert.equal(p.hi, 2.5);
    assert.equal(model.forest.child.length, 30); // one leaf per tree
  });
});
