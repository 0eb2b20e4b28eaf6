// One chunk of `tilecast predict --batch`: validates its rows, predicts the good ones in one batch and
// renders the output lines (input row verbatim + prediction cells). Runs on the main thread or in a
// prediction worker (predict-worker.ts), so both give the same bytes. No I/O.
import { hasFormulaCell, spreadsheetCsvRecord, type CsvRecord } from '../../report/csv-stream';
import type { PredictColumns, RowInterpreter } from '../../report/predict-rows';
import { predictionCsvCells, type GemmPredictor, type PredictionValues } from '../../report/prediction';
import type { GemmWorkload, GpuSpec } from '../../perf/types';
import type { MeasurementMethod } from '../../data/timing-overhead';

export interface ChunkResult {
  /** Output lines, each ending in '\n'. */
  text: string;
  predicted: number;
  failed: number;
}

/** Cells padded with empty fields or cut to the header's width. */
function fit(cells: readonly string[], width: number): string[] {
  const out = cells.slice(0, width);
  while (out.length < width) out.push('');
  return out;
}

/** `method`: the default measurement method of rows that do not name one (the --method flag). */
export function renderChunk(
  cols: PredictColumns,
  rows: RowInterpreter,
  predictor: GemmPredictor,
  records: readonly CsvRecord[],
  method?: MeasurementMethod,
): ChunkResult {
  const items: Array<{ workload: GemmWorkload; gpu: GpuSpec; method?: MeasurementMethod }> = [];
  const errors: Array<string | undefined> = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (record.unterminated) {
      errors[i] = `line ${record.line}: a quoted field is not closed before the end of the file`;
      continue;
    }
    const result = rows.interpret(record.cells);
    if (result.ok) items.push({ workload: result.workload, gpu: result.gpu, method: result.method ?? method });
    else errors[i] = result.error;
  }
  let predictions: PredictionValues[];
  if (items.length === 0) predictions = [];
  else if (predictor.predictBatch) predictions = predictor.predictBatch(items);
  else predictions = items.map((item) => predictor.predict(item.workload, item.gpu, item.method ? { method: item.method } : undefined));
  let text = '';
  let next = 0;
  let predicted = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const error = errors[i];
    // The input row verbatim, unless its width is wrong or a cell would run as a spreadsheet formula.
    const verbatim = record.cells.length === cols.width && !record.unterminated && !hasFormulaCell(record.cells);
    const prefix = verbatim ? record.raw : spreadsheetCsvRecord(fit(record.cells, cols.width));
    if (error === undefined) {
      const values = predictions[next++] ?? null;
      if (values && Number.isFinite(values.runtimeMs) && !values.error) predicted++;
      text += prefix + predictionCsvCells(values, values ? undefined : 'the predictor returned no result') + '\n';
    } else {
      text += prefix + predictionCsvCells(null, error) + '\n';
    }
  }
  return { text, predicted, failed: records.length - predicted };
}
