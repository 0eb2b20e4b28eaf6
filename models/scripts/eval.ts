// `npm run eval`: the honest evaluation of the learning pipeline, written to models/REPORT.md. Per held-out
// GPU first (worst first, the analytic model alone beside the shipped design on every row), then
// leave-one-architecture-out, leave-one-source-out, the spread over 3 seeds, Kernel Tuner ranking, power
// H200 <-> B200 by size band, and only then pooled figures. Writes only REPORT.md.
// TILECAST_EVAL_QUICK=1: smaller pools and forests (minutes), figures not final. TILECAST_EVAL_COMPARE=1
// adds the learner comparison (about 6 more minutes).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_NAMES, FEATURE_VERSION } from '../../server/src/perf/features';
import type { GemmRecord } from '../../server/src/data/record';
import type { TrainOptions } from '../training/train-forest';
import { markdownTable, summarizeHeldOut, type HeldOut } from '../evaluation/breakdown';
import { groupKFold, leaveOneGroupOut } from '../evaluation/splits';
import { seriesDisagreement, type Measurement } from '../evaluation/noise-floor';
import { dtypeLabel } from '../evaluation/design-matrix';
import { bandTable, besideRows, besideTable, medianAndWorst, seedSpreadTable } from '../evaluation/report-tables';
import { datasetsRoot } from './load-datasets';
import {
  designFor,
  fallbackSeries,
  loadAll,
  powerIndices,
  powerTargets,
  runtimeIndices,
  POWER_TRANSFORM,
  runtimeTargets,
  seconds,
  seriesKey,
  POWER_CAP_PER_STRATUM,
  SEED,
  SHIP_POWER_FOREST,
  SHIP_RUNTIME_FOREST,
} from './pipeline';
import { EVAL_POOL_CAP, EVAL_RUNTIME_FOREST, EVAL_TRAIN_CAP, rankingByGpu, runRuntimeProtocol } from './eval-protocols';
import { runPowerProtocol } from './power-protocol';
import { POWER_BAND_LABELS } from '../../server/src/model/power-bands';
import { DECAY, FLAG_ABOVE } from './correction-shrink';

const QUICK = process.env.TILECAST_EVAL_QUICK === '1';
const COMPARE = process.env.TILECAST_EVAL_COMPARE === '1';
const EVAL_POWER_FOREST: Omit<TrainOptions, 'seed'> = { ...SHIP_POWER_FOREST, trees: QUICK ? 8 : 48 };
const TRAIN_CAP = EVAL_TRAIN_CAP;
const POOL_CAP = EVAL_POOL_CAP;
const SEEDS = [SEED, SEED + 1, SEED + 2];

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

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

function pooledRow(name: string, protocol: string, model: HeldOut, analytic: HeldOut, filter: (t: Record<string, string>) => boolean): string[] {
  const m = summarizeHeldOut(model, name, filter);
  const a = summarizeHeldOut(analytic, name, filter);
  return [name, protocol, String(m.n), f1(m.medianPct), f1(a.medianPct), f1(m.meanPct), f1(m.p90Pct), (m.coverage * 100).toFixed(0)];
}

