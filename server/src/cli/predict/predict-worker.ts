// Worker thread of `tilecast predict --batch`: loads the models once, then predicts chunks of workloads
// sent by the pool (predict-pool.ts) and posts back packed numbers. No CSV, no files other than the models.
import { parentPort, workerData } from 'node:worker_threads';
import { findGpu } from '../../perf/gpu-catalogue';
import type { GemmWorkload, GpuSpec } from '../../perf/types';
import { loadShippedPredictor } from '../../platform/models';
import { packPredictions, type ChunkRequest, type WorkerReply } from './predict-pool-protocol';

const gpus = new Map<string, GpuSpec | undefined>();
function gpuById(id: string): GpuSpec | undefined {
  if (!gpus.has(id)) gpus.set(id, findGpu(id));
  return gpus.get(id);
}

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const loaded = await loadShippedPredictor((workerData as { modelsDir: string }).modelsDir);
  if (!loaded.ok || !loaded.predictor.predictBatch) {
    port.postMessage({ kind: 'failed', error: loaded.ok ? 'no batch predictor' : loaded.error } satisfies WorkerReply);
    return;
  }
  const predictor = loaded.predictor;
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
  port.on('message', (request: ChunkRequest) => {
    const items: Array<{ workload: GemmWorkload; gpu: GpuSpec }> = [];
    const missing: number[] = [];
    request.workloads.forEach((workload, i) => {
      const gpu = gpuById(request.gpuIds[i]);
      if (gpu) items.push({ workload, gpu });
      else missing.push(i);
    });
    const values = predictor.predictBatch!(items);
    // A GPU id the worker cannot find (e.g. a measured override) is predicted by the main thread instead.
    const packed = packPredictions(values, request.workloads.length, missing);
    port.postMessage({ kind: 'result', id: request.id, ...packed } satisfies WorkerReply, [packed.numbers.buffer as ArrayBuffer]);
  });
}

void start();
