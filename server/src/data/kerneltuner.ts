// Turns a decoded Kernel Tuner cache object (benchmark_hub's gemm_<GPU>.json.gz, CLBlast Xgemm) into
// GemmRecords, one per configuration. Object in, records and issues out: gunzip/JSON.parse live in
// models/scripts/, and failed configurations are reported, never thrown.
import type { GemmRecord, ParseIssue, ParseResult } from './record';
import { resolveGpuId, type GpuResolver } from './gpu-id';

/** CLBlast Xgemm tunables, in Kernel Tuner's key order. */
export const CLBLAST_TUNABLES = ['MWG', 'NWG', 'KWG', 'MDIMC', 'NDIMC', 'MDIMA', 'NDIMB', 'KWI', 'VWM', 'VWN', 'STRM', 'STRN', 'SA', 'SB'] as const;

/** Times at or above this are Kernel Tuner failure sentinels (it writes 1e20 and the like). */
export const KERNEL_TUNER_SENTINEL_MS = 1e9;

export interface KernelTunerOptions {
  resolveGpu?: GpuResolver;
  /** Device name when the cache lacks `device_name` (e.g. derived from the file name). */
  fallbackDeviceName?: string;
}

/** "gemm_RTX_2080_Ti.json.gz" -> "RTX 2080 Ti". */
export function deviceNameFromKernelTunerFile(fileName: string): string {
  return fileName
    .replace(/^.*\//, '')
    .replace(/\.json(\.gz)?$/, '')
    .replace(/^gemm_/, '')
    .replace(/_/g, ' ');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Parses one cache. Problem size is M=N=K from `problem_size` (4096 in benchmark_hub), fp32 (PRECISION
 * 32). Each entry's `time` (ms, mean of `times`) becomes runtimeMs; entries whose time is not a finite
 * positive number below the sentinel (error strings such as "InvalidConfig", 1e20) are counted as issues.
 * params = the 14 tunables; block = (MDIMC, NDIMC, 1), grid = (ceil(M/MWG), ceil(N/NWG), 1).
 */
export function parseKernelTunerCache(cache: unknown, sourceFile: string, options: KernelTunerOptions = {}): ParseResult {
  const resolve = options.resolveGpu ?? resolveGpuId;
  const records: GemmRecord[] = [];
  const issues: ParseIssue[] = [];
  if (!isRecord(cache) || !isRecord(cache.cache)) {
    issues.push({ sourceFile, where: 'cache', reason: 'not a Kernel Tuner cache (no `cache` object)' });
    return { records, issues };
  }
  const deviceName = typeof cache.device_name === 'string' ? cache.device_name : (options.fallbackDeviceName ?? deviceNameFromKernelTunerFile(sourceFile));
  const gpu = resolve(deviceName) ?? (options.fallbackDeviceName ? resolve(options.fallbackDeviceName) : null) ?? '';
  const ps = Array.isArray(cache.problem_size) ? cache.problem_size.map(Number) : [];
  const M = ps[0] ?? NaN;
  const N = ps[1] ?? M;
  const K = ps[2] ?? M; // benchmark_hub's caches give [4096, 4096] for a square M=N=K problem
  const kernelName = typeof cache.kernel_name === 'string' ? cache.kernel_name : 'Xgemm';
  for (const [key, entry] of Object.entries(cache.cache)) {
    if (!isRecord(entry)) {
      issues.push({ sourceFile, where: key, reason: 'entry is not an object' });
      continue;
    }
    const time = entry.time;
    if (typeof time !== 'number' || !Number.isFinite(time) || time <= 0 || time >= KERNEL_TUNER_SENTINEL_MS) {
      issues.push({ sourceFile, where: key, reason: `failed configuration: time ${JSON.stringify(time)}` });
      continue;
    }
    const params: Record<string, number> = {};
    let bad: string | null = null;
    for (const t of CLBLAST_TUNABLES) {
      const v = entry[t];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        bad = t;
        break;
      }
      params[t] = v;
    }
    if (bad !== null) {
      issues.push({ sourceFile, where: key, reason: `missing tunable ${bad}` });
      continue;
    }
    const precision = typeof entry.PRECISION === 'number' ? entry.PRECISION : 32;
    if (precision !== 32) {
      issues.push({ sourceFile, where: key, reason: `unsupported PRECISION ${precision}` });
      continue;
    }
    const record: GemmRecord = {
      gpu,
      gpuName: deviceName,
      dtype: 'fp32',
      m: M,
      n: N,
      k: K,
      batch: 1,
      kernel: 'clblast-xgemm',
      kernelName,
      params,
      block: [params.MDIMC, params.NDIMC, 1],
      grid: [Math.ceil(M / params.MWG), Math.ceil(N / params.NWG), 1],
      runtimeMs: time,
      source: 'kerneltuner',
      sourceFile,
      framework: 'Kernel Tuner',
      condition: 'plain',
      op: 'gemm',
    };
    records.push(record);
  }
  return { records, issues };
}
