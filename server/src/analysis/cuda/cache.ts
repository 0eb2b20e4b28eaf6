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

/** Deep copy of plain data with every `{ start, end }` range moved by `delta`. */
export function shifted<T>(value: T, delta: number): T {
  if (Array.isArray(value)) return value.map((item) => shifted(item, delta)) as T;
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 2 && typeof record.start === 'number' && typeof record.end === 'number') {
    return { start: record.start + delta, end: record.end + delta } as T;
  }
  const copy: Record<string, unknown> = {};
  for (const key of keys) copy[key] = shifted(record[key], delta);
  return copy as T;
}
