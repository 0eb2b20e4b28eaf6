// Checks the per-source timing overhead: estimated from each source/GPU's smallest time over the kernel-time
// floor, zero for kernel-time sources and for sources without small GEMMs, and device times that never
// reach zero or below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  deviceTimeMs,
  dynamicScheme,
  estimateOverheads,
  estimateSchemeOverheads,
  MIN_SCHEME_PAIRS,
  overheadOf,
  schemeOverheadOf,
  SOURCE_METHOD,
  workloadForMethod,
} from './timing-overhead';
import type { GemmRecord, GemmSource } from './record';

function rec(source: GemmSource, gpu: string, runtimeMs: number): GemmRecord {
  return {
    gpu,
    gpuName: gpu,
    dtype: 'fp32',
    m: 1,
    n: 1,
    k: 1,
    batch: 1,
    kernel: 'library',
    params: {},
    runtimeMs,
    source,
    sourceFile: 'x',
    condition: 'plain',
  };
}

test('timing overhead: eager PyTorch floor over the kernel-time floor; kernel sources and large-only sources add none', () => {
  const records = [
    rec('aiconfigurator', 'a', 0.002),
    rec('aiconfigurator', 'a', 0.5),
    rec('aiconfigurator', 'b', 0.0024),
    rec('aiconfigurator', 'c', 0.0016),
    rec('neusight', 'a', 0.032),
    rec('neusight', 'a', 0.04),
    rec('neusight', 'a', 1.2),
    rec('neusight', 'b', 0.052),
    rec('neusight', 'b', 3),
    rec('kerneltuner', 'k', 5.1),
    rec('kerneltuner', 'k', 12),
  ];
  // Analytic device times: tiny for the small rows, except Kernel Tuner's (all M=N=K=4096).
  const analytic = records.map((r) => (r.runtimeMs < 0.1 ? 0.002 : r.runtimeMs * 0.8));
  const rows = records.map((_, i) => i);
  const t = estimateOverheads(records, rows, analytic);
  assert.equal(t.kernelFloorMs, 0.002); // median of 2.0, 2.4, 1.6 µs
  assert.ok(Math.abs(overheadOf(t, 'neusight', 'a') - 0.03) < 1e-12);
  assert.ok(Math.abs(overheadOf(t, 'neusight', 'b') - 0.05) < 1e-12);
  assert.equal(overheadOf(t, 'aiconfigurator', 'b'), 0);
  const kt = t.entries.find((e) => e.source === 'kerneltuner')!;
  assert.equal(kt.identifiable, false);
  assert.equal(kt.overheadMs, 0);
  assert.ok(Math.abs(t.methodOverheadMs['pytorch-eager'] - 0.04) < 1e-12); // median of 30 and 50 µs
  assert.equal(t.methodOverheadMs.kernel, 0);
  assert.equal(SOURCE_METHOD.neusight, 'pytorch-eager');
  // Every label stays positive, and the smallest eager time becomes the kernel floor.
  for (const r of records) assert.ok(deviceTimeMs(r.runtimeMs, overheadOf(t, r.source, r.gpu), t.kernelFloorMs) > 0);
  assert.ok(Math.abs(deviceTimeMs(0.032, overheadOf(t, 'neusight', 'a'), t.kernelFloorMs) - 0.002) < 1e-12);
});

test('device time: an overhead larger than the time never gives a label at or below zero', () => {
  assert.equal(deviceTimeMs(0.01, 0.05, 0.002), 0.002);
  assert.equal(deviceTimeMs(0.001, 0.05, 0.002), 0.001);
  assert.ok(Number.isNaN(deviceTimeMs(0, 0, 0.002)));
  assert.equal(deviceTimeMs(1, 0.03, 0.002), 0.97);
});

test('workloadForMethod: do_bench flushes L2 (cold); eager PyTorch reuses its tensors unless told; kernel keeps the workload', () => {
  const w = { m: 64, n: 64, k: 64, batch: 1, dtype: 'fp16' as const, kernel: 'library' as const };
  const warm = { ...w, repeatedCalls: { copiesA: 1, copiesB: 6 } };
  assert.equal(workloadForMethod(warm, 'triton-do-bench').repeatedCalls, undefined);
  assert.deepEqual(workloadForMethod(w, 'pytorch-eager').repeatedCalls, { copiesA: 1, copiesB: 1, copiesC: 1 });
  assert.equal(workloadForMethod(warm, 'pytorch-eager'), warm);
  assert.equal(workloadForMethod(w, 'kernel'), w);
});

