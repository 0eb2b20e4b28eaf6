// Batch prediction (WebAssembly walker, forest-walk.ts) against single-row prediction (plain JavaScript,
// forest.ts leafOf) on random forests and rows built to hit every edge of the split rule: values equal to
// a threshold, a hair either side of it in float64 and float32, NaN with missing going either way,
// ±Infinity, -0. Every value must agree exactly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { predict, predictBatch, validateForest, type Forest } from './forest';
import { seededRandom } from '../../../test/protocol/random-edits';

function randomForest(seed: number, nFeatures: number, nTrees: number, maxDepth: number): Forest {
  const random = seededRandom(seed);
  const edgeLists: number[][] = [];
  for (let f = 0; f < nFeatures; f++) {
    const count = f === 0 ? 0 : Math.floor(random() * 12);
    const set = new Set<number>();
    while (set.size < count) set.add(Math.fround((random() - 0.5) * 100));
    edgeLists.push([...set].sort((a, b) => a - b));
  }
  const edgeStart = new Int32Array(nFeatures + 1);
  for (let f = 0; f < nFeatures; f++) edgeStart[f + 1] = edgeStart[f] + edgeLists[f].length;
  const edges = Float32Array.from(edgeLists.flat());
  const feature: number[] = [];
  const bin: number[] = [];
  const flags: number[] = [];
  const child: number[] = [];
  const threshold: number[] = [];
  let leaves = 0;
  const grow = (depth: number): void => {
    const n = child.length;
    if (depth >= maxDepth || (depth > 1 && random() < 0.2)) {
      feature.push(0);
      bin.push(0);
      flags.push(0);
      threshold.push(0);
      child.push(~leaves++);
      return;
    }
    const f = Math.floor(random() * nFeatures);
    const count = edgeLists[f].length;
    const b = Math.floor(random() * (count + 1));
    feature.push(f);
    bin.push(b);
    flags.push(b < count && random() < 0.5 ? 1 : 0);
    threshold.push(b < count ? edgeLists[f][b] : Infinity);
    child.push(0);
    grow(depth + 1);
    child[n] = child.length;
    grow(depth + 1);
  };
  const treeStart = [0];
  for (let t = 0; t < nTrees; t++) {
    grow(0);
    treeStart.push(child.length);
  }
  const levels = [0.1, 0.5, 0.9];
  const offsets: number[] = [];
  for (let i = 0; i < leaves; i++) offsets.push(Math.fround(-random()), 0, Math.fround(random()));
  return {
    nFeatures,
    treeStart: Int32Array.from(treeStart),
    feature: Uint16Array.from(feature),
    bin: Uint8Array.from(bin),
    flags: Uint8Array.from(flags),
    child: Int32Array.from(child),
    threshold: Float32Array.from(threshold),
    edgeStart,
    edges,
    leafMean: Float32Array.from({ length: leaves }, () => (random() - 0.5) * 4),
    quantileLevels: Float64Array.from(levels),
    leafQuantileOffsets: Float32Array.from(offsets),
    featureGain: new Float64Array(nFeatures),
  };
}

/** Values around the split points: each edge, its float64 and float32 neighbours, and the specials. */
function trickyValue(forest: Forest, f: number, random: () => number): number {
  const a = forest.edgeStart[f];
  const count = forest.edgeStart[f + 1] - a;
  const pick = Math.floor(random() * 9);
  if (pick === 0) return NaN;
  if (pick === 1) return random() < 0.5 ? Infinity : -Infinity;
  if (pick === 2) return random() < 0.5 ? -0 : 0;
  if (pick === 3 || count === 0) return (random() - 0.5) * 120;
  const e = forest.edges[a + Math.floor(random() * count)];
  const ulp64 = Math.abs(e) * 2 ** -52 || 2 ** -1074;
  const ulp32 = Math.abs(e) * 2 ** -23 || 2 ** -149;
  return [e, e + ulp64, e - ulp64, Math.fround(e + ulp32), Math.fround(e - ulp32), e][pick - 4];
}

describe('predictBatch (WebAssembly walker) agrees with predict', () => {
  for (const seed of [1, 2, 3]) {
    it(`random forest ${seed}: every row, both float widths, several blocks`, () => {
      // 8 trees: predict divides the sums by the tree count, predictBatch multiplies by its inverse; with a
      // power of two both are exact, so any difference is a different leaf.
      const forest = randomForest(seed, 7, 8, 8);
      assert.equal(validateForest(forest), null);
      const model = { forest };
      const random = seededRandom(seed * 7919);
      const nRows = 4096 + 1000;
      const x = new Float64Array(nRows * forest.nFeatures);
      for (let r = 0; r < nRows; r++) for (let f = 0; f < forest.nFeatures; f++) x[r * forest.nFeatures + f] = trickyValue(forest, f, random);
      for (const input of [x, Float32Array.from(x)]) {
        const batch = predictBatch(model, input, nRows);
        assert.equal(batch.error, undefined);
        for (let r = 0; r < nRows; r++) {
          const one = predict(model, input.subarray(r * forest.nFeatures, (r + 1) * forest.nFeatures));
          assert.ok(Object.is(batch.mean[r], one.mean) && Object.is(batch.lo[r], one.lo) && Object.is(batch.hi[r], one.hi), `row ${r}`);
        }
      }
      // A smaller batch after a larger one reuses the forest's memory; results do not depend on it.
      const small = predictBatch(model, x.subarray(0, 3 * forest.nFeatures), 3);
      for (let r = 0; r < 3; r++) assert.equal(small.mean[r], predict(model, x.subarray(r * forest.nFeatures, (r + 1) * forest.nFeatures)).mean);
    });
  }

  it('an empty batch predicts nothing and does not fail', () => {
    const b = predictBatch({ forest: randomForest(4, 3, 2, 3) }, new Float64Array(0), 0);
    assert.equal(b.mean.length, 0);
    assert.equal(b.error, undefined);
  });
});
