// Headers a CUDA file includes with `#include "..."`, as context for the file's analysis: their constants
// fold in the file (the file's own win), and a kernel defined in one is read for the file's launches, with
// the file's constants and template arguments. Pure: the caller (language server, command line) finds and
// reads the headers and parses them; nothing here does I/O, and nothing here reports problems in a header.
import type { Node } from 'web-tree-sitter';
import type { Binding, FoldEnv } from '../folding';
import { collectDefinitions } from './definitions';
import { kernelText } from '../kernel-text';
import type { KernelInfo, LaunchSite, TileParam } from '../types';
import type { CudaAnalysisCache } from './cache';
import { LAUNCH_CALLS } from './launch-kernel-call';
import { batchedByGridZ, readCallee } from './launches';
import { kernelNameOf, readKernel, templateParametersOf, type KernelContext, type KernelDefinition, type KernelSpan, type TemplateParameter } from './kernels';
import type { PreparedCuda } from './prepare';
import { fileScope, outlineTopLevel } from './scopes';
import { kernelSpansOf } from './structure';

/** At most this many characters of a kernel's header before its definition are kept (`__launch_bounds__`, `template <...>`). */
const HEAD_CHARS = 400;

/** One included header, read once per version of its text. Holds its tree's nodes: valid while its document lives. */
export interface HeaderContext {
  kind: 'cuda-header';
  /** The name as the `#include` writes it (`"gemm.cuh"` → `gemm.cuh`), for messages. */
  name: string;
  /** The header's text. */
  text: string;
  /** Differs between any two contexts made in one process: analysis caches compare these, not the texts. */
  id: number;
  /** The header's file-scope constants (`#define`, `constexpr`, file-scope `const`). */
  env: FoldEnv;
  root: Node;
  prepared: PreparedCuda;
  /** The header's `__global__` definitions by name (the first of a name). */
  spans: Map<string, KernelSpan>;
  /** The header's file-scope tile constants (TileParam.header set), in its order. */
  tileParams: TileParam[];
}

let nextId = 1;

/** Reads a header's constants and kernel definitions from its tree (`root`, of `prepared.parseText`). */
export function headerContext(name: string, root: Node, text: string, prepared: PreparedCuda): HeaderContext {
  const definitions = collectDefinitions(root, text, [], prepared.definitionTokens);
  const outline = outlineTopLevel(root);
  const file = fileScope(outline, text, definitions.env, null);
  const { spans } = kernelSpansOf(root, prepared.parseText, prepared.keywords, null, new Map(), root.hasError ? null : outline);
  const byName = new Map<string, KernelSpan>();
  for (const span of spans) {
    const kernel = kernelNameOf(span);
    if (kernel && !byName.has(kernel)) byName.set(kernel, span);
  }
  const tileParams = definitions.tileParams.map((p) => ({ ...p, header: name }));
  return { kind: 'cuda-header', name, text, id: nextId++, env: file.env, root, prepared, spans: byName, tileParams };
}

/** `own` (the including file's constants) over the headers' constants, the first header's first. */
function withHeaders(own: FoldEnv, headers: readonly HeaderContext[]): FoldEnv {
  if (headers.length === 0) return own;
  return {
    lookup(name: string): Binding | undefined {
      const binding = own.lookup(name);
      if (binding !== undefined) return binding;
      for (const header of headers) {
        const found = header.env.lookup(name);
        if (found !== undefined) return found;
      }
      return undefined;
    },
  };
}

/** The header (first in include order) that defines kernel `name`, if any. */
export function headerDefining(headers: readonly HeaderContext[], name: string): HeaderContext | null {
  return headers.find((h) => h.spans.has(name)) ?? null;
}

/** Template parameters of a header's kernel, for binding the file's launch arguments to them. */
export function headerTemplateParameters(header: HeaderContext, name: string): TemplateParameter[] | undefined {
  const span = header.spans.get(name);
  if (!span) return undefined;
  return span.isTemplate ? templateParametersOf(span.node) : [];
}

/**
 * Kernel `name` of `header`, read in the including file's environment (`fileEnv`: its constants over every
 * header's) with the template arguments the file's launches give it. Its KernelInfo carries `header`:
 * ranges are the header's offsets. Problems found while reading are the header's, not reported here.
 */
function readHeaderKernel(
  header: HeaderContext,
  name: string,
  fileEnv: FoldEnv,
  bindings: Map<string, { value: number | null; typeName: string | null }> | undefined,
): KernelDefinition | null {
  const span = header.spans.get(name);
  if (!span) return null;
  const { prepared } = header;
  const definition = readKernel(span, {
    root: header.root,
    text: header.text,
    parseText: prepared.parseText,
    keywords: prepared.keywords,
    forKeywords: prepared.forKeywords,
    fileEnv,
    problems: [],
    templateBindings: bindings ? new Map([[name, bindings]]) : new Map(),
    definitionTokens: prepared.definitionTokens,
  });
  if (!definition) return null;
  const { range } = definition.info;
  const offset = Math.max(0, Math.min(span.start, range.start) - HEAD_CHARS);
  return {
    ...definition,
    info: { ...definition.info, header: { name: header.name, text: header.text.slice(offset, range.end), offset } },
    batchedByGridZ: batchedByGridZ(span.node),
  };
}

