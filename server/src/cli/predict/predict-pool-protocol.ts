// Messages between `tilecast predict --batch` and its prediction workers, and the packing of predictions
// into one transferable Float64Array (9 numbers per row) plus sparse error messages. No I/O.
import type { GemmWorkload } from '../../perf/types';
import type { PredictionValues } from '../../report/prediction';

export interface ChunkRequest {
  id: number;
  workloads: GemmWorkload[];
  /** Catalogue id of each workload's GPU (the worker looks the spec up itself). */
  gpuIds: string[];
}

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'failed'; error: string }
  | { kind: 'result'; id: number; numbers: Float64Array; errors: Array<[number, string]> };

const FIELDS = 9;

/** Packs n predictions; rows listed in `missing` (no prediction made) get NaN and a message. */
export function packPredictions(values: readonly PredictionValues[], n: number, missing: readonly number[]): { numbers: Float64Array; errors: Array<[number, string]> } {
  const numbers = new Float64Array(n * FIELDS).fill(NaN);
  const errors: Array<[number, string]> = [];
  const skip = new Set(missing);
  for (let i = 0, next = 0; i < n; i++) {
    if (skip.has(i)) { errors.push([i, 'GPU not found by the prediction worker']); continue; }
    const v = values[next++];
    if (!v) { errors.push([i, 'no prediction']); continue; }
    const o = i * FIELDS;
    numbers[o] = v.runtimeMs; numbers[o + 1] = v.runtimeLoMs; numbers[o + 2] = v.runtimeHiMs;
    numbers[o + 3] = v.powerW; numbers[o + 4] = v.powerLoW; numbers[o + 5] = v.powerHiW;
    numbers[o + 6] = v.energyMj; numbers[o + 7] = v.energyLoMj; numbers[o + 8] = v.energyHiMj;
    if (v.error) errors.push([i, v.error]);
  }
  return { numbers, errors };
}

export function unpackPredictions(numbers: Float64Array, errors: ReadonlyArray<[number, string]>, n: number): PredictionValues[] {
  const out: PredictionValues[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * FIELDS;
    out[i] = {
      runtimeMs: numbers[o], runtimeLoMs: numbers[o + 1], runtimeHiMs: numbers[o + 2],
      powerW: numbers[o + 3], powerLoW: numbers[o + 4], powerHiW: numbers[o + 5],
      energyMj: numbers[o + 6], energyLoMj: numbers[o + 7], energyHiMj: numbers[o + 8],
    };
  }
  for (const [i, message] of errors) if (out[i]) out[i].error = message;
  return out;
}
