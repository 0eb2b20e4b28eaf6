// Runs one external program for profiling (nvcc, make, ssh, scp, srun, sbatch, the harness) with an
// argument array, a timeout and cancellation: the program gets its own process group, and a timeout or
// an aborted signal kills the whole group (TERM, then KILL after a grace period). Never a shell string.
import { spawn } from 'node:child_process';

export interface ProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with each complete line of output as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface ProcessResult {
  /** Exit code; null when killed or not started. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
  /** Set when the program could not be started (e.g. 'not found'). */
  startError?: string;
}

const GRACE_MS = 2000;
const MAX_CAPTURE = 16 * 1024 * 1024;

export function runProcess(command: string, args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const result: ProcessResult = { code: null, stdout: '', stderr: '', timedOut: false, cancelled: false };
    if (options.signal?.aborted) {
      resolve({ ...result, cancelled: true });
      return;
    }
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    let finished = false;
    const partial = { stdout: '', stderr: '' };
    const kill = (): void => {
      if (child.pid === undefined) return;
      const group = (sig: NodeJS.Signals): void => {
        try {
          if (process.platform !== 'win32') process.kill(-child.pid!, sig);
          else child.kill(sig);
        } catch {
          /* already gone */
        }
      };
      group('SIGTERM');
      setTimeout(() => group('SIGKILL'), GRACE_MS).unref();
    };
    const timer = setTimeout(() => {
      if (!finished) {
        result.timedOut = true;
        kill();
      }
    }, options.timeoutMs);
    const onAbort = (): void => {
      if (!finished) {
        result.cancelled = true;
        kill();
      }
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const take =
      (stream: 'stdout' | 'stderr') =>
      (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        if (result[stream].length < MAX_CAPTURE) result[stream] += text;
        if (!options.onLine) return;
        const lines = (partial[stream] + text).split('\n');
        partial[stream] = lines.pop() ?? '';
        for (const line of lines) options.onLine(line.replace(/\r$/, ''), stream);
      };
    child.stdout.on('data', take('stdout'));
    child.stderr.on('data', take('stderr'));
    child.on('error', (error: NodeJS.ErrnoException) => {
      result.startError = error.code === 'ENOENT' ? `${command}: not found on PATH` : `${command}: ${error.message}`;
    });
    child.on('close', (code) => {
      finished = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      for (const stream of ['stdout', 'stderr'] as const) if (partial[stream] && options.onLine) options.onLine(partial[stream], stream);
      // Leftover children of a killed group (a harness under run.sh) are killed with it.
      if (result.timedOut || result.cancelled) kill();
      resolve({ ...result, code: result.timedOut || result.cancelled ? null : code });
    });
  });
}

/** One line saying why a process failed, for messages. */
export function describeFailure(what: string, r: ProcessResult, timeoutMs: number): string {
  if (r.startError) return `${what}: ${r.startError}`;
  if (r.cancelled) return `${what}: cancelled`;
  if (r.timedOut) return `${what}: timed out after ${Math.round(timeoutMs / 1000)} s`;
  const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-12).join('\n');
  return `${what} exited with code ${r.code}${tail ? `:\n${tail}` : ''}`;
}
