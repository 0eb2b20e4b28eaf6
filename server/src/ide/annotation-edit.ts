// The edit that writes or updates a `tilecast: M=.. N=.. K=.. dtype=..` annotation where the analysis
// reads it (docs/analysis.md, "Annotation syntax"): on the comment line directly above a launch, or for
// a CUDA kernel without a launch at the cursor, directly above its definition (applies to all its
// launches). An existing annotation there is rewritten in place, keeping its other keys. Pure.
import type { Range } from '../analysis/types';
import type { DocumentReports, TextEditItem } from './api';
import { reportAt } from './hover';

const ANNOTATION = /^([ \t]*)(\/\/|#)\s*tilecast\s*:(.*)$/i;

function lineBounds(text: string, offset: number): Range {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === '\r') end--;
  return { start, end };
}

/** `M=.. N=.. K=..` first, then dtype, then any other keys the old annotation had, in their order. */
function annotationBody(size: { m: number; n: number; k: number; dtype?: string }, old: string): string {
  const kept: string[] = [];
  let dtype = size.dtype;
  for (const pair of old.split(/[\s,]+/).filter(Boolean)) {
    const [key = '', value = ''] = pair.split('=');
    const upper = key.toUpperCase();
    if (upper === 'M' || upper === 'N' || upper === 'K') continue;
    if (upper === 'DTYPE') {
      dtype = dtype ?? value;
      continue;
    }
    kept.push(pair);
  }
  return [`M=${size.m}`, `N=${size.n}`, `K=${size.k}`, ...(dtype ? [`dtype=${dtype}`] : []), ...kept].join(' ');
}

export function problemSizeEdit(reports: DocumentReports, offset: number, size: { m: number; n: number; k: number; dtype?: string }): TextEditItem | null {
  const { text, input } = reports;
  const valid = [size.m, size.n, size.k].every((v) => Number.isSafeInteger(v) && v > 0);
  if (!valid) return null;
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
    return { range: { start, end: line.end }, newText: `${trailing[1]} tilecast: ${annotationBody(size, trailing[2] ?? '')}` };
  }
  if (line.start > 0) {
    const above = lineBounds(text, line.start - 1);
    const match = ANNOTATION.exec(text.slice(above.start, above.end));
    if (match) {
      const start = above.start + match[1]!.length;
      return { range: { start, end: above.end }, newText: `${match[2]} tilecast: ${annotationBody(size, match[3] ?? '')}` };
    }
  }
  const indent = /^[ \t]*/.exec(own)?.[0] ?? '';
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  return { range: { start: line.start, end: line.start }, newText: `${indent}${comment} tilecast: ${annotationBody(size, '')}${newline}` };
}

/** The start of a `template <...>` line directly above a kernel, so the annotation goes above it. */
function templateStart(text: string, kernelStart: number): number {
  const line = lineBounds(text, kernelStart);
  if (line.start === 0) return kernelStart;
  const above = lineBounds(text, line.start - 1);
  return /^\s*template\s*</.test(text.slice(above.start, above.end)) ? above.start : kernelStart;
}
