// `tilecast profile FILE --line N [--host H | --slurm]`: builds and runs the launch's harness (here, over
// SSH or on a SLURM cluster), appends the records to the profile store and prints measured against
// predicted. Sub-commands: `profile import FILE...` (ncu --csv --page raw, Kernel Tuner caches),
// `profile list`, `profile retrain`, `profile revert`. Thin: the work is in profile/ and platform/.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { profileToGemmRecord, type ProfileRecord } from '../../data/profile-record';
import { recordToWorkload } from '../../data/to-workload';
import { findGpu } from '../../perf/gpu-catalogue';
import { appendProfiles, readStore } from '../../platform/profile-store';
import { queryLocalGpus } from '../../platform/device-query';
import { STORE_FLAGS, storeFromFlags } from './store-flags';
import { profileKernel, type ProfileWhere } from '../../platform/profile-kernel';
import { formatFlags, parseArgs, positiveInteger, type FlagSpec } from '../args';
import type { CliCommand, CliStreams } from '../command';
import { HARNESS_FLAGS, prepareHarness } from './harness-request';
import { runImport } from './profile-import';
import { runRetrainCommand } from './profile-retrain';

const flags: Record<string, FlagSpec> = {
  ...HARNESS_FLAGS,
  host: { type: 'string', description: 'run on this host over SSH (ssh/scp from PATH, your keys and ~/.ssh/config)' },
  port: { type: 'string', description: 'SSH port' },
  identity: { type: 'string', description: 'SSH identity file' },
  'ssh-option': { type: 'list', description: 'extra ssh -o option, e.g. StrictHostKeyChecking=accept-new' },
  slurm: { type: 'boolean', description: 'run on a SLURM cluster (srun; sbatch --array for a CUDA sweep); with --host, submitted from that login host' },
  partition: { type: 'string', description: 'SLURM partition' },
  account: { type: 'string', description: 'SLURM account' },
  time: { type: 'string', description: 'SLURM time limit (default 00:15:00)' },
  'slurm-option': { type: 'list', description: 'extra srun/sbatch option, e.g. --constraint=h100' },
  out: { type: 'string', description: 'directory for the harness (default: a new temporary directory)' },
  timeout: { type: 'string', description: 'seconds for each of build and run (default 600)' },
  'clock-policy': { type: 'string', description: '"locked" if you locked the clocks (nvidia-smi -lgc) before profiling; default "default"' },
  ...STORE_FLAGS,
  json: { type: 'boolean', description: 'print the records as JSON lines' },
  help: { type: 'boolean', description: 'show this help' },
};

const help = `usage: tilecast profile FILE --line N [--sweep] [--host H | --slurm] [options]
       tilecast profile import FILE... [--m M --n N --k K --dtype T] [--source FILE --line N]
       tilecast profile list [--json]
       tilecast profile retrain | revert

Measures the launch at line N on a real GPU and appends tilecast-profile/1 records to the profile store.

${formatFlags(flags)}
`;

/** "measured 2.10 ms vs predicted 1.92 ms, +9%" for one record (the workspace's model, else the shipped one), or why there is no prediction. */
async function comparison(record: ProfileRecord, workspace: string): Promise<string> {
  const measured = `measured ${record.runtimeMs.toPrecision(3)} ms`;
  const gpu = findGpu(record.gpu || record.gpuName);
  if (!gpu) return `${measured} (${record.gpuName} is not in the catalogue: no prediction)`;
  const { loadWorkspacePredictor, workspaceModelDir } = await import('../../platform/user-models');
  const loaded = await loadWorkspacePredictor(workspaceModelDir(workspace));
  if (!loaded.ok) return `${measured} (no prediction: ${loaded.error})`;
  const p = loaded.predictor.predict(recordToWorkload(profileToGemmRecord(record, 'measured')), gpu);
  if (!Number.isFinite(p.runtimeMs)) return `${measured} (no prediction: ${p.error ?? 'unknown'})`;
  // Signed as the notification reads: how far the measurement is from the prediction.
  const delta = (record.runtimeMs - p.runtimeMs) / p.runtimeMs;
  return `${measured} vs predicted ${p.runtimeMs.toPrecision(3)} ms, ${delta >= 0 ? '+' : ''}${(delta * 100).toFixed(0)}%`;
}

