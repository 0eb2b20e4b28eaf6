// Profiles a kernel for real: writes the generated harness directory, checks that the tools it needs are
// there, builds and runs it here, over SSH, or on a SLURM cluster (srun for one configuration, sbatch
// --array for a CUDA sweep, gathering the job's output files), and parses the tilecast-profile/1 lines.
// Every process has a timeout and dies on cancel; the remote directory is removed afterwards. The editor
// calls profileKernel() with progress callbacks and an AbortSignal (docs/profiling.md).
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseProfileJsonl, type ProfileRecord } from '../data/profile-record';
import { resolveGpuId } from '../data/gpu-id';
import { shellQuote } from '../profile/cuda-harness';
import { localIncludes, type HarnessBundle } from '../profile/index';
import { describeFailure, runProcess, type ProcessResult } from './process-runner';
import { LocalExecutor, SshExecutor, type Executor, type RunOptions, type SshTarget } from './profile-targets';

export interface SlurmOptions {
  partition?: string;
  account?: string;
  /** Time limit, SLURM syntax ("00:10:00"). */
  time?: string;
  /** Default "gpu:1". */
  gres?: string;
  /** Further sbatch/srun options, each one argument ("--constraint=h100"). */
  options?: string[];
  /** squeue polling interval; default 10 s. */
  pollMs?: number;
}

export type ProfileWhere = { kind: 'local' } | SshTarget | { kind: 'slurm'; slurm: SlurmOptions; via?: SshTarget };

export interface ProfileKernelOptions {
  bundle: HarnessBundle;
  /** Local directory to write the harness to (created). */
  harnessDir: string;
  /** The user's file, to copy the headers it includes with quotes beside the harness. */
  sourcePath?: string;
  /** The headers the analysis read (CUDA), copied beside the harness too (writeHarness). */
  included?: readonly { name: string; path: string }[];
  where: ProfileWhere;
  /** Passed to every harness (e.g. ["--clock-policy", "locked"]). */
  harnessArgs?: string[];
  buildTimeoutMs?: number;
  runTimeoutMs?: number;
}

export interface ProfileProgress {
  stage: 'prepare' | 'upload' | 'build' | 'run' | 'queue' | 'collect' | 'cleanup';
  message: string;
}

export interface ProfileCallbacks {
  onProgress?: (progress: ProfileProgress) => void;
  /** Every line of the tools' output (build log, harness diagnostics), for the output channel. */
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}

export interface ProfileRunResult {
  ok: boolean;
  records: ProfileRecord[];
  /** Harness output lines that were not valid records. */
  issues: string[];
  /** Configurations skipped (illegal at generation, failed to build or launch) with the reason. */
  skipped: string[];
  error?: string;
  cancelled?: boolean;
}

const MINUTE = 60_000;

/**
 * Writes the bundle's files to `dir`, and beside them the user's quoted local includes and the headers the
 * analysis read (`included`, CUDA: the harness compiles the user's file, which includes them): one under
 * the file's folder at the same relative path, one found in an include folder under the name it was
 * included by (the harness builds with `-I .`).
 */
export function writeHarness(bundle: HarnessBundle, dir: string, sourcePath?: string, included: readonly { name: string; path: string }[] = []): void {
  mkdirSync(dir, { recursive: true });
  for (const file of bundle.files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
    if (file.executable) chmodSync(path, 0o755);
  }
  if (!sourcePath || bundle.language !== 'cuda') return;
  const home = dirname(resolve(sourcePath));
  const sourceText = bundle.files.find((f) => f.path === 'kernel.cu' || f.path.endsWith('/kernel.cu'))?.text ?? '';
  const copies = new Map<string, string>();
  for (const name of localIncludes(sourceText)) copies.set(name, resolve(home, name));
  for (const header of included) {
    const within = relative(home, header.path);
    const name = within && !within.startsWith('..') && !isAbsolute(within) ? within : header.name;
    if (!isAbsolute(name) && !name.split(/[\\/]/).includes('..')) copies.set(name, header.path);
  }
  for (const [name, from] of copies) {
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    copyFileSync(from, join(dir, name));
  }
}

