// Worker-thread entry of the retraining (started by user-models.ts retrainModel): decodes the shipped
// model, runs retrainWithProfiles with progress messages, and posts the result with the model
// artifacts encoded as bytes. Nothing else runs here.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeModel, encodeModel } from '../model/artifact';
import { retrainWithProfiles } from '../../../models/training/user-retrain';

async function main(): Promise<void> {
  const decoded = decodeModel(new Uint8Array(workerData.runtimeModel));
  if (!decoded.ok) {
    parentPort!.postMessage({ result: { ok: false, error: `shipped runtime model: ${decoded.error}`, trainRecords: 0, heldOutRecords: 0, strategies: [] } });
    return;
  }
  const out = await retrainWithProfiles({
    runtimeModel: decoded.model,
    userRecords: workerData.userRecords,
    shippedRecords: workerData.shippedRecords,
    workers: 1,
    onProgress: (message, fraction) => parentPort!.postMessage({ progress: [message, fraction] }),
  });
  const { runtimeArtifact, corrections, ...rest } = out;
  parentPort!.postMessage({
    result: {
      ...rest,
      runtimeArtifactBytes: runtimeArtifact ? encodeModel(runtimeArtifact) : undefined,
      correctionBytes: corrections?.map((c) => ({ gpu: c.gpu, bytes: encodeModel(c.artifact) })),
    },
  });
}

main().catch((error: unknown) => {
  parentPort!.postMessage({
    result: { ok: false, error: error instanceof Error ? error.message : String(error), trainRecords: 0, heldOutRecords: 0, strategies: [] },
  });
});
