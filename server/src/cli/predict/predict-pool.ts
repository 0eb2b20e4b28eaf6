// Worker threads for `tilecast predict --batch`: each loads the models once and predicts whole chunks, so
// CSV reading and writing on the main thread overlap with prediction on every core. Any worker failure
// falls back to predicting in-process; results are identical either way (same code, same models).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GemmWorkload, GpuSpec } from '../../perf/types';
import type { GemmPredictor, PredictionValues } from '../../report/prediction';
import { unpackPredictions, type ChunkRequest, type WorkerReply } from './predict-pool-protocol';

interface Pending { resolve: (values: PredictionValues[]) => void; reject: (error: Error) => void; n: number }

class PoolWorker {
  readonly ready: Promise<void>;
  readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;
  private failed: Error | null = null;

  constructor(script: string, modelsDir: string) {
    // From source (tests, the bench) the worker is TypeScript: register tsx's require hook first.
    const fromSource = script.endsWith('.ts');
    this.worker = fromSource
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true, workerData: { modelsDir } })
      : new Worker(script, { workerData: { modelsDir } });
    this.worker.unref();
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') resolve();
        else if (reply.kind === 'failed') { this.fail(new Error(reply.error)); reject(this.failed); }
        else {
          const p = this.pending.get(reply.id);
          if (!p) return;
          this.pending.delete(reply.id);
          p.resolve(unpackPredictions(reply.numbers, reply.errors, p.n));
        }
      });
      this.worker.on('error', (error) => { this.fail(error); reject(error); });
      this.worker.on('exit', (code) => { const e = new Error(`prediction worker exited (${code})`); this.fail(e); reject(e); });
    });
    this.ready.catch(() => {});
  }

  private fail(error: Error): void {
    if (!this.failed) this.failed = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  send(request: ChunkRequest): Promise<PredictionValues[]> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject, n: request.workloads.length });
      this.worker.postMessage(request);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The worker script beside this module: .js in the bundle (dist/predict-worker.js), .ts from source. */
export function workerScript(): string | null {
  const bundled = join(__dirname, 'predict-worker.js');
  const source = join(__dirname, 'predict-worker.ts');
  if (__filename.endsWith('.ts')) return existsSync(source) ? source : null;
  return existsSync(bundled) ? bundled : null;
}

/**
 * `base` with a worker-backed `predictBatchAsync`: the first `inProcessRows` rows are predicted in-process
 * (small files never pay for starting workers), then chunks go to `workers` threads.
 */
export interface PoolStats { workerChunks: number; inProcessChunks: number; fallback?: string }

export function withWorkers(base: GemmPredictor, modelsDir: string, workers: number, inProcessRows = 8192): GemmPredictor & { stats: PoolStats } {
  const stats: PoolStats = { workerChunks: 0, inProcessChunks: 0 };
  const script = workerScript();
  if (!script || workers < 1 || !base.predictBatch) return { ...base, stats: { ...stats, fallback: script ? 'no workers asked for' : 'no worker script' } };
  let pool: PoolWorker[] | null = null;
  let broken = false;
  let seen = 0;
  let nextId = 0;
  const inProcess = (items: ReadonlyArray<{ workload: GemmWorkload; gpu: GpuSpec }>) => {
    stats.inProcessChunks++;
    return base.predictBatch!(items);
  };
  return {
    ...base,
    stats,
    concurrency: workers,
    async predictBatchAsync(items) {
      seen += items.length;
      if (broken || seen <= inProcessRows) return inProcess(items);
      pool ??= Array.from({ length: workers }, () => new PoolWorker(script, modelsDir));
      const worker = pool.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      try {
        await worker.ready;
        const values = await worker.send({ id: nextId++, workloads: items.map((i) => i.workload), gpuIds: items.map((i) => i.gpu.id) });
        stats.workerChunks++;
        return values;
      } catch (error) {
        broken = true;
        stats.fallback = error instanceof Error ? error.message : String(error);
        return inProcess(items);
      }
    },
    async close() {
      if (pool) await Promise.all(pool.map((w) => w.terminate()));
      pool = null;
    },
  };
}
