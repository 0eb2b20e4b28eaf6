// Tests for forest prediction on hand-built trees: traversal, missing-value routing, interval levels,
// batch/single agreement, feature importance and structural validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featureImportance, predict, predictBatch, validateForest, type Forest } from './forest';

/**
 * Two trees over 2 features. Edges: f0 [1, 2], f1 [10].
 * Tree 0: x0 <= 1 (missing right) ? leaf0 (mean 1) : (x1 <= 10 (missing left) ? leaf1 (mean 2) : leaf2 (mean 3))
 * Tree 1: single leaf3 (mean 5).
 */
function handForest(): Forest {
  return {
    nFeatures: 2,
    treeStart: Int32Array.from([0, 5, 6]),
    feature: Uint16Array.from([0, 0, 1, 0, 0, 0]),
    bin: Uint8Array.from([0, 0, 0, 0, 0, 0]),
    flags: Uint8Array.from([0, 0, 1, 0, 0, 0]),
    child: Int32Array.from([2, ~0, 4, ~1, ~2, ~3]),
    threshold: Float32Array.from([1, 0, 10, 0, 0, 0]),
    edgeStart: Int32Array.from([0, 2, 3]),
    edges: Float32Array.from([1, 2, 10]),
    leafMean: Float32Array.from([1, 2, 3, 5]),
    quantileLevels: Float64Array.from([0.1, 0.5, 0.9]),
    // offsets from the leaf mean at 10%, 50%, 90%
    leafQuantileOffsets: Float32Array.from([-1, 0, 1, -2, 0, 2, -0.5, 0, 0.5, -1, 0, 1]),
    featureGain: Float64Array.from([3, 1]),
  };
}

describe('predict', () => {
  const model = { forest: handForest() };
  it('averages leaf means over trees', () => {
    assert.equal(validateForest(model.forest), null);
    assert.equal(predict(model, [0.5, 0]).mean, (1 + 5) / 2);
    assert.equal(predict(model, [1, 0]).mean, (1 + 5) / 2); // x <= threshold goes left
    assert.equal(predict(model, [1.5, 9]).mean, (2 + 5) / 2);
    assert.equal(predict(model, [1.5, 11]).mean, (3 + 5) / 2);
  });

  it('routes missing values by the per-node flag', () => {
    assert.equal(predict(model, [NaN, 9]).mean, (2 + 5) / 2); // root: missing right
    assert.equal(predict(model, [3, NaN]).mean, (2 + 5) / 2); // node 2: missing left
    assert.equal(predict(model, Float64Array.from([NaN, NaN])).mean, (2 + 5) / 2);
  });

  it('averages leaf quantiles for the interval and interpolates between stored levels', () => {
    const p = predict(model, [0.5, 0], { quantiles: true });
    assert.equal(p.level, 0.8);
    assert.equal(p.lo, 3 + (-1 - 1) / 2);
    assert.equal(p.hi, 3 + (1 + 1) / 2);
    assert.deepEqual(
      p.quantiles?.map((q) => q.value),
      [2, 3, 4],
    );
    // 40% interval = 30th..70th percentile: halfway between the 10% and 50% columns.
    const q = predict(model, [0.5, 0], { level: 0.4 });
    assert.equal(q.lo, 3 + (-0.5 - 0.5) / 2);
    assert.equal(q.hi, 3 + (0.5 + 0.5) / 2);
    // Levels beyond the stored range clamp to the outermost columns.
    assert.equal(predict(model, [0.5, 0], { level: 0.95 }).lo, 2);
  });

  it('applies a stored calibration at its level only', () => {
    const cal = { level: 0.8, scale: 2, targetCoverage: 0.8, n: 100, coverageBefore: 0.6, coverageAfter: 0.8, source: 'test' };
    const m = { forest: handForest(), calibration: [cal] };
    const p = predict(m, [0.5, 0]);
    assert.equal(p.calibrated, true);
    assert.equal(p.lo, 3 - 2 * 1);
    assert.equal(p.hi, 3 + 2 * 1);
    const raw = predict(m, [0.5, 0], { uncalibrated: true });
    assert.equal(raw.lo, 2);
    assert.equal(predict(m, [0.5, 0], { level: 0.5 }).calibrated, false);
  });

  it('returns NaN with an error for bad input instead of throwing', () => {
    const p = predict(model, [1]);
    assert.ok(Number.isNaN(p.mean));
    assert.match(p.error ?? '', /needs 2/);
    assert.match(predict(model, [1, 2], { level: 1.2 }).error ?? '', /level/);
    const b = predictBatch(model, new Float32Array(3), 2);
    assert.match(b.error ?? '', /need 4/);
    assert.ok(Number.isNaN(b.mean[0]));
  });

  it('batch prediction matches single-row prediction', () => {
    const rows = [0.5, 0, 1.5, 9, 1.5, 11, NaN, 9, 3, NaN, 1, 10];
    const x = Float32Array.from(rows);
    const b = predictBatch(model, x, 6);
    for (let r = 0; r < 6; r++) {
      const p = predict(model, x.subarray(r * 2, r * 2 + 2));
      assert.equal(b.mean[r], p.mean);
      assert.equal(b.lo[r], p.lo);
      assert.equal(b.hi[r], p.hi);
    }
  });

  it('reports split-gain importance normalised to 1', () => {
    const imp = featureImportance(model, ['m', 'n']);
    assert.deepEqual(
      imp.map((r) => [r.name, r.importance]),
      [
        ['m', 0.75],
        ['n', 0.25],
      ],
    );
    assert.deepEqual(
      featureImportance({ ...model, featureNames: ['a', 'b'] }).map((r) => r.name),
      ['a', 'b'],
    );
    assert.deepEqual(
      featureImportance(model).map((r) => r.name),
      ['f0', 'f1'],
    );
  });
});

describe('validateForest', () => {
  it('rejects structures that could loop or index out of range', () => {
    const cases: [string, (f: Forest) => void, RegExp][] = [
      ['backward child', (f) => (f.child[2] = 1), /outside its tree/],
      ['child in another tree', (f) => (f.child[0] = 5), /outside its tree/],
      ['leaf out of range', (f) => (f.child[1] = ~9), /leaf 9/],
      ['feature out of range', (f) => (f.feature[0] = 7), /feature 7/],
      ['bin out of range', (f) => (f.bin[0] = 5), /bin 5/],
      ['threshold not from edges', (f) => (f.threshold[0] = 1.5), /threshold/],
      ['bad tree ranges', (f) => (f.treeStart[2] = 9), /tree ranges/],
      ['descending edges', (f) => (f.edges[1] = 0), /ascending/],
      ['nan leaf', (f) => (f.leafMean[2] = NaN), /non-finite/],
    ];
    for (const [name, mutate, re] of cases) {
      const f = handForest();
      mutate(f);
      assert.match(validateForest(f) ?? 'valid', re, name);
    }
  });
});
