// Entry point of the CUDA analysis: turns a tree-sitter C++ tree of the prepared text plus the
// original text into a FileAnalysis (kernels, launches, tile parameters, cuBLAS calls, problems).
// Pure and total: it never throws on bad input; it returns what it could read and says what it could not.
import type { Node } from 'web-tree-sitter';
import { foldCText, type MapEnv } from '../folding';
import type { AnalysisOptions, FileAnalysis, KernelInfo, LaunchSite, Problem, TileParam } from '../types';
import { collectDefinitions, definitionShapes, type FileDefinitions } from './definitions';
import {
  kernelNameOf,
  readKernel,
  splitTopLevel,
  templateParametersOf,
  type KernelContext,
  type KernelDefinition,
  type KernelSpan,
  type TemplateParameter,
} from './kernels';
import { kernelNameAt, launchCallee, readLaunch } from './launches';
import { cutlassDeviceFacts } from './cutlass-default';
import { readSmemOptIns } from './func-attributes';
import { LAUNCH_CALLS, readLaunchKernelCalls } from './launch-kernel-call';
import { readLibraryCalls } from './library';
import { prepareCudaText, type Annotation, type PreparedCuda } from './prepare';
import { annotationFor, lineStarts, readAnnotation } from './problem-size';
import { addSpanEntry, createCudaAnalysisCache, findSpanEntry, shifted, type CudaAnalysisCache } from './cache';
import { fileScope, isOutlinedFunction, functionScopeAt, launchDependencies, outlineTopLevel, scopeAt, type ScopeCache } from './scopes';
import { headerDefining, headerKernels, headerTemplateParameters, headerTileParams, includedEnv, namesUsedByLaunches, type HeaderContext } from './headers';
import { carryStructure, kernelSpansOf, type KernelSite } from './structure';
import { findTensorHelpers, kernelHelpers } from './tensor-helpers';
import { withUserFunctions } from './user-functions';
import { ancestorOfType, errorItemRanges, errorNodes, inRanges, namedChildrenOf, rangeOf, syntaxErrors } from './syntax';

/** Files larger than this (UTF-16 code units, about 2 MB of ASCII) are not analysed at all. */
export const MAX_SOURCE_CHARS = 2_000_000;
/** At most this many syntax-error problems are listed per file; the rest are summarised. */
const MAX_SYNTAX_PROBLEMS = 5;

function emptyResult(problems: Problem[]): FileAnalysis {
  return { language: 'cuda', kernels: [], launches: [], tileParams: [], libraryCalls: [], problems };
}

/** Characters at the start of a file that looksBinary reads. */
const BINARY_SAMPLE = 65536;

/** More than 1% NUL or C0 control characters (other than tab/newline/CR/FF) means a binary file. */
function looksBinary(text: string): boolean {
  const sample = text.length > BINARY_SAMPLE ? text.slice(0, BINARY_SAMPLE) : text;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) control++;
  }
  return sample.length > 0 && control / sample.length > 0.01;
}

/**
 * Analyses CUDA source. `root` is the tree of `prepareCudaText(text).parseText`. With a `cache` (kept by
 * the caller between edits of one document) unchanged kernels and launches are reused.
 */
export function analyzeCuda(
  root: Node,
  text: string,
  options: AnalysisOptions,
  cache?: CudaAnalysisCache,
  prepared?: PreparedCuda,
  headers: readonly HeaderContext[] = [],
): FileAnalysis {
  if (text.length > MAX_SOURCE_CHARS) {
    return emptyResult([
      { range: { start: 0, end: 0 }, message: `file is larger than ${MAX_SOURCE_CHARS} characters; TileCast does not analyse it`, severity: 'warning' },
    ]);
  }
  // The last analysed text was not binary; when the edits since start past the sample, neither is this one.
  const sampleUnchanged =
    cache?.change && cache.change.source === cache.lastText && cache.change.start >= BINARY_SAMPLE && cache.change.source.length > BINARY_SAMPLE;
  if (!sampleUnchanged && looksBinary(text)) {
    return emptyResult([{ range: { start: 0, end: 0 }, message: 'binary file (control characters found); nothing was analysed', severity: 'warning' }]);
  }
  const problems: Problem[] = [];
  try {
    return analyzeChecked(
      root,
      text,
      options,
      problems,
      cache ?? null,
      prepared && prepared.parseText.length === text.length ? prepared : prepareCudaText(text),
      headers,
    );
  } catch (error) {
    // A bug here must not take the editor down: report it and return nothing rather than throw.
    problems.push({ range: { start: 0, end: 0 }, message: `internal error in CUDA analysis: ${String(error).slice(0, 200)}`, severity: 'error' });
    return emptyResult(problems);
  }
}

