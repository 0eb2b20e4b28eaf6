// Loads the shared measured-GEMM datasets (aiconfigurator parquet, NeuSight CSV, Kernel Tuner caches)
// and the project's profile records into cleaned GemmRecords, with a count report. All file reading,
// parquet decoding and gunzip live here; parsing and cleaning are the pure functions in server/src/data/.
// Never copies data into the repo. Run `node --import tsx models/scripts/load-datasets.ts` for counts.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseAiconfiguratorRows, type AiconfiguratorRow } from '../../server/src/data/aiconfigurator';
import { cleanRecords, type CleanOptions, type CleanResult } from '../../server/src/data/clean';
import { parseKernelTunerCache, deviceNameFromKernelTunerFile } from '../../server/src/data/kerneltuner';
import { parseNeusightCsv } from '../../server/src/data/neusight';
import { parseProfileJsonl } from '../../server/src/data/profile-record';
import type { GemmRecord, GemmSource, ParseIssue } from '../../server/src/data/record';
import { resolveGpuId } from '../../server/src/data/gpu-id';

export type DatasetSource = GemmSource;
const ALL_SOURCES: DatasetSource[] = ['aiconfigurator', 'neusight', 'kerneltuner', 'profile'];

/** Repository root (models/scripts/../..). */
const REPO_ROOT = resolve(__dirname, '..', '..');

/** Default directory of the project's own profile records (JSON lines). */
export const DEFAULT_PROFILE_DIR = join(REPO_ROOT, 'models', 'data', 'profiles');

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The shared datasets directory: $TILECAST_DATASETS if set, else ../shared/datasets relative to the
 * repository root; null when that directory does not exist (users' clones have no ../shared).
 */
export function datasetsRoot(): string | null {
  const env = process.env.TILECAST_DATASETS;
  const dir = env && env.trim() !== '' ? resolve(env) : resolve(REPO_ROOT, '..', 'shared', 'datasets');
  return isDir(dir) ? dir : null;
}

export interface LoadOptions {
  /** Datasets directory; default datasetsRoot(). */
  root?: string;
  /** Which sources to load; default all. */
  sources?: DatasetSource[];
  /** Directory of *.jsonl profile records; default models/data/profiles. */
  profileDir?: string;
  /** Only files whose sourceFile passes: the path relative to the datasets root, or "profiles/<name>.jsonl". */
  include?: (sourceFile: string) => boolean;
  /** Passed to cleanRecords. */
  clean?: CleanOptions;
}

export interface LoadResult {
  /** Cleaned records, in a deterministic order (sources, then sorted file names, then file order). */
  records: GemmRecord[];
  /** Human-readable counts: per source × gpu × dtype, parse issues and every cleaning rule. */
  report: string;
  /** Rows the parsers could not read (failed Kernel Tuner configs, bad profile lines, ...). */
  issues: ParseIssue[];
  /** Records per source before cleaning. */
  rawCounts: Record<string, number>;
  clean: CleanResult;
}

type Include = ((sourceFile: string) => boolean) | undefined;

function listFiles(dir: string, suffix: string, base: string, include: Include): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => join(dir, f))
    .filter((p) => !include || include(relative(base, p)));
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

async function loadAiconfigurator(root: string, out: GemmRecord[], issues: ParseIssue[], include: Include): Promise<void> {
  const { parquetReadObjects } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  for (const path of listFiles(join(root, 'aiconfigurator'), '.parquet', root, include)) {
    const sourceFile = relative(root, path);
    let rows: AiconfiguratorRow[];
    try {
      rows = (await parquetReadObjects({ file: toArrayBuffer(readFileSync(path)), compressors })) as AiconfiguratorRow[];
    } catch (e) {
      issues.push({ sourceFile, where: 'file', reason: `unreadable parquet: ${(e as Error).message}` });
      continue;
    }
    const hasPowerColumn = rows.length > 0 && 'power' in rows[0];
    const res = parseAiconfiguratorRows(rows, sourceFile, { hasPowerColumn, resolveGpu: resolveGpuId });
    for (const r of res.records) out.push(r);
    for (const i of res.issues) issues.push(i);
  }
}

