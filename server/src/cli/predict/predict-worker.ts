// Worker thread of `tilecast predict --batch`: loads the models once, then renders the chunks the pool
// (predict-pool.ts) sends with the same renderChunk as the main thread. No files other than the models.
import { parentPort, workerData } from 'node:worker_threads';
import { CsvRecordSplitter, type CsvRecord } from '../../report/csv-stream';
import { mapColumns, RowInterpreter } from '../../report/predict-rows';
import { loadShippedPredictor } from '../../platform/models';
import { renderChunk } from './render-chunk';
import type { ChunkRequest, WorkerReply, WorkerSetup } from './predict-pool-protocol';

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const setup = workerData as WorkerSetup;
  const loaded = await loadShippedPredictor(setup.modelsDir);
  const mapped = mapColumns(setup.header);
  if (!loaded.ok || !mapped.ok) {
    port.postMessage({ kind: 'failed', error: !loaded.ok ? loaded.error : mapped.ok ? '' : mapped.error } satisfies WorkerReply);
    return;
  }
  const predictor = loaded.predictor;
  const columns = mapped.columns;
  const rows = new RowInterpreter(columns);
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
  port.on('message', (request: ChunkRequest) => {
    const records: CsvRecord[] = [];
    const splitter = new CsvRecordSplitter();
    // A leading blank line: a U+FEFF that starts a record is data here, not a byte-order mark.
    splitter.push('\n', (r) => records.push(r));
    splitter.push(request.text, (r) => records.push(r));
    splitter.end((r) => records.push(r));
    if (records.length !== request.lines.length) {
      port.postMessage({
        kind: 'chunk-failed',
        id: request.id,
        error: `re-split gave ${records.length} records, expected ${request.lines.length}`,
      } satisfies WorkerReply);
      return;
    }
    records.forEach((r, i) => {
      r.line = request.lines[i];
    });
    const result = renderChunk(columns, rows, predictor, records, setup.method);
    port.postMessage({ kind: 'result', id: request.id, ...result } satisfies WorkerReply);
  });
}

void start();