function analyzeChecked(
  root: Node,
  text: string,
  options: AnalysisOptions,
  problems: Problem[],
  cache: CudaAnalysisCache | null,
  prepared: PreparedCuda,
  headers: readonly HeaderContext[],
): FileAnalysis {
  const { parseText } = prepared;
  if (text.includes('\uFFFD')) {
    const at = text.indexOf('\uFFFD');
    problems.push({
      range: { start: at, end: at + 1 },
      message: 'the file is not valid UTF-8 (replacement characters found); analysis may be incomplete',
      severity: 'warning',
    });
  }
  for (const open of prepared.unmatchedLaunches) {
    problems.push({ range: { start: open, end: open + 3 }, message: 'kernel launch `<<<` without a matching `>>>`', severity: 'error' });
  }
  const syntax = syntaxErrors(root, MAX_SYNTAX_PROBLEMS);
  for (const error of syntax.errors) {
    // `DEFINE_KERNEL(name)` at file scope is a macro use, not a statement missing its `;`.
    if (error.missing === ';') {
      const lineStart = text.lastIndexOf('\n', error.range.start - 1) + 1;
      if (/^\s*[A-Z_][A-Z0-9_]*\s*\(/.test(text.slice(lineStart, error.range.start + 1))) continue;
    }
    const message = error.missing
      ? `syntax error: missing ${error.missing}; the analysis may be incomplete here`
      : 'syntax error: the analysis may be incomplete here';
    // A missing token has no width; widen it to the next character so editors can show it.
    const range = error.range.end > error.range.start ? error.range : { start: error.range.start, end: Math.min(text.length, error.range.start + 1) };
    problems.push({ range, message, severity: 'warning' });
  }
  for (const skipped of prepared.skippedBodies ?? []) {
    const range = skipped.error.end > skipped.error.start ? skipped.error : { start: skipped.error.start, end: Math.min(text.length, skipped.error.start + 1) };
    problems.push({
      range,
      message: 'syntax error: this function could not be read past here; its body was skipped so that the rest of the file is analysed',
      severity: 'warning',
    });
  }
  if (syntax.total > syntax.errors.length) {
    problems.push({
      range: syntax.errors[syntax.errors.length - 1]!.range,
      message: `${syntax.total - syntax.errors.length} more syntax errors not listed`,
      severity: 'warning',
    });
  }

  const definitions = cachedDefinitions(root, text, problems, prepared, cache);
  // Read from the tree on every analysis, not cached with the definitions: an edit elsewhere (a brace) can
  // move a definition whose text is unchanged in or out of a function. Macros are textual, never local.
  const tileParams: TileParam[] = definitions.tileParams.map((param) =>
    param.origin !== 'define' && ancestorOfType(root.descendantForIndex(param.valueRange.start), ['function_definition'], 256)
      ? { ...param, local: true }
      : param,
  );
  // Edits since the last analysis (from the document): entries outside them are reused without comparing text.
  const change = cache?.change && cache.change.source === cache.lastText ? cache.change : null;
  // The file's layout (function ranges, kernel definitions), carried over when the edit stayed inside one function.
  const carried = carryStructure(cache?.structure ?? null, change, (start, end) => isOutlinedFunction(root, start, end));
  const firstOutline = carried ? null : outlineTopLevel(root);
  // The constants of the file and its headers, then its functions that fold at a call (user-functions.ts).
  const ranges = (firstOutline ?? carried!).functionRanges;
  const userFunctions = withUserFunctions(includedEnv(definitions.env, headers, cache), root, text, ranges, cache);
  const fileEnv = userFunctions.env;
  const kernelContext: KernelContext = {
    root,
    text,
    parseText,
    keywords: prepared.keywords,
    forKeywords: prepared.forKeywords,
    fileEnv,
    problems,
    templateBindings: new Map(),
    definitionTokens: prepared.definitionTokens,
  };
  // Carried over, the file-scope declarations lie outside the edited function: same text, so the same scope over the same constants.
  const outline = firstOutline ?? (cache?.fileScope?.fileEnv === fileEnv ? null : outlineTopLevel(root));
  const kernelSites = new Map<number, KernelSite>();
  const { spans: kernelSpans, inMacros } = kernelSpansOf(root, parseText, prepared.keywords, carried, kernelSites, root.hasError ? null : outline);
  for (const keyword of inMacros) {
    problems.push({
      range: { start: keyword.start, end: keyword.end },
      message: 'kernel defined inside a macro: not analysed (expand the macro to analyse it)',
      severity: 'info',
    });
  }

  // Template parameters of each kernel, to bind the arguments seen at launches and instantiations.
  const kernelSpansByName = new Map<string, KernelSpan>();
  const kernelNames = kernelSpans.map((span) => (span.site.name !== undefined ? span.site.name : (span.site.name = kernelNameOf(span))));
  kernelSpans.forEach((span, i) => {
    const name = kernelNames[i];
    if (name && !kernelSpansByName.has(name)) kernelSpansByName.set(name, span);
  });
  // Read lazily: only kernels that are instantiated somewhere need their template parameter list.
  const nextTemplateParameters = new Map<string, TemplateParameter[]>();
  const templateParamsMemo = new Map<string, Array<{ name: string; kind: 'type' | 'value' }> | undefined>();
  const templateParamsByKernel = {
    get(name: string): Array<{ name: string; kind: 'type' | 'value' }> | undefined {
      if (!templateParamsMemo.has(name)) {
        const span = kernelSpansByName.get(name);
        const header = span ? null : headerDefining(headers, name);
        templateParamsMemo.set(
          name,
          span ? cachedTemplateParameters(span, parseText, cache, nextTemplateParameters) : header ? headerTemplateParameters(header, name) : undefined,
        );
      }
      return templateParamsMemo.get(name);
    },
  };
  const file = outline ? fileScope(outline, text, fileEnv, cache?.fileScope) : cache!.fileScope!;
  const functionRanges = outline?.functionRanges ?? carried!.functionRanges;
  kernelContext.tensorHelpers = findTensorHelpers(root, text, prepared, functionRanges);
  if (cache) {
    cache.fileScope = file;
    cache.structure = { source: text, functionRanges, kernelSites };
  }
  const scopes: ScopeCache = { root, text, file, byFunction: new Map(), byFunctionLocal: new Map(), callSites: prepared.callSites, functionRanges };
  // The constants' text can be long: compare it once with the previous analysis and key entries on a
  // small generation number instead of repeating the text in every key.
  const environmentText = `${definitions.signature}\u0002${file.signature}\u0004${userFunctions.signature}${headers.map((h) => `\u0003${h.id}`).join('')}`;
  let environmentKey = '0';
  if (cache) {
    if (cache.environment?.text !== environmentText) cache.environment = { text: environmentText, generation: (cache.environment?.generation ?? 0) + 1 };
    environmentKey = String(cache.environment.generation);
  }
  const nextCache = createCudaAnalysisCache();
  collectTemplateArguments(root, text, prepared.launches, templateParamsByKernel, kernelContext, scopes, tileParams, prepared.definitionTokens);

  const kernels = new Map<string, KernelDefinition>();
  const kernelList = [];
  for (const [index, span] of kernelSpans.entries()) {
    const { start } = span;
    const bindings = kernelContext.templateBindings.get(kernelNames[index] ?? '');
    const key = `${environmentKey}\u0002${kernelNames[index] ?? ''}\u0002${JSON.stringify(bindings ? [...bindings] : null)}`;
    // The kernel reads the keywords from its `__global__` on (readKernel: `__launch_bounds__` before the definition), and its tensor-core helpers.
    const spans = [Math.min(start, span.keywordStart), span.definitionEnd, ...kernelHelpers(kernelContext.tensorHelpers, span).spans];
    const hit = findSpanEntry(cache?.kernels, key, text, spans, change);
    let kernel: KernelDefinition | null;
    if (hit) {
      kernel = start === hit.start ? hit.value : { ...shifted(hit.value, start - hit.start), start };
      addSpanEntry(nextCache.kernels, { key, value: kernel, start, source: text, spans });
    } else {
      const problemCount = problems.length;
      kernel = readKernel(span, kernelContext);
      if (kernel && problems.length === problemCount) addSpanEntry(nextCache.kernels, { key, value: kernel, start, source: text, spans });
    }
    if (!kernel) continue;
    kernelList.push(kernel.info);
    if (!kernels.has(kernel.info.name)) kernels.set(kernel.info.name, kernel);
  }

  // Kernels the file launches but only an included header defines.
  const fromHeaders = headers.length > 0 ? headerKernels(headers, prepared, text, kernels, kernelContext, file.env, cache, environmentKey) : [];

  // Annotations: on/above a launch, above a kernel, or anywhere else (file level).
  const starts = lineStarts(text);
  const kernelAnnotations = new Map<string, Annotation>();
  const attached = new Set<Annotation>();
  for (const kernel of kernelList) {
    const annotation = annotationFor(text, starts, prepared.annotations, kernel.range.start, kernel.nameRange.end);
    if (annotation) {
      if (!kernelAnnotations.has(kernel.name)) kernelAnnotations.set(kernel.name, annotation);
      attached.add(annotation);
    }
  }
  for (const chevrons of prepared.launches) {
    const annotation = annotationFor(text, starts, prepared.annotations, chevrons.open, chevrons.close);
    if (annotation) attached.add(annotation);
  }
  const fileAnnotation = prepared.annotations.find((a) => !attached.has(a)) ?? null;
  for (const annotation of prepared.annotations) {
    // Read once here so bad keys/values are reported once, at the annotation.
    readAnnotation(annotation, problems);
  }

  const launches = [];
  const launchContext = { text, scopes, kernels, annotations: prepared.annotations, kernelAnnotations, fileAnnotation, lineStarts: starts, options, problems };
  const optionsKey = JSON.stringify(options);
  for (const chevrons of prepared.launches) {
    // A launch depends on its function (and unique caller), the constants, the kernel (parameters,
    // dtype, kind, body), the annotation that applies, and the options: all part of the key, as text.
    const dependencies = launchDependencies(scopes, chevrons.open);
    // The kernel it names, read once: for the key here and for readLaunch on a miss.
    const named = launchCallee(chevrons.open, launchContext);
    let key: string | null = null;
    let spans: number[] = [];
    if (dependencies !== null) {
      const { written, callee: calleeRead } = named;
      const callee = calleeRead?.name ?? '';
      const kernel = kernels.get(callee);
      const annotation = annotationFor(text, starts, prepared.annotations, chevrons.open, chevrons.close) ?? kernelAnnotations.get(callee) ?? fileAnnotation;
      key = [
        environmentKey,
        dependencies.key,
        optionsKey,
        annotation ? memoJson(annotation.fields, () => annotation.fields) : 'null',
        kernel ? (kernel.launchKey ??= JSON.stringify([kernel.info.parameters.map((p) => p.name), kernel.info.dtype, kernel.info.kind])) : 'null',
      ].join('\u0002');
      // The kernel's body decides whether grid × block gives M and N (launches.ts, sizesFromGrid).
      spans = kernel && !kernel.info.header ? [...dependencies.spans, kernel.info.range.start, kernel.info.range.end] : dependencies.spans;
      // The launch's own text, from its callee to the end of its arguments: in a broken file it can
      // reach past the function the tree gives it (found by the fuzz test).
      spans = [...spans, written?.nameRange.start ?? chevrons.open, launchTextEnd(text, chevrons.close)];
    }
    const hit = key !== null ? findSpanEntry(cache?.launches, key, text, spans, change) : undefined;
    if (hit && key !== null) {
      const launch = shifted(hit.value, chevrons.open - hit.start);
      launches.push(launch);
      addSpanEntry(nextCache.launches, { key, value: launch, start: chevrons.open, source: text, spans });
      continue;
    }
    const problemCount = problems.length;
    const launch = readLaunch(chevrons, launchContext, named);
    if (!launch) continue;
    launches.push(launch);
    if (key !== null && problems.length === problemCount) addSpanEntry(nextCache.launches, { key, value: launch, start: chevrons.open, source: text, spans });
  }
  // Launches written as cudaLaunchKernel(...) calls (not cached: few per file), in text order with the others.
  const calls = LAUNCH_CALLS.flatMap((name) => readLaunchKernelCalls(prepared.callSites.get(name) ?? [], launchContext));
  if (calls.length > 0) {
    launches.push(...calls);
    launches.sort((a, b) => a.range.start - b.range.start);
  }
  tileParams.push(...launcherTemplateParams(launches, scopes));
  const libraryCalls = readLibraryCalls(prepared.cublasIdentifiers, text, scopes, problems);
  if (cache) {
    cache.kernels = nextCache.kernels;
    cache.launches = nextCache.launches;
    cache.lastText = text;
    cache.templateParameters = nextTemplateParameters;
    cache.change = null;
  }

  // Kernels opted in to more dynamic shared memory (cudaFuncSetAttribute): new objects, the cached ones stay as read.
  const optIns = readSmemOptIns(prepared.callSites.get('cudaFuncSetAttribute') ?? [], text, scopes, (name, at) => kernelNameAt(name, at, launchContext));
  const withOptIn = (k: KernelInfo): KernelInfo => {
    const optIn = optIns.get(k.name);
    return optIn ? { ...k, dynamicSmemOptInBytes: optIn.bytes, dynamicSmemOptInLiteral: optIn.literal } : k;
  };
  const kernelsOut = optIns.size === 0 ? kernelList : kernelList.map(withOptIn);
  // A CUTLASS device GEMM's element type, sizes and default tile (its stand-in launch in the editor has no kernel to read them from).
  const cutlass = cutlassDeviceFacts(root, text, prepared.regions, scopes, tileParams);
  const launched = new Set(launches.map((l) => l.kernel));
  const headerParams =
    headers.length > 0 ? headerTileParams(headers, definitions.tileParams, namesUsedByLaunches(launches, [...kernelList, ...fromHeaders], text)) : [];
  const includedKernels = fromHeaders.filter((k) => launched.has(k.name)).map(withOptIn);
  return {
    language: 'cuda',
    kernels: kernelsOut,
    ...(includedKernels.length > 0 ? { includedKernels } : {}),
    ...(headerParams.length > 0 ? { includedTileParams: headerParams } : {}),
    launches,
    tileParams,
    libraryCalls,
    problems: dedupe(problems),
    ...cutlass,
  };
}

/**
 * collectDefinitions, or the previous result when every definition's text is unchanged: tile
 * parameters then move with their definition. Results that produced problems are not reused.
 */
function cachedDefinitions(root: Node, text: string, problems: Problem[], prepared: PreparedCuda, cache: CudaAnalysisCache | null): FileDefinitions {
  const tokens = prepared.definitionTokens;
  // The definitions' text and how the tree reads it (definitionShapes): both must be unchanged to reuse.
  const signature = `${tokens.map((t) => text.slice(t.from, t.end)).join('\u0001')}\u0002${definitionShapes(root, tokens)}`;
  // In a top-level item with a syntax error the same text can land in an ERROR node (not a
  // definition): reuse only when every definition lies outside such items, now and before.
  // Bodies blanked after a runaway error (error-containment.ts) count as items with errors too.
  const errorItems = root.hasError ? errorItemRanges(errorNodes(root, 100_000)) : [];
  for (const skipped of prepared.skippedBodies ?? []) errorItems.push(skipped.start, skipped.end);
  if (prepared.skippedBodies?.length) sortPairs(errorItems);
  const clearOfErrors = errorItems.length === 0 || tokens.every((t) => !inRanges(errorItems, t.start) && !inRanges(errorItems, Math.max(t.start, t.end - 1)));
  const previous = clearOfErrors ? cache?.definitions : null;
  if (previous && previous.signature === signature) {
    const starts = tokens.map((t) => t.start);
    const tileParams = previous.result.tileParams.map((param, i) => {
      const snippet = previous.snippetOfTileParam[i]!;
      return shifted(param, snippet >= 0 ? starts[snippet]! - previous.snippetStarts[snippet]! : 0);
    });
    return { ...previous.result, tileParams };
  }
  const problemCount = problems.length;
  const result = collectDefinitions(root, text, problems, tokens);
  if (cache) {
    cache.definitions = null;
    const snippetOfTileParam = result.tileParams.map((param) => tokens.findIndex((t) => t.from <= param.valueRange.start && param.valueRange.end <= t.end));
    // Reuse needs every tile parameter inside a known snippet and no problems to re-anchor.
    if (clearOfErrors && problems.length === problemCount && snippetOfTileParam.every((index) => index >= 0)) {
      cache.definitions = { signature, snippetStarts: tokens.map((t) => t.start), result, snippetOfTileParam };
    }
  }
  return result;
}

/** Where readLaunch stops reading a launch: after its argument list `(...)` (or at a `;` in it), plus one character. */
function launchTextEnd(text: string, close: number): number {
  let i = close + 3;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  if (text[i] !== '(') return Math.min(text.length, i + 1);
  let level = 0;
  for (let j = i; j < text.length && j - i < 200000; j++) {
    const c = text[j];
    if (c === '(') level++;
    else if ((c === ')' && --level === 0) || (c === ';' && level <= 1)) return Math.min(text.length, j + 2);
  }
  return text.length;
}

/** Sorts [start, end) pairs by start and merges overlapping ones, in place (inRanges needs them disjoint). */
function sortPairs(pairs: number[]): void {
  const list: Array<[number, number]> = [];
  for (let i = 0; i < pairs.length; i += 2) list.push([pairs[i]!, pairs[i + 1]!]);
  list.sort((a, b) => a[0] - b[0]);
  pairs.length = 0;
  for (const [start, end] of list) {
    const last = pairs.length - 1;
    if (last > 0 && start <= pairs[last]!) pairs[last] = Math.max(pairs[last]!, end);
    else pairs.push(start, end);
  }
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.range.start}:${p.range.end}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Template arguments at launches (`mm<64, 64, 8><<<...>>>`) and explicit instantiations
 * (`template __global__ void mm<64, 64, 8>(...)`): tile parameters of origin 'template-arg', and
 * bindings for the kernel's template parameters when every use agrees on a value.
 */
function collectTemplateArguments(
  root: Node,
  text: string,
  launches: Array<{ open: number; close: number }>,
  templateParams: { get(name: string): Array<{ name: string; kind: 'type' | 'value' }> | undefined },
  context: KernelContext,
  scopes: ScopeCache,
  tileParams: TileParam[],
  definitionTokens: PreparedCuda['definitionTokens'],
): void {
  const uses: Array<{ kernel: string; args: Array<{ text: string; start: number; end: number }>; range: { start: number; end: number }; env: () => MapEnv }> =
    [];
  for (const { open } of launches) {
    let end = open;
    while (end > 0 && /\s/.test(text[end - 1]!)) end--;
    if (text[end - 1] !== '>') continue;
    let level = 0;
    let i = end - 1;
    for (; i >= 0 && end - i < 2000; i--) {
      if (text[i] === '>') level++;
      else if (text[i] === '<' && --level === 0) break;
      else if (text[i] === ';' || text[i] === '{' || text[i] === '}') {
        i = -1;
        break;
      }
    }
    if (i < 0) continue;
    const name = identifierBefore(text, i, 200);
    if (!name) continue;
    const inner = text.slice(i + 1, end - 1).replace(/<[^<>]*>/g, (m) => '('.padEnd(m.length - 1, ' ') + ')');
    const args = splitTopLevel(inner, i + 1).map((p) => ({ ...p, text: text.slice(p.start, p.end) }));
    uses.push({ kernel: name, args, range: { start: i - name.length, end }, env: () => scopeAtEnv(scopes, open) });
  }
  const instantiations = definitionTokens
    .filter((token) => token.token === 'template')
    .map((token) => ancestorOfType(root.descendantForIndex(token.start, token.start + 1), ['template_instantiation'], 2))
    .filter((node): node is Node => node !== null);
  for (const node of instantiations) {
    const declarator = node.childForFieldName('declarator');
    const fn = declarator?.type === 'function_declarator' ? declarator.childForFieldName('declarator') : null;
    if (!fn || fn.type !== 'template_function') continue;
    const name = fn.childForFieldName('name')?.text;
    const argList = fn.childForFieldName('arguments');
    if (!name || !argList) continue;
    const args = namedChildrenOf(argList).map((a) => ({ text: text.slice(a.startIndex, a.endIndex), start: a.startIndex, end: a.endIndex }));
    uses.push({ kernel: name, args, range: rangeOf(node), env: () => scopes.file.env });
  }
  const seen = new Map<string, Map<string, { value: number | null; typeName: string | null; conflict: boolean }>>();
  for (const use of uses) {
    const params = templateParams.get(use.kernel);
    if (!params) continue;
    const bindings = seen.get(use.kernel) ?? new Map();
    seen.set(use.kernel, bindings);
    params.forEach((param, index) => {
      const arg = use.args[index];
      if (!arg) return;
      if (param.kind === 'type') {
        const previous = bindings.get(param.name);
        if (previous && previous.typeName !== arg.text) previous.conflict = true;
        else if (!previous) bindings.set(param.name, { value: null, typeName: arg.text, conflict: false });
        return;
      }
      const value = foldValue(arg, use.env, context.problems);
      tileParams.push({ name: param.name, value, valueRange: { start: arg.start, end: arg.end }, range: use.range, origin: 'template-arg' });
      const previous = bindings.get(param.name);
      if (previous && previous.value !== value) previous.conflict = true;
      else if (!previous) bindings.set(param.name, { value, typeName: null, conflict: false });
    });
  }
  for (const [kernel, bindings] of seen) {
    const clean = new Map<string, { value: number | null; typeName: string | null }>();
    for (const [name, binding] of bindings) if (!binding.conflict) clean.set(name, { value: binding.value, typeName: binding.typeName });
    context.templateBindings.set(kernel, clean);
  }
}

/**
 * Tile parameters set at a templated launcher's call (`launch_tiled<16, 32>(...)`): a launch inside it whose
 * template argument is one of the launcher's template parameters by name (`tiled<BM, BN, BK>`) takes the
 * number written at the call, and a code action rewrites that number (the launcher's grid follows).
 */
function launcherTemplateParams(launches: readonly LaunchSite[], scopes: ScopeCache): TileParam[] {
  const out: TileParam[] = [];
  const seen = new Set<string>();
  for (const launch of launches) {
    // Only a name can be the launcher's template parameter (`tiled<BM, BN>`): launches with numbers alone
    // skip the function scope, which costs a walk of the function on every analysis (the launch cache
    // would otherwise spare it): 7.9 of 12 s over 80 edits of the 2 MB bench file went there.
    if (!launch.templateArgs.some((arg) => /^[A-Za-z_]\w*$/.test(arg.text.trim()))) continue;
    // The launcher's template arguments are the same in all its blocks: no block scoping needed.
    const scope = functionScopeAt(scopes, launch.range.start);
    if (!scope.templateArgSources || !scope.functionRange) continue;
    for (const arg of launch.templateArgs) {
      const name = arg.text.trim();
      const source = scope.templateArgSources.get(name);
      const key = `${name}@${source?.range.start}`;
      if (!source || seen.has(key)) continue;
      seen.add(key);
      out.push({
        name,
        value: source.value,
        valueRange: { ...source.range },
        range: { ...source.range },
        origin: 'launcher-template-arg',
        within: { ...scope.functionRange },
      });
    }
  }
  return out;
}

function scopeAtEnv(scopes: ScopeCache, offset: number): MapEnv {
  return scopeAt(scopes, offset).env;
}
function foldValue(arg: { text: string; start: number }, env: () => MapEnv, problems: Problem[]): number | null {
  // Plain integer arguments (the common `mm<64, 64, 8>`) need no scope: skip building one.
  if (/^\d+$/.test(arg.text)) return Number(arg.text);
  return foldCText(arg.text, arg.start, env(), problems).value;
}

/** The identifier right before `end` (spaces between allowed), looking back at most `window` characters. */
function identifierBefore(text: string, end: number, window: number): string | undefined {
  const limit = Math.max(0, end - window);
  let nameEnd = end;
  while (nameEnd > limit && /\s/.test(text[nameEnd - 1]!)) nameEnd--;
  let start = nameEnd;
  while (start > limit && /\w/.test(text[start - 1]!)) start--;
  while (start < nameEnd && /[0-9]/.test(text[start]!)) start++;
  return start < nameEnd ? text.slice(start, nameEnd) : undefined;
}

/** templateParametersOf, reused by the text of the `template <...>` header (a few node reads instead of a walk). */
function cachedTemplateParameters(
  span: KernelSpan,
  parseText: string,
  cache: CudaAnalysisCache | null,
  next: Map<string, TemplateParameter[]>,
): TemplateParameter[] {
  if (!span.isTemplate) return [];
  const header = parseText.slice(span.start, span.definitionStart);
  const known = next.get(header) ?? cache?.templateParameters.get(header);
  const params = known ?? templateParametersOf(span.node);
  next.set(header, params);
  return params;
}

/** JSON of a part of a launch key, once per object (annotation fields, which incremental preparation keeps when it moves an annotation, outlive one analysis). */
const jsonMemo = new WeakMap<object, string>();
function memoJson(owner: object, value: () => unknown): string {
  let json = jsonMemo.get(owner);
  if (json === undefined) {
    json = JSON.stringify(value());
    jsonMemo.set(owner, json);
  }
  return json;
}
