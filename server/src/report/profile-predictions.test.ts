// predictProfiles: a valid record is predicted on its catalogue GPU with the workload of its params;
// bad records, unknown GPUs and a missing model each say why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmWorkload, GpuSpec } from '../perf/types';
import type { GemmPredictor, PredictionValues } from './prediction';
import { predictProfiles } from './profile-predictions';

const record = {
  schema: 'tilecast-profile/1',
  gpu: '',
  gpuName: 'NVIDIA GeForce RTX 4090',
  dtype: 'fp32',
  m: 1024,
  n: 512,
  k: 256,
  batch: 1,
  kernel: 'tiled',
  params: { TILE: 16 },
  grid: [32, 64, 1],
  block: [16, 16, 1],
  runtimeMs: 2.1,
  clockPolicy: 'default',
  timestamp: '2026-12-05T19:00:00Z',
  tool: 'test',
};

test('each record is predicted on its GPU (resolved from its name) with its size; failures say why', () => {
  const seen: Array<{ workload: GemmWorkload; gpu: GpuSpec }> = [];
  const predictor: GemmPredictor = {
    predict(workload, gpu) {
      seen.push({ workload, gpu });
      return { runtimeMs: workload.m / 512, runtimeLoMs: 1, runtimeHiMs: 3 } as PredictionValues;
    },
  };
  const out = predictProfiles([record, { ...record, gpuName: 'Imaginary GPU 9000' }, { ...record, runtimeMs: 0 }], predictor, null);
  assert.deepEqual(out[0], { runtimeMs: { value: 2, lo: 1, hi: 3 } });
  assert.equal(seen.length, 1);
  assert.equal(seen[0].gpu.id, 'rtx-4090');
  assert.deepEqual([seen[0].workload.m, seen[0].workload.n, seen[0].workload.k, seen[0].workload.kernel], [1024, 512, 256, 'tiled']);
  assert.equal(out[1].error, 'Imaginary GPU 9000 is not in the GPU catalogue');
  assert.match(out[2].error ?? '', /^not a profile record: runtimeMs/);
  assert.deepEqual(predictProfiles([record], null, 'model files missing'), [{ runtimeMs: null, error: 'model files missing' }]);
});
