// Checks the applicability check: inside the training ranges the correction keeps its weight λ; a
// feature or GPU outside shrinks it toward the analytic model, flags the prediction and says why; the
// shrunk interval still holds the forest's and the analytic model's values; a stored domain survives JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assess, fitDomain, gpuDescriptor, GPU_DESCRIPTOR_NAMES, parseDomain, quantisedKey, shrinkCorrection } from './applicability';
import { findGpu } from '../perf/gpu-catalogue';
import type { GpuSpec } from '../perf/types';

const names = ['a', 'b'];
const h100 = findGpu('h100-sxm')!;
const a100 = findGpu('a100-sxm4-80gb')!;
const t4 = findGpu('t4')!;
/** 200 rows: feature a in 0..9.95, feature b constant 1. */
const x = Float32Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? (i >> 1) / 20 : 1));
const domain = fitDomain(
  x,
  200,
  2,
  { library: [h100, a100], 'library-fp32': [t4], tiled: [t4] },
  { correctionWeights: { library: 0.8, 'library-fp32': 0.6, tiled: 0.5 }, decay: 0.5, flagAbove: 0.25, nearestWithin: Infinity },
);

test('applicability: inside the ranges keeps λ of the kernel family and flags nothing', () => {
  const inside = assess(domain, names, [5, 1], h100, 'library');
  assert.deepEqual([inside.excess, inside.extrapolating, inside.weight, inside.reasons], [0, false, 0.8, []]);
  assert.equal(assess(domain, names, [5, 1], t4, 'clblast-xgemm').weight, 0.5);
  assert.equal(assess(domain, names, [5, 1], t4, 'library', 'fp32').weight, 0.6);
});

test('applicability: a feature outside the training range shrinks the correction and says which', () => {
  const lo = domain.featureLo[0],
    hi = domain.featureHi[0];
  const out = assess(domain, names, [hi + (hi - lo), 1], h100, 'library');
  assert.ok(Math.abs(out.excess - 1) < 1e-9);
  assert.equal(out.extrapolating, true);
  assert.ok(Math.abs(out.weight - 0.8 * Math.exp(-2)) < 1e-9);
  assert.match(out.reasons[0], /^a /);
  // A constant feature uses a width of 1: b = 1.1 is 0.1 outside, not flagged.
  const near = assess(domain, names, [5, 1.1], h100, 'library');
  assert.equal(near.extrapolating, false);
  assert.ok(near.weight < 0.8 && near.weight > 0.6);
});

test('applicability: a flag no training row set is named in words, not as a range', () => {
  // Training rows never set kernel_triton, kernel_tiled, quant_block_scaled or tensor_cores (all 0); a row sets each.
  const flags = ['kernel_triton', 'kernel_tiled', 'quant_block_scaled', 'tensor_cores', 'bound_shared_memory', 'x'];
  const zeros = fitDomain(
    new Float32Array(60),
    10,
    6,
    { library: [h100], 'library-fp32': [t4], tiled: [t4] },
    {
      correctionWeights: { library: 1, 'library-fp32': 1, tiled: 1 },
      decay: 0.5,
      flagAbove: 0.25,
      nearestWithin: Infinity,
    },
  );
  const out = assess(zeros, flags, [1, 1, 1, 1, 1, 2], h100, 'library');
  assert.deepEqual(out.reasons, [
    'no Triton kernels in the training data',
    // The CUDA family by name: the tiled-kernel group may hold other hand-written kernels (CLBlast's).
    'no hand-written CUDA tiled kernels in the training data',
    'no block-scaled quantisation in the training data',
    'no tensor-core kernels in the training data',
    // The analytic model's limiter one-hot, by its name (it read "bound_issue = 1" before).
    "no shared-memory-bound GEMMs (the analytic model's limiter) in the training data",
    'x 2 (training 0–0)',
  ]);
});

