// Builds the design matrix (features from server/src/perf/features.ts, the one definition used for
// serving too), the raw targets and the slice tags from measured records. Pure: the feature function
// and GPU lookup are passed in; no I/O. Adds no derived columns of its own.
import type { GemmRecord } from '../../server/src/data/record';
import type { GemmWorkload, GpuSpec } from '../../server/src/perf/types';

export type FeatureFn = (workload: GemmWorkload, gpu: GpuSpec) => { values: Float64Array; analytic: { timeMs: number } };

export interface Design {
  x: Float32Array;
  nRows: number;
  nFeatures: number;
  /** Index into the records array each row came from. */
  recordIdx: Int32Array;
  runtimeMs: Float64Array;
  /**
   * Device (kernel) time: runtimeMs less its source/GPU timing overhead (server/src/data/timing-overhead.ts);
   * equal to runtimeMs until the pipeline estimates the overheads (pipeline.designFor).
   */
  deviceMs: Float64Array;
  /** The analytic model's time for the same workload (the runtime target's reference). */
  analyticMs: Float64Array;
  /** NaN where the record has no power. */
  powerW: Float64Array;
  /** The record's power limit, else the catalogue board power. */
  powerLimitW: Float64Array;
  /**
   * The physics power model's W for the row (server/src/perf/power-model.ts; the power target's reference);
   * NaN until the pipeline fills it for rows with a measured power (pipeline.designFor).
   */
  physicsPowerW: Float64Array;
  /**
   * Per row: gpu, source, dtype (with quantization), condition, split, shape (weight group), arch, kernel,
   * problem (M×N×K×batch: the candidates of one problem on one GPU are ranked as a group).
   */
  tags: Array<Record<string, string>>;
}

/** Slice label for the dtype: 'fp8/fp8_block', 'bf16', 'fp4/nvfp4', ... */
export function dtypeLabel(r: Pick<GemmRecord, 'dtype' | 'quantization'>): string {
  return r.quantization && r.quantization !== r.dtype ? `${r.dtype}/${r.quantization}` : r.dtype;
}

/**
 * Shape group of a record within its GPU. Library GEMMs: the (n,k) weight shape (all token counts of a
 * weight held out together); NeuSight: (n,k) too; CLBlast configurations at one size: the block tile
 * (MWG,NWG), so the held-out configurations share no block tile with training.
 */
export function shapeGroup(r: GemmRecord): string {
  if (r.kernel === 'clblast-xgemm') return `tile ${r.params.MWG}x${r.params.NWG}`;
  return `${r.n}x${r.k}x${r.batch > 1 ? 'b' : '1'}`;
}

/** Features and targets for `indices` (default all). Rows whose GPU is not in the catalogue are skipped. */
export function buildDesign(
  records: readonly GemmRecord[],
  indices: ArrayLike<number>,
  nFeatures: number,
  features: FeatureFn,
  findGpu: (id: string) => GpuSpec | null | undefined,
  toWorkload: (r: GemmRecord) => GemmWorkload,
): { design: Design; skipped: Record<string, number> } {
  const n = indices.length;
  const x = new Float32Array(n * nFeatures);
  const recordIdx = new Int32Array(n);
  const runtimeMs = new Float64Array(n);
  const analyticMs = new Float64Array(n);
  const powerW = new Float64Array(n);
  const powerLimitW = new Float64Array(n);
  const tags: Array<Record<string, string>> = [];
  const skipped: Record<string, number> = {};
  const gpuCache = new Map<string, GpuSpec | null>();
  let row = 0;
  for (let t = 0; t < n; t++) {
    const i = indices[t];
    const r = records[i];
    let gpu = gpuCache.get(r.gpu);
    if (gpu === undefined) {
      gpu = findGpu(r.gpu) ?? null;
      gpuCache.set(r.gpu, gpu);
    }
    if (!gpu) {
      skipped[r.gpu || '(unknown)'] = (skipped[r.gpu || '(unknown)'] ?? 0) + 1;
      continue;
    }
    const f = features(toWorkload(r), gpu);
    x.set(f.values.subarray(0, nFeatures), row * nFeatures);
    recordIdx[row] = i;
    runtimeMs[row] = r.runtimeMs;
    analyticMs[row] = f.analytic.timeMs;
    powerW[row] = r.powerW ?? NaN;
    powerLimitW[row] = r.powerLimitW ?? gpu.boardPowerW.value;
    tags.push({
      gpu: r.gpu,
      source: r.source,
      dtype: dtypeLabel(r),
      condition: r.condition,
      split: r.split ?? '',
      shape: shapeGroup(r),
      arch: gpu.architecture,
      kernel: r.kernel,
      problem: `${r.m}x${r.n}x${r.k}x${r.batch}`,
    });
    row++;
  }
  return {
    design: {
      x: x.subarray(0, row * nFeatures),
      nRows: row,
      nFeatures,
      recordIdx: recordIdx.subarray(0, row),
      runtimeMs: runtimeMs.subarray(0, row),
      deviceMs: Float64Array.from(runtimeMs.subarray(0, row)),
      analyticMs: analyticMs.subarray(0, row),
      powerW: powerW.subarray(0, row),
      powerLimitW: powerLimitW.subarray(0, row),
      physicsPowerW: new Float64Array(row).fill(NaN),
      tags,
    },
    skipped,
  };
}

/** Rows `idx` of a row-major matrix as a new compact matrix. */
export function takeRows(x: Float32Array, nFeatures: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * nFeatures);
  for (let t = 0; t < idx.length; t++) out.set(x.subarray(idx[t] * nFeatures, (idx[t] + 1) * nFeatures), t * nFeatures);
  return out;
}

/** Values `idx` of a vector. */
export function takeValues(v: Float64Array, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length);
  for (let t = 0; t < idx.length; t++) out[t] = v[idx[t]];
  return out;
}
