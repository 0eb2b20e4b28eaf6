// Shared by `tilecast harness` and `tilecast profile`: the flags that pick a launch (FILE --line N) and
// shape its harness (--gpu/--arch, --sweep, --m/--n/--k, --grid/--block/--smem, --arg), read into a
// HarnessRequest and generated. Reading the file and loading grammars happen here; generation is profile/.
import { resolve } from 'node:path';
import { analyzeSource, languageForPath } from '../../analysis/index';
import type { FileAnalysis } from '../../analysis/types';
import { databaseIncludeDirs } from '../../platform/compile-commands';
import { loadGrammars } from '../../platform/grammars';
import { readIncludes, type IncludedHeader } from '../../platform/includes';
import { readImports } from '../../platform/python-imports';
import { findGpu, resolveGpu } from '../../perf/gpu-catalogue';
import type { LocalGpu } from '../../platform/device-query';
import { generateHarness, type HarnessResult, type PlanOverrides } from '../../profile/index';
import { LineIndex } from '../../text/line-index';
import { positiveInteger, type FlagSpec, type ParsedArgs } from '../args';
import { readSourceFile } from '../read-source';

export const HARNESS_FLAGS: Record<string, FlagSpec> = {
  line: { type: 'string', description: '1-based line of the launch site (or of the kernel definition: its first launch)' },
  gpu: { type: 'string', description: "GPU to build for (catalogue id or name): sets -arch and the records' gpu id" },
  arch: {
    type: 'string',
    description:
      'CUDA architecture to build for when --gpu is not given: sm_XX, or "native" (this machine\'s GPU from nvidia-smi when profiling here, else nvcc -arch=native on the build machine; records are labelled by the device that ran). Default sm_90',
  },
  sweep: { type: 'boolean', description: 'tile sweep: a designed set of configurations around the current one' },
  m: { type: 'string', description: 'problem size M (default: from the code, annotation or tilecast.defaultProblemSize)' },
  n: { type: 'string', description: 'problem size N' },
  k: { type: 'string', description: 'problem size K (the reduction)' },
  grid: { type: 'string', description: "launch grid X,Y,Z when the file's does not fold" },
  block: { type: 'string', description: "launch block X,Y,Z when the file's does not fold" },
  smem: { type: 'string', description: "dynamic shared memory bytes when the file's does not fold" },
  include: {
    type: 'list',
    description: "folder searched for the file's #include headers (as analyze --include) or, for Triton, absolute imports; repeatable",
  },
  'compile-commands-dir': {
    type: 'string',
    description:
      'folder whose compile_commands.json gives the include folders (like clangd); default: the nearest one at or above each file, or in a build/ folder there',
  },
  arg: {
    type: 'list',
    description: 'NAME=EXPR: what to pass for a kernel parameter the harness cannot guess (C over tc_m, tc_n, tc_k; Python over a, b, c, M, N, K)',
  },
};

export type Prepared =
  | {
      ok: true;
      result: Extract<HarnessResult, { ok: true }>;
      path: string;
      text: string;
      analysis: FileAnalysis;
      gpuId: string;
      arch: string;
      line: number;
      /** The headers (CUDA) or modules (Triton) the analysis read: copied beside the harness (platform/profile-kernel.ts writeHarness). */
      included: IncludedHeader[];
    }
  | { ok: false; error: string; usage?: boolean };

function triple(value: string | undefined, name: string): [number, number, number] | undefined | string {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((x) => Number(x.trim()));
  if (parts.length < 1 || parts.length > 3 || parts.some((x) => !Number.isInteger(x) || x <= 0))
    return `--${name} must be X[,Y[,Z]] positive integers, got '${value}'`;
  while (parts.length < 3) parts.push(1);
  return parts as [number, number, number];
}

/** Reads FILE, analyses it and generates the harness for the launch at --line. */
export interface PrepareOptions {
  /** The GPUs of the machine that will run the harness (nvidia-smi here): `--arch native` resolves to its compute capability and catalogue id. Absent: `native` goes to nvcc as is. */
  localGpus?: () => Promise<LocalGpu[]>;
}