const WHERE_ELSE =
  'Profile on another machine with `--host user@gpu-box` (setting tilecast.profile.host) or on a SLURM cluster with `--slurm` (settings tilecast.profile.slurm.*).';

/** Runs one argument vector where the harness will run (this machine, or the SSH host). */
export type ToolRunner = (argv: readonly string[], timeoutMs: number) => Promise<ProcessResult>;

const localRunner =
  (signal?: AbortSignal): ToolRunner =>
  (argv, timeoutMs) =>
    runProcess(argv[0], argv.slice(1), { timeoutMs, signal });

/**
 * What is missing to run the bundle `on` ("this machine", "gpu-box (ssh)"), or null. Looks for
 * nvidia-smi listing a GPU, then nvcc (CUDA) or python3 with torch and triton (Triton).
 */
export async function missingTools(bundle: HarnessBundle, run: ToolRunner, on = 'this machine'): Promise<string | null> {
  const smi = await run(['nvidia-smi', '-L'], 15_000);
  const notFound = (r: ProcessResult): boolean => r.startError !== undefined || r.code === 127;
  if (smi.code !== 0 || !/GPU \d+:/.test(smi.stdout)) {
    const why = notFound(smi)
      ? 'nvidia-smi is not on PATH'
      : smi.code !== 0
        ? `nvidia-smi failed (${(smi.stderr || smi.stdout).trim().split('\n')[0] || `exit ${smi.code}`})`
        : 'nvidia-smi lists no GPU';
    return `No NVIDIA GPU on ${on}: ${why}. ${WHERE_ELSE}`;
  }
  if (bundle.language === 'cuda') {
    const nvcc = await run(['nvcc', '--version'], 15_000);
    if (nvcc.code !== 0) return `No CUDA compiler on ${on}: nvcc is not on PATH (install the CUDA toolkit or add its bin/ to PATH). ${WHERE_ELSE}`;
  } else {
    const py = await run(['python3', '-c', 'import torch, triton'], 60_000);
    if (py.code !== 0)
      return `No Python with Triton on ${on}: \`python3 -c "import torch, triton"\` ${notFound(py) ? 'found no python3' : 'failed'}. ${WHERE_ELSE}`;
  }
  return null;
}

/** missingTools on this machine. */
export function missingLocalTools(bundle: HarnessBundle, signal?: AbortSignal): Promise<string | null> {
  return missingTools(bundle, localRunner(signal));
}

function jobScript(bundle: HarnessBundle, harnessArgs: readonly string[]): string {
  const build = bundle.build ? `${bundle.build.map(shellQuote).join(' ')} || exit 1\n` : '';
  return `#!/bin/sh\n# Generated by TileCast: builds and runs the harness inside a SLURM allocation.\n${build}exec ${[...bundle.run, ...harnessArgs].map(shellQuote).join(' ')}\n`;
}