function loadNeusight(root: string, out: GemmRecord[], issues: ParseIssue[], include: Include): void {
  const base = join(root, 'neusight');
  const files: Array<{ path: string; split: 'train' | 'test' }> = [
    ...listFiles(join(base, 'train', 'bmm'), '.csv', root, include).map((path) => ({ path, split: 'train' as const })),
    ...listFiles(join(base, 'train', 'linear'), '.csv', root, include).map((path) => ({ path, split: 'train' as const })),
    ...listFiles(join(base, 'test'), '.csv', root, include).map((path) => ({ path, split: 'test' as const })),
  ];
  for (const { path, split } of files) {
    const res = parseNeusightCsv(readFileSync(path, 'utf8'), relative(root, path), { split, resolveGpu: resolveGpuId });
    for (const r of res.records) out.push(r);
    for (const i of res.issues) issues.push(i);
  }
}

function loadKernelTuner(root: string, out: GemmRecord[], issues: ParseIssue[], include: Include): void {
  for (const path of listFiles(join(root, 'kerneltuner'), '.json.gz', root, include)) {
    const sourceFile = relative(root, path);
    let cache: unknown;
    try {
      cache = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
    } catch (e) {
      issues.push({ sourceFile, where: 'file', reason: `unreadable cache: ${(e as Error).message}` });
      continue;
    }
    const res = parseKernelTunerCache(cache, sourceFile, { resolveGpu: resolveGpuId, fallbackDeviceName: deviceNameFromKernelTunerFile(path) });
    for (const r of res.records) out.push(r);
    for (const i of res.issues) issues.push(i);
  }
}

function loadProfiles(dir: string, out: GemmRecord[], issues: ParseIssue[], include: Include): void {
  if (!isDir(dir)) return;
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    const sourceFile = `profiles/${name}`;
    if (include && !include(sourceFile)) continue;
    const res = parseProfileJsonl(readFileSync(join(dir, name), 'utf8'), sourceFile, resolveGpuId);
    for (const r of res.records) out.push(r);
    for (const i of res.issues) issues.push(i);
  }
}

/** Loads, parses and cleans the requested sources. Missing directories give no records, never an exception. */
export async function loadDatasets(options: LoadOptions = {}): Promise<LoadResult> {
  const root = options.root ?? datasetsRoot();
  const sources = options.sources ?? ALL_SOURCES;
  const raw: GemmRecord[] = [];
  const issues: ParseIssue[] = [];
  const rawCounts: Record<string, number> = {};
  const notes: string[] = [];
  const include = options.include;
  for (const source of sources) {
    const before = raw.length;
    if (source === 'profile') loadProfiles(options.profileDir ?? DEFAULT_PROFILE_DIR, raw, issues, include);
    else if (root === null || !existsSync(root)) notes.push(`${source}: datasets directory not found (set TILECAST_DATASETS)`);
    else if (source === 'aiconfigurator') await loadAiconfigurator(root, raw, issues, include);
    else if (source === 'neusight') loadNeusight(root, raw, issues, include);
    else if (source === 'kerneltuner') loadKernelTuner(root, raw, issues, include);
    rawCounts[source] = raw.length - before;
  }
  const clean = cleanRecords(raw, options.clean);
  const report = formatReport(clean, rawCounts, issues, root, notes);
  return { records: clean.records, report, issues, rawCounts, clean };
}

function pad(s: string | number, w: number): string {
  return String(s).padEnd(w);
}

/** Counts per source × gpu × dtype (with quantization and condition) after cleaning, issues and rules. */
export function formatReport(clean: CleanResult, rawCounts: Record<string, number>, issues: ParseIssue[], root: string | null, notes: string[] = []): string {
  const lines: string[] = [];
  lines.push(`datasets root: ${root ?? '(not found)'}`);
  for (const n of notes) lines.push(`note: ${n}`);
  lines.push('', 'records parsed per source (before cleaning):');
  for (const [s, c] of Object.entries(rawCounts)) lines.push(`  ${pad(s, 16)} ${c}`);
  const bySourceReason = new Map<string, number>();
  for (const i of issues) {
    const src = i.sourceFile.split('/')[0];
    const reason = i.reason.replace(/"[^"]*"|\d+(\.\d+)?(e[+-]?\d+)?/g, '…');
    const key = `${src}: ${reason}`;
    bySourceReason.set(key, (bySourceReason.get(key) ?? 0) + 1);
  }
  lines.push('', `rows not parsed: ${issues.length}`);
  for (const [k, c] of [...bySourceReason].sort()) lines.push(`  ${pad(c, 8)} ${k}`);
  lines.push('', 'cleaning rules (removed):');
  for (const r of clean.removed) lines.push(`  ${pad(r.rule, 26)} ${pad(r.count, 8)} ${r.description}`);
  for (const r of clean.flagged) lines.push(`  ${pad(r.rule, 26)} ${pad(r.count, 8)} flagged: ${r.description}`);
  const groups = new Map<string, number>();
  for (const r of clean.records) {
    const key = [
      r.source,
      r.gpu,
      r.dtype + (r.quantization && r.quantization !== r.dtype ? `/${r.quantization}` : ''),
      r.condition + (r.split ? `/${r.split}` : ''),
    ].join('\t');
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  lines.push('', `records after cleaning: ${clean.records.length}`, '  source          gpu                    dtype/quant      condition/split  count');
  for (const [k, c] of [...groups].sort()) {
    const [s, g, d, cond] = k.split('\t');
    lines.push(`  ${pad(s, 15)} ${pad(g, 22)} ${pad(d, 16)} ${pad(cond, 16)} ${c}`);
  }
  return lines.join('\n');
}

function sameTriple(a: [number, number, number] | undefined, b: [number, number, number] | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1] && a[2] === b[2]);
}

