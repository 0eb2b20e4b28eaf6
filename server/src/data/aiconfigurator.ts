// Turns decoded rows of NVIDIA aiconfigurator gemm_perf.parquet files into GemmRecords. Rows in,
// records and issues out: parquet decoding and file reading live in models/scripts/, and bad rows are
// reported, never thrown.
import type { Dtype, GemmRecord, ParseIssue, ParseResult } from './record';
import { resolveGpuId, type GpuResolver } from './gpu-id';

/** One decoded parquet row. Integers may arrive as bigint (INT64 columns). */
export interface AiconfiguratorRow {
  framework?: unknown;
  version?: unknown;
  device?: unknown;
  op_name?: unknown;
  kernel_source?: unknown;
  gemm_dtype?: unknown;
  m?: unknown;
  n?: unknown;
  k?: unknown;
  latency?: unknown;
  power?: unknown;
  power_limit?: unknown;
}

/**
 * gemm_dtype -> (dtype, quantization). bfloat16 is plain bf16; fp8 variants are fp8 with the scaling
 * scheme kept as quantization; nvfp4 is fp4. `sq` (SmoothQuant, W8A8) and the weight-only schemes
 * `int8_wo` / `int4_wo` map to int8 with their scheme kept: the cleaning step drops the weight-only
 * ones by default because their arithmetic runs in bf16 (see docs/data.md).
 */
export function mapAiconfiguratorDtype(gemmDtype: string): { dtype: Dtype; quantization?: string } | null {
  switch (gemmDtype) {
    case 'bfloat16':
      return { dtype: 'bf16' };
    case 'float16':
      return { dtype: 'fp16' };
    case 'fp8':
      return { dtype: 'fp8', quantization: 'fp8' };
    case 'fp8_block':
      return { dtype: 'fp8', quantization: 'fp8_block' };
    case 'fp8_static':
      return { dtype: 'fp8', quantization: 'fp8_static' };
    case 'nvfp4':
      return { dtype: 'fp4', quantization: 'nvfp4' };
    case 'int8_wo':
      return { dtype: 'int8', quantization: 'int8_wo' };
    case 'int4_wo':
      return { dtype: 'int8', quantization: 'int4_wo' };
    case 'sq':
      return { dtype: 'int8', quantization: 'sq' };
    default:
      return null;
  }
}

/** Number from a number / bigint / numeric string cell; NaN otherwise. */
export function cellNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

function cellString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

export interface AiconfiguratorOptions {
  resolveGpu?: GpuResolver;
  /** Row index offset for issue locations when rows arrive in chunks. */
  rowOffset?: number;
}

/**
 * Parses decoded rows of one file. Files with a power column are aiconfigurator's power-measuring runs
 * (condition 'power-run', 7–15% slower than plain runs): pass `hasPowerColumn` from the file schema, or
 * it is inferred per row from a present `power` value. Sizes and times are copied even when implausible;
 * the cleaning rules judge them. Rows without a known dtype or with missing fields become issues.
 */
export function parseAiconfiguratorRows(
  rows: readonly AiconfiguratorRow[],
  sourceFile: string,
  options: AiconfiguratorOptions & { hasPowerColumn?: boolean } = {},
): ParseResult {
  const resolve = options.resolveGpu ?? resolveGpuId;
  const offset = options.rowOffset ?? 0;
  const records: GemmRecord[] = [];
  const issues: ParseIssue[] = [];
  const gpuCache = new Map<string, string>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const where = offset + i;
    if (row === null || typeof row !== 'object') {
      issues.push({ sourceFile, where, reason: 'row is not an object' });
      continue;
    }
    const gemmDtype = cellString(row.gemm_dtype);
    const mapped = gemmDtype === undefined ? null : mapAiconfiguratorDtype(gemmDtype);
    if (!mapped) {
      issues.push({ sourceFile, where, reason: `unknown gemm_dtype ${JSON.stringify(row.gemm_dtype)}` });
      continue;
    }
    const device = cellString(row.device);
    if (device === undefined) {
      issues.push({ sourceFile, where, reason: 'missing device' });
      continue;
    }
    const m = cellNumber(row.m);
    const n = cellNumber(row.n);
    const k = cellNumber(row.k);
    const runtimeMs = cellNumber(row.latency);
    if (row.m === undefined || row.n === undefined || row.k === undefined || row.latency === undefined) {
      issues.push({ sourceFile, where, reason: 'missing m, n, k or latency' });
      continue;
    }
    let gpu = gpuCache.get(device);
    if (gpu === undefined) {
      gpu = resolve(device) ?? '';
      gpuCache.set(device, gpu);
    }
    const powerPresent = row.power !== undefined && row.power !== null;
    const isPowerRun = options.hasPowerColumn ?? powerPresent;
    const record: GemmRecord = {
      gpu,
      gpuName: device,
      dtype: mapped.dtype,
      m,
      n,
      k,
      batch: 1,
      kernel: 'library',
      params: {},
      runtimeMs,
      source: 'aiconfigurator',
      sourceFile,
      condition: isPowerRun ? 'power-run' : 'plain',
      op: cellString(row.op_name) ?? 'gemm',
    };
    if (mapped.quantization !== undefined) record.quantization = mapped.quantization;
    const kernelName = cellString(row.kernel_source);
    if (kernelName !== undefined) record.kernelName = kernelName;
    const framework = cellString(row.framework);
    if (framework !== undefined) record.framework = framework;
    const version = cellString(row.version);
    if (version !== undefined) record.frameworkVersion = version;
    if (powerPresent) record.powerW = cellNumber(row.power);
    if (row.power_limit !== undefined && row.power_limit !== null) record.powerLimitW = cellNumber(row.power_limit);
    records.push(record);
  }
  return { records, issues };
}
