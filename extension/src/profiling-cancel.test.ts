// Cancelling a profile run the way the editor does (profiling-commands.ts: dist/cli.js with the
// argument array of profiling-core.ts, then runCli's cancel): the build that is running (a stand-in
// nvcc that would sleep a minute) is killed, the CLI exits, nothing is stored. Needs `npm run build`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-process';
import { DEFAULT_PROFILE_SETTINGS, profileArgs } from './profiling-core';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('cancel kills the running build and ends the run; nothing is stored', { skip: !existsSync(cli) && 'dist/cli.js not built (npm run build)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-cancel-'));
  const bin = join(dir, 'bin');
  const workspace = join(dir, 'ws');
  const pidFile = join(dir, 'nvcc.pid');
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  mkdirSync(bin);
  tool('nvidia-smi', 'echo "GPU 0: NVIDIA GeForce RTX 4090 (UUID: GPU-00000000-0000-0000-0000-000000000000)"');
  tool('nvcc', `[ "$1" = "--version" ] && { echo "Cuda compilation tools, release 13.0"; exit 0; }\necho $$ > ${JSON.stringify(pidFile)}\nexec sleep 60`);
  const savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${savedPath}`;
  let cancel: () => void = () => undefined;
  const started = Date.now();
  try {
    const args = profileArgs({ file: join(root, 'examples', 'tiled_matmul.cu'), line: 32, sweep: false, workspace }, DEFAULT_PROFILE_SETTINGS);
    const running = runCli(cli, args, { cwd: dir, onCancel: (listener) => (cancel = listener) });
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') {
      assert.ok(Date.now() - started < 60_000, 'the build never started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const nvccPid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(alive(nvccPid), 'the stand-in nvcc is running');
    cancel();
    const run = await running;
    assert.equal(run.cancelled, true);
    assert.notEqual(run.code, 0);
    assert.ok(Date.now() - started < 30_000, `the run ended ${Date.now() - started} ms after it started`);
    for (let i = 0; i < 40 && alive(nvccPid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(nvccPid), false, 'the build process was killed');
    assert.match(run.stderrLines.join('\n'), /cancel/i);
    assert.equal(run.stdout, '');
    assert.equal(existsSync(join(workspace, '.tilecast', 'profiles')), false);
  } finally {
    process.env.PATH = savedPath;
  }
});
