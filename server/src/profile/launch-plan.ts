// Decides what a benchmark harness passes to a CUDA launch: which kernel parameters are the A, B and C
// matrices (and of what element type), which scalars are M, N, K, batch, alpha, beta or leading
// dimensions, and the launch's grid, block and dynamic shared memory. Pure: analysis results in, a plan
// (or the reason there is none) out. It must not render code or touch files.
import type { Dtype, FileAnalysis, KernelInfo, LaunchSite, TileParam } from '../analysis/types';
import { inKernel, launchedKernel, workloadFromLaunch, workloadTileParams } from '../perf/workload-from-analysis';
import type { KernelFamily } from '../perf/types';
import { profileWorkloadFields, type ProfileRecord } from '../data/profile-record';
import { problemSourceWords } from '../report/analysis-text';

/** Element types the harness can allocate, fill and read back. */
export type ElementType = 'f64' | 'f32' | 'f16' | 'bf16' | 'fp8e4m3' | 'fp8e5m2' | 'i8' | 'i32';

export interface BufferArg {
  kind: 'buffer';
  name: string;
  /** The parameter's type as written (passed with a cast), e.g. "const float4 *". */
  cType: string;
  role: 'A' | 'B' | 'C' | 'extra';
  element: ElementType;
  /** Scalars per element of the pointer type (4 for float4): the allocation counts scalars. */
  vectorWidth: number;
}

export interface ScalarArg {
  kind: 'scalar';
  name: string;
  cType: string;
  /** C expression the harness passes (over the harness's tc_m, tc_n, tc_k, tc_batch). */
  expr: string;
  /** What the value stands for, for the reader of the harness. */
  meaning: string;
}

export type LaunchArg = BufferArg | ScalarArg;

export interface LaunchPlan {
  kernelName: string;
  /** `<64, 64, 8>` or ''. */
  templateArgsText: string;
  args: LaunchArg[];
  grid: [number, number, number];
  block: [number, number, number];
  dynamicSmemBytes: number;
  m: number;
  n: number;
  k: number;
  batch: number;
  dtype: Dtype;
  kernel: KernelFamily;
  /** Tile and template values that identify this configuration in the record's params. */
  params: Record<string, number>;
  /** The model's tile for this launch (as the hover computes it), written into each record. */
  workloadFields: Pick<ProfileRecord, 'tile' | 'sharedMemPerBlockBytes' | 'usesTensorCores'>;
  /** What was assumed rather than read from the code (problem size source, parameter meanings). */
  assumed: string[];
}

export interface PlanOverrides {
  m?: number;
  n?: number;
  k?: number;
  batch?: number;
  grid?: [number, number, number];
  block?: [number, number, number];
  dynamicSmemBytes?: number;
  /** Parameter name -> C expression, for parameters the harness cannot guess (`--arg name=expr`). */
  args?: Record<string, string>;
}

export type PlanResult = { ok: true; plan: LaunchPlan } | { ok: false; reason: string };

const ELEMENT_OF_TYPE: Array<[RegExp, ElementType, number]> = [
  [/^(double)$/, 'f64', 1],
  [/^(float|float1)$/, 'f32', 1],
  [/^float2$/, 'f32', 2],
  [/^float4$/, 'f32', 4],
  [/^(half|__half)$/, 'f16', 1],
  [/^(half2|__half2)$/, 'f16', 2],
  [/^(__nv_bfloat16|nv_bfloat16)$/, 'bf16', 1],
  [/^(__nv_bfloat162|nv_bfloat162)$/, 'bf16', 2],
  [/^__nv_fp8_e4m3$/, 'fp8e4m3', 1],
  [/^__nv_fp8_e5m2$/, 'fp8e5m2', 1],
  [/^(int8_t|char|signed char)$/, 'i8', 1],
  [/^(int|int32_t)$/, 'i32', 1],
];

