// Tests for the NeuSight CSV parser, the kernel-name tile reader and the CSV reader, on small in-memory
// CSV text plus a guarded read of the shared files. Must not depend on the shared data being present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCsv } from './csv';
import { parseKernelNameLayout, parseKernelNameTile, parseNeusightCsv, splitKernelList } from './neusight';

const HEADER =
  'OPName,Latency,Device,Torch Version,CUDNN Version,Kernel Name,Warps per SM,Blocks per SM,Grid x,Grid y,Grid z,Block x,Block y,Block z,CUDA Version,Kernels,B,M,N,K';

test('csv: quoted fields keep commas, quotes and newlines; line numbers follow the text', () => {
  const t = parseCsv('a,b,c\r\n1,"x, y",3\n\n2,"say ""hi""","multi\nline"\n4,5,6');
  assert.deepEqual(t.header, ['a', 'b', 'c']);
  assert.deepEqual(
    t.rows.map((r) => r.cells),
    [
      ['1', 'x, y', '3'],
      ['2', 'say "hi"', 'multi\nline'],
      ['4', '5', '6'],
    ],
  );
  assert.deepEqual(
    t.rows.map((r) => r.line),
    [2, 4, 6],
  );
});

test('kernel-name tile: the first number tiles our n, the second our m (cuBLAS is column-major)', () => {
  assert.deepEqual(parseKernelNameTile('ampere_sgemm_128x64_tn'), { tileN: 128, tileM: 64 });
  assert.deepEqual(parseKernelNameTile('volta_sgemm_128x32_nn'), { tileN: 128, tileM: 32 });
  assert.deepEqual(parseKernelNameTile('volta_sgemm_32x32_sliced1x4_nn'), { tileN: 32, tileM: 32, slices: 4 });
  assert.deepEqual(
    parseKernelNameTile('sm80_xmma_gemm_f32f32_f32f32_f32_nn_n_tilesize64x128x8_stage3_warpsize1x4x1_ffma_aligna4_alignc4_execute_kernel__5x_cublas'),
    { tileN: 64, tileM: 128, tileK: 8, stages: 3, warps: 4 },
  );
  assert.deepEqual(
    parseKernelNameTile('void cutlass::Kernel<cutlass_80_simt_sgemm_256x128_8x4_nn_align1>(cutlass_80_simt_sgemm_256x128_8x4_nn_align1::Params)'),
    { tileN: 256, tileM: 128, tileK: 8, stages: 4 },
  );
  assert.deepEqual(parseKernelNameTile('sgemm_128x128x8_NT_vec'), { tileN: 128, tileM: 128, tileK: 8 });
  assert.equal(parseKernelNameTile('some_elementwise_kernel'), null);
  assert.equal(parseKernelNameLayout('ampere_sgemm_128x64_tn'), 'tn');
  assert.equal(parseKernelNameLayout('sgemm_128x128x8_NT_vec'), 'nt');
  assert.deepEqual(splitKernelList(';a;b;'), ['a', 'b']);
});

test('neusight: bmm maps N to the reduction k and K to n; linear flattens B·M into m', () => {
  const csv = [
    HEADER,
    'bmm,0.0357,NVIDIA A100-PCIE-40GB,p2.1.0,8902,ampere_sgemm_128x128_nn,1.7,0.2,4,1,6,256,1,1,cu121,;ampere_sgemm_128x128_nn,6,27,21,390',
    'linear,1.1338,NVIDIA L4,p2.1.0,8902,ampere_sgemm_128x64_tn,66.2,16.5,20,16,3,128,1,1,cu121,;ampere_sgemm_128x64_tn,2,512,2560,1024',
  ].join('\n');
  const { records, issues } = parseNeusightCsv(csv, 'neusight/test/x.csv', { split: 'test' });
  assert.deepEqual(issues, []);
  assert.equal(records.length, 2);
  const [bmm, lin] = records;
  assert.deepEqual([bmm.m, bmm.n, bmm.k, bmm.batch], [27, 390, 21, 6]);
  assert.equal(bmm.gpu, 'a100-pcie-40gb');
  assert.equal(bmm.dtype, 'fp32');
  assert.equal(bmm.runtimeMs, 0.0357);
  assert.deepEqual(bmm.grid, [4, 1, 6]);
  assert.deepEqual(bmm.block, [256, 1, 1]);
  assert.equal(bmm.params.tile_m, 128);
  assert.equal(bmm.params.kernel_count, 1);
  assert.equal(bmm.params.split_k, 0);
  assert.equal(bmm.split, 'test');
  assert.equal(bmm.op, 'bmm');
  assert.equal(bmm.frameworkVersion, '2.1.0');
  assert.deepEqual([lin.m, lin.n, lin.k, lin.batch], [1024, 1024, 2560, 1]);
  assert.equal(lin.gpu, 'l4');
  assert.equal(lin.params.tile_n, 128);
  assert.equal(lin.params.tile_m, 64);
  assert.equal(lin.params.trans_a, 1);
  // grid.x tiles our n with the first number, grid.y our m with the second
  assert.equal(Math.ceil(lin.n / lin.params.tile_n), 8);
});

