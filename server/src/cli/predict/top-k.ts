// `tilecast predict --batch CONFIGS.csv --top K`: predicts every candidate configuration and writes the K
// predicted fastest of each problem (same GPU, dtype and quantisation, sizes and method), in rank order, as CSV: the input
// row, the prediction columns, `rank` and `near_tie`. Holds the file in memory (config lists are small).
// Reading and writing only; each problem is one ranked group of the batch (model/keep-shape.ts), the
// ranking rule is report/top-configs.ts.
import type { Readable, Writable } from 'node:stream';
import { CsvRecordSplitter, type CsvRecord } from '../../report/csv-stream';
import { mapColumns, RowInterpreter } from '../../report/predict-rows';
import { PREDICTION_COLUMNS, predictionCsvCells, quantisedOpLabel, type GemmPredictor, type PredictionValues } from '../../report/prediction';
import { topConfigurations, type GroupSummary } from '../../report/top-configs';
import type { GemmWorkload, GpuSpec } from '../../perf/types';
import type { MeasurementMethod } from '../../data/timing-overhead';

export type TopResult = { ok: true; rows: number; predicted: number; groups: GroupSummary[]; written: number } | { ok: false; error: string };

export async function predictTopK(
  input: Readable | AsyncIterable<string | Uint8Array>,
  output: Writable,
  predictor: GemmPredictor,
  k: number,
  options: { inputName?: string; method?: MeasurementMethod } = {},
): Promise<TopResult> {
  const name = options.inputName ?? 'input';
  const records: CsvRecord[] = [];
  const splitter = new CsvRecordSplitter();
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of input) splitter.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), (r) => records.push(r));
  const tail = decoder.decode();
  if (tail) splitter.push(tail, (r) => records.push(r));
  splitter.end((r) => records.push(r));
  if (records.length === 0) return { ok: false, error: `${name} is empty: expected a header line (gpu,dtype,m,n,k,...)` };
  const mapped = mapColumns(records[0].cells);
  if (!mapped.ok) return { ok: false, error: `${name}: ${mapped.error}` };
  const rows = new RowInterpreter(mapped.columns);
  const items: Array<{ workload: GemmWorkload; gpu: GpuSpec; method?: MeasurementMethod }> = [];
  const itemRecord: number[] = [];
  for (let i = 1; i < records.length; i++) {
    if (records[i].unterminated) continue;
    const r = rows.interpret(records[i].cells);
    if (!r.ok) continue;
    items.push({ workload: r.workload, gpu: r.gpu, method: r.method ?? options.method });
    itemRecord.push(i);
  }
  const groupOf = (it: (typeof items)[number]) =>
    `${it.gpu.id} ${it.workload.dtype}${it.workload.quantization ? `/${quantisedOpLabel(it.workload)}` : ''} M=${it.workload.m} N=${it.workload.n} K=${it.workload.k} batch=${it.workload.batch} ${it.method ?? 'kernel'}`;
  // Each problem's candidates are one group of the batch: ranked with the correction's shape kept (model/keep-shape.ts).
  const predictions: PredictionValues[] = predictor.predictBatch
    ? predictor.predictBatch(items.map((it) => ({ ...it, group: groupOf(it) })))
    : items.map((it) => predictor.predict(it.workload, it.gpu, it.method ? { method: it.method } : undefined));
  const candidates = items.map((it, i) => ({
    index: i,
    group: groupOf(it),
    runtimeMs: predictions[i]?.error ? NaN : (predictions[i]?.runtimeMs ?? NaN),
    runtimeHiMs: predictions[i]?.runtimeHiMs ?? NaN,
  }));
  const { picks, groups } = topConfigurations(candidates, k);
  let text = `${records[0].raw},${PREDICTION_COLUMNS.join(',')},rank,near_tie\n`;
  for (const p of picks) {
    text += `${records[itemRecord[p.index]].raw}${predictionCsvCells(predictions[p.index], undefined)},${p.rank},${p.nearTie ? 'true' : 'false'}\n`;
  }
  if (text.length > 0 && !output.write(text)) await new Promise<void>((resolve) => output.once('drain', () => resolve()));
  const predicted = candidates.filter((c) => Number.isFinite(c.runtimeMs)).length;
  return { ok: true, rows: records.length - 1, predicted, groups, written: picks.length };
}
