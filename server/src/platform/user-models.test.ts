// The workspace model end to end without the datasets: synthetic profiles on one GPU that run 1.6x slower
// than the shipped model predicts (as a different clock or driver would) are retrained in a worker
// thread, stored, served by loadWorkspacePredictor closer to the measurements, and reverted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel } from '../model/artifact';
import { findGpu } from '../perf/gpu-catalogue';
import { recordToWorkload } from '../data/to-workload';
import type { GemmRecord } from '../data/record';
import { loadShippedPredictor, MODEL_FILES, modelDirCandidates } from './models';
import { loadWorkspacePredictor, readManifest, retrainModel, revertUserModel, saveUserModel } from './user-models';

test('retrain in a worker thread, save, serve the correction, revert', async () => {
  const shippedDir = modelDirCandidates().find((d) => {
    try {
      readFileSync(join(d, MODEL_FILES.runtime));
      return true;
    } catch {
      return false;
    }
  });
  assert.ok(shippedDir, 'shipped models present');
  const decoded = decodeModel(new Uint8Array(readFileSync(join(shippedDir, MODEL_FILES.runtime))));
  assert.ok(decoded.ok);
  const shipped = await loadShippedPredictor();
  assert.ok(shipped.ok);
  const gpu = findGpu('rtx-4090')!;
  const records: GemmRecord[] = [];
  for (const size of [512, 768, 1024, 1536, 2048, 3072, 4096]) {
    for (const tile of [8, 16, 32]) {
      const r: GemmRecord = {
        gpu: gpu.id,
        gpuName: gpu.name,
        dtype: 'fp32',
        m: size,
        n: size,
        k: size,
        batch: 1,
        kernel: 'tiled',
        params: { TILE: tile },
        grid: [Math.ceil(size / tile), Math.ceil(size / tile), 1],
        block: [tile, tile, 1],
        runtimeMs: 1,
        source: 'profile',
        sourceFile: 'store',
        condition: 'plain',
      };
      r.runtimeMs = 1.6 * shipped.predictor.predict(recordToWorkload(r), gpu).runtimeMs;
      records.push(r);
    }
  }
  const progress: string[] = [];
  const out = await retrainModel({ runtimeModel: decoded.model, userRecords: records }, { onProgress: (m) => progress.push(m) });
  assert.ok(out.ok, out.error);
  assert.equal(out.chosen, 'correction');
  assert.ok(progress.length >= 3, 'progress reported from the worker');
  assert.ok(out.before!.mdAPEPct > 35, `shipped model is off by about 37.5% (${out.before!.mdAPEPct})`);
  assert.ok(out.strategies.find((s) => s.strategy === 'correction')!.heldOut!.mdAPEPct < 10);
  const workspace = mkdtempSync(join(tmpdir(), 'tilecast-usermodel-'));
  try {
    const dir = join(workspace, '.tilecast', 'models');
    const manifest = await saveUserModel(dir, out, shippedDir);
    assert.equal(readManifest(dir)!.fingerprint, manifest.fingerprint);
    const served = await loadWorkspacePredictor(dir);
    assert.ok(served.ok);
    assert.match(served.source, /corrections for rtx-4090/);
    const probe = records[10];
    const measuredMs = probe.runtimeMs;
    const after = served.predictor.predict(recordToWorkload(probe), gpu).runtimeMs;
    const before = shipped.predictor.predict(recordToWorkload(probe), gpu).runtimeMs;
    assert.ok(
      Math.abs(after - measuredMs) / measuredMs < 0.15 && Math.abs(before - measuredMs) / measuredMs > 0.3,
      `${before} -> ${after} (measured ${measuredMs})`,
    );
    const otherGpu = findGpu('a100-sxm')!;
    assert.equal(
      served.predictor.predict(recordToWorkload(probe), otherGpu).runtimeMs,
      shipped.predictor.predict(recordToWorkload(probe), otherGpu).runtimeMs,
      'other GPUs unchanged',
    );
    const reverted = revertUserModel(dir);
    assert.ok(reverted.reverted && reverted.keptAt);
    const back = await loadWorkspacePredictor(dir);
    assert.ok(back.ok);
    assert.equal(back.source, 'shipped model');
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