test('applicability: a GPU older than every training GPU of the family is extrapolating; unknown fields are skipped', () => {
  const kepler: GpuSpec = { ...t4, id: 'kepler-like', computeCapability: '3.5' };
  const k = assess(domain, names, [5, 1], kepler, 'tiled');
  assert.equal(k.extrapolating, true);
  assert.ok(k.weight < 0.5 * Math.exp(-7), `${k.weight}`);
  assert.ok(
    k.reasons.some((r) => r.startsWith('compute capability 3.5 (training GPUs for hand-written tiled kernels: ')),
    k.reasons.join('; '),
  );
  // The 'library' group holds every library dtype but fp32 (fp64 included): its words do not say tensor cores.
  const l = assess(domain, names, [5, 1], kepler, 'library');
  assert.ok(
    l.reasons.some((r) => r.startsWith('compute capability 3.5 (training GPUs for library GEMMs other than fp32: ')),
    l.reasons.join('; '),
  );
  // A training GPU is never outside its own family's ranges, whatever its specs.
  assert.equal(assess(domain, names, [5, 1], t4, 'tiled').extrapolating, false);
  const blank: GpuSpec = { ...h100, id: 'blank', memoryBandwidthGBps: { value: NaN, source: 'none' } };
  assert.equal(assess(domain, names, [5, 1], blank, 'library').excess, 0);
});

test('applicability: no tiled kernels in training means the analytic model alone for them', () => {
  const none = fitDomain(
    x,
    200,
    2,
    { library: [h100], 'library-fp32': [h100], tiled: [] },
    { correctionWeights: { library: 1, 'library-fp32': 1, tiled: 1 }, decay: 0.5, flagAbove: 0.25, nearestWithin: Infinity },
  );
  const a = assess(none, names, [5, 1], t4, 'tiled');
  assert.equal(a.extrapolating, true);
  assert.ok(a.weight < 1e-12);
});

test('shrinkCorrection: the shrunk interval holds the shrunk value, the forest value and the analytic model', () => {
  const s = shrinkCorrection(0.4, 0.2, 0.6, { excess: 0.5, extrapolating: true, weight: 0.25, reasons: [] });
  assert.ok(Math.abs(s.mean - 0.1) < 1e-12);
  for (const v of [s.mean, 0.4, 0]) assert.ok(s.lo <= v && v <= s.hi, `${v} in ${s.lo}..${s.hi}`);
  const same = shrinkCorrection(0.4, 0.2, 0.6, { excess: 0, extrapolating: false, weight: 1, reasons: [] });
  assert.deepEqual(same, { mean: 0.4, lo: 0.2, hi: 0.6 });
});

test('shrinkCorrection with interval scales: a flagged row gets the extrapolating scale on its whole widened interval, others keep theirs', () => {
  const scales = { inDomain: 2, extrapolating: 0.5 };
  const flagged = { excess: 0.5, extrapolating: true, weight: 0.25, reasons: [] };
  // The forest interval carries the in-domain scale 2: raw half-widths 0.1 below and 0.2 above the mean 0.4.
  const s = shrinkCorrection(0.4, 0.2, 0.8, flagged, scales);
  const moved = 0.4 - 0.1;
  assert.ok(Math.abs(s.mean - 0.1) < 1e-12);
  assert.ok(Math.abs(0.1 - s.lo - 0.5 * (0.1 * 1.5 + moved)) < 1e-12, `lo ${s.lo}`);
  assert.ok(Math.abs(s.hi - 0.1 - 0.5 * (0.2 * 1.5 + moved)) < 1e-12, `hi ${s.hi}`);
  // Without scales (older artifacts) the flagged row is widened as before, so the scales changed it.
  assert.notDeepEqual(shrinkCorrection(0.4, 0.2, 0.8, flagged), s);
  // A row inside the domain is the same with or without scales: the forest already applied its scale.
  const inside = { excess: 0.1, extrapolating: false, weight: 0.9, reasons: [] };
  assert.deepEqual(shrinkCorrection(0.4, 0.2, 0.8, inside, scales), shrinkCorrection(0.4, 0.2, 0.8, inside));
});

test('parseDomain: interval scales are optional, kept when positive, refused otherwise', () => {
  const json = JSON.parse(JSON.stringify(domain));
  assert.equal(parseDomain(json, 2)?.intervalScales, undefined);
  assert.deepEqual(parseDomain({ ...json, intervalScales: { inDomain: 1.3, extrapolating: 0.6 } }, 2)?.intervalScales, { inDomain: 1.3, extrapolating: 0.6 });
  assert.equal(parseDomain({ ...json, intervalScales: { inDomain: 1.3, extrapolating: 0 } }, 2), null);
  assert.equal(parseDomain({ ...json, intervalScales: { inDomain: 1.3 } }, 2), null);
});

