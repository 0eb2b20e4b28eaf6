// Decides M, N, K, batch and dtype for a launch or library call: from code where it folds, else
// from a `// tilecast: M=.. N=.. K=.. dtype=..` annotation, else from the configured default, and
// says which names were assumed. Pure; never invents a value without listing it in `assumed`.
import type { AnalysisOptions, Dtype, ProblemSize, Problem } from '../types';
import type { Annotation } from './prepare';
import { firstAtOrAfter } from './syntax';

const DTYPES: Record<string, Dtype> = {
  fp64: 'fp64',
  f64: 'fp64',
  double: 'fp64',
  fp32: 'fp32',
  f32: 'fp32',
  float: 'fp32',
  float32: 'fp32',
  tf32: 'tf32',
  fp16: 'fp16',
  f16: 'fp16',
  half: 'fp16',
  float16: 'fp16',
  bf16: 'bf16',
  bfloat16: 'bf16',
  fp8: 'fp8',
  e4m3: 'fp8',
  e5m2: 'fp8',
  int8: 'int8',
  i8: 'int8',
  s8: 'int8',
  fp4: 'fp4',
};

export function parseDtype(text: string): Dtype | null {
  return DTYPES[text.toLowerCase()] ?? null;
}

/** Values read from an annotation; problems for values that are not positive integers / dtypes. */
export function readAnnotation(annotation: Annotation, problems: Problem[]): Partial<Record<'m' | 'n' | 'k' | 'batch', number>> & { dtype?: Dtype } {
  const result: Partial<Record<'m' | 'n' | 'k' | 'batch', number>> & { dtype?: Dtype } = {};
  for (const [key, raw] of Object.entries(annotation.fields)) {
    const range = annotation.valueRanges[key] ?? { start: annotation.start, end: annotation.end };
    if (key === 'DTYPE') {
      const dtype = parseDtype(raw);
      if (dtype) result.dtype = dtype;
      else
        problems.push({ range, message: `unknown dtype "${raw}" in tilecast annotation (use fp32, tf32, fp16, bf16, fp8, int8, fp64)`, severity: 'warning' });
      continue;
    }
    const field = ({ M: 'm', N: 'n', K: 'k', BATCH: 'batch', B: 'batch' } as Record<string, 'm' | 'n' | 'k' | 'batch'>)[key];
    if (!field) {
      problems.push({ range, message: `unknown key "${key}" in tilecast annotation (use M, N, K, batch, dtype)`, severity: 'warning' });
      continue;
    }
    const value = Number(raw.replace(/_/g, ''));
    if (Number.isSafeInteger(value) && value > 0) result[field] = value;
    else problems.push({ range, message: `tilecast annotation ${key}=${raw} is not a positive integer`, severity: 'warning' });
  }
  return result;
}

export interface CodeValues {
  m: number | null;
  n: number | null;
  k: number | null;
  batch: number | null;
  dtype: Dtype | null;
}

/** Combines code values, an annotation (if any) and the defaults into a ProblemSize. */
/**
 * Precedence: kernel arguments (code) > annotation > grid × block (code, rounded up to whole blocks)
 * > default. Values from the grid are read from code, so they are not listed in `assumed`.
 */
export function resolveProblem(
  code: CodeValues,
  annotation: ReturnType<typeof readAnnotation> | null,
  options: AnalysisOptions,
  fromGrid: { m?: number; n?: number; batch?: number } = {},
): ProblemSize {
  const assumed: string[] = [];
  const origins = new Set<'annotation' | 'default'>();
  const pick = <T>(name: 'm' | 'n' | 'k' | 'dtype', fromCode: T | null, fromAnnotation: T | undefined, fallback: T): T => {
    if (fromCode !== null) return fromCode;
    if (fromAnnotation !== undefined) {
      assumed.push(name);
      origins.add('annotation');
      return fromAnnotation;
    }
    const grid = name === 'm' || name === 'n' ? fromGrid[name] : undefined;
    if (grid !== undefined) return grid as T;
    assumed.push(name);
    origins.add('default');
    return fallback;
  };
  const defaults = options.defaultProblem;
  const m = pick('m', code.m, annotation?.m, defaults.m);
  const n = pick('n', code.n, annotation?.n, defaults.n);
  const k = pick('k', code.k, annotation?.k, defaults.k);
  const dtype = pick('dtype', code.dtype, annotation?.dtype, defaults.dtype);
  // Batch has no default: it stays null (one problem) unless code or an annotation gives it.
  let batch = code.batch;
  if (batch === null && annotation?.batch !== undefined) {
    batch = annotation.batch;
    assumed.push('batch');
    origins.add('annotation');
  }
  if (batch === null && fromGrid.batch !== undefined) batch = fromGrid.batch;
  const source: ProblemSize['source'] = assumed.length === 0 ? 'code' : origins.size === 1 ? [...origins][0]! : 'mixed';
  return { m, n, k, batch, dtype, assumed, source };
}

/** Start offsets of each line, for annotation placement. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function lineOf(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * The annotation on the lines of a construct [start, end) or in the run of comment-only (or blank)
 * lines directly above it. `annotations` must be sorted by offset (prepare.ts emits them in order).
 */
export function annotationFor(text: string, starts: number[], annotations: Annotation[], start: number, end: number): Annotation | null {
  const firstLine = lineOf(starts, start);
  const lastLine = lineOf(starts, Math.max(start, end - 1));
  const blockStart = starts[firstLine]!;
  const blockEnd = starts[lastLine + 1] ?? text.length;
  const low = firstAtOrAfter(annotations, blockStart, (annotation) => annotation.start);
  const onLines = annotations[low];
  if (onLines && onLines.start < blockEnd) return onLines;
  // Only the nearest annotation above can be attached: any earlier one has it (a comment) or code in between.
  const above = annotations[low - 1];
  if (!above) return null;
  for (let line = lineOf(starts, above.start) + 1; line < firstLine; line++) {
    const lineText = text.slice(starts[line]!, starts[line + 1] ?? text.length).trim();
    if (lineText !== '' && !lineText.startsWith('//')) return null;
  }
  return above;
}