async function runProfile(argv: string[], { stdout, stderr }: CliStreams): Promise<number> {
  const parsed = parseArgs(argv, flags);
  if (!parsed.ok) {
    stderr.write(`tilecast profile: ${parsed.error}\n\n${help}`);
    return 2;
  }
  const f = parsed.args.flags;
  if (f.help) {
    stdout.write(help);
    return 0;
  }
  const timeout = positiveInteger(f.timeout as string | undefined, 'timeout');
  if (!timeout.ok) {
    stderr.write(`tilecast profile: ${timeout.error}\n`);
    return 2;
  }
  const clockPolicy = (f['clock-policy'] as string | undefined) ?? 'default';
  if (clockPolicy !== 'default' && clockPolicy !== 'locked') {
    stderr.write(`tilecast profile: --clock-policy is "default" or "locked"\n`);
    return 2;
  }
  // Here (no --host/--slurm), with neither --gpu nor --arch, build for the GPU nvidia-smi reports and label the records with it.
  // (No GPU found: unchanged, and the run's own check says what is missing.)
  const localGpus = !f.host && !f.slurm && f.gpu === undefined && (f.arch === undefined || f.arch === 'native') ? await queryLocalGpus() : [];
  const detected = localGpus[0]?.computeCapability !== undefined;
  const args = detected ? { ...parsed.args, flags: { ...f, arch: 'native' } } : parsed.args;
  const prepared = await prepareHarness(args, detected ? { localGpus: async () => localGpus } : {});
  if (!prepared.ok) {
    stderr.write(`tilecast profile: ${prepared.error}\n${prepared.usage ? `\n${help}` : ''}`);
    return prepared.usage ? 2 : 1;
  }
  const port = positiveInteger(f.port as string | undefined, 'port');
  if (!port.ok) {
    stderr.write(`tilecast profile: ${port.error}\n`);
    return 2;
  }
  const ssh = f.host
    ? {
        kind: 'ssh' as const,
        host: f.host as string,
        port: port.value,
        identityFile: f.identity as string | undefined,
        sshOptions: f['ssh-option'] as string[] | undefined,
      }
    : undefined;
  const where: ProfileWhere = f.slurm
    ? {
        kind: 'slurm',
        via: ssh,
        slurm: {
          partition: f.partition as string | undefined,
          account: f.account as string | undefined,
          time: (f.time as string | undefined) ?? '00:15:00',
          options: f['slurm-option'] as string[] | undefined,
        },
      }
    : (ssh ?? { kind: 'local' });
  const harnessDir = resolve((f.out as string | undefined) ?? mkdtempSync(join(tmpdir(), 'tilecast-profile-')));
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  const timeoutMs = (timeout.value ?? 600) * 1000;
  let result: Awaited<ReturnType<typeof profileKernel>>;
  try {
    result = await profileKernel(
      {
        bundle: prepared.result.bundle,
        harnessDir,
        sourcePath: prepared.path,
        included: prepared.included,
        where,
        buildTimeoutMs: timeoutMs,
        runTimeoutMs: timeoutMs,
        harnessArgs: clockPolicy === 'locked' ? ['--clock-policy', 'locked'] : [],
      },
      {
        signal: controller.signal,
        onProgress: (p) => stderr.write(`tilecast profile: ${p.message}\n`),
        onLog: (line) => stderr.write(`  ${line}\n`),
      },
    );
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  for (const s of result.skipped) stderr.write(`tilecast profile: skipped ${s}\n`);
  for (const i of result.issues) stderr.write(`tilecast profile: not a record: ${i}\n`);
  if (!result.ok) {
    stderr.write(`tilecast profile: ${result.error}\n`);
    return 1;
  }
  const failed = result.records.filter((x) => x.check === 'failed');
  for (const r of failed) {
    stderr.write(
      `tilecast profile: ${r.kernelName ?? ''} ${JSON.stringify(r.params)} failed the result check (error ${r.checkMaxError ?? '?'} x sqrt(K)): stored marked failed, never used for retraining; fix the kernel or its --arg values\n`,
    );
  }
  if (result.records.length > 0) {
    const store = storeFromFlags(f);
    const { file } = appendProfiles(store, result.records);
    stderr.write(`tilecast profile: ${result.records.length} record(s) appended to ${join(store.dir, file)}\n`);
  }
  for (const r of result.records) {
    if (f.json) stdout.write(`${JSON.stringify(r)}\n`);
    else
      stdout.write(
        `${r.kernelName ?? prepared.result.kernelName} ${JSON.stringify(r.params)} on ${r.gpuName}: ${await comparison(r, resolve((f.workspace as string | undefined) ?? process.cwd()))}${r.powerW ? `, ${r.powerW.toFixed(0)} W, ${r.energyMj?.toPrecision(3) ?? '?'} mJ per launch` : ''}\n`,
      );
  }
  return failed.length === 0 ? 0 : 3;
}

async function runList(argv: string[], { stdout, stderr }: CliStreams): Promise<number> {
  const parsed = parseArgs(argv, { ...STORE_FLAGS, json: { type: 'boolean', description: 'JSON lines' } });
  if (!parsed.ok) {
    stderr.write(`tilecast profile list: ${parsed.error}\n`);
    return 2;
  }
  const store = storeFromFlags(parsed.args.flags);
  const contents = readStore(store);
  for (const p of contents.problems) stderr.write(`tilecast profile list: ${p}\n`);
  if (parsed.args.flags.json) {
    stdout.write(contents.jsonl);
    return 0;
  }
  stdout.write(`${store.dir}: ${contents.batches.length} batch(es), ${contents.batches.reduce((s, b) => s + b.lines.length, 0)} record(s)\n`);
  for (const b of contents.batches)
    for (const line of b.lines) {
      const r = JSON.parse(line) as ProfileRecord;
      stdout.write(
        `  ${r.timestamp} ${r.gpuName} ${r.kernel} ${r.kernelName ?? ''} ${r.m}x${r.n}x${r.k} ${r.dtype} ${JSON.stringify(r.params)} ${r.runtimeMs.toPrecision(4)} ms${r.powerW ? ` ${r.powerW.toFixed(0)} W` : ''}${r.check === 'failed' ? ' [check FAILED: not used for retraining]' : ''}\n`,
      );
    }
  return 0;
}

export const command: CliCommand = {
  name: 'profile',
  summary: 'measure a kernel launch on a real GPU (here, over SSH, on SLURM); import, list, retrain',
  async run(argv, streams) {
    const [sub, ...rest] = argv;
    if (sub === 'import') return runImport(rest, streams);
    if (sub === 'list') return runList(rest, streams);
    if (sub === 'retrain' || sub === 'revert') return runRetrainCommand(sub, rest, streams);
    return runProfile(argv, streams);
  },
};
