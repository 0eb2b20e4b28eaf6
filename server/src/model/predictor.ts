// The shipped predictor: decodes the runtime and power model artifacts, checks them against this
// build's feature vector, and predicts runtime (ms), power (W) and energy (mJ) with 80% intervals for a
// GEMM workload on a GPU. Pure: bytes in, numbers out; no I/O, never throws.
import { decodeModel, type ModelArtifact } from './artifact';
import { predict } from './forest';
import { fromTarget, isTargetTransform, type TargetTransform } from './targets';
import { computeFeatures, FEATURE_NAMES, FEATURE_VERSION } from '../perf/features';
import type { GemmWorkload, GpuSpec } from '../perf/types';

/** One prediction; NaN where a value could not be predicted (then `error` says why). */
export interface PredictionValues {
  runtimeMs: number;
  runtimeLoMs: number;
  runtimeHiMs: number;
  powerW: number;
  powerLoW: number;
  powerHiW: number;
  /**
   * Energy per call = runtime × power (W · ms = mJ). The interval multiplies the bounds
   * (lo = runtimeLo × powerLo, hi = runtimeHi × powerHi): both factors are positive, so this contains
   * every product of values inside the two intervals. It is wider than an 80% interval would be if the
   * two errors were independent, and exact when they move together (slow kernels at high power).
   */
  energyMj: number;
  energyLoMj: number;
  energyHiMj: number;
  /** Why values are NaN, if they are. */
  error?: string;
}

export interface GemmPrediction extends PredictionValues {
  /** The analytic model's time the runtime model corrects, in ms. */
  analyticMs: number;
  /** Nominal level of the intervals (0.8). */
  level: number;
}

export interface Predictor {
  predict(workload: GemmWorkload, gpu: GpuSpec): GemmPrediction;
  runtimeModel: ModelArtifact;
  powerModel: ModelArtifact;
}

export type CreatePredictorResult = { ok: true; predictor: Predictor } | { ok: false; error: string };

const LEVEL = 0.8;

function checkTarget(model: ModelArtifact, name: 'runtime' | 'power', allowed: readonly TargetTransform[]): string | null {
  if (model.target.name !== name) return `the ${name} model file holds a "${model.target.name}" model`;
  const t = model.target.transform;
  if (!isTargetTransform(t) || !allowed.includes(t)) return `the ${name} model uses target transform "${t}", which this TileCast cannot invert`;
  return null;
}

function nanPrediction(error: string, analyticMs = NaN): GemmPrediction {
  return {
    runtimeMs: NaN, runtimeLoMs: NaN, runtimeHiMs: NaN, powerW: NaN, powerLoW: NaN, powerHiW: NaN,
    energyMj: NaN, energyLoMj: NaN, energyHiMj: NaN, analyticMs, level: LEVEL, error,
  };
}

/** Decodes both artifacts; refuses models built for another feature vector or with an unknown target. */
export function createPredictor(artifacts: { runtime: Uint8Array; power: Uint8Array }): CreatePredictorResult {
  const expect = { featureNames: FEATURE_NAMES, featureVersion: FEATURE_VERSION };
  // Copies: a Node Buffer may sit at any offset of a shared pool, which typed-array views cannot use.
  const rt = decodeModel(Uint8Array.from(artifacts.runtime), expect);
  if (!rt.ok) return { ok: false, error: `runtime model: ${rt.error}` };
  const pw = decodeModel(Uint8Array.from(artifacts.power), expect);
  if (!pw.ok) return { ok: false, error: `power model: ${pw.error}` };
  const problem = checkTarget(rt.model, 'runtime', ['log-ratio-to-analytic', 'log']) ?? checkTarget(pw.model, 'power', ['fraction-of-power-limit']);
  if (problem) return { ok: false, error: problem };
  const runtimeModel = rt.model;
  const powerModel = pw.model;
  const runtimeTransform = runtimeModel.target.transform as TargetTransform;

  return {
    ok: true,
    predictor: {
      runtimeModel,
      powerModel,
      predict(workload: GemmWorkload, gpu: GpuSpec): GemmPrediction {
        try {
          const f = computeFeatures(workload, gpu);
          const analyticMs = f.analytic.timeMs;
          if (runtimeTransform === 'log-ratio-to-analytic' && !(analyticMs > 0)) {
            return nanPrediction(`no analytic estimate for this workload on ${gpu?.id ?? 'this GPU'}: ${f.analytic.notes.join('; ') || 'invalid input'}`, analyticMs);
          }
          const r = predict(runtimeModel, f.values, { level: LEVEL });
          if (r.error) return nanPrediction(`runtime model: ${r.error}`, analyticMs);
          const limitW = gpu?.boardPowerW?.value;
          if (!(typeof limitW === 'number' && limitW > 0)) return nanPrediction(`${gpu?.id ?? 'this GPU'} has no board power in the catalogue`, analyticMs);
          const p = predict(powerModel, f.values, { level: LEVEL });
          if (p.error) return nanPrediction(`power model: ${p.error}`, analyticMs);
          const runtimeMs = fromTarget(runtimeTransform, r.mean, analyticMs);
          const runtimeLoMs = fromTarget(runtimeTransform, r.lo, analyticMs);
          const runtimeHiMs = fromTarget(runtimeTransform, r.hi, analyticMs);
          // Power fractions are clamped to (0, 1]: a GEMM cannot draw more than the board's limit for long.
          const frac = (v: number) => Math.min(1, Math.max(0.01, v));
          const powerW = fromTarget('fraction-of-power-limit', frac(p.mean), limitW);
          const powerLoW = fromTarget('fraction-of-power-limit', frac(p.lo), limitW);
          const powerHiW = fromTarget('fraction-of-power-limit', frac(p.hi), limitW);
          return {
            runtimeMs, runtimeLoMs, runtimeHiMs, powerW, powerLoW, powerHiW,
            energyMj: runtimeMs * powerW,
            energyLoMj: runtimeLoMs * powerLoW,
            energyHiMj: runtimeHiMs * powerHiW,
            analyticMs,
            level: LEVEL,
          };
        } catch (err) {
          return nanPrediction(`prediction failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
    },
  };
}
