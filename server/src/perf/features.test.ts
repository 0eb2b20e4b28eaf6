// Checks the feature vector: one value per name, no NaN where the inputs are complete, hand-computed
// values for the problem, GPU and tile features, and NaN (never an exception) for unknown inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFeatures, featureRecord, FEATURE_NAMES, FEATURE_VERSION } from './features';
import { toyGpu } from './perf-test-fixtures';
import type { GemmWorkload } from './types';

/** SIMT main-loop features: NaN for library and tensor-core kernels (docs/performance-model.md §3.9). */
const simtNames = ['log2_smem_over_compute_time', 'log2_issue_over_compute_time', 'achieved_fraction', 'coalescing_factor', 'spilled_registers'];

test('features: names are unique, carry a version, and the vector has one value per name', () => {
  assert.equal(new Set(FEATURE_NAMES).size, FEATURE_NAMES.length);
  assert.ok(FEATURE_NAMES.length >= 30 && FEATURE_NAMES.length <= 70, `${FEATURE_NAMES.length} features`);
  assert.match(FEATURE_VERSION, /v\d+/);
  const { values } = computeFeatures({ m: 512, n: 512, k: 512, batch: 1, dtype: 'bf16', kernel: 'library' }, toyGpu);
  assert.equal(values.length, FEATURE_NAMES.length);
});

test('features: a complete library workload has no NaN outside the CLBlast and SIMT blocks; values by hand', () => {
  const w: GemmWorkload = { m: 1024, n: 2048, k: 4096, batch: 2, dtype: 'bf16', kernel: 'library' };
  const { values, analytic } = computeFeatures(w, toyGpu);
  const f = featureRecord(values);
  for (const name of FEATURE_NAMES) {
    if (name.startsWith('clblast_') || simtNames.includes(name)) assert.ok(Number.isNaN(f[name]), `${name} is NaN for a library GEMM`);
    else assert.ok(Number.isFinite(f[name]), `${name} = ${f[name]}`);
  }
  assert.equal(f.log2_m, 10);
  assert.equal(f.log2_n, 11);
  assert.equal(f.log2_k, 12);
  assert.equal(f.log2_batch, 1);
  // flops = 2 * 2^10 * 2^11 * 2^12 * 2 = 2^35
  assert.equal(f.log2_flops, 35);
  assert.equal(f.dtype_bytes, 2);
  assert.equal(f.tensor_cores, 1);
  // No raw GPU spec is a feature (they act as GPU identity, issue 9); the GPU enters through ratios.
  for (const name of FEATURE_NAMES) assert.ok(!name.startsWith('gpu_') && !/_ms$|_gbps$|_tflops$|_w$/.test(name), `${name} is not dimensionless`);
  assert.equal(f.log2_intensity_over_ridge, Math.log2(analytic.arithmeticIntensity / analytic.ridgePointFlopsPerByte));
  assert.equal(f.log2_padded_over_useful_flops, Math.log2(analytic.paddedFlops / analytic.flops));
  // library kernels load 128-bit vectors: 16 B / 2 B = 8 bf16 elements
  assert.equal(f.vector_width, 8);
  assert.equal(f.kernel_library, 1);
  assert.equal(f.kernel_triton, 0);
  assert.equal(f.tile_m, analytic.tile.blockM);
  // one-hot of the limiting term: exactly one of five, the same as the roofline bound for libraries
  assert.equal(f.bound_compute + f.bound_memory + f.bound_latency + f.bound_shared_memory + f.bound_issue, 1);
  assert.equal(f[`bound_${analytic.bound}`], 1);
});

