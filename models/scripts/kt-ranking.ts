// The Kernel Tuner figures of `npm run eval` in a fraction of its time: Spearman, top-1/top-5 regret and
// MdAPE per held-out Kernel Tuner GPU, for the analytic model alone and the shipped design (forest
// correction × λ × applicability decay; ranked as one group with the correction's shape kept, as
// `predict --top K` ranks, beside each configuration predicted alone), with the eval's own pool, folds,
// forest settings and shrink.
// Only the three Kernel Tuner LOGO folds are trained (λ of the tiled group comes from the other Kernel
// Tuner folds, as in the eval; the library groups' λ does not touch these rows).
// Run: node --import tsx models/scripts/kt-ranking.ts [--analytic [--ptxas-registers] [--siblings]] [--loao] [--seed N] [--trees N]
//   --analytic  analytic model alone, no training (seconds after loading)
//   --ptxas-registers  with --analytic, a second table with each configuration's registers as ptxas
//               allocated them for sm_75 (models/data/kerneltuner-ptxas.csv) instead of the estimate
//   --siblings  with --analytic, a table of each GPU ranked by another GPU's measured times (the
//               ceiling of any transfer from that GPU: MdAPE there is the two GPUs' speed difference)
//   --trees N   runtime forest size of the folds (default the eval's 16; the shipped model has 32)
//   --loao      also leave-one-architecture-out, every architecture (λ needs the other folds), Turing rows
// Reads the datasets (and with --ptxas-registers the committed ptxas CSV); writes nothing.
import { FEATURE_NAMES } from '../../server/src/perf/features';
import { leaveOneGroupOut } from '../evaluation/splits';
import { besideRows } from '../evaluation/report-tables';
import { spearman, topKRegretPct } from '../evaluation/metrics';
import { designFor, loadAll, runtimeIndices, runtimeTargets, seconds, SEED } from './pipeline';
import { EVAL_POOL_CAP, EVAL_RUNTIME_FOREST, EVAL_TRAIN_CAP, rankingByGpu, runRuntimeProtocol } from './eval-protocols';
import { assessRun } from './correction-shrink';
import { loadDatasets } from './load-datasets';
import { readFileSync } from 'node:fs';
import { recordToWorkload } from '../../server/src/data/to-workload';
import { analyticEstimate } from '../../server/src/perf/analytic-model';
import { findGpu } from '../../server/src/perf/gpu-catalogue';
import { configKey, DEFAULT_OUT, fromCsv, type Config } from './kt-ptxas';

const has = (flag: string) => process.argv.includes(flag);
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
};

