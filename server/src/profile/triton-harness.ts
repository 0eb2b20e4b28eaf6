// Renders the Python benchmark harness for a Triton kernel launch: imports the user's module by path,
// builds random-normal inputs of the launch's problem size, times each autotune configuration (or, for a
// sweep, a designed set around the first) with triton.testing.do_bench (median, p10, p90), checks the
// result against torch.matmul, measures energy over a >= 1 s run with pynvml, and prints one
// tilecast-profile/1 line per configuration. Pure text generation: no I/O.
import type { FileAnalysis, LaunchSite } from '../analysis/types';
import { kernelText } from '../analysis/kernel-text';
import { launchedKernel, tileFieldOf } from '../perf/workload-from-analysis';
import { HARNESS_TOOL, CHECK_TOLERANCE } from './cuda-harness';
import type { HarnessBundle } from './harness-files';
import { TRITON_SUPPORT } from './triton-support';

export interface TritonPlanResult {
  ok: boolean;
  reason?: string;
  source?: string;
}

const TORCH_DTYPE: Record<string, string> = {
  fp32: 'float32',
  tf32: 'float32',
  fp16: 'float16',
  bf16: 'bfloat16',
  fp8: 'float8_e4m3fn',
  int8: 'int8',
  fp64: 'float64',
};

function pyString(text: string): string {
  return JSON.stringify(text);
}

/** Python expression for one non-constexpr kernel parameter, or null when its meaning is not clear from the name. */
function argExpression(name: string): string | null {
  const n = name.toLowerCase();
  const tensor = /^(a|b|c|d|x|w|y|out|output|lhs|rhs|result)(_ptr|_ptrs|ptr)?$/.exec(n);
  if (tensor) {
    const t = tensor[1];
    if (t === 'a' || t === 'x' || t === 'lhs') return 'a';
    if (t === 'b' || t === 'w' || t === 'rhs') return 'b';
    return 'c';
  }
  if (n === 'm') return 'M';
  if (n === 'n') return 'N';
  if (n === 'k') return 'K';
  const stride = /^stride_?([abcd])_?([mnk])$/.exec(n);
  if (stride) {
    const t = stride[1] === 'd' ? 'c' : stride[1];
    const dims: Record<string, string> = { a: 'mk', b: 'kn', c: 'mn' };
    const dim = dims[t].indexOf(stride[2]);
    return dim < 0 ? null : `${t}.stride(${dim})`;
  }
  return null;
}

