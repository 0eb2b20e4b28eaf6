// The remote profiling paths without a GPU: a real sshd on loopback (started here with a throwaway key)
// runs a harness stand-in that prints a record; cancel kills it and removes the remote directory. SLURM
// runs against stand-in srun/sbatch/squeue/sacct/scancel scripts that reproduce the real tools' output
// formats (sbatch --parsable, squeue -h -o %T, sacct -n -P). Also the local "no GPU" message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { HarnessBundle } from '../server/src/profile/index';
import { profileKernel, type ProfileProgress } from '../server/src/platform/profile-kernel';

const RECORD = JSON.stringify({
  schema: 'tilecast-profile/1',
  gpu: '',
  gpuName: 'NVIDIA L4',
  dtype: 'fp32',
  m: 256,
  n: 256,
  k: 256,
  batch: 1,
  kernel: 'tiled',
  params: { TILE: 16 },
  grid: [16, 16, 1],
  block: [16, 16, 1],
  runtimeMs: 0.05,
  clockPolicy: 'default',
  timestamp: '2026-12-05T19:00:00Z',
  tool: 'stand-in',
});

/** A bundle whose "build" writes a harness script and whose run prints one record (or sleeps, to test cancel). */
function standInBundle(mode: 'record' | 'sleep', configs = 1): HarnessBundle {
  const body = mode === 'record' ? `echo 'tilecast-harness: check passed' >&2\necho '${RECORD}'` : 'sleep 60';
  return {
    language: 'cuda',
    files: [
      { path: 'harness.src', text: `#!/bin/sh\n${body}\n` },
      { path: 'build.sh', text: '#!/bin/sh\ncp harness.src harness && chmod +x harness\n', executable: true },
      { path: 'run.sh', text: '#!/bin/sh\ncd "$(dirname "$0")" && exec ./harness "$@"\n', executable: true },
    ],
    build: ['sh', 'build.sh'],
    run: ['sh', 'run.sh'],
    configs: Array.from({ length: configs }, (_, i) => ({ label: `cfg${i}`, dir: `cfg-0${i}`, values: {} })),
    skipped: [],
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Stand-ins on the remote PATH (the machine has no GPU): nvidia-smi lists a GPU unless `nodriver` exists; nvcc answers --version. */
function remoteTools(dir: string): string {
  const bin = join(dir, 'remote-bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'nvidia-smi'),
    `#!/bin/sh\nif [ -f '${join(dir, 'nodriver')}' ]; then echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2; exit 9; fi\necho "GPU 0: NVIDIA L4 (UUID: GPU-00000000-1111-2222-3333-444444444444)"\n`,
  );
  writeFileSync(join(bin, 'nvcc'), '#!/bin/sh\necho "Cuda compilation tools, release 13.0 (stand-in)"\n');
  chmodSync(join(bin, 'nvidia-smi'), 0o755);
  chmodSync(join(bin, 'nvcc'), 0o755);
  return bin;
}

async function startSshd(dir: string): Promise<{ child: ChildProcess; port: number; key: string } | string> {
  if (!existsSync('/usr/sbin/sshd')) return 'sshd not installed (apt-get install openssh-server)';
  try {
    mkdirSync('/run/sshd', { recursive: true });
  } catch {
    return 'cannot create /run/sshd (sshd privilege separation directory; run as root)';
  }
  const key = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${key}.pub`));
  chmodSync(join(dir, 'authorized_keys'), 0o600);
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin yes',
      `PidFile ${join(dir, 'sshd.pid')}`,
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      `SetEnv PATH=${remoteTools(dir)}:/usr/local/bin:/usr/bin:/bin`,
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config, '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return `sshd exited: ${err}`;
    const ready = await new Promise<boolean>((resolve) => {
      const probe = spawn('ssh', sshArgs(key, port, ['true']), { stdio: 'ignore' });
      probe.on('close', (code) => resolve(code === 0));
    });
    if (ready) return { child, port, key };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  return `sshd did not accept connections: ${err}`;
}

const SSH_OPTIONS = ['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR'];
function sshArgs(key: string, port: number, command: string[]): string[] {
  return ['-o', 'BatchMode=yes', ...SSH_OPTIONS.flatMap((o) => ['-o', o]), '-i', key, '-p', String(port), `${userInfo().username}@127.0.0.1`, ...command];
}

function remoteDirs(): string[] {
  return readdirSync('/tmp').filter((f) => /^tilecast\.\w{8}$/.test(f));
}

test('SSH: a real sshd on loopback builds and runs the harness stand-in, records come back, the remote directory is removed; cancel kills it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-sshd-'));
  const sshd = await startSshd(dir);
  if (typeof sshd === 'string') {
    t.skip(`no sshd: ${sshd}`);
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  try {
    const target = { kind: 'ssh' as const, host: `${userInfo().username}@127.0.0.1`, port: sshd.port, identityFile: sshd.key, sshOptions: SSH_OPTIONS };
    const before = new Set(remoteDirs());
    const stages: string[] = [];
    const logs: string[] = [];
    const result = await profileKernel(
      { bundle: standInBundle('record'), harnessDir: join(dir, 'h1'), where: target },
      {
        onProgress: (p: ProfileProgress) => stages.push(p.stage),
        onLog: (l) => logs.push(l),
      },
    );
    assert.equal(result.error, undefined);
    assert.ok(result.ok);
    assert.equal(result.records.length, 1);
    assert.equal(result.records[0].gpu, 'l4', 'the device name is resolved to a catalogue id');
    assert.deepEqual(stages, ['prepare', 'upload', 'build', 'run', 'cleanup']);
    assert.ok(logs.includes('tilecast-harness: check passed'));
    assert.deepEqual(
      remoteDirs().filter((d) => !before.has(d)),
      [],
      'remote temporary directory removed',
    );

    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 1500);
    const cancelled = await profileKernel({ bundle: standInBundle('sleep'), harnessDir: join(dir, 'h2'), where: target }, { signal: controller.signal });
    assert.equal(cancelled.ok, false);
    assert.equal(cancelled.cancelled, true);
    assert.ok(Date.now() - started < 20_000, 'cancel does not wait for the 60 s run');
    assert.deepEqual(
      remoteDirs().filter((d) => !before.has(d)),
      [],
      'remote temporary directory removed after cancel',
    );

    writeFileSync(join(dir, 'nodriver'), '');
    const noDriver = await profileKernel({ bundle: standInBundle('record'), harnessDir: join(dir, 'h4'), where: target });
    assert.equal(noDriver.ok, false);
    assert.match(
      noDriver.error!,
      /^No NVIDIA GPU on .*127\.0\.0\.1 \(ssh\): nvidia-smi failed \(NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver\.\)/,
    );
    assert.deepEqual(
      remoteDirs().filter((d) => !before.has(d)),
      [],
      'remote temporary directory removed after the failed check',
    );

    const unreachable = await profileKernel({ bundle: standInBundle('record'), harnessDir: join(dir, 'h3'), where: { ...target, port: await freePort() } });
    assert.equal(unreachable.ok, false);
    assert.match(unreachable.error!, /without a password prompt/);
  } finally {
    sshd.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Stand-ins for the SLURM client tools, reproducing their output formats; they run tasks at once. */
function slurmStandIns(bin: string, logFile: string): void {
  const tool = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${logFile}'\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  // srun [options] command...: runs the command here (options end at the first non-option word).
  tool('srun', 'while [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"');
  // sbatch --parsable --array=0-N --output=P --error=P [options] script: prints the job id, runs each task.
  tool(
    'sbatch',
    [
      'for a in "$@"; do case "$a" in --array=*) range="${a#--array=}";; --output=*) out="${a#--output=}";; --error=*) err="${a#--error=}";; esac; script="$a"; done',
      'last="${range#*-}"; i=0',
      'while [ "$i" -le "$last" ]; do',
      '  o=$(echo "$out" | sed "s/%A/4242/; s/%a/$i/"); e=$(echo "$err" | sed "s/%A/4242/; s/%a/$i/")',
      '  if SLURM_ARRAY_TASK_ID=$i sh "$script" > "$o" 2> "$e"; then echo "4242_$i|COMPLETED|0:0" >> sacct.state; else echo "4242_$i|FAILED|1:0" >> sacct.state; fi',
      '  i=$((i + 1))',
      'done',
      'echo "4242"',
    ].join('\n'),
  );
  // squeue: the first poll shows the tasks running, later polls an empty queue.
  tool('squeue', `if [ ! -f squeue.polled ]; then touch squeue.polled; echo RUNNING; echo PENDING; fi`);
  tool('sacct', 'cat sacct.state; sed "s/|/.batch|/" sacct.state');
  tool('scancel', 'true');
}

test('SLURM: srun for one configuration, sbatch --array for a sweep with output gathered from the job files (stand-in tools)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-slurm-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const logFile = join(dir, 'calls.log');
  slurmStandIns(bin, logFile);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  try {
    const slurm = { partition: 'gpu', account: 'proj42', time: '00:10:00', options: ['--constraint=h100'], pollMs: 10 };
    const single = await profileKernel({ bundle: standInBundle('record'), harnessDir: join(dir, 'one'), where: { kind: 'slurm', slurm } });
    assert.equal(single.error, undefined);
    assert.equal(single.records.length, 1);
    assert.match(
      readFileSync(logFile, 'utf8'),
      /^srun --partition=gpu --account=proj42 --time=00:10:00 --gres=gpu:1 --job-name=tilecast-profile --constraint=h100 sh tilecast-job.sh$/m,
    );

    // A sweep of three configurations: cfg-01 does not build (its harness directory has no Makefile rule).
    const sweep = standInBundle('record', 3);
    sweep.build = ['make', '-k', '-j4', 'ARCH=sm_90'];
    const rule = (d: string): string => `${d}/harness:\n\tmkdir -p ${d} && cp harness.src $@ && chmod +x $@\n`;
    sweep.files.push({ path: 'Makefile', text: `${rule('cfg-00')}${rule('cfg-02')}` });
    const stages: string[] = [];
    const result = await profileKernel(
      { bundle: sweep, harnessDir: join(dir, 'sweep'), where: { kind: 'slurm', slurm } },
      { onProgress: (p) => stages.push(`${p.stage}: ${p.message}`) },
    );
    assert.equal(result.error, undefined, JSON.stringify(result));
    assert.equal(result.records.length, 2);
    assert.ok(
      result.skipped.some((s) => /cfg-01 .*skipped: task FAILED/.test(s)),
      result.skipped.join('; '),
    );
    const calls = readFileSync(logFile, 'utf8');
    assert.match(calls, /^sbatch --parsable --array=0-2 --output=slurm-%A_%a.out --error=slurm-%A_%a.err --partition=gpu .* tilecast-array.sh$/m);
    assert.match(calls, /^squeue -h -j 4242 -o %T$/m);
    assert.match(calls, /^sacct -j 4242 -n -P -o JobID,State,ExitCode$/m);
    assert.ok(
      stages.some((s) => /2 task\(s\) running\/pending/.test(s)),
      stages.join('\n'),
    );
  } finally {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('local: without nvidia-smi the message says what was looked for and how to use a remote host or cluster', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-nogpu-'));
  const path = process.env.PATH;
  process.env.PATH = join(dir, 'empty');
  try {
    const result = await profileKernel({ bundle: standInBundle('record'), harnessDir: join(dir, 'h'), where: { kind: 'local' } });
    assert.equal(result.ok, false);
    assert.match(result.error!, /No NVIDIA GPU on this machine: nvidia-smi is not on PATH/);
    assert.match(result.error!, /--host user@gpu-box.*--slurm/);
  } finally {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  }
});
