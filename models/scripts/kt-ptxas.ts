// Compiles CLBlast's Xgemm kernel (CUDA port: models/profiling/clblast-xgemm/xgemm.cu) for the Kernel Tuner
// configurations of ../shared/datasets/kerneltuner/gemm_*.json.gz with `nvcc -cubin -Xptxas -v`, and writes
// what ptxas reports per configuration (registers, spill stores/loads, stack frame, static shared memory) to
// models/data/kerneltuner-ptxas.csv, then prints a summary. Needs nvcc (no GPU). See
// models/profiling/clblast-xgemm/README.md.
//
//   node --import tsx models/scripts/kt-ptxas.ts                 # the full sweep (sample sizes below)
//   node --import tsx models/scripts/kt-ptxas.ts --probe         # one batch per arch, prints its wall time
//   node --import tsx models/scripts/kt-ptxas.ts --summary       # summary of the existing CSV only
//   node --import tsx models/scripts/kt-ptxas.ts --maxnreg 63    # a sample per accumulator count under a
//                                                                # 63-register cap (Kepler cc 3.0): ptxas's spills
//                                                                # against the estimate's, printed only
// Options: --sm75 N (configurations for sm_75; >= 17956 = all), --sm86-random N (random extra for sm_86,
// beside the 300 fastest on the RTX 3090), --batch N (kernels per nvcc run), --jobs N (parallel nvcc, max 2),
// --seed S, --out FILE, --nvcc PATH, --per-acc N (with --maxnreg: configurations per accumulator count, 60).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseCsv } from '../../server/src/data/csv';
import { runProcess } from '../../server/src/platform/process-runner';
import { csvRecord } from '../../server/src/report/csv-stream';
import { seededRandom } from '../evaluation/splits';
import { datasetsRoot } from './load-datasets';
import { capComparison, summarize } from './kt-ptxas-summary';

const REPO_ROOT = resolve(__dirname, '..', '..');
const KERNEL_FILE = join(REPO_ROOT, 'models', 'profiling', 'clblast-xgemm', 'xgemm.cu');
export const DEFAULT_OUT = join(REPO_ROOT, 'models', 'data', 'kerneltuner-ptxas.csv');

export const TUNABLES = ['MWG', 'NWG', 'KWG', 'MDIMC', 'NDIMC', 'MDIMA', 'NDIMB', 'KWI', 'VWM', 'VWN', 'STRM', 'STRN', 'SA', 'SB'] as const;
export type Tunable = (typeof TUNABLES)[number];
export type Config = Record<Tunable, number>;

/** The three GPUs of the data set, in file-name form, with a short label for the CSV. */
export const GPUS = [
  { file: 'gemm_RTX_2080_Ti.json.gz', label: '2080ti' },
  { file: 'gemm_RTX_3090.json.gz', label: '3090' },
  { file: 'gemm_RTX_Titan.json.gz', label: 'titan' },
] as const;
export type GpuLabel = (typeof GPUS)[number]['label'];

export interface ConfigEntry {
  key: string;
  config: Config;
  /** Mean time (ms) per GPU label. */
  time: Partial<Record<GpuLabel, number>>;
}

export interface PtxasResult {
  registers: number;
  spillStores: number;
  spillLoads: number;
  stackFrame: number;
  smem: number;
}

export interface Row {
  entry: ConfigEntry;
  arch: string;
  stratum: string;
  result?: PtxasResult;
  error?: string;
}

export function configKey(c: Config): string {
  return TUNABLES.map((t) => c[t]).join(',');
}

export function kernelName(c: Config): string {
  return 'xgemm_' + TUNABLES.map((t) => `${t}${c[t]}`).join('_');
}

const NAME_RE = new RegExp('^xgemm_' + TUNABLES.map((t) => `${t}(\\d+)`).join('_') + '$');

export function configFromKernelName(name: string): Config | null {
  const m = NAME_RE.exec(name);
  if (!m) return null;
  const c = {} as Config;
  TUNABLES.forEach((t, i) => {
    c[t] = Number(m[i + 1]);
  });
  return c;
}

