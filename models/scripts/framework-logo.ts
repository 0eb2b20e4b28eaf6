// Ablation of the `quant_wrapper` feature (the framework op timed around a quantised GEMM, shipped in
// gemm-features-v10): leave-one-GPU-out runtime MdAPE per held-out GPU with the same rows, targets, forest
// and shrink as `npm run eval` (runRuntimeProtocol, one seed), the feature's column set three ways:
//   --wrapper shipped   as served and trained (default): reproduces REPORT.md's per-GPU table
//   --wrapper none      0 on every row: the design before the feature
//   --wrapper all-rows  the framework's class on plain rows too (1 sglang, 2 torch, 3 trt flow by the
//                       recorded kernel name): no input a user has for a plain GEMM, so not shipped
// Run: node --import tsx models/scripts/framework-logo.ts [--wrapper shipped|none|all-rows] [--seed N]
// Reads the data sets through pipeline.ts; writes nothing. About 2 min 15 s on 2 cores.
import type { GemmRecord } from '../../server/src/data/record';
import { FEATURE_NAMES } from '../../server/src/perf/features';
import { leaveOneGroupOut } from '../evaluation/splits';
import { EVAL_POOL_CAP, EVAL_RUNTIME_FOREST, EVAL_TRAIN_CAP, runRuntimeProtocol } from './eval-protocols';
import { designFor, loadAll, runtimeIndices, runtimeTargets, SEED } from './pipeline';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The wrapper a record's framework (its recorded kernel name) puts around the GEMM kernel. */
function frameworkClass(r: GemmRecord): number {
  const name = r.kernelName ?? '';
  return name.startsWith('sglang') ? 1 : name.startsWith('torch') ? 2 : name.startsWith('trt_flow') ? 3 : 0;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1]! : NaN;
};

async function main(): Promise<void> {
  const column = arg('--wrapper') ?? 'shipped';
  if (!['shipped', 'none', 'all-rows'].includes(column)) throw new Error(`--wrapper: shipped, none or all-rows, not ${column}`);
  const seed = Number(arg('--seed') ?? SEED);
  const L = await loadAll();
  const base = designFor(L.records, runtimeIndices(L.records, EVAL_POOL_CAP, seed, { allKernelTuner: true }));
  const design = base;
  const at = FEATURE_NAMES.indexOf('quant_wrapper');
  if (column !== 'shipped')
    for (let i = 0; i < base.nRows; i++) base.x[i * base.nFeatures + at] = column === 'none' ? 0 : frameworkClass(L.records[base.recordIdx[i]!]!);
  const y = runtimeTargets(design, 'log-ratio-to-analytic');
  const result = await runRuntimeProtocol(design, y, leaveOneGroupOut(design.tags.map((t) => t.gpu)), EVAL_RUNTIME_FOREST, EVAL_TRAIN_CAP, () => {}, seed);
  const { model, analytic } = result;
  const perGpu = new Map<string, { model: number[]; analytic: number[] }>();
  for (let i = 0; i < model.predicted.length; i++) {
    const gpu = model.tags[i]!.gpu!;
    let e = perGpu.get(gpu);
    if (!e) perGpu.set(gpu, (e = { model: [], analytic: [] }));
    e.model.push(Math.abs(model.predicted[i]! / model.actual[i]! - 1) * 100);
    e.analytic.push(Math.abs(analytic.predicted[i]! / model.actual[i]! - 1) * 100);
  }
  const rows = [...perGpu].map(([gpu, e]) => ({ gpu, model: median(e.model), analytic: median(e.analytic) })).sort((a, b) => b.model - a.model);
  console.log(`wrapper ${column}, seed ${seed}\n\n| held-out GPU | model MdAPE % | analytic alone MdAPE % |\n|---|---:|---:|`);
  for (const r of rows) console.log(`| ${r.gpu} | ${r.model.toFixed(1)} | ${r.analytic.toFixed(1)} |`);
  console.log(`\nmedian over held-out GPUs ${median(rows.map((r) => r.model)).toFixed(1)}%, worst ${rows[0]!.model.toFixed(1)}% (${rows[0]!.gpu})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