test('features: CLBlast tunables become tile and CLBlast features', () => {
  const native = { MWG: 64, NWG: 128, KWG: 32, MDIMC: 16, NDIMC: 8, MDIMA: 16, NDIMB: 32, KWI: 2, VWM: 4, VWN: 2, STRM: 0, STRN: 1, SA: 1, SB: 0 };
  const { values, analytic } = computeFeatures({ m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'fp32', kernel: 'clblast-xgemm', tile: { native } }, toyGpu);
  const f = featureRecord(values);
  for (const name of FEATURE_NAMES) assert.ok(Number.isFinite(f[name]), `${name} = ${f[name]}`);
  assert.equal(f.tile_m, 64);
  assert.equal(f.tile_n, 128);
  assert.equal(f.tile_k, 32);
  // 16 x 8 = 128 threads; thread tile (64/16) x (128/8) = 4 x 16 = 64 outputs; loads per FMA (4 + 16) / 64
  assert.equal(f.threads_per_block, 128);
  assert.equal(f.work_per_thread, 64);
  assert.equal(f.loads_per_fma, 20 / 64);
  // only A staged (SA=1, SB=0): 64 * 32 * 4 B = 8192 B = 8 KiB
  assert.equal(analytic.sharedMemPerBlockBytes, 8192);
  assert.equal(f.smem_kib_per_block, 8);
  assert.equal(f.clblast_mdima_over_mdimc, 1);
  assert.equal(f.clblast_ndimb_over_ndimc, 4);
  assert.equal(f.clblast_sb, 0);
  assert.equal(f.vector_width, 4);
  assert.equal(f.clblast_vwn, 2);
  assert.equal(f.tensor_cores, 0);
  assert.equal(f.kernel_clblast_xgemm, 1);
  // SIMT terms: registers 64 + 2 x 20 + (64 + 128) x 32 / 128 = 48 + 24 = 176 <= 255 -> no spill
  assert.equal(f.spilled_registers, 0);
  // coalescing: A staged through MDIMA = 16 threads 4 words apart with 4-word vectors -> 1;
  // B direct, 2 threads along N (32 / 16), STRN = 1, 2-word vectors -> 16 B of a 32-B sector = 0.5;
  // weighted by tile sides: (64 + 128) / (64 / 1 + 128 / 0.5) = 192 / 320 = 0.6
  assert.equal(f.coalescing_factor, 0.6);
  assert.equal(f.log2_issue_over_compute_time, Math.log2(analytic.issueTimeMs / analytic.computeTimeMs));
  assert.equal(f.log2_smem_over_compute_time, Math.log2((analytic.sharedMemTimeMs + analytic.l1TimeMs) / analytic.computeTimeMs));
  assert.equal(f.achieved_fraction, analytic.achievedFraction);
  assert.equal(f[`bound_${analytic.timeLimiter.replace('-', '_')}`], 1);
});

test('features: quantisation flags and the L2 footprint ratio', () => {
  const base: GemmWorkload = { m: 1024, n: 1024, k: 1024, batch: 1, dtype: 'fp8', kernel: 'library' };
  const plain = featureRecord(computeFeatures(base, toyGpu).values);
  assert.equal(plain.quant_dynamic, 0);
  assert.equal(plain.quant_block_scaled, 0);
  assert.equal(plain.quant_weight_only, 0);
  const block = featureRecord(computeFeatures({ ...base, quantization: 'fp8_block' }, toyGpu).values);
  assert.equal(block.quant_dynamic, 1);
  assert.equal(block.quant_block_scaled, 1);
  const stat = featureRecord(computeFeatures({ ...base, quantization: 'fp8_static' }, toyGpu).values);
  assert.equal(stat.quant_dynamic, 0);
  const wo = featureRecord(computeFeatures({ ...base, dtype: 'int8', quantization: 'int4_wo' }, toyGpu).values);
  assert.equal(wo.quant_weight_only, 1);
  assert.equal(wo.quant_dynamic, 0);
  // The op timed around a quantised GEMM: 0 alone, a class per wrapper; a wrapper without a scheme is ignored.
  assert.equal(block.quant_wrapper, 0);
  assert.equal(featureRecord(computeFeatures({ ...base, quantization: 'fp8_block', quantWrapper: 'sglang' }, toyGpu).values).quant_wrapper, 1);
  assert.equal(featureRecord(computeFeatures({ ...base, quantization: 'fp8', quantWrapper: 'trtllm-torch' }, toyGpu).values).quant_wrapper, 2);
  assert.equal(featureRecord(computeFeatures({ ...base, quantWrapper: 'sglang' }, toyGpu).values).quant_wrapper, 0);
  // Block scales applied by the tensor cores: block-scaled schemes on cc >= 10 only.
  const blackwell = { ...toyGpu, computeCapability: '10.0' };
  assert.equal(block.native_block_scaling, 0, 'cc 8.6');
  assert.equal(featureRecord(computeFeatures({ ...base, quantization: 'fp8_block' }, blackwell).values).native_block_scaling, 1);
  assert.equal(featureRecord(computeFeatures({ ...base, quantization: 'fp8' }, blackwell).values).native_block_scaling, 0);
  assert.equal(
    featureRecord(computeFeatures({ ...base, quantization: 'fp8_block' }, { ...toyGpu, computeCapability: undefined as unknown as string }).values)
      .native_block_scaling,
    0,
  );
  // fp8 1024^3: A and B 1 MiB each, C (bf16 out) 2 MiB = 4 MiB; L2 40 MiB -> log2(4/40)
  assert.equal(plain.log2_footprint_over_l2, Math.log2(4 / 40));
});

test('features: unknown sizes give NaN features, never an exception', () => {
  const { values } = computeFeatures({ m: Number.NaN, n: 64, k: 64, batch: 1, dtype: 'fp16', kernel: 'triton' }, toyGpu);
  const f = featureRecord(values);
  assert.ok(Number.isNaN(f.log2_m));
  assert.ok(Number.isNaN(f.log2_flops));
  assert.equal(f.log2_n, 6);
  assert.equal(featureRecord([1]).log2_n, Number.NaN);
});