/** Work per thread in M and N and the accumulators (MWI·NWI) it keeps. */
export function accumulators(c: Config): number {
  return (c.MWG / c.MDIMC) * (c.NWG / c.NDIMC);
}

/**
 * Parses `nvcc -Xptxas -v` output (stderr): per entry function, the "Function properties" line (stack frame,
 * spill stores, spill loads) and the "Used N registers ... S bytes smem" line.
 */
export function parsePtxasOutput(text: string): Map<string, PtxasResult> {
  const out = new Map<string, PtxasResult>();
  let current: string | null = null;
  let partial: Partial<PtxasResult> = {};
  const flush = () => {
    if (current !== null && partial.registers !== undefined) {
      out.set(current, {
        registers: partial.registers,
        spillStores: partial.spillStores ?? 0,
        spillLoads: partial.spillLoads ?? 0,
        stackFrame: partial.stackFrame ?? 0,
        smem: partial.smem ?? 0,
      });
    }
  };
  for (const line of text.split(/\r?\n/)) {
    let m: RegExpExecArray | null;
    if ((m = /Compiling entry function '([^']+)'/.exec(line)) || (m = /Function properties for (\S+)/.exec(line))) {
      if (m[1] !== current) {
        flush();
        current = m[1];
        partial = {};
      }
    } else if ((m = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/.exec(line))) {
      partial.stackFrame = Number(m[1]);
      partial.spillStores = Number(m[2]);
      partial.spillLoads = Number(m[3]);
    } else if ((m = /Used (\d+) registers/.exec(line))) {
      partial.registers = Number(m[1]);
      const s = /(\d+) bytes smem/.exec(line);
      partial.smem = s ? Number(s[1]) : 0;
    }
  }
  flush();
  return out;
}

