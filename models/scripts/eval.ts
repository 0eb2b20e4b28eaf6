// `npm run eval`: the honest evaluation of the learning pipeline, written to models/REPORT.md.
// Leave-one-GPU-out and shape-grouped 5-fold (never a random row split), power H200 <-> B200, Kernel
// Tuner ranking, interval coverage, the analytic baseline and the learner comparison. Writes only REPORT.md.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_NAMES, FEATURE_VERSION } from '../../server/src/perf/features';
import type { TrainOptions } from '../training/train-forest';
import { breakdownBy, markdownTable, sliceTable, summarizeHeldOut, type HeldOut } from '../evaluation/breakdown';
import { groupKFold, leaveOneGroupOut } from '../evaluation/splits';
import { datasetsRoot } from './load-datasets';
import {
  designFor, loadAll, powerIndices, powerTargets, runtimeIndices, runtimeTargets, seconds,
  POWER_CAP_PER_STRATUM, RUNTIME_CAP_PER_STRATUM, SEED, SHIP_POWER_FOREST, SHIP_RUNTIME_FOREST,
} from './pipeline';
import { analyticHeldOut, heldOutOf, rankingByGpu, runFolds } from './eval-protocols';
import { seriesDisagreement, type Measurement } from '../evaluation/noise-floor';
import { dtypeLabel } from '../evaluation/design-matrix';
import { fallbackSeries, seriesKey, FAST_CONFIG_FRACTION, FAST_CONFIG_WEIGHT } from './pipeline';
import type { GemmRecord } from '../../server/src/data/record';

/** Runtime (plain) and power noise floors: two series measuring the same GPU, dtype and shape. */
function noiseFloors(records: readonly GemmRecord[]): { runtime: ReturnType<typeof seriesDisagreement>; power: ReturnType<typeof seriesDisagreement> } {
  const excluded = new Set(fallbackSeries(records).map((x) => x.series));
  const rt: Measurement[] = [];
  const pw: Measurement[] = [];
  for (const r of records) {
    if (r.source !== 'aiconfigurator' || excluded.has(seriesKey(r))) continue;
    const key = `${r.gpu}|${dtypeLabel(r)}|${r.m}|${r.n}|${r.k}`;
    const series = `${r.framework} ${r.frameworkVersion}`;
    if (r.condition === 'plain') rt.push({ key, series, slice: `aiconfigurator ${dtypeLabel(r)}`, value: r.runtimeMs });
    if (r.powerW !== undefined) pw.push({ key, series, slice: `${r.gpu} ${dtypeLabel(r)}`, value: r.powerW });
  }
  return { runtime: seriesDisagreement(rt), power: seriesDisagreement(pw) };
}
import { compareLearners } from './compare-learners';

const QUICK = process.env.TILECAST_EVAL_QUICK === '1';
/** Fewer trees and rows per fold than the shipped models, so the 17 LOGO folds fit in minutes on 2 cores. */
const EVAL_RUNTIME_FOREST: Omit<TrainOptions, 'seed'> = { ...SHIP_RUNTIME_FOREST, trees: QUICK ? 6 : 32 };
const EVAL_POWER_FOREST: Omit<TrainOptions, 'seed'> = { ...SHIP_POWER_FOREST, trees: QUICK ? 6 : 48 };
const TRAIN_CAP = QUICK ? 1500 : 6000;
const TARGET_COVERAGE = 0.8;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const sliceOf = (t: Record<string, string>) => `${t.source} ${t.dtype}`;
const gpuSliceOf = (t: Record<string, string>) => `${t.gpu} · ${t.source} ${t.dtype}`;

function headline(name: string, protocol: string, h: HeldOut, filter: (t: Record<string, string>) => boolean, goal: string): Array<string | number> {
  const s = summarizeHeldOut(h, name, filter);
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  return [name, protocol, String(s.n), f(s.medianPct), f(s.meanPct), f(s.p90Pct), protocol === 'any' ? '–' : f(s.coverage * 100, 0), goal];
}

