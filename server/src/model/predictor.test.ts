// Tests of the predictor: inverse target transforms applied exactly, energy = runtime × power with the
// documented interval, refusal of mismatched or corrupt artifacts, no throw on bad workloads, and sanity
// of the shipped models when present. Builds tiny forests with the real trainer; reads files only for
// the shipped-model test (skipped when they are absent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel, MODEL_SCHEMA_VERSION } from './artifact';
import { createPredictor } from './predictor';
import { FEATURE_NAMES, FEATURE_VERSION, computeFeatures } from '../perf/features';
import { findGpu } from '../perf/gpu-catalogue';
import type { GemmWorkload } from '../perf/types';
import { trainForest } from '../../../models/training/train-forest';
import { predictGemmBatch } from './predict-batch';

const gpu = findGpu('h100-sxm')!;
const w: GemmWorkload = { m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'bf16', kernel: 'library' };

/** A model whose target is `value` everywhere (plus `spread` of noise, for non-zero intervals). */
async function constantModel(
  name: string,
  transform: string,
  value: number,
  spread = 0,
  featureVersion = FEATURE_VERSION,
  training?: Record<string, unknown>,
): Promise<Uint8Array> {
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
    featureVersion,
    target: { name, transform },
    dataFingerprint: 'test',
    metrics: {},
    calibration: [],
    forest: t.forest,
    ...(training ? { training } : {}),
  });
}

test('runtime = analytic × exp(target); power = fraction × board power; energy = runtime × power', async () => {
  const made = createPredictor({
    runtime: await constantModel('runtime', 'log-ratio-to-analytic', Math.log(2)),
    power: await constantModel('power', 'fraction-of-power-limit', 0.5),
  });
  assert.ok(made.ok, made.ok ? '' : made.error);
  const p = made.predictor.predict(w, gpu);
  assert.equal(p.error, undefined);
  const analytic = computeFeatures(w, gpu).analytic.timeMs;
  assert.ok(Math.abs(p.runtimeMs - 2 * analytic) < 1e-6 * analytic, `${p.runtimeMs} vs ${2 * analytic}`);
  assert.ok(Math.abs(p.powerW - 0.5 * gpu.boardPowerW.value) < 1e-3);
  assert.ok(Math.abs(p.energyMj - p.runtimeMs * p.powerW) < 1e-9 * p.energyMj);
  assert.equal(p.level, 0.8);
});

test('intervals bracket the point values and energy bounds are the products of the bounds', async () => {
  const made = createPredictor({
    runtime: await constantModel('runtime', 'log-ratio-to-analytic', 0, 0.6),
    power: await constantModel('power', 'fraction-of-power-limit', 0.6, 0.3),
  });
  assert.ok(made.ok);
  const p = made.predictor.predict(w, gpu);
  assert.ok(p.runtimeLoMs < p.runtimeMs && p.runtimeMs < p.runtimeHiMs, JSON.stringify(p));
  assert.ok(p.powerLoW <= p.powerW && p.powerW <= p.powerHiW);
  assert.ok(Math.abs(p.energyLoMj - p.runtimeLoMs * p.powerLoW) < 1e-9 * p.energyLoMj);
  assert.ok(Math.abs(p.energyHiMj - p.runtimeHiMs * p.powerHiW) < 1e-9 * p.energyHiMj);
  assert.ok(p.energyLoMj <= p.energyMj && p.energyMj <= p.energyHiMj);
});

test('log runtime transform is inverted without the analytic reference', async () => {
  const made = createPredictor({
    runtime: await constantModel('runtime', 'log', Math.log(3.5)),
    power: await constantModel('power', 'fraction-of-power-limit', 0.5),
  });
  assert.ok(made.ok);
  assert.ok(Math.abs(made.predictor.predict(w, gpu).runtimeMs - 3.5) < 1e-5);
});

test('refuses swapped, unknown-transform, other-feature-version and corrupt artifacts', async () => {
  const runtime = await constantModel('runtime', 'log-ratio-to-analytic', 0);
  const power = await constantModel('power', 'fraction-of-power-limit', 0.5);
  const swapped = createPredictor({ runtime: power, power: runtime });
  assert.equal(swapped.ok, false);
  assert.match(swapped.ok ? '' : swapped.error, /runtime model file holds a "power" model/);
  const unknown = createPredictor({ runtime: await constantModel('runtime', 'sqrt', 0), power });
  assert.match(unknown.ok ? '' : unknown.error, /cannot invert/);
  const old = createPredictor({ runtime: await constantModel('runtime', 'log', 0, 0, 'gemm-features-v0'), power });
  assert.match(old.ok ? '' : old.error, /runtime model: .*feature version/);
  const corrupt = runtime.slice();
  corrupt[corrupt.length - 10] ^= 0xff;
  assert.equal(createPredictor({ runtime: corrupt, power }).ok, false);
  assert.equal(createPredictor({ runtime: new Uint8Array(3), power }).ok, false);
});

