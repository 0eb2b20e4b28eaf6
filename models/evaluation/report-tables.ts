// Tables of models/REPORT.md that put the shipped model beside the analytic model alone: per held-out
// GPU (worst first), per slice, spread over seeds, power by problem-size band. Pure: held-out
// predictions in, Markdown out; no I/O.
import { summarizeHeldOut, markdownTable, type HeldOut } from './breakdown';
import { summarizeApe } from './metrics';

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');

export interface BesideRow {
  slice: string;
  n: number;
  modelMdape: number;
  analyticMdape: number;
  modelP90: number;
  analyticP90: number;
  coverage: number;
  extrapolatingShare: number;
}

/**
 * One row per distinct key: the model's and the analytic model's MdAPE and p90 APE on the same rows,
 * the model's interval coverage and its share of rows flagged extrapolating; worst model MdAPE first.
 * `model` and `analytic` must hold the same rows in the same order.
 */
export function besideRows(model: HeldOut, analytic: HeldOut, keyOf: (tags: Record<string, string>) => string): BesideRow[] {
  const keys = [...new Set(model.tags.map(keyOf))];
  const rows = keys.map((key) => {
    const pass = (t: Record<string, string>) => keyOf(t) === key;
    const m = summarizeHeldOut(model, key, pass);
    const a = summarizeHeldOut(analytic, key, pass);
    let flagged = 0;
    for (const t of model.tags) if (pass(t) && t.extrapolating === 'true') flagged++;
    return {
      slice: key,
      n: m.n,
      modelMdape: m.medianPct,
      analyticMdape: a.medianPct,
      modelP90: m.p90Pct,
      analyticP90: a.p90Pct,
      coverage: m.coverage,
      extrapolatingShare: m.n ? flagged / m.n : 0,
    };
  });
  return rows.sort((p, q) => q.modelMdape - p.modelMdape || (p.slice < q.slice ? -1 : 1));
}

export function besideTable(rows: readonly BesideRow[], header: string): string {
  return markdownTable(
    [header, 'n', 'model MdAPE %', 'analytic alone MdAPE %', 'model p90 %', 'analytic p90 %', '80% coverage %', 'extrapolating %', 'model ≤ analytic'],
    rows.map((r) => [
      r.slice,
      String(r.n),
      f1(r.modelMdape),
      f1(r.analyticMdape),
      f1(r.modelP90),
      f1(r.analyticP90),
      f0(r.coverage * 100),
      f0(r.extrapolatingShare * 100),
      r.modelMdape <= r.analyticMdape + 0.05 ? 'yes' : '**no**',
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
}

/** Median of the rows' model MdAPE and the worst, over the rows given. */
export function medianAndWorst(rows: readonly BesideRow[]): { median: number; worst: number; worstSlice: string } {
  const v = rows.map((r) => r.modelMdape).sort((a, b) => a - b);
  const h = v.length >> 1;
  const median = v.length === 0 ? NaN : v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
  const worst = rows.reduce((w, r) => (r.modelMdape > w.modelMdape ? r : w), rows[0]);
  return { median, worst: worst?.modelMdape ?? NaN, worstSlice: worst?.slice ?? '' };
}

/** Per-GPU MdAPE for each seed and the spread (max − min) per GPU and of the worst GPU. */
export function seedSpreadTable(perSeed: ReadonlyArray<{ seed: number; rows: BesideRow[] }>): { markdown: string; worstSpread: number; maxGpuSpread: number } {
  const gpus = [...new Set(perSeed.flatMap((s) => s.rows.map((r) => r.slice)))].sort();
  const lookup = perSeed.map((s) => new Map(s.rows.map((r) => [r.slice, r.modelMdape])));
  let maxGpuSpread = 0;
  const rows = gpus.map((g) => {
    const v = lookup.map((m) => m.get(g) ?? NaN);
    const spread = Math.max(...v) - Math.min(...v);
    if (spread > maxGpuSpread) maxGpuSpread = spread;
    return [g, ...v.map(f1), f1(spread)];
  });
  const worst = perSeed.map((s) => medianAndWorst(s.rows).worst);
  const worstSpread = Math.max(...worst) - Math.min(...worst);
  rows.push(['**worst held-out GPU**', ...worst.map(f1), f1(worstSpread)]);
  rows.push(['median over held-out GPUs', ...perSeed.map((s) => f1(medianAndWorst(s.rows).median)), '']);
  const markdown = markdownTable(['held-out GPU', ...perSeed.map((s) => `seed ${s.seed} MdAPE %`), 'spread (points)'], rows, [
    'l',
    ...perSeed.map(() => 'r' as const),
    'r',
  ]);
  return { markdown, worstSpread, maxGpuSpread };
}

/** Problem-size band of a GEMM by its GFLOP. */
export function sizeBand(gflop: number): string {
  if (gflop < 1) return '< 1 GFLOP';
  if (gflop < 10) return '1–10 GFLOP';
  if (gflop < 100) return '10–100 GFLOP';
  return '≥ 100 GFLOP';
}

/** Power by size band: MdAPE and interval coverage per band (tags must carry `band`). */
export function bandTable(
  h: HeldOut,
  keyOf: (t: Record<string, string>) => string,
): { markdown: string; rows: Array<{ slice: string; n: number; mdape: number; coverage: number }> } {
  const keys = [...new Set(h.tags.map(keyOf))].sort();
  const rows = keys.map((key) => {
    const s = summarizeHeldOut(h, key, (t) => keyOf(t) === key);
    return { slice: key, n: s.n, mdape: s.medianPct, coverage: s.coverage };
  });
  return {
    markdown: markdownTable(
      ['slice', 'n', 'MdAPE %', '80% coverage %'],
      rows.map((r) => [r.slice, String(r.n), f1(r.mdape), f0(r.coverage * 100)]),
      ['l', 'r', 'r', 'r'],
    ),
    rows,
  };
}

/** MdAPE of the rows whose tags pass `filter`. */
export function mdapeWhere(h: HeldOut, filter: (t: Record<string, string>) => boolean): number {
  const p: number[] = [];
  const a: number[] = [];
  h.tags.forEach((t, i) => {
    if (filter(t)) {
      p.push(h.predicted[i]);
      a.push(h.actual[i]);
    }
  });
  return summarizeApe(p, a).medianPct;
}
