// Batch form of the shipped predictor's predict (predictor.ts): features for a chunk of workloads into one
// matrix, then each forest tree by tree over all rows (forest.predictBatch), ~2x faster than row by row.
// Must give the same numbers as Predictor.predict (predict-batch.test.ts checks); pure, never throws.
import { predictBatch, prepareBatch } from './forest';
import type { TargetTransform } from './targets';
import {
  composePrediction,
  methodOverhead,
  nanPrediction,
  powerInputsOf,
  schemeMsOf,
  shiftPrediction,
  type GemmPrediction,
  type MeasurementMethod,
  type Predictor,
} from './predictor';
import { computeFeatures, FEATURE_NAMES } from '../perf/features';
import { workloadForMethod } from '../data/timing-overhead';
import type { GemmWorkload, GpuSpec } from '../perf/types';
import type { AnalyticEstimate } from '../perf/analytic-model';
import { shapeShifts } from './keep-shape';

const LEVEL = 0.8;
const CHUNK_ROWS = 4096;

/** Reusable feature matrix: grows to the largest chunk once, then is reused (no per-chunk allocation). */
let matrix = new Float64Array(0);

/**
 * One workload of a batch. `analytic`, when given, must be analyticEstimate(workload, gpu) (the tile
 * ranking's legality check computed it); it is used when the measurement method leaves the workload as it is.
 */
export interface GemmBatchItem {
  workload: GemmWorkload;
  gpu: GpuSpec;
  method?: MeasurementMethod;
  analytic?: AnalyticEstimate;
  /**
   * Candidates of one problem on one GPU share a group key: they are ranked with the correction's shape
   * kept (keep-shape.ts), their level from the group's reference (the item with `reference`, else the one
   * with the median correction). Without a key an item is predicted alone.
   */
  group?: string | number;
  reference?: boolean;
}

/**
 * Predicts every item (in order) the way `predictor.predict` does, CHUNK_ROWS rows of features at a time;
 * then shifts the items of each group so the group keeps its correction's shape (keep-shape.ts).
 */
export function predictGemmBatch(predictor: Predictor, items: ReadonlyArray<GemmBatchItem>): GemmPrediction[] {
  const out: GemmPrediction[] = new Array(items.length);
  // What a group's re-composition needs per item (keep-shape.ts, shiftPrediction); only when some item has a group.
  const trace = { raw: NaN, shrunk: NaN };
  const count = items.length;
  const kept = items.some((item) => item.group !== undefined)
    ? { raw: new Float64Array(count).fill(NaN), shrunk: new Float64Array(count).fill(NaN), hostMs: new Float64Array(count), schemeMs: new Float64Array(count) }
    : null;
  try {
    const nF = FEATURE_NAMES.length;
    const runtimeTransform = predictor.runtimeModel.target.transform as TargetTransform;
    const analyticMs = new Float64Array(Math.min(CHUNK_ROWS, items.length));
    const physicsW = new Float64Array(Math.min(CHUNK_ROWS, items.length));
    const flops = new Float64Array(Math.min(CHUNK_ROWS, items.length));
    const hows: Array<{ method: MeasurementMethod; ms: number; schemeMs: number }> = new Array(Math.min(CHUNK_ROWS, items.length));
    for (let start = 0; start < items.length; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, items.length - start);
      if (matrix.length < n * nF) matrix = new Float64Array(n * nF);
      const errors: Array<string | undefined> = new Array(n);
      for (let i = 0; i < n; i++) {
        const { workload, gpu, method, analytic } = items[start + i];
        const how = methodOverhead(predictor.methodOverheadMs, method);
        if ('error' in how) {
          matrix.fill(NaN, i * nF, (i + 1) * nF);
          analyticMs[i] = NaN;
          errors[i] = how.error;
          continue;
        }
        hows[i] = { ...how, schemeMs: schemeMsOf(predictor.schemeOverheads, workload, gpu) };
        try {
          const timed = workloadForMethod(workload, how.method);
          const f = computeFeatures(timed, gpu, timed === workload ? analytic : undefined);
          matrix.set(f.values, i * nF);
          analyticMs[i] = f.analytic.timeMs;
          const pin = powerInputsOf(f.analytic, gpu);
          physicsW[i] = pin.physicsW;
          flops[i] = pin.flops;
          if (runtimeTransform === 'log-ratio-to-analytic' && !(f.analytic.timeMs > 0)) {
            errors[i] = `no analytic estimate for this workload on ${gpu?.id ?? 'this GPU'}: ${f.analytic.notes.join('; ') || 'invalid input'}`;
          }
        } catch (err) {
          matrix.fill(NaN, i * nF, (i + 1) * nF);
          analyticMs[i] = NaN;
          errors[i] = `prediction failed: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      const x = matrix.subarray(0, n * nF);
      const r = predictBatch(predictor.runtimeModel, x, n, { level: LEVEL });
      const p = predictBatch(predictor.powerModel, x, n, { level: LEVEL });
      for (let i = 0; i < n; i++) {
        const a = analyticMs[i];
        const error = errors[i];
        if (error) {
          out[start + i] = nanPrediction(error, a + (hows[i] ? hows[i].ms + hows[i].schemeMs : 0));
          continue;
        }
        const row = matrix.subarray(i * nF, (i + 1) * nF);
        out[start + i] = composePrediction(
          runtimeTransform,
          predictor.domain,
          items[start + i].gpu,
          items[start + i].workload,
          row,
          a,
          hows[i],
          { mean: r.mean[i], lo: r.lo[i], hi: r.hi[i], error: r.error },
          { mean: p.mean[i], lo: p.lo[i], hi: p.hi[i], error: p.error },
          { settings: predictor.power, physicsW: physicsW[i], flops: flops[i] },
          kept ? trace : undefined,
        );
        if (kept && Number.isFinite(out[start + i].runtimeMs)) {
          kept.raw[start + i] = trace.raw;
          kept.shrunk[start + i] = trace.shrunk;
          kept.hostMs[start + i] = hows[i].ms;
          kept.schemeMs[start + i] = hows[i].schemeMs;
        }
      }
    }
    if (kept) {
      const shifts = shapeShifts(
        kept.raw,
        kept.shrunk,
        items.map((item) => item.group),
        items.map((item) => item.reference === true),
      );
      for (let i = 0; i < count; i++) if (shifts[i] !== 0) out[i] = shiftPrediction(out[i], shifts[i], kept.hostMs[i], kept.schemeMs[i]);
    }
  } catch (err) {
    for (let i = 0; i < items.length; i++) if (!out[i]) out[i] = nanPrediction(`prediction failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  return out;
}

/**
 * Prepares both forests' batch walks (forest.ts prepareBatch), so the first predictGemmBatch does not pay
 * for it. Never throws: a setup that fails here is tried again, and reported, by the first batch.
 */
export function prepareGemmBatch(predictor: Predictor): void {
  try {
    prepareBatch(predictor.runtimeModel);
    prepareBatch(predictor.powerModel);
  } catch {
    // predictGemmBatch catches the same failure and turns it into each row's error.
  }
}