function shuffled<T>(list: T[], rand: () => number): T[] {
  const a = list.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function readConfigs(root: string): ConfigEntry[] {
  const byKey = new Map<string, ConfigEntry>();
  for (const g of GPUS) {
    const json = JSON.parse(gunzipSync(readFileSync(join(root, 'kerneltuner', g.file))).toString('utf8')) as {
      cache: Record<string, Record<string, unknown>>;
    };
    for (const rec of Object.values(json.cache)) {
      const c = {} as Config;
      for (const t of TUNABLES) c[t] = Number(rec[t]);
      if (TUNABLES.some((t) => !Number.isFinite(c[t]))) continue;
      const key = configKey(c);
      let e = byKey.get(key);
      if (!e) byKey.set(key, (e = { key, config: c, time: {} }));
      const time = rec.time;
      if (typeof time === 'number' && Number.isFinite(time)) e.time[g.label] = time;
    }
  }
  return [...byKey.values()].sort((a, b) => compareConfigs(a.config, b.config));
}

function compareConfigs(a: Config, b: Config): number {
  for (const t of TUNABLES) if (a[t] !== b[t]) return a[t] - b[t];
  return 0;
}

function fastest(entries: ConfigEntry[], gpu: GpuLabel, n: number): ConfigEntry[] {
  return entries
    .filter((e) => e.time[gpu] !== undefined)
    .sort((a, b) => a.time[gpu]! - b.time[gpu]! || compareConfigs(a.config, b.config))
    .slice(0, n);
}

export interface Selection {
  entry: ConfigEntry;
  stratum: string;
}

/**
 * sm_75 sample: all configurations if n >= their number; otherwise every MWG=NWG=128 configuration, the 300
 * fastest on each GPU, and a seeded uniform random sample of the rest up to n in all.
 */
export function selectSm75(entries: ConfigEntry[], n: number, seed: number): Selection[] {
  if (n >= entries.length) return entries.map((entry) => ({ entry, stratum: 'all' }));
  const strata = new Map<string, string>();
  for (const e of entries) if (e.config.MWG === 128 && e.config.NWG === 128) strata.set(e.key, 'mwg128_nwg128');
  for (const g of GPUS) {
    for (const e of fastest(entries, g.label, 300)) {
      const s = strata.get(e.key);
      strata.set(e.key, s ? `${s}+top300_${g.label}` : `top300_${g.label}`);
    }
  }
  const rest = shuffled(
    entries.filter((e) => !strata.has(e.key)),
    seededRandom(seed),
  );
  for (const e of rest.slice(0, Math.max(0, n - strata.size))) strata.set(e.key, 'random');
  return entries.filter((e) => strata.has(e.key)).map((entry) => ({ entry, stratum: strata.get(entry.key)! }));
}

/** sm_86: the 300 fastest on the RTX 3090 plus `nRandom` seeded random others from the sm_75 selection. */
export function selectSm86(sm75: Selection[], nRandom: number, seed: number): Selection[] {
  const entries = sm75.map((s) => s.entry);
  const chosen = new Map<string, string>();
  for (const e of fastest(entries, '3090', 300)) chosen.set(e.key, 'top300_3090');
  const rest = shuffled(
    entries.filter((e) => !chosen.has(e.key)),
    seededRandom(seed ^ 0x86),
  );
  for (const e of rest.slice(0, nRandom)) chosen.set(e.key, 'random');
  return entries.filter((e) => chosen.has(e.key)).map((entry) => ({ entry, stratum: chosen.get(entry.key)! }));
}

function batchSource(configs: Config[]): string {
  const lines = ['// Generated by models/scripts/kt-ptxas.ts', '#define XGEMM_BATCH', `#include "${KERNEL_FILE}"`];
  for (const c of configs) lines.push(`XGEMM_KERNEL(${TUNABLES.map((t) => c[t]).join(', ')})`);
  return lines.join('\n') + '\n';
}

interface CompileContext {
  nvcc: string;
  dir: string;
  counter: number;
  /** Extra nvcc flags (--maxnreg: -DXGEMM_MAXNREG=N). */
  flags?: string[];
}

/** Compiles one batch; on failure compiles its configurations one by one so each gets a result or an error. */
/** One nvcc run of a batch (about 6 s for 60 kernels here): far more means something hangs. */
const BATCH_TIMEOUT_MS = 10 * 60_000;

async function compileBatch(ctx: CompileContext, arch: string, configs: Config[]): Promise<Map<string, PtxasResult | string>> {
  const id = String(++ctx.counter).padStart(5, '0');
  const src = join(ctx.dir, `batch_${arch}_${id}.cu`);
  const cubin = join(ctx.dir, `batch_${arch}_${id}.cubin`);
  writeFileSync(src, batchSource(configs));
  const r = await runProcess(ctx.nvcc, ['-cubin', `-arch=${arch}`, ...(ctx.flags ?? []), '-Xptxas', '-v', '-o', cubin, src], { timeoutMs: BATCH_TIMEOUT_MS });
  const out = new Map<string, PtxasResult | string>();
  const parsed = parsePtxasOutput(r.stderr + '\n' + r.stdout);
  rmSync(src, { force: true });
  rmSync(cubin, { force: true });
  if (r.code === 0) {
    for (const c of configs) out.set(configKey(c), parsed.get(kernelName(c)) ?? 'no ptxas report for this kernel');
    return out;
  }
  if (configs.length === 1) {
    const msg = r.startError ?? (r.stderr || r.stdout).split(/\r?\n/).find((l) => /error/i.test(l)) ?? (r.timedOut ? 'nvcc timed out' : `nvcc exit ${r.code}`);
    out.set(configKey(configs[0]), msg.trim().slice(0, 300));
    return out;
  }
  for (const c of configs) {
    const one = await compileBatch(ctx, arch, [c]);
    for (const [k, v] of one) out.set(k, v);
  }
  return out;
}

async function compileAll(ctx: CompileContext, arch: string, selection: Selection[], batchSize: number, jobs: number, label: string): Promise<Row[]> {
  const batches: Selection[][] = [];
  for (let i = 0; i < selection.length; i += batchSize) batches.push(selection.slice(i, i + batchSize));
  const rows: Row[] = [];
  const t0 = Date.now();
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const b = batches[next++];
      const res = await compileBatch(
        ctx,
        arch,
        b.map((s) => s.entry.config),
      );
      for (const s of b) {
        const v = res.get(s.entry.key);
        rows.push(
          typeof v === 'object' ? { entry: s.entry, arch, stratum: s.stratum, result: v } : { entry: s.entry, arch, stratum: s.stratum, error: v ?? 'missing' },
        );
      }
      done += b.length;
      const el = (Date.now() - t0) / 1000;
      const eta = (el / done) * (selection.length - done);
      console.log(`${label} ${arch}: ${done}/${selection.length} configurations, ${el.toFixed(0)} s elapsed, ~${eta.toFixed(0)} s left`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, batches.length) }, worker));
  return rows.sort((a, b) => compareConfigs(a.entry.config, b.entry.config));
}

