// The edit that writes or updates a `tilecast: M=.. N=.. K=.. dtype=..` annotation (for an attention
// launch `seq=.. heads=.. head_dim=..`), and the sizes to ask for at a point, where the analysis
// reads it (docs/analysis.md, "Annotation syntax"): on the comment line directly above a launch, or for
// a CUDA kernel without a launch at the cursor, directly above its definition (applies to all its
// launches). An existing annotation there is rewritten in place, keeping its other keys. Pure.
import type { Range } from '../analysis/types';
import type { DocumentReports, TextEditItem } from './api';
import { reportAt } from './hover';
import type { ProblemSizeFieldsResult, ProblemSizes } from './protocol';

const ANNOTATION = /^([ \t]*)(\/\/|#)\s*tilecast\s*:(.*)$/i;

function lineBounds(text: string, offset: number): Range {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === '\r') end--;
  return { start, end };
}

/** What the command writes (protocol.ts ProblemSizes); dtype as the analysis names it. */
export type ProblemSizeValues = Omit<ProblemSizes, 'dtype'> & { dtype?: string };

const GEMM_KEYS = ['m', 'n', 'k'] as const;
const ATTENTION_KEYS = ['seq', 'heads', 'head_dim'] as const;

/** The keys `size` gives, in order, when it gives a whole set (M, N, K or seq, heads, head_dim) of positive integers; else null. */
function sizeKeys(size: ProblemSizeValues): readonly (keyof ProblemSizeValues)[] | null {
  const whole = (keys: readonly (keyof ProblemSizeValues)[]) => keys.every((key) => Number.isSafeInteger(size[key]) && (size[key] as number) > 0);
  if (whole(GEMM_KEYS)) return GEMM_KEYS;
  if (whole(ATTENTION_KEYS)) return ATTENTION_KEYS;
  return null;
}

/**
 * The sizes first (`M=.. N=.. K=..`, or `seq=.. heads=.. head_dim=..`), then dtype, then the old
 * annotation's other keys in their order. Attention sizes replace old M/N/K and batch: those would size
 * the launch's GEMM equivalent instead (triton/problem-size.ts).
 */
function annotationBody(size: ProblemSizeValues, keys: readonly (keyof ProblemSizeValues)[], old: string): string {
  const attention = keys === ATTENTION_KEYS;
  const replaced = new Set([...GEMM_KEYS, ...ATTENTION_KEYS, ...(attention ? ['batch'] : [])].map((key) => key.toUpperCase()));
  const kept: string[] = [];
  let dtype = size.dtype;
  for (const pair of old.split(/[\s,]+/).filter(Boolean)) {
    const [key = '', value = ''] = pair.split('=');
    const upper = key.toUpperCase();
    if (replaced.has(upper)) continue;
    if (upper === 'DTYPE') {
      dtype = dtype ?? value;
      continue;
    }
    kept.push(pair);
  }
  const sizes = keys.map((key) => `${attention ? key : key.toUpperCase()}=${size[key]}`);
  return [...sizes, ...(dtype ? [`dtype=${dtype}`] : []), ...kept].join(' ');
}

export function problemSizeEdit(reports: DocumentReports, offset: number, size: ProblemSizeValues): TextEditItem | null {
  const { text, input } = reports;
  const keys = sizeKeys(size);
  if (!keys) return null;
  const comment = input.analysis.language === 'triton' ? '#' : '//';
  const report = reportAt(reports, offset);
  let anchor: number | null = null;
  if (report?.launch && report.subject === 'launch') anchor = report.launch.range.start;
  else if (report?.call) anchor = report.call.range.start;
  else {
    const kernel = input.analysis.kernels.find((k) => offset >= k.range.start && offset <= k.range.end);
    const launch = kernel ? input.analysis.launches.find((l) => l.kernel === kernel.name) : undefined;
    if (kernel && input.analysis.language === 'cuda') anchor = templateStart(text, kernel.range.start);
    else if (launch) anchor = launch.range.start;
  }
  if (anchor === null) return null;
  const line = lineBounds(text, anchor);
  // A trailing annotation on the launch line itself applies too: update it there.
  const own = text.slice(line.start, line.end);
  const trailing = /(\/\/|#)\s*tilecast\s*:(.*)$/i.exec(own);
  if (trailing && trailing.index > 0) {
    const start = line.start + trailing.index;
    return { range: { start, end: line.end }, newText: `${trailing[1]} tilecast: ${annotationBody(size, keys, trailing[2] ?? '')}` };
  }
  if (line.start > 0) {
    const above = lineBounds(text, line.start - 1);
    const match = ANNOTATION.exec(text.slice(above.start, above.end));
    if (match) {
      const start = above.start + match[1]!.length;
      return { range: { start, end: above.end }, newText: `${match[2]} tilecast: ${annotationBody(size, keys, match[3] ?? '')}` };
    }
  }
  const indent = /^[ \t]*/.exec(own)?.[0] ?? '';
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  return { range: { start: line.start, end: line.start }, newText: `${indent}${comment} tilecast: ${annotationBody(size, keys, '')}${newline}` };
}

/** The start of a `template <...>` line directly above a kernel, so the annotation goes above it. */
function templateStart(text: string, kernelStart: number): number {
  const line = lineBounds(text, kernelStart);
  if (line.start === 0) return kernelStart;
  const above = lineBounds(text, line.start - 1);
  return /^\s*template\s*</.test(text.slice(above.start, above.end)) ? above.start : kernelStart;
}

/** What to ask for at `offset`: an attention launch's seq, batch × heads and head_dim, else a GEMM's M, N, K. */
export function problemSizeFields(reports: DocumentReports, offset: number): ProblemSizeFieldsResult {
  const report = reportAt(reports, offset);
  const problem = report?.launch?.problem;
  const attention = problem?.attention;
  if (attention) {
    return {
      kind: 'attention',
      fields: [
        { key: 'seq', label: 'sequence length (queries; keys too unless the code says)', value: attention.seqQ },
        { key: 'heads', label: 'batch × heads', value: attention.batchHeads },
        { key: 'head_dim', label: 'head dimension', value: attention.headDim },
      ],
    };
  }
  const sizes = problem ?? report?.call ?? null;
  return {
    kind: 'gemm',
    fields: [
      { key: 'm', label: 'M (rows of C)', value: sizes?.m ?? null },
      { key: 'n', label: 'N (columns of C)', value: sizes?.n ?? null },
      { key: 'k', label: 'K (reduction)', value: sizes?.k ?? null },
    ],
  };
}
