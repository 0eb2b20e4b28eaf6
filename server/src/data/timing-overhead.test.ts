// Checks the per-source timing overhead: estimated from each source/GPU's smallest time over the kernel-time
// floor, zero for kernel-time sources and for sources without small GEMMs, and device times that never
// reach zero or below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceTimeMs, estimateOverheads, overheadOf, SOURCE_METHOD, workloadForMethod } from './timing-overhead';
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
