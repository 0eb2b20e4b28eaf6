// Measures what the CUDA compiler really allocates per kernel (registers, static shared memory,
// spills) by compiling a source with `nvcc --cubin -Xptxas -v` and parsing ptxas's report; results
// are cached by content hash. All file I/O of this job lives here; processes run through
// limited-process.ts (timeout and memory limit, never a shell).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_MEMORY_LIMIT_BYTES, formatBytes, runLimited } from './limited-process';

export interface KernelResources {
  /** Qualified kernel name without template arguments or parameters, e.g. "ns::tiled_gemm". */
  name: string;
  mangledName: string;
  /** Full signature from cu++filt / c++filt when one is installed. */
  demangledName?: string;
  /** GPU architecture ptxas compiled for, e.g. "sm_80". */
  arch: string;
  registersPerThread: number;
  staticSharedMemBytes: number;
  spillStoresBytes: number;
  spillLoadsBytes: number;
  stackFrameBytes: number;
  /** Sum of the constant banks ptxas lists for the kernel (cmem[0] holds the parameters). */
  constantMemBytes: number;
  /** Named barriers (ptxas "used N barriers"); absent in older ptxas output. */
  barriers?: number;
}

export type MeasureResult = { ok: true; kernels: KernelResources[]; cached: boolean } | { ok: false; error: string };

export interface MeasureOptions {
  /** Real architecture, "sm_80", "sm_90a", ... */
  arch: string;
  includeDirs?: string[];
  /** nvcc to run; default "nvcc" on PATH. */
  nvccPath?: string;
  /** Directory for cached results; no caching when absent. */
  cacheDir?: string;
  /** Default 60 s. */
  timeoutMs?: number;
  /**
   * Address-space limit of nvcc and each compiler it runs, in bytes (default DEFAULT_MEMORY_LIMIT_BYTES,
   * 8 GiB; 0 = none). Enforced with prlimit where util-linux is installed; without prlimit there is none.
   */
  memoryLimitBytes?: number;
}