function arrayScript(bundle: HarnessBundle, harnessArgs: readonly string[]): string {
  const arch = bundle.build?.find((a) => a.startsWith('ARCH=')) ?? 'ARCH=sm_90';
  return [
    '#!/bin/sh',
    '# Generated by TileCast: task i of the job array builds and runs configuration i of the sweep.',
    `set -- ${bundle.configs.map((c) => shellQuote(c.dir)).join(' ')}`,
    'shift "${SLURM_ARRAY_TASK_ID:?not in a job array}"',
    'dir="$1"',
    `make "$dir/harness" ${shellQuote(arch)} >&2 || { echo "tilecast-harness: $dir skipped: it did not build" >&2; exit 1; }`,
    `exec "$dir/harness" ${harnessArgs.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

function slurmFlags(s: SlurmOptions): string[] {
  const flags: string[] = [];
  if (s.partition) flags.push(`--partition=${s.partition}`);
  if (s.account) flags.push(`--account=${s.account}`);
  if (s.time) flags.push(`--time=${s.time}`);
  flags.push(`--gres=${s.gres ?? 'gpu:1'}`, '--job-name=tilecast-profile', ...(s.options ?? []));
  return flags;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** Builds, runs and parses; see the file header. Never throws for tool failures: the result says what happened. */
export async function profileKernel(options: ProfileKernelOptions, callbacks: ProfileCallbacks = {}): Promise<ProfileRunResult> {
  const { bundle, where } = options;
  const { signal } = callbacks;
  const progress = (stage: ProfileProgress['stage'], message: string): void => callbacks.onProgress?.({ stage, message });
  const log = (line: string): void => callbacks.onLog?.(line);
  const buildTimeoutMs = options.buildTimeoutMs ?? 10 * MINUTE;
  const runTimeoutMs = options.runTimeoutMs ?? 10 * MINUTE;
  const harnessArgs = options.harnessArgs ?? [];
  const stdoutLines: string[] = [];
  const skipped = bundle.skipped.map((s) => `${s.label}: ${s.reason}`);
  const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
    if (stream === 'stdout' && line.trimStart().startsWith('{')) stdoutLines.push(line);
    else log(line);
    const skip = /^tilecast-harness: (.*skipped.*)$/.exec(line);
    if (skip) skipped.push(skip[1]);
  };
  const fail = (error: string, cancelled = false): ProfileRunResult => ({ ok: false, records: [], issues: [], skipped, error, cancelled });

  progress('prepare', `writing the harness to ${options.harnessDir}`);
  const slurm = where.kind === 'slurm' ? where : null;
  const useArray = slurm !== null && bundle.language === 'cuda' && bundle.configs.length > 1;
  const jobFile = slurm
    ? [
        {
          path: useArray ? 'tilecast-array.sh' : 'tilecast-job.sh',
          text: useArray ? arrayScript(bundle, harnessArgs) : jobScript(bundle, harnessArgs),
          executable: true,
        },
      ]
    : [];
  writeHarness({ ...bundle, files: [...bundle.files, ...jobFile] }, options.harnessDir, options.sourcePath, options.included);
  if (where.kind === 'local') {
    const missing = await missingLocalTools(bundle, signal);
    if (signal?.aborted) return fail('cancelled', true);
    if (missing) return fail(missing);
  }
  const remote = where.kind === 'ssh' ? where : slurm?.via;
  const executor: Executor = remote ? new SshExecutor(remote) : new LocalExecutor();
  try {
    progress('upload', `copying the harness to ${executor.describe}`);
    const placed = await executor.put(options.harnessDir, { timeoutMs: 5 * MINUTE, signal });
    if (!placed.ok) return fail(placed.error, signal?.aborted);
    const cwd = placed.dir;
    const run = (argv: readonly string[], timeoutMs: number, extra: Partial<RunOptions> = {}) =>
      executor.run(argv, cwd, { timeoutMs, signal, onLine, ...extra });
    if (where.kind === 'ssh') {
      // The same check as on this machine, on the host (a SLURM login node has no GPU: not checked there).
      const missing = await missingTools(bundle, (argv, timeoutMs) => executor.run(argv, cwd, { timeoutMs, signal }), executor.describe);
      if (signal?.aborted) return fail('cancelled', true);
      if (missing) return fail(missing);
    }
    if (!slurm) {
      if (bundle.build) {
        progress('build', `building on ${executor.describe}: ${bundle.build.join(' ')}`);
        const built = await run(bundle.build, buildTimeoutMs);
        if (built.code !== 0 && !(bundle.configs.length > 1 && built.code !== null))
          return fail(describeFailure('build', built, buildTimeoutMs), built.cancelled);
      }
      progress('run', `running on ${executor.describe} (${bundle.configs.length} configuration${bundle.configs.length === 1 ? '' : 's'})`);
      const ran = await run([...bundle.run, ...harnessArgs], runTimeoutMs);
      if (ran.cancelled || ran.timedOut || ran.startError) return fail(describeFailure('harness', ran, runTimeoutMs), ran.cancelled);
    } else if (!useArray) {
      progress('queue', 'srun: waiting for a GPU allocation');
      const ran = await run(['srun', ...slurmFlags(slurm.slurm), 'sh', 'tilecast-job.sh'], buildTimeoutMs + runTimeoutMs);
      if (ran.cancelled || ran.timedOut || ran.startError) return fail(describeFailure('srun', ran, buildTimeoutMs + runTimeoutMs), ran.cancelled);
    } else {
      const collected = await runArray(slurm.slurm, bundle, run, progress, signal, buildTimeoutMs + runTimeoutMs);
      if (collected.error) return fail(collected.error, signal?.aborted);
      for (const line of collected.lines) onLine(line, line.trimStart().startsWith('{') ? 'stdout' : 'stderr');
    }
    const parsed = parseProfileJsonl(stdoutLines.join('\n'), 'harness output');
    const records = parsed.profiles.map((p) => (p.gpu === '' ? { ...p, gpu: resolveGpuId(p.gpuName) ?? '' } : p));
    const issues = parsed.issues.map((i) => `line ${i.where}: ${i.reason}`);
    if (records.length === 0)
      return {
        ok: false,
        records,
        issues,
        skipped,
        error: `the harness printed no tilecast-profile/1 record${issues.length ? ` (${issues[0]})` : ''}; see the log`,
      };
    return { ok: true, records, issues, skipped };
  } finally {
    progress('cleanup', `cleaning up on ${executor.describe}`);
    await executor.cleanup();
  }
}

type RunFn = (argv: readonly string[], timeoutMs: number, extra?: Partial<RunOptions>) => ReturnType<Executor['run']>;

/** sbatch --array, poll squeue until the job has left the queue, check sacct, read every task's output file. */
async function runArray(
  s: SlurmOptions,
  bundle: HarnessBundle,
  run: RunFn,
  progress: (stage: ProfileProgress['stage'], message: string) => void,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<{ lines: string[]; error?: string }> {
  const n = bundle.configs.length;
  const quiet = { onLine: undefined };
  const submitted = await run(
    ['sbatch', '--parsable', `--array=0-${n - 1}`, '--output=slurm-%A_%a.out', '--error=slurm-%A_%a.err', ...slurmFlags(s), 'tilecast-array.sh'],
    2 * MINUTE,
    quiet,
  );
  const jobId = /^(\d+)/.exec(submitted.stdout.trim())?.[1];
  if (submitted.code !== 0 || !jobId) return { lines: [], error: describeFailure('sbatch', submitted, 2 * MINUTE) };
  progress('queue', `job array ${jobId} (${n} tasks) submitted`);
  const started = Date.now();
  try {
    for (;;) {
      if (signal?.aborted) return { lines: [], error: 'cancelled' };
      if (Date.now() - started > timeoutMs) return { lines: [], error: `job array ${jobId} did not finish within ${Math.round(timeoutMs / 1000)} s` };
      const queued = await run(['squeue', '-h', '-j', jobId, '-o', '%T'], MINUTE, quiet);
      if (queued.code !== 0 && !/Invalid job id/i.test(queued.stderr)) return { lines: [], error: describeFailure('squeue', queued, MINUTE) };
      const states = queued.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      if (states.length === 0) break;
      progress('queue', `job array ${jobId}: ${states.length} task(s) ${[...new Set(states)].join('/').toLowerCase()}`);
      await sleep(s.pollMs ?? 10_000, signal);
    }
  } finally {
    if (signal?.aborted) await run(['scancel', jobId], MINUTE, { ...quiet, signal: undefined });
  }
  progress('collect', `collecting the output of job array ${jobId}`);
  const lines: string[] = [];
  const accounting = await run(['sacct', '-j', jobId, '-n', '-P', '-o', 'JobID,State,ExitCode'], MINUTE, quiet);
  const failed = new Map<number, string>();
  for (const row of accounting.stdout.split('\n')) {
    const [id, state, exit] = row.trim().split('|');
    const task = new RegExp(`^${jobId}_(\\d+)$`).exec(id ?? '');
    if (task && state && state !== 'COMPLETED') failed.set(Number(task[1]), `${state} (exit ${exit})`);
  }
  for (let i = 0; i < n; i++) {
    const out = await run(['cat', `slurm-${jobId}_${i}.out`], MINUTE, quiet);
    lines.push(...out.stdout.split('\n').filter(Boolean));
    const err = await run(['cat', `slurm-${jobId}_${i}.err`], MINUTE, quiet);
    lines.push(...err.stdout.split('\n').filter(Boolean));
    if (failed.has(i)) lines.push(`tilecast-harness: ${bundle.configs[i].dir} (${bundle.configs[i].label}) skipped: task ${failed.get(i)}`);
  }
  return { lines };
}
