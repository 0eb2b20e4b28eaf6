// What a runtime/power/energy prediction looks like to reports (the predictor's output, with the models
// that made it), the predictor shape the CLI and editor call, and its CSV/JSON/text renderings. Pure.
import type { GemmWorkload, GpuSpec } from '../perf/types';
import type { AnalyticEstimate } from '../perf/analytic-model';
import type { MeasurementMethod, PredictionValues, PredictOptions } from '../model/predictor';
import type { GemmBatchItem } from '../model/predict-batch';
import { spreadsheetCsvField } from './csv-stream';

export type { MeasurementMethod, PredictionValues, PredictOptions };

/** Which model produced a target: its name, target transform, feature version, data fingerprint. */
export interface ModelInfo {
  target: string;
  transform: string;
  featureVersion: string;
  dataFingerprint?: string;
  /** Nominal level of the interval, e.g. 0.8 for 10th..90th percentile. */
  intervalLevel?: number;
  source?: string;
}

/** One workload of a batch (model/predict-batch.ts): `analytic` spares recomputing an estimate the caller has. */
export type BatchItem = GemmBatchItem;

/** What `tilecast predict` and `analyze` need from a predictor (server/src/model/predictor.ts or a test fake). */
export interface GemmPredictor {
  predict(workload: GemmWorkload, gpu: GpuSpec, options?: PredictOptions): PredictionValues;
  /** Optional batch path: one result per item, in order (BatchItem: `analytic` spares recomputing an estimate the caller has). */
  predictBatch?(items: ReadonlyArray<BatchItem>): PredictionValues[];
  /** Optional: does the batch path's one-time setup now (idle time), not at the first predictBatch; changes no prediction. */
  prepareBatch?(): void;
  models?: { runtime?: ModelInfo; power?: ModelInfo };
}

/** Output columns `tilecast predict --batch` appends to every input row, in order. */
export const PREDICTION_COLUMNS = [
  'runtime_ms',
  'runtime_lo_ms',
  'runtime_hi_ms',
  'power_w',
  'power_lo_w',
  'power_hi_w',
  'energy_mj',
  'error',
  'analytic_ms',
  'extrapolating',
] as const;

/** A number for CSV/JSON: 6 significant digits, no exponent noise for ordinary values; '' when not finite. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '';
  const magnitude = value < 0 ? -value : value;
  if (magnitude >= 1e-6 && magnitude < 1e15) {
    // Fast path (a million rows x 7 numbers): 6 significant digits as an integer, then the decimal point
    // placed by string slicing; the same text as String(Number(value.toPrecision(6))) in this range, except
    // that a value a hair below an exact decimal tie (99999.95) may round up (100000, not 99999.9).
    let fraction = 5 - Math.floor(Math.log10(magnitude));
    let scaled = fraction >= 0 ? Math.round(magnitude * POWERS_OF_TEN[fraction]) : Math.round(magnitude / POWERS_OF_TEN[-fraction]);
    if (scaled >= 1e6) {
      scaled = Math.round(scaled / 10);
      fraction--;
    } // log10 rounded down, or rounding carried
    while (fraction > 0 && scaled % 10 === 0) {
      scaled /= 10;
      fraction--;
    }
    let text = String(scaled);
    if (fraction < 0) text += '0'.repeat(-fraction);
    else if (fraction > 0)
      text =
        text.length > fraction
          ? `${text.slice(0, text.length - fraction)}.${text.slice(text.length - fraction)}`
          : `0.${'0'.repeat(fraction - text.length)}${text}`;
    return value < 0 ? `-${text}` : text;
  }
  return String(Number(value.toPrecision(6)));
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Number rounded to 6 significant digits, or null when not finite (for JSON). */
export function roundValue(value: number): number | null {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : null;
}

/** The appended CSV cells (with leading comma) for a prediction, or empty predictions and a message. */
export function predictionCsvCells(values: PredictionValues | null, error: string | undefined): string {
  if (!values) return `,,,,,,,,${csvText(error ?? 'no prediction')},,`;
  const message = error ?? values.error ?? (Number.isFinite(values.runtimeMs) ? '' : 'the model gave no prediction for this row');
  // analytic_ms: the analytic model alone with the same method overhead; extrapolating: true/false, empty when unknown.
  const extrapolating = values.extrapolating === undefined || !Number.isFinite(values.runtimeMs) ? '' : values.extrapolating ? 'true' : 'false';
  return `,${formatValue(values.runtimeMs)},${formatValue(values.runtimeLoMs)},${formatValue(values.runtimeHiMs)},${formatValue(values.powerW)},${formatValue(values.powerLoW)},${formatValue(values.powerHiW)},${formatValue(values.energyMj)},${csvText(message)},${formatValue(values.analyticMs ?? NaN)},${extrapolating}`;
}

/** The error message echoes input text; it is neutralised like every other cell a spreadsheet may open. */
function csvText(text: string): string {
  return spreadsheetCsvField(text);
}