async function main(): Promise<void> {
  const started = performance.now();
  if (datasetsRoot() === null) {
    console.error('eval: ../shared/datasets not found (set TILECAST_DATASETS); nothing to evaluate');
    process.exit(1);
  }
  const L = await loadAll();
  log(`loaded ${L.records.length} records in ${seconds(L.loadMs)}`);

  // ---- Runtime pool: plain runs, capped per stratum; all Kernel Tuner configurations ----
  const rtIdx = runtimeIndices(L.records, QUICK ? 3000 : RUNTIME_CAP_PER_STRATUM, SEED, { allKernelTuner: true });
  let t0 = performance.now();
  const rt = designFor(L.records, rtIdx);
  const transform = 'log-ratio-to-analytic' as const;
  const yRt = runtimeTargets(rt, transform);
  log(`runtime pool ${rt.nRows} rows, features in ${seconds(performance.now() - t0)}`);

  // ---- Runtime LOGO ----
  t0 = performance.now();
  log('runtime: leave-one-GPU-out');
  const logoFolds = leaveOneGroupOut(rt.tags.map((t) => t.gpu));
  const logoRuns = await runFolds(rt, yRt, logoFolds, EVAL_RUNTIME_FOREST, TRAIN_CAP, log);
  const logo = heldOutOf(logoRuns, rt, yRt, { transform, calibrateTo: TARGET_COVERAGE });
  const logoAnalytic = analyticHeldOut(logoRuns, rt);
  const logoMs = performance.now() - t0;

  // ---- Runtime shape-grouped 5-fold within GPU ----
  t0 = performance.now();
  log('runtime: shape-grouped 5-fold within each GPU');
  const shapeFolds = groupKFold(rt.tags.map((t) => `${t.gpu}|${t.shape}`), 5, SEED);
  const shapeRuns = await runFolds(rt, yRt, shapeFolds, EVAL_RUNTIME_FOREST, TRAIN_CAP, log);
  const shape = heldOutOf(shapeRuns, rt, yRt, { transform, calibrateTo: TARGET_COVERAGE });
  const shapeMs = performance.now() - t0;

  // ---- Power ----
  t0 = performance.now();
  log('power: leave-one-GPU-out (H200 <-> B200) and shape-grouped 5-fold');
  const pw = designFor(L.records, powerIndices(L.records, POWER_CAP_PER_STRATUM));
  const yPw = powerTargets(pw);
  const pLogoRuns = await runFolds(pw, yPw, leaveOneGroupOut(pw.tags.map((t) => t.gpu)), EVAL_POWER_FOREST, 1e9, log);
  const pLogo = heldOutOf(pLogoRuns, pw, yPw, { transform: 'fraction-of-power-limit', calibrateTo: TARGET_COVERAGE });
  const pShapeRuns = await runFolds(pw, yPw, groupKFold(pw.tags.map((t) => `${t.gpu}|${t.shape}`), 5, SEED), EVAL_POWER_FOREST, 1e9, log);
  const pShape = heldOutOf(pShapeRuns, pw, yPw, { transform: 'fraction-of-power-limit', calibrateTo: TARGET_COVERAGE });
  const powerMs = performance.now() - t0;

  // ---- Kernel Tuner ranking (from the LOGO folds of its GPUs) ----
  const ranking = rankingByGpu(logo.heldOut, logoAnalytic);

  // ---- Learner comparison ----
  t0 = performance.now();
  log('learner comparison');
  const comparison = await compareLearners(rt, yRt, transform, { quick: QUICK, log });
  const compareMs = performance.now() - t0;

  const floors = noiseFloors(L.records);
  const excludedSeries = fallbackSeries(L.records);

  // ---- Report ----
  const isBf16 = (t: Record<string, string>) => t.source === 'aiconfigurator' && t.dtype === 'bf16';
  const isAic = (t: Record<string, string>) => t.source === 'aiconfigurator';
  const isNs = (t: Record<string, string>) => t.source === 'neusight';
  const isKt = (t: Record<string, string>) => t.source === 'kerneltuner';
  const all = () => true;
  const head = [
    headline('aiconfigurator bf16', 'LOGO', logo.heldOut, isBf16, 'MdAPE ≤ 12%'),
    headline('aiconfigurator all dtypes', 'LOGO', logo.heldOut, isAic, ''),
    headline('NeuSight fp32', 'LOGO', logo.heldOut, isNs, 'MdAPE ≤ 12%'),
    headline('Kernel Tuner CLBlast', 'LOGO', logo.heldOut, isKt, ''),
    headline('all runtime rows', 'LOGO', logo.heldOut, all, 'coverage 70–90%'),
    headline('aiconfigurator bf16', 'shape 5-fold', shape.heldOut, isBf16, 'MdAPE ≤ 6%'),
    headline('aiconfigurator all dtypes', 'shape 5-fold', shape.heldOut, isAic, 'MdAPE ≤ 6%'),
    headline('NeuSight fp32', 'shape 5-fold', shape.heldOut, isNs, 'MdAPE ≤ 6%'),
    headline('Kernel Tuner CLBlast', 'shape 5-fold', shape.heldOut, isKt, ''),
    headline('all runtime rows', 'shape 5-fold', shape.heldOut, all, 'coverage 70–90%'),
    headline('power (H200, B200)', 'LOGO', pLogo.heldOut, all, 'MdAPE ≤ 5%'),
    headline('power (H200, B200)', 'shape 5-fold', pShape.heldOut, all, 'MdAPE ≤ 5%'),
    headline('analytic model alone, aiconfigurator bf16', 'any', logoAnalytic, isBf16, 'baseline'),
    headline('analytic model alone, NeuSight fp32', 'any', logoAnalytic, isNs, 'baseline'),
  ];
  const totalMs = performance.now() - started;
  const md: string[] = [];
  md.push('# TileCast model evaluation', '');
  md.push('Generated by `npm run eval` (models/scripts/eval.ts); do not edit by hand. Every figure is on held-out data:');
  md.push('whole GPUs left out (LOGO) or whole shape groups left out within a GPU (shape 5-fold). No random row split anywhere.', '');
  md.push(`- Data: ${L.records.length} cleaned records, fingerprint \`${L.fingerprint.slice(0, 16)}…\`; features \`${FEATURE_VERSION}\` (${FEATURE_NAMES.length} features).`);
  md.push(`- Runtime pool: plain runs only (power-measuring runs are 7–15% slower and are left out of runtime), at most ${QUICK ? 3000 : RUNTIME_CAP_PER_STRATUM} rows per source/GPU/dtype/split stratum, all ${rt.tags.filter(isKt).length} Kernel Tuner configurations: ${rt.nRows} rows.`);
  md.push(`- Runtime target: \`${transform}\` = ln(runtime / analytic time). Power target: power / power limit. Predictions are inverted to ms and W before scoring.`);
  md.push(`- Each fold trains the project's forest on at most ${TRAIN_CAP} rows per stratum of its training side (Kernel Tuner configurations of the training GPUs whole; the fastest ${FAST_CONFIG_FRACTION * 100}% of each GPU's configurations weigh ${FAST_CONFIG_WEIGHT}, as in the shipped model), with ${EVAL_RUNTIME_FOREST.trees} trees (runtime) / ${EVAL_POWER_FOREST.trees} trees (power) instead of the shipped ${SHIP_RUNTIME_FOREST.trees} / ${SHIP_POWER_FOREST.trees}, to keep the ${logoRuns.length} LOGO folds within minutes on 2 cores; other settings as shipped (max depth ${SHIP_RUNTIME_FOREST.maxDepth}, min leaf ${SHIP_RUNTIME_FOREST.minSamplesLeaf}, feature fraction ${SHIP_RUNTIME_FOREST.featureFraction}).`);
  md.push(`- Intervals: the forest's 10th–90th percentile interval, scaled per fold by the factor fitted on the *other* folds' held-out rows (leave-one-fold-out conformal scaling); coverage is of that 80% interval.`);
  md.push(`- Shape groups: aiconfigurator/NeuSight by (n, k) weight shape, so every token count m of a weight shape is held out together and the repeating grid cannot leak; Kernel Tuner by block tile (MWG, NWG).`);
  md.push(`- Wall time: total ${seconds(totalMs)} (load ${seconds(L.loadMs)}, runtime LOGO ${seconds(logoMs)}, shape 5-fold ${seconds(shapeMs)}, power ${seconds(powerMs)}, comparison ${seconds(compareMs)}).${QUICK ? ' QUICK MODE (TILECAST_EVAL_QUICK=1): reduced sizes, figures not final.' : ''}`, '');
  md.push(`- Left out as framework fallback paths, not library GEMMs (median runtime > 3x bf16 on the same GPU and shapes): ${excludedSeries.map((x) => `${x.series.split('|').slice(1, 4).join(' ')} (${x.medianRatioToBf16.toFixed(1)}x)`).join('; ')}.`, '');
  md.push('## Headline', '');
  md.push(markdownTable(['slice', 'protocol', 'n', 'MdAPE %', 'mean APE %', 'p90 APE %', '80% coverage %', 'goal'], head, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l']), '');
  md.push('## Runtime, leave-one-GPU-out', '');
  md.push('Each GPU is predicted by a model that never saw it (all its sources and dtypes left out together).', '');
  md.push(sliceTable(breakdownBy(logo.heldOut, gpuSliceOf), 'held-out GPU · source dtype'), '');
  md.push('By source and dtype over all held-out GPUs:', '');
  md.push(sliceTable(breakdownBy(logo.heldOut, sliceOf), 'source dtype'), '');
  md.push('The analytic model alone on the same rows (no learning; its interval is a point):', '');
  md.push(sliceTable(breakdownBy(logoAnalytic, sliceOf), 'source dtype'), '');
  md.push('## Runtime, shape-grouped 5-fold within each GPU', '');
  md.push('The GPU is in training, the held-out (n, k) weight shapes of that GPU are not (they may be in training on other GPUs).', '');
  md.push(sliceTable(breakdownBy(shape.heldOut, gpuSliceOf), 'GPU · source dtype'), '');
  md.push(sliceTable(breakdownBy(shape.heldOut, sliceOf), 'source dtype'), '');
  md.push('## Power', '');
  md.push('Power is measured only in aiconfigurator\'s power-measuring runs on H200 and B200. LOGO = train on one, predict the other.', '');
  md.push(sliceTable(breakdownBy(pLogo.heldOut, (t) => `LOGO held-out ${t.gpu} · ${t.dtype}`), 'slice'), '');
  md.push(sliceTable(breakdownBy(pShape.heldOut, (t) => `shape 5-fold ${t.gpu} · ${t.dtype}`), 'slice'), '');
  md.push('## Kernel Tuner: ranking CLBlast configurations on a GPU left out of training', '');
  md.push(markdownTable(
    ['held-out GPU', 'configs', 'Spearman', 'top-1 regret %', 'top-5 regret %', 'top-1 regret % ranked by interval upper bound', 'analytic Spearman', 'analytic top-1 regret %'],
    ranking.map((r) => [r.gpu, String(r.n), r.spearman, r.top1RegretPct, r.top5RegretPct, r.top1RegretByHiPct, r.analyticSpearman, r.analyticTop1RegretPct]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  ), '');
  md.push('Regret = (measured time of the best of the model\'s top-k picks − best measured time) / best measured time. Goal: Spearman ≥ 0.85, top-1 regret ≤ 10%.', '');
  md.push('## Interval calibration', '');
  md.push(`Scale on the raw forest interval fitted on all held-out rows (what a shipped model trained the same way would use): runtime LOGO ${logo.pooledScale.toFixed(2)}, runtime shape 5-fold ${shape.pooledScale.toFixed(2)}, power LOGO ${pLogo.pooledScale.toFixed(2)}, power shape 5-fold ${pShape.pooledScale.toFixed(2)}.`, '');
  md.push('## Noise floor of the data', '');
  md.push('The same GPU, dtype and shape measured by two framework versions (aiconfigurator series): APE of predicting one by the other. No model can be expected to beat these on that data.', '');
  const floorRows = (rows: ReturnType<typeof seriesDisagreement>) => rows.map((r) => [r.slice, String(r.n), r.medianPct.toFixed(1), r.meanPct.toFixed(1), r.p90Pct.toFixed(1)]);
  md.push(markdownTable(['runtime, plain runs', 'shapes', 'MdAPE %', 'mean APE %', 'p90 APE %'], floorRows(floors.runtime), ['l', 'r', 'r', 'r', 'r']), '');
  md.push(markdownTable(['power, power-measuring runs', 'shapes', 'MdAPE %', 'mean APE %', 'p90 APE %'], floorRows(floors.power), ['l', 'r', 'r', 'r', 'r']), '');
  md.push(...comparison.markdown, '');
  writeFileSync(join(__dirname, '..', 'REPORT.md'), `${md.join('\n')}\n`);
  log(`wrote models/REPORT.md in ${seconds(totalMs)}`);
  log(md.slice(0, 40).join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
