// Tests of power in watts: the physics power times the forest's correction weighted by λ, the per-band
// interval (a short GEMM gets its band's wider interval), the clamp to the board power, the older
// fraction-of-board target still served, and the size bands themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeModel, MODEL_SCHEMA_VERSION } from './artifact';
import { createPredictor } from './predictor';
import { bandIndex, parsePowerBandScales, powerBandOf, rescaleInterval } from './power-bands';
import { powerFromForest, type PowerSettings } from './power-prediction';
import { FEATURE_NAMES, FEATURE_VERSION, computeFeatures } from '../perf/features';
import { findGpu } from '../perf/gpu-catalogue';
import { physicsPower } from '../perf/power-model';
import type { GemmWorkload } from '../perf/types';
import { trainForest } from '../../../models/training/train-forest';

const gpu = findGpu('h200')!;

async function constantModel(name: string, transform: string, value: number, spread: number, training?: Record<string, unknown>): Promise<Uint8Array> {
  const nRows = 200;
  const nF = FEATURE_NAMES.length;
  const x = new Float32Array(nRows * nF);
  const y = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    for (let f = 0; f < nF; f++) x[i * nF + f] = (i * (f + 3)) % 17;
    y[i] = value + spread * (((i * 7) % 11) / 10 - 0.5);
  }
  const t = await trainForest(
    { x, y, nRows, nFeatures: nF },
    { trees: 4, maxDepth: 3, minSamplesLeaf: 20, featureFraction: 1, sampleFraction: 1, seed: 1, workers: 1 },
  );
  return encodeModel({
    schemaVersion: MODEL_SCHEMA_VERSION,
    featureNames: [...FEATURE_NAMES],
    featureVersion: FEATURE_VERSION,
    target: { name, transform },
    dataFingerprint: 'test',
    metrics: {},
    calibration: [],
    forest: t.forest,
    ...(training ? { training } : {}),
  });
}

test('size bands: < 1, 1–10, 10–100, ≥ 100 GFLOP; stored scales are validated', () => {
  assert.deepEqual([0.5e9, 1e9, 9.9e9, 10e9, 99e9, 100e9, 1e13].map(powerBandOf), [0, 1, 1, 2, 2, 3, 3]);
  assert.equal(bandIndex([1, 10, 100], NaN), 3);
  assert.deepEqual(parsePowerBandScales({ edgesGflop: [1, 10, 100], scales: [3, 2, 1.5, 1] }), { edgesGflop: [1, 10, 100], scales: [3, 2, 1.5, 1] });
  assert.equal(parsePowerBandScales({ edgesGflop: [1, 10, 100], scales: [3, 2, 1] }), null);
  assert.equal(parsePowerBandScales({ edgesGflop: [10, 1, 100], scales: [3, 2, 1, 1] }), null);
  assert.equal(parsePowerBandScales({ edgesGflop: [1, 10, 100], scales: [3, 2, Number.NaN, 1] }), null);
  assert.equal(parsePowerBandScales('nonsense'), null);
  assert.deepEqual(rescaleInterval(0, -1, 2, 2, 4), [-2, 4]);
});

test('power = physics power × exp(λ · correction), clamped to the board power', () => {
  const s: PowerSettings = { transform: 'log-ratio-to-physics-power', lambda: 0.5, bands: null, pooledScale: 1 };
  const r = powerFromForest(s, { mean: Math.log(4), lo: Math.log(2), hi: Math.log(8) }, 700, 200, 1e12);
  assert.ok(Math.abs(r.powerW - 400) < 1e-9, `${r.powerW}`); // 200 · 4^0.5
  assert.ok(Math.abs(r.powerLoW - 200) < 1e-9 && Math.abs(r.powerHiW - 700) < 1e-9, JSON.stringify(r)); // 800 clamped to 700
  const none = powerFromForest({ ...s, lambda: 0 }, { mean: Math.log(4), lo: Math.log(2), hi: Math.log(8) }, 700, 200, 1e12);
  assert.ok(Math.abs(none.powerW - 200) < 1e-9);
  assert.ok(Number.isNaN(powerFromForest(s, { mean: 0, lo: 0, hi: 0 }, 700, Number.NaN, 1e12).powerW));
});

test('the shipped predictor serves the physics target: a short GEMM gets the wider interval of its band', async () => {
  const training = { powerCorrectionWeight: 0, powerBandScales: { edgesGflop: [1, 10, 100], scales: [4, 2, 1, 0.5] } };
  const made = createPredictor({
    runtime: await constantModel('runtime', 'log-ratio-to-analytic', 0, 0),
    power: await constantModel('power', 'log-ratio-to-physics-power', 0, 0.4, training),
  });
  assert.ok(made.ok, made.ok ? '' : made.error);
  const small: GemmWorkload = { m: 16, n: 1024, k: 1024, batch: 1, dtype: 'bf16', kernel: 'library' }; // 0.03 GFLOP
  const big: GemmWorkload = { m: 2048, n: 4096, k: 4096, batch: 1, dtype: 'bf16', kernel: 'library' }; // 69 GFLOP
  for (const w of [small, big]) {
    const p = made.predictor.predict(w, gpu);
    const phys = physicsPower(computeFeatures(w, gpu).analytic, gpu).powerW;
    assert.ok(Math.abs(p.powerW - phys) < 1e-6 * phys, `${p.powerW} vs physics ${phys}`); // λ = 0: physics alone
    assert.ok(p.powerLoW <= p.powerW && p.powerW <= p.powerHiW);
  }
  const ps = made.predictor.predict(small, gpu);
  const pb = made.predictor.predict(big, gpu);
  const widthLog = (p: { powerLoW: number; powerW: number }) => Math.log(p.powerW / p.powerLoW);
  // Band scales 4 (< 1 GFLOP) and 1 (10–100 GFLOP) on the same forest interval.
  assert.ok(Math.abs(widthLog(ps) / widthLog(pb) - 4) < 1e-6, `${widthLog(ps)} vs ${widthLog(pb)}`);
});

test('an artifact with the older fraction-of-board-power target is still served', async () => {
  const made = createPredictor({
    runtime: await constantModel('runtime', 'log-ratio-to-analytic', 0, 0),
    power: await constantModel('power', 'fraction-of-power-limit', 0.5, 0),
  });
  assert.ok(made.ok);
  const p = made.predictor.predict({ m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'bf16', kernel: 'library' }, gpu);
  assert.ok(Math.abs(p.powerW - 350) < 1e-3, `${p.powerW}`);
});
