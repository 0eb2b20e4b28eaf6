// Worker-thread entry for the forest trainer: receives the shared binned data once, then grows whole
// trees on request. It holds no state beyond scratch buffers and never touches files.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { GrowerScratch, growTree, type GrowOptions, type GrownTree, type SharedTrainingData } from './tree-grower';

/** What the trainer passes as workerData (typed arrays over SharedArrayBuffers are shared, not copied). */
export interface WorkerInit {
  data: SharedTrainingData;
  options: GrowOptions;
}

export type ToWorker = { type: 'grow'; tree: number } | { type: 'stop' };
export type FromWorker = { type: 'ready' } | { type: 'tree'; tree: number; result: GrownTree } | { type: 'error'; tree: number; message: string };

/** Transferable buffers of a grown tree (so results move to the main thread without copying). */
export function treeTransferList(t: GrownTree): ArrayBuffer[] {
  return [t.feature, t.bin, t.flags, t.child, t.leafMean, t.leafQuantileOffsets, t.featureGain].map((a) => a.buffer as ArrayBuffer);
}

if (!isMainThread && parentPort && (workerData as { tilecastTreeWorker?: boolean } | null)?.tilecastTreeWorker) {
  const port = parentPort;
  const init = (workerData as { init: WorkerInit }).init;
  const scratch = new GrowerScratch(init.data);
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'stop') {
      port.close();
      return;
    }
    try {
      const result = growTree(scratch, init.options, msg.tree);
      const out: FromWorker = { type: 'tree', tree: msg.tree, result };
      port.postMessage(out, treeTransferList(result));
    } catch (err) {
      const out: FromWorker = { type: 'error', tree: msg.tree, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      port.postMessage(out);
    }
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}
