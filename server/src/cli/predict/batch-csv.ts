// Streams `tilecast predict --batch IN.csv`: reads CSV records as they arrive, predicts them in chunks
// and writes each input row plus the prediction columns with backpressure, so memory stays flat for
// millions of rows. The CSV contract and row rules live in report/; this file only moves data.
import type { Readable, Writable } from 'node:stream';
import { CsvRecordSplitter, csvRecord, type CsvRecord } from '../../report/csv-stream';
import { mapColumns, RowInterpreter, type PredictColumns } from '../../report/predict-rows';
import { PREDICTION_COLUMNS, predictionCsvCells, type GemmPredictor, type PredictionValues } from '../../report/prediction';
import type { GemmWorkload, GpuSpec } from '../../perf/types';

export interface BatchSummary {
  rows: number;
  predicted: number;
  failed: number;
  /** Header columns predict does not use (passed through verbatim). */
  ignoredColumns: string[];
}

export type BatchResult = { ok: true; summary: BatchSummary } | { ok: false; error: string };

export interface BatchOptions {
  /** Rows predicted per predictor call (default 4096). */
  chunkRows?: number;
  /** Name of the input in messages. */
  inputName?: string;
}

/** Resolves when `output` can take more data; rejects when it fails. */
function drained(output: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      output.off('drain', onDrain);
      output.off('error', onError);
      output.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (error: Error) => done(error);
    const onClose = () => done(new Error('output closed'));
    output.on('drain', onDrain);
    output.on('error', onError);
    output.on('close', onClose);
  });
}

async function write(output: Writable, text: string): Promise<void> {
  if (text.length > 0 && !output.write(text)) await drained(output);
}

/**
 * Predicts every row of a CSV stream and writes the result CSV to `output` (it is not ended here).
 * Fails (ok: false) only when the input itself is unusable: empty, or a header without the required
 * columns. Bad rows get empty predictions and a message in the `error` column.
 */
export async function predictCsvStream(input: Readable | AsyncIterable<string | Uint8Array>, output: Writable, predictor: GemmPredictor, options: BatchOptions = {}): Promise<BatchResult> {
  const chunkRows = Math.max(1, Math.floor(options.chunkRows ?? 4096));
  const name = options.inputName ?? 'input';
  const splitter = new CsvRecordSplitter();
  const decoder = new TextDecoder('utf-8');
  let columns: PredictColumns | null = null;
  let interpreter: RowInterpreter | null = null;
  let headerError: string | null = null;
  let headerText = '';
  const pending: CsvRecord[] = [];
  const summary: BatchSummary = { rows: 0, predicted: 0, failed: 0, ignoredColumns: [] };

  const onRecord = (record: CsvRecord) => {
    if (columns || headerError) {
      pending.push(record);
      return;
    }
    const mapped = mapColumns(record.cells);
    if (!mapped.ok) headerError = `${name}: ${mapped.error}`;
    else {
      columns = mapped.columns;
      interpreter = new RowInterpreter(columns);
      summary.ignoredColumns = columns.ignored;
      headerText = `${record.raw},${PREDICTION_COLUMNS.join(',')}\n`;
    }
  };

  interface Slice { records: CsvRecord[]; errors: Array<string | undefined>; predictions: PredictionValues[] | Promise<PredictionValues[]> }
  const inFlight: Slice[] = [];
  const maxInFlight = predictor.predictBatchAsync ? Math.max(1, predictor.concurrency ?? 1) * 2 : 1;

  /** Validates a slice of rows and starts predicting its good rows. */
  const dispatch = (rows: RowInterpreter, records: CsvRecord[]): Slice => {
    const items: Array<{ workload: GemmWorkload; gpu: GpuSpec }> = [];
    const errors: Array<string | undefined> = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      if (record.unterminated) { errors[i] = `line ${record.line}: a quoted field is not closed before the end of the file`; continue; }
      const result = rows.interpret(record.cells);
      if (result.ok) items.push({ workload: result.workload, gpu: result.gpu });
      else errors[i] = result.error;
    }
    let predictions: Slice['predictions'];
    if (items.length === 0) predictions = [];
    else if (predictor.predictBatchAsync) predictions = predictor.predictBatchAsync(items);
    else if (predictor.predictBatch) predictions = predictor.predictBatch(items);
    else predictions = items.map((item) => predictor.predict(item.workload, item.gpu));
    return { records, errors, predictions };
  };

  /** Waits for the oldest slice and writes its rows (input order is kept: slices finish in order). */
  const finish = async (cols: PredictColumns, slice: Slice) => {
    const predictions = await slice.predictions;
    let out = '';
    let next = 0;
    for (let i = 0; i < slice.records.length; i++) {
      const record = slice.records[i];
      const error = slice.errors[i];
      const prefix = record.cells.length === cols.width && !record.unterminated ? record.raw : csvRecord(fit(record.cells, cols.width));
      if (error === undefined) {
        const values = predictions[next++] ?? null;
        if (values && Number.isFinite(values.runtimeMs) && !values.error) summary.predicted++;
        else summary.failed++;
        out += prefix + predictionCsvCells(values, values ? undefined : 'the predictor returned no result') + '\n';
      } else {
        summary.failed++;
        out += prefix + predictionCsvCells(null, error) + '\n';
      }
    }
    summary.rows += slice.records.length;
    await write(output, out);
  };

  const flush = async (final: boolean) => {
    if (!columns || !interpreter) return;
    const cols: PredictColumns = columns;
    for (let from = 0; from < pending.length; from += chunkRows) {
      inFlight.push(dispatch(interpreter, pending.slice(from, Math.min(pending.length, from + chunkRows))));
      while (inFlight.length >= maxInFlight) await finish(cols, inFlight.shift()!);
    }
    pending.length = 0;
    if (final) while (inFlight.length > 0) await finish(cols, inFlight.shift()!);
  };

  for await (const chunk of input) {
    splitter.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), onRecord);
    if (headerError) return { ok: false, error: headerError };
    if (headerText) { await write(output, headerText); headerText = ''; }
    if (pending.length >= chunkRows) await flush(false);
  }
  const tail = decoder.decode();
  if (tail) splitter.push(tail, onRecord);
  splitter.end(onRecord);
  if (headerError) return { ok: false, error: headerError };
  if (!columns) return { ok: false, error: `${name} is empty: expected a header line (gpu,dtype,m,n,k,...)` };
  if (headerText) await write(output, headerText);
  await flush(true);
  return { ok: true, summary };
}

/** Cells padded with empty fields or cut to the header's width. */
function fit(cells: readonly string[], width: number): string[] {
  const out = cells.slice(0, width);
  while (out.length < width) out.push('');
  return out;
}
