// The analytic model alone on the leave-one-GPU-out evaluation pool, in seconds: the same rows as
// `npm run eval` (plain runs, framework fallback series dropped, at most 8,000 rows per source/GPU/dtype
// stratum), the same measurement-method and quantisation-scheme overheads (estimated without the row's
// GPU), no training. Per GPU and per GPU · source/dtype MdAPE, median measured/estimate ratio, and breakdowns by
// size band and bound, worst first; with --compare, a before/after table against a saved run.
// --detail GPU adds that GPU's breakdowns: by time band, by bound, by recorded library kernel and operand footprint,
// by NeuSight op (operands stored K-major) and K, and the time ratios of two recorded kernels (frameworks) on the
// shapes both measured.
// Run: node --import tsx models/scripts/analytic-logo.ts [--cache FILE] [--save FILE] [--compare FILE] [--detail GPU] [--no-scheme]
// --cache keeps the pool's records in FILE (first run writes it, later runs read it instead of the datasets).
// --no-scheme leaves the quantisation-scheme overheads out (the analytic model and method overhead alone).
// Reads data through load-datasets.ts (or the cache); writes only the --cache/--save files. No per-GPU tuning.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { GemmRecord } from '../../server/src/data/record';
import { estimateOverheads, estimateSchemeOverheads, schemeOverheadOf, SOURCE_METHOD } from '../../server/src/data/timing-overhead';
import { recordToWorkload } from '../../server/src/data/to-workload';
import { analyticEstimate } from '../../server/src/perf/analytic-model';
import { findGpu } from '../../server/src/perf/gpu-catalogue';
import { dtypeLabel } from '../evaluation/design-matrix';
import { familyOfGpu, loadAll, runtimeIndices } from './pipeline';

const POOL_CAP = 8000;

