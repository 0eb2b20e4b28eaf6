// Experiment, not part of the shipped design: leave-one-GPU-out runtime MdAPE per held-out GPU when the
// forest also sees the framework that wrapped each measured GEMM (aiconfigurator records name it:
// sglang, torch_flow, deepgemm, CUTLASS, ...). The same rows, targets, forest and shrink as `npm run eval`
// (runRuntimeProtocol, one seed); without a column it reproduces REPORT.md's per-GPU table. One column:
//   --column framework        0 raw kernel or another source, 1 sglang wrapper, 2 torch wrapper, 3 trt flow
//   --column quant-framework  the same for quantised rows only, 0 for every unquantised row
// Run: node --import tsx models/scripts/framework-logo.ts [--column framework|quant-framework] [--seed N]
// Reads the data sets through pipeline.ts; writes nothing. About 2 min 15 s on 2 cores.
import type { GemmRecord } from '../../server/src/data/record';
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
  const column = arg('--column') ?? 'none';
  if (!['none', 'framework', 'quant-framework'].includes(column)) throw new Error(`--column: none, framework or quant-framework, not ${column}`);
  const seed = Number(arg('--seed') ?? SEED);
  const L = await loadAll();
  const base = designFor(L.records, runtimeIndices(L.records, EVAL_POOL_CAP, seed, { allKernelTuner: true }));
  let design = base;
  if (column !== 'none') {
    const nf = base.nFeatures + 1;
    const x = new Float32Array(base.nRows * nf);
    for (let i = 0; i < base.nRows; i++) {
      const r = L.records[base.recordIdx[i]!]!;
      x.set(base.x.subarray(i * base.nFeatures, (i + 1) * base.nFeatures), i * nf);
      x[i * nf + base.nFeatures] = column === 'quant-framework' && !r.quantization ? 0 : frameworkClass(r);
    }
    design = { ...base, x, nFeatures: nf };
  }
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
  console.log(`column ${column}, seed ${seed}\n\n| held-out GPU | model MdAPE % | analytic alone MdAPE % |\n|---|---:|---:|`);
  for (const r of rows) console.log(`| ${r.gpu} | ${r.model.toFixed(1)} | ${r.analytic.toFixed(1)} |`);
  console.log(`\nmedian over held-out GPUs ${median(rows.map((r) => r.model)).toFixed(1)}%, worst ${rows[0]!.model.toFixed(1)}% (${rows[0]!.gpu})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
