// Runs a compiler or tool (nvcc, ptxas, cu++filt) with a timeout and a memory limit, from an argument
// array and never through a shell. The memory limit is the address-space limit (RLIMIT_AS) that util-linux's
// `prlimit --as=BYTES -- FILE ARGS...` sets before it execs FILE; FILE's children (cicc, ptxas) inherit it.
// It must not decide what to run or parse what the tool prints.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Default address-space limit per compiler process: 8 GiB. A simple kernel compiles under 160 MiB
 * (measured: `prlimit --as` on examples/tiled_matmul.cu with nvcc 13.0 fails at 128 MiB, works at 160 MiB);
 * the default leaves fifty times that for heavily templated translation units (not measured here) while a
 * runaway instantiation still stops long before it takes a developer machine's memory.
 */
export const DEFAULT_MEMORY_LIMIT_BYTES = 8 * 1024 ** 3;

let prlimitCache: { path: string; found: string | undefined } | undefined;

/** The executable `name` in a directory of `searchPath` (default $PATH), or undefined. */
export function findOnPath(name: string, searchPath: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function defaultPrlimit(): string | undefined {
  const path = process.env.PATH ?? '';
  if (prlimitCache?.path !== path) prlimitCache = { path, found: findOnPath('prlimit', path) };
  return prlimitCache.found;
}

export interface LimitedCommand {
  file: string;
  args: string[];
  /** The limit that applies, or undefined when none does (none asked for, or no prlimit on this system). */
  memoryLimitBytes: number | undefined;
}

/**
 * The command line that runs `file args` under `memoryLimitBytes`: `prlimit --as=BYTES -- file args...`.
 * Unchanged (and no limit) when no limit is asked for (undefined or 0) or there is no prlimit (`prlimitPath` null;
 * by default prlimit is looked up on $PATH).
 */
export function withMemoryLimit(
  file: string,
  args: readonly string[],
  memoryLimitBytes: number | undefined,
  prlimitPath: string | null = defaultPrlimit() ?? null,
): LimitedCommand {
  const bytes = memoryLimitBytes !== undefined && Number.isFinite(memoryLimitBytes) && memoryLimitBytes > 0 ? Math.floor(memoryLimitBytes) : undefined;
  if (bytes === undefined || !prlimitPath) return { file, args: [...args], memoryLimitBytes: undefined };
  return { file: prlimitPath, args: [`--as=${bytes}`, '--', file, ...args], memoryLimitBytes: bytes };
}

export interface LimitedRunOptions {
  timeoutMs: number;
  /** Address-space limit in bytes; undefined or 0 = none. */
  memoryLimitBytes?: number;
  /** Where prlimit is (null: none); default: found on $PATH. */
  prlimitPath?: string | null;
  maxBufferBytes?: number;
}

export interface LimitedRunResult {
  /** Exit code; null when killed by a signal or not started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The program was not found (by us, or by prlimit). */
  notFound: boolean;
  timedOut: boolean;
  /** The limit was in force and the run failed the way a failed allocation fails (see below). */
  outOfMemory: boolean;
  memoryLimitBytes: number | undefined;
  /** Any other failure to start or run, as a message. */
  failure?: string;
}

/** How tools die when an allocation fails under RLIMIT_AS: a message (cicc: "catastrophic error: out of memory") or a crash. */
const OUT_OF_MEMORY_TEXT = /out of memory|bad_alloc|cannot allocate memory|memory exhausted|allocation failed|mmap failed/i;
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGKILL']);

type ExecError = NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals | null };

/** Runs `file args` with a timeout and (where prlimit exists) a memory limit. Never rejects. */
export function runLimited(file: string, args: readonly string[], options: LimitedRunOptions): Promise<LimitedRunResult> {
  const command = withMemoryLimit(file, args, options.memoryLimitBytes, options.prlimitPath === undefined ? (defaultPrlimit() ?? null) : options.prlimitPath);
  return new Promise((resolve) => {
    execFile(
      command.file,
      command.args,
      { timeout: options.timeoutMs, maxBuffer: options.maxBufferBytes ?? 16 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        const failure = error as ExecError | null;
        const out = String(stdout);
        const err = String(stderr);
        // execFile's error carries the exit code as a number in `code` (an errno string when it could not start).
        const rawCode: unknown = failure?.code;
        const code: number | null = failure ? (typeof rawCode === 'number' ? rawCode : null) : 0;
        const signal = failure?.signal ?? null;
        // prlimit exits 127 with "failed to execute FILE" when FILE cannot be run.
        const notFound = failure?.code === 'ENOENT' || (command.memoryLimitBytes !== undefined && code === 127 && /failed to execute/.test(err));
        const timedOut = failure?.killed === true;
        const outOfMemory =
          command.memoryLimitBytes !== undefined &&
          failure !== null &&
          !timedOut &&
          !notFound &&
          ((signal !== null && CRASH_SIGNALS.has(signal)) ||
            code === 128 + 11 ||
            code === 128 + 6 ||
            OUT_OF_MEMORY_TEXT.test(err) ||
            OUT_OF_MEMORY_TEXT.test(out));
        resolve({
          code,
          signal,
          stdout: out,
          stderr: err,
          notFound,
          timedOut,
          outOfMemory,
          memoryLimitBytes: command.memoryLimitBytes,
          failure: failure && typeof rawCode !== 'number' && !notFound && !timedOut && signal === null ? failure.message : undefined,
        });
      },
    );
  });
}

/** "8 GiB", "64 MiB": a limit as the user would write it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MiB`;
  return `${bytes} bytes`;
}
