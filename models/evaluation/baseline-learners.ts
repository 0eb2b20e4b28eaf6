// Adapters for the learners the project's forest is compared against (ml-random-forest, a small tfjs
// MLP) behind one fit/predict interface, for models/scripts/compare-learners.ts. Evaluation only:
// nothing here is shipped or used for serving; no file I/O.

/** A row-major design matrix: NaN marks a missing feature. */
export interface Matrix {
  x: Float32Array;
  nRows: number;
  nFeatures: number;
}

export interface FittedLearner {
  predict(m: Matrix): Float64Array;
  /** Serialized size in bytes (JSON or weights), for the comparison table. */
  sizeBytes: number;
}

/** Per-column mean and standard deviation over finite values (sd 1 for constant columns). */
export function columnStats(m: Matrix): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(m.nFeatures);
  const sd = new Float64Array(m.nFeatures);
  const count = new Float64Array(m.nFeatures);
  for (let r = 0; r < m.nRows; r++) {
    for (let f = 0; f < m.nFeatures; f++) {
      const v = m.x[r * m.nFeatures + f];
      if (Number.isFinite(v)) {
        mean[f] += v;
        count[f]++;
      }
    }
  }
  for (let f = 0; f < m.nFeatures; f++) mean[f] = count[f] ? mean[f] / count[f] : 0;
  for (let r = 0; r < m.nRows; r++) {
    for (let f = 0; f < m.nFeatures; f++) {
      const v = m.x[r * m.nFeatures + f];
      if (Number.isFinite(v)) sd[f] += (v - mean[f]) ** 2;
    }
  }
  for (let f = 0; f < m.nFeatures; f++) {
    const s = count[f] > 1 ? Math.sqrt(sd[f] / (count[f] - 1)) : 0;
    sd[f] = s > 0 ? s : 1;
  }
  return { mean, sd };
}

/** Standardised copy; missing values become 0 (the column mean). */
export function standardise(m: Matrix, stats: { mean: Float64Array; sd: Float64Array }): Float32Array {
  const out = new Float32Array(m.x.length);
  for (let r = 0; r < m.nRows; r++) {
    for (let f = 0; f < m.nFeatures; f++) {
      const v = m.x[r * m.nFeatures + f];
      out[r * m.nFeatures + f] = Number.isFinite(v) ? (v - stats.mean[f]) / stats.sd[f] : 0;
    }
  }
  return out;
}

function toRows(m: Matrix, missing: number): number[][] {
  const rows: number[][] = new Array(m.nRows);
  for (let r = 0; r < m.nRows; r++) {
    const row = new Array<number>(m.nFeatures);
    for (let f = 0; f < m.nFeatures; f++) {
      const v = m.x[r * m.nFeatures + f];
      row[f] = Number.isFinite(v) ? v : missing;
    }
    rows[r] = row;
  }
  return rows;
}

export interface MlRandomForestOptions {
  trees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Features per tree (ml-random-forest bags features per tree, not per split). */
  featureFraction: number;
  seed: number;
}

/** ml-random-forest regression; missing values become -1 (features are non-negative or logs). */
export async function fitMlRandomForest(train: Matrix, y: Float64Array, o: MlRandomForestOptions): Promise<FittedLearner> {
  const { RandomForestRegression } = await import('ml-random-forest');
  const rf = new RandomForestRegression({
    nEstimators: o.trees,
    maxFeatures: o.featureFraction,
    replacement: false,
    seed: o.seed,
    useSampleBagging: true,
    noOOB: true,
    treeOptions: { maxDepth: o.maxDepth, minNumSamples: o.minSamplesLeaf },
  } as never);
  rf.train(toRows(train, -1), Array.from(y));
  const sizeBytes = Buffer.byteLength(JSON.stringify(rf.toJSON()));
  return {
    sizeBytes,
    predict: (m) => Float64Array.from(rf.predict(toRows(m, -1))),
  };
}

export interface MlpOptions {
  hidden: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

/** Small MLP with @tensorflow/tfjs (pure-JS CPU backend): standardised inputs and target, Adam, MSE. */
export async function fitMlp(train: Matrix, y: Float64Array, o: MlpOptions): Promise<FittedLearner> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const stats = columnStats(train);
  let yMean = 0;
  for (const v of y) yMean += v;
  yMean /= Math.max(1, y.length);
  let yVar = 0;
  for (const v of y) yVar += (v - yMean) ** 2;
  const ySd = Math.sqrt(yVar / Math.max(1, y.length - 1)) || 1;
  const model = tf.sequential();
  o.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: o.seed + i }),
        ...(i === 0 ? { inputShape: [train.nFeatures] } : {}),
      }),
    );
  });
  model.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotNormal({ seed: o.seed + 99 }) }));
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanSquaredError' });
  const xs = tf.tensor2d(standardise(train, stats), [train.nRows, train.nFeatures]);
  const ys = tf.tensor2d(
    Float32Array.from(y, (v) => (v - yMean) / ySd),
    [train.nRows, 1],
  );
  await model.fit(xs, ys, { epochs: o.epochs, batchSize: o.batchSize, shuffle: true, verbose: 0 });
  xs.dispose();
  ys.dispose();
  let sizeBytes = 0;
  for (const w of model.getWeights()) sizeBytes += w.size * 4;
  return {
    sizeBytes,
    predict: (m) => {
      const input = tf.tensor2d(standardise(m, stats), [m.nRows, m.nFeatures]);
      const out = model.predict(input) as import('@tensorflow/tfjs').Tensor;
      const values = out.dataSync();
      input.dispose();
      out.dispose();
      return Float64Array.from(values, (v) => v * ySd + yMean);
    },
  };
}