/** n GEMMs measured plain (bf16) and with `scheme` on one GPU: the quantised ones take `extraMs(i)` more than the analytic says beyond the plain residual. */
function pairs(gpu: string, scheme: string, n: number, extraMs: (i: number) => number, plainMs = 0.008) {
  const records: GemmRecord[] = [];
  const analytic: number[] = [];
  for (let i = 0; i < n; i++) {
    const base = { ...rec('aiconfigurator', gpu, plainMs), dtype: 'bf16' as const, m: i + 1, n: 64, k: 64 };
    records.push(base);
    analytic.push(0.005);
    records.push({ ...base, dtype: 'fp8', quantization: scheme, runtimeMs: plainMs - 0.001 + extraMs(i) });
    analytic.push(0.004);
  }
  return { records, analytic };
}

test('scheme overhead: lower quartile of the paired extra time per GPU; the GPU family first, then every family; held-out entries kept out', () => {
  // extra = 1 µs on 30% of the pairs, 9 µs on the rest (a lean framework and a heavy one).
  const a = pairs('b200', 'fp8_block', 40, (i) => (i % 10 < 3 ? 0.001 : 0.009));
  const b = pairs('b300', 'fp8_block', 40, () => 0.003);
  const h = pairs('h100', 'fp8_block', 40, () => 0.0005);
  const records = [...a.records, ...b.records, ...h.records];
  const analytic = [...a.analytic, ...b.analytic, ...h.analytic];
  const family = (gpu: string) => (gpu.startsWith('h') ? 'cc9' : 'cc10');
  const t = estimateSchemeOverheads(records, Int32Array.from(records.keys()), analytic, family);
  const entry = (gpu: string) => t.entries.find((e) => e.gpu === gpu)!;
  assert.equal(t.entries.length, 3);
  assert.ok(Math.abs(entry('b200').overheadMs - 0.001) < 1e-9, 'the lower quartile, not the median (9 µs)');
  assert.ok(Math.abs(entry('b300').overheadMs - 0.003) < 1e-9);
  assert.equal(entry('b200').pairs, 40);
  // A Blackwell GPU: the median of the cc10 entries; a Hopper one: its own family; a new family: all.
  assert.ok(Math.abs(schemeOverheadOf(t.entries, 'FP8_BLOCK', 'cc10') - 0.002) < 1e-9);
  assert.ok(Math.abs(schemeOverheadOf(t.entries, 'fp8_block', 'cc9') - 0.0005) < 1e-9);
  assert.ok(Math.abs(schemeOverheadOf(t.entries, 'fp8_block', 'cc12') - 0.001) < 1e-9);
  // b200 held out: only b300 speaks for cc10; every entry held out: 0.
  assert.ok(Math.abs(schemeOverheadOf(t.entries, 'fp8_block', 'cc10', (e) => e.gpu !== 'b200') - 0.003) < 1e-9);
  assert.equal(
    schemeOverheadOf(t.entries, 'fp8_block', 'cc10', () => false),
    0,
  );
  // Plain, static and weight-only schemes, and schemes nobody measured, add nothing.
  for (const q of [undefined, '', 'fp8_static', 'int4_wo', 'nvfp4']) assert.equal(schemeOverheadOf(t.entries, q, 'cc10'), 0, String(q));
  assert.equal(dynamicScheme('int8_wo'), undefined);
  assert.equal(dynamicScheme('SQ'), 'sq');
});

test('scheme overhead: only tiny plain GEMMs pair, and a GPU needs MIN_SCHEME_PAIRS of them', () => {
  const few = pairs('b200', 'nvfp4', MIN_SCHEME_PAIRS - 1, () => 0.002);
  assert.deepEqual(estimateSchemeOverheads(few.records, Int32Array.from(few.records.keys()), few.analytic, () => 'cc10').entries, []);
  const large = pairs('b200', 'nvfp4', 40, () => 0.002, 0.5);
  assert.deepEqual(
    estimateSchemeOverheads(large.records, Int32Array.from(large.records.keys()), large.analytic, () => 'cc10').entries,
    [],
    'plain ≥ 20 µs: not a fixed-cost regime',
  );
  // Negative extras (the analytic's quantising pass already covers it) give 0, not a negative overhead.
  const covered = pairs('b200', 'nvfp4', 40, () => -0.002);
  assert.equal(estimateSchemeOverheads(covered.records, Int32Array.from(covered.records.keys()), covered.analytic, () => 'cc10').entries[0]?.overheadMs, 0);
});
