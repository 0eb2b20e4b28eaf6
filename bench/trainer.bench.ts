// Benchmark of the random-forest trainer and model artifact on synthetic data of production size:
// prints train time, peak RSS, model size, decode time and prediction speed. Asserts nothing.
// Override sizes with env: TRAINER_BENCH_ROWS, _FEATURES, _TREES, _DEPTH, _MIN_LEAF, _SAMPLE, _FEATURE_FRACTION, _WORKERS.
import { availableParallelism, loadavg } from 'node:os';
import { decodeModel, encodeModel, type ModelArtifact } from '../server/src/model/artifact';
import { predict, predictBatch } from '../server/src/model/forest';
import { calibrateIntervals, intervalCoverage } from '../server/src/model/intervals';
import { makeSynthetic, sliceRows } from '../models/training/synthetic-data';
import { trainForest } from '../models/training/train-forest';

const env = (name: string, fallback: number) => Number(process.env[`TRAINER_BENCH_${name}`] ?? fallback);
const rows = env('ROWS', 300_000);
const nFeatures = env('FEATURES', 30);
const options = {
  trees: env('TREES', 100),
  maxDepth: env('DEPTH', 12),
  minSamplesLeaf: env('MIN_LEAF', 50),
  featureFraction: env('FEATURE_FRACTION', 0.33),
  sampleFraction: env('SAMPLE', 0.5),
  bootstrap: process.env.TRAINER_BENCH_BOOTSTRAP !== '0',
  seed: 1,
  workers: env('WORKERS', availableParallelism()),
};
const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

async function main() {
  const holdout = 20_000;
  const all = makeSynthetic({ nRows: rows + 2 * holdout, nFeatures, seed: 42, missingFraction: 0.05, noiseSlope: 0.5 });
  const train = sliceRows(all, 0, rows);
  const calib = sliceRows(all, rows, rows + holdout);
  const test = sliceRows(all, rows + holdout, rows + 2 * holdout);
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  console.log(`data: ${rows} rows x ${nFeatures} features (5% missing in one), options ${JSON.stringify(options)}`);

  console.log(
    `load average before: ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores (figures are wall-clock; other load inflates them)`,
  );
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const trained = await trainForest(train, options);
  const trainS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const s = trained.stats;
  console.log(
    `train: ${trainS.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (all threads) (binning ${(s.binMs / 1000).toFixed(2)} s) on ${s.workers} workers; ${s.nodes} nodes, ${s.leaves} leaves (${(s.leaves / s.trees).toFixed(0)}/tree), depth ${s.maxDepth}, ${s.meanSampledRows.toFixed(0)} distinct rows/tree`,
  );
  console.log(`memory: peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB (${mb(rssBefore)} MB before training, data included)`);

  let model: ModelArtifact = {
    schemaVersion: 1,
    featureNames: Array.from({ length: nFeatures }, (_, i) => `f${i}`),
    featureVersion: 'bench',
    target: { name: 'synthetic', transform: 'identity' },
    dataFingerprint: 'synthetic:42',
    metrics: {},
    calibration: [],
    training: { ...trained.options, quantileLevels: [...trained.options.quantileLevels] },
    forest: trained.forest,
  };
  const cal = calibrateIntervals(model, calib.x, calib.y, 0.8, { level: 0.8 });
  if (cal.ok) model = cal.model;

  const bytes = encodeModel(model);
  const decodeRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const r = decodeModel(bytes, { featureNames: model.featureNames, featureVersion: 'bench' });
    decodeRuns.push(performance.now() - t);
    if (!r.ok) throw new Error(r.error);
  }
  console.log(
    `artifact: ${bytes.length} bytes (${mb(bytes.length)} MiB); decode+validate ${decodeRuns[0].toFixed(1)} ms first, ${Math.min(...decodeRuns).toFixed(1)} ms best of 5`,
  );

  const batch = predictBatch(model, test.x, test.nRows);
  let se = 0;
  let sv = 0;
  let my = 0;
  for (const v of test.y) my += v;
  my /= test.nRows;
  for (let i = 0; i < test.nRows; i++) {
    se += (batch.mean[i] - test.y[i]) ** 2;
    sv += (test.y[i] - my) ** 2;
  }
  const raw = intervalCoverage(model, test.x, test.y, { uncalibrated: true });
  const calibrated = intervalCoverage(model, test.x, test.y);
  console.log(
    `accuracy: held-out R² ${(1 - se / sv).toFixed(4)}; 80% interval coverage ${raw.coverage.toFixed(3)} raw, ${calibrated.coverage.toFixed(3)} calibrated (scale ${cal.ok ? cal.calibration.scale.toFixed(3) : 'n/a'})`,
  );

  const single = 20_000;
  let sink = 0;
  for (let i = 0; i < 2000; i++) sink += predict(model, test.x.subarray((i % test.nRows) * nFeatures, ((i % test.nRows) + 1) * nFeatures)).mean;
  let t = performance.now();
  for (let i = 0; i < single; i++) {
    const r = i % test.nRows;
    sink += predict(model, test.x.subarray(r * nFeatures, (r + 1) * nFeatures)).mean;
  }
  const perRowUs = ((performance.now() - t) * 1000) / single;
  t = performance.now();
  predictBatch(model, test.x, test.nRows);
  const batchS = (performance.now() - t) / 1000;
  console.log(
    `predict: ${perRowUs.toFixed(1)} µs/row single-row (mean+80% interval); batch ${(test.nRows / batchS).toFixed(0)} rows/s (${((batchS * 1e6) / test.nRows).toFixed(2)} µs/row)${sink === 0.5 ? '' : ''}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
