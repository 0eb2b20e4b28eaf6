// Worker threads for `tilecast predict --batch`: each loads the models once and renders whole chunks
// (validation, features, forests, output lines), so the main thread only splits and writes CSV. Any
// worker failure falls back to the main thread; the output is identical either way (same code, same models).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CsvRecord } from '../../report/csv-stream';
import type { ChunkRunner } from './batch-csv';
import type { ChunkResult } from './render-chunk';
import type { ChunkRequest, WorkerReply, WorkerSetup } from './predict-pool-protocol';

interface Pending {
  resolve: (result: ChunkResult) => void;
  reject: (error: Error) => void;
}

class PoolWorker {
  readonly ready: Promise<void>;
  readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;
  private failed: Error | null = null;

  constructor(script: string, setup: WorkerSetup) {
    // From source (tests, the bench) the worker is TypeScript: register tsx's require hook first.
    this.worker = script.endsWith('.ts')
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true, workerData: setup })
      : new Worker(script, { workerData: setup });
    this.worker.unref();
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') {
          resolve();
          return;
        }
        if (reply.kind === 'failed') {
          this.fail(new Error(reply.error));
          reject(this.failed);
          return;
        }
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        if (reply.kind === 'result') p.resolve({ text: reply.text, predicted: reply.predicted, failed: reply.failed });
        else p.reject(new Error(reply.error));
      });
      this.worker.on('error', (error) => {
        this.fail(error);
        reject(error);
      });
      this.worker.on('exit', (code) => {
        const e = new Error(`prediction worker exited (${code})`);
        this.fail(e);
        reject(e);
      });
    });
    this.ready.catch(() => {});
  }

  private fail(error: Error): void {
    if (!this.failed) this.failed = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  send(request: ChunkRequest): Promise<ChunkResult> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.postMessage(request, [request.lines.buffer as ArrayBuffer]);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The worker script beside this module: .js in the bundle (dist/predict-worker.js), .ts from source. */
export function workerScript(): string | null {
  const script = join(__dirname, __filename.endsWith('.ts') ? 'predict-worker.ts' : 'predict-worker.js');
  return existsSync(script) ? script : null;
}

export interface PoolStats {
  workerChunks: number;
  inProcessChunks: number;
  fallback?: string;
}

export interface PoolRunnerFactory {
  create: NonNullable<import('./batch-csv').BatchOptions['runner']>;
  stats: PoolStats;
  close(): Promise<void>;
}

/**
 * A runner factory for predictCsvStream: chunks after the first `inProcessRows` rows go to `workers`
 * threads that load the models from `modelsDir` (small files never start workers).
 */
export function workerPool(modelsDir: string, workers: number, inProcessRows = 8192, method?: WorkerSetup['method']): PoolRunnerFactory {
  const stats: PoolStats = { workerChunks: 0, inProcessChunks: 0 };
  let pool: PoolWorker[] = [];
  const script = workerScript();
  if (!script) stats.fallback = 'no worker script';
  return {
    stats,
    create(header, inProcess): ChunkRunner {
      let broken = !script || workers < 1;
      let seen = 0;
      let nextId = 0;
      const local = (records: CsvRecord[]) => {
        stats.inProcessChunks++;
        return inProcess(records);
      };
      return {
        concurrency: Math.max(1, workers),
        async run(records) {
          seen += records.length;
          if (broken || seen <= inProcessRows) return local(records);
          if (pool.length === 0)
            pool = Array.from({ length: workers }, () => new PoolWorker(script!, { modelsDir, header: [...header], ...(method ? { method } : {}) }));
          const worker = pool.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
          try {
            await worker.ready;
            const lines = new Int32Array(records.length);
            for (let i = 0; i < records.length; i++) lines[i] = records[i].line;
            const result = await worker.send({ id: nextId++, text: records.map((r) => r.raw).join('\n'), lines });
            stats.workerChunks++;
            return result;
          } catch (error) {
            broken = true;
            stats.fallback = error instanceof Error ? error.message : String(error);
            return local(records);
          }
        },
      };
    },
    async close() {
      await Promise.all(pool.map((w) => w.terminate()));
      pool = [];
    },
  };
}
