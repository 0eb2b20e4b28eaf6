// `tilecast profile import FILE...`: Nsight Compute raw CSV (`ncu --csv --page raw`) and Kernel Tuner
// cache files (.json, .json.gz) into tilecast-profile/1 records appended to the profile store. The
// problem size comes from --m/--n/--k/--dtype or from the analysis of --source FILE --line N.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { Dtype, KernelFamily } from '../../perf/types';
import { appendProfiles } from '../../platform/profile-store';
import { parseKernelTunerProfiles, parseNcuRawCsv, type ImportContext } from '../../profile/import';
import { resolveGpuId } from '../../data/gpu-id';
import { formatFlags, parseArgs, positiveInteger, type FlagSpec } from '../args';
import type { CliStreams } from '../command';
import { HARNESS_FLAGS, prepareHarness } from './harness-request';
import { STORE_FLAGS, storeFromFlags } from './store-flags';

const DTYPES = ['fp64', 'fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'int8', 'fp4'];
const FAMILIES = ['library', 'tiled', 'triton', 'clblast-xgemm', 'cutlass', 'naive'];

const flags: Record<string, FlagSpec> = {
  m: HARNESS_FLAGS.m,
  n: HARNESS_FLAGS.n,
  k: HARNESS_FLAGS.k,
  dtype: { type: 'string', description: `element type (${DTYPES.join(', ')}); default fp32` },
  family: { type: 'string', description: `kernel family (${FAMILIES.join(', ')}); default tiled` },
  source: { type: 'string', description: "the kernel's source file: problem size, dtype, family and tile values from the launch at --line" },
  line: HARNESS_FLAGS.line,
  gpu: { type: 'string', description: 'device name when the file does not give one' },
  kernel: { type: 'string', description: 'ncu: only launches whose kernel name contains this' },
  'dry-run': { type: 'boolean', description: 'print the records instead of storing them' },
  ...STORE_FLAGS,
  help: { type: 'boolean', description: 'show this help' },
};

const help = `usage: tilecast profile import FILE... [--m M --n N --k K --dtype T | --source FILE --line N]\n\nImports ncu --csv --page raw tables and Kernel Tuner caches into the profile store.\n\n${formatFlags(flags)}\n`;

export async function runImport(argv: string[], { stdout, stderr }: CliStreams): Promise<number> {
  const parsed = parseArgs(argv, flags);
  if (!parsed.ok) {
    stderr.write(`tilecast profile import: ${parsed.error}\n\n${help}`);
    return 2;
  }
  const f = parsed.args.flags;
  if (f.help) {
    stdout.write(help);
    return 0;
  }
  if (parsed.args.positional.length === 0) {
    stderr.write(`tilecast profile import: no files given\n\n${help}`);
    return 2;
  }
  const ctx: ImportContext = {
    m: 0,
    n: 0,
    k: 0,
    dtype: 'fp32',
    kernel: 'tiled',
    timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    gpuName: f.gpu as string | undefined,
    kernelFilter: f.kernel as string | undefined,
  };
  if (f.source) {
    const prepared = await prepareHarness({ positional: [f.source as string], flags: { line: f.line, m: f.m, n: f.n, k: f.k } });
    if (!prepared.ok) {
      stderr.write(`tilecast profile import: ${prepared.error}\n`);
      return 2;
    }
    const launch = prepared.analysis.launches.find((l) => l.kernel === prepared.result.kernelName);
    ctx.m = launch?.problem.m ?? 0;
    ctx.n = launch?.problem.n ?? 0;
    ctx.k = launch?.problem.k ?? 0;
    ctx.dtype = launch?.problem.dtype ?? ctx.dtype;
    ctx.params = prepared.result.bundle.configs[0]?.values;
    ctx.kernelFilter ??= prepared.result.kernelName;
  }
  for (const d of ['m', 'n', 'k'] as const) {
    const v = positiveInteger(f[d] as string | undefined, d);
    if (!v.ok) {
      stderr.write(`tilecast profile import: ${v.error}\n`);
      return 2;
    }
    if (v.value !== undefined) ctx[d] = v.value;
  }
  if (f.dtype !== undefined) {
    if (!DTYPES.includes(f.dtype as string)) {
      stderr.write(`tilecast profile import: --dtype must be one of ${DTYPES.join(', ')}\n`);
      return 2;
    }
    ctx.dtype = f.dtype as Dtype;
  }
  if (f.family !== undefined) {
    if (!FAMILIES.includes(f.family as string)) {
      stderr.write(`tilecast profile import: --family must be one of ${FAMILIES.join(', ')}\n`);
      return 2;
    }
    ctx.kernel = f.family as KernelFamily;
  }
  let failed = 0;
  const all = [];
  for (const path of parsed.args.positional) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      stderr.write(`tilecast profile import: ${path}: ${(e as Error).message}\n`);
      failed++;
      continue;
    }
    const isCache = /\.json(\.gz)?$/i.test(path);
    if (!isCache && !(ctx.m && ctx.n && ctx.k)) {
      stderr.write(`tilecast profile import: ${path}: ncu tables do not hold the GEMM size: give --m/--n/--k or --source FILE --line N\n`);
      return 2;
    }
    let result: ReturnType<typeof parseNcuRawCsv>;
    if (isCache) {
      let cache: unknown;
      try {
        cache = JSON.parse((path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
      } catch (e) {
        stderr.write(`tilecast profile import: ${path}: not JSON (${(e as Error).message})\n`);
        failed++;
        continue;
      }
      result = parseKernelTunerProfiles(cache, path, { ...ctx, m: ctx.m || 1, n: ctx.n || 1, k: ctx.k || 1 });
    } else {
      result = parseNcuRawCsv(bytes.toString('utf8'), path, ctx);
    }
    for (const i of result.issues) stderr.write(`tilecast profile import: ${i}\n`);
    all.push(...result.profiles.map((p) => ({ ...p, gpu: p.gpu || resolveGpuId(p.gpuName) || '' })));
    stderr.write(`tilecast profile import: ${path}: ${result.profiles.length} record(s)\n`);
  }
  if (all.length === 0) return 1;
  if (f['dry-run']) {
    for (const r of all) stdout.write(`${JSON.stringify(r)}\n`);
  } else {
    const store = storeFromFlags(f);
    const { file } = appendProfiles(store, all);
    stdout.write(`${all.length} record(s) appended to ${store.dir}/${file}\n`);
  }
  return failed > 0 ? 1 : 0;
}
