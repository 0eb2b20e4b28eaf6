// The shipped predictor: decodes the runtime and power model artifacts, checks them against this
// build's feature vector, and predicts runtime (ms), power (W) and energy (mJ) with 80% intervals for a
// GEMM workload on a GPU. Pure: bytes in, numbers out; no I/O, never throws.
import { decodeModel, type ModelArtifact } from './artifact';
import { predict } from './forest';
import { fromTarget, isTargetTransform, type TargetTransform } from './targets';
import { computeFeatures, FEATURE_NAMES, FEATURE_VERSION } from '../perf/features';
import type { GemmWorkload, GpuSpec } from '../perf/types';
import { assess, parseDomain, shrinkCorrection, type Applicability, type ApplicabilityDomain } from './applicability';
import {
  ccFamily,
  isMeasurementMethod,
  MEASUREMENT_METHODS,
  schemeOverheadOf,
  workloadForMethod,
  type MeasurementMethod,
  type SchemeOverheadEntry,
} from '../data/timing-overhead';
import { powerFromForest, powerSettingsOf, type PowerSettings } from './power-prediction';
import type { AnalyticEstimate } from '../perf/analytic-model';
import { physicsPower } from '../perf/power-model';

export type { MeasurementMethod };

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
  /**
   * The analytic model alone, ms, with the same measurement-method overhead as runtimeMs (the
   * prediction without the learned correction).
   */
  analyticMs?: number;
  /**
   * True when the workload or GPU lies outside what the training data covers (model/applicability.ts):
   * the correction was shrunk toward the analytic model and the interval widened.
   */
  extrapolating?: boolean;
  /** What lies outside the training data, when extrapolating. */
  extrapolationNotes?: string[];
  /** How the predicted runtime would be measured (default 'kernel'). */
  method?: MeasurementMethod;
}

export interface GemmPrediction extends PredictionValues {
  /** The analytic model's time (plus the method's overhead), in ms. */
  analyticMs: number;
  /** Nominal level of the intervals (0.8). */
  level: number;
}

/** How to predict: the measurement method whose overhead the runtime includes (default 'kernel'). */
export interface PredictOptions {
  method?: MeasurementMethod;
}

export interface Predictor {
  predict(workload: GemmWorkload, gpu: GpuSpec, options?: PredictOptions): GemmPrediction;
  runtimeModel: ModelArtifact;
  powerModel: ModelArtifact;
  /** Training domain of the runtime model (null for models without one: never extrapolating). */
  domain: ApplicabilityDomain | null;
  /** Overhead of each measurement method over kernel time, ms (from the runtime artifact). */
  methodOverheadMs: Readonly<Record<MeasurementMethod, number>>;
  /** Fixed device-time cost of dynamic quantisation schemes per source/GPU (from the runtime artifact; [] in older ones). */
  schemeOverheads: readonly SchemeOverheadEntry[];
  /** How the power forest's output becomes watts (from the power artifact). */
  power: PowerSettings;
}

/** The power model's inputs besides the forest: the physics power (W) and the GEMM's operations. */
export function powerInputsOf(analytic: AnalyticEstimate, gpu: GpuSpec): { physicsW: number; flops: number } {
  return { physicsW: physicsPower(analytic, gpu).powerW, flops: analytic.flops };
}

/** Per-method overheads from a runtime artifact's training record; 'kernel' is always 0. */
export function methodOverheadsOf(model: ModelArtifact): Record<MeasurementMethod, number> {
  const stored = (model.training?.methodOverheadMs ?? {}) as Record<string, unknown>;
  const out = {} as Record<MeasurementMethod, number>;
  for (const m of MEASUREMENT_METHODS) {
    const v = stored[m];
    out[m] = m === 'kernel' ? 0 : typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : NaN;
  }
  return out;
}

/** The runtime artifact's quantisation-scheme overheads; malformed entries are dropped, absent gives []. */
export function schemeOverheadsOf(model: ModelArtifact): SchemeOverheadEntry[] {
  const stored = model.training?.schemeOverheads;
  if (!Array.isArray(stored)) return [];
  const text = (v: unknown): v is string => typeof v === 'string' && v !== '';
  return stored.filter(
    (e): e is SchemeOverheadEntry =>
      !!e &&
      typeof e === 'object' &&
      text(e.scheme) &&
      text(e.gpu) &&
      text(e.family) &&
      typeof e.overheadMs === 'number' &&
      Number.isFinite(e.overheadMs) &&
      e.overheadMs >= 0,
  );
}

/** Device time a workload's quantisation scheme adds on `gpu` beyond the analytic model, ms (0 for plain GEMMs). */
export function schemeMsOf(entries: readonly SchemeOverheadEntry[], workload: GemmWorkload, gpu: GpuSpec): number {
  return entries.length === 0 ? 0 : schemeOverheadOf(entries, workload?.quantization, ccFamily(gpu?.computeCapability));
}

