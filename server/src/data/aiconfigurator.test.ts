// Tests for the aiconfigurator row parser on small in-memory rows (bigint columns as hyparquet decodes
// them), plus a guarded read of one shared parquet file. Must not need the shared data to pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cellNumber, mapAiconfiguratorDtype, parseAiconfiguratorRows, type AiconfiguratorRow } from './aiconfigurator';

const row = (over: Partial<AiconfiguratorRow> = {}): AiconfiguratorRow => ({
  framework: 'VLLM',
  version: '0.24.0',
  device: 'NVIDIA H100 80GB HBM3',
  op_name: 'gemm',
  kernel_source: 'torch.nn.functional.linear',
  gemm_dtype: 'bfloat16',
  m: 81n,
  n: 3584n,
  k: 8192n,
  latency: 0.0563,
  ...over,
});

test('aiconfigurator dtype mapping keeps the quantization scheme verbatim', () => {
  assert.deepEqual(mapAiconfiguratorDtype('bfloat16'), { dtype: 'bf16' });
  assert.deepEqual(mapAiconfiguratorDtype('fp8_block'), { dtype: 'fp8', quantization: 'fp8_block' });
  assert.deepEqual(mapAiconfiguratorDtype('fp8_static'), { dtype: 'fp8', quantization: 'fp8_static' });
  assert.deepEqual(mapAiconfiguratorDtype('nvfp4'), { dtype: 'fp4', quantization: 'nvfp4' });
  assert.deepEqual(mapAiconfiguratorDtype('sq'), { dtype: 'int8', quantization: 'sq' });
  assert.deepEqual(mapAiconfiguratorDtype('int4_wo'), { dtype: 'int8', quantization: 'int4_wo' });
  assert.equal(mapAiconfiguratorDtype('float64'), null);
  assert.equal(cellNumber(12n), 12);
  assert.ok(Number.isNaN(cellNumber(null)));
});

test('aiconfigurator rows: [m,k]x[k,n] copied as is, bigint sizes become numbers, plain condition', () => {
  const { records, issues } = parseAiconfiguratorRows([row(), row({ gemm_dtype: 'fp8_block', device: 'NVIDIA B300 SXM6 AC' })], 'aiconfigurator/x.parquet');
  assert.deepEqual(issues, []);
  const [a, b] = records;
  assert.deepEqual([a.m, a.n, a.k, a.batch], [81, 3584, 8192, 1]);
  assert.equal(typeof a.m, 'number');
  assert.equal(a.gpu, 'h100-sxm');
  assert.equal(a.gpuName, 'NVIDIA H100 80GB HBM3');
  assert.equal(a.dtype, 'bf16');
  assert.equal(a.quantization, undefined);
  assert.equal(a.kernel, 'library');
  assert.equal(a.kernelName, 'torch.nn.functional.linear');
  assert.equal(a.runtimeMs, 0.0563);
  assert.equal(a.condition, 'plain');
  assert.equal(a.framework, 'VLLM');
  assert.equal(a.frameworkVersion, '0.24.0');
  assert.equal(a.powerW, undefined);
  assert.equal(b.gpu, 'b300');
  assert.equal(b.dtype, 'fp8');
  assert.equal(b.quantization, 'fp8_block');
});

test('aiconfigurator rows from a power file are power-runs with power and limit', () => {
  const { records } = parseAiconfiguratorRows([row({ power: 480.2, power_limit: 1000n })], 'p.parquet', { hasPowerColumn: true });
  assert.equal(records[0].condition, 'power-run');
  assert.equal(records[0].powerW, 480.2);
  assert.equal(records[0].powerLimitW, 1000);
  // inferred from a present power value when the schema flag is not given
  assert.equal(parseAiconfiguratorRows([row({ power: 300 })], 'p.parquet').records[0].condition, 'power-run');
});

test('aiconfigurator bad rows are issues with their index; unknown devices resolve to ""', () => {
  const { records, issues } = parseAiconfiguratorRows(
    [row({ gemm_dtype: 'fp64' }), row({ latency: undefined }), null as unknown as AiconfiguratorRow, row({ device: 'NVIDIA Z9000' })],
    'x.parquet',
    { rowOffset: 100 },
  );
  assert.deepEqual(
    issues.map((i) => i.where),
    [100, 101, 102],
  );
  assert.match(issues[0].reason, /unknown gemm_dtype "fp64"/);
  assert.equal(records.length, 1);
  assert.equal(records[0].gpu, '');
});

const ROOT = process.env.TILECAST_DATASETS ? resolve(process.env.TILECAST_DATASETS) : resolve(__dirname, '..', '..', '..', '..', 'shared', 'datasets');
const FILE = join(ROOT, 'aiconfigurator', 'h200_sxm_vllm_0.22.0_gemm_perf.parquet');
const absent = !existsSync(FILE);

test('aiconfigurator shared power file parses completely as H200 power-runs', { skip: absent ? `shared datasets not found at ${ROOT}` : false }, async () => {
  const { parquetReadObjects } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const b = readFileSync(FILE);
  const rows = await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, compressors });
  const { records, issues } = parseAiconfiguratorRows(rows as AiconfiguratorRow[], 'aiconfigurator/h200_sxm_vllm_0.22.0_gemm_perf.parquet', {
    hasPowerColumn: true,
  });
  assert.deepEqual(issues, []);
  assert.equal(records.length, 65268);
  assert.ok(records.every((r) => r.gpu === 'h200' && r.condition === 'power-run' && r.powerLimitW === 700));
  assert.ok(records.every((r) => r.powerW !== undefined && r.powerW > 0 && r.powerW <= 1.5 * 700));
  assert.deepEqual([...new Set(records.map((r) => r.dtype))].sort(), ['bf16', 'fp8']);
});
