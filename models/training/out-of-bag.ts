// Out-of-bag predictions of a trained forest: each training row predicted only by the trees that did
// not sample it (replaying each tree's seeded sample). Runs tree by tree, so it is deterministic.
import type { Forest } from '../../server/src/model/forest';
import type { OobPredictions } from '../../server/src/model/intervals';
import { MISSING_BIN } from './binning';
import { sampleMultiplicities, treeRng, type GrowOptions, type SharedTrainingData } from './tree-grower';

export function outOfBag(forest: Forest, data: SharedTrainingData, options: GrowOptions): OobPredictions {
  const { nRows, nFeatures: nF, codes } = data;
  const nq = forest.quantileLevels.length;
  const { treeStart, child, feature, bin, flags, leafMean, leafQuantileOffsets: q } = forest;
  const count = new Int32Array(nRows);
  const mean = new Float64Array(nRows);
  const quantileOffsets = new Float64Array(nRows * nq);
  const mult = new Uint16Array(nRows);
  for (let t = 0; t + 1 < treeStart.length; t++) {
    sampleMultiplicities(mult, nRows, options, treeRng(options, t));
    const root = treeStart[t];
    for (let r = 0; r < nRows; r++) {
      if (mult[r] !== 0) continue;
      const base = r * nF;
      let n = root;
      let c = child[n];
      while (c > 0) {
        const code = codes[base + feature[n]];
        const left = code === MISSING_BIN ? (flags[n] & 1) !== 0 : code <= bin[n];
        n = left ? n + 1 : c;
        c = child[n];
      }
      const leaf = ~c;
      count[r]++;
      mean[r] += leafMean[leaf];
      for (let j = 0; j < nq; j++) quantileOffsets[r * nq + j] += q[leaf * nq + j];
    }
  }
  for (let r = 0; r < nRows; r++) {
    const k = count[r];
    if (k === 0) {
      mean[r] = NaN;
      for (let j = 0; j < nq; j++) quantileOffsets[r * nq + j] = NaN;
      continue;
    }
    mean[r] /= k;
    for (let j = 0; j < nq; j++) quantileOffsets[r * nq + j] /= k;
  }
  return { count, mean, quantileOffsets };
}
