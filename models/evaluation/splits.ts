// Train/test splits for the honest evaluation: leave-one-group-out (e.g. one GPU), group k-fold (shape
// groups within a GPU, so the repeating shape grid cannot leak) and a deterministic stratified
// subsample. Pure functions over index arrays and keys; no I/O, no Math.random.

export interface Fold {
  /** Human-readable name, e.g. "h100-sxm" or "fold 3/5". */
  name: string;
  trainIdx: Int32Array;
  testIdx: Int32Array;
}

/** Small seeded PRNG (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const rand = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Row indices per distinct key, keys in first-seen order. `subset` restricts to those rows. */
export function groupIndices(keys: readonly string[], subset?: ArrayLike<number>): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  const n = subset ? subset.length : keys.length;
  for (let t = 0; t < n; t++) {
    const i = subset ? subset[t] : t;
    let list = groups.get(keys[i]);
    if (!list) groups.set(keys[i], (list = []));
    list.push(i);
  }
  return groups;
}

/**
 * One fold per distinct key among `subset` (default all rows): that key's rows are the test set, all
 * other rows in `subset` the training set. Folds sorted by key.
 */
export function leaveOneGroupOut(keys: readonly string[], subset?: ArrayLike<number>): Fold[] {
  const groups = groupIndices(keys, subset);
  const all = subset ? Array.from(subset) : keys.map((_, i) => i);
  return [...groups.keys()].sort().map((key) => {
    const test = groups.get(key)!;
    return { name: key, trainIdx: Int32Array.from(all.filter((i) => keys[i] !== key)), testIdx: Int32Array.from(test) };
  });
}

/**
 * Group k-fold: every group lands wholly in one test fold. Groups are shuffled with `seed`, then each is
 * given to the fold with the fewest rows so far (balanced sizes). Folds with no rows are dropped.
 */
export function groupKFold(keys: readonly string[], k: number, seed: number, subset?: ArrayLike<number>): Fold[] {
  const groups = groupIndices(keys, subset);
  const order = shuffled([...groups.keys()].sort(), seed);
  const foldRows: number[][] = Array.from({ length: Math.max(1, k) }, () => []);
  for (const key of order) {
    let target = 0;
    for (let f = 1; f < foldRows.length; f++) if (foldRows[f].length < foldRows[target].length) target = f;
    for (const i of groups.get(key)!) foldRows[target].push(i);
  }
  const folds: Fold[] = [];
  for (let f = 0; f < foldRows.length; f++) {
    if (foldRows[f].length === 0) continue;
    const testSet = new Set(foldRows[f]);
    const train: number[] = [];
    for (let t = 0; t < foldRows.length; t++) if (t !== f) for (const i of foldRows[t]) if (!testSet.has(i)) train.push(i);
    folds.push({
      name: `fold ${f + 1}/${foldRows.length}`,
      trainIdx: Int32Array.from(train.sort((a, b) => a - b)),
      testIdx: Int32Array.from(foldRows[f].sort((a, b) => a - b)),
    });
  }
  return folds;
}

/**
 * Shape-group key for group k-fold within a GPU. 'exact': the (m,n,k) shape, so the same shape measured
 * by another framework version or file cannot be on both sides. 'weight': the (n,k) weight matrix, so
 * every token count m of a weight shape is held out together (the stricter default: the grid of m
 * values repeats for each weight shape and neighbouring m would otherwise interpolate).
 */
export function shapeGroupKey(r: { m: number; n: number; k: number; batch?: number }, level: 'exact' | 'weight' = 'weight'): string {
  return level === 'exact' ? `${r.m}x${r.n}x${r.k}x${r.batch ?? 1}` : `${r.n}x${r.k}`;
}

/**
 * Deterministic stratified subsample: from each stratum (distinct key) keep at most
 * max(minPerStratum, round(quota · stratum share)) rows, picked by a seeded shuffle, so that the total is
 * about `target` while small strata (a rare GPU or dtype) keep their rows. Returns sorted row indices.
 */
export function stratifiedSubsample(
  strata: readonly string[],
  target: number,
  seed: number,
  options: { minPerStratum?: number; subset?: ArrayLike<number> } = {},
): Int32Array {
  const groups = groupIndices(strata, options.subset);
  const total = options.subset ? options.subset.length : strata.length;
  if (total <= target) return Int32Array.from([...groups.values()].flat().sort((a, b) => a - b));
  const minPer = options.minPerStratum ?? 0;
  const out: number[] = [];
  const keys = [...groups.keys()].sort();
  keys.forEach((key, g) => {
    const rows = groups.get(key)!;
    const want = Math.min(rows.length, Math.max(minPer, Math.round((target * rows.length) / total)));
    out.push(...shuffled(rows, seed + 7919 * (g + 1)).slice(0, want));
  });
  return Int32Array.from(out.sort((a, b) => a - b));
}

/**
 * Deterministic capped subsample: at most `cap` rows per stratum (all rows of smaller strata), picked by
 * a seeded shuffle, so every source/GPU/dtype is represented whatever its size. Sorted row indices.
 */
export function capPerStratum(strata: readonly string[], cap: number, seed: number, subset?: ArrayLike<number>): Int32Array {
  const groups = groupIndices(strata, subset);
  const out: number[] = [];
  [...groups.keys()].sort().forEach((key, g) => {
    const rows = groups.get(key)!;
    out.push(...(rows.length <= cap ? rows : shuffled(rows, seed + 7919 * (g + 1)).slice(0, cap)));
  });
  return Int32Array.from(out.sort((a, b) => a - b));
}