const INSIDE: Applicability = { excess: 0, extrapolating: false, weight: 1, reasons: [] };

/** The applicability of a feature vector (INSIDE when the model has no domain). */
export function applicabilityOf(
  domain: ApplicabilityDomain | null,
  values: ArrayLike<number>,
  gpu: GpuSpec,
  kernel: string | undefined,
  dtype?: string,
): Applicability {
  return domain ? assess(domain, FEATURE_NAMES, values, gpu, kernel, dtype) : INSIDE;
}

/** The method asked for, or an error message for an unknown one or one the model has no overhead for. */
export function methodOverhead(
  overheads: Readonly<Record<MeasurementMethod, number>>,
  method: unknown,
): { method: MeasurementMethod; ms: number } | { error: string } {
  const m = method === undefined ? 'kernel' : method;
  if (!isMeasurementMethod(m)) return { error: `unknown measurement method '${String(m)}'; use one of ${MEASUREMENT_METHODS.join(', ')}` };
  const ms = overheads[m];
  if (!Number.isFinite(ms)) return { error: `the runtime model records no overhead for method '${m}'` };
  return { method: m, ms };
}

export type CreatePredictorResult = { ok: true; predictor: Predictor } | { ok: false; error: string };

const LEVEL = 0.8;

function checkTarget(model: ModelArtifact, name: 'runtime' | 'power', allowed: readonly TargetTransform[]): string | null {
  if (model.target.name !== name) return `the ${name} model file holds a "${model.target.name}" model`;
  const t = model.target.transform;
  if (!isTargetTransform(t) || !allowed.includes(t)) return `the ${name} model uses target transform "${t}", which this TileCast cannot invert`;
  return null;
}

export function nanPrediction(error: string, analyticMs = NaN): GemmPrediction {
  return {
    runtimeMs: NaN,
    runtimeLoMs: NaN,
    runtimeHiMs: NaN,
    powerW: NaN,
    powerLoW: NaN,
    powerHiW: NaN,
    energyMj: NaN,
    energyLoMj: NaN,
    energyHiMj: NaN,
    analyticMs,
    level: LEVEL,
    error,
  };
}

type ForestOutput = { mean: number; lo: number; hi: number; error?: string };

/**
 * One prediction from the two forests' outputs (target space) for a feature vector: the runtime
 * correction shrunk by the applicability check, the method's overhead added to runtime and to the
 * analytic time, power from the physics power model and the power forest (power-prediction.ts), energy =
 * device time × power (the measurement method's overhead is the host's, not the kernel's). Shared by
 * predict and predict-batch. `trace`, when given, receives the correction before and after the shrink
 * (target space; NaN where there is none), what keep-shape.ts needs to rank a group.
 */
export function composePrediction(
  runtimeTransform: TargetTransform,
  domain: ApplicabilityDomain | null,
  gpu: GpuSpec,
  workload: GemmWorkload,
  values: ArrayLike<number>,
  deviceAnalyticMs: number,
  how: { method: MeasurementMethod; ms: number; schemeMs: number },
  raw: ForestOutput,
  p: ForestOutput,
  power: { settings: PowerSettings; physicsW: number; flops: number },
  trace?: { raw: number; shrunk: number },
): GemmPrediction {
  const analyticMs = deviceAnalyticMs + how.schemeMs + how.ms;
  if (trace) trace.raw = trace.shrunk = NaN;
  if (raw.error) return nanPrediction(`runtime model: ${raw.error}`, analyticMs);
  const app = applicabilityOf(domain, values, gpu, workload?.kernel, workload?.dtype);
  const ratio = runtimeTransform === 'log-ratio-to-analytic';
  const r = ratio ? shrinkCorrection(raw.mean, raw.lo, raw.hi, app, domain?.intervalScales) : raw;
  const limitW = gpu?.boardPowerW?.value;
  if (!(typeof limitW === 'number' && limitW > 0)) return nanPrediction(`${gpu?.id ?? 'this GPU'} has no board power in the catalogue`, analyticMs);
  if (p.error) return nanPrediction(`power model: ${p.error}`, analyticMs);
  // The scheme's extra kernels run on the GPU: device time (and energy), added after the correction.
  const deviceMs = fromTarget(runtimeTransform, r.mean, deviceAnalyticMs) + how.schemeMs;
  const deviceLoMs = fromTarget(runtimeTransform, r.lo, deviceAnalyticMs) + how.schemeMs;
  const deviceHiMs = fromTarget(runtimeTransform, r.hi, deviceAnalyticMs) + how.schemeMs;
  const { powerW, powerLoW, powerHiW } = powerFromForest(power.settings, p, limitW, power.physicsW, power.flops);
  const out: GemmPrediction = {
    runtimeMs: deviceMs + how.ms,
    runtimeLoMs: deviceLoMs + how.ms,
    runtimeHiMs: deviceHiMs + how.ms,
    powerW,
    powerLoW,
    powerHiW,
    energyMj: deviceMs * powerW,
    energyLoMj: deviceLoMs * powerLoW,
    energyHiMj: deviceHiMs * powerHiW,
    analyticMs,
    level: LEVEL,
    extrapolating: app.extrapolating,
    ...(app.extrapolating ? { extrapolationNotes: app.reasons } : {}),
    method: how.method,
  };
  if (trace && ratio) {
    trace.raw = raw.mean;
    trace.shrunk = r.mean;
  }
  return out;
}

