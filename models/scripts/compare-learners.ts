// Side-by-side comparison of learners on the same grouped splits and the same features: the project's
// forest (two runtime targets), ml-random-forest, a tfjs MLP and the analytic model alone. Called by
// eval.ts (section of REPORT.md); `node --import tsx models/scripts/compare-learners.ts` prints it alone.
import { encodeModel, MODEL_SCHEMA_VERSION } from '../../server/src/model/artifact';
import { predictBatch } from '../../server/src/model/forest';
import { fromTarget, toTarget, type RuntimeTransform } from '../../server/src/model/targets';
import { FEATURE_NAMES, FEATURE_VERSION } from '../../server/src/perf/features';
import { trainForest } from '../training/train-forest';
import { fitMlp, fitMlRandomForest, type FittedLearner, type Matrix } from '../evaluation/baseline-learners';
import { markdownTable } from '../evaluation/breakdown';
import { takeRows, takeValues, type Design } from '../evaluation/design-matrix';
import { summarizeApe } from '../evaluation/metrics';
import { capPerStratum, groupKFold, type Fold } from '../evaluation/splits';
import { rowStratum } from './eval-protocols';
import { designFor, loadAll, runtimeIndices, runtimeTargets, SEED, SHIP_RUNTIME_FOREST } from './pipeline';

/** GPUs left out in turn for the comparison: one per family of the data (aiconfigurator + NeuSight, Blackwell workstation, NeuSight only, Kernel Tuner). */
export const COMPARISON_GPUS = ['h100-sxm', 'rtx-pro-6000-server', 't4', 'rtx-3090'];

interface Learner {
  name: string;
  /** Target the learner fits. */
  transform: RuntimeTransform | 'none';
  /** Rows per stratum it trains on (ml-random-forest is too slow for more). */
  cap: number;
  fit: ((train: Matrix, y: Float64Array) => Promise<FittedLearner>) | null;
}

interface Score {
  learner: string;
  trainMs: number;
  sizeBytes: number;
  predictUsPerRow: number;
  nTrain: number;
  logo: { pred: number[]; actual: number[] };
  shape: { pred: number[]; actual: number[] };
}

function forestLearner(transform: RuntimeTransform, trees: number): Learner['fit'] {
  return async (train, y) => {
    const t = await trainForest({ x: train.x, y, nRows: train.nRows, nFeatures: train.nFeatures }, { ...SHIP_RUNTIME_FOREST, trees, seed: SEED });
    const bytes = encodeModel({
      schemaVersion: MODEL_SCHEMA_VERSION,
      featureNames: [...FEATURE_NAMES],
      featureVersion: FEATURE_VERSION,
      target: { name: 'runtime', transform },
      dataFingerprint: '',
      metrics: {},
      calibration: [],
      forest: t.forest,
    });
    return { sizeBytes: bytes.length, predict: (m) => predictBatch(t, m.x, m.nRows).mean };
  };
}