test('parseDomain: a domain survives JSON (NaN bounds as null); malformed ones are refused', () => {
  const withNaN = { ...domain, featureLo: [NaN, 1] };
  const back = parseDomain(JSON.parse(JSON.stringify(withNaN)), 2);
  assert.ok(back);
  assert.ok(Number.isNaN(back.featureLo[0]));
  assert.deepEqual(back.gpuRanges.tiled.gpus, ['t4']);
  assert.equal(parseDomain(JSON.parse(JSON.stringify(domain)), 3), null);
  assert.equal(parseDomain({ ...domain, correctionWeights: { library: 2, 'library-fp32': 1, tiled: 1 } }, 2), null);
  assert.equal(parseDomain({ ...domain, correctionWeights: { library: 1, tiled: 1 } }, 2), null);
  assert.equal(parseDomain(undefined, 2), null);
});

test('applicability: a GPU inside the descriptor box but far from every training GPU is outside by the distance beyond nearestWithin', () => {
  // Training GPUs P100 (cc 6.0) and H100 SXM (cc 9.0) span a box that holds the V100 (cc 7.0); the nearest
  // of the two differs from it by more than one unit in some descriptor.
  const p100 = findGpu('p100-pcie-16gb')!;
  const v100 = findGpu('v100-pcie-32gb')!;
  const fit = (nearestWithin: number) =>
    fitDomain(
      x,
      200,
      2,
      { library: [], 'library-fp32': [p100, h100], tiled: [] },
      { correctionWeights: { library: 1, 'library-fp32': 1, tiled: 1 }, decay: 0.5, flagAbove: 0.25, nearestWithin },
    );
  const off = assess(fit(Infinity), names, [5, 1], v100, 'library', 'fp32');
  assert.deepEqual([off.excess, off.extrapolating, off.weight], [0, false, 1]);
  const near = assess(fit(0), names, [5, 1], v100, 'library', 'fp32');
  assert.ok(near.excess >= 1, `excess ${near.excess}`);
  assert.equal(near.extrapolating, true);
  assert.ok(Math.abs(near.weight - Math.exp(-near.excess / 0.5)) < 1e-12);
  assert.match(near.reasons.join('; '), /unlike every training GPU of fp32 library GEMMs: the nearest, (p100-pcie-16gb|h100-sxm), differs most in /);
  // A training GPU itself is never outside, whatever the setting.
  assert.equal(assess(fit(0), names, [5, 1], p100, 'library', 'fp32').excess, 0);
  // The descriptors survive JSON; an artifact without them (written before the check) keeps it off.
  const back = parseDomain(JSON.parse(JSON.stringify(fit(0))), 2)!;
  assert.equal(assess(back, names, [5, 1], v100, 'library', 'fp32').excess, near.excess);
  const old = JSON.parse(JSON.stringify(fit(0)));
  delete old.nearestWithin;
  for (const g of Object.values(old.gpuRanges) as Array<Record<string, unknown>>) delete g.descriptors;
  assert.equal(assess(parseDomain(old, 2)!, names, [5, 1], v100, 'library', 'fp32').excess, 0);
  assert.equal(parseDomain({ ...JSON.parse(JSON.stringify(fit(0))), nearestWithin: -1 }, 2), null);
});

test('the power descriptor is how power-bound a board is, not its watts: more power than a board needs is no distance', () => {
  const power = GPU_DESCRIPTOR_NAMES.indexOf('log2_sustained_clock_fraction');
  const of = (id: string) => gpuDescriptor(findGpu(id)!)[power]!;
  // One chip at 1,100 and 1,400 W: neither power-bound, so the GB300 is no farther from the B300 than itself.
  assert.equal(of('gb300'), 0);
  assert.equal(of('b300'), 0);
  // Boards whose power holds them well below boost (75 W P4, at its base clock; 70 W T4) are told apart from those that are not.
  assert.ok(of('p4') < -0.1 && of('t4') < of('p4'), `${of('p4')} ${of('t4')}`);
  // No board power: not checked (NaN), never a made-up distance.
  const noPower = { ...findGpu('t4')!, boardPowerW: undefined } as unknown as GpuSpec;
  assert.ok(Number.isNaN(gpuDescriptor(noPower)[power]));
});