/** withHeaders, kept in the cache while the file's constants and the headers are the same objects (scope reuse compares environments by identity). */
export function includedEnv(own: FoldEnv, headers: readonly HeaderContext[], cache: CudaAnalysisCache | null): FoldEnv {
  if (headers.length === 0) return own;
  const kept = cache?.included;
  if (kept && kept.own === own && kept.headers.length === headers.length && kept.headers.every((h, i) => h === headers[i])) return kept.env;
  const env = withHeaders(own, headers);
  if (cache) cache.included = { own, headers: [...headers], env };
  return env;
}

/**
 * Reads the kernels the file launches (`<<<...>>>`, or any header kernel when it calls cudaLaunchKernel) that
 * it does not define but a header does, adds them to `kernels` and returns their KernelInfos. Reused from the
 * cache while `environmentKey` (the file's and the headers' constants and texts) and the bindings are the same.
 */
export function headerKernels(
  headers: readonly HeaderContext[],
  prepared: PreparedCuda,
  text: string,
  kernels: Map<string, KernelDefinition>,
  context: KernelContext,
  fileEnv: FoldEnv,
  cache: CudaAnalysisCache | null,
  environmentKey: string,
): KernelInfo[] {
  const names = new Set<string>();
  for (const { open } of prepared.launches) {
    const name = readCallee(text, open)?.name;
    if (name && !kernels.has(name)) names.add(name);
  }
  if (LAUNCH_CALLS.some((call) => (prepared.callSites.get(call)?.length ?? 0) > 0))
    for (const header of headers) for (const name of header.spans.keys()) if (!kernels.has(name)) names.add(name);
  if (cache && cache.headerKernels?.environmentKey !== environmentKey) cache.headerKernels = { environmentKey, entries: new Map() };
  const entries = cache?.headerKernels?.entries ?? new Map<string, KernelDefinition | null>();
  const out: KernelInfo[] = [];
  for (const name of names) {
    const header = headerDefining(headers, name);
    if (!header) continue;
    const bindings = context.templateBindings.get(name);
    const key = `${name}\u0002${JSON.stringify(bindings ? [...bindings] : null)}`;
    let definition = entries.get(key);
    if (definition === undefined) {
      definition = readHeaderKernel(header, name, fileEnv, bindings);
      entries.set(key, definition);
    }
    if (!definition) continue;
    kernels.set(name, definition);
    out.push(definition.info);
  }
  return out;
}

/**
 * The headers' tile constants the file's launches can use (`used`): the first definition of each name over
 * all headers, without names the file defines itself (`own`), which win. Ranges are the header's offsets.
 */
export function headerTileParams(headers: readonly HeaderContext[], own: readonly TileParam[], used: ReadonlySet<string>): TileParam[] {
  const defined = new Set(own.map((p) => p.name));
  const out: TileParam[] = [];
  for (const header of headers) {
    for (const param of header.tileParams) {
      if (defined.has(param.name) || !used.has(param.name)) continue;
      defined.add(param.name);
      out.push(param);
    }
  }
  return out;
}

/** Identifiers of a GEMM kernel's definition, kept with its KernelInfo (cached kernels keep their object between edits). */
const kernelNames = new WeakMap<KernelInfo, Set<string>>();

/**
 * Names the file's GEMM launches can read a header constant through: the identifiers of their launch
 * configuration and template arguments, and of the GEMM kernels they launch. A header's other constants
 * cannot change a workload of this file; reading them all made a file that includes 16 headers with 6,228
 * tile constants take 130-170 ms to build its reports.
 */
export function namesUsedByLaunches(launches: readonly LaunchSite[], kernels: readonly KernelInfo[], text: string): Set<string> {
  const names = new Set<string>();
  const add = (source: string | undefined) => {
    if (source) for (const match of source.matchAll(/[A-Za-z_]\w*/g)) names.add(match[0]);
  };
  const byName = new Map(kernels.map((k) => [k.name, k]));
  for (const launch of launches) {
    add(launch.gridExpr?.text);
    add(launch.blockExpr?.text);
    add(launch.dynamicSharedMemBytes?.text);
    for (const arg of launch.templateArgs) add(arg.text);
    const kernel = byName.get(launch.kernel);
    if (!kernel || kernel.kind !== 'gemm') continue;
    let own = kernelNames.get(kernel);
    if (!own) {
      own = new Set(kernelText(text, kernel).match(/[A-Za-z_]\w*/g) ?? []);
      kernelNames.set(kernel, own);
    }
    for (const name of own) names.add(name);
  }
  return names;
}
