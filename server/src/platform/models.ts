// Finds and reads the shipped model artifacts (models/runtime.tcmf, models/power.tcmf, or dist/models/ in
// the bundle) and builds the predictor from their bytes. File I/O only: decoding and prediction are model/.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decodeModel, type ModelArtifact } from '../model/artifact';
import { createPredictor, type GemmPrediction, type Predictor } from '../model/predictor';
import { predictGemmBatch, prepareGemmBatch } from '../model/predict-batch';
import { FEATURE_NAMES, FEATURE_VERSION } from '../perf/features';
import type { GemmPredictor, ModelInfo, PredictionValues } from '../report/prediction';

export const MODEL_FILES = { runtime: 'runtime.tcmf', power: 'power.tcmf' } as const;

export type LoadResult =
  | { ok: true; predictor: GemmPredictor; dir: string /** Which model, for the status line ("shipped model", "your retrained model …"). */; source?: string }
  | { ok: false; error: string };

const FIX = 'reinstall or run npm run train';

/** Directories searched for the model files, in order: explicit, $TILECAST_MODELS_DIR, the package's models/, dist/models/. */
export function modelDirCandidates(explicit?: string): string[] {
  if (explicit) return [resolve(explicit)];
  const dirs = [
    process.env.TILECAST_MODELS_DIR,
    // The package's models/ beside dist/ first, so a retrained model wins over a stale bundled copy.
    join(__dirname, '..', 'models'),
    join(__dirname, 'models'), // dist/models (the bundle's copy)
    // Run from source (server/src/platform): the repo's models/.
    /[\\/]server[\\/]src[\\/]platform$/.test(__dirname) ? join(__dirname, '..', '..', '..', 'models') : undefined,
  ];
  return [...new Set(dirs.filter((d): d is string => !!d).map((d) => resolve(d)))];
}

const cache = new Map<string, Promise<LoadResult>>();

/** Loads (once per directory) the shipped models as a GemmPredictor, or a message saying what is wrong and how to fix it. */
export function loadShippedPredictor(explicitDir?: string): Promise<LoadResult> {
  const candidates = modelDirCandidates(explicitDir);
  const dir = candidates.find((d) => existsSync(join(d, MODEL_FILES.runtime)) || existsSync(join(d, MODEL_FILES.power)));
  if (!dir) {
    return Promise.resolve({
      ok: false,
      error: `model files ${MODEL_FILES.runtime} and ${MODEL_FILES.power} not found (looked in ${candidates.join(', ')}): ${FIX}`,
    });
  }
  let hit = cache.get(dir);
  if (!hit) {
    hit = loadFrom(dir);
    cache.set(dir, hit);
  }
  return hit;
}

/** Loads the runtime/power pair of `dir` now, without the cache (a workspace's retrained model is rewritten in place). */
export function loadModelDir(dir: string): Promise<LoadResult> {
  return loadFrom(dir);
}

async function readModel(path: string): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; error: string }> {
  try {
    // A view of the Buffer, not a copy: decoding views the aligned sections in place (3.8 MB not copied at start).
    const buffer = await readFile(path);
    return { ok: true, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      error: code === 'ENOENT' ? `model file ${path} is missing: ${FIX}` : `model file ${path} cannot be read (${code ?? String(error)}): ${FIX}`,
    };
  }
}

async function loadFrom(dir: string): Promise<LoadResult> {
  const runtimePath = join(dir, MODEL_FILES.runtime);
  const powerPath = join(dir, MODEL_FILES.power);
  const runtime = await readModel(runtimePath);
  if (!runtime.ok) return runtime;
  const power = await readModel(powerPath);
  if (!power.ok) return power;
  const created = createPredictor({ runtime: runtime.bytes, power: power.bytes });
  if (!created.ok) return { ok: false, error: explainFailure(runtimePath, runtime.bytes, powerPath, power.bytes, created.error) };
  return { ok: true, predictor: adapt(created.predictor), dir };
}

/** Names the file at fault: a corrupt container, features this TileCast does not compute, or else the predictor's own message. */
function explainFailure(runtimePath: string, runtime: Uint8Array, powerPath: string, power: Uint8Array, error: string): string {
  for (const [path, bytes] of [
    [runtimePath, runtime],
    [powerPath, power],
  ] as const) {
    const plain = decodeModel(bytes);
    if (!plain.ok) return `model file ${path} is corrupt (${plain.error}): ${FIX}`;
    const matched = decodeModel(bytes, { featureNames: FEATURE_NAMES, featureVersion: FEATURE_VERSION });
    if (!matched.ok) return `model file ${path} does not match this TileCast's features (${matched.error}; expected ${FEATURE_VERSION}): ${FIX}`;
  }
  return `models in ${runtimePath.slice(0, -MODEL_FILES.runtime.length)} cannot be used (${error}): ${FIX}`;
}

function modelInfo(model: ModelArtifact, file: string): ModelInfo {
  return {
    target: model.target.name,
    transform: model.target.transform,
    featureVersion: model.featureVersion,
    dataFingerprint: model.dataFingerprint,
    intervalLevel: LEVEL,
    source: file,
  };
}

/** Nominal level of the predictor's intervals (server/src/model/predictor.ts predicts 10th..90th percentiles). */
const LEVEL = 0.8;

/** The predictor as the reports see it, with which model and target made each number. */
function adapt(predictor: Predictor): GemmPredictor {
  const toValues = (p: GemmPrediction): PredictionValues => {
    const values: PredictionValues = {
      runtimeMs: p.runtimeMs,
      runtimeLoMs: p.runtimeLoMs,
      runtimeHiMs: p.runtimeHiMs,
      powerW: p.powerW,
      powerLoW: p.powerLoW,
      powerHiW: p.powerHiW,
      energyMj: p.energyMj,
      energyLoMj: p.energyLoMj,
      energyHiMj: p.energyHiMj,
    };
    if (p.error) values.error = p.error;
    values.analyticMs = p.analyticMs;
    if (p.extrapolating !== undefined) values.extrapolating = p.extrapolating;
    if (p.extrapolationNotes) values.extrapolationNotes = p.extrapolationNotes;
    if (p.method) values.method = p.method;
    return values;
  };
  return {
    predict: (workload, gpu, options) => toValues(predictor.predict(workload, gpu, options)),
    predictBatch: (items) => predictGemmBatch(predictor, items).map(toValues),
    prepareBatch: () => prepareGemmBatch(predictor),
    models: { runtime: modelInfo(predictor.runtimeModel, MODEL_FILES.runtime), power: modelInfo(predictor.powerModel, MODEL_FILES.power) },
  };
}
