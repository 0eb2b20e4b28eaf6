// Tests for each cleaning rule on small in-memory record lists, and for cleanRecords' counts and order.
// No shared data needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmRecord } from './record';
import {
  cleanRecords,
  dropImplausiblePower,
  dropInvalidRuntime,
  dropInvalidSize,
  dropMultiKernel,
  dropUnknownGpu,
  dropWeightOnlyQuantization,
  duplicateKey,
  mergeDuplicates,
} from './clean';

const rec = (over: Partial<GemmRecord> = {}): GemmRecord => ({
  gpu: 'h100-sxm',
  gpuName: 'NVIDIA H100 80GB HBM3',
  dtype: 'bf16',
  m: 128,
  n: 256,
  k: 512,
  batch: 1,
  kernel: 'library',
  params: {},
  runtimeMs: 1,
  source: 'aiconfigurator',
  sourceFile: 'a.parquet',
  condition: 'plain',
  framework: 'VLLM',
  frameworkVersion: '0.24.0',
  ...over,
});

test('invalid-runtime removes zero, negative, NaN and infinite times', () => {
  const rs = [rec(), rec({ runtimeMs: 0 }), rec({ runtimeMs: -1 }), rec({ runtimeMs: NaN }), rec({ runtimeMs: Infinity }), rec({ runtimeMs: 1e-4 })];
  const { kept, removed } = dropInvalidRuntime(rs);
  assert.deepEqual(
    kept.map((r) => r.runtimeMs),
    [1, 1e-4],
  );
  assert.equal(removed.length, 4);
});

test('invalid-size removes non-positive, NaN and fractional m, n, k, batch', () => {
  const rs = [rec(), rec({ m: 0 }), rec({ n: -4 }), rec({ k: NaN }), rec({ batch: 0 }), rec({ m: 1.5 })];
  const { kept, removed } = dropInvalidSize(rs);
  assert.equal(kept.length, 1);
  assert.equal(removed.length, 5);
});

test('unknown-gpu removes records whose device did not resolve', () => {
  const { kept, removed } = dropUnknownGpu([rec(), rec({ gpu: '', gpuName: 'NVIDIA Z9000' })]);
  assert.equal(kept.length, 1);
  assert.equal(removed[0].gpuName, 'NVIDIA Z9000');
  assert.equal(dropUnknownGpu([rec()], (g) => g === 'a100-sxm4-80gb').removed.length, 1);
});

test('weight-only-quantization drops int8_wo/int4_wo and keeps sq and fp8 schemes', () => {
  const rs = ['int8_wo', 'int4_wo', 'sq', 'fp8_block', undefined].map((q) => rec({ dtype: 'int8', quantization: q }));
  const { kept, removed } = dropWeightOnlyQuantization(rs);
  assert.deepEqual(
    kept.map((r) => r.quantization),
    ['sq', 'fp8_block', undefined],
  );
  assert.deepEqual(
    removed.map((r) => r.quantization),
    ['int8_wo', 'int4_wo'],
  );
});

test('implausible-power keeps (0, 1.5 x limit], removes zero, negative, NaN and over-limit readings', () => {
  const rs = [
    rec(), // no power: kept
    rec({ powerW: 500, powerLimitW: 700 }),
    rec({ powerW: 1050, powerLimitW: 700 }), // exactly 1.5x: kept
    rec({ powerW: 1051, powerLimitW: 700 }),
    rec({ powerW: 0, powerLimitW: 700 }),
    rec({ powerW: NaN }),
    rec({ powerW: 300 }), // no limit: only > 0 is checked
  ];
  const { kept, removed } = dropImplausiblePower(rs);
  assert.deepEqual(
    kept.map((r) => r.powerW),
    [undefined, 500, 1050, 300],
  );
  assert.equal(removed.length, 3);
  assert.equal(dropImplausiblePower([rec({ powerW: 900, powerLimitW: 700 })], 1.2).removed.length, 1);
});