export async function compareLearners(
  d: Design,
  yRatio: Float64Array,
  _transform: RuntimeTransform,
  o: { quick: boolean; log: (line: string) => void },
): Promise<{ markdown: string[] }> {
  const trees = o.quick ? 6 : 16;
  const baseCap = o.quick ? 800 : 1500;
  const learners: Learner[] = [
    {
      name: `project forest, ln(runtime/analytic) (${trees} trees)`,
      transform: 'log-ratio-to-analytic',
      cap: baseCap,
      fit: forestLearner('log-ratio-to-analytic', trees),
    },
    { name: `project forest, ln(runtime) (${trees} trees)`, transform: 'log', cap: baseCap, fit: forestLearner('log', trees) },
    {
      name: 'ml-random-forest, ln(runtime/analytic) (10 trees, depth 10)',
      transform: 'log-ratio-to-analytic',
      cap: o.quick ? 15 : 40,
      fit: (m, y) => fitMlRandomForest(m, y, { trees: 10, maxDepth: 10, minSamplesLeaf: 5, featureFraction: 0.7, seed: SEED }),
    },
    {
      name: 'tfjs MLP 64-64, ln(runtime/analytic) (standardised, 8 epochs)',
      transform: 'log-ratio-to-analytic',
      cap: baseCap,
      fit: (m, y) => fitMlp(m, y, { hidden: [64, 64], epochs: o.quick ? 2 : 8, batchSize: 256, learningRate: 1e-3, seed: SEED }),
    },
    { name: 'analytic model alone', transform: 'none', cap: 0, fit: null },
  ];
  const strata = d.tags.map(rowStratum);
  const gpuFolds: Fold[] = [];
  for (const gpu of COMPARISON_GPUS) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < d.nRows; i++) (d.tags[i].gpu === gpu ? test : train).push(i);
    if (test.length > 0) gpuFolds.push({ name: gpu, trainIdx: Int32Array.from(train), testIdx: capPerStratum(strata, 2000, SEED, test) });
  }
  const shapeFold = groupKFold(
    d.tags.map((t) => `${t.gpu}|${t.shape}`),
    5,
    SEED,
  )[0];
  shapeFold.testIdx = capPerStratum(strata, 400, SEED, shapeFold.testIdx);
  const folds: Array<{ kind: 'logo' | 'shape'; fold: Fold }> = [
    ...gpuFolds.map((fold) => ({ kind: 'logo' as const, fold })),
    { kind: 'shape', fold: shapeFold },
  ];
  const logY = new Float64Array(d.nRows);
  for (let i = 0; i < d.nRows; i++) logY[i] = toTarget('log', d.runtimeMs[i], NaN);

  const scores: Score[] = [];
  for (const L of learners) {
    const s: Score = {
      learner: L.name,
      trainMs: 0,
      sizeBytes: 0,
      predictUsPerRow: 0,
      nTrain: 0,
      logo: { pred: [], actual: [] },
      shape: { pred: [], actual: [] },
    };
    let predictedRows = 0;
    let predictMs = 0;
    for (const { kind, fold } of folds) {
      const test = fold.testIdx;
      let pred: Float64Array;
      if (!L.fit) pred = takeValues(d.analyticMs, test);
      else {
        const train = capPerStratum(strata, L.cap, SEED, fold.trainIdx);
        const y = takeValues(L.transform === 'log' ? logY : yRatio, train);
        const t0 = performance.now();
        const fitted = await L.fit({ x: takeRows(d.x, d.nFeatures, train), nRows: train.length, nFeatures: d.nFeatures }, y);
        s.trainMs += performance.now() - t0;
        s.sizeBytes = Math.max(s.sizeBytes, fitted.sizeBytes);
        s.nTrain = Math.max(s.nTrain, train.length);
        const t1 = performance.now();
        const raw = fitted.predict({ x: takeRows(d.x, d.nFeatures, test), nRows: test.length, nFeatures: d.nFeatures });
        predictMs += performance.now() - t1;
        predictedRows += test.length;
        pred = Float64Array.from(raw, (v, t) => fromTarget(L.transform as RuntimeTransform, v, d.analyticMs[test[t]]));
      }
      const into = kind === 'logo' ? s.logo : s.shape;
      for (let t = 0; t < test.length; t++) {
        into.pred.push(pred[t]);
        into.actual.push(d.runtimeMs[test[t]]);
      }
    }
    s.trainMs /= L.fit ? folds.length : 1;
    s.predictUsPerRow = predictedRows ? (predictMs * 1000) / predictedRows : 0;
    scores.push(s);
    const a = summarizeApe(s.logo.pred, s.logo.actual);
    o.log(`  ${L.name}: LOGO MdAPE ${a.medianPct.toFixed(1)}%, train ${(s.trainMs / 1000).toFixed(1)} s/fold`);
  }
  const rows = scores.map((s) => {
    const a = summarizeApe(s.logo.pred, s.logo.actual);
    const b = summarizeApe(s.shape.pred, s.shape.actual);
    return [
      s.learner,
      s.nTrain ? String(s.nTrain) : '–',
      s.trainMs ? (s.trainMs / 1000).toFixed(1) : '–',
      s.sizeBytes ? `${(s.sizeBytes / 1024).toFixed(0)} KiB` : '–',
      s.predictUsPerRow ? s.predictUsPerRow.toFixed(1) : '–',
      a.medianPct,
      a.p90Pct,
      b.medianPct,
      b.p90Pct,
    ];
  });
  const nLogo = scores[0].logo.actual.length;
  const nShape = scores[0].shape.actual.length;
  return {
    markdown: [
      '## Learner comparison (same splits, same features)',
      '',
      `LOGO = ${gpuFolds.map((f) => f.name).join(', ')} left out in turn (${nLogo} held-out rows, at most 2000 per stratum); shape = fold 1 of the shape-grouped 5-fold (${nShape} rows, at most 400 per stratum). ` +
        `Training rows per fold at most ${baseCap} per stratum (ml-random-forest: ${learners[2].cap}; its CART split search is quadratic in the rows of a node, so it cannot take more in minutes). ` +
        'Train time is per fold, wall clock on this machine (2 cores; the project forest uses both through worker threads, the others one). Size: encoded artifact (forest), JSON (ml-random-forest), float32 weights (MLP).',
      '',
      markdownTable(['learner', 'train rows', 'train s/fold', 'size', 'predict µs/row', 'LOGO MdAPE %', 'LOGO p90 %', 'shape MdAPE %', 'shape p90 %'], rows, [
        'l',
        'r',
        'r',
        'r',
        'r',
        'r',
        'r',
        'r',
        'r',
      ]),
    ],
  };
}

async function main(): Promise<void> {
  const L = await loadAll();
  const d = designFor(L.records, runtimeIndices(L.records, 3000, SEED));
  const y = runtimeTargets(d, 'log-ratio-to-analytic');
  const r = await compareLearners(d, y, 'log-ratio-to-analytic', { quick: process.env.TILECAST_EVAL_QUICK === '1', log: (l) => console.log(l) });
  console.log(r.markdown.join('\n'));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
