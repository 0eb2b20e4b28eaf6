// Per-slice error tables (by source, dtype, GPU, fold): groups held-out predictions by a key and
// summarises each slice, and renders Markdown tables. Pure; no I/O.
import { intervalCoverage, summarizeApe, type ApeSummary } from './metrics';

/** Held-out predictions of one target in natural units (ms or W), one entry per test row. */
export interface HeldOut {
  predicted: number[];
  lo: number[];
  hi: number[];
  actual: number[];
  /** Slice keys per row, e.g. { source: 'neusight', dtype: 'fp32', gpu: 't4' }. */
  tags: Array<Record<string, string>>;
}

export function emptyHeldOut(): HeldOut {
  return { predicted: [], lo: [], hi: [], actual: [], tags: [] };
}

export function appendHeldOut(into: HeldOut, from: HeldOut): void {
  for (let i = 0; i < from.actual.length; i++) {
    into.predicted.push(from.predicted[i]);
    into.lo.push(from.lo[i]);
    into.hi.push(from.hi[i]);
    into.actual.push(from.actual[i]);
    into.tags.push(from.tags[i]);
  }
}

export interface SliceSummary extends ApeSummary {
  slice: string;
  /** Fraction of actual values inside [lo, hi]. */
  coverage: number;
}

/** Summary of the rows whose tags pass `filter` (all rows by default). */
export function summarizeHeldOut(h: HeldOut, slice = 'all', filter?: (tags: Record<string, string>) => boolean): SliceSummary {
  const p: number[] = [];
  const a: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < h.actual.length; i++) {
    if (filter && !filter(h.tags[i])) continue;
    p.push(h.predicted[i]);
    a.push(h.actual[i]);
    lo.push(h.lo[i]);
    hi.push(h.hi[i]);
  }
  return { slice, ...summarizeApe(p, a), coverage: intervalCoverage(lo, hi, a) };
}

/** One summary per distinct value of `keyOf(tags)`, sorted by slice name. */
export function breakdownBy(h: HeldOut, keyOf: (tags: Record<string, string>) => string): SliceSummary[] {
  const keys = [...new Set(h.tags.map(keyOf))].sort();
  return keys.map((key) => summarizeHeldOut(h, key, (t) => keyOf(t) === key));
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/** Markdown table of slice summaries: slice, n, MdAPE, mean APE, p90 APE, 80% interval coverage. */
export function sliceTable(rows: SliceSummary[], sliceHeader = 'slice'): string {
  const lines = [`| ${sliceHeader} | n | MdAPE % | mean APE % | p90 APE % | 80% interval coverage % |`, '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    lines.push(`| ${r.slice} | ${r.n} | ${fmt(r.medianPct)} | ${fmt(r.meanPct)} | ${fmt(r.p90Pct)} | ${fmt(r.coverage * 100, 0)} |`);
  }
  return lines.join('\n');
}

/** Generic Markdown table. */
export function markdownTable(header: string[], rows: Array<Array<string | number>>, align?: Array<'l' | 'r'>): string {
  const cells = (r: Array<string | number>) => `| ${r.map((c) => (typeof c === 'number' ? fmt(c, 2) : c)).join(' | ')} |`;
  const sep = `|${header.map((_, i) => ((align?.[i] ?? 'r') === 'l' ? '---' : '---:')).join('|')}|`;
  return [cells(header), sep, ...rows.map(cells)].join('\n');
}
