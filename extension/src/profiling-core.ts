// The editor's profiling commands without the editor: which commands need workspace trust, the argument
// arrays for the bundled CLI (dist/cli.js profile …), reading its output, the result notification and
// the rows of "Show my profiles". Plain data in and out; no 'vscode', no I/O, so unit tests cover it.
import { validateProfileRecord, type ProfileRecord } from '../../server/src/data/profile-record';

/** The `tilecast.profile.*` settings, as profiling-commands.ts reads them. */
export interface ProfileSettings {
  /** SSH destination (`user@gpu-box`, a ~/.ssh/config alias); empty = this machine (or SLURM from here). */
  host: string;
  port: number | null;
  identityFile: string;
  /** Extra `ssh -o` options, each `Key=Value`. */
  sshOptions: string[];
  slurm: { enabled: boolean; partition: string; account: string; time: string; options: string[] };
  /** 'workspace': <folder>/.tilecast/profiles; 'global': ~/.tilecast/profiles. */
  store: 'workspace' | 'global';
  clockPolicy: 'default' | 'locked';
  /** Limit for each of build and run. */
  timeoutSeconds: number;
}

export const DEFAULT_PROFILE_SETTINGS: ProfileSettings = {
  host: '',
  port: null,
  identityFile: '',
  sshOptions: [],
  slurm: { enabled: false, partition: '', account: '', time: '00:15:00', options: [] },
  store: 'workspace',
  clockPolicy: 'default',
  timeoutSeconds: 600,
};

export type ProfilingCommand = 'profile' | 'sweep' | 'retrain' | 'revert' | 'import' | 'showProfiles';

/**
 * Profile and Sweep build the user's kernel and run it, so they need a trusted workspace. The others
 * run only TileCast's own code on measurement files (import parses, retrain fits the model, show reads
 * the store), so they stay available; the workspace's model is ignored by an untrusted server anyway.
 */
export function trustRefusal(command: ProfilingCommand, trusted: boolean): string | null {
  if (trusted || (command !== 'profile' && command !== 'sweep')) return null;
  const what = command === 'sweep' ? 'A tile sweep' : 'Profiling';
  return `TileCast: ${what} compiles the kernel from this workspace and runs it on a GPU, so it is disabled until you trust the workspace (Manage Workspace Trust).`;
}

function storeArgs(workspace: string | undefined, settings: ProfileSettings): string[] {
  if (settings.store === 'global') return ['--global'];
  return workspace ? ['--workspace', workspace] : ['--global'];
}

/** Where the run goes: `--host …` and/or `--slurm …` from the settings (nothing: this machine). */
export function whereArgs(settings: ProfileSettings): string[] {
  const args: string[] = [];
  const host = settings.host.trim();
  if (host) {
    args.push('--host', host);
    if (settings.port) args.push('--port', String(settings.port));
    if (settings.identityFile.trim()) args.push('--identity', settings.identityFile.trim());
    for (const option of settings.sshOptions) if (option.trim()) args.push('--ssh-option', option.trim());
  }
  const s = settings.slurm;
  if (s.enabled) {
    args.push('--slurm');
    if (s.partition.trim()) args.push('--partition', s.partition.trim());
    if (s.account.trim()) args.push('--account', s.account.trim());
    if (s.time.trim()) args.push('--time', s.time.trim());
    // `--slurm-option=--constraint=h100`: the = form, so a value starting with '-' is not read as a flag.
    for (const option of s.options) if (option.trim()) args.push(`--slurm-option=${option.trim()}`);
  }
  return args;
}

/** Human words for where a run goes, for the progress title. */
export function describeWhere(settings: ProfileSettings): string {
  const host = settings.host.trim();
  if (settings.slurm.enabled) return `SLURM${settings.slurm.partition.trim() ? ` (${settings.slurm.partition.trim()})` : ''}${host ? ` via ${host}` : ''}`;
  return host ? host : 'this machine';
}