const has = (flag: string): boolean => process.argv.includes(flag);
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function pool(cache: string | undefined): Promise<GemmRecord[]> {
  if (cache && existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as GemmRecord[];
  const L = await loadAll();
  const idx = runtimeIndices(L.records, POOL_CAP);
  const out = Array.from(idx, (i) => L.records[i]);
  if (cache) writeFileSync(cache, JSON.stringify(out));
  return out;
}

const median = (v: number[]): number => {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');

interface Scored {
  gpu: string;
  slice: string;
  band: string;
  bound: string;
  /** The library kernel the source recorded (NeuSight: cuBLAS's kernel name), else the kernel family. */
  kernel: string;
  footprint: string;
  /** NeuSight's op (linear x @ W.T: both operands stored K-major; bmm A @ B: A only) and the K band, rows of 0.5 ms or longer. */
  layoutK: string;
  ape: number;
  ratio: number;
}

/** Operands and output (each once), all batches: the data a GEMM streams through L2 and the TLBs. */
function footprintBandOf(r: GemmRecord): string {
  const w = recordToWorkload(r);
  const mb = ((w.batch ?? 1) * (w.m * w.k + w.k * w.n + w.m * w.n) * 4) / 2 ** 20;
  return mb < 16 ? '<16MB' : mb < 256 ? '16-256MB' : mb < 1024 ? '256MB-1GB' : '>=1GB';
}

function layoutKOf(r: GemmRecord): string {
  const kMajor = r.source !== 'neusight' ? undefined : r.op === 'linear' ? 2 : r.op === 'bmm' ? 1 : undefined;
  const kBand = r.k < 2048 ? 'K<2k' : r.k < 4096 ? 'K2-4k' : r.k < 8192 ? 'K4-8k' : r.k < 16384 ? 'K8-16k' : 'K>=16k';
  return kMajor === undefined || r.runtimeMs < 0.5 ? '' : `${r.op} (${kMajor} K-major) · ${kBand}`;
}

function bandOf(ms: number): string {
  return ms < 0.02 ? '<20us' : ms < 0.1 ? '20-100us' : ms < 0.5 ? '0.1-0.5ms' : ms < 5 ? '0.5-5ms' : '>=5ms';
}

function table(rows: Scored[], key: (s: Scored) => string, title: string): Map<string, { n: number; mdape: number; ratio: number }> {
  const groups = new Map<string, Scored[]>();
  for (const s of rows) {
    const k = key(s);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(s);
  }
  const out = new Map<string, { n: number; mdape: number; ratio: number }>();
  for (const [k, g] of groups) out.set(k, { n: g.length, mdape: median(g.map((s) => s.ape)), ratio: median(g.map((s) => s.ratio)) });
  if (title) {
    console.log(`\n| ${title} | n | analytic MdAPE % | measured/estimate |\n|---|---:|---:|---:|`);
    for (const [k, v] of [...out].sort((a, b) => b[1].mdape - a[1].mdape)) console.log(`| ${k} | ${v.n} | ${f1(v.mdape)} | ${v.ratio.toFixed(2)} |`);
  }
  return out;
}

/**
 * The same GEMM (dtype, quantisation, shape) measured through two recorded kernels on one GPU: the
 * quartiles of one's time over the other's, for each pair with 20 or more shapes in common. What the
 * framework costs, apart from the GPU and the analytic model.
 */
function frameworkPairs(records: GemmRecord[]): void {
  const times = new Map<string, Map<string, number>>();
  for (const r of records) {
    if (!r.kernelName || !(r.runtimeMs > 0)) continue;
    const group = `${dtypeLabel(r)} · ${r.kernelName}`;
    let m = times.get(group);
    if (!m) times.set(group, (m = new Map()));
    m.set(`${r.batch}x${r.m}x${r.n}x${r.k}`, r.runtimeMs);
  }
  const groups = [...times.keys()].sort();
  const lines: string[] = [];
  for (const a of groups)
    for (const b of groups) {
      const [dtypeA, dtypeB] = [a.split(' · ')[0], b.split(' · ')[0]];
      if (a >= b || dtypeA !== dtypeB) continue;
      const ratios: number[] = [];
      for (const [shape, t] of times.get(a)!) {
        const u = times.get(b)!.get(shape);
        if (u) ratios.push(u / t);
      }
      if (ratios.length < 20) continue;
      ratios.sort((x, y) => x - y);
      const q = (p: number) => ratios[Math.floor(p * (ratios.length - 1))].toFixed(2);
      lines.push(`| ${b} / ${a.split(' · ')[1]} | ${ratios.length} | ${q(0.25)} | ${q(0.5)} | ${q(0.75)} |`);
    }
  if (lines.length === 0) return;
  console.log('\n| time ratio on the shapes both measured (dtype · kernel / kernel) | shapes | p25 | median | p75 |\n|---|---:|---:|---:|---:|');
  for (const line of lines) console.log(line);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const records = await pool(arg('--cache'));
  const analytic = new Float64Array(records.length);
  const bounds: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const gpu = findGpu(r.gpu);
    const a = gpu ? analyticEstimate(recordToWorkload(r), gpu) : undefined;
    analytic[i] = a?.timeMs ?? NaN;
    bounds.push(a ? a.bound : '?');
  }
  const rows = Int32Array.from(records.keys());
  const overheads = estimateOverheads(records, rows, analytic);
  // The row's method overhead, estimated without its own GPU (LOGO: the held-out GPU lends nothing).
  const eagerWithout = (gpu: string): number =>
    median(overheads.entries.filter((e) => e.method === 'pytorch-eager' && e.identifiable && e.gpu !== gpu).map((e) => e.overheadMs));
  const schemes = has('--no-scheme') ? { entries: [] } : estimateSchemeOverheads(records, rows, analytic, familyOfGpu);
  const scored: Scored[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (!(analytic[i] > 0)) continue;
    const method = SOURCE_METHOD[r.source];
    const est =
      analytic[i] +
      (method === 'pytorch-eager' ? eagerWithout(r.gpu) : (overheads.methodOverheadMs[method] ?? 0)) +
      schemeOverheadOf(schemes.entries, r.quantization, familyOfGpu(r.gpu), (e) => e.gpu !== r.gpu);
    scored.push({
      gpu: r.gpu,
      slice: `${r.gpu} · ${r.source} ${dtypeLabel(r)}`,
      band: bandOf(r.runtimeMs),
      bound: bounds[i],
      kernel: r.kernelName ?? r.kernel,
      footprint: footprintBandOf(r),
      layoutK: layoutKOf(r),
      ape: (Math.abs(est - r.runtimeMs) / r.runtimeMs) * 100,
      ratio: r.runtimeMs / est,
    });
  }
  console.log(`${scored.length} rows scored in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const perGpu = table(scored, (s) => s.gpu, arg('--compare') ? '' : 'GPU');
  const perSlice = table(scored, (s) => s.slice, arg('--compare') ? '' : 'GPU · source dtype');
  const detail = arg('--detail');
  if (detail) {
    const sel = scored.filter((s) => s.gpu === detail);
    table(sel, (s) => `${s.slice} · ${s.band}`, `${detail} by measured-time band`);
    table(sel, (s) => `${s.slice} · ${s.bound}`, `${detail} by bound`);
    // Which library kernels the analytic model misjudges, and whether it grows with the data streamed (fp32 sizes).
    const byKernel = sel.filter((s) => s.kernel !== 'library');
    if (byKernel.length > 0) table(byKernel, (s) => `${s.kernel.slice(0, 48)} · ${s.footprint}`, `${detail} by recorded kernel · operand footprint`);
    // Whether a K-major operand's row stride (K elements) slows the GEMM: by layout and K (models/README.md, "Operand layout").
    const byLayout = sel.filter((s) => s.layoutK !== '');
    if (byLayout.length > 0) table(byLayout, (s) => `${s.slice} · ${s.layoutK}`, `${detail} by operands stored K-major · K (rows of 0.5 ms or longer)`);
    frameworkPairs(records.filter((r) => r.gpu === detail));
  }
  const save = arg('--save');
  if (save) writeFileSync(save, JSON.stringify({ perGpu: [...perGpu], perSlice: [...perSlice] }));
  const compare = arg('--compare');
  if (compare) {
    const before = JSON.parse(readFileSync(compare, 'utf8')) as {
      perGpu: Array<[string, { mdape: number; ratio: number }]>;
      perSlice: Array<[string, { mdape: number; ratio: number }]>;
    };
    for (const [title, now, was] of [
      ['GPU', perGpu, new Map(before.perGpu)],
      ['GPU · source dtype', perSlice, new Map(before.perSlice)],
    ] as const) {
      console.log(`\n| ${title} | n | MdAPE before % | MdAPE after % | change | ratio before → after |\n|---|---:|---:|---:|---:|---|`);
      const keys = [...now.keys()].sort((a, b) => (was.get(b)?.mdape ?? 0) - (was.get(a)?.mdape ?? 0));
      for (const k of keys) {
        const a = now.get(k)!,
          b = was.get(k);
        const d = b ? a.mdape - b.mdape : NaN;
        console.log(
          `| ${k} | ${a.n} | ${f1(b?.mdape ?? NaN)} | ${f1(a.mdape)} | ${d > 0.05 ? '**+' : ''}${f1(d)}${d > 0.05 ? '**' : ''} | ${b ? b.ratio.toFixed(2) : '–'} → ${a.ratio.toFixed(2)} |`,
        );
      }
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
