// predictGemmBatch must give what Predictor.predict gives, row for row (values to 1e-12 relative, and the
// same errors), across chunk boundaries and for rows the predictor refuses; an item's own analytic estimate is used as given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainForest } from '../../../models/training/train-forest';
import { encodeModel, MODEL_SCHEMA_VERSION } from './artifact';
import { createPredictor } from './predictor';
import { predictGemmBatch, prepareGemmBatch } from './predict-batch';
import { computeFeatures, FEATURE_NAMES, FEATURE_VERSION } from '../perf/features';
import { analyticEstimate } from '../perf/analytic-model';
import { findGpu } from '../perf/gpu-catalogue';
import type { Dtype, GemmWorkload, GpuSpec, KernelFamily } from '../perf/types';

let seed = 11;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
const gpus = ['h100', 'a100', 'rtx-4090', 'l4', 't4', 'v100'].map((g) => findGpu(g)!);
const workload = (): GemmWorkload => ({
  m: 8 * (1 + Math.floor(random() * 1024)),
  n: 8 * (1 + Math.floor(random() * 1024)),
  k: 8 * (1 + Math.floor(random() * 1024)),
  batch: random() < 0.2 ? 4 : 1,
  dtype: pick(['fp16', 'bf16', 'fp32', 'fp8', 'int8'] as Dtype[]),
  kernel: pick(['library', 'triton', 'tiled'] as KernelFamily[]),
});

async function models() {
  const nF = FEATURE_NAMES.length,
    nRows = 3000;
  const x = new Float32Array(nRows * nF);
  const yRuntime = new Float64Array(nRows),
    yPower = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const { values, analytic } = computeFeatures(workload(), pick(gpus));
    x.set(values, r * nF);
    yRuntime[r] = 0.2 * Math.sin(Math.log2(analytic.timeMs)) + 0.1 * random();
    yPower[r] = 0.4 + 0.5 * random();
  }
  const options = { trees: 6, maxDepth: 10, minSamplesLeaf: 5, featureFraction: 0.5, sampleFraction: 0.7, seed: 3, workers: 1 };
  const encode = (name: string, transform: string, y: Float64Array) =>
    trainForest({ x, y, nRows, nFeatures: nF }, options).then((t) =>
      encodeModel({
        schemaVersion: MODEL_SCHEMA_VERSION,
        featureNames: [...FEATURE_NAMES],
        featureVersion: FEATURE_VERSION,
        target: { name, transform },
        dataFingerprint: 'test',
        metrics: {},
        calibration: [{ level: 0.8, scale: 1.3, targetCoverage: 0.8, n: 1, coverageBefore: 0.7, coverageAfter: 0.8, source: 'test' }],
        forest: t.forest,
      }),
    );
  return { runtime: await encode('runtime', 'log-ratio-to-analytic', yRuntime), power: await encode('power', 'fraction-of-power-limit', yPower) };
}

test('predictGemmBatch equals Predictor.predict row by row, across chunks and for refused rows', async () => {
  const created = createPredictor(await models());
  assert.ok(created.ok, created.ok ? '' : created.error);
  const predictor = created.predictor;
  const noPower: GpuSpec = { ...gpus[0], boardPowerW: { value: 0, source: 'test' } };
  const items: Array<{ workload: GemmWorkload; gpu: GpuSpec }> = [];
  for (let i = 0; i < 9000; i++) items.push({ workload: workload(), gpu: pick(gpus) });
  items[5] = { workload: { ...items[5].workload, m: NaN }, gpu: items[5].gpu };
  items[4100] = { workload: items[4100].workload, gpu: noPower };
  items[8999] = { workload: { ...items[8999].workload, dtype: 'nope' as Dtype }, gpu: items[8999].gpu };
  const batch = predictGemmBatch(predictor, items);
  assert.equal(batch.length, items.length);
  const close = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
  let refused = 0;
  items.forEach((item, i) => {
    const single = predictor.predict(item.workload, item.gpu);
    const b = batch[i];
    assert.equal(b.error, single.error, `row ${i}`);
    if (single.error) refused++;
    for (const key of [
      'runtimeMs',
      'runtimeLoMs',
      'runtimeHiMs',
      'powerW',
      'powerLoW',
      'powerHiW',
      'energyMj',
      'energyLoMj',
      'energyHiMj',
      'analyticMs',
    ] as const) {
      assert.ok(close(b[key], single[key]), `row ${i} ${key}: ${b[key]} vs ${single[key]}`);
    }
  });
  assert.ok(refused >= 2, `${refused} refused rows`);
  assert.match(batch[4100].error!, /has no board power/);
  assert.deepEqual(predictGemmBatch(predictor, []), []);
});

test("an item's analytic estimate is used as given, and ignored when the measurement method changes the workload", async () => {
  const created = createPredictor(await models());
  assert.ok(created.ok, created.ok ? '' : created.error);
  const predictor = created.predictor;
  const items = Array.from({ length: 200 }, () => ({ workload: workload(), gpu: pick(gpus) }));
  const plain = predictGemmBatch(predictor, items);
  const given = predictGemmBatch(
    predictor,
    items.map((item) => ({ ...item, analytic: analyticEstimate(item.workload, item.gpu) })),
  );
  assert.deepEqual(given, plain);
  // An estimate of another workload shows through where the method keeps the workload (so it is used, not recomputed) ...
  const other = analyticEstimate({ ...items[0].workload, m: items[0].workload.m * 4 }, items[0].gpu);
  const wrong = predictGemmBatch(predictor, [{ ...items[0], analytic: other }])[0];
  const overheadMs = plain[0].analyticMs - analyticEstimate(items[0].workload, items[0].gpu).timeMs;
  assert.ok(Math.abs(wrong.analyticMs - (other.timeMs + overheadMs)) < 1e-9, `${wrong.analyticMs} vs ${other.timeMs} + ${overheadMs}`);
  assert.notEqual(wrong.runtimeMs, plain[0].runtimeMs);
  // ... and not where the method changes the workload (PyTorch eager adds the repeated-call buffers).
  const eager = predictGemmBatch(predictor, [{ ...items[0], method: 'pytorch-eager', analytic: other }])[0];
  assert.deepEqual(eager, predictGemmBatch(predictor, [{ ...items[0], method: 'pytorch-eager' }])[0]);
});

test('prepareGemmBatch changes no prediction, also when a later batch needs more walk memory than it set up', async () => {
  const artifacts = await models();
  const fresh = createPredictor(artifacts);
  const prepared = createPredictor(artifacts);
  assert.ok(fresh.ok && prepared.ok);
  prepareGemmBatch(prepared.predictor);
  const items = Array.from({ length: 5000 }, () => ({ workload: workload(), gpu: pick(gpus) }));
  assert.deepEqual(predictGemmBatch(prepared.predictor, items), predictGemmBatch(fresh.predictor, items));
});
