// Imports measurements made outside TileCast into tilecast-profile/1 records: Nsight Compute's raw page
// as CSV (`ncu --csv --page raw`, one row per profiled launch, a units row under the header) and Kernel
// Tuner cache files (any kernel; CLBlast Xgemm caches through data/kerneltuner.ts's tunables). Neither
// holds the GEMM's problem size reliably, so the caller gives it (from the analysis or flags).
// Text/objects in, records and issues out; no I/O, never throws.
import { parseCsv } from '../data/csv';
import { CLBLAST_TUNABLES, KERNEL_TUNER_SENTINEL_MS } from '../data/kerneltuner';
import { PROFILE_SCHEMA, validateProfileRecord, type ProfileRecord } from '../data/profile-record';
import type { Dtype, KernelFamily } from '../perf/types';

export interface ImportContext {
  m: number;
  n: number;
  k: number;
  batch?: number;
  dtype: Dtype;
  kernel: KernelFamily;
  /** Device name when the file does not say (Nsight Compute without device__attribute_display_name). */
  gpuName?: string;
  /** Tile values to record (e.g. from the analysis of the kernel's file). */
  params?: Record<string, number>;
  /** Only launches whose kernel name contains this. */
  kernelFilter?: string;
  /** ISO time written when the file has none. */
  timestamp: string;
}

export interface ImportResult {
  profiles: ProfileRecord[];
  issues: string[];
}

const TIME_UNITS_MS: Record<string, number> = { second: 1e3, msecond: 1, usecond: 1e-3, nsecond: 1e-6 };
/** Rates of cycles as ncu writes their units, to MHz. */
const RATE_UNITS_MHZ: Record<string, number> = {
  'cycle/second': 1e-6,
  'cycle/msecond': 1e-3,
  'cycle/usecond': 1,
  'cycle/nsecond': 1e3,
  hz: 1e-6,
  khz: 1e-3,
  mhz: 1,
  ghz: 1e3,
};

function triple(text: string | undefined): [number, number, number] | null {
  const nums = (text ?? '').match(/\d+/g)?.map(Number) ?? [];
  if (nums.length === 0 || nums.length > 3 || nums.some((x) => !(x > 0))) return null;
  while (nums.length < 3) nums.push(1);
  return nums as [number, number, number];
}

function number(text: string | undefined): number {
  return Number((text ?? '').replace(/,/g, ''));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] * 0.5 + s[Math.ceil((s.length - 1) / 2)] * 0.5;
}

function finish(record: ProfileRecord, where: string, out: ImportResult): void {
  const check = validateProfileRecord(record);
  if (check.ok) out.profiles.push(check.value);
  else out.issues.push(`${where}: ${check.reason}`);
}

/**
 * `ncu --csv --page raw`: launches of the same kernel, grid and block become one record (median time,
 * all samples). ncu locks clocks to base by default (--clock-control base), so clockPolicy is 'locked'
 * with the measured SM clock, unless the caller knows better.
 */