/**
 * A prediction with `shift` (target space, log ratio) added to its correction and interval, as if
 * composePrediction had been given the shifted correction: the corrected device time (the part the
 * correction multiplies: runtime less the method's host overhead `hostMs` and the scheme's device time
 * `schemeMs`) scales by exp(shift), energy follows the device time, power is unchanged.
 */
export function shiftPrediction(p: GemmPrediction, shift: number, hostMs: number, schemeMs: number): GemmPrediction {
  if (shift === 0 || !Number.isFinite(shift) || !Number.isFinite(p.runtimeMs)) return p;
  const f = Math.exp(shift);
  const device = (ms: number) => (ms - hostMs - schemeMs) * f + schemeMs;
  const [d, dLo, dHi] = [device(p.runtimeMs), device(p.runtimeLoMs), device(p.runtimeHiMs)];
  return {
    ...p,
    runtimeMs: d + hostMs,
    runtimeLoMs: dLo + hostMs,
    runtimeHiMs: dHi + hostMs,
    energyMj: d * p.powerW,
    energyLoMj: dLo * p.powerLoW,
    energyHiMj: dHi * p.powerHiW,
  };
}

/** Decodes both artifacts; refuses models built for another feature vector or with an unknown target. */
export function createPredictor(artifacts: { runtime: Uint8Array; power: Uint8Array }): CreatePredictorResult {
  const expect = { featureNames: FEATURE_NAMES, featureVersion: FEATURE_VERSION };
  const rt = decodeModel(artifacts.runtime, expect);
  if (!rt.ok) return { ok: false, error: `runtime model: ${rt.error}` };
  const pw = decodeModel(artifacts.power, expect);
  if (!pw.ok) return { ok: false, error: `power model: ${pw.error}` };
  const problem =
    checkTarget(rt.model, 'runtime', ['log-ratio-to-analytic', 'log']) ??
    checkTarget(pw.model, 'power', ['fraction-of-power-limit', 'log-ratio-to-physics-power']);
  if (problem) return { ok: false, error: problem };
  const runtimeModel = rt.model;
  const powerModel = pw.model;
  const runtimeTransform = runtimeModel.target.transform as TargetTransform;
  const domain = parseDomain(runtimeModel.training?.applicability, FEATURE_NAMES.length);
  const methodOverheadMs = methodOverheadsOf(runtimeModel);
  const schemeOverheads = schemeOverheadsOf(runtimeModel);
  const power = powerSettingsOf(powerModel, LEVEL);

  return {
    ok: true,
    predictor: {
      runtimeModel,
      powerModel,
      domain,
      methodOverheadMs,
      schemeOverheads,
      power,
      predict(workload: GemmWorkload, gpu: GpuSpec, options?: PredictOptions): GemmPrediction {
        try {
          const method = methodOverhead(methodOverheadMs, options?.method);
          if ('error' in method) return nanPrediction(method.error);
          const how = { ...method, schemeMs: schemeMsOf(schemeOverheads, workload, gpu) };
          const f = computeFeatures(workloadForMethod(workload, how.method), gpu);
          const deviceAnalyticMs = f.analytic.timeMs;
          const analyticMs = deviceAnalyticMs + how.schemeMs + how.ms;
          if (runtimeTransform === 'log-ratio-to-analytic' && !(deviceAnalyticMs > 0)) {
            return nanPrediction(
              `no analytic estimate for this workload on ${gpu?.id ?? 'this GPU'}: ${f.analytic.notes.join('; ') || 'invalid input'}`,
              analyticMs,
            );
          }
          const raw = predict(runtimeModel, f.values, { level: LEVEL });
          if (raw.error) return nanPrediction(`runtime model: ${raw.error}`, analyticMs);
          const p = predict(powerModel, f.values, { level: LEVEL });
          return composePrediction(runtimeTransform, domain, gpu, workload, f.values, deviceAnalyticMs, how, raw, p, {
            settings: power,
            ...powerInputsOf(f.analytic, gpu),
          });
        } catch (err) {
          return nanPrediction(`prediction failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
    },
  };
}