/** Spearman, top-1 and top-5 regret and MdAPE of predicted against measured times, as table cells. */
function rankingCells(predicted: number[], measured: number[]): string {
  const ape = predicted.map((x, j) => (Math.abs(x - measured[j]) / measured[j]) * 100);
  return `${f3(spearman(predicted, measured))} | ${f1(topKRegretPct(predicted, measured, 1))} | ${f1(topKRegretPct(predicted, measured, 5))} | ${f1(median(ape))}`;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const seed = Number(arg('--seed') ?? SEED);
  // --analytic needs only the Kernel Tuner files; the trained figures need the eval's whole pool.
  const L = has('--analytic') ? { records: (await loadDatasets({ sources: ['kerneltuner'] })).records } : await loadAll();
  const idx = has('--analytic')
    ? Int32Array.from(L.records.flatMap((r, i) => (r.source === 'kerneltuner' && r.condition === 'plain' ? [i] : [])))
    : runtimeIndices(L.records, EVAL_POOL_CAP, SEED, { allKernelTuner: true });
  const d = designFor(L.records, idx);
  console.log(`loaded ${L.records.length} records, design ${d.nRows} rows in ${seconds(performance.now() - t0)}`);
  const ktGpus = [...new Set(d.tags.filter((t) => t.source === 'kerneltuner').map((t) => t.gpu))].sort();

  console.log('\n| held-out GPU | analytic Spearman | analytic top-1 % | analytic top-5 % | analytic MdAPE % |\n|---|---:|---:|---:|---:|');
  for (const gpu of ktGpus) {
    const rows = d.tags.flatMap((t, i) => (t.source === 'kerneltuner' && t.gpu === gpu ? [i] : []));
    const p = rows.map((i) => d.analyticMs[i]);
    const a = rows.map((i) => d.runtimeMs[i]);
    console.log(`| ${gpu} | ${rankingCells(p, a)} |`);
  }
  if (has('--siblings')) {
    // What a perfect transfer from one GPU could reach: the held-out GPU's configurations ranked by another
    // Kernel Tuner GPU's measured times (same configurations, matched by their parameters).
    const timesOf = (gpu: string) =>
      new Map(
        d.tags.flatMap((t, i) =>
          t.source === 'kerneltuner' && t.gpu === gpu ? [[configKey(L.records[d.recordIdx[i]].params as Config), d.runtimeMs[i]] as const] : [],
        ),
      );
    const times = new Map(ktGpus.map((gpu) => [gpu, timesOf(gpu)]));
    console.log('\n| held-out GPU | ranked by | Spearman | top-1 % | top-5 % | MdAPE % |\n|---|---|---:|---:|---:|---:|');
    for (const gpu of ktGpus)
      for (const other of ktGpus) {
        if (other === gpu) continue;
        const keys = [...times.get(gpu)!.keys()].filter((key) => times.get(other)!.has(key));
        const ranking = rankingCells(
          keys.map((key) => times.get(other)!.get(key)!),
          keys.map((key) => times.get(gpu)!.get(key)!),
        );
        console.log(`| ${gpu} | ${other}'s measured times | ${ranking} |`);
      }
  }
  if (has('--ptxas-registers')) {
    // The same rows with ptxas's register count as the workload's: what the estimate's error does to the ranking.
    const registers = new Map(
      fromCsv(readFileSync(DEFAULT_OUT, 'utf8'))
        .filter((row) => row.arch === 'sm_75' && row.result)
        .map((row) => [configKey(row.entry.config), row.result!.registers]),
    );
    console.log(
      '\n| held-out GPU (ptxas registers, sm_75) | analytic Spearman | analytic top-1 % | analytic top-5 % | analytic MdAPE % | rows with ptxas registers |\n|---|---:|---:|---:|---:|---:|',
    );
    for (const gpu of ktGpus) {
      const rows = d.tags.flatMap((t, i) => (t.source === 'kerneltuner' && t.gpu === gpu ? [i] : []));
      const spec = findGpu(gpu)!;
      let found = 0;
      const p = rows.map((i) => {
        const r = L.records[d.recordIdx[i]];
        const w = recordToWorkload(r);
        const regs = registers.get(configKey(r.params as Config));
        if (regs !== undefined) {
          w.registersPerThread = regs;
          found++;
        }
        return analyticEstimate(w, spec).timeMs;
      });
      console.log(
        `| ${gpu} | ${rankingCells(
          p,
          rows.map((i) => d.runtimeMs[i]),
        )} | ${found} of ${rows.length} |`,
      );
    }
  }
  if (has('--analytic')) {
    console.log(`\ntotal ${seconds(performance.now() - t0)}`);
    return;
  }

  const y = runtimeTargets(d, 'log-ratio-to-analytic');
  const gpuOf = d.tags.map((t) => t.gpu);
  const quiet = () => {};
  const t1 = performance.now();
  const folds = leaveOneGroupOut(gpuOf).filter((f) => ktGpus.includes(f.name));
  const forest = arg('--trees') ? { ...EVAL_RUNTIME_FOREST, trees: Number(arg('--trees')) } : EVAL_RUNTIME_FOREST;
  const logo = await runRuntimeProtocol(d, y, folds, forest, EVAL_TRAIN_CAP, quiet, seed);
  console.log(`\nLOGO, ${folds.length} Kernel Tuner folds, seed ${seed}, ${forest.trees} trees: ${seconds(performance.now() - t1)}`);
  const ranking = rankingByGpu(logo.ranked, logo.analytic);
  const aloneRanking = rankingByGpu(logo.model, logo.analytic);
  const rawRanking = rankingByGpu(logo.raw, logo.analytic);
  const rankedMdape = new Map(besideRows(logo.ranked, logo.analytic, (t) => t.gpu).map((r) => [r.slice, r.modelMdape]));
  const mdape = new Map(besideRows(logo.model, logo.analytic, (t) => t.gpu).map((r) => [r.slice, r]));
  console.log(
    '\n| held-out GPU | Spearman | top-1 % | top-5 % | MdAPE % (ranked group) | MdAPE % (each alone) | analytic MdAPE % | extrapolating % | median kept share | λ tiled | each alone: Spearman | top-1 % | top-5 % | unshrunk Spearman | unshrunk top-1 % | unshrunk top-5 % |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of ranking) {
    const run = logo.runs.find((x) => x.name === r.gpu);
    const kept = run?.domain ? median(assessRun(d, { ...run, domain: run.domain }).map((a) => a.weight)) : NaN;
    const raw = rawRanking.find((x) => x.gpu === r.gpu);
    const alone = aloneRanking.find((x) => x.gpu === r.gpu);
    const m = mdape.get(r.gpu);
    console.log(
      `| ${r.gpu} | ${f3(r.spearman)} | ${f1(r.top1RegretPct)} | ${f1(r.top5RegretPct)} | ${f1(rankedMdape.get(r.gpu) ?? NaN)} | ${f1(m?.modelMdape ?? NaN)} | ${f1(m?.analyticMdape ?? NaN)} | ${f1((m?.extrapolatingShare ?? NaN) * 100)} | ${kept.toFixed(2)} | ${logo.lambdas.get(r.gpu)?.tiled} | ${f3(alone?.spearman ?? NaN)} | ${f1(alone?.top1RegretPct ?? NaN)} | ${f1(alone?.top5RegretPct ?? NaN)} | ${f3(raw?.spearman ?? NaN)} | ${f1(raw?.top1RegretPct ?? NaN)} | ${f1(raw?.top5RegretPct ?? NaN)} |`,
    );
  }
  // Why rows are out of domain: the reasons the applicability check gives, counted over the fold's rows.
  for (const run of logo.runs) {
    if (!run.domain) continue;
    const { assess } = await import('../../server/src/model/applicability');
    const { findGpu } = await import('../../server/src/perf/gpu-catalogue');
    const gpu = findGpu(run.name) ?? null;
    const counts = new Map<string, number>();
    for (const row of run.testIdx) {
      const a = assess(run.domain, FEATURE_NAMES, d.x.subarray(row * d.nFeatures, (row + 1) * d.nFeatures), gpu, d.tags[row].kernel, d.tags[row].dtype);
      for (const reason of a.reasons) {
        const key = reason.replace(/ [-\d.e]+ outside/, ' outside').replace(/^(\S+) outside [-\d.e–]+$/, '$1 outside');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const top = [...counts].sort((p, q) => q[1] - p[1]).slice(0, 8);
    console.log(`\n${run.name}: out-of-domain reasons (rows of ${run.testIdx.length}): ${top.map(([k, v]) => `${k} [${v}]`).join('; ') || 'none'}`);
  }

  if (has('--loao')) {
    const t2 = performance.now();
    const loao = await runRuntimeProtocol(d, y, leaveOneGroupOut(d.tags.map((t) => t.arch)), EVAL_RUNTIME_FOREST, EVAL_TRAIN_CAP, quiet, seed);
    console.log(`\nleave-one-architecture-out: ${seconds(performance.now() - t2)}`);
    const rows = besideRows(loao.model, loao.analytic, (t) => t.arch);
    console.log('\n| held-out architecture | n | model MdAPE % | analytic MdAPE % | extrapolating % |\n|---|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.slice} | ${r.n} | ${f1(r.modelMdape)} | ${f1(r.analyticMdape)} | ${f1(r.extrapolatingShare * 100)} |`);
    const turing = besideRows(loao.model, loao.analytic, (t) => `${t.arch} · ${t.gpu} · ${t.source}`).filter((r) => r.slice.startsWith('Turing'));
    for (const r of turing) console.log(`| ${r.slice} | ${r.n} | ${f1(r.modelMdape)} | ${f1(r.analyticMdape)} | ${f1(r.extrapolatingShare * 100)} |`);
    for (const r of rankingByGpu(loao.ranked, loao.analytic))
      console.log(`LOAO ranking ${r.gpu}: Spearman ${f3(r.spearman)}, top-1 ${f1(r.top1RegretPct)}%, top-5 ${f1(r.top5RegretPct)}%`);
  }
  console.log(`\ntotal ${seconds(performance.now() - t0)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
