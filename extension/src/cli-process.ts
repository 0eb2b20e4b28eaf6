// Runs the bundled `tilecast` CLI (dist/cli.js) in a child process with an argument array (never a
// shell string), streaming its stderr lines to a callback. Cancelling sends SIGINT, which the CLI turns
// into an AbortSignal that kills its build/run processes and cleans up remote directories; if it has not
// exited 15 s later it is killed outright.
import { spawn } from 'node:child_process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderrLines: string[];
  cancelled: boolean;
  startError?: string;
}

export interface CliRunOptions {
  cwd?: string;
  onStderrLine?: (line: string) => void;
  /** Cancellation: a callback registrar (vscode.CancellationToken.onCancellationRequested fits). */
  onCancel?: (listener: () => void) => void;
  /** Milliseconds between SIGINT and SIGKILL. */
  killAfterMs?: number;
}

export function runCli(cliPath: string, args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    // In the VS Code desktop extension host process.execPath is Electron: run it as plain Node.
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let pending = '';
    const stderrLines: string[] = [];
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const emit = (line: string) => {
      stderrLines.push(line);
      options.onStderrLine?.(line);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(line.replace(/\r$/, ''));
    });
    options.onCancel?.(() => {
      if (child.exitCode !== null || cancelled) return;
      cancelled = true;
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 15_000);
    });
    child.on('error', (error) => {
      clearTimeout(killTimer);
      resolve({ code: null, stdout, stderrLines, cancelled, startError: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(killTimer);
      if (pending) emit(pending);
      resolve({ code, stdout, stderrLines, cancelled });
    });
  });
}