export interface ProfileRequest {
  /** File system path of the source file. */
  file: string;
  /** 0-based editor line of the cursor or code lens. */
  line: number;
  sweep: boolean;
  workspace: string | undefined;
  /** Catalogue id of the GPU to build for (-arch); omitted: `--arch native` (the GPU that runs it). */
  gpuId?: string;
  /** Absolute folders of `tilecast.includePaths`: where the analysis found the file's headers (or Triton modules). */
  includeDirs?: readonly string[];
  /** Absolute folder of `tilecast.compileCommandsDir`, when set. */
  compileCommandsDir?: string;
}

/** `profile FILE --line N [--sweep] [where] [store] --json` for dist/cli.js. */
export function profileArgs(request: ProfileRequest, settings: ProfileSettings): string[] {
  const args = ['profile', request.file, '--line', String(request.line + 1)];
  if (request.sweep) args.push('--sweep');
  args.push(...(request.gpuId ? ['--gpu', request.gpuId] : ['--arch', 'native']));
  for (const dir of request.includeDirs ?? []) args.push('--include', dir);
  if (request.compileCommandsDir) args.push('--compile-commands-dir', request.compileCommandsDir);
  args.push(...whereArgs(settings));
  args.push('--timeout', String(Math.max(1, Math.round(settings.timeoutSeconds))));
  if (settings.clockPolicy === 'locked') args.push('--clock-policy', 'locked');
  args.push(...storeArgs(request.workspace, settings), '--json');
  return args;
}

export interface ImportRequest {
  files: string[];
  workspace: string | undefined;
  /** The kernel the measurements belong to (gives ncu tables their problem size), when an editor is open. */
  source?: { file: string; line: number };
  size?: { m: number; n: number; k: number };
}

/** `profile import FILE... [--source F --line N | --m --n --k] [store]`. */
export function importArgs(request: ImportRequest, settings: ProfileSettings): string[] {
  const args = ['profile', 'import', ...request.files];
  if (request.size) args.push('--m', String(request.size.m), '--n', String(request.size.n), '--k', String(request.size.k));
  else if (request.source) args.push('--source', request.source.file, '--line', String(request.source.line + 1));
  args.push(...storeArgs(request.workspace, settings));
  return args;
}

/** True when an import needs a problem size (ncu tables do not hold it; Kernel Tuner caches are named by their file). */
export function importNeedsSize(files: readonly string[]): boolean {
  return files.some((f) => !/\.json(\.gz)?$/i.test(f));
}

export function retrainArgs(workspace: string | undefined, settings: ProfileSettings): string[] {
  return ['profile', 'retrain', ...(workspace ? ['--workspace', workspace] : []), ...(settings.store === 'global' ? ['--global'] : []), '--json'];
}

export function revertArgs(workspace: string): string[] {
  return ['profile', 'revert', '--workspace', workspace];
}

/** The records of `profile --json` stdout (one JSON object a line); anything else is returned as an issue. */
export function parseRecordLines(stdout: string): { records: ProfileRecord[]; issues: string[] } {
  const records: ProfileRecord[] = [];
  const issues: string[] = [];
  for (const [i, line] of stdout.split('\n').entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      issues.push(`line ${i + 1}: not JSON`);
      continue;
    }
    const checked = validateProfileRecord(value);
    if (checked.ok) records.push(checked.value);
    else issues.push(`line ${i + 1}: ${checked.reason}`);
  }
  return { records, issues };
}

/** The JSON document `profile retrain --json` prints on stdout (its progress goes to stderr); null when stdout is not one JSON value. */
export function parseRetrainAnswer(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    return null;
  }
}

/** `tilecast profile retrain: 40% fitting …` → { fraction: 0.4, message }. */
export function parseRetrainProgress(line: string): { fraction: number; message: string } | null {
  const m = /^tilecast profile retrain: (\d{1,3})% (.*)$/.exec(line.trim());
  return m ? { fraction: Math.min(1, Number(m[1]) / 100), message: m[2] } : null;
}

