// The profile store under crashes and concurrency: writer processes killed (SIGKILL) hundreds of times
// at random moments, and writers running in parallel. Afterwards every file parses, no batch is torn or
// read twice, and every batch a writer reported as committed is there with all its records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { appendProfiles, compactStore, parseStoreFile, readStore } from '../server/src/platform/profile-store';
import { parseProfileJsonl } from '../server/src/data/profile-record';

async function bundleWriter(dir: string): Promise<string> {
  const out = join(dir, 'writer.js');
  await build({
    entryPoints: [join(__dirname, 'support', 'profile-store-writer.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: out,
    logLevel: 'silent',
  });
  return out;
}

/** Runs one writer; kills it `killAfterMs` after it reports ready (null: lets it finish). Resolves with the ids it reported committed. */
function runWriter(script: string, store: string, batches: number, tag: string, killAfterMs: number | null): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, store, String(batches), tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | null = null;
    child.stdout.on('data', (d) => {
      out += d;
      if (killAfterMs !== null && timer === null && out.includes('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code !== 0 && signal !== 'SIGKILL') return reject(new Error(`writer exited ${code}: ${err}`));
      const committed = new Map<string, number>();
      for (const line of out.split('\n')) {
        const m = /^committed (\S+) (\d+)$/.exec(line);
        if (m) committed.set(m[1], Number(m[2]));
      }
      resolve(committed);
    });
  });
}

function checkStore(store: string, committed: Map<string, number>): { batches: number; records: number } {
  const contents = readStore({ dir: store });
  assert.deepEqual(contents.problems, [], 'no torn or stray lines in any store file');
  const ids = contents.batches.map((b) => b.id);
  assert.equal(new Set(ids).size, ids.length, 'each batch read once');
  const byId = new Map(contents.batches.map((b) => [b.id, b]));
  for (const [id, n] of committed) {
    const batch = byId.get(id);
    assert.ok(batch, `committed batch ${id} is in the store`);
    assert.equal(batch.lines.length, n, `batch ${id} has all ${n} records`);
  }
  const parsed = parseProfileJsonl(contents.jsonl, 'store');
  assert.deepEqual(parsed.issues, [], 'every stored line is a valid record');
  // Each batch holds exactly the records one append wrote (kernelName tag-seq-j-of-n).
  for (const b of contents.batches) {
    const names = b.lines.map((l) => JSON.parse(l).kernelName as string);
    const n = Number(/-of-(\d+)$/.exec(names[0])![1]);
    assert.equal(names.length, n);
    assert.equal(new Set(names.map((x) => x.replace(/-\d+-of-\d+$/, ''))).size, 1);
  }
  return { batches: contents.batches.length, records: parsed.profiles.length };
}

test('writers killed at random moments 240 times leave no torn, duplicated or lost batch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-store-crash-'));
  try {
    const script = await bundleWriter(dir);
    const store = join(dir, 'store');
    const committed = new Map<string, number>();
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const kills = 240;
    // Three writers at a time, each killed 0-25 ms after it is ready to write: kills land during
    // appends (temporary file, rename) and compactions (every 7th append).
    for (let i = 0; i < kills; i += 3) {
      const round = await Promise.all([0, 1, 2].map((w) => runWriter(script, store, 1000, `k${i + w}`, Math.floor(random() * 25))));
      for (const m of round) for (const [id, n] of m) committed.set(id, n);
    }
    const { batches } = checkStore(store, committed);
    assert.ok(committed.size > 50, `writers committed batches before being killed (${committed.size})`);
    assert.ok(batches >= committed.size);
    // Batches beyond the committed ones were written completely but killed before reporting; none is partial.
    const leftovers = readdirSync(store).filter((f) => f.startsWith('.tmp-'));
    for (const f of leftovers) assert.doesNotThrow(() => readFileSync(join(store, f)));
    compactStore({ dir: store }, { force: true });
    checkStore(store, committed);
    process.stdout.write(`# ${kills} kills: ${committed.size} committed batches, ${batches} stored, ${leftovers.length} temporary files left by kills\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('four writers in parallel (with compactions) interleave no lines and lose nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-store-parallel-'));
  try {
    const script = await bundleWriter(dir);
    const store = join(dir, 'store');
    const results = await Promise.all([0, 1, 2, 3].map((w) => runWriter(script, store, 60, `p${w}`, null)));
    const committed = new Map<string, number>();
    for (const m of results) for (const [id, n] of m) committed.set(id, n);
    assert.equal(committed.size, 240);
    const { batches, records } = checkStore(store, committed);
    assert.equal(batches, 240);
    assert.equal(records, 4 * (20 * 1 + 20 * 2 + 20 * 3));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn batch in a file is not read, and a batch present twice is read once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-store-parse-'));
  try {
    const record = {
      schema: 'tilecast-profile/1',
      gpu: '',
      gpuName: 'NVIDIA L4',
      dtype: 'fp16',
      m: 64,
      n: 64,
      k: 64,
      batch: 1,
      kernel: 'naive',
      params: {},
      grid: null,
      block: null,
      runtimeMs: 0.1,
      clockPolicy: 'default',
      timestamp: '2026-12-05T19:00:00Z',
      tool: 't',
    } as const;
    const { id } = appendProfiles({ dir }, [record]);
    const text = readFileSync(join(dir, `batch-${id}.jsonl`), 'utf8');
    writeFileSync(join(dir, 'segment-copy.jsonl'), text + '# tilecast-batch torn 2\n{"schema":"tilecast-profile/1"}\n');
    assert.equal(parseStoreFile(text + '# tilecast-batch torn 2\n{}\n').batches.length, 1);
    const contents = readStore({ dir });
    assert.equal(contents.batches.length, 1);
    assert.ok(
      contents.problems.some((p) => /segment-copy.jsonl: line \d+: batch torn is incomplete/.test(p)),
      contents.problems.join('; '),
    );
    assert.throws(() => appendProfiles({ dir }, [{ ...record, runtimeMs: -1 }]), /runtimeMs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
