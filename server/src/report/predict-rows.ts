// The `tilecast predict` input contract: which CSV columns (and flags) mean what, and how one row
// becomes a GemmWorkload on a catalogue GPU or a message saying why it cannot. Pure: no I/O, never throws.
import { QUANT_WRAPPERS, type Dtype, type GemmWorkload, type GpuSpec, type KernelFamily, type QuantWrapper, type TileConfig } from '../perf/types';
import { resolveGpu, type ResolveResult } from '../perf/gpu-catalogue';
import { dtypeBytes, outputBytes } from '../perf/dtype';
import { CLBLAST_TUNABLES } from '../perf/library-tiles';
import { clblastTile } from '../data/to-workload';
import { MEASUREMENT_METHODS, type MeasurementMethod } from '../data/timing-overhead';

/** Dtypes `tilecast predict` accepts. */
export const PREDICT_DTYPES: readonly Dtype[] = ['fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'int8', 'fp4'];
export const KERNEL_FAMILIES: readonly KernelFamily[] = ['library', 'tiled', 'triton', 'clblast-xgemm', 'cutlass', 'naive'];
export const REQUIRED_COLUMNS = ['gpu', 'dtype', 'm', 'n', 'k'] as const;
/**
 * Quantisation schemes `tilecast predict` accepts (the `quantization` column / --quantization), with the
 * dtype each runs in: dynamic fp8 per-tensor and per-block (activations quantised at run time), static
 * fp8, NVFP4, SmoothQuant int8, and weight-only int8/int4 (activations stay 16-bit).
 */
export const QUANTIZATION_SCHEMES: Readonly<Record<string, readonly Dtype[]>> = {
  fp8: ['fp8'],
  fp8_static: ['fp8'],
  fp8_block: ['fp8'],
  nvfp4: ['fp4'],
  sq: ['int8'],
  int8_wo: ['fp16', 'bf16', 'int8'],
  int4_wo: ['fp16', 'bf16', 'int8'],
};

/** Config columns (CSV) / flags (--block-m ...) of non-CLBlast families and the TileConfig field each sets. */
export const CONFIG_COLUMNS: ReadonlyArray<readonly [column: string, field: Exclude<keyof TileConfig, 'native'>]> = [
  ['block_m', 'blockM'],
  ['block_n', 'blockN'],
  ['block_k', 'blockK'],
  ['threads', 'threads'],
  ['warps', 'warps'],
  ['stages', 'stages'],
  ['thread_m', 'threadM'],
  ['thread_n', 'threadN'],
  ['vector_width', 'vectorWidth'],
];
/** CLBlast tunables that are 0/1 switches (0 allowed); the rest are positive sizes. */
const CLBLAST_SWITCHES = new Set(['STRM', 'STRN', 'SA', 'SB']);

/** Largest M, N, K or batch accepted: cuBLAS takes 32-bit int sizes. */
export const MAX_DIMENSION = 2 ** 31 - 1;

export interface PredictColumns {
  gpu: number;
  dtype: number;
  m: number;
  n: number;
  k: number;
  /** -1 when the column is absent. */
  batch: number;
  kernel: number;
  /** Optional measurement method column (-1 when absent: the default method). */
  method: number;
  /** Optional quantisation scheme column (-1 when absent: a plain GEMM). */
  quantization: number;
  /** Optional column naming the framework op timed around a quantised GEMM (-1 when absent: the kernel alone). */
  quantWrapper: number;
  config: Array<{ index: number; column: string; field: Exclude<keyof TileConfig, 'native'> }>;
  clblast: Array<{ index: number; name: string }>;
  /** Header names that mean nothing to predict (passed through verbatim). */
  ignored: string[];
  width: number;
}

/** Maps a header to column positions (names trimmed, case-insensitive). Fails on missing or repeated known columns. */
export function mapColumns(header: readonly string[]): { ok: true; columns: PredictColumns } | { ok: false; error: string } {
  const positions = new Map<string, number>();
  const repeated: string[] = [];
  const ignored: string[] = [];
  const known = new Set<string>([
    ...REQUIRED_COLUMNS,
    'batch',
    'kernel',
    'method',
    'quantization',
    'quant_wrapper',
    ...CONFIG_COLUMNS.map(([c]) => c),
    ...CLBLAST_TUNABLES.map((t) => t.toLowerCase()),
  ]);
  header.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    if (!known.has(name)) {
      ignored.push(raw);
      return;
    }
    if (positions.has(name)) repeated.push(raw.trim());
    else positions.set(name, index);
  });
  if (repeated.length > 0)
    return {
      ok: false,
      error: `column${repeated.length > 1 ? 's' : ''} ${repeated.map((c) => `'${c}'`).join(', ')} appear${repeated.length > 1 ? '' : 's'} more than once in the header`,
    };
  const missing = REQUIRED_COLUMNS.filter((c) => !positions.has(c));
  if (missing.length > 0) {
    return {
      ok: false,
      error: `missing required column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}; the header must name gpu, dtype, m, n, k (optional: batch, kernel, method, quantization, quant_wrapper, config columns); it has: ${header.map((h) => `'${h}'`).join(', ')}`,
    };
  }
  const at = (name: string) => positions.get(name) ?? -1;
  return {
    ok: true,
    columns: {
      gpu: at('gpu'),
      dtype: at('dtype'),
      m: at('m'),
      n: at('n'),
      k: at('k'),
      batch: at('batch'),
      kernel: at('kernel'),
      method: at('method'),
      quantization: at('quantization'),
      quantWrapper: at('quant_wrapper'),
      config: CONFIG_COLUMNS.filter(([c]) => positions.has(c)).map(([column, field]) => ({ index: at(column), column, field })),
      clblast: CLBLAST_TUNABLES.filter((t) => positions.has(t.toLowerCase())).map((name) => ({ index: at(name.toLowerCase()), name })),
      ignored,
      width: header.length,
    },
  };
}