export function parseNcuRawCsv(text: string, sourceFile: string, ctx: ImportContext): ImportResult {
  const out: ImportResult = { profiles: [], issues: [] };
  // ncu prints "==PROF==" lines before the table when it shares stdout with the application.
  const start = text.search(/^"ID",/m);
  if (start < 0) return { profiles: [], issues: [`${sourceFile}: not an ncu --csv --page raw table (no "ID" header)`] };
  const table = parseCsv(text.slice(start));
  const col = (name: string): number => table.header.indexOf(name);
  const kernelCol = col('Kernel Name');
  const timeCol = col('gpu__time_duration.sum');
  if (kernelCol < 0 || timeCol < 0)
    return {
      profiles: [],
      issues: [`${sourceFile}: needs the "Kernel Name" and gpu__time_duration.sum columns (collect with --page raw, or --metrics gpu__time_duration.sum)`],
    };
  const [unitsRow, ...rows] = table.rows;
  const units = unitsRow?.cells ?? [];
  const timeScale = TIME_UNITS_MS[units[timeCol]?.trim().toLowerCase() ?? ''];
  if (timeScale === undefined) return { profiles: [], issues: [`${sourceFile}: unknown unit "${units[timeCol]}" of gpu__time_duration.sum`] };
  const rate = (names: string[]): ((cells: string[]) => number | undefined) => {
    const c = names.map(col).find((i) => i >= 0);
    if (c === undefined) return () => undefined;
    const scale = RATE_UNITS_MHZ[units[c]?.trim().toLowerCase() ?? ''];
    return (cells) => (scale === undefined || !(number(cells[c]) > 0) ? undefined : number(cells[c]) * scale);
  };
  const smClock = rate(['sm__cycles_elapsed.avg.per_second', 'smsp__cycles_elapsed.avg.per_second', 'gpc__cycles_elapsed.avg.per_second']);
  const memClock = rate(['dram__cycles_elapsed.avg.per_second']);
  const nameCol = col('device__attribute_display_name');
  const groups = new Map<
    string,
    {
      name: string;
      gpuName: string;
      grid: [number, number, number] | null;
      block: [number, number, number] | null;
      times: number[];
      sm: number[];
      mem: number[];
      line: number;
    }
  >();
  for (const row of rows) {
    const kernelName = row.cells[kernelCol] ?? '';
    if (ctx.kernelFilter && !kernelName.includes(ctx.kernelFilter)) continue;
    const timeMs = number(row.cells[timeCol]) * timeScale;
    if (!(timeMs > 0)) {
      out.issues.push(`${sourceFile}:${row.line}: no duration`);
      continue;
    }
    const gpuName = (nameCol >= 0 ? row.cells[nameCol] : '') || ctx.gpuName || '';
    if (!gpuName) {
      out.issues.push(`${sourceFile}:${row.line}: no device name (collect device__attribute_display_name or give the GPU)`);
      continue;
    }
    const grid = triple(row.cells[col('Grid Size')]);
    const block = triple(row.cells[col('Block Size')]);
    const key = `${kernelName}|${gpuName}|${grid}|${block}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { name: kernelName, gpuName, grid, block, times: [], sm: [], mem: [], line: row.line }));
    g.times.push(timeMs);
    const sm = smClock(row.cells);
    if (sm) g.sm.push(sm);
    const mem = memClock(row.cells);
    if (mem) g.mem.push(mem);
  }
  for (const g of groups.values()) {
    const record: ProfileRecord = {
      schema: PROFILE_SCHEMA,
      gpu: '',
      gpuName: g.gpuName,
      dtype: ctx.dtype,
      m: ctx.m,
      n: ctx.n,
      k: ctx.k,
      batch: ctx.batch ?? 1,
      kernel: ctx.kernel,
      params: { ...(ctx.params ?? {}) },
      grid: g.grid,
      block: g.block,
      runtimeMs: median(g.times),
      runtimeSamplesMs: g.times,
      clockPolicy: 'locked',
      timestamp: ctx.timestamp,
      tool: 'Nsight Compute (ncu --csv --page raw)',
      kernelName: g.name.slice(0, 500),
    };
    if (g.sm.length) record.smClockMHz = median(g.sm);
    if (g.mem.length) record.memClockMHz = median(g.mem);
    finish(record, `${sourceFile}:${g.line}`, out);
  }
  if (out.profiles.length === 0 && out.issues.length === 0)
    out.issues.push(`${sourceFile}: no launch${ctx.kernelFilter ? ` of a kernel named like "${ctx.kernelFilter}"` : ''}`);
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A Kernel Tuner cache (`cache` of configurations with `time` in ms): one record per valid configuration,
 * params = the numeric tunables, block from block_size_x/y/z where tuned, power from an NVML observer's
 * `nvml_power` (W). Failed configurations (error strings, sentinel times) are issues.
 */
export function parseKernelTunerProfiles(cache: unknown, sourceFile: string, ctx: ImportContext): ImportResult {
  const out: ImportResult = { profiles: [], issues: [] };
  if (!isObject(cache) || !isObject(cache.cache)) return { profiles: [], issues: [`${sourceFile}: not a Kernel Tuner cache (no "cache" object)`] };
  const gpuName = typeof cache.device_name === 'string' && cache.device_name ? cache.device_name : ctx.gpuName;
  if (!gpuName) return { profiles: [], issues: [`${sourceFile}: no device_name; give the GPU`] };
  const keys = Array.isArray(cache.tune_params_keys) ? cache.tune_params_keys.filter((k): k is string => typeof k === 'string') : null;
  const clblast = keys !== null && CLBLAST_TUNABLES.every((t) => keys.includes(t));
  const size = Array.isArray(cache.problem_size) ? cache.problem_size.map(Number) : [];
  const m = size[0] > 0 ? size[0] : ctx.m;
  const n = size[1] > 0 ? size[1] : m === ctx.m ? ctx.n : m;
  const k = size[2] > 0 ? size[2] : m === ctx.m ? ctx.k : m;
  for (const [key, entry] of Object.entries(cache.cache)) {
    if (!isObject(entry)) {
      out.issues.push(`${sourceFile}:${key}: not an object`);
      continue;
    }
    const time = entry.time;
    if (typeof time !== 'number' || !(time > 0) || time >= KERNEL_TUNER_SENTINEL_MS) {
      out.issues.push(`${sourceFile}:${key}: failed configuration (${JSON.stringify(time)})`);
      continue;
    }
    const params: Record<string, number> = { ...(ctx.params ?? {}) };
    for (const name of keys ?? Object.keys(entry)) {
      const v = entry[name];
      if (
        typeof v === 'number' &&
        Number.isFinite(v) &&
        !['time', 'times', 'compile_time', 'verification_time', 'benchmark_time', 'strategy_time', 'framework_time', 'timestamp'].includes(name)
      )
        params[name] = v;
    }
    const bx = params.block_size_x ?? (clblast ? params.MDIMC : undefined);
    const by = params.block_size_y ?? (clblast ? params.NDIMC : undefined);
    const block: [number, number, number] | null = bx ? [bx, by ?? 1, params.block_size_z ?? 1] : null;
    const record: ProfileRecord = {
      schema: PROFILE_SCHEMA,
      gpu: '',
      gpuName,
      dtype: clblast ? 'fp32' : ctx.dtype,
      m,
      n,
      k,
      batch: ctx.batch ?? 1,
      kernel: clblast ? 'clblast-xgemm' : ctx.kernel,
      params,
      grid: clblast ? [Math.ceil(m / params.MWG), Math.ceil(n / params.NWG), 1] : null,
      block,
      runtimeMs: time,
      clockPolicy: 'default',
      timestamp: typeof entry.timestamp === 'string' && !Number.isNaN(Date.parse(entry.timestamp)) ? entry.timestamp : ctx.timestamp,
      tool: 'Kernel Tuner',
      kernelName: typeof cache.kernel_name === 'string' ? cache.kernel_name : undefined,
    };
    if (record.kernelName === undefined) delete record.kernelName;
    const times = Array.isArray(entry.times) ? entry.times.filter((t): t is number => typeof t === 'number' && t > 0) : [];
    if (times.length) record.runtimeSamplesMs = times;
    if (typeof entry.nvml_power === 'number' && entry.nvml_power > 0) record.powerW = entry.nvml_power;
    finish(record, `${sourceFile}:${key}`, out);
  }
  return out;
}
