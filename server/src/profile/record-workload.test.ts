// Harness records predict like the launch they measured: the plan carries the workload's tile (as the
// hover computes it), the harness writes it into the record, and the record reader uses it; older
// records without a tile still read (params by name).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../analysis/index';
import { loadGrammars } from '../platform/grammars';
import { planLaunch } from './launch-plan';
import { renderCudaHarness, workloadJsonFields } from './cuda-harness';
import { workloadFromLaunch } from '../perf/workload-from-analysis';
import { PROFILE_SCHEMA, parseProfileJsonl, type ProfileRecord } from '../data/profile-record';
import { recordToWorkload } from '../data/to-workload';
import { predictProfiles } from '../report/profile-predictions';
import type { GemmWorkload } from '../perf/types';
import type { GemmPredictor, PredictionValues } from '../report/prediction';

const example = join(__dirname, '..', '..', '..', 'examples', 'tiled_matmul.cu');

async function planned() {
  const grammars = await loadGrammars();
  const analysis = analyzeSource(grammars, 'cuda', readFileSync(example, 'utf8'));
  const launch = analysis.launches[0];
  const kernel = analysis.kernels.find((k) => k.name === launch.kernel)!;
  const plan = planLaunch(analysis, launch);
  if (!plan.ok) throw new Error(plan.reason);
  return { plan: plan.plan, hover: workloadFromLaunch(kernel, launch, analysis.tileParams).workload! };
}

function harnessRecord(plan: Awaited<ReturnType<typeof planned>>['plan'], extra: Partial<ProfileRecord> = {}): ProfileRecord {
  // What tc_print_record writes: the plan's fields, then the workload fields.
  const json =
    `{"schema":"${PROFILE_SCHEMA}","gpu":"","gpuName":"NVIDIA GeForce RTX 4090","dtype":"${plan.dtype}","m":${plan.m},"n":${plan.n},"k":${plan.k},"batch":${plan.batch},` +
    `"kernel":"${plan.kernel}","params":${JSON.stringify(plan.params)},"grid":${JSON.stringify(plan.grid)},"block":${JSON.stringify(plan.block)}${workloadJsonFields(plan)},` +
    `"runtimeMs":24,"clockPolicy":"default","timestamp":"2026-12-05T20:00:00Z","tool":"tilecast-harness 0.1.0"}`;
  return { ...(JSON.parse(json) as ProfileRecord), ...extra };
}

test('profile: a harness record of examples/tiled_matmul.cu predicts with the workload the hover predicts', async () => {
  const { plan, hover } = await planned();
  assert.deepEqual(plan.params, { TILE: 16 }, 'the configuration keeps its source names');
  assert.equal(plan.workloadFields.tile?.blockM, 16);
  assert.equal(plan.workloadFields.tile?.blockK, 16);
  assert.match(renderCudaHarness(plan, { includePath: 'kernel.cu' }), /\\"tile\\":\{\\"blockM\\":16/);
  const seen: GemmWorkload[] = [];
  const predictor: GemmPredictor = {
    predict(w) {
      seen.push(w);
      return { runtimeMs: 1, runtimeLoMs: 1, runtimeHiMs: 1 } as PredictionValues;
    },
  };
  const record = harnessRecord(plan);
  predictProfiles([record], predictor, null);
  assert.deepEqual(seen[0], hover);
  const parsed = parseProfileJsonl(JSON.stringify(record), 'store');
  assert.deepEqual(parsed.issues, []);
  assert.deepEqual(recordToWorkload(parsed.records[0]), hover, 'training reads the same workload');
});

test('profile: an older record without a tile still reads (params by name); a bad tile is reported', async () => {
  const { plan } = await planned();
  const old = harnessRecord(plan);
  delete old.tile;
  delete old.sharedMemPerBlockBytes;
  delete old.usesTensorCores;
  const parsed = parseProfileJsonl(
    `${JSON.stringify(old)}\n${JSON.stringify({ ...old, tile: { blockM: -1 } })}\n${JSON.stringify({ ...old, tile: { TILE: 16 } })}`,
    'store',
  );
  assert.equal(parsed.records.length, 1);
  assert.equal(parsed.records[0].tile, undefined);
  assert.equal(recordToWorkload(parsed.records[0]).tile?.threads, 256);
  assert.match(parsed.issues[0].reason, /tile\.blockM must be/);
  assert.match(parsed.issues[1].reason, /tile\.TILE is not one of/);
});
