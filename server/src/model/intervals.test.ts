// Tests for quantile-forest intervals and their conformal calibration on heteroscedastic synthetic data.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { makeSynthetic, sliceRows } from '../../../models/training/synthetic-data';
import { trainForest, type TrainedForest } from '../../../models/training/train-forest';
import { decodeModel, encodeModel } from './artifact';
import { predictBatch } from './forest';
import { calibrateIntervals, calibrateIntervalsOob, intervalCoverage } from './intervals';

describe('prediction intervals', () => {
  const all = makeSynthetic({ nRows: 7000, nFeatures: 8, seed: 21, noiseBase: 0.05, noiseSlope: 1 });
  const train = sliceRows(all, 0, 4000);
  const calib = sliceRows(all, 4000, 5500);
  const test = sliceRows(all, 5500, 7000);
  let model: TrainedForest;
  before(async () => {
    model = await trainForest(train, {
      trees: 40,
      maxDepth: 10,
      minSamplesLeaf: 20,
      featureFraction: 0.5,
      sampleFraction: 0.7,
      seed: 3,
      workers: 1,
      oob: true,
    });
  });

  // Quantile forests adapt the width along features the trees split on (here x0 drives mean and noise).
  it('adapts the width to heteroscedastic noise', () => {
    const p = predictBatch(model, test.x, test.nRows);
    let wLo = 0;
    let nLo = 0;
    let wHi = 0;
    let nHi = 0;
    for (let r = 0; r < test.nRows; r++) {
      const x0 = test.x[r * 8];
      if (x0 < 0.2) {
        wLo += p.hi[r] - p.lo[r];
        nLo++;
      } else if (x0 > 0.8) {
        wHi += p.hi[r] - p.lo[r];
        nHi++;
      }
      assert.ok(p.lo[r] <= p.mean[r] && p.mean[r] <= p.hi[r]);
    }
    // True noise sd differs ~6x; leaves also hold within-leaf signal spread, so the width ratio is smaller.
    assert.ok(wHi / nHi > 1.4 * (wLo / nLo), `noisy rows ${wHi / nHi}, quiet rows ${wLo / nLo}`);
  });

  it('calibrates the 80% interval to cover 72-88% of held-out rows', () => {
    const raw = intervalCoverage(model, test.x, test.y);
    assert.ok(raw.coverage > 0.55 && raw.coverage < 0.99, `raw coverage ${raw.coverage}`);
    assert.equal(raw.calibrated, false);
    const cal = calibrateIntervals(model, calib.x, calib.y, 0.8);
    assert.ok(cal.ok, cal.ok ? '' : cal.error);
    assert.equal(cal.calibration.n, calib.nRows);
    assert.ok(cal.calibration.coverageAfter >= 0.8 && cal.calibration.coverageAfter < 0.82);
    const after = intervalCoverage(cal.model, test.x, test.y);
    assert.equal(after.calibrated, true);
    assert.ok(after.coverage >= 0.72 && after.coverage <= 0.88, `calibrated coverage ${after.coverage}`);
    // Coverage holds in the quiet and in the noisy region, not only on average.
    for (const [name, keep] of [
      ['quiet', (x0: number) => x0 < 0.25],
      ['noisy', (x0: number) => x0 > 0.75],
    ] as const) {
      const rows = [...Array(test.nRows).keys()].filter((r) => keep(test.x[r * 8]));
      const xs = new Float32Array(rows.length * 8);
      rows.forEach((r, i) => xs.set(test.x.subarray(r * 8, r * 8 + 8), i * 8));
      const c = intervalCoverage(
        cal.model,
        xs,
        rows.map((r) => test.y[r]),
      );
      assert.ok(c.coverage > 0.65 && c.coverage < 0.95, `${name} coverage ${c.coverage}`);
    }
    assert.equal(model.calibration, undefined, 'the input model is not modified');
    // A higher target needs a wider interval.
    const wide = calibrateIntervals(model, calib.x, calib.y, 0.95);
    assert.ok(wide.ok && wide.calibration.scale > cal.calibration.scale);
    // Recalibrating the same level replaces the entry; another level is added beside it.
    const again = calibrateIntervals(cal.model, calib.x, calib.y, 0.9, { level: 0.8 });
    assert.ok(again.ok && again.model.calibration?.length === 1);
    const other = calibrateIntervals(cal.model, calib.x, calib.y, 0.5, { level: 0.5 });
    assert.ok(other.ok && other.model.calibration?.length === 2);
  });

  it('calibrates on out-of-bag rows without a held-out set', () => {
    const oob = model.oob!;
    assert.ok(
      oob.count.every((k) => k > 0),
      'with 40 trees every row is out of bag somewhere',
    );
    assert.ok(model.stats.oobR2! > 0.75 && model.stats.oobR2! < 1, `OOB R² ${model.stats.oobR2}`);
    const heldOut = calibrateIntervals(model, calib.x, calib.y, 0.8);
    const cal = calibrateIntervalsOob(model, oob, train.y, 0.8);
    assert.ok(cal.ok && heldOut.ok, cal.ok ? '' : cal.error);
    assert.equal(cal.calibration.source, 'out-of-bag');
    assert.equal(cal.calibration.n, train.nRows);
    // The OOB scale is close to the held-out one and gives held-out coverage near the target.
    assert.ok(Math.abs(cal.calibration.scale / heldOut.calibration.scale - 1) < 0.25, `oob ${cal.calibration.scale} vs held-out ${heldOut.calibration.scale}`);
    const c = intervalCoverage(cal.model, test.x, test.y);
    assert.ok(c.coverage >= 0.72 && c.coverage <= 0.88, `coverage ${c.coverage}`);
    assert.match((calibrateIntervalsOob(model, oob, train.y.subarray(1), 0.8) as { error: string }).error, /do not match/);
  });

  it('keeps the calibration through the artifact', () => {
    const cal = calibrateIntervals(model, calib.x, calib.y, 0.8);
    assert.ok(cal.ok);
    const bytes = encodeModel({
      schemaVersion: 1,
      featureNames: Array.from({ length: 8 }, (_, i) => `f${i}`),
      featureVersion: '1',
      target: { name: 'synthetic', transform: 'identity' },
      dataFingerprint: 'x',
      metrics: {},
      calibration: cal.model.calibration ? [...cal.model.calibration] : [],
      forest: model.forest,
    });
    const decoded = decodeModel(bytes);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.model.calibration, cal.model.calibration);
    const a = predictBatch(cal.model, test.x, 50);
    const b = predictBatch(decoded.model, test.x, 50);
    assert.equal(b.calibrated, true);
    assert.deepEqual(b.mean, a.mean);
    for (let i = 0; i < 50; i++) {
      assert.ok(Math.abs(b.lo[i] - a.lo[i]) < 0.01 * (a.hi[i] - a.lo[i]) + 1e-9);
      assert.ok(Math.abs(b.hi[i] - a.hi[i]) < 0.01 * (a.hi[i] - a.lo[i]) + 1e-9);
    }
  });

  it('reports bad calibration input as errors', () => {
    assert.match((calibrateIntervals(model, calib.x, calib.y, 1.5) as { error: string }).error, /target coverage/);
    assert.match((calibrateIntervals(model, calib.x.subarray(0, 10), calib.y, 0.8) as { error: string }).error, /holdoutX has 10 values/);
    assert.match((calibrateIntervals(model, calib.x.subarray(0, 40), calib.y.subarray(0, 5), 0.8) as { error: string }).error, /at least 10/);
    assert.match((calibrateIntervals(model, calib.x, calib.y, 0.8, { level: 0 }) as { error: string }).error, /level/);
  });
});