export async function prepareHarness(args: ParsedArgs, options: PrepareOptions = {}): Promise<Prepared> {
  const [path, ...extra] = args.positional;
  if (!path) return { ok: false, error: 'no file given', usage: true };
  if (extra.length) return { ok: false, error: `one file at a time (got ${args.positional.length})`, usage: true };
  const line = positiveInteger(args.flags.line as string | undefined, 'line');
  if (!line.ok) return { ok: false, error: line.error, usage: true };
  if (line.value === undefined) return { ok: false, error: '--line N is required (the launch site to profile)', usage: true };
  const overrides: PlanOverrides = {};
  for (const d of ['m', 'n', 'k'] as const) {
    const v = positiveInteger(args.flags[d] as string | undefined, d);
    if (!v.ok) return { ok: false, error: v.error, usage: true };
    if (v.value !== undefined) overrides[d] = v.value;
  }
  for (const d of ['grid', 'block'] as const) {
    const v = triple(args.flags[d] as string | undefined, d);
    if (typeof v === 'string') return { ok: false, error: v, usage: true };
    if (v) overrides[d] = v;
  }
  const smem = args.flags.smem as string | undefined;
  if (smem !== undefined) {
    if (!/^\d+$/.test(smem)) return { ok: false, error: `--smem must be a byte count, got '${smem}'`, usage: true };
    overrides.dynamicSmemBytes = Number(smem);
  }
  for (const a of (args.flags.arg as string[] | undefined) ?? []) {
    const eq = a.indexOf('=');
    if (eq <= 0) return { ok: false, error: `--arg takes NAME=EXPR, got '${a}'`, usage: true };
    (overrides.args ??= {})[a.slice(0, eq)] = a.slice(eq + 1);
  }
  let gpuId = '';
  let arch = (args.flags.arch as string | undefined) ?? 'sm_90';
  if (args.flags.gpu !== undefined) {
    const gpu = resolveGpu(args.flags.gpu as string);
    if (!gpu.ok) return { ok: false, error: gpu.error };
    gpuId = gpu.gpu.id;
    arch = `sm_${gpu.gpu.computeCapability.replace('.', '')}`;
  }
  if (arch === 'native' && args.flags.gpu === undefined && options.localGpus) {
    const [first] = await options.localGpus();
    if (!first) return { ok: false, error: '--arch native: nvidia-smi reports no GPU on this machine; give --gpu ID or --arch sm_XX' };
    if (!first.computeCapability)
      return {
        ok: false,
        error: `--arch native: nvidia-smi does not report the compute capability of ${first.name} (old driver); give --gpu ID or --arch sm_XX`,
      };
    arch = `sm_${first.computeCapability.replace('.', '')}`;
    gpuId = findGpu(first.name)?.id ?? '';
  }
  if (arch !== 'native' && !/^(sm|compute)_\d+[a-z]?$/.test(arch))
    return { ok: false, error: `--arch must look like sm_90 or be native, got '${arch}'`, usage: true };
  const read = await readSourceFile(path);
  if (!read.ok) return { ok: false, error: read.error };
  const language = languageForPath(path, read.text);
  if (!language) return { ok: false, error: `${path}: not a CUDA (.cu, .cuh) file, nor Python with Triton or with PyTorch GEMMs on tensors it creates` };
  const grammars = await loadGrammars();
  // The file's own headers or imported modules, found as `tilecast analyze` finds them.
  const includeDirs = ((args.flags.include as string[] | undefined) ?? []).map((dir) => resolve(dir));
  const included =
    language === 'cuda'
      ? readIncludes(path, read.text, {
          includeDirs: [...includeDirs, ...databaseIncludeDirs(path, null, (args.flags['compile-commands-dir'] as string | undefined) ?? null)],
        })
      : readImports(path, read.text, { searchDirs: includeDirs });
  const analyze = (text: string): FileAnalysis => analyzeSource(grammars, language, text, undefined, included);
  const analysis = analyze(read.text);
  const index = new LineIndex(read.text);
  if (line.value > index.lineCount) return { ok: false, error: `${path} has ${index.lineCount} lines; --line ${line.value} is past the end` };
  const offset = index.offsetAt({ line: line.value - 1, character: 0 });
  const offsetEnd = index.offsetAt({ line: line.value, character: 0 });
  const result = generateHarness({
    language,
    fileName: path,
    text: read.text,
    analysis,
    offset,
    offsetEnd,
    arch,
    gpuId,
    sweep: args.flags.sweep === true,
    overrides,
    analyze,
    included,
  });
  if (!result.ok) {
    const lines = analysis.launches.map((l) => `${l.kernel} at line ${index.positionAt(l.range.start).line + 1}`);
    return { ok: false, error: `${path}:${line.value}: ${result.reason}${lines.length ? `; launches: ${lines.join(', ')}` : ''}` };
  }
  return { ok: true, result, path, text: read.text, analysis, gpuId, arch, line: line.value, included };
}
