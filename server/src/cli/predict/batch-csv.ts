// Streams `tilecast predict --batch IN.csv`: reads CSV records as they arrive, predicts them in chunks
// and writes each input row plus the prediction columns with backpressure, so memory stays flat for
// millions of rows. The CSV contract and row rules live in report/; this file only moves data.
import type { Readable, Writable } from 'node:stream';
import { CsvRecordSplitter, hasFormulaCell, spreadsheetCsvRecord, type CsvRecord } from '../../report/csv-stream';
import { mapColumns, RowInterpreter, type PredictColumns } from '../../report/predict-rows';
import { PREDICTION_COLUMNS, type GemmPredictor } from '../../report/prediction';
import { renderChunk, type ChunkResult } from './render-chunk';
import type { MeasurementMethod } from '../../data/timing-overhead';

export interface BatchSummary {
  rows: number;
  predicted: number;
  failed: number;
  /** Header columns predict does not use (passed through verbatim). */
  ignoredColumns: string[];
}

export type BatchResult = { ok: true; summary: BatchSummary } | { ok: false; error: string };

/** Runs chunks somewhere else (worker threads); up to `concurrency` chunks are in flight, finished in order. */
export interface ChunkRunner {
  concurrency: number;
  run(records: CsvRecord[]): Promise<ChunkResult>;
}

export interface BatchOptions {
  /** Rows predicted per predictor call (default 4096). */
  chunkRows?: number;
  /** Name of the input in messages. */
  inputName?: string;
  /** Measurement method of rows that do not name one (default: kernel time). */
  method?: MeasurementMethod;
  /** Given the header and the main-thread chunk renderer, a runner for the chunks (default: the main thread). */
  runner?: (header: readonly string[], inProcess: (records: CsvRecord[]) => ChunkResult) => ChunkRunner;
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
export async function predictCsvStream(
  input: Readable | AsyncIterable<string | Uint8Array>,
  output: Writable,
  predictor: GemmPredictor,
  options: BatchOptions = {},
): Promise<BatchResult> {
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
  let header: readonly string[] = [];

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
      header = record.cells;
      const headerCells = hasFormulaCell(record.cells) ? spreadsheetCsvRecord(record.cells) : record.raw;
      headerText = `${headerCells},${PREDICTION_COLUMNS.join(',')}\n`;
    }
  };

  let runner: ChunkRunner | null = null;
  const inFlight: Array<ChunkResult | Promise<ChunkResult>> = [];

  const finish = async (result: ChunkResult | Promise<ChunkResult>) => {
    const r = await result;
    summary.predicted += r.predicted;
    summary.failed += r.failed;
    await write(output, r.text);
  };

  const flush = async (final: boolean) => {
    if (!columns || !interpreter) return;
    const cols: PredictColumns = columns;
    const rows: RowInterpreter = interpreter;
    const inProcess = (records: CsvRecord[]) => renderChunk(cols, rows, predictor, records, options.method);
    runner ??= options.runner ? options.runner(header, inProcess) : null;
    const maxInFlight = runner ? Math.max(1, runner.concurrency) * 2 : 1;
    for (let from = 0; from < pending.length; from += chunkRows) {
      const records = pending.slice(from, Math.min(pending.length, from + chunkRows));
      summary.rows += records.length;
      inFlight.push(runner ? runner.run(records) : inProcess(records));
      while (inFlight.length >= maxInFlight) await finish(inFlight.shift()!);
    }
    pending.length = 0;
    if (final) while (inFlight.length > 0) await finish(inFlight.shift()!);
  };

  for await (const chunk of input) {
    splitter.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), onRecord);
    if (headerError) return { ok: false, error: headerError };
    if (headerText) {
      await write(output, headerText);
      headerText = '';
    }
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