function sameParams(a: Record<string, number>, b: Record<string, number>): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

/** Same descriptive fields (everything the fingerprint hashes except the per-record numbers). */
function sameContext(a: GemmRecord, b: GemmRecord): boolean {
  return (
    a.source === b.source &&
    a.sourceFile === b.sourceFile &&
    a.gpu === b.gpu &&
    a.gpuName === b.gpuName &&
    a.dtype === b.dtype &&
    a.quantization === b.quantization &&
    a.kernel === b.kernel &&
    a.kernelName === b.kernelName &&
    a.condition === b.condition &&
    a.split === b.split &&
    a.framework === b.framework &&
    a.frameworkVersion === b.frameworkVersion &&
    a.op === b.op &&
    sameTriple(a.grid, b.grid) &&
    sameTriple(a.block, b.block) &&
    sameParams(a.params, b.params)
  );
}

/**
 * SHA-256 over the record stream, in order: each record's numbers (m, n, k, batch, runtimeMs, powerW,
 * powerLimitW) as float64, and its descriptive fields (source, file, gpu, dtype, quantization, kernel,
 * params, condition, split, framework) whenever they differ from the previous record's. Same files +
 * same code = same fingerprint; about a second for the full 2.6 M records.
 */
export function datasetFingerprint(records: readonly GemmRecord[]): string {
  const hash = createHash('sha256');
  const PER = 7;
  const nums = new Float64Array(PER * 8192);
  let used = 0;
  const flush = (): void => {
    if (used > 0) hash.update(new Uint8Array(nums.buffer, 0, used * 8));
    used = 0;
  };
  let prev: GemmRecord | undefined;
  for (const r of records) {
    if (!prev || !sameContext(prev, r)) {
      let params = '';
      for (const k of Object.keys(r.params).sort()) params += `${k}=${r.params[k]},`;
      const ctx = `${r.source}|${r.sourceFile}|${r.gpu}|${r.gpuName}|${r.dtype}|${r.quantization ?? ''}|${r.kernel}|${r.kernelName ?? ''}|${params}|${r.condition}|${r.split ?? ''}|${r.framework ?? ''}|${r.frameworkVersion ?? ''}|${r.op ?? ''}|${r.grid ?? ''}|${r.block ?? ''}`;
      flush();
      hash.update(`\n${ctx}\n`);
      prev = r;
    }
    if (used + PER > nums.length) flush();
    nums[used++] = r.m;
    nums[used++] = r.n;
    nums[used++] = r.k;
    nums[used++] = r.batch;
    nums[used++] = r.runtimeMs;
    nums[used++] = r.powerW ?? NaN;
    nums[used++] = r.powerLimitW ?? NaN;
  }
  flush();
  return hash.digest('hex');
}

/** SHA-256 over the sorted relative file names and sizes under `root` (cheap; no parsing). */
export function datasetFilesFingerprint(root: string): string {
  const entries: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else entries.push(`${relative(root, p)}\t${st.size}`);
    }
  };
  walk(root);
  return createHash('sha256').update(entries.join('\n')).digest('hex');
}

async function main(): Promise<void> {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const result = await loadDatasets();
  const t1 = process.hrtime.bigint();
  const fp = datasetFingerprint(result.records);
  const t2 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(result.report);
  console.log('');
  console.log(
    `load + clean: ${(Number(t1 - t0) / 1e9).toFixed(1)} s; fingerprint: ${(Number(t2 - t1) / 1e9).toFixed(1)} s (wall); ` +
      `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
  console.log(`datasetFingerprint: ${fp}`);
}

// Only when this file is the program: bundled into dist/cli.js, `require.main === module` holds for every
// inlined module, and the report would land on the CLI's stdout (`profile retrain --json` must print JSON only).
if (require.main === module && /load-datasets\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
