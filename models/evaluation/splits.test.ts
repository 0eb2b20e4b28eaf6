// Tests of the evaluation splits: no group ever appears on both sides of a fold, every row is tested
// exactly once, and the stratified subsample is deterministic and keeps small strata. No I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capPerStratum, groupKFold, leaveOneGroupOut, shapeGroupKey, shuffled, stratifiedSubsample } from './splits';

function assertNoLeak(keys: string[], trainIdx: Int32Array, testIdx: Int32Array) {
  const trainKeys = new Set(Array.from(trainIdx, (i) => keys[i]));
  for (const i of testIdx) assert.ok(!trainKeys.has(keys[i]), `group ${keys[i]} on both sides`);
}

test('leaveOneGroupOut: one fold per GPU, the held-out GPU never in training', () => {
  const gpus = ['a100', 'h100', 'a100', 'b200', 'h100', 'a100'];
  const folds = leaveOneGroupOut(gpus);
  assert.deepEqual(
    folds.map((f) => f.name),
    ['a100', 'b200', 'h100'],
  );
  assert.deepEqual(Array.from(folds[0].testIdx), [0, 2, 5]);
  assert.deepEqual(Array.from(folds[0].trainIdx), [1, 3, 4]);
  for (const f of folds) {
    assertNoLeak(gpus, f.trainIdx, f.testIdx);
    assert.equal(f.trainIdx.length + f.testIdx.length, gpus.length);
  }
});

test('leaveOneGroupOut respects a subset', () => {
  const keys = ['x', 'y', 'x', 'y', 'z'];
  const folds = leaveOneGroupOut(keys, [0, 1, 2, 3]);
  assert.deepEqual(
    folds.map((f) => f.name),
    ['x', 'y'],
  );
  assert.deepEqual(Array.from(folds[0].trainIdx), [1, 3]);
});

test('groupKFold: shape groups never leak, every row tested once, sizes balanced', () => {
  // a repeating grid: 40 weight shapes x 6 token counts x 2 framework versions
  const rows: Array<{ m: number; n: number; k: number }> = [];
  for (let w = 0; w < 40; w++)
    for (const m of [1, 8, 64, 512, 4096, 32768]) for (let v = 0; v < 2; v++) rows.push({ m, n: 128 * (w + 1), k: 256 * ((w % 7) + 1) });
  for (const level of ['exact', 'weight'] as const) {
    const keys = rows.map((r) => shapeGroupKey(r, level));
    const folds = groupKFold(keys, 5, 42);
    assert.equal(folds.length, 5);
    const tested = new Int32Array(rows.length);
    for (const f of folds) {
      assertNoLeak(keys, f.trainIdx, f.testIdx);
      for (const i of f.testIdx) tested[i]++;
      assert.equal(f.trainIdx.length + f.testIdx.length, rows.length);
    }
    assert.ok(tested.every((c) => c === 1));
    const sizes = folds.map((f) => f.testIdx.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= (level === 'weight' ? 12 : 2), `unbalanced ${sizes}`);
  }
});

test('groupKFold is deterministic for a seed and differs across seeds', () => {
  const keys = Array.from({ length: 200 }, (_, i) => `g${i % 37}`);
  const a = groupKFold(keys, 5, 1).map((f) => Array.from(f.testIdx).join(','));
  const b = groupKFold(keys, 5, 1).map((f) => Array.from(f.testIdx).join(','));
  const c = groupKFold(keys, 5, 2).map((f) => Array.from(f.testIdx).join(','));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('groupKFold with fewer groups than folds drops the empty folds', () => {
  const folds = groupKFold(['a', 'a', 'b'], 5, 0);
  assert.equal(folds.length, 2);
});

test('shapeGroupKey: weight level ignores m, exact level does not', () => {
  assert.equal(shapeGroupKey({ m: 1, n: 4096, k: 1024 }), shapeGroupKey({ m: 8192, n: 4096, k: 1024 }));
  assert.notEqual(shapeGroupKey({ m: 1, n: 4096, k: 1024 }, 'exact'), shapeGroupKey({ m: 2, n: 4096, k: 1024 }, 'exact'));
});

test('shuffled is a seeded permutation', () => {
  const xs = Array.from({ length: 50 }, (_, i) => i);
  const s = shuffled(xs, 9);
  assert.deepEqual(
    [...s].sort((a, b) => a - b),
    xs,
  );
  assert.deepEqual(s, shuffled(xs, 9));
  assert.notDeepEqual(s, xs);
});

test('stratifiedSubsample: deterministic, near target, proportional, keeps small strata', () => {
  const strata = [...Array(9000).fill('big'), ...Array(900).fill('mid'), ...Array(30).fill('tiny')];
  const a = stratifiedSubsample(strata, 1000, 7, { minPerStratum: 25 });
  assert.deepEqual(Array.from(a), Array.from(stratifiedSubsample(strata, 1000, 7, { minPerStratum: 25 })));
  const count = (name: string) => Array.from(a).filter((i) => strata[i] === name).length;
  assert.equal(count('big'), Math.round((1000 * 9000) / 9930));
  assert.equal(count('mid'), Math.round((1000 * 900) / 9930));
  assert.equal(count('tiny'), 25);
  assert.equal(new Set(a).size, a.length);
  // under the target: everything
  assert.equal(stratifiedSubsample(['x', 'y'], 10, 1).length, 2);
});

test('capPerStratum keeps small strata whole and caps big ones, deterministically', () => {
  const strata = [...Array(50).fill('a'), ...Array(5).fill('b')];
  const s = capPerStratum(strata, 10, 3);
  assert.equal(Array.from(s).filter((i) => strata[i] === 'a').length, 10);
  assert.equal(Array.from(s).filter((i) => strata[i] === 'b').length, 5);
  assert.deepEqual(Array.from(s), Array.from(capPerStratum(strata, 10, 3)));
  assert.notDeepEqual(Array.from(s), Array.from(capPerStratum(strata, 10, 4)));
});