test('neusight: split-K calls (quoted kernel list with commas) are kept and flagged', () => {
  const csv = `${HEADER}\nlinear,0.05,Tesla V100-PCIE-32GB,p2.1.0,8902,volta_sgemm_128x32_nn,1,1,6,1,4,256,1,1,cu121,";volta_sgemm_128x32_nn;void splitkreduce_kernel<32, 16, int, float>(cublassplitkparams<float>, float*)",1,7,477,325\n`;
  const { records, issues } = parseNeusightCsv(csv, 'x.csv');
  assert.deepEqual(issues, []);
  assert.equal(records[0].params.kernel_count, 2);
  assert.equal(records[0].params.split_k, 1);
  assert.equal(records[0].kernelName, 'volta_sgemm_128x32_nn');
});

test('neusight: bad rows become issues with line numbers; unknown GPUs stay with gpu ""', () => {
  const csv = [
    HEADER,
    'conv,0.1,Tesla T4,p2.1.0,8902,k,1,1,1,1,1,1,1,1,cu121,;k,1,2,3,4',
    'bmm,0.1,Tesla T4,p2.1.0',
    'bmm,abc,Mystery GPU 9000,p2.1.0,8902,k,1,1,1,1,1,1,1,1,cu121,;k,1,2,3,4',
  ].join('\n');
  const { records, issues } = parseNeusightCsv(csv, 'x.csv');
  assert.deepEqual(
    issues.map((i) => i.where),
    [2, 3],
  );
  assert.match(issues[0].reason, /unknown OPName/);
  assert.match(issues[1].reason, /expected 20 cells/);
  assert.equal(records.length, 1);
  assert.equal(records[0].gpu, '');
  assert.ok(Number.isNaN(records[0].runtimeMs), 'bad latency is left for the cleaning rules');
  assert.deepEqual(parseNeusightCsv('a,b\n1,2', 'y.csv').issues[0].reason, 'missing columns: OPName, Latency, Device, Kernel Name, B, M, N, K');
});

const ROOT = process.env.TILECAST_DATASETS ? resolve(process.env.TILECAST_DATASETS) : resolve(__dirname, '..', '..', '..', '..', 'shared', 'datasets');
const FILE = join(ROOT, 'neusight', 'train', 'bmm', 'Tesla_T4.csv');
const absent = !existsSync(FILE);

test('neusight shared file: every row parses, grid.x = ceil(n / first tile number) for *_sgemm_* kernels', {
  skip: absent ? `shared datasets not found at ${ROOT}` : false,
}, () => {
  const { records, issues } = parseNeusightCsv(readFileSync(FILE, 'utf8'), 'neusight/train/bmm/Tesla_T4.csv', { split: 'train' });
  assert.deepEqual(issues, []);
  assert.equal(records.length, 17697);
  assert.ok(records.every((r) => r.gpu === 't4' && r.dtype === 'fp32' && r.runtimeMs > 0));
  const sgemm = records.filter((r) => /^(volta|maxwell|ampere)_sgemm_/.test(r.kernelName ?? ''));
  assert.ok(sgemm.length > 10000);
  for (const r of sgemm) {
    assert.equal(r.grid?.[0], Math.ceil(r.n / r.params.tile_n), `${r.kernelName} n=${r.n}`);
    assert.equal(r.grid?.[1], Math.ceil(r.m / r.params.tile_m), `${r.kernelName} m=${r.m}`);
  }
});