test('multi-kernel drop removes only records with kernel_count > 1', () => {
  const { kept, removed } = dropMultiKernel([rec({ params: { kernel_count: 2, split_k: 1 } }), rec({ params: { kernel_count: 1 } }), rec()]);
  assert.equal(kept.length, 2);
  assert.equal(removed.length, 1);
});

test('duplicates merge to the median runtime; differing params, condition, version or split stay apart', () => {
  const rs = [
    rec({ runtimeMs: 3, powerW: 300 }),
    rec({ runtimeMs: 1, powerW: 100 }),
    rec({ runtimeMs: 2, powerW: 200 }),
    rec({ runtimeMs: 5, condition: 'power-run' }),
    rec({ runtimeMs: 6, frameworkVersion: '0.22.0' }),
    rec({ runtimeMs: 7, params: { b: 2, a: 1 } }),
    rec({ runtimeMs: 9, params: { a: 1, b: 2 } }),
    rec({ runtimeMs: 8, source: 'neusight', split: 'test' }),
    rec({ runtimeMs: 8, source: 'neusight', split: 'train' }),
  ];
  const { kept, removed } = mergeDuplicates(rs);
  assert.equal(kept.length, 6);
  assert.equal(removed.length, 3);
  assert.equal(kept[0].runtimeMs, 2);
  assert.equal(kept[0].powerW, 200);
  assert.equal(kept.find((r) => r.params.a === 1)?.runtimeMs, 8, 'even groups take the mean of the middle two');
  assert.equal(duplicateKey(rec({ params: { b: 2, a: 1 } })), duplicateKey(rec({ params: { a: 1, b: 2 } })));
  assert.equal(rs[0].runtimeMs, 3, 'inputs are not mutated');
});

test('cleanRecords applies the rules in order and counts each; multi-kernel is flagged by default', () => {
  const rs = [
    rec(),
    rec({ runtimeMs: 1 }), // duplicate pair
    rec({ runtimeMs: NaN }),
    rec({ m: 0 }),
    rec({ gpu: '' }),
    rec({ quantization: 'int8_wo', dtype: 'int8' }),
    rec({ powerW: 5000, powerLimitW: 1000 }),
    rec({ source: 'neusight', params: { kernel_count: 2 } }),
  ];
  const out = cleanRecords(rs);
  const counts = Object.fromEntries(out.removed.map((r) => [r.rule, r.count]));
  assert.deepEqual(counts, {
    'invalid-runtime': 1,
    'invalid-size': 1,
    'unknown-gpu': 1,
    'weight-only-quantization': 1,
    'implausible-power': 1,
    duplicate: 1,
  });
  assert.equal(out.records.length, 2);
  assert.deepEqual(
    out.flagged.map((f) => [f.rule, f.count]),
    [['multi-kernel', 1]],
  );
  const strict = cleanRecords(rs, { dropMultiKernel: true, keepWeightOnly: true });
  const strictCounts = Object.fromEntries(strict.removed.map((r) => [r.rule, r.count]));
  assert.equal(strictCounts['multi-kernel'], 1);
  assert.equal(strictCounts['weight-only-quantization'], undefined);
  assert.equal(strict.records.length, 2);
  assert.equal(out.removed[0].examples[0].runtimeMs, rs[2].runtimeMs);
});

test('duplicates separated by other partitions still merge, output keeps input order', () => {
  const rs = [
    rec({ runtimeMs: 4 }),
    rec({ gpu: 'h200', runtimeMs: 1 }),
    rec({ m: 64, runtimeMs: 2 }),
    rec({ gpu: 'h200', runtimeMs: 3 }),
    rec({ runtimeMs: 6 }),
    rec({ framework: undefined, frameworkVersion: undefined, runtimeMs: 1 }),
  ];
  const { kept, removed } = mergeDuplicates(rs);
  assert.deepEqual(
    kept.map((r) => [r.gpu, r.m, r.runtimeMs]),
    [
      ['h100-sxm', 128, 5],
      ['h200', 128, 2],
      ['h100-sxm', 64, 2],
      ['h100-sxm', 128, 1],
    ],
  );
  assert.equal(removed.length, 2);
});
