// Tests for the dataset loader: datasetsRoot's env override, an end-to-end load of a tiny dataset tree
// written to a temp dir (CSV, gzipped Kernel Tuner cache, profile JSONL), the fingerprint, and guarded
// loads of the shared files (skipped when ../shared/datasets is absent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { datasetFingerprint, datasetFilesFingerprint, datasetsRoot, loadDatasets } from './load-datasets';
import { PROFILE_SCHEMA } from '../../server/src/data/profile-record';

const HEADER =
  'OPName,Latency,Device,Torch Version,CUDNN Version,Kernel Name,Warps per SM,Blocks per SM,Grid x,Grid y,Grid z,Block x,Block y,Block z,CUDA Version,Kernels,B,M,N,K';

function withEnv<T>(value: string | undefined, fn: () => T): T {
  const saved = process.env.TILECAST_DATASETS;
  if (value === undefined) delete process.env.TILECAST_DATASETS;
  else process.env.TILECAST_DATASETS = value;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.TILECAST_DATASETS;
    else process.env.TILECAST_DATASETS = saved;
  }
}

function tinyTree(): { root: string; profiles: string } {
  const root = mkdtempSync(join(tmpdir(), 'tilecast-data-'));
  mkdirSync(join(root, 'neusight', 'train', 'bmm'), { recursive: true });
  mkdirSync(join(root, 'neusight', 'test'), { recursive: true });
  mkdirSync(join(root, 'kerneltuner'));
  writeFileSync(
    join(root, 'neusight', 'train', 'bmm', 'Tesla_T4.csv'),
    [
      HEADER,
      'bmm,0.0354,Tesla T4,p2.1.0,8902,volta_sgemm_64x64_nn,0.6,0.3,1,1,13,64,1,1,cu121,;volta_sgemm_64x64_nn,13,27,15,29',
      'bmm,0.0356,Tesla T4,p2.1.0,8902,volta_sgemm_64x64_nn,0.6,0.3,1,1,13,64,1,1,cu121,;volta_sgemm_64x64_nn,13,27,15,29', // duplicate
      'bmm,-1,Tesla T4,p2.1.0,8902,volta_sgemm_64x64_nn,0.6,0.3,1,1,13,64,1,1,cu121,;volta_sgemm_64x64_nn,2,27,15,29', // bad time
      'bmm,0.2,Mystery Accelerator X,p2.1.0,8902,kepler_sgemm_128x64_nn,0.6,0.3,1,1,13,64,1,1,cu121,;k,2,27,15,29', // unknown GPU
    ].join('\n'),
  );
  writeFileSync(
    join(root, 'neusight', 'test', 'linear.csv'),
    `${HEADER}\nlinear,1.13,NVIDIA L4,p2.1.0,8902,ampere_sgemm_128x64_tn,1,1,20,16,3,128,1,1,cu121,;ampere_sgemm_128x64_tn,1,1024,2560,2560\n`,
  );
  const cfg = { MWG: 64, NWG: 64, KWG: 32, MDIMC: 16, NDIMC: 16, MDIMA: 16, NDIMB: 16, KWI: 2, VWM: 2, VWN: 2, STRM: 0, STRN: 0, SA: 1, SB: 1, PRECISION: 32 };
  writeFileSync(
    join(root, 'kerneltuner', 'gemm_RTX_3090.json.gz'),
    gzipSync(
      JSON.stringify({
        device_name: 'NVIDIA GeForce RTX 3090',
        kernel_name: 'Xgemm',
        problem_size: [4096, 4096],
        cache: { a: { ...cfg, time: 9.5 }, b: { ...cfg, MWG: 128, time: 'CompilationFailedConfig' }, c: { ...cfg, NWG: 128, time: 1e20 } },
      }),
    ),
  );
  const profiles = join(root, 'profiles');
  mkdirSync(profiles);
  const good = {
    schema: PROFILE_SCHEMA,
    gpu: 'l4',
    gpuName: 'NVIDIA L4',
    dtype: 'fp16',
    m: 256,
    n: 256,
    k: 256,
    batch: 1,
    kernel: 'tiled',
    params: { BLOCK_M: 64 },
    grid: [4, 4, 1],
    block: [256, 1, 1],
    runtimeMs: 0.02,
    clockPolicy: 'default',
    timestamp: '2026-11-28T17:00:00Z',
    tool: 'test',
  };
  writeFileSync(join(profiles, 'run.jsonl'), `${JSON.stringify(good)}\n{"schema":"tilecast-profile/1"}\n`);
  return { root, profiles };
}