test('a workload the analytic model cannot handle gives NaN with a reason, never a throw', async () => {
  const made = createPredictor({
    runtime: await constantModel('runtime', 'log-ratio-to-analytic', 0),
    power: await constantModel('power', 'fraction-of-power-limit', 0.5),
  });
  assert.ok(made.ok);
  const p = made.predictor.predict({ ...w, m: NaN }, gpu);
  assert.ok(Number.isNaN(p.runtimeMs));
  assert.ok(p.error && p.error.length > 0);
});

test('shipped models: load, plausible H100 bf16 times, bigger GEMMs take longer', {
  skip: !existsSync(join(__dirname, '..', '..', '..', 'models', 'runtime.tcmf')) ? 'models/runtime.tcmf not built (npm run train)' : false,
}, () => {
  const dir = join(__dirname, '..', '..', '..', 'models');
  const made = createPredictor({ runtime: readFileSync(join(dir, 'runtime.tcmf')), power: readFileSync(join(dir, 'power.tcmf')) });
  assert.ok(made.ok, made.ok ? '' : made.error);
  const p = made.predictor.predict(w, gpu);
  // 4096^3 bf16 = 137 GFLOP; H100 SXM dense bf16 ~ 990 TFLOP/s -> >= 0.14 ms; measured ~0.2-0.3 ms.
  assert.ok(p.runtimeMs > 0.14 && p.runtimeMs < 1.0, `runtime ${p.runtimeMs}`);
  assert.ok(p.powerW > 100 && p.powerW <= gpu.boardPowerW.value, `power ${p.powerW}`);
  const big = made.predictor.predict({ ...w, m: 16384 }, gpu);
  assert.ok(big.runtimeMs > 2 * p.runtimeMs, `${big.runtimeMs} vs ${p.runtimeMs}`);
});

test('measurement method: its overhead is added to runtime and analytic, not to energy; unknown methods are refused', async () => {
  const made = createPredictor({
    runtime: await constantModel('runtime', 'log-ratio-to-analytic', Math.log(2), 0, FEATURE_VERSION, {
      methodOverheadMs: { 'pytorch-eager': 0.03, 'triton-do-bench': 0.001 },
    }),
    power: await constantModel('power', 'fraction-of-power-limit', 0.5),
  });
  assert.ok(made.ok);
  const kernel = made.predictor.predict(w, gpu);
  const eager = made.predictor.predict(w, gpu, { method: 'pytorch-eager' });
  assert.equal(kernel.method, 'kernel');
  assert.ok(Math.abs(eager.runtimeMs - kernel.runtimeMs - 0.03) < 1e-9);
  assert.ok(Math.abs(eager.runtimeLoMs - kernel.runtimeLoMs - 0.03) < 1e-9);
  assert.ok(Math.abs(eager.analyticMs - kernel.analyticMs - 0.03) < 1e-9);
  assert.ok(Math.abs(eager.energyMj - kernel.energyMj) < 1e-9 * kernel.energyMj);
  const bad = made.predictor.predict(w, gpu, { method: 'stopwatch' as never });
  assert.ok(Number.isNaN(bad.runtimeMs));
  assert.match(bad.error ?? '', /unknown measurement method 'stopwatch'/);
  // A model without a stored overhead for a method refuses that method rather than guessing.
  const plain = createPredictor({
    runtime: await constantModel('runtime', 'log-ratio-to-analytic', 0),
    power: await constantModel('power', 'fraction-of-power-limit', 0.5),
  });
  assert.ok(plain.ok);
  assert.match(plain.predictor.predict(w, gpu, { method: 'pytorch-eager' }).error ?? '', /no overhead for method 'pytorch-eager'/);
});