test('parseDomain: a domain fitted with another descriptor layout is refused; one without names (older) is read', () => {
  const json = JSON.parse(JSON.stringify(domain));
  delete json.descriptorNames;
  assert.ok(parseDomain(json, 2));
  assert.deepEqual(parseDomain({ ...json, descriptorNames: [...GPU_DESCRIPTOR_NAMES] }, 2)?.descriptorNames, GPU_DESCRIPTOR_NAMES);
  const watts = GPU_DESCRIPTOR_NAMES.map((n) => (n === 'log2_sustained_clock_fraction' ? 'log2_board_power_w' : n));
  assert.equal(parseDomain({ ...json, descriptorNames: watts }, 2), null);
});

test('applicability: a quantised op timed only on other architectures is extrapolating; plain rows and covered ops are not', () => {
  // Training: an SGLang per-block fp8 op (wrapper 1) on the B200 (cc 10.0), plain fp8 on the H100 (cc 9.0).
  const qNames = ['quant_dynamic', 'quant_block_scaled', 'quant_weight_only', 'dtype_bytes', 'quant_wrapper', 'a'];
  const b200 = findGpu('b200')!;
  const b300 = findGpu('b300')!;
  const sglangBlock = [1, 1, 0, 1, 1, 5];
  const plainFp8 = [0, 0, 0, 1, 0, 5];
  const rowGpus = [b200, h100, b200, h100];
  const fit = fitDomain(
    Float32Array.from([...sglangBlock, ...plainFp8, ...sglangBlock, ...plainFp8]),
    4,
    qNames.length,
    { library: [b200, h100], 'library-fp32': [], tiled: [] },
    { correctionWeights: { library: 1, 'library-fp32': 1, tiled: 1 }, decay: 0.5, flagAbove: 0.25, nearestWithin: Infinity },
    { featureNames: qNames, gpuOfRow: (row) => rowGpus[row] },
  );
  assert.deepEqual(fit.quantisedCoverage, ['cc10|110|1|1']);
  // The same op on the H100: no Hopper row timed it.
  const hopper = assess(fit, qNames, sglangBlock, h100, 'library', 'fp8');
  assert.deepEqual([hopper.excess, hopper.extrapolating], [1, true]);
  assert.ok(Math.abs(hopper.weight - Math.exp(-2)) < 1e-12);
  assert.match(hopper.reasons.join('; '), /no block-scaled quantised GEMMs timed in sglang on compute capability 9\.x GPUs in the training data/);
  // The op's reason comes before the GPU's (renderers show the first few): the A100 is also outside the GPU box.
  const ampere = assess(fit, qNames, sglangBlock, a100, 'library', 'fp8').reasons;
  assert.ok(ampere.length > 1);
  assert.match(ampere[0]!, /^no block-scaled quantised GEMMs timed in sglang on compute capability 8\.x GPUs/);
  // Another GPU of the training architecture (B300, cc 10.3: its compute capability is outside the box, the op is not), and plain rows anywhere, are inside.
  assert.doesNotMatch(assess(fit, qNames, sglangBlock, b300, 'library', 'fp8').reasons.join('; '), /quantised/);
  assert.doesNotMatch(assess(fit, qNames, plainFp8, a100, 'library', 'fp8').reasons.join('; '), /quantised/);
  assert.equal(assess(fit, qNames, plainFp8, h100, 'library', 'fp8').excess, 0);
  // Another wrapper of the same scheme on the training architecture is not covered either.
  assert.equal(assess(fit, qNames, [1, 1, 0, 1, 2, 5], b200, 'library', 'fp8').extrapolating, true);
  // The coverage survives JSON; an artifact without it (older) keeps the check off; a malformed one is refused.
  const json = JSON.parse(JSON.stringify(fit));
  assert.equal(assess(parseDomain(json, qNames.length)!, qNames, sglangBlock, h100, 'library', 'fp8').excess, 1);
  delete json.quantisedCoverage;
  assert.equal(assess(parseDomain(json, qNames.length)!, qNames, sglangBlock, h100, 'library', 'fp8').excess, 0);
  assert.equal(parseDomain({ ...json, quantisedCoverage: [3] }, qNames.length), null);
  // Feature names without the quantisation features (older feature sets): no key, no check.
  assert.equal(quantisedKey(['a', 'b'], [1, 1], h100), null);
});