test('datasetsRoot honours TILECAST_DATASETS and returns null for a missing directory', () => {
  const { root } = tinyTree();
  try {
    assert.equal(withEnv(root, datasetsRoot), root);
    assert.equal(withEnv(join(root, 'nope'), datasetsRoot), null);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('loadDatasets on a tiny tree: parses, cleans, counts and reports every source', async () => {
  const { root, profiles } = tinyTree();
  try {
    const res = await loadDatasets({ root, profileDir: profiles, sources: ['neusight', 'kerneltuner', 'profile'] });
    assert.deepEqual(res.rawCounts, { neusight: 5, kerneltuner: 1, profile: 1 });
    assert.equal(res.issues.length, 3, 'two failed Kernel Tuner configs and one bad profile line');
    assert.deepEqual(res.issues.map((i) => i.sourceFile).sort(), [
      'kerneltuner/gemm_RTX_3090.json.gz',
      'kerneltuner/gemm_RTX_3090.json.gz',
      'profiles/run.jsonl',
    ]);
    const counts = Object.fromEntries(res.clean.removed.map((r) => [r.rule, r.count]));
    assert.equal(counts['invalid-runtime'], 1);
    assert.equal(counts['unknown-gpu'], 1);
    assert.equal(counts.duplicate, 1);
    assert.equal(res.records.length, 4);
    const t4 = res.records.find((r) => r.gpu === 't4');
    assert.ok(Math.abs((t4?.runtimeMs ?? 0) - 0.0355) < 1e-12, 'duplicate pair merged to the median');
    assert.equal(t4?.split, 'train');
    assert.equal(t4?.sourceFile, 'neusight/train/bmm/Tesla_T4.csv');
    assert.equal(res.records.find((r) => r.gpu === 'l4' && r.source === 'neusight')?.split, 'test');
    assert.match(res.report, /neusight\s+t4\s+fp32\s+plain\/train\s+1/);
    assert.match(res.report, /kerneltuner\s+rtx-3090\s+fp32\s+plain\s+1/);
    assert.match(res.report, /profile\s+l4\s+fp16\s+plain\s+1/);
    assert.match(res.report, /unknown-gpu\s+1/);
    const only = await loadDatasets({ root, profileDir: profiles, sources: ['neusight'], include: (f) => f.includes('test/') });
    assert.deepEqual(only.rawCounts, { neusight: 1 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a missing datasets root gives no records and a note, not an exception', async () => {
  const res = await loadDatasets({ root: join(tmpdir(), 'tilecast-no-such-dir'), sources: ['aiconfigurator', 'neusight'] });
  assert.equal(res.records.length, 0);
  assert.match(res.report, /datasets directory not found/);
});

test('datasetFingerprint is stable and changes with any runtime or file', async () => {
  const { root, profiles } = tinyTree();
  try {
    const a = (await loadDatasets({ root, profileDir: profiles })).records;
    const b = (await loadDatasets({ root, profileDir: profiles })).records;
    assert.match(datasetFingerprint(a), /^[0-9a-f]{64}$/);
    assert.equal(datasetFingerprint(a), datasetFingerprint(b));
    const changed = b.map((r, i) => (i === 0 ? { ...r, runtimeMs: r.runtimeMs * 1.0001 } : r));
    assert.notEqual(datasetFingerprint(changed), datasetFingerprint(a));
    const renamed = b.map((r, i) => (i === 1 ? { ...r, sourceFile: 'other.csv' } : r));
    assert.notEqual(datasetFingerprint(renamed), datasetFingerprint(a));
    const before = datasetFilesFingerprint(root);
    writeFileSync(join(root, 'extra.txt'), 'x');
    assert.notEqual(datasetFilesFingerprint(root), before);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

const shared = datasetsRoot();
const expected = process.env.TILECAST_DATASETS || resolve(__dirname, '..', '..', '..', 'shared', 'datasets');
const skip = shared === null ? `shared datasets not found at ${expected} (set TILECAST_DATASETS)` : false;

test('shared NeuSight and Kernel Tuner: expected counts per GPU and split', { skip }, async () => {
  const res = await loadDatasets({ sources: ['neusight', 'kerneltuner'] });
  assert.deepEqual(res.rawCounts, { neusight: 141562, kerneltuner: 53868 });
  const per = new Map<string, number>();
  for (const r of res.records) per.set(`${r.source}/${r.gpu}/${r.split ?? ''}`, (per.get(`${r.source}/${r.gpu}/${r.split ?? ''}`) ?? 0) + 1);
  assert.equal(per.get('kerneltuner/rtx-2080-ti/'), 17956);
  assert.equal(per.get('neusight/t4/train'), 24155);
  assert.equal(per.get('neusight/h100-sxm/test'), 3517);
  assert.ok(res.records.every((r) => r.gpu !== '' && r.runtimeMs > 0));
  const flagged = res.clean.flagged.find((f) => f.rule === 'multi-kernel');
  assert.equal(flagged?.count, 2332);
});

test('shared aiconfigurator power file: power-runs with plausible power', { skip }, async () => {
  const res = await loadDatasets({ sources: ['aiconfigurator'], include: (f) => f.includes('b200_sxm_trtllm_1.3.0rc15') });
  assert.equal(res.rawCounts.aiconfigurator, 55657);
  assert.ok(res.records.every((r) => r.gpu === 'b200' && r.condition === 'power-run' && r.powerLimitW === 1000));
  const dtypes = new Set(res.records.map((r) => `${r.dtype}/${r.quantization ?? ''}`));
  assert.deepEqual([...dtypes].sort(), ['bf16/', 'fp4/nvfp4', 'fp8/fp8', 'fp8/fp8_block']);
});