const CSV_HEADER = [
  ...TUNABLES,
  'arch',
  'registers',
  'spill_stores_bytes',
  'spill_loads_bytes',
  'stack_frame_bytes',
  'smem_bytes',
  'accumulators_per_thread',
  'stratum',
  'time_ms_rtx2080ti',
  'time_ms_rtx3090',
  'time_ms_titanrtx',
  'error',
];

function toCsv(rows: Row[]): string {
  const lines = [csvRecord(CSV_HEADER)];
  for (const r of rows) {
    const c = r.entry.config;
    const p = r.result;
    lines.push(
      csvRecord(
        [
          ...TUNABLES.map((t) => c[t]),
          r.arch,
          p?.registers,
          p?.spillStores,
          p?.spillLoads,
          p?.stackFrame,
          p?.smem,
          accumulators(c),
          r.stratum,
          r.entry.time['2080ti'],
          r.entry.time['3090'],
          r.entry.time.titan,
          r.error,
        ].map((v) => (v === undefined ? '' : String(v))),
      ),
    );
  }
  return lines.join('\n') + '\n';
}

/** The rows of a CSV this script wrote (models/data/kerneltuner-ptxas.csv). */
export function fromCsv(text: string): Row[] {
  const { header: head, rows } = parseCsv(text);
  const col = (name: string) => head.indexOf(name);
  const num = (f: string[], name: string) => (f[col(name)] === '' || col(name) < 0 ? undefined : Number(f[col(name)]));
  return rows.map(({ cells: f }) => {
    const c = {} as Config;
    for (const t of TUNABLES) c[t] = Number(f[col(t)]);
    const time: Partial<Record<GpuLabel, number>> = {};
    const t1 = num(f, 'time_ms_rtx2080ti');
    const t2 = num(f, 'time_ms_rtx3090');
    const t3 = num(f, 'time_ms_titanrtx');
    if (t1 !== undefined) time['2080ti'] = t1;
    if (t2 !== undefined) time['3090'] = t2;
    if (t3 !== undefined) time.titan = t3;
    const regs = num(f, 'registers');
    const row: Row = { entry: { key: configKey(c), config: c, time }, arch: f[col('arch')], stratum: f[col('stratum')] };
    if (regs !== undefined) {
      row.result = {
        registers: regs,
        spillStores: num(f, 'spill_stores_bytes') ?? 0,
        spillLoads: num(f, 'spill_loads_bytes') ?? 0,
        stackFrame: num(f, 'stack_frame_bytes') ?? 0,
        smem: num(f, 'smem_bytes') ?? 0,
      };
    }
    const err = f[col('error')];
    if (err) row.error = err;
    return row;
  });
}