/** Base type of a pointer parameter's type text ("const float *__restrict__" -> "float"), or null when not a pointer. */
export function pointee(type: string): string | null {
  if (!type.includes('*')) return null;
  const base = type
    .slice(0, type.indexOf('*'))
    .replace(/\b(const|volatile|__restrict__|__restrict|restrict)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return base === '' ? null : base;
}

function elementOf(base: string): { element: ElementType; width: number } | null {
  for (const [re, element, width] of ELEMENT_OF_TYPE) if (re.test(base)) return { element, width };
  return null;
}

const ROLE_NAMES: Record<'A' | 'B' | 'C', RegExp> = {
  A: /^(d_?|g_?|p_?|mat_?)?(a|lhs|x)(_?(ptr|d|dev|mat|in|global))?$/i,
  B: /^(d_?|g_?|p_?|mat_?)?(b|rhs|w|weight|y)(_?(ptr|d|dev|mat|in|global))?$/i,
  C: /^(d_?|g_?|p_?|mat_?)?(c|d|out|output|result|dst)(_?(ptr|d|dev|mat|out|global))?$/i,
};

/** Meaning of a scalar parameter from its name, as a C expression over the harness's variables. */
function scalarMeaning(name: string, cType: string): { expr: string; meaning: string } | null {
  const n = name.replace(/^(d_|p_|g_)/, '');
  if (/^(m|num_?rows|rows)$/i.test(n)) return { expr: 'tc_m', meaning: 'M (rows of A and C)' };
  if (/^(n|num_?cols|cols)$/i.test(n)) return { expr: 'tc_n', meaning: 'N (columns of B and C)' };
  if (/^k$/i.test(n)) return { expr: 'tc_k', meaning: 'K (the reduction)' };
  if (/^(batch|batch_?count|batches|num_?batch(es)?|bs)$/i.test(n)) return { expr: 'tc_batch', meaning: 'batch count' };
  if (/^alpha$/i.test(n)) return { expr: '1', meaning: 'alpha = 1' };
  if (/^beta$/i.test(n)) return { expr: '0', meaning: 'beta = 0 (C is overwritten)' };
  if (/^ld_?a$/i.test(n)) return { expr: 'tc_k', meaning: 'lda = K (row-major A, assumed)' };
  if (/^ld_?b$/i.test(n)) return { expr: 'tc_n', meaning: 'ldb = N (row-major B, assumed)' };
  if (/^ld_?[cd]$/i.test(n)) return { expr: 'tc_n', meaning: 'ldc = N (row-major C, assumed)' };
  if (/^stride_?a$/i.test(n)) return { expr: 'tc_m * tc_k', meaning: 'batch stride of A' };
  if (/^stride_?b$/i.test(n)) return { expr: 'tc_k * tc_n', meaning: 'batch stride of B' };
  if (/^stride_?[cd]$/i.test(n)) return { expr: 'tc_m * tc_n', meaning: 'batch stride of C' };
  void cType;
  return null;
}

/**
 * The launch site overlapping [offset, offsetEnd] (a cursor, or a whole line), else the first launch of a
 * kernel whose definition covers `offset`.
 */
export function launchAtOffset(analysis: FileAnalysis, offset: number, offsetEnd = offset): { launch: LaunchSite; index: number } | null {
  const at = analysis.launches.findIndex((l) => l.range.start <= offsetEnd && l.range.end >= offset);
  if (at >= 0) return { launch: analysis.launches[at], index: at };
  const kernel = analysis.kernels.find((k) => k.range.start <= offsetEnd && k.range.end >= offset);
  if (!kernel) return null;
  const first = analysis.launches.findIndex((l) => l.kernel === kernel.name);
  return first >= 0 ? { launch: analysis.launches[first], index: first } : null;
}

function resolveTemplateType(base: string, kernel: KernelInfo, launch: LaunchSite): string {
  const i = kernel.templateParameters.indexOf(base);
  return i >= 0 && launch.templateArgs[i] ? launch.templateArgs[i].text.trim() : base;
}

const inside = (inner: { start: number; end: number }, outer: { start: number; end: number }): boolean => inner.start >= outer.start && inner.end <= outer.end;

/** Tile parameters that belong to this launch: file scope, inside the kernel, or at the launch (template arguments). */
export function launchParams(kernel: KernelInfo, launch: LaunchSite, tileParams: readonly TileParam[], analysis: FileAnalysis): Record<string, number> {
  const params: Record<string, number> = {};
  const kernels = [...analysis.kernels, ...(analysis.includedKernels ?? [])];
  const inOtherKernel = (p: TileParam): boolean => kernels.some((k) => k !== kernel && inKernel(p, k));
  for (const p of tileParams) {
    if (p.value === null || !Number.isFinite(p.value)) continue;
    if (p.origin === 'template-arg' && !inside(p.range, launch.range)) continue;
    if (inOtherKernel(p)) continue;
    params[p.name] = p.value;
  }
  return params;
}

/** Builds the launch plan of `launch`, or says what is missing and how to give it. */
export function planLaunch(analysis: FileAnalysis, launch: LaunchSite, overrides: PlanOverrides = {}): PlanResult {
  // A kernel from an included header is compiled with the file (the harness includes it, and its headers are copied beside it).
  const kernel = launchedKernel(analysis, launch.kernel);
  if (!kernel)
    return { ok: false, reason: `the kernel ${launch.kernel} launched here is defined neither in this file nor in a header it includes that TileCast found` };
  const tileParams = workloadTileParams(analysis);
  const assumed: string[] = [];
  const problem = launch.problem;
  const m = overrides.m ?? problem.m;
  const n = overrides.n ?? problem.n;
  const k = overrides.k ?? problem.k;
  if (!m || !n || !k)
    return { ok: false, reason: 'the problem size (m, n, k) is unknown: add a `// tilecast: m=... n=... k=...` annotation or pass --m/--n/--k' };
  if (problem.source !== 'code' && overrides.m === undefined)
    assumed.push(`problem size from ${problemSourceWords(problem.source)} (${problem.assumed.join(', ') || 'none'})`);
  const batch = overrides.batch ?? problem.batch ?? 1;
  const grid = overrides.grid ?? launch.grid;
  const block = overrides.block ?? launch.block;
  if (!grid) return { ok: false, reason: `the grid (${launch.gridExpr?.text ?? '?'}) does not fold to numbers: pass --grid X,Y,Z` };
  if (!block) return { ok: false, reason: `the block (${launch.blockExpr?.text ?? '?'}) does not fold to numbers: pass --block X,Y,Z` };
  let dynamicSmemBytes = overrides.dynamicSmemBytes ?? 0;
  if (overrides.dynamicSmemBytes === undefined && launch.dynamicSharedMemBytes) {
    if (launch.dynamicSharedMemBytes.value === null)
      return { ok: false, reason: `the dynamic shared memory (${launch.dynamicSharedMemBytes.text}) does not fold: pass --smem BYTES` };
    dynamicSmemBytes = launch.dynamicSharedMemBytes.value;
  }

  const args: LaunchArg[] = [];
  const pointers: BufferArg[] = [];
  for (const p of kernel.parameters) {
    const given = overrides.args?.[p.name];
    const base = pointee(p.type);
    if (base !== null) {
      const resolved = resolveTemplateType(base, kernel, launch);
      const el = elementOf(resolved);
      if (!el)
        return {
          ok: false,
          reason: `cannot allocate parameter \`${p.type} ${p.name}\`: element type ${resolved} is not one of float, double, half, __nv_bfloat16, __nv_fp8_e4m3/e5m2, int8_t, int, float2/4, half2`,
        };
      const cType = p.type.replace(new RegExp(`\\b${base.split(' ').pop()}\\b`), resolved);
      const buffer: BufferArg = { kind: 'buffer', name: p.name, cType, role: 'extra', element: el.element, vectorWidth: el.width };
      pointers.push(buffer);
      args.push(buffer);
      continue;
    }
    if (given !== undefined) {
      args.push({ kind: 'scalar', name: p.name, cType: p.type, expr: given, meaning: 'given with --arg' });
      continue;
    }
    const meaning = scalarMeaning(p.name, p.type);
    if (!meaning) return { ok: false, reason: `cannot tell what to pass for parameter \`${p.type} ${p.name}\`: give it with --arg ${p.name}=VALUE` };
    args.push({ kind: 'scalar', name: p.name, cType: p.type, ...meaning });
    if (/assumed/.test(meaning.meaning)) assumed.push(meaning.meaning);
  }
  // Roles by name first, then the remaining pointers in order: A, B, C.
  for (const role of ['A', 'B', 'C'] as const) {
    const named = pointers.find((b) => b.role === 'extra' && ROLE_NAMES[role].test(b.name));
    if (named) named.role = role;
  }
  for (const role of ['A', 'B', 'C'] as const) {
    if (pointers.some((b) => b.role === role)) continue;
    const next = pointers.find((b) => b.role === 'extra');
    if (!next) return { ok: false, reason: `${kernel.name} takes ${pointers.length} pointer parameter(s); a GEMM harness needs A, B and C` };
    next.role = role;
    assumed.push(`${next.name} is ${role} (by position)`);
  }

  const fromAnalysis = workloadFromLaunch(kernel, launch, tileParams);
  const dtype: Dtype = problem.dtype ?? kernel.dtype ?? fromAnalysis.workload?.dtype ?? 'fp32';
  const kernelFamily: KernelFamily = fromAnalysis.workload?.kernel ?? (kernel.sharedArrays.length > 0 ? 'tiled' : 'naive');
  const templateArgsText = launch.templateArgs.length > 0 ? `<${launch.templateArgs.map((a) => a.text.trim()).join(', ')}>` : '';
  return {
    ok: true,
    plan: {
      kernelName: kernel.name,
      templateArgsText,
      args,
      grid,
      block,
      dynamicSmemBytes,
      m,
      n,
      k,
      batch,
      dtype,
      kernel: kernelFamily,
      params: launchParams(kernel, launch, tileParams, analysis),
      assumed,
      workloadFields: fromAnalysis.workload ? profileWorkloadFields(fromAnalysis.workload) : {},
    },
  };
}