async function main(): Promise<void> {
  const started = performance.now();
  if (datasetsRoot() === null) {
    console.error('eval: ../shared/datasets not found (set TILECAST_DATASETS); nothing to evaluate');
    process.exit(1);
  }
  const L = await loadAll();
  log(`loaded ${L.records.length} records in ${seconds(L.loadMs)}`);
  const times: Record<string, number> = {};
  let t0 = performance.now();
  const rt = designFor(L.records, runtimeIndices(L.records, POOL_CAP, SEED, { allKernelTuner: true }));
  const yRt = runtimeTargets(rt, 'log-ratio-to-analytic');
  log(`runtime pool ${rt.nRows} rows, features in ${seconds(performance.now() - t0)}`);
  const gpuOf = rt.tags.map((t) => t.gpu);

  // ---- Runtime LOGO, 3 seeds ----
  const logo = [];
  for (const seed of SEEDS) {
    t0 = performance.now();
    log(`runtime: leave-one-GPU-out, seed ${seed}`);
    logo.push({ seed, result: await runRuntimeProtocol(rt, yRt, leaveOneGroupOut(gpuOf), EVAL_RUNTIME_FOREST, TRAIN_CAP, log, seed) });
    times[`LOGO seed ${seed}`] = performance.now() - t0;
  }
  const main0 = logo[0].result;
  const gpuRows = besideRows(main0.model, main0.analytic, (t) => t.gpu);
  const archOf = new Map(rt.tags.map((t) => [t.gpu, t.arch]));
  const perSeed = logo.map((l) => ({ seed: l.seed, rows: besideRows(l.result.model, l.result.analytic, (t) => t.gpu) }));
  const spread = seedSpreadTable(perSeed);

  // ---- Leave-one-architecture-out, leave-one-source-out ----
  t0 = performance.now();
  log('runtime: leave-one-architecture-out');
  const loao = await runRuntimeProtocol(rt, yRt, leaveOneGroupOut(rt.tags.map((t) => t.arch)), EVAL_RUNTIME_FOREST, TRAIN_CAP, log);
  times['leave-one-architecture-out'] = performance.now() - t0;
  t0 = performance.now();
  log('runtime: leave-one-source-out');
  const loso = await runRuntimeProtocol(rt, yRt, leaveOneGroupOut(rt.tags.map((t) => t.source)), EVAL_RUNTIME_FOREST, TRAIN_CAP, log);
  times['leave-one-source-out'] = performance.now() - t0;

  // ---- Shape-grouped 5-fold within each GPU ----
  t0 = performance.now();
  log('runtime: shape-grouped 5-fold within each GPU');
  const shape = await runRuntimeProtocol(
    rt,
    yRt,
    groupKFold(
      rt.tags.map((t) => `${t.gpu}|${t.shape}`),
      5,
      SEED,
    ),
    EVAL_RUNTIME_FOREST,
    TRAIN_CAP,
    log,
  );
  times['shape 5-fold'] = performance.now() - t0;

  // ---- Power: H200 <-> B200, by size band ----
  t0 = performance.now();
  log('power: leave-one-GPU-out (H200 <-> B200)');
  const pw = designFor(L.records, powerIndices(L.records, POWER_CAP_PER_STRATUM));
  const yPw = powerTargets(pw, POWER_TRANSFORM);
  const pLogo = await runPowerProtocol(pw, yPw, L.records, leaveOneGroupOut(pw.tags.map((t) => t.gpu)), EVAL_POWER_FOREST, POWER_TRANSFORM, log);
  const pBands = bandTable(pLogo.model, (t) => `${t.gpu} · ${t.band}`);
  const pBandsAll = bandTable(pLogo.model, (t) => t.band);
  const pPhysics = bandTable(pLogo.physics, (t) => `${t.gpu} · ${t.band}`);
  times.power = performance.now() - t0;

  // ---- Learner comparison (optional) ----
  let comparison: string[] = [];
  if (COMPARE) {
    t0 = performance.now();
    const { compareLearners } = await import('./compare-learners');
    comparison = (await compareLearners(rt, yRt, 'log-ratio-to-analytic', { quick: QUICK, log })).markdown;
    times['learner comparison'] = performance.now() - t0;
  }

  // ---- Goals ----
  const archRows = besideRows(loao.model, loao.analytic, (t) => t.arch);
  const sourceRows = besideRows(loso.model, loso.analytic, (t) => t.source);
  // Rankings as the product ranks candidates: each problem's rows one group, the correction's shape kept (keep-shape.ts).
  const ranking = rankingByGpu(main0.ranked, main0.analytic);
  // Top-k regret of one seed swings by ten points and more (one configuration in or out of the top 5):
  // every seed is shown, and the goal is judged on the median over seeds.
  const alone = rankingByGpu(main0.model, main0.analytic);
  const seedRankings = logo.map((l) => rankingByGpu(l.result.ranked, l.result.analytic));
  const overSeeds = (gpu: string, pick: (r: (typeof ranking)[number]) => number) =>
    seedRankings.map((rs) => rs.find((r) => r.gpu === gpu)).flatMap((r) => (r ? [pick(r)] : []));
  const medianOf = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const seedsText = (v: number[], digits: number) => v.map((x) => x.toFixed(digits)).join(' / ');
  /** A Kernel Tuner goal row: each GPU's value for every seed, met when each GPU's median over seeds is. */
  const seedGoal = (goal: string, pick: (r: (typeof ranking)[number]) => number, digits: number, ok: (median: number) => boolean): string[] => [
    `Kernel Tuner GPU left out: ${goal} (seeds shown, median judged)`,
    ranking.map((r) => `${r.gpu} ${seedsText(overSeeds(r.gpu, pick), digits)}`).join(', '),
    yes(ranking.every((r) => ok(medianOf(overSeeds(r.gpu, pick))))),
  ];
  const mw = medianAndWorst(gpuRows);
  const worseThanAnalytic = gpuRows.filter((r) => r.modelMdape > r.analyticMdape + 0.05);
  const bigPower = pBandsAll.rows.filter((r) => r.slice === '10–100 GFLOP' || r.slice === '≥ 100 GFLOP');
  const isBig = (t: Record<string, string>) => t.band === '10–100 GFLOP' || t.band === '≥ 100 GFLOP';
  const bigPowerMdape = summarizeHeldOut(pLogo.model, 'big', isBig).medianPct;
  const bigPhysicsMdape = summarizeHeldOut(pLogo.physics, 'big', isBig).medianPct;
  const smallBands = pBands.rows.filter((r) => r.slice.includes('< 1') || r.slice.includes('1–10'));
  const yes = (ok: boolean) => (ok ? 'met' : '**not met**');
  const goals: string[][] = [
    ['median over held-out GPUs of per-GPU runtime MdAPE ≤ 10%', `${f1(mw.median)}%`, yes(mw.median <= 10)],
    ['worst held-out GPU ≤ 20%', `${f1(mw.worst)}% (${mw.worstSlice})`, yes(mw.worst <= 20)],
    [
      'every held-out GPU: model no worse than analytic alone',
      worseThanAnalytic.length === 0
        ? 'all'
        : `worse on ${worseThanAnalytic.map((r) => `${r.slice} (${f1(r.modelMdape)} vs ${f1(r.analyticMdape)})`).join(', ')}`,
      yes(worseThanAnalytic.length === 0),
    ],
    ['leave-one-architecture-out ≤ 20% each', archRows.map((r) => `${r.slice} ${f1(r.modelMdape)}`).join(', '), yes(archRows.every((r) => r.modelMdape <= 20))],
    seedGoal(
      'Spearman ≥ 0.9',
      (x) => x.spearman,
      2,
      (v) => v >= 0.9,
    ),
    seedGoal(
      'top-5 regret ≤ 5%',
      (x) => x.top5RegretPct,
      1,
      (v) => v <= 5,
    ),
    [
      'power H200 ↔ B200, GEMMs ≥ 10 GFLOP: MdAPE ≤ 8%',
      `${f1(bigPowerMdape)}% (${bigPower.map((r) => `${r.slice} ${f1(r.mdape)}`).join(', ')}; physics alone ${f1(bigPhysicsMdape)}%)`,
      yes(bigPowerMdape <= 8),
    ],
    [
      'power < 10 GFLOP: 80% interval coverage 70–90% in every band',
      smallBands.map((r) => `${r.slice} ${(r.coverage * 100).toFixed(0)}%`).join(', '),
      yes(smallBands.every((r) => r.coverage >= 0.7 && r.coverage <= 0.9)),
    ],
    [
      'seed spread of the worst-GPU MdAPE ≤ 3 points',
      `${f1(spread.worstSpread)} points (largest per-GPU spread ${f1(spread.maxGpuSpread)})`,
      yes(spread.worstSpread <= 3),
    ],
  ];

  // ---- Report ----
  const totalMs = performance.now() - started;
  const isKt = (t: Record<string, string>) => t.source === 'kerneltuner';
  const md: string[] = [];
  md.push('# TileCast model evaluation', '');
  md.push('Generated by `npm run eval` (models/scripts/eval.ts); do not edit by hand. Every figure is on held-out data: whole GPUs,');
  md.push('architectures or sources left out, or whole shape groups within a GPU. No random row split anywhere. Per held-out GPU first,');
  md.push('worst first, with the analytic model alone beside the shipped design on every row; pooled figures come last.', '');
  md.push(
    `- Data: ${L.records.length} cleaned records, fingerprint \`${L.fingerprint.slice(0, 16)}…\`; features \`${FEATURE_VERSION}\` (${FEATURE_NAMES.length} features, no raw GPU specs).`,
  );
  md.push(
    `- Runtime pool: plain runs, at most ${POOL_CAP} rows per source/GPU/dtype/split stratum, all ${rt.tags.filter(isKt).length} Kernel Tuner configurations: ${rt.nRows} rows.`,
  );
  md.push(
    `- Labels: device time = measured time − the source/GPU timing overhead estimated from the data's smallest times (kernel-time floor ${(rt.overheads.kernelFloorMs * 1000).toFixed(2)} µs; PyTorch-eager overhead ${(rt.overheads.methodOverheadMs['pytorch-eager'] * 1000).toFixed(1)} µs, median over NeuSight GPUs). Dynamically quantised GEMMs also lose their scheme's fixed cost (lower quartile of the paired excess over plain GEMMs on the same source/GPU, see the table below). Target ln(device time / analytic). Every prediction (model and analytic alike) adds the overhead of the row's measurement method and its quantisation scheme, estimated without the held-out GPUs (and sources), and is scored against the measured time.`,
  );
  md.push(
    `- The shipped design on held-out rows: the forest's correction × λ (per kernel-family group, fitted on the *other* folds' held-out GPUs) × exp(−excess / ${DECAY}) outside the training domain (feature ranges of the fold's training rows, descriptors of its training GPUs); rows more than ${FLAG_ABOVE} training ranges outside are flagged extrapolating and their interval widened.`,
  );
  md.push(
    `- Each fold trains ${EVAL_RUNTIME_FOREST.trees} trees (runtime; shipped ${SHIP_RUNTIME_FOREST.trees}) / ${EVAL_POWER_FOREST.trees} (power) on at most ${TRAIN_CAP} rows per stratum of its training side (Kernel Tuner configurations whole); other settings as shipped. Intervals: 10th–90th percentile, scaled leave-one-fold-out, rows flagged extrapolating by their own scale (fitted, like the others', to 80% on the other folds).`,
  );
  md.push(
    `- Wall time: total ${seconds(totalMs)} (load ${seconds(L.loadMs)}; ${Object.entries(times)
      .map(([k, v]) => `${k} ${seconds(v)}`)
      .join(', ')}).${QUICK ? ' QUICK MODE (TILECAST_EVAL_QUICK=1): reduced sizes, figures not final.' : ''}`,
    '',
  );
  md.push('## Goals (issue 9)', '');
  md.push(markdownTable(['goal', 'measured', ''], goals, ['l', 'l', 'l']), '');
  md.push(`## Runtime, leave-one-GPU-out (seed ${SEEDS[0]})`, '');
  md.push('Each GPU predicted by a model that never saw it (all its sources and dtypes left out together). Per GPU over all its rows:', '');
  md.push(
    besideTable(
      gpuRows.map((r) => ({ ...r, slice: `${r.slice} (${archOf.get(r.slice) ?? '?'})` })),
      'held-out GPU',
    ),
    '',
  );
  md.push(
    `Median over held-out GPUs ${f1(mw.median)}%, worst ${f1(mw.worst)}% (${mw.worstSlice}). Unshrunk forest on the same rows: median ${f1(medianAndWorst(besideRows(main0.raw, main0.analytic, (t) => t.gpu)).median)}%, worst ${f1(medianAndWorst(besideRows(main0.raw, main0.analytic, (t) => t.gpu)).worst)}%. Correction weights λ per fold (library / library-fp32 / tiled): ${[...main0.lambdas].map(([k, v]) => `${k} ${v.library}/${v['library-fp32']}/${v.tiled}`).join(', ')}.`,
    '',
  );
  md.push('Per held-out GPU and source/dtype:', '');
  md.push(
    besideTable(
      besideRows(main0.model, main0.analytic, (t) => `${t.gpu} · ${t.source} ${t.dtype}`),
      'held-out GPU · source dtype',
    ),
    '',
  );
  md.push('## Spread over 3 seeds (leave-one-GPU-out)', '');
  md.push(spread.markdown, '');
  md.push('## Leave-one-architecture-out', '');
  md.push('All GPUs of one architecture held out together.', '');
  md.push(besideTable(archRows, 'held-out architecture'), '');
  md.push('## Leave-one-source-out', '');
  md.push(
    "Train on two sources, predict the third (device-time labels; the held-out source's method overhead is the stated per-method constant, as a user would give it).",
    '',
  );
  md.push(besideTable(sourceRows, 'held-out source'), '');
  md.push(
    besideTable(
      besideRows(loso.model, loso.analytic, (t) => `${t.source} · ${t.gpu}`),
      'held-out source · GPU',
    ),
    '',
  );
  md.push('## Kernel Tuner: ranking CLBlast configurations on a GPU left out of training', '');
  md.push(`Seed ${SEEDS[0]} unless a column names the seeds: one configuration entering or leaving the top 5 moves top-k regret by ten points and more.`, '');
  md.push(
    markdownTable(
      [
        'held-out GPU',
        'configs',
        'Spearman',
        'top-1 regret %',
        'top-5 regret %',
        `top-5 regret %, seeds ${SEEDS.join(' / ')}`,
        'Spearman, each alone',
        'top-5 regret %, each alone',
        'analytic Spearman',
        'analytic top-1 regret %',
      ],
      ranking.map((r) => [
        r.gpu,
        String(r.n),
        r.spearman.toFixed(3),
        f1(r.top1RegretPct),
        f1(r.top5RegretPct),
        seedsText(
          overSeeds(r.gpu, (x) => x.top5RegretPct),
          1,
        ),
        (alone.find((a) => a.gpu === r.gpu)?.spearman ?? NaN).toFixed(3),
        f1(alone.find((a) => a.gpu === r.gpu)?.top5RegretPct ?? NaN),
        r.analyticSpearman.toFixed(3),
        f1(r.analyticTop1RegretPct),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  md.push(
    "Ranked as `tilecast predict --top K` and the editor's tile actions rank a problem's candidates: one group, the learned correction's shape kept and its level shrunk (server/src/model/keep-shape.ts). 'Each alone' ranks the candidates' individual predictions, as a hover on each would show them.",
    '',
  );
  md.push(
    "Regret = (measured time of the best of the model's top-k picks − best measured time) / best measured time; `tilecast predict --top K` recommends those k.",
    '',
  );
  md.push('## Power, H200 ↔ B200 by problem size', '');
  md.push(
    "Power is measured only in aiconfigurator's power-measuring runs on H200 and B200: train on one, predict the other. Below ~10 GFLOP the labels are noisy (same shape, power differs by a third between series), so there the goal is an interval that covers 70–90%.",
    '',
  );
  md.push(
    `Prediction = physics power (server/src/perf/power-model.ts: active floor + energy per FLOP and per DRAM byte, capped at board power) × exp(λ · forest correction); λ fitted on the other GPU's held-out rows ≥ 10 GFLOP (${[...pLogo.lambdas].map(([k, v]) => `${k} fold ${v}`).join(', ')}; shipped ${pLogo.lambda}); interval scaled per size band, each GPU's scales fitted on the other GPU (pooled over both: ${pLogo.bandScales.map((x, b) => `${POWER_BAND_LABELS[b]} ${x.toFixed(2)}`).join(', ')}).`,
    '',
  );
  md.push(pBands.markdown, '');
  md.push(pBandsAll.markdown, '');
  md.push('The physics power model alone on the same rows:', '');
  md.push(pPhysics.markdown, '');
  md.push('## Runtime, shape-grouped 5-fold within each GPU', '');
  md.push('The GPU is in training, the held-out (n, k) weight shapes (Kernel Tuner: block tiles) of that GPU are not.', '');
  md.push(
    besideTable(
      besideRows(shape.model, shape.analytic, (t) => `${t.source} ${t.dtype}`),
      'source dtype',
    ),
    '',
  );
  md.push('## Pooled (below the per-GPU figures on purpose)', '');
  const all = () => true;
  md.push(
    markdownTable(
      ['slice', 'protocol', 'n', 'model MdAPE %', 'analytic MdAPE %', 'mean APE %', 'p90 APE %', '80% coverage %'],
      [
        pooledRow('all runtime rows', 'LOGO', main0.model, main0.analytic, all),
        pooledRow('aiconfigurator bf16', 'LOGO', main0.model, main0.analytic, (t) => t.source === 'aiconfigurator' && t.dtype === 'bf16'),
        pooledRow('NeuSight fp32', 'LOGO', main0.model, main0.analytic, (t) => t.source === 'neusight'),
        pooledRow('Kernel Tuner CLBlast', 'LOGO', main0.model, main0.analytic, isKt),
        pooledRow('all runtime rows', 'leave-one-architecture-out', loao.model, loao.analytic, all),
        pooledRow('all runtime rows', 'leave-one-source-out', loso.model, loso.analytic, all),
        pooledRow('all runtime rows', 'shape 5-fold', shape.model, shape.analytic, all),
      ],
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  // Coverage and width of the 80% interval on LOGO rows, flagged extrapolating or not (each group has its own scale).
  const groupCoverage = (flagged: string): string => {
    const h = main0.model;
    const s = summarizeHeldOut(h, flagged, (t) => t.extrapolating === flagged);
    const widths = h.tags.flatMap((t, i) => (t.extrapolating === flagged ? [h.hi[i] / h.lo[i]] : [])).sort((a, b) => a - b);
    return `${(100 * s.coverage).toFixed(0)}% of ${s.n} rows, median hi/lo ${(widths[widths.length >> 1] ?? NaN).toFixed(2)}`;
  };
  md.push(`LOGO 80% intervals (seed ${SEED}): rows flagged extrapolating ${groupCoverage('true')}; the others ${groupCoverage('false')}.`, '');
  md.push(
    `Interval scale on the raw forest interval (pooled over folds): LOGO ${main0.pooledScale.toFixed(2)} (rows flagged extrapolating ${main0.pooledExtrapolatingScale.toFixed(2)}), architecture ${loao.pooledScale.toFixed(2)}, source ${loso.pooledScale.toFixed(2)}, shape ${shape.pooledScale.toFixed(2)}, power LOGO ${pLogo.pooledScale.toFixed(2)} (per band above).`,
    '',
  );
  md.push('## Timing overhead of each source (estimated from the data)', '');
  md.push(
    markdownTable(
      ['source', 'GPU', 'method', 'smallest time µs', 'smallest analytic µs', 'identifiable', 'overhead µs'],
      rt.overheads.entries.map((e) => [
        e.source,
        e.gpu,
        e.method,
        (e.floorMs * 1000).toFixed(1),
        (e.smallestAnalyticMs * 1000).toFixed(1),
        e.identifiable ? 'yes' : 'no',
        (e.overheadMs * 1000).toFixed(1),
      ]),
      ['l', 'l', 'l', 'r', 'r', 'l', 'r'],
    ),
    '',
  );
  md.push('## Fixed cost of each quantisation scheme (estimated from the data)', '');
  md.push(
    "Lower quartile, over GEMMs measured both quantised and plain with a plain time under 20 µs, of the quantised time's excess over the analytic model beyond the plain one (docs/data.md). Added to device time for that scheme on GPUs of the same compute-capability major (else the median of all entries); each evaluation fold uses only entries of GPUs and sources it trained on.",
    '',
  );
  md.push(
    markdownTable(
      ['scheme', 'source', 'GPU', 'family', 'pairs', 'overhead µs'],
      rt.schemes.entries.map((e) => [e.scheme, e.source, e.gpu, e.family, String(e.pairs), (e.overheadMs * 1000).toFixed(2)]),
      ['l', 'l', 'l', 'l', 'r', 'r'],
    ),
    '',
  );
  const floors = noiseFloors(L.records);
  md.push('## Noise floor of the data', '');
  md.push('The same GPU, dtype and shape measured by two framework versions (aiconfigurator series): APE of predicting one by the other.', '');
  const floorRows = (rows: ReturnType<typeof seriesDisagreement>) =>
    rows.map((r) => [r.slice, String(r.n), r.medianPct.toFixed(1), r.meanPct.toFixed(1), r.p90Pct.toFixed(1)]);
  md.push(markdownTable(['runtime, plain runs', 'shapes', 'MdAPE %', 'mean APE %', 'p90 APE %'], floorRows(floors.runtime), ['l', 'r', 'r', 'r', 'r']), '');
  md.push(
    markdownTable(['power, power-measuring runs', 'shapes', 'MdAPE %', 'mean APE %', 'p90 APE %'], floorRows(floors.power), ['l', 'r', 'r', 'r', 'r']),
    '',
  );
  const excludedSeries = fallbackSeries(L.records);
  md.push(
    `Left out as framework fallback paths, not library GEMMs (median runtime > 3x bf16 on the same GPU and shapes): ${excludedSeries.map((x) => `${x.series.split('|').slice(1, 4).join(' ')} (${x.medianRatioToBf16.toFixed(1)}x)`).join('; ')}.`,
    '',
  );
  if (comparison.length > 0) md.push(...comparison, '');
  writeFileSync(join(__dirname, '..', 'REPORT.md'), `${md.join('\n')}\n`);
  log(`wrote models/REPORT.md in ${seconds(totalMs)}`);
  log(md.slice(0, 60).join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
