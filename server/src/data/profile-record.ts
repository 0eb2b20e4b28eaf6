// The project's own measurement format (JSON lines, schema "tilecast-profile/1"): its type, a
// validating parser that reports bad lines with line numbers instead of throwing, and the mapping to
// GemmRecord. Text in, records out; no I/O.
import type { Dtype, KernelFamily, TileConfig } from '../perf/types';
import type { GemmRecord, ParseIssue } from './record';

export const PROFILE_SCHEMA = 'tilecast-profile/1';

const DTYPES: ReadonlySet<string> = new Set<Dtype>(['fp64', 'fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'int8', 'fp4']);
const KERNELS: ReadonlySet<string> = new Set<KernelFamily>(['library', 'tiled', 'triton', 'clblast-xgemm', 'cutlass', 'naive']);
export type ClockPolicy = 'default' | 'locked';
const CLOCK_POLICIES: ReadonlySet<string> = new Set<ClockPolicy>(['default', 'locked']);

/** One line of a profile file. See docs/data.md, "Profile records". */
export interface ProfileRecord {
  schema: typeof PROFILE_SCHEMA;
  /** Catalogue id; may be '' when the device is not in the catalogue (then gpuName is what counts). */
  gpu: string;
  /** Device name as NVML reports it. */
  gpuName: string;
  dtype: Dtype;
  m: number;
  n: number;
  /** Reduction dimension. */
  k: number;
  batch: number;
  kernel: KernelFamily;
  params: Record<string, number>;
  /** Launch grid/block of the measured kernel; null when not known (e.g. a library call). */
  grid: [number, number, number] | null;
  block: [number, number, number] | null;
  /** Statistic the tool reports (median of the samples where they are given). */
  runtimeMs: number;
  runtimeSamplesMs?: number[];
  /** Mean board power over the measurement, W. */
  powerW?: number;
  powerSamplesW?: number[];
  powerLimitW?: number;
  smClockMHz?: number;
  memClockMHz?: number;
  temperatureC?: number;
  /** 'default': driver-managed clocks; 'locked': clocks locked (smClockMHz gives the lock). */
  clockPolicy: ClockPolicy;
  /** ISO 8601 time of the measurement, e.g. "2026-11-28T17:00:00Z". */
  timestamp: string;
  /** Tool and version that measured, e.g. "tilecast-profile 0.1.0". */
  tool: string;
  /** Optional extras. */
  kernelName?: string;
  quantization?: string;
  /** Written by TileCast's harness (docs/profiling.md): spread of the timed launches, ms. */
  runtimeP10Ms?: number;
  runtimeP90Ms?: number;
  /** Energy per launch over the sustained run (mJ), and how it was measured. */
  energyMj?: number;
  energyMethod?: 'nvml-total-energy' | 'power-samples';
  /** Length of the sustained (energy) run, ms. */
  sustainedMs?: number;
  gpuUuid?: string;
  driverVersion?: string;
  cudaVersion?: string;
  /** Result check against the reference: 'failed' records are measurements of a wrong result. */
  check?: 'passed' | 'failed' | 'skipped';
  /** Largest sampled |C - reference| / sqrt(K). */
  checkMaxError?: number;
  /**
   * Written by TileCast's harness: the tile of the model's workload for this launch (as the editor's
   * hover computes it), so a record predicts like the launch. Absent in older records: params are read.
   */
  tile?: ProfileTile;
  sharedMemPerBlockBytes?: number;
  usesTensorCores?: boolean;
}

/** Numeric tile fields of the model's workload (TileConfig without `native`). */
export const PROFILE_TILE_FIELDS = ['blockM', 'blockN', 'blockK', 'threads', 'warps', 'stages', 'threadM', 'threadN', 'vectorWidth'] as const;
export type ProfileTile = Partial<Record<(typeof PROFILE_TILE_FIELDS)[number], number>>;

/** The record fields that carry a workload's tile (what the harness writes), from the workload's values. */
export function profileWorkloadFields(w: {
  tile?: TileConfig;
  sharedMemPerBlockBytes?: number;
  usesTensorCores?: boolean;
}): Pick<ProfileRecord, 'tile' | 'sharedMemPerBlockBytes' | 'usesTensorCores'> {
  const out: Pick<ProfileRecord, 'tile' | 'sharedMemPerBlockBytes' | 'usesTensorCores'> = {};
  const tile: ProfileTile = {};
  for (const f of PROFILE_TILE_FIELDS) {
    const v = w.tile?.[f];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) tile[f] = v;
  }
  if (Object.keys(tile).length > 0) out.tile = tile;
  if (typeof w.sharedMemPerBlockBytes === 'number' && Number.isFinite(w.sharedMemPerBlockBytes) && w.sharedMemPerBlockBytes >= 0)
    out.sharedMemPerBlockBytes = w.sharedMemPerBlockBytes;
  if (typeof w.usesTensorCores === 'boolean') out.usesTensorCores = w.usesTensorCores;
  return out;
}

type Check = { ok: true; value: ProfileRecord } | { ok: false; reason: string };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const posNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function triple(v: unknown): v is [number, number, number] {
  return Array.isArray(v) && v.length === 3 && v.every(posInt);
}

const KNOWN_FIELDS = new Set([
  'schema',
  'gpu',
  'gpuName',
  'dtype',
  'm',
  'n',
  'k',
  'batch',
  'kernel',
  'params',
  'grid',
  'block',
  'runtimeMs',
  'runtimeSamplesMs',
  'powerW',
  'powerSamplesW',
  'powerLimitW',
  'smClockMHz',
  'memClockMHz',
  'temperatureC',
  'clockPolicy',
  'timestamp',
  'tool',
  'kernelName',
  'quantization',
  'runtimeP10Ms',
  'runtimeP90Ms',
  'energyMj',
  'energyMethod',
  'sustainedMs',
  'gpuUuid',
  'driverVersion',
  'cudaVersion',
  'check',
  'checkMaxError',
  'tile',
  'sharedMemPerBlockBytes',
  'usesTensorCores',
]);
const TILE_FIELDS: ReadonlySet<string> = new Set(PROFILE_TILE_FIELDS);
const POSITIVE_EXTRAS = ['runtimeP10Ms', 'runtimeP90Ms', 'energyMj', 'sustainedMs'] as const;
const STRING_EXTRAS = ['kernelName', 'quantization', 'gpuUuid', 'driverVersion', 'cudaVersion'] as const;

/** Validates one decoded JSON value as a ProfileRecord; the first problem found is the reason. */
export function validateProfileRecord(v: unknown): Check {
  if (!isObj(v)) return { ok: false, reason: 'not a JSON object' };
  if (v.schema !== PROFILE_SCHEMA) return { ok: false, reason: `schema must be "${PROFILE_SCHEMA}", got ${JSON.stringify(v.schema)}` };
  for (const key of Object.keys(v)) if (!KNOWN_FIELDS.has(key)) return { ok: false, reason: `unknown field "${key}"` };
  if (typeof v.gpu !== 'string') return { ok: false, reason: 'gpu must be a string (catalogue id)' };
  if (typeof v.gpuName !== 'string' || v.gpuName.trim() === '') return { ok: false, reason: 'gpuName must be a non-empty string' };
  if (typeof v.dtype !== 'string' || !DTYPES.has(v.dtype)) return { ok: false, reason: `dtype must be one of ${[...DTYPES].join(', ')}` };
  for (const d of ['m', 'n', 'k', 'batch'] as const) if (!posInt(v[d])) return { ok: false, reason: `${d} must be a positive integer` };
  if (typeof v.kernel !== 'string' || !KERNELS.has(v.kernel)) return { ok: false, reason: `kernel must be one of ${[...KERNELS].join(', ')}` };
  if (!isObj(v.params)) return { ok: false, reason: 'params must be an object of numbers' };
  for (const [pk, pv] of Object.entries(v.params)) if (!finite(pv)) return { ok: false, reason: `params.${pk} must be a finite number` };
  if (v.grid !== null && !triple(v.grid)) return { ok: false, reason: 'grid must be [x, y, z] positive integers or null' };
  if (v.block !== null && !triple(v.block)) return { ok: false, reason: 'block must be [x, y, z] positive integers or null' };
  if (!posNum(v.runtimeMs)) return { ok: false, reason: 'runtimeMs must be a finite number > 0' };
  if (v.runtimeSamplesMs !== undefined && !(Array.isArray(v.runtimeSamplesMs) && v.runtimeSamplesMs.length > 0 && v.runtimeSamplesMs.every(posNum))) {
    return { ok: false, reason: 'runtimeSamplesMs must be a non-empty array of numbers > 0' };
  }
  if (v.powerW !== undefined && !posNum(v.powerW)) return { ok: false, reason: 'powerW must be a finite number > 0' };
  if (v.powerSamplesW !== undefined && !(Array.isArray(v.powerSamplesW) && v.powerSamplesW.length > 0 && v.powerSamplesW.every(posNum))) {
    return { ok: false, reason: 'powerSamplesW must be a non-empty array of numbers > 0' };
  }
  if (v.powerLimitW !== undefined && !posNum(v.powerLimitW)) return { ok: false, reason: 'powerLimitW must be a finite number > 0' };
  if (v.smClockMHz !== undefined && !posNum(v.smClockMHz)) return { ok: false, reason: 'smClockMHz must be a finite number > 0' };
  if (v.memClockMHz !== undefined && !posNum(v.memClockMHz)) return { ok: false, reason: 'memClockMHz must be a finite number > 0' };
  if (v.temperatureC !== undefined && !(finite(v.temperatureC) && v.temperatureC > -50 && v.temperatureC < 150)) {
    return { ok: false, reason: 'temperatureC must be a number in (-50, 150)' };
  }
  if (typeof v.clockPolicy !== 'string' || !CLOCK_POLICIES.has(v.clockPolicy)) return { ok: false, reason: 'clockPolicy must be "default" or "locked"' };
  if (typeof v.timestamp !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v.timestamp) || Number.isNaN(Date.parse(v.timestamp))) {
    return { ok: false, reason: 'timestamp must be an ISO 8601 date-time' };
  }
  if (typeof v.tool !== 'string' || v.tool.trim() === '') return { ok: false, reason: 'tool must be a non-empty string' };
  for (const key of STRING_EXTRAS) if (v[key] !== undefined && typeof v[key] !== 'string') return { ok: false, reason: `${key} must be a string` };
  for (const key of POSITIVE_EXTRAS) if (v[key] !== undefined && !posNum(v[key])) return { ok: false, reason: `${key} must be a finite number > 0` };
  if (v.energyMethod !== undefined && v.energyMethod !== 'nvml-total-energy' && v.energyMethod !== 'power-samples') {
    return { ok: false, reason: 'energyMethod must be "nvml-total-energy" or "power-samples"' };
  }
  if (v.check !== undefined && v.check !== 'passed' && v.check !== 'failed' && v.check !== 'skipped')
    return { ok: false, reason: 'check must be "passed", "failed" or "skipped"' };
  if (v.checkMaxError !== undefined && !(finite(v.checkMaxError) && v.checkMaxError >= 0))
    return { ok: false, reason: 'checkMaxError must be a finite number >= 0' };
  if (v.tile !== undefined) {
    if (!isObj(v.tile)) return { ok: false, reason: 'tile must be an object of numbers' };
    for (const [tk, tv] of Object.entries(v.tile)) {
      if (!TILE_FIELDS.has(tk)) return { ok: false, reason: `tile.${tk} is not one of ${PROFILE_TILE_FIELDS.join(', ')}` };
      if (!posNum(tv)) return { ok: false, reason: `tile.${tk} must be a finite number > 0` };
    }
  }
  if (v.sharedMemPerBlockBytes !== undefined && !(finite(v.sharedMemPerBlockBytes) && v.sharedMemPerBlockBytes >= 0))
    return { ok: false, reason: 'sharedMemPerBlockBytes must be a finite number >= 0' };
  if (v.usesTensorCores !== undefined && typeof v.usesTensorCores !== 'boolean') return { ok: false, reason: 'usesTensorCores must be true or false' };
  return { ok: true, value: v as unknown as ProfileRecord };
}

