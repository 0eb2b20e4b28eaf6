// Tests for recordToWorkload: CLBlast tunables to the tile, NeuSight kernel-name tiles and launch
// shapes, library records without a tile. No shared data needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNeusightCsv } from './neusight';
import type { GemmRecord } from './record';
import { quantWrapperOf, recordToWorkload } from './to-workload';

const base: GemmRecord = {
  gpu: 'rtx-3090',
  gpuName: 'NVIDIA GeForce RTX 3090',
  dtype: 'fp32',
  m: 4096,
  n: 4096,
  k: 4096,
  batch: 1,
  kernel: 'clblast-xgemm',
  params: {},
  runtimeMs: 10,
  source: 'kerneltuner',
  sourceFile: 'k.json.gz',
  condition: 'plain',
};

test('clblast: MWG/NWG/KWG tile, MDIMC·NDIMC threads, per-thread tile, vector width, native = 14 tunables', () => {
  const params = { MWG: 64, NWG: 128, KWG: 32, MDIMC: 16, NDIMC: 8, MDIMA: 16, NDIMB: 8, KWI: 2, VWM: 4, VWN: 2, STRM: 0, STRN: 0, SA: 1, SB: 0 };
  const w = recordToWorkload({ ...base, params, block: [16, 8, 1], grid: [64, 32, 1] });
  assert.deepEqual(w.tile, { native: params, blockM: 64, blockN: 128, blockK: 32, threads: 128, warps: 4, threadM: 4, threadN: 16, vectorWidth: 4 });
  assert.deepEqual(w.grid, [64, 32, 1]);
  assert.deepEqual([w.m, w.n, w.k, w.batch, w.dtype, w.kernel], [4096, 4096, 4096, 1, 'fp32', 'clblast-xgemm']);
});

test('neusight: tile from the kernel name, threads from the block', () => {
  const header =
    'OPName,Latency,Device,Torch Version,CUDNN Version,Kernel Name,Warps per SM,Blocks per SM,Grid x,Grid y,Grid z,Block x,Block y,Block z,CUDA Version,Kernels,B,M,N,K';
  const csv =
    `${header}\nlinear,1.13,NVIDIA L4,p2.1.0,8902,ampere_sgemm_128x64_tn,1,1,20,16,3,128,1,1,cu121,;ampere_sgemm_128x64_tn,1,1024,2560,2560\n` +
    'bmm,0.2,NVIDIA A100-PCIE-40GB,p2.1.0,8902,sm80_xmma_gemm_f32f32_f32f32_f32_nn_n_tilesize128x64x8_stage3_warpsize2x2x1_ffma,1,1,1,1,1,128,1,1,cu121,;x,2,64,32,128';
  const [lin, xmma] = parseNeusightCsv(csv, 'n.csv').records.map(recordToWorkload);
  assert.equal(lin.kernel, 'library');
  assert.equal(lin.tile?.blockN, 128);
  assert.equal(lin.tile?.blockM, 64);
  assert.equal(lin.tile?.threads, 128);
  assert.equal(lin.tile?.warps, 4);
  assert.deepEqual(lin.grid, [20, 16, 3]);
  assert.equal(Math.ceil(lin.n / (lin.tile?.blockN ?? 1)), lin.grid?.[0]);
  assert.equal(Math.ceil(lin.m / (lin.tile?.blockM ?? 1)), lin.grid?.[1]);
  assert.deepEqual([xmma.tile?.blockM, xmma.tile?.blockN, xmma.tile?.blockK, xmma.tile?.stages, xmma.tile?.warps], [64, 128, 8, 3, 4]);
  assert.equal(xmma.batch, 2);
});

test('aiconfigurator: library workload without a tile, keeping the quantization and its six rotating weight copies', () => {
  const w = recordToWorkload({
    ...base,
    kernel: 'library',
    dtype: 'fp8',
    quantization: 'fp8_block',
    source: 'aiconfigurator',
    params: {},
    m: 81,
    n: 3584,
    k: 8192,
  });
  assert.deepEqual(w, {
    m: 81,
    n: 3584,
    k: 8192,
    batch: 1,
    dtype: 'fp8',
    kernel: 'library',
    quantization: 'fp8_block',
    repeatedCalls: { copiesA: 1, copiesB: 6, copiesC: 1 },
  });
  // Profiles do not say how their harness cycled buffers: cold.
  assert.equal(recordToWorkload({ ...base, source: 'profile', params: {} }).repeatedCalls, undefined);
});

test('aiconfigurator: the framework op around a quantised GEMM, from the recorded kernel source', () => {
  const ai = { ...base, kernel: 'library' as const, dtype: 'fp8' as const, quantization: 'fp8_block', source: 'aiconfigurator' as const };
  const wrapperOf = (kernelName: string, over: Partial<GemmRecord> = {}) => recordToWorkload({ ...ai, kernelName, ...over }).quantWrapper;
  assert.equal(wrapperOf('sglang_deepgemm_gemm_nt_f8f8bf16'), 'sglang');
  assert.equal(wrapperOf('sglang'), 'sglang');
  assert.equal(wrapperOf('torch_flow'), 'trtllm-torch');
  assert.equal(wrapperOf('trt_flow_/smooth_quant_gemm_L96/PLUGIN_V2_SmoothQuantGemm_0', { dtype: 'int8', quantization: 'sq' }), 'trtllm-plugin');
  // Named kernels are timed alone; a plain GEMM has no quantisation to wrap; other sources are never wrapped.
  assert.equal(wrapperOf('deepgemm'), undefined);
  assert.equal(wrapperOf('DeepGemmFp8BlockScaledMMKernel'), undefined);
  assert.equal(wrapperOf('torch_flow', { dtype: 'bf16', quantization: undefined }), undefined);
  assert.equal(quantWrapperOf({ source: 'profile', quantization: 'fp8', kernelName: 'sglang_fp8' }), undefined);
});

test('profile params with Triton names map to the tile', () => {
  const w = recordToWorkload({
    ...base,
    kernel: 'triton',
    source: 'profile',
    params: { BLOCK_SIZE_M: 128, BLOCK_SIZE_N: 256, BLOCK_SIZE_K: 64, num_warps: 8, num_stages: 3 },
  });
  assert.deepEqual([w.tile?.blockM, w.tile?.blockN, w.tile?.blockK, w.tile?.warps, w.tile?.stages], [128, 256, 64, 8, 3]);
});
