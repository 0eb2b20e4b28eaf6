// Checks element sizes and the choice of peak per dtype, including the fallbacks when a GPU lacks a
// precision, on hand-built GPU fixtures (an A100-like chip without fp8, a Hopper-like one without fp4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCapabilityMajor, defaultUsesTensorCores, dtypeBytes, outputBytes, peakTflops } from './dtype';
import type { GpuSpec } from './types';

const s = (value: number) => ({ value, source: 'test fixture' });
const gpu = (name: string, cc: string, peak: GpuSpec['peak']): GpuSpec => ({ name, computeCapability: cc, peak }) as unknown as GpuSpec;
const ampere = gpu('Ampere-like', '8.0', { fp64: s(9.7), fp32: s(19.5), tf32Tensor: s(156), fp16Tensor: s(312), bf16Tensor: s(312), int8Tensor: s(624) });
const hopper = gpu('Hopper-like', '9.0', { fp64: s(34), fp32: s(67), tf32Tensor: s(495), fp16Tensor: s(990), bf16Tensor: s(990), fp8Tensor: s(1979) });
const volta = gpu('Volta-like', '7.0', { fp64: s(7), fp32: s(14), fp16Tensor: s(112) });

test('dtype: bytes per element, fp4 packs two per byte', () => {
  assert.equal(dtypeBytes('fp64'), 8);
  assert.equal(dtypeBytes('fp32'), 4);
  assert.equal(dtypeBytes('tf32'), 4);
  assert.equal(dtypeBytes('bf16'), 2);
  assert.equal(dtypeBytes('fp8'), 1);
  assert.equal(dtypeBytes('fp4'), 0.5);
  assert.ok(Number.isNaN(dtypeBytes('fp3' as never)));
  assert.equal(outputBytes('fp8'), 2); // fp8 GEMMs write bf16
  assert.equal(outputBytes('fp32'), 4);
});

test('dtype: peak per dtype with and without tensor cores', () => {
  assert.equal(peakTflops(ampere, 'bf16', true).tflops, 312);
  assert.equal(peakTflops(ampere, 'bf16', true).peak, 'bf16Tensor');
  // fp32 on tensor cores only as tf32
  const tf32 = peakTflops(ampere, 'fp32', true);
  assert.equal(tf32.peak, 'tf32Tensor');
  assert.equal(tf32.runsAs, 'tf32');
  assert.equal(tf32.tflops, 156);
  // fp32 without tensor cores: SIMT
  assert.equal(peakTflops(ampere, 'fp32', false).tflops, 19.5);
  // fp64 never uses a tensor peak here
  assert.equal(peakTflops(hopper, 'fp64', true).tflops, 34);
  assert.equal(peakTflops(hopper, 'fp8', true).tflops, 1979);
  assert.equal(peakTflops(hopper, 'fp8', true).fallback, false);
});

test('dtype: fallbacks when the GPU lacks the precision', () => {
  const fp8OnAmpere = peakTflops(ampere, 'fp8', true);
  assert.equal(fp8OnAmpere.runsAs, 'fp16');
  assert.equal(fp8OnAmpere.tflops, 312);
  assert.equal(fp8OnAmpere.fallback, true);
  assert.match(fp8OnAmpere.reason, /fp16/);
  const fp4OnHopper = peakTflops(hopper, 'fp4', true);
  assert.equal(fp4OnHopper.runsAs, 'fp8');
  assert.equal(fp4OnHopper.tflops, 1979);
  const bf16OnVolta = peakTflops(volta, 'bf16', true);
  assert.equal(bf16OnVolta.runsAs, 'fp16');
  assert.equal(bf16OnVolta.tflops, 112);
  // no tf32 on Volta: fp32 falls back to SIMT
  assert.equal(peakTflops(volta, 'fp32', true).tflops, 14);
  // bf16 without tensor cores and without an fp16 SIMT figure: fp32 SIMT
  assert.equal(peakTflops(volta, 'bf16', false).tflops, 14);
  const none = peakTflops(gpu('empty', '8.0', {}), 'bf16', true);
  assert.ok(Number.isNaN(none.tflops));
  assert.equal(none.peak, null);
});

test('dtype: default tensor-core use per kernel family', () => {
  assert.equal(defaultUsesTensorCores('library', 'bf16', '9.0'), true);
  assert.equal(defaultUsesTensorCores('library', 'fp32', '8.0'), false); // cuBLAS with TF32 off
  assert.equal(defaultUsesTensorCores('triton', 'fp32', '8.0'), true); // tl.dot runs fp32 as tf32
  assert.equal(defaultUsesTensorCores('triton', 'fp32', '7.5'), false);
  assert.equal(defaultUsesTensorCores('tiled', 'fp16', '9.0'), false);
  assert.equal(computeCapabilityMajor('12.0'), 12);
  assert.ok(Number.isNaN(computeCapabilityMajor(undefined)));
});