/** The last `tilecast profile: …` line of the CLI's stderr: the reason a run failed. */
export function lastCliError(stderrLines: readonly string[]): string | null {
  for (let i = stderrLines.length - 1; i >= 0; i--) {
    const m = /^tilecast profile(?: \w+)?: (.*)$/.exec(stderrLines[i].trim());
    if (m) return m[1];
  }
  return null;
}

/** True when the failure is the no-GPU/no-toolchain message of platform/profile-kernel.ts (offer host/SLURM settings). */
export function isMissingGpuMessage(message: string): boolean {
  return /^No (NVIDIA GPU|CUDA compiler|Python with Triton) on this machine/.test(message);
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** "measured 2.10 ms vs predicted 1.92 ms, +9%" (the sign says how far the measurement is above the prediction). */
export function formatComparison(measuredMs: number, predictedMs: number | null, why?: string): string {
  const measured = `measured ${ms(measuredMs)} ms`;
  if (predictedMs === null || !Number.isFinite(predictedMs) || predictedMs <= 0) return `${measured}${why ? ` (no prediction: ${why})` : ''}`;
  const delta = Math.round(((measuredMs - predictedMs) / predictedMs) * 100);
  return `${measured} vs predicted ${ms(predictedMs)} ms, ${delta >= 0 ? '+' : ''}${delta}%`;
}

/** A record's tile values as one label: "BM=64 BN=64 BK=8" (params in their recorded order). */
export function paramsLabel(params: Record<string, number>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** The notification for a finished run: one record, or the best of a sweep. */
export function summariseRun(records: readonly ProfileRecord[], predicted: ReadonlyArray<{ runtimeMs: number | null; error?: string } | null>): string {
  if (records.length === 0) return 'TileCast: no measurement.';
  const gpu = records[0].gpuName;
  if (records.length === 1) {
    const p = predicted[0];
    return `TileCast: ${records[0].kernelName ?? 'kernel'} on ${gpu}: ${formatComparison(records[0].runtimeMs, p?.runtimeMs ?? null, p?.error)}`;
  }
  let best = 0;
  for (let i = 1; i < records.length; i++) if (records[i].runtimeMs < records[best].runtimeMs) best = i;
  const p = predicted[best];
  return `TileCast: ${records.length} configurations measured on ${gpu}; fastest ${paramsLabel(records[best].params) || 'configuration'}: ${formatComparison(records[best].runtimeMs, p?.runtimeMs ?? null, p?.error)}`;
}

/** Measured cells of a tile sweep: the records on the sweep's GPU that set both axes (the fastest where several do). */
export function measuredSweepCells(
  records: readonly ProfileRecord[],
  sweep: { gpuId: string; xName: string; yName: string; kernelName?: string; m?: number; n?: number; k?: number },
): Array<{ x: number; y: number; timeMs: number }> {
  const cells = new Map<string, { x: number; y: number; timeMs: number }>();
  for (const r of records) {
    if (r.check === 'failed' || r.gpu !== sweep.gpuId) continue;
    if (sweep.kernelName && r.kernelName && r.kernelName !== sweep.kernelName) continue;
    if ((sweep.m && r.m !== sweep.m) || (sweep.n && r.n !== sweep.n) || (sweep.k && r.k !== sweep.k)) continue;
    const x = r.params[sweep.xName];
    // A one-parameter sweep has no y parameter (yName ''): its single row is y = 1 (ide/chart-data.ts).
    const y = sweep.yName === '' ? 1 : r.params[sweep.yName];
    if (x === undefined || y === undefined) continue;
    const key = `${x},${y}`;
    const old = cells.get(key);
    if (!old || r.runtimeMs < old.timeMs) cells.set(key, { x, y, timeMs: r.runtimeMs });
  }
  return [...cells.values()];
}
