// Tests for the Kernel Tuner cache parser on a tiny in-memory cache (failed configurations included),
// plus a guarded read of one shared cache file. Must not need the shared data to pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CLBLAST_TUNABLES, deviceNameFromKernelTunerFile, parseKernelTunerCache } from './kerneltuner';

const cfg = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  MWG: 64,
  NWG: 128,
  KWG: 32,
  MDIMC: 16,
  NDIMC: 8,
  MDIMA: 16,
  NDIMB: 8,
  KWI: 2,
  VWM: 4,
  VWN: 2,
  STRM: 0,
  STRN: 0,
  SA: 1,
  SB: 0,
  PRECISION: 32,
  time: 12.5,
  times: [12.4, 12.6],
  'GFLOP/s': 10995,
  ...over,
});

test('kerneltuner: one record per valid configuration, 14 tunables as params, grid and block derived', () => {
  const cache = {
    device_name: 'NVIDIA GeForce RTX 3090',
    kernel_name: 'Xgemm',
    problem_size: [4096, 4096],
    cache: {
      a: cfg(),
      b: cfg({ time: 'InvalidConfig' }),
      c: cfg({ time: 1e20 }),
      d: cfg({ time: -1 }),
      e: cfg({ MWG: undefined }),
      f: 'garbage',
    },
  };
  const { records, issues } = parseKernelTunerCache(cache, 'kerneltuner/gemm_RTX_3090.json.gz');
  assert.equal(records.length, 1);
  assert.deepEqual(
    issues.map((i) => i.where),
    ['b', 'c', 'd', 'e', 'f'],
  );
  assert.match(issues[0].reason, /failed configuration: time "InvalidConfig"/);
  const r = records[0];
  assert.equal(r.gpu, 'rtx-3090');
  assert.deepEqual([r.m, r.n, r.k, r.batch], [4096, 4096, 4096, 1]);
  assert.equal(r.dtype, 'fp32');
  assert.equal(r.kernel, 'clblast-xgemm');
  assert.equal(r.runtimeMs, 12.5);
  assert.deepEqual(Object.keys(r.params), [...CLBLAST_TUNABLES]);
  assert.deepEqual(r.block, [16, 8, 1]);
  assert.deepEqual(r.grid, [64, 32, 1]);
});

test('kerneltuner: device name falls back to the file name; a non-cache is one issue', () => {
  assert.equal(deviceNameFromKernelTunerFile('x/gemm_RTX_2080_Ti.json.gz'), 'RTX 2080 Ti');
  const { records } = parseKernelTunerCache({ problem_size: [1024, 512, 256], cache: { a: cfg() } }, 'gemm_RTX_Titan.json.gz');
  assert.equal(records[0].gpu, 'titan-rtx');
  assert.deepEqual([records[0].m, records[0].n, records[0].k], [1024, 512, 256]);
  const bad = parseKernelTunerCache([1, 2], 'x.json');
  assert.equal(bad.records.length, 0);
  assert.equal(bad.issues.length, 1);
});

const ROOT = process.env.TILECAST_DATASETS ? resolve(process.env.TILECAST_DATASETS) : resolve(__dirname, '..', '..', '..', '..', 'shared', 'datasets');
const FILE = join(ROOT, 'kerneltuner', 'gemm_RTX_2080_Ti.json.gz');
const absent = !existsSync(FILE);

test('kerneltuner shared cache: 17,956 configurations on the RTX 2080 Ti', { skip: absent ? `shared datasets not found at ${ROOT}` : false }, () => {
  const cache = JSON.parse(gunzipSync(readFileSync(FILE)).toString('utf8'));
  const { records, issues } = parseKernelTunerCache(cache, 'kerneltuner/gemm_RTX_2080_Ti.json.gz');
  assert.equal(records.length + issues.length, 17956);
  assert.ok(records.length > 17000);
  assert.ok(records.every((r) => r.gpu === 'rtx-2080-ti' && r.m === 4096 && r.runtimeMs > 1 && r.runtimeMs < 1e4));
});
