// Where a harness runs: this machine, or a host reached with the system ssh/scp (the user's own keys and
// ~/.ssh/config; BatchMode so it never prompts). Both expose the same small interface: put the harness
// directory there, run an argument vector in it, read a file, clean up. Remote commands are built by
// quoting each argument (ssh hands the remote side one command line) and wrapped in `timeout` so they
// stop on the remote side too; the remote temporary directory is removed afterwards, also on cancel.
import { randomBytes } from 'node:crypto';
import { shellQuote } from '../profile/cuda-harness';
import { runProcess, describeFailure, type ProcessResult } from './process-runner';

export interface SshTarget {
  kind: 'ssh';
  /** `host`, `user@host` or a Host alias of ~/.ssh/config. */
  host: string;
  port?: number;
  identityFile?: string;
  /** Extra `-o Key=Value` options, e.g. StrictHostKeyChecking=accept-new. */
  sshOptions?: string[];
  /** Programs to run; default ssh and scp on PATH. */
  sshPath?: string;
  scpPath?: string;
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  env?: Record<string, string>;
}

export interface Executor {
  /** For messages: "this machine", "gpu-box (ssh)". */
  describe: string;
  /** Makes the local harness directory available there; returns its path there. */
  put(localDir: string, options: RunOptions): Promise<{ ok: true; dir: string } | { ok: false; error: string }>;
  run(argv: readonly string[], cwd: string, options: RunOptions): Promise<ProcessResult>;
  /** Removes what put() created (nothing locally). */
  cleanup(): Promise<void>;
}

export class LocalExecutor implements Executor {
  readonly describe = 'this machine';
  async put(localDir: string): Promise<{ ok: true; dir: string }> {
    return { ok: true, dir: localDir };
  }
  run(argv: readonly string[], cwd: string, options: RunOptions): Promise<ProcessResult> {
    return runProcess(argv[0], argv.slice(1), {
      cwd,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      onLine: options.onLine,
      env: options.env ? { ...process.env, ...options.env } : undefined,
    });
  }
  async cleanup(): Promise<void> {}
}

const CLEANUP_TIMEOUT_MS = 30_000;

export class SshExecutor implements Executor {
  readonly describe: string;
  private remoteRoot: string | null = null;

  constructor(private readonly target: SshTarget) {
    this.describe = `${target.host} (ssh)`;
  }

  private common(portFlag: '-p' | '-P'): string[] {
    const args = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15'];
    if (this.target.port) args.push(portFlag, String(this.target.port));
    if (this.target.identityFile) args.push('-i', this.target.identityFile);
    for (const o of this.target.sshOptions ?? []) args.push('-o', o);
    return args;
  }

  /** Runs a remote command line made of quoted words. */
  private ssh(words: readonly string[], options: RunOptions): Promise<ProcessResult> {
    return runProcess(this.target.sshPath ?? 'ssh', [...this.common('-p'), this.target.host, '--', words.map(shellQuote).join(' ')], {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      onLine: options.onLine,
    });
  }

  async put(localDir: string, options: RunOptions): Promise<{ ok: true; dir: string } | { ok: false; error: string }> {
    // The name is chosen here, not by a remote mktemp, and remembered before the remote call: a run
    // cancelled while the directory is being made still knows what to remove (a remote mktemp whose
    // client was killed made a directory nobody knew the name of).
    const root = `/tmp/tilecast.${randomBytes(8).toString('hex')}`;
    this.remoteRoot = root;
    const made = await this.ssh(['mkdir', '-m', '700', '--', root], options);
    if (made.code !== 0) {
      return {
        ok: false,
        error: `${describeFailure(`ssh ${this.target.host}`, made, options.timeoutMs)}\nCheck that \`ssh ${this.target.host} true\` works without a password prompt (keys, ~/.ssh/config).`,
      };
    }
    const copied = await runProcess(this.target.scpPath ?? 'scp', [...this.common('-P'), '-q', '-r', localDir, `${this.target.host}:${root}/h`], {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    if (copied.code !== 0) return { ok: false, error: describeFailure(`scp to ${this.target.host}`, copied, options.timeoutMs) };
    return { ok: true, dir: `${root}/h` };
  }

  run(argv: readonly string[], cwd: string, options: RunOptions): Promise<ProcessResult> {
    // `timeout` stops the remote program even when the connection is cut; `cd` then the words, each quoted.
    const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const words = ['cd', cwd, '&&', 'exec', ...(env.length ? ['env', ...env] : []), 'timeout', '-k', '5', String(seconds), ...argv];
    const line = words.map((w) => (w === '&&' ? w : shellQuote(w))).join(' ');
    return runProcess(this.target.sshPath ?? 'ssh', [...this.common('-p'), this.target.host, '--', line], {
      timeoutMs: options.timeoutMs + 10_000,
      signal: options.signal,
      onLine: options.onLine,
    });
  }

  async cleanup(): Promise<void> {
    if (!this.remoteRoot) return;
    const root = this.remoteRoot;
    this.remoteRoot = null;
    await this.ssh(['rm', '-rf', '--', root], { timeoutMs: CLEANUP_TIMEOUT_MS });
  }
}