/** Literal keyword arguments of the launch text (`ACTIVATION=""`, `EVEN_K=True`), for constexprs no config sets. */
function launchLiterals(launchText: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of launchText.matchAll(/\b([A-Za-z_]\w*)\s*=\s*("[^"]*"|'[^']*'|True|False|None|-?\d+(?:\.\d+)?)\s*(?=[,)])/g)) out[m[1]] = m[2];
  return out;
}

/** Builds the Python harness for `launch`; `moduleFile` is the user's file as copied beside the harness. */
export function renderTritonHarness(
  text: string,
  analysis: FileAnalysis,
  launch: LaunchSite,
  moduleFile: string,
  options: { sweep?: boolean; gpuId?: string; args?: Record<string, string> } = {},
): TritonPlanResult {
  const kernel = launchedKernel(analysis, launch.kernel);
  if (!kernel) return { ok: false, reason: `the kernel ${launch.kernel} is defined neither in this file nor in a local module it imports` };
  const { m, n, k } = launch.problem;
  if (!m || !n || !k) return { ok: false, reason: 'the problem size (m, n, k) is unknown: add a `# tilecast: m=... n=... k=...` annotation' };
  if ((launch.problem.batch ?? 1) > 1) return { ok: false, reason: 'batched Triton launches are not profiled yet (batch > 1)' };
  const dtype = launch.problem.dtype ?? kernel.dtype ?? 'fp16';
  const torchDtype = TORCH_DTYPE[dtype];
  if (!torchDtype) return { ok: false, reason: `dtype ${dtype} has no torch equivalent in the harness` };
  const constexprs = new Set(kernel.constexprParams);
  const args: string[] = [];
  for (const p of kernel.parameters) {
    if (constexprs.has(p.name)) continue;
    const given = options.args?.[p.name];
    const expr = given ?? argExpression(p.name);
    if (expr === null)
      return { ok: false, reason: `cannot tell what to pass for parameter \`${p.name}\`: give it with --arg ${p.name}=PYTHON_EXPR (over a, b, c, M, N, K)` };
    args.push(expr);
  }
  const configKeys = new Set<string>(kernel.configs.flatMap((c) => Object.keys(c.params)));
  for (const key of Object.keys(launch.metaParams)) configKeys.add(key);
  const literals = launchLiterals(text.slice(launch.range.start, launch.range.end + 400));
  const fixed: Record<string, string> = {};
  for (const name of kernel.constexprParams) if (!configKeys.has(name) && literals[name] !== undefined) fixed[name] = literals[name];
  const field = (f: string): string | null => [...configKeys].find((key) => tileFieldOf(key) === f) ?? null;
  const body = kernelText(text, kernel);
  const axes = new Set([...body.matchAll(/program_id\s*\(\s*(?:axis\s*=\s*)?(\d)/g)].map((x) => x[1])).size || 1;
  const launchMeta: Record<string, number> = {};
  for (const [key, value] of Object.entries(launch.metaParams)) if (value !== null) launchMeta[key] = value;
  const spec = {
    module: moduleFile,
    kernel: kernel.name,
    m,
    n,
    k,
    dtype,
    torchDtype,
    tolerance: CHECK_TOLERANCE[dtype] ?? 2e-2,
    gridAxes: Math.min(axes, 3),
    blockKeys: { m: field('blockM'), n: field('blockN') },
    launchMeta,
    numWarps: launch.numWarps,
    numStages: launch.numStages,
    sweep: options.sweep === true,
    gpuId: options.gpuId ?? '',
    tool: HARNESS_TOOL.replace('harness', 'triton-harness'),
  };
  const fixedKwargs = Object.entries(fixed)
    .map(([key, value]) => `${pyString(key)}: ${value}`)
    .join(', ');
  const source = [
    '#!/usr/bin/env python3',
    `# Generated by TileCast (${spec.tool}): benchmark of ${kernel.name} at m=${m} n=${n} k=${k}, ${dtype}.`,
    '# Prints one tilecast-profile/1 JSON line per configuration on stdout; diagnostics go to stderr.',
    `SPEC = ${JSON.stringify(spec)}`
      .replace(/\bnull\b/g, 'None')
      .replace(/\btrue\b/g, 'True')
      .replace(/\bfalse\b/g, 'False'),
    '',
    'def kernel_args(a, b, c, M, N, K):',
    `    return [${args.join(', ')}]`,
    '',
    `FIXED_KWARGS = {${fixedKwargs}}`,
    TRITON_SUPPORT,
  ].join('\n');
  return { ok: true, source };
}

/** The Triton harness directory: the user's module, harness.py, run.sh (nothing to build). */
export function tritonBundle(moduleText: string, moduleFile: string, harnessSource: string): HarnessBundle {
  return {
    language: 'triton',
    files: [
      { path: moduleFile, text: moduleText },
      { path: 'harness.py', text: harnessSource },
      {
        path: 'run.sh',
        text: '#!/bin/sh\n# Generated by TileCast: runs the Triton harness (needs python3 with torch, triton; pynvml for energy).\ncd "$(dirname "$0")" || exit 1\nexec "${PYTHON:-python3}" harness.py "$@"\n',
        executable: true,
      },
    ],
    build: null,
    run: ['sh', 'run.sh'],
    configs: [{ label: 'autotune configs', dir: '.', values: {} }],
    skipped: [],
  };
}