export interface SinglePredictionJson {
  gpu: { id: string; name: string };
  workload: GemmWorkload;
  runtime: { ms: number | null; loMs: number | null; hiMs: number | null; model: ModelInfo | null };
  power: { w: number | null; loW: number | null; hiW: number | null; model: ModelInfo | null };
  energy: { mj: number | null; loMj: number | null; hiMj: number | null };
  analytic: { timeMs: number | null; computeTimeMs: number | null; memoryTimeMs: number | null; bound: string; tflops: number | null; notes: string[] };
  /** How the runtime is measured (its overhead is in runtime and analytic.timeMs); absent from fakes. */
  method?: string;
  /** The workload or GPU lies outside the training data: the correction was shrunk toward the analytic model. */
  extrapolating?: boolean;
  extrapolationNotes?: string[];
  error: string | null;
}

/** JSON of one `tilecast predict` (without --batch). */
export function singlePredictionJson(
  workload: GemmWorkload,
  gpu: GpuSpec,
  values: PredictionValues,
  analytic: AnalyticEstimate,
  models: GemmPredictor['models'],
): SinglePredictionJson {
  return {
    gpu: { id: gpu.id, name: gpu.name },
    workload,
    runtime: { ms: roundValue(values.runtimeMs), loMs: roundValue(values.runtimeLoMs), hiMs: roundValue(values.runtimeHiMs), model: models?.runtime ?? null },
    power: { w: roundValue(values.powerW), loW: roundValue(values.powerLoW), hiW: roundValue(values.powerHiW), model: models?.power ?? null },
    energy: { mj: roundValue(values.energyMj), loMj: roundValue(values.energyLoMj), hiMj: roundValue(values.energyHiMj) },
    analytic: {
      timeMs: roundValue(values.analyticMs ?? analytic.timeMs),
      computeTimeMs: roundValue(analytic.computeTimeMs),
      memoryTimeMs: roundValue(analytic.memoryTimeMs),
      bound: analytic.bound,
      tflops: roundValue(analytic.achievedTflops),
      notes: [...analytic.notes],
    },
    ...(values.method ? { method: values.method } : {}),
    ...(values.extrapolating !== undefined ? { extrapolating: values.extrapolating } : {}),
    ...(values.extrapolationNotes?.length ? { extrapolationNotes: [...values.extrapolationNotes] } : {}),
    error: values.error ?? null,
  };
}

function modelText(model: ModelInfo | null): string {
  if (!model) return '';
  const level = model.intervalLevel !== undefined ? `, ${Math.round(model.intervalLevel * 100)}% interval` : '';
  return `  [model ${model.target}: ${model.transform}, ${model.featureVersion}${level}]`;
}

function range(value: number | null, lo: number | null, hi: number | null, unit: string): string {
  if (value === null) return 'no prediction';
  return `${value} ${unit}  (${lo ?? '?'} .. ${hi ?? '?'})`;
}

/** A quantised GEMM's scheme and the framework op around it ("fp8_block in sglang"); '' for a plain GEMM. */
export function quantisedOpLabel(w: Pick<GemmWorkload, 'quantization' | 'quantWrapper'>): string {
  if (!w.quantization) return '';
  return w.quantWrapper ? `${w.quantization} in ${w.quantWrapper}` : w.quantization;
}

/** Text of one `tilecast predict`, rendered from its JSON so both always agree. */
export function renderSinglePredictionText(json: SinglePredictionJson): string {
  const w = json.workload;
  const tile = w.tile
    ? Object.entries(w.tile)
        .filter(([key]) => key !== 'native')
        .map(([key, v]) => `${key}=${v}`)
        .join(' ')
    : '';
  const native = w.tile?.native
    ? Object.entries(w.tile.native)
        .map(([key, v]) => `${key}=${v}`)
        .join(' ')
    : '';
  const lines = [
    `${json.gpu.name} (${json.gpu.id}): ${w.dtype}${w.quantization ? ` (${quantisedOpLabel(w)})` : ''} GEMM M=${w.m} N=${w.n} K=${w.k} batch=${w.batch}, kernel ${w.kernel}${tile ? ` (${tile})` : ''}${native ? ` [${native}]` : ''}`,
    `runtime:  ${range(json.runtime.ms, json.runtime.loMs, json.runtime.hiMs, 'ms')}${modelText(json.runtime.model)}`,
    `power:    ${range(json.power.w, json.power.loW, json.power.hiW, 'W')}${modelText(json.power.model)}`,
    `energy:   ${range(json.energy.mj, json.energy.loMj, json.energy.hiMj, 'mJ')}`,
    `analytic: ${json.analytic.timeMs ?? '?'} ms, ${json.analytic.bound}-bound, ${json.analytic.tflops ?? '?'} TFLOP/s (reference only: compute ${json.analytic.computeTimeMs ?? '?'} ms, memory ${json.analytic.memoryTimeMs ?? '?'} ms)`,
  ];
  for (const note of json.analytic.notes) lines.push(`  note: ${note}`);
  if (json.method && json.method !== 'kernel') lines.push(`method:   ${json.method} (its timing overhead is included in runtime and analytic)`);
  if (json.extrapolating)
    lines.push(
      `extrapolating: outside the training data (${(json.extrapolationNotes ?? []).slice(0, 3).join('; ') || 'see the model card'}); the correction is shrunk toward the analytic model and the interval widened`,
    );
  if (json.error) lines.push(`error: ${json.error}`);
  return lines.join('\n') + '\n';
}
