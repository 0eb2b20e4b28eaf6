// The retrained model of a workspace (.tilecast/models): runs the retraining in a worker thread with
// progress and cancellation, stores the result with its fingerprint and a manifest, loads it as a
// predictor (a full runtime model, or per-GPU corrections on top of the shipped model), and reverts to
// the shipped model. File and thread I/O; the learning is models/training/user-retrain.ts.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { decodeModel, encodeModel, type ModelArtifact } from '../model/artifact';
import { predict } from '../model/forest';
import { computeFeatures, FEATURE_NAMES, FEATURE_VERSION } from '../perf/features';
import type { GemmWorkload, GpuSpec } from '../perf/types';
import type { GemmPredictor, PredictionValues } from '../report/prediction';
import type { GemmRecord } from '../data/record';
import type { RetrainOutput } from '../../../models/training/user-retrain';
import { loadModelDir, loadShippedPredictor, MODEL_FILES, modelDirCandidates, type LoadResult } from './models';

export const MANIFEST = 'user-model.json';

export interface UserModelManifest {
  strategy: 'combined' | 'correction';
  fingerprint: string;
  createdAt: string;
  why: string;
  records: number;
  before: RetrainOutput['before'];
  strategies: RetrainOutput['strategies'];
  /** Correction files per GPU id (strategy 'correction'). */
  corrections?: Record<string, string>;
}

export function workspaceModelDir(workspace: string): string {
  return join(workspace, '.tilecast', 'models');
}

function writeAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** Stores a successful retraining: the model file(s) first, the manifest last (its presence means complete). */
export async function saveUserModel(dir: string, output: RetrainOutput, shippedDir?: string): Promise<UserModelManifest> {
  if (!output.ok || !output.chosen || !output.fingerprint) throw new Error(output.error ?? 'retraining did not produce a model');
  mkdirSync(dir, { recursive: true });
  const manifest: UserModelManifest = {
    strategy: output.chosen,
    fingerprint: output.fingerprint,
    createdAt: new Date().toISOString(),
    why: output.why ?? '',
    records: output.trainRecords + output.heldOutRecords,
    before: output.before,
    strategies: output.strategies,
  };
  if (output.chosen === 'combined') {
    writeAtomic(join(dir, MODEL_FILES.runtime), encodeModel(output.runtimeArtifact!));
    const shipped = shippedDir ?? modelDirCandidates().find((d) => existsSync(join(d, MODEL_FILES.power)));
    if (!shipped) throw new Error('the shipped power model was not found');
    writeAtomic(join(dir, MODEL_FILES.power), await readFile(join(shipped, MODEL_FILES.power)));
  } else {
    manifest.corrections = {};
    for (const c of output.corrections ?? []) {
      const file = `runtime-correction-${c.gpu.replace(/[^\w.-]/g, '_')}.tcmf`;
      writeAtomic(join(dir, file), encodeModel(c.artifact));
      manifest.corrections[c.gpu] = file;
    }
  }
  writeAtomic(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Moves the workspace's model aside (kept as models.reverted-<time>), so predictions use the shipped model again. */
export function revertUserModel(dir: string): { reverted: boolean; keptAt?: string } {
  if (!existsSync(join(dir, MANIFEST))) return { reverted: false };
  const keptAt = `${dir}.reverted-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(dir, keptAt);
  return { reverted: true, keptAt };
}

export function readManifest(dir: string): UserModelManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as UserModelManifest;
  } catch {
    return null;
  }
}

/** Scales a prediction's runtime (and energy) by a factor, leaving power as predicted. */
function scaled(p: PredictionValues, factor: number): PredictionValues {
  return {
    ...p,
    runtimeMs: p.runtimeMs * factor,
    runtimeLoMs: p.runtimeLoMs * factor,
    runtimeHiMs: p.runtimeHiMs * factor,
    energyMj: p.energyMj * factor,
    energyLoMj: p.energyLoMj * factor,
    energyHiMj: p.energyHiMj * factor,
  };
}

/** The workspace's predictor: its retrained model when there is one, else the shipped model. */
export async function loadWorkspacePredictor(dir: string): Promise<{ ok: true; predictor: GemmPredictor; source: string } | { ok: false; error: string }> {
  const manifest = readManifest(dir);
  if (!manifest) {
    const shipped = await loadShippedPredictor();
    return shipped.ok ? { ok: true, predictor: shipped.predictor, source: 'shipped model' } : shipped;
  }
  if (manifest.strategy === 'combined') {
    const loaded = await loadModelDir(dir);
    return loaded.ok ? { ok: true, predictor: loaded.predictor, source: `your retrained model ${manifest.fingerprint}` } : loaded;
  }
  const shipped = await loadShippedPredictor();
  if (!shipped.ok) return shipped;
  const corrections = new Map<string, ModelArtifact>();
  for (const [gpu, file] of Object.entries(manifest.corrections ?? {})) {
    const decoded = decodeModel(new Uint8Array(await readFile(join(dir, file))), { featureNames: FEATURE_NAMES, featureVersion: FEATURE_VERSION });
    if (!decoded.ok) return { ok: false, error: `${file}: ${decoded.error} (run Retrain again or Revert)` };
    corrections.set(gpu, decoded.model);
  }
  const base = shipped.predictor;
  const predictor: GemmPredictor = {
    models: base.models,
    predict(workload: GemmWorkload, gpu: GpuSpec): PredictionValues {
      const p = base.predict(workload, gpu);
      const correction = corrections.get(gpu.id);
      if (!correction || !Number.isFinite(p.runtimeMs)) return p;
      const c = predict(correction, computeFeatures(workload, gpu).values);
      return c.error ? p : scaled(p, Math.exp(c.mean));
    },
  };
  return { ok: true, predictor, source: `shipped model with your corrections for ${[...corrections.keys()].join(', ')} (${manifest.fingerprint})` };
}

/** What identifies the model the editor should use now: a new retrain or a revert changes it. */
export function editorModelKey(modelPath: string, workspace: string | null): string {
  const manifest = modelPath || !workspace ? null : readManifest(workspaceModelDir(workspace));
  return JSON.stringify([modelPath, manifest ? workspace : null, manifest?.fingerprint ?? null, manifest?.createdAt ?? null]);
}

/**
 * The model the language server uses: the `tilecast.modelPath` directory when set, else the workspace's
 * retrained model (.tilecast/models, either strategy) when it has one, else the shipped model. `source`
 * says which, for the status line.
 */
export async function loadEditorModel(modelPath: string, workspace: string | null): Promise<LoadResult> {
  const dir = workspace ? workspaceModelDir(workspace) : null;
  if (modelPath || !dir || !readManifest(dir)) {
    const shipped = await loadShippedPredictor(modelPath || undefined);
    return shipped.ok ? { ...shipped, source: modelPath ? 'tilecast.modelPath' : 'shipped model' } : shipped;
  }
  const loaded = await loadWorkspacePredictor(dir);
  return loaded.ok ? { ok: true, predictor: loaded.predictor, dir, source: loaded.source } : loaded;
}

export interface RetrainRequest {
  runtimeModel: ModelArtifact;
  userRecords: GemmRecord[];
  shippedRecords?: GemmRecord[];
}

export interface RetrainCallbacks {
  onProgress?: (message: string, fraction: number) => void;
  signal?: AbortSignal;
}

/** How to start the retrain worker from wherever this module runs (tsx source or compiled JS), or null (then it runs on this thread). */
function workerSource(): { code: string } | null {
  const ext = extname(__filename);
  const file = join(__dirname, `retrain-worker${ext}`);
  if (!existsSync(file)) return null;
  // A variable, not a literal: bundlers must not try to resolve tsx (it exists only when running from source).
  const tsxHook = 'tsx/cjs';
  if (ext === '.ts') return { code: `require(${JSON.stringify(require.resolve(tsxHook))}); require(${JSON.stringify(file)});` };
  return { code: `require(${JSON.stringify(file)});` };
}

/** Runs retrainWithProfiles in a worker thread (progress messages, terminate on abort). */
export async function retrainModel(request: RetrainRequest, callbacks: RetrainCallbacks = {}): Promise<RetrainOutput> {
  const source = workerSource();
  if (!source) {
    const { retrainWithProfiles } = await import('../../../models/training/user-retrain');
    return retrainWithProfiles({ ...request, onProgress: callbacks.onProgress, workers: 1 });
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(source.code, { eval: true, workerData: { ...request, runtimeModel: encodeModel(request.runtimeModel) } });
    const abort = (): void => {
      void worker.terminate();
      resolve({ ok: false, error: 'cancelled', trainRecords: 0, heldOutRecords: 0, strategies: [] });
    };
    callbacks.signal?.addEventListener('abort', abort, { once: true });
    worker.on(
      'message',
      (m: {
        progress?: [string, number];
        result?: RetrainOutput & { runtimeArtifactBytes?: Uint8Array; correctionBytes?: Array<{ gpu: string; bytes: Uint8Array }> };
      }) => {
        if (m.progress) callbacks.onProgress?.(m.progress[0], m.progress[1]);
        if (m.result) {
          callbacks.signal?.removeEventListener('abort', abort);
          const r = m.result;
          const decode = (bytes: Uint8Array): ModelArtifact => {
            const d = decodeModel(bytes);
            if (!d.ok) throw new Error(d.error);
            return d.model;
          };
          if (r.runtimeArtifactBytes) r.runtimeArtifact = decode(r.runtimeArtifactBytes);
          if (r.correctionBytes) r.corrections = r.correctionBytes.map((c) => ({ gpu: c.gpu, artifact: decode(c.bytes) }));
          delete r.runtimeArtifactBytes;
          delete r.correctionBytes;
          void worker.terminate();
          resolve(r);
        }
      },
    );
    worker.on('error', (e) => {
      callbacks.signal?.removeEventListener('abort', abort);
      reject(e);
    });
  });
}
