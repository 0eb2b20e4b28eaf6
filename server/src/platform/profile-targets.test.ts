// Checks the ssh executor's remote directory: named locally and remembered before the remote mkdir, so a
// run cancelled after the directory was made, but before the client heard back, still removes it. A
// stand-in `ssh` (a shell script) runs the remote command line locally and logs it; no network, no sshd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshExecutor } from './profile-targets';

/** A stand-in ssh: logs its remote command line and runs it with sh; after a mkdir it stalls (a slow link back). */
function standInSsh(dir: string): string {
  const path = join(dir, 'ssh');
  writeFileSync(
    path,
    `#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done; shift\necho "$1" >> '${join(dir, 'log')}'\nsh -c "$1" || exit $?\ncase "$1" in mkdir*) sleep 5;; esac\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

test('ssh executor: cancelled after the remote directory was made but before ssh returned, cleanup removes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-ssh-'));
  const executor = new SshExecutor({ kind: 'ssh', host: 'stand-in', sshPath: standInSsh(dir), scpPath: '/bin/false' });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 500);
  const put = await executor.put(dir, { timeoutMs: 10_000, signal: controller.signal });
  assert.equal(put.ok, false, 'cancelled');
  const log = () => readFileSync(join(dir, 'log'), 'utf8').trim().split('\n');
  const made = /^mkdir -m 700 -- '?(\/tmp\/tilecast\.[0-9a-f]{16})'?$/.exec(log()[0] ?? '');
  assert.ok(made, `first remote command: ${log()[0]}`);
  assert.ok(existsSync(made[1]), 'the remote side made the directory');
  await executor.cleanup();
  assert.equal(existsSync(made[1]), false, 'cleanup removed it');
  assert.match(log().at(-1) ?? '', /^rm -rf -- /);
  const commands = log().length;
  await executor.cleanup();
  assert.equal(log().length, commands, 'a second cleanup runs nothing');
});
