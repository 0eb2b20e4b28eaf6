// runCli: argument arrays reach the program unchanged (no shell), stderr arrives line by line, and a
// cancel sends SIGINT (the CLI aborts and cleans up) and then SIGKILL to a program that ignores it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-process';

const dir = mkdtempSync(join(tmpdir(), 'tilecast-cli-process-'));
const script = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('arguments arrive as given, stdout is collected, stderr comes line by line', async () => {
  const echo = script('echo.js', "process.stderr.write('one\\ntwo'); process.stdout.write(JSON.stringify(process.argv.slice(2)));");
  const lines: string[] = [];
  const run = await runCli(echo, ['a b', '$(touch x)', '"q"', ';'], { onStderrLine: (l) => lines.push(l) });
  assert.equal(run.code, 0);
  assert.deepEqual(JSON.parse(run.stdout), ['a b', '$(touch x)', '"q"', ';']);
  assert.deepEqual(lines, ['one', 'two']);
  assert.equal(run.cancelled, false);
});

test('cancel: SIGINT reaches the CLI, which stops cleanly', async () => {
  const graceful = script(
    'graceful.js',
    "process.on('SIGINT', () => { process.stderr.write('aborted, cleaned up\\n'); process.exit(130); }); process.stderr.write('started\\n'); setInterval(() => {}, 1000);",
  );
  let cancel: () => void = () => undefined;
  const running = runCli(graceful, [], {
    onCancel: (listener) => (cancel = listener),
    onStderrLine: (line) => {
      if (line === 'started') cancel();
    },
  });
  const run = await running;
  assert.equal(run.cancelled, true);
  assert.equal(run.code, 130);
  assert.deepEqual(run.stderrLines, ['started', 'aborted, cleaned up']);
});

test('cancel: a program that ignores SIGINT is killed after the grace period', async () => {
  const stubborn = script('stubborn.js', "process.on('SIGINT', () => {}); process.stderr.write('started\\n'); setInterval(() => {}, 1000);");
  let cancel: () => void = () => undefined;
  const started = Date.now();
  const run = await runCli(stubborn, [], { killAfterMs: 300, onCancel: (listener) => (cancel = listener), onStderrLine: () => cancel() });
  assert.equal(run.cancelled, true);
  assert.equal(run.code, null);
  assert.ok(Date.now() - started < 10_000);
});

test('a missing CLI file is a failed run, not an exception', async () => {
  const run = await runCli(join(dir, 'missing.js'), []);
  assert.notEqual(run.code, 0);
  assert.match(run.stderrLines.join('\n'), /Cannot find module/);
});