// ---------------------------------------------------------------------------------------------- main ---

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const out = resolve(option(args, '--out') ?? DEFAULT_OUT);
  if (args.includes('--summary')) {
    console.log(summarize(fromCsv(readFileSync(out, 'utf8'))));
    return;
  }
  const root = datasetsRoot();
  if (root === null) throw new Error('datasets directory not found (../shared/datasets or $TILECAST_DATASETS)');
  const nvcc = option(args, '--nvcc') ?? 'nvcc';
  const batch = Number(option(args, '--batch') ?? 60);
  const jobs = Math.min(2, Math.max(1, Number(option(args, '--jobs') ?? 2)));
  const seed = Number(option(args, '--seed') ?? 20260101);
  const entries = readConfigs(root);
  console.log(`${entries.length} distinct configurations in ${GPUS.map((g) => g.file).join(', ')}`);

  const dir = mkdtempSync(join(tmpdir(), 'kt-ptxas-'));
  const ctx: CompileContext = { nvcc, dir, counter: 0 };
  try {
    if (args.includes('--probe')) {
      const sample = shuffled(entries, seededRandom(seed)).slice(0, batch);
      for (const arch of ['sm_75', 'sm_86']) {
        const t0 = Date.now();
        const res = await compileBatch(
          ctx,
          arch,
          sample.map((e) => e.config),
        );
        const s = (Date.now() - t0) / 1000;
        const okN = [...res.values()].filter((v) => typeof v === 'object').length;
        console.log(`probe ${arch}: ${batch} kernels in one nvcc run: ${s.toFixed(1)} s (${((1000 * s) / batch).toFixed(0)} ms per kernel), ${okN} parsed`);
      }
      return;
    }
    const maxnreg = option(args, '--maxnreg');
    if (maxnreg !== undefined) {
      // Under a register cap: a seeded sample of each accumulator count, sm_75, summary only (no CSV).
      const cap = Number(maxnreg);
      if (!Number.isInteger(cap) || cap < 16 || cap > 255) throw new Error(`--maxnreg takes a whole number from 16 to 255, got ${maxnreg}`);
      const perAcc = Number(option(args, '--per-acc') ?? 60);
      if (!Number.isInteger(perAcc) || perAcc < 1) throw new Error(`--per-acc takes a whole number of at least 1, got ${option(args, '--per-acc')}`);
      const byAcc = new Map<number, ConfigEntry[]>();
      for (const e of shuffled(entries, seededRandom(seed))) {
        const a = accumulators(e.config);
        const l = byAcc.get(a) ?? [];
        if (l.length < perAcc) byAcc.set(a, [...l, e]);
      }
      const sel = [...byAcc.values()].flat().map((entry) => ({ entry, stratum: `acc${accumulators(entry.config)}` }));
      const rows = await compileAll({ ...ctx, flags: [`-DXGEMM_MAXNREG=${cap}`] }, 'sm_75', sel, batch, jobs, `maxnreg ${cap}`);
      console.log(capComparison(rows, cap));
      return;
    }
    const n75 = Number(option(args, '--sm75') ?? entries.length);
    const n86 = Number(option(args, '--sm86-random') ?? 200);
    const sel75 = selectSm75(entries, n75, seed);
    const sel86 = selectSm86(sel75, n86, seed);
    console.log(`sm_75: ${sel75.length} configurations; sm_86: ${sel86.length}; ${batch} per nvcc run, ${jobs} in parallel`);
    const t0 = Date.now();
    const rows75 = await compileAll(ctx, 'sm_75', sel75, batch, jobs, 'sweep');
    const t75 = (Date.now() - t0) / 1000;
    const rows86 = await compileAll(ctx, 'sm_86', sel86, batch, jobs, 'sweep');
    const tAll = (Date.now() - t0) / 1000;
    mkdirSync(resolve(out, '..'), { recursive: true });
    writeFileSync(out, toCsv([...rows75, ...rows86]));
    console.log(`\nwrote ${out}: ${rows75.length} sm_75 rows in ${t75.toFixed(0)} s, ${rows86.length} sm_86 rows; total ${tAll.toFixed(0)} s wall`);
    console.log(summarize([...rows75, ...rows86]));
  } finally {
    for (const f of readdirSync(dir)) rmSync(join(dir, f), { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