/** Maps a profile record to the normalised record (condition 'plain', source 'profile'). */
export function profileToGemmRecord(p: ProfileRecord, sourceFile: string, resolveGpu?: (name: string) => string | null): GemmRecord {
  const r: GemmRecord = {
    gpu: p.gpu !== '' ? p.gpu : (resolveGpu?.(p.gpuName) ?? ''),
    gpuName: p.gpuName,
    dtype: p.dtype,
    m: p.m,
    n: p.n,
    k: p.k,
    batch: p.batch,
    kernel: p.kernel,
    params: { ...p.params },
    runtimeMs: p.runtimeMs,
    source: 'profile',
    sourceFile,
    framework: p.tool,
    condition: 'plain',
    op: 'gemm',
  };
  if (p.grid) r.grid = [...p.grid];
  if (p.block) r.block = [...p.block];
  if (p.powerW !== undefined) r.powerW = p.powerW;
  if (p.powerLimitW !== undefined) r.powerLimitW = p.powerLimitW;
  if (p.kernelName !== undefined) r.kernelName = p.kernelName;
  if (p.quantization !== undefined) r.quantization = p.quantization;
  if (p.tile !== undefined) r.tile = { ...p.tile };
  if (p.sharedMemPerBlockBytes !== undefined) r.sharedMemPerBlockBytes = p.sharedMemPerBlockBytes;
  if (p.usesTensorCores !== undefined) r.usesTensorCores = p.usesTensorCores;
  return r;
}