/** `method` is absent when the row leaves it to the default (the --method flag, else kernel time). */
export type RowResult = { ok: true; workload: GemmWorkload; gpu: GpuSpec; method?: MeasurementMethod } | { ok: false; error: string };

/** Strict whole number: optional spaces and '+', digits, optionally '.0'. NaN for anything else (1.5, 1e3, -4, '', 'abc'). */
export function parseWholeNumber(text: string | undefined): number {
  if (text === undefined) return NaN;
  let s = 0,
    e = text.length;
  while (s < e && text.charCodeAt(s) === 32) s++;
  while (e > s && text.charCodeAt(e - 1) === 32) e--;
  if (s < e && text.charCodeAt(s) === 43 /* + */) s++;
  if (s >= e || e - s > 16) return NaN;
  let value = 0;
  let i = s;
  for (; i < e; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  if (i === e) return value;
  // "4096.0" (as spreadsheets write whole numbers) is fine; "4096.5" is not.
  if (i === s || text.charCodeAt(i) !== 46 /* . */) return NaN;
  for (i++; i < e; i++) if (text.charCodeAt(i) !== 48) return NaN;
  return value;
}

function describe(text: string): string {
  return text.length > 40 ? `'${text.slice(0, 40)}…'` : `'${text}'`;
}

const CACHE_LIMIT = 4096;

/**
 * Turns rows (cells in header order) into workloads. Keeps small caches of GPU names, dtypes and
 * kernel families, so a file of a million rows resolves each distinct name once.
 */
export class RowInterpreter {
  private readonly gpus = new Map<string, ResolveResult>();
  private readonly dtypes = new Map<string, Dtype | string>();
  private readonly kernels = new Map<string, KernelFamily | string>();

  constructor(private readonly columns: PredictColumns) {}

  interpret(cells: readonly string[]): RowResult {
    const c = this.columns;
    if (cells.length !== c.width) return { ok: false, error: `row has ${cells.length} field${cells.length === 1 ? '' : 's'}, the header has ${c.width}` };
    const gpu = this.gpu(cells[c.gpu]);
    if (!gpu.ok) return { ok: false, error: gpu.error };
    const dtype = this.dtype(cells[c.dtype]);
    if (dtype.error) return { ok: false, error: dtype.error };
    const kernel = this.kernel(c.kernel >= 0 ? cells[c.kernel] : '');
    if (kernel.error) return { ok: false, error: kernel.error };
    const m = parseWholeNumber(cells[c.m]),
      n = parseWholeNumber(cells[c.n]),
      k = parseWholeNumber(cells[c.k]);
    const batchText = c.batch >= 0 ? cells[c.batch] : '';
    const batch = batchText.trim() === '' ? 1 : parseWholeNumber(batchText);
    const bad = sizeError('m', m, cells[c.m]) ?? sizeError('n', n, cells[c.n]) ?? sizeError('k', k, cells[c.k]) ?? sizeError('batch', batch, batchText);
    if (bad) return { ok: false, error: bad };
    const workload: GemmWorkload = { m, n, k, batch, dtype: dtype.value!, kernel: kernel.value! };
    if (c.quantization >= 0) {
      const scheme = quantizationOf(cells[c.quantization], workload.dtype);
      if (scheme.error) return { ok: false, error: scheme.error };
      if (scheme.value) workload.quantization = scheme.value;
    }
    if (c.quantWrapper >= 0) {
      const wrapper = wrapperCell(cells[c.quantWrapper], workload.quantization);
      if (wrapper.error) return { ok: false, error: wrapper.error };
      if (wrapper.value) workload.quantWrapper = wrapper.value;
    }
    const tile = kernel.value === 'clblast-xgemm' ? this.clblastConfig(cells) : this.tileConfig(cells);
    if (typeof tile === 'string') return { ok: false, error: tile };
    if (tile) workload.tile = tile;
    const memory = memoryError(workload, gpu.gpu);
    if (memory) return { ok: false, error: memory };
    if (c.method >= 0) {
      const method = this.method(cells[c.method]);
      if (method.error) return { ok: false, error: method.error };
      if (method.value) return { ok: true, workload, gpu: gpu.gpu, method: method.value };
    }
    return { ok: true, workload, gpu: gpu.gpu };
  }

  private method(text: string): { value?: MeasurementMethod; error?: string } {
    const name = text.trim().toLowerCase();
    if (name === '') return {};
    if ((MEASUREMENT_METHODS as readonly string[]).includes(name)) return { value: name as MeasurementMethod };
    return { error: `unknown method ${describe(text.trim())}; use one of ${MEASUREMENT_METHODS.join(', ')} (empty: the default)` };
  }

  private gpu(text: string): ResolveResult {
    let hit = this.gpus.get(text);
    if (!hit) {
      hit = resolveGpu(text);
      if (this.gpus.size < CACHE_LIMIT) this.gpus.set(text, hit);
    }
    return hit;
  }

  private dtype(text: string): { value?: Dtype; error?: string } {
    let hit = this.dtypes.get(text);
    if (hit === undefined) {
      const name = text.trim().toLowerCase();
      hit = (PREDICT_DTYPES as readonly string[]).includes(name)
        ? name
        : `error:${name === '' ? 'dtype is empty' : `unknown dtype ${describe(text.trim())}`}; use one of ${PREDICT_DTYPES.join(', ')}`;
      if (this.dtypes.size < CACHE_LIMIT) this.dtypes.set(text, hit);
    }
    return hit.startsWith('error:') ? { error: hit.slice(6) } : { value: hit as Dtype };
  }

  private kernel(text: string): { value?: KernelFamily; error?: string } {
    let hit = this.kernels.get(text);
    if (hit === undefined) {
      const name = text.trim().toLowerCase();
      hit =
        name === ''
          ? 'library'
          : (KERNEL_FAMILIES as readonly string[]).includes(name)
            ? name
            : `error:unknown kernel ${describe(text.trim())}; use one of ${KERNEL_FAMILIES.join(', ')}`;
      if (this.kernels.size < CACHE_LIMIT) this.kernels.set(text, hit);
    }
    return hit.startsWith('error:') ? { error: hit.slice(6) } : { value: hit as KernelFamily };
  }

  private tileConfig(cells: readonly string[]): TileConfig | undefined | string {
    let tile: TileConfig | undefined;
    for (const { index, column, field } of this.columns.config) {
      const text = cells[index];
      if (text.trim() === '') continue;
      const value = parseWholeNumber(text);
      if (!(value >= 1 && value <= 1_000_000)) return `${column} must be a positive whole number, got ${describe(text)}`;
      (tile ??= {})[field] = value;
    }
    return tile;
  }

  private clblastConfig(cells: readonly string[]): TileConfig | undefined | string {
    let native: Record<string, number> | undefined;
    for (const { index, name } of this.columns.clblast) {
      const text = cells[index];
      if (text.trim() === '') continue;
      const value = parseWholeNumber(text);
      const min = CLBLAST_SWITCHES.has(name) ? 0 : 1;
      const max = CLBLAST_SWITCHES.has(name) ? 1 : 4096;
      if (!(value >= min && value <= max)) return `${name} must be ${min === 0 ? '0 or 1' : 'a positive whole number'}, got ${describe(text)}`;
      (native ??= {})[name] = value;
    }
    return native ? clblastTile(native) : undefined;
  }
}

/** A quantisation cell: empty is a plain GEMM; a known scheme must match the row's dtype. */
function quantizationOf(text: string, dtype: Dtype): { value?: string; error?: string } {
  const name = text.trim().toLowerCase();
  if (name === '') return {};
  const dtypes = Object.hasOwn(QUANTIZATION_SCHEMES, name) ? QUANTIZATION_SCHEMES[name] : undefined;
  if (!dtypes)
    return { error: `unknown quantization ${describe(text.trim())}; use one of ${Object.keys(QUANTIZATION_SCHEMES).join(', ')} (empty: a plain GEMM)` };
  if (!dtypes.includes(dtype)) return { error: `quantization '${name}' runs in ${dtypes.join(' or ')}, not ${dtype}` };
  return { value: name };
}

/** A wrapper cell: empty (or 'none') is the kernel timed alone; a wrapper needs a quantisation scheme to wrap. */
function wrapperCell(text: string, quantization: string | undefined): { value?: QuantWrapper; error?: string } {
  const name = text.trim().toLowerCase();
  if (name === '' || name === 'none') return {};
  const wrapper = QUANT_WRAPPERS.find((w) => w === name);
  if (!wrapper)
    return { error: `unknown quant_wrapper ${describe(text.trim())}; use one of ${QUANT_WRAPPERS.join(', ')} (empty or none: the kernel timed alone)` };
  if (!quantization) return { error: `quant_wrapper '${name}' wraps a quantised GEMM; give the row a quantization scheme` };
  return { value: wrapper };
}

function sizeError(name: string, value: number, text: string | undefined): string | undefined {
  if (value >= 1 && value <= MAX_DIMENSION) return undefined;
  const shown = (text ?? '').trim();
  if (shown === '') return `${name} is empty`;
  if (value === 0) return `${name} must be at least 1, got ${describe(shown)}`;
  if (Number.isFinite(value)) return `${name} ${describe(shown)} is too large (at most ${MAX_DIMENSION})`;
  const n = Number(shown);
  if (Number.isFinite(n) && n > MAX_DIMENSION) return `${name} ${describe(shown)} is too large (at most ${MAX_DIMENSION})`;
  return `${name} must be a positive whole number, got ${describe(shown)}`;
}

/** A GEMM whose operands and result do not fit in the GPU's memory cannot run there. */
function memoryError(w: GemmWorkload, gpu: GpuSpec): string | undefined {
  const inBytes = dtypeBytes(w.dtype),
    outBytes = outputBytes(w.dtype);
  const bytes = w.batch * ((w.m * w.k + w.k * w.n) * inBytes + w.m * w.n * outBytes);
  const capacityGB = gpu.memorySizeGB?.value;
  if (!(capacityGB > 0) || bytes <= capacityGB * 1e9 * 1.074) return undefined; // GB or GiB, whichever is larger
  return `operands and result need ${(bytes / 1e9).toPrecision(3)} GB; ${gpu.name} has ${capacityGB} GB`;
}
