// Results of the previous CUDA analysis of a document, reused for kernels and launches whose text and
// dependencies did not change (keys are texts, never offsets), shifted to their new offsets. Plain
// data; the owner (SourceDocument) keeps one per document. Entries that produced problems are not kept.
import type { LaunchSite } from '../types';
import type { FileDefinitions } from './definitions';
import type { KernelDefinition } from './kernels';

export interface CudaAnalysisCache {
  kernels: Map<string, { definition: KernelDefinition; start: number }>;
  launches: Map<string, { launch: LaunchSite; start: number }>;
  /** File constants, reused while the text of every definition is unchanged (offsets may move). */
  definitions: { signature: string; snippetStarts: number[]; result: FileDefinitions; snippetOfTileParam: number[] } | null;
  /** Text of the file's constants and file-scope declarations, and a number that changes with it. */
  environment: { text: string; generation: number } | null;
}

export function createCudaAnalysisCache(): CudaAnalysisCache {
  return { kernels: new Map(), launches: new Map(), definitions: null, environment: null };
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