test('quantisation scheme: its stored overhead is device time (runtime, analytic and energy); plain GEMMs, other families and malformed entries add none', async () => {
  const schemeOverheads = [
    { scheme: 'nvfp4', source: 'aiconfigurator', gpu: 'b200', family: 'cc10', pairs: 900, overheadMs: 0.003 },
    { scheme: 'fp8_block', source: 'aiconfigurator', gpu: 'h200', family: 'cc9', pairs: 700, overheadMs: 0.0004 },
    { scheme: 'fp8_block', source: 'aiconfigurator', gpu: 'b200', family: 'cc10', pairs: 800, overheadMs: 0.006 },
    { scheme: 'fp8_block', gpu: 'x', family: 'cc9', overheadMs: -1 },
    'nonsense',
  ];
  const make = async (training?: Record<string, unknown>) =>
    createPredictor({
      runtime: await constantModel('runtime', 'log-ratio-to-analytic', Math.log(2), 0, FEATURE_VERSION, training),
      power: await constantModel('power', 'fraction-of-power-limit', 0.5),
    });
  const withSchemes = await make({ schemeOverheads });
  const without = await make();
  assert.ok(withSchemes.ok && without.ok);
  assert.equal(withSchemes.predictor.schemeOverheads.length, 3, 'malformed entries are dropped');
  const block: GemmWorkload = { ...w, m: 16, dtype: 'fp8', quantization: 'fp8_block' };
  const h100 = withSchemes.predictor.predict(block, gpu);
  const h100Plain = without.predictor.predict(block, gpu);
  // Hopper: the cc9 entry (0.4 µs), not Blackwell's 6 µs.
  assert.ok(Math.abs(h100.runtimeMs - h100Plain.runtimeMs - 0.0004) < 1e-9);
  assert.ok(Math.abs(h100.analyticMs - h100Plain.analyticMs - 0.0004) < 1e-9);
  assert.ok(h100.energyMj > h100Plain.energyMj, 'the extra kernels draw energy');
  const b200 = findGpu('b200')!;
  assert.ok(Math.abs(withSchemes.predictor.predict(block, b200).runtimeMs - without.predictor.predict(block, b200).runtimeMs - 0.006) < 1e-9);
  assert.equal(withSchemes.predictor.predict(w, gpu).runtimeMs, without.predictor.predict(w, gpu).runtimeMs, 'a plain GEMM adds nothing');
  const batch = predictGemmBatch(withSchemes.predictor, [
    { workload: block, gpu },
    { workload: w, gpu },
  ]);
  assert.equal(batch[0].runtimeMs, h100.runtimeMs, 'the batch path adds the same');
});

/** A stored applicability domain: feature ranges `widen` either side of `f`, the H100 the only library GPU, λ 1. */
function domainAround(f: ArrayLike<number>, widen: number) {
  return {
    featureLo: Array.from(f, (v) => (Number.isFinite(v) ? v - widen : null)),
    featureHi: Array.from(f, (v) => (Number.isFinite(v) ? v + widen : null)),
    gpuRanges: {
      library: { gpus: ['h100-sxm'], lo: Array(6).fill(-100), hi: Array(6).fill(100) },
      'library-fp32': { gpus: [], lo: Array(6).fill(null), hi: Array(6).fill(null) },
      tiled: { gpus: [], lo: Array(6).fill(null), hi: Array(6).fill(null) },
    },
    correctionWeights: { library: 1, 'library-fp32': 1, tiled: 1 },
    decay: 0.5,
    flagAbove: 0.25,
  };
}

test('applicability: outside the stored domain the correction shrinks toward the analytic model and the prediction says extrapolating', async () => {
  const nF = FEATURE_NAMES.length;
  const f = computeFeatures(w, gpu).values;
  const around = (widen: number) => domainAround(f, widen);
  const runtime = (domain: unknown) => constantModel('runtime', 'log-ratio-to-analytic', Math.log(2), 0, FEATURE_VERSION, { applicability: domain });
  const power = await constantModel('power', 'fraction-of-power-limit', 0.5);
  const inside = createPredictor({ runtime: await runtime(around(0.5)), power });
  assert.ok(inside.ok && inside.predictor.domain);
  const p = inside.predictor.predict(w, gpu);
  assert.equal(p.extrapolating, false);
  assert.ok(Math.abs(p.runtimeMs / p.analyticMs - 2) < 1e-6);
  // The same workload, 16x larger in m: log2_m, log2_flops, ... fall outside the narrow ranges.
  const big = inside.predictor.predict({ ...w, m: 65536 }, gpu);
  assert.equal(big.extrapolating, true);
  assert.ok(big.extrapolationNotes && big.extrapolationNotes.some((n) => n.startsWith('M 65536 (training ')), big.extrapolationNotes?.join('; '));
  const ratio = big.runtimeMs / big.analyticMs;
  assert.ok(ratio > 1 && ratio < 1.2, `correction shrunk toward 1: ${ratio}`);
  assert.ok(big.runtimeLoMs <= big.analyticMs && big.runtimeHiMs >= 2 * big.analyticMs * 0.999, JSON.stringify(big));
  assert.equal(nF, f.length);
  // A malformed stored domain is ignored (no check), not a crash.
  const broken = createPredictor({ runtime: await runtime({ featureLo: [1] }), power });
  assert.ok(broken.ok && broken.predictor.domain === null);
  // Stored interval scales: a flagged prediction's interval (in log space) shrinks by the extrapolating
  // scale; an unflagged one is unchanged (its scale is the forest calibration's).
  const scaled = createPredictor({ runtime: await runtime({ ...around(0.5), intervalScales: { inDomain: 1, extrapolating: 0.5 } }), power });
  assert.ok(scaled.ok);
  const logWidth = (q: { runtimeLoMs: number; runtimeHiMs: number }) => Math.log(q.runtimeHiMs / q.runtimeLoMs);
  const bigScaled = scaled.predictor.predict({ ...w, m: 65536 }, gpu);
  assert.equal(bigScaled.runtimeMs, big.runtimeMs);
  assert.ok(Math.abs(logWidth(bigScaled) - 0.5 * logWidth(big)) < 1e-6, `${logWidth(bigScaled)} vs ${logWidth(big)}`);
  assert.deepEqual(scaled.predictor.predict(w, gpu), p);
});