const ENTRY = /Compiling entry function '([^']+)' for '([^']+)'/;
const PROPERTIES = /Function properties for (\S+)/;
const FRAME = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/;
const USED = /Used (\d+) registers/;

/**
 * Parses the `ptxas -v` report (nvcc's stderr) into one record per entry function and
 * architecture. Device functions (properties without "Compiling entry function") are skipped.
 * Pure: text in, records out.
 */
export function parsePtxasVerbose(text: string): KernelResources[] {
  const kernels: KernelResources[] = [];
  let entry: KernelResources | undefined;
  let inEntryProperties = false;
  for (const line of String(text ?? '').split(/\r?\n/)) {
    const entryMatch = ENTRY.exec(line);
    if (entryMatch) {
      entry = {
        name: kernelBaseName(entryMatch[1]),
        mangledName: entryMatch[1],
        arch: entryMatch[2],
        registersPerThread: 0,
        staticSharedMemBytes: 0,
        spillStoresBytes: 0,
        spillLoadsBytes: 0,
        stackFrameBytes: 0,
        constantMemBytes: 0,
      };
      kernels.push(entry);
      inEntryProperties = false;
      continue;
    }
    const properties = PROPERTIES.exec(line);
    if (properties) {
      inEntryProperties = entry !== undefined && properties[1] === entry.mangledName;
      continue;
    }
    const frame = FRAME.exec(line);
    if (frame) {
      if (entry && inEntryProperties) {
        entry.stackFrameBytes = Number(frame[1]);
        entry.spillStoresBytes = Number(frame[2]);
        entry.spillLoadsBytes = Number(frame[3]);
      }
      continue;
    }
    const used = USED.exec(line);
    if (used && entry) {
      entry.registersPerThread = Number(used[1]);
      const smem = /(\d+) bytes smem/.exec(line);
      if (smem) entry.staticSharedMemBytes = Number(smem[1]);
      const barriers = /used (\d+) barriers/.exec(line);
      if (barriers) entry.barriers = Number(barriers[1]);
      entry.constantMemBytes = [...line.matchAll(/(\d+) bytes cmem\[\d+\]/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      // The "Used" line closes an entry function's report; later lines belong to others.
      entry = undefined;
      inEntryProperties = false;
    }
  }
  return kernels;
}

/**
 * The qualified name of an Itanium-mangled function without template arguments or parameters:
 * "_Z10tiled_gemmPKfS0_Pfiii" -> "tiled_gemm", "_ZN2ns5spillEPfi" -> "ns::spill",
 * "_Z5templIfLi128EEvPT_" -> "templ". extern "C" names come back unchanged. Handles the
 * <nested-name> and <source-name> productions, which cover kernels; anything else is returned as is.
 */
export function kernelBaseName(mangled: string): string {
  if (!mangled.startsWith('_Z')) return mangled;
  let at = 2;
  const parts: string[] = [];
  const readSourceName = (): string | undefined => {
    const digits = /^\d+/.exec(mangled.slice(at));
    if (!digits) return undefined;
    at += digits[0].length;
    const name = mangled.slice(at, at + Number(digits[0]));
    at += Number(digits[0]);
    return name.length === Number(digits[0]) ? name : undefined;
  };
  const skipTemplateArgs = () => {
    // <template-args> ::= I <template-arg>+ E; literals (L...E) and nested groups also end in E.
    let depth = 0;
    do {
      const c = mangled[at];
      if (c === undefined) return;
      if (/\d/.test(c) && depth > 0) {
        readSourceName();
        continue;
      }
      if (c === 'L') {
        // <expr-primary> ::= L <type> <value> E: the value's digits are not a length.
        const end = mangled.indexOf('E', at);
        if (end < 0) return;
        at = end + 1;
        continue;
      }
      if (c === 'I' || c === 'N' || c === 'X') depth++;
      else if (c === 'E') depth--;
      at++;
    } while (depth > 0);
  };
  if (mangled[at] === 'N') {
    at++;
    while (mangled[at] === 'K' || mangled[at] === 'V' || mangled[at] === 'r') at++;
    if (mangled.startsWith('St', at)) {
      parts.push('std');
      at += 2;
    }
    while (at < mangled.length && mangled[at] !== 'E') {
      if (mangled[at] === 'I') {
        skipTemplateArgs();
        continue;
      }
      const name = readSourceName();
      if (name === undefined) return mangled;
      parts.push(name);
    }
  } else {
    const name = readSourceName();
    if (name === undefined) return mangled;
    parts.push(name);
  }
  return parts.length > 0 ? parts.join('::') : mangled;
}

/** Demangles with cu++filt (next to nvcc, or on PATH) or c++filt; undefined if neither runs. */
async function demangle(names: string[], nvccPath: string): Promise<Map<string, string> | undefined> {
  const mangled = names.filter((name) => name.startsWith('_Z'));
  if (mangled.length === 0) return new Map();
  const besideNvcc = join(dirname(nvccPath), 'cu++filt');
  const tools = [...(nvccPath.includes('/') && existsSync(besideNvcc) ? [besideNvcc] : []), 'cu++filt', 'c++filt'];
  for (const tool of tools) {
    const result = await runLimited(tool, mangled, { timeoutMs: 10_000, memoryLimitBytes: DEFAULT_MEMORY_LIMIT_BYTES });
    if (result.code !== 0) continue;
    const lines = result.stdout.split(/\r?\n/);
    if (lines.length < mangled.length) continue;
    return new Map(mangled.map((name, index) => [name, lines[index].trim()]));
  }
  return undefined;
}

/** Key of a cached measurement: SHA-256 of everything that changes ptxas's answer. */
export function cacheKey(sourceText: string, arch: string, flags: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: 1, sourceText, arch, flags }))
    .digest('hex');
}

function compilerMessage(stderr: string, stdout: string): string {
  const lines = `${stderr}\n${stdout}`.split(/\r?\n/).filter((line) => /error|fatal/i.test(line));
  return (lines.length > 0 ? lines : stderr.split(/\r?\n/)).slice(0, 8).join('\n').trim();
}

/**
 * Compiles `sourceText` for one architecture and returns each kernel's registers, static shared
 * memory and spills as ptxas reports them. Never throws: failures come back as { ok: false }.
 */
export async function measureKernelResources(sourceText: string, options: MeasureOptions): Promise<MeasureResult> {
  const arch = String(options?.arch ?? '');
  if (!/^sm_\d{2,3}[af]?$/.test(arch)) return { ok: false, error: `arch must look like "sm_80", got "${arch}"` };
  if (typeof sourceText !== 'string') return { ok: false, error: 'source text must be a string' };
  const nvccPath = options.nvccPath ?? 'nvcc';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const includeArgs = (options.includeDirs ?? []).flatMap((dir) => ['-I', dir]);
  const flags = ['--cubin', `-arch=${arch}`, '-Xptxas', '-v', ...includeArgs];
  const key = cacheKey(sourceText, arch, [nvccPath, ...flags]);
  const cacheFile = options.cacheDir ? join(options.cacheDir, `ptxas-${key}.json`) : undefined;

  if (cacheFile) {
    try {
      const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as { kernels?: KernelResources[] };
      if (Array.isArray(cached.kernels)) return { ok: true, kernels: cached.kernels, cached: true };
    } catch {
      // No usable cache entry: measure.
    }
  }

  let workDir: string | undefined;
  try {
    workDir = await mkdtemp(join(tmpdir(), 'tilecast-ptxas-'));
    const sourceFile = join(workDir, 'kernel.cu');
    await writeFile(sourceFile, sourceText, 'utf8');
    const args = [...flags, '-o', join(workDir, 'kernel.cubin'), sourceFile];
    const result = await runLimited(nvccPath, args, { timeoutMs, memoryLimitBytes: options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES });
    if (result.code !== 0) {
      if (result.notFound) return { ok: false, error: `nvcc not found (${nvccPath}); install the CUDA toolkit or set nvccPath` };
      if (result.timedOut) return { ok: false, error: `nvcc timed out after ${timeoutMs} ms` };
      if (result.outOfMemory && result.memoryLimitBytes !== undefined) {
        return {
          ok: false,
          error: `nvcc ran out of memory: the compiler may use at most ${formatBytes(result.memoryLimitBytes)} of address space (memoryLimitBytes)${result.signal ? `, and it died of ${result.signal}` : ''}; the file needs more, or instantiates templates without bound`,
        };
      }
      if (result.failure) return { ok: false, error: `could not run nvcc: ${result.failure}` };
      if (result.signal) return { ok: false, error: `nvcc was killed by ${result.signal}` };
      return { ok: false, error: `nvcc failed (exit ${result.code ?? '?'}): ${compilerMessage(result.stderr, result.stdout)}` };
    }
    const kernels = parsePtxasVerbose(`${result.stderr}\n${result.stdout}`).filter((kernel) => kernel.arch === arch);
    const names = await demangle(
      kernels.map((kernel) => kernel.mangledName),
      nvccPath,
    );
    for (const kernel of kernels) {
      const full = names?.get(kernel.mangledName);
      if (full) kernel.demangledName = full;
    }
    if (cacheFile && options.cacheDir) {
      try {
        await mkdir(options.cacheDir, { recursive: true });
        await writeFile(cacheFile, JSON.stringify({ arch, kernels }), 'utf8');
      } catch {
        // A cache that cannot be written only costs time.
      }
    }
    return { ok: true, kernels, cached: false };
  } catch (error) {
    return { ok: false, error: `could not run nvcc: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
