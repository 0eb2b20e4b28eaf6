// `tilecast profile retrain` and `tilecast profile revert`: retrains the runtime model on the profile
// store's records (in a worker thread), prints the before/after error on the held-out records and why
// the strategy was chosen, stores the model in the workspace; revert goes back to the shipped model.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decodeModel } from '../../model/artifact';
import { parseProfileJsonl } from '../../data/profile-record';
import { resolveGpuId } from '../../data/gpu-id';
import type { GemmRecord } from '../../data/record';
import { MODEL_FILES, modelDirCandidates } from '../../platform/models';
import { readStore } from '../../platform/profile-store';
import { retrainModel, revertUserModel, saveUserModel, workspaceModelDir } from '../../platform/user-models';
import { existsSync } from 'node:fs';
import { parseArgs, formatFlags, type FlagSpec } from '../args';
import type { CliStreams } from '../command';
import { STORE_FLAGS, storeFromFlags } from './store-flags';

const flags: Record<string, FlagSpec> = {
  ...STORE_FLAGS,
  datasets: {
    type: 'string',
    description:
      'the shipped training data (../shared/datasets layout) for the "combined" strategy; default $TILECAST_DATASETS or ../shared/datasets when present',
  },
  'shipped-rows': { type: 'string', description: 'rows of the shipped data per source/GPU/dtype used by the combined strategy (default 300)' },
  json: { type: 'boolean', description: 'print the result as JSON' },
  help: { type: 'boolean', description: 'show this help' },
};

/** A sample of the shipped training data, or undefined (with the reason on stderr) where it is not available. */
async function shippedSample(dir: string | undefined, perStratum: number, stderr: NodeJS.WritableStream): Promise<GemmRecord[] | undefined> {
  if (dir) process.env.TILECAST_DATASETS = dir;
  const { datasetsRoot, loadDatasets } = await import('../../../../models/scripts/load-datasets');
  if (!datasetsRoot()) {
    stderr.write('tilecast profile retrain: the shipped training data is not here (--datasets DIR): only the correction strategy can run\n');
    return undefined;
  }
  const { runtimeIndices } = await import('../../../../models/scripts/pipeline');
  const { records } = await loadDatasets();
  return Array.from(runtimeIndices(records, perStratum), (i) => records[i]);
}

export async function runRetrainCommand(sub: 'retrain' | 'revert', argv: string[], { stdout, stderr }: CliStreams): Promise<number> {
  const parsed = parseArgs(argv, flags);
  const help = `usage: tilecast profile ${sub} [--workspace DIR]${sub === 'retrain' ? ' [--datasets DIR]' : ''}\n\n${formatFlags(flags)}\n`;
  if (!parsed.ok) {
    stderr.write(`tilecast profile ${sub}: ${parsed.error}\n\n${help}`);
    return 2;
  }
  const f = parsed.args.flags;
  if (f.help) {
    stdout.write(help);
    return 0;
  }
  const workspace = resolve((f.workspace as string | undefined) ?? process.cwd());
  const modelDir = workspaceModelDir(workspace);
  if (sub === 'revert') {
    const r = revertUserModel(modelDir);
    stdout.write(
      r.reverted
        ? `reverted to the shipped model; your retrained model is kept at ${r.keptAt}\n`
        : `no retrained model in ${modelDir}: the shipped model is in use\n`,
    );
    return 0;
  }
  const store = storeFromFlags(f);
  const contents = readStore(store);
  const parsedRecords = parseProfileJsonl(contents.jsonl, 'store', resolveGpuId);
  const checked = parsedRecords.records;
  stderr.write(
    `tilecast profile retrain: ${checked.length} record(s) from ${store.dir}${parsedRecords.failedChecks ? ` (${parsedRecords.failedChecks} that failed the result check left out)` : ''}\n`,
  );
  const shippedDir = modelDirCandidates().find((d) => existsSync(join(d, MODEL_FILES.runtime)));
  if (!shippedDir) {
    stderr.write('tilecast profile retrain: the shipped runtime model was not found\n');
    return 1;
  }
  const decoded = decodeModel(new Uint8Array(await readFile(join(shippedDir, MODEL_FILES.runtime))));
  if (!decoded.ok) {
    stderr.write(`tilecast profile retrain: shipped runtime model: ${decoded.error}\n`);
    return 1;
  }
  const perStratum = Number((f['shipped-rows'] as string | undefined) ?? 300);
  const shippedRecords = await shippedSample(f.datasets as string | undefined, Number.isFinite(perStratum) && perStratum > 0 ? perStratum : 300, stderr);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  const out = await retrainModel(
    { runtimeModel: decoded.model, userRecords: checked, shippedRecords },
    {
      signal: controller.signal,
      onProgress: (message, fraction) => stderr.write(`tilecast profile retrain: ${(fraction * 100).toFixed(0)}% ${message}\n`),
    },
  ).finally(() => process.removeListener('SIGINT', onSignal));
  if (!out.ok) {
    stderr.write(`tilecast profile retrain: ${out.error}\n`);
    return 1;
  }
  const manifest = await saveUserModel(modelDir, out, shippedDir);
  if (f.json) {
    stdout.write(JSON.stringify({ modelDir, ...manifest }, null, 2) + '\n');
    return 0;
  }
  stdout.write(`held-out records: ${out.heldOutRecords} (trained on ${out.trainRecords}); median runtime error:\n`);
  stdout.write(`  shipped model      ${out.before!.mdAPEPct.toFixed(1)}%\n`);
  for (const s of out.strategies) stdout.write(`  ${s.strategy.padEnd(18)} ${s.available ? `${s.heldOut!.mdAPEPct.toFixed(1)}%` : `not run: ${s.reason}`}\n`);
  stdout.write(
    `chose ${out.chosen}: ${out.why}\nstored in ${modelDir} (fingerprint ${out.fingerprint}); \`tilecast profile revert\` goes back to the shipped model\n`,
  );
  return 0;
}
