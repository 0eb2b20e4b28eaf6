// Results of the previous CUDA analysis of a document, reused for kernels and launches whose text and
// dependencies did not change (keys are texts, never offsets), shifted to their new offsets. Plain
// data; the owner (SourceDocument) keeps one per document. Entries that produced problems are not kept.
import type { LaunchSite } from '../types';
import type { FoldEnv } from '../folding';
import type { HeaderContext } from './headers';
import type { FileDefinitions } from './definitions';
import type { KernelDefinition, TemplateParameter } from './kernels';
import type { UserFunctions } from './user-functions';
import type { FileScope } from './scopes';
import type { FileStructure } from './structure';

/**
 * Results filed under a small key (lengths, relative offsets, small JSON); an entry applies when the
 * text of each of its spans equals the text of the same spans now. Comparing slices is a memory
 * compare, much cheaper than hashing whole functions into string keys on every analysis; after an
 * edit the document recorded, entries are found by their old offset and need no compare at all.
 */
export interface SpanCache<T> {
  byKey: Map<string, Array<SpanEntry<T>>>;
  /** The same entries by the start of their first span. */
  byStart: Map<number, Array<SpanEntry<T>>>;
}
export interface SpanEntry<T> {
  key: string;
  value: T;
  /** Offset the value's ranges are relative to (a kernel's start, a launch's `<<<`). */
  start: number;
  /** The text the spans were read from (always the text of the analysis that filed the entry). */
  source: string;
  /** [start, end) pairs, flattened; at least one pair. */
  spans: number[];
}

export function createSpanCache<T>(): SpanCache<T> {
  return { byKey: new Map(), byStart: new Map() };
}

/**
 * What changed since the last analysis: in `source` (that analysis's text) [start, oldEnd) became
 * [start, newEnd). Text outside it is equal, moved by newEnd - oldEnd after it.
 */
export interface TextChange {
  source: string;
  start: number;
  oldEnd: number;
  newEnd: number;
  /**
   * After a single edit parsed incrementally: tree-sitter's changed ranges ([start, end) pairs in the
   * new text, flattened). Undefined when unknown (several edits merged, or a fresh parse).
   */
  treeChanges?: number[];
}

/** Where the span [a, b) of the changed text's source is now, or null when the change touches it. */
function mappedSpan(change: TextChange, a: number, b: number): [number, number] | null {
  if (b <= change.start) return [a, b];
  if (a >= change.oldEnd) return [a + change.newEnd - change.oldEnd, b + change.newEnd - change.oldEnd];
  return null;
}

export function findSpanEntry<T>(
  cache: SpanCache<T> | undefined,
  key: string,
  text: string,
  spans: number[],
  change: TextChange | null = null,
): SpanEntry<T> | undefined {
  if (!cache) return undefined;
  if (change) {
    // Spans the change did not touch, now at the requested offsets: equal text without comparing it.
    const first = spans[0]!;
    const delta = change.newEnd - change.oldEnd;
    const oldStart = first < change.start ? first : first >= change.newEnd ? first - delta : -1;
    for (const entry of cache.byStart.get(oldStart) ?? []) {
      if (entry.key !== key || entry.source !== change.source || entry.spans.length !== spans.length) continue;
      let moved = true;
      for (let i = 0; i < spans.length && moved; i += 2) {
        const now = mappedSpan(change, entry.spans[i]!, entry.spans[i + 1]!);
        moved = now !== null && now[0] === spans[i] && now[1] === spans[i + 1];
      }
      if (moved) return entry;
    }
  }
  outer: for (const entry of cache.byKey.get(key) ?? []) {
    if (entry.spans.length !== spans.length) continue;
    for (let i = 0; i < spans.length; i += 2) {
      if (entry.spans[i + 1]! - entry.spans[i]! !== spans[i + 1]! - spans[i]!) continue outer;
      if (entry.source.slice(entry.spans[i], entry.spans[i + 1]) !== text.slice(spans[i], spans[i + 1])) continue outer;
    }
    return entry;
  }
  return undefined;
}