test("a ranked group keeps the correction's shape: its reference keeps its own prediction, the others are placed by the unshrunk correction", async () => {
  const domain = domainAround(computeFeatures(w, gpu).values, 0.5);
  // The forest's correction is log 2 everywhere: unshrunk, every candidate is 2x its analytic time.
  const made = createPredictor({
    runtime: await constantModel('runtime', 'log-ratio-to-analytic', Math.log(2), 0, FEATURE_VERSION, { applicability: domain }),
    power: await constantModel('power', 'fraction-of-power-limit', 0.5),
  });
  assert.ok(made.ok);
  const predictor = made.predictor;
  const inside = w;
  const far = { ...w, m: 65536 };
  const farther = { ...w, m: 131072 };
  const lone = [inside, far, farther].map((x) => predictor.predict(x, gpu));
  assert.ok(lone[1].runtimeMs / lone[1].analyticMs < 1.2 && lone[2].runtimeMs / lone[2].analyticMs < lone[1].runtimeMs / lone[1].analyticMs);
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a / b - 1) < 1e-6, `${what}: ${a} vs ${b}`);
  const ratio = (q: { runtimeMs: number; analyticMs?: number }) => q.runtimeMs / q.analyticMs!;

  // Anchored at the in-domain candidate: the far ones keep the full (equal) correction, 2x.
  const anchored = predictGemmBatch(
    predictor,
    [inside, far, farther].map((workload, i) => ({ workload, gpu, group: 'g', reference: i === 0 })),
  );
  close(anchored[0].runtimeMs, lone[0].runtimeMs, 'the reference keeps its own prediction');
  close(ratio(anchored[1]), 2, 'far: unshrunk shape');
  close(ratio(anchored[2]), 2, 'farther: unshrunk shape');
  for (const q of anchored) {
    assert.ok(q.runtimeLoMs <= q.runtimeMs && q.runtimeMs <= q.runtimeHiMs, JSON.stringify(q));
    close(q.energyMj, q.runtimeMs * q.powerW, 'energy follows the time (kernel method, no host overhead)');
  }
  // The interval moves with its mean: the same log width as the candidate's own.
  close(Math.log(anchored[1].runtimeHiMs / anchored[1].runtimeLoMs), Math.log(lone[1].runtimeHiMs / lone[1].runtimeLoMs), 'interval width');

  // No reference: the candidate with the median correction (equal here: the middle of three by index) sets the level.
  const median = predictGemmBatch(
    predictor,
    [inside, far, farther].map((workload) => ({ workload, gpu, group: 7 })),
  );
  close(median[1].runtimeMs, lone[1].runtimeMs, 'the median candidate keeps its own prediction');
  close(ratio(median[0]), ratio(lone[1]), 'placed at the level of the median candidate');
  close(ratio(median[2]), ratio(lone[1]), 'placed at the level of the median candidate');

  // Other groups and ungrouped items are predicted alone.
  const mixed = predictGemmBatch(predictor, [
    { workload: inside, gpu, group: 'a', reference: true },
    { workload: far, gpu },
    { workload: farther, gpu, group: 'b' },
  ]);
  close(mixed[1].runtimeMs, lone[1].runtimeMs, 'ungrouped');
  close(mixed[2].runtimeMs, lone[2].runtimeMs, 'a group of one');
});