export interface ProfileParseResult {
  /** Every valid record, failed result checks included (for listings). */
  profiles: ProfileRecord[];
  /** The training records: those whose result check did not fail (not index-aligned with profiles). */
  records: GemmRecord[];
  /** How many valid records were left out of `records` because their result check failed. */
  failedChecks: number;
  issues: ParseIssue[];
}

/** Parses JSON-lines text; blank lines and lines starting with `//` or `#` are skipped. Records whose check failed are in `profiles` only. */
export function parseProfileJsonl(text: string, sourceFile: string, resolveGpu?: (name: string) => string | null): ProfileParseResult {
  const profiles: ProfileRecord[] = [];
  const records: GemmRecord[] = [];
  const issues: ParseIssue[] = [];
  let failedChecks = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('//') || line.startsWith('#')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      issues.push({ sourceFile, where: i + 1, reason: `invalid JSON: ${(e as Error).message}` });
      continue;
    }
    const check = validateProfileRecord(value);
    if (!check.ok) {
      issues.push({ sourceFile, where: i + 1, reason: check.reason });
      continue;
    }
    profiles.push(check.value);
    // A measurement of a wrong result says nothing about the kernel's speed: never train on it.
    if (check.value.check === 'failed') failedChecks++;
    else records.push(profileToGemmRecord(check.value, sourceFile, resolveGpu));
  }
  return { profiles, records, failedChecks, issues };
}

/** One JSON line for a profile record (what the profiling feature appends to models/data/profiles/*.jsonl). */
export function formatProfileRecord(p: ProfileRecord): string {
  return JSON.stringify(p);
}