export function addSpanEntry<T>(cache: SpanCache<T>, entry: SpanEntry<T>): void {
  const add = <K>(map: Map<K, Array<SpanEntry<T>>>, at: K) => {
    const entries = map.get(at);
    if (entries) entries.push(entry);
    else map.set(at, [entry]);
  };
  add(cache.byKey, entry.key);
  add(cache.byStart, entry.spans[0]!);
}

export interface CudaAnalysisCache {
  kernels: SpanCache<KernelDefinition>;
  launches: SpanCache<LaunchSite>;
  /** File constants, reused while the text of every definition is unchanged (offsets may move). */
  definitions: { signature: string; snippetStarts: number[]; result: FileDefinitions; snippetOfTileParam: number[] } | null;
  /** Text of the file's constants and file-scope declarations, and a number that changes with it. */
  environment: { text: string; generation: number } | null;
  /** The text of the analysis that filed the entries, and the edits since (recorded by the document). */
  lastText: string | null;
  change: TextChange | null;
  /** File-scope declarations of the last analysis (scopes.ts fileScope). */
  fileScope: FileScope | null;
  /** Template parameter lists by the text of their `template <...>` header. */
  templateParameters: Map<string, TemplateParameter[]>;
  /** Function ranges and kernel sites of the last analysis (structure.ts), null after a tree with errors. */
  structure: FileStructure | null;
  /** The file's constants over its headers' (headers.ts includedEnv), kept while both are the same objects. */
  included?: { own: FoldEnv; headers: HeaderContext[]; env: FoldEnv };
  /** Kernels read from included headers, by name and template bindings, for one environment (headers.ts headerKernels). */
  headerKernels?: { environmentKey: string; entries: Map<string, KernelDefinition | null> };
  /** The file's single-`return` functions over `included`'s environment (user-functions.ts), kept while they read the same. */
  userFunctions?: UserFunctions;
}

export function createCudaAnalysisCache(): CudaAnalysisCache {
  return {
    kernels: createSpanCache(),
    launches: createSpanCache(),
    definitions: null,
    environment: null,
    lastText: null,
    change: null,
    fileScope: null,
    templateParameters: new Map(),
    structure: null,
  };
}

/**
 * Records an edit of `previous` (the document's text before it): [start, oldEnd) became [start, newEnd).
 * Successive edits before the next analysis merge into one change of the last analysed text.
 */
export function recordChange(cache: CudaAnalysisCache, previous: string, start: number, oldEnd: number, newEnd: number): void {
  if (cache.lastText === null) return;
  const pending = cache.change;
  if (!pending) {
    cache.change = previous === cache.lastText ? { source: previous, start, oldEnd, newEnd } : null;
    return;
  }
  // The pending change's region in `previous` is [pending.start, pending.newEnd); widen it by this edit.
  const from = Math.min(pending.start, start);
  const to = Math.max(pending.newEnd, oldEnd);
  cache.change = { source: pending.source, start: from, oldEnd: to - (pending.newEnd - pending.oldEnd), newEnd: to + (newEnd - oldEnd) };
}

/**
 * Records tree-sitter's changed ranges for the edit just recorded, when it is the only one since the
 * last analysis (merged edits would need their ranges mapped through each other: not worth it).
 */
export function recordTreeChanges(cache: CudaAnalysisCache, ranges: number[], singleEdit: boolean): void {
  if (cache.change && singleEdit) cache.change.treeChanges = ranges;
}

/**
 * Plain data with every `{ start, end }` range moved by `delta`: a deep copy, except that `delta` 0
 * returns `value` itself (results are plain data that nothing mutates once returned).
 */
export function shifted<T>(value: T, delta: number): T {
  return delta === 0 ? value : shiftedCopy(value, delta);
}

function shiftedCopy<T>(value: T, delta: number): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = new Array(value.length);
    for (let i = 0; i < value.length; i++) items[i] = shiftedCopy(value[i], delta);
    return items as T;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 2 && typeof record.start === 'number' && typeof record.end === 'number') {
    return { start: record.start + delta, end: record.end + delta } as T;
  }
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    const item = record[key];
    copy[key] = item === null || typeof item !== 'object' ? item : shiftedCopy(item, delta);
  }
  return copy as T;
}
