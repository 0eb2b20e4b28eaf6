// Code actions: rewrite tile constants (a #define, constexpr, template argument at the launch, or a
// triton.Config value) to the predicted time-optimal and, when different, energy-optimal legal
// configuration, offering the top few when they are within the interval of the best; and reorder,
// trim and extend Triton autotune lists. Each edit replaces exactly a value's range from the analysis.
import type { Range, TileParam } from '../analysis/types';
import type { GpuSpec } from '../perf/types';
import type { CodeActionItem, DocumentReports, TextEditItem } from './api';
import type { DiagnosticCode } from './protocol';
import { formatEnergy, formatTime, tailIdleFraction } from './render';
import { analyticEstimate } from '../perf/analytic-model';
import { LOW_OCCUPANCY_LIMIT, TAIL_COST_LIMIT, TAIL_IDLE_LIMIT } from './diagnostics';
import type { KernelReport } from './reports';
import { workloadTileParams } from '../perf/workload-from-analysis';
import { reportNear } from './hover';
import { candidateContext, rankCandidates, scoreCandidate, tunablesOf, type Candidate, type CandidateContext, type RankedCandidate } from './tile-candidates';
import { autotuneActions } from './autotune-actions';

/** Diagnostics a legal tile change can fix (so its action is a quickfix for them). */
const TILE_FIXABLE: readonly DiagnosticCode[] = [
  'smem-over-limit',
  'threads-over-limit',
  'registers-over-limit',
  'tail-wave-idle',
  'low-occupancy',
  'tile-does-not-divide',
  'triton-smem-over-limit',
];
/** How many near-tied candidates to offer at most. */
export const NEAR_TIE_OFFERS = 3;

const overlaps = (a: Range, b: Range) => a.start <= b.end && b.start <= a.end;

function signedPercent(fraction: number): string {
  const p = Math.round(fraction * 100);
  return p > 0 ? `+${p}%` : p < 0 ? `−${-p}%` : '±0%';
}

/**
 * "BM = 64, TM = 4": the parameters a candidate changes, with the header a constant is defined in ("BM = 128,
 * BN = 64 in gemm.cuh" when all are in one header; "TILE = 16 in tiled.cuh, TM = 4" when they differ).
 */
function changesText(candidate: Candidate): string {
  const changed = candidate.overrides.filter((o) => o.value !== o.param.value);
  const headers = new Set(changed.map((o) => o.param.header));
  const oneHeader = headers.size === 1 ? changed[0]?.param.header : undefined;
  const text = changed.map((o) => `${o.param.name} = ${o.value}${!oneHeader && o.param.header ? ` in ${o.param.header}` : ''}`).join(', ');
  return oneHeader ? `${text} in ${oneHeader}` : text;
}

/**
 * The value edits, plus, for template arguments at a launch, the same literal in that launch's grid and
 * block arguments (`mm<64, 64, 8><<<dim3(N / 64, M / 64), 256>>>`) when every argument that had the
 * literal moves to one new value; a grid held in a variable is left alone (its folded value is
 * recomputed for the prediction either way).
 */
function editsOf(candidate: Candidate, report: KernelReport, text: string): TextEditItem[] {
  const changed = candidate.overrides.filter((o) => o.value !== o.param.value);
  const edits: TextEditItem[] = changed.map((o) => ({
    range: { ...o.param.valueRange },
    newText: String(o.value),
    ...(o.param.header ? { header: o.param.header } : {}),
  }));
  const launch = report.launch;
  if (!launch || report.subject !== 'launch') return edits;
  const templated = candidate.overrides.filter((o) => o.param.origin === 'template-arg');
  for (const old of new Set(templated.filter((o) => o.value !== o.param.value).map((o) => o.param.value!))) {
    const targets = new Set(templated.filter((o) => o.param.value === old).map((o) => o.value));
    if (targets.size !== 1) continue;
    const value = [...targets][0]!;
    for (const expr of [launch.gridExpr, launch.blockExpr]) {
      if (!expr) continue;
      const slice = text.slice(expr.range.start, expr.range.end);
      for (const m of slice.matchAll(new RegExp(`(?<![\\w.])${old}(?![\\w.])`, 'g'))) {
        const start = expr.range.start + m.index!;
        edits.push({ range: { start, end: start + String(old).length }, newText: String(value) });
      }
    }
  }
  return edits.sort((a, b) => a.range.start - b.range.start);
}

function same(a: Candidate, b: Candidate): boolean {
  return a.overrides.every((o, i) => o.value === b.overrides[i]!.value);
}

/** The report the range asks about: a tile parameter's first user, else the report at or near it. */
function reportFor(reports: DocumentReports, range: Range): { report: KernelReport; params: TileParam[] } | null {
  const tileParams = reports.input.analysis.tileParams;
  const param =
    tileParams.find((p) => overlaps(p.valueRange, range)) ??
    tileParams.find((p) => overlaps(p.range, range) && p.origin !== 'template-arg' && p.origin !== 'triton-config');
  if (param) {
    const user =
      reports.reports.find((r) => r.workload && overlaps(r.range, range) && tunablesOf(reports, r).includes(param)) ??
      reports.reports.find((r) => r.workload && tunablesOf(reports, r).includes(param));
    if (user) return { report: user, params: tunablesOf(reports, user) };
  }
  const report = reportNear(reports, range.start);
  if (!report || !report.workload) return null;
  const inKernel = reports.input.analysis.kernels.some((k) => overlaps(k.range, range) && k.name === report.kernel?.name);
  if (!overlaps(report.range, range) && !inKernel) return null;
  return { report, params: tunablesOf(reports, report) };
}

export function codeActions(reports: DocumentReports, range: Range, diagnostics: readonly DiagnosticCode[]): CodeActionItem[] {
  const target = reportFor(reports, range);
  if (!target) return [];
  const out: CodeActionItem[] = [];
  out.push(...tileActions(reports, target.report, target.params, diagnostics));
  out.push(...autotuneActions(reports, target.report));
  return out;
}

interface Ranking {
  params: readonly TileParam[];
  ctx: CandidateContext;
  ranked: RankedCandidate[];
  current: Candidate;
}

/**
 * Each report's ranking, kept with the report: a report belongs to one document version and settings
 * generation (ide/reports.ts), so the ranking cannot go stale, and it goes when the report does. VS Code
 * asks for code actions at every cursor move (the light bulb); without this each request ranked the
 * candidates again (`npm run bench -- ide`, "code actions again").
 */
const rankings = new WeakMap<KernelReport, Ranking>();

function rankingOf(reports: DocumentReports, report: KernelReport, params: TileParam[], gpu: GpuSpec): Ranking {
  const kept = rankings.get(report);
  if (kept && kept.params.length === params.length && kept.params.every((p, i) => p === params[i])) return kept;
  const ctx = candidateContext(reports, report, gpu);
  const ranked = rankCandidates(report, workloadTileParams(reports.input.analysis), params, ctx);
  const current = scoreCandidate(
    params.map((param) => ({ param, value: param.value! })),
    report.workload!,
    ctx,
  );
  const ranking = { params, ctx, ranked, current };
  rankings.set(report, ranking);
  return ranking;
}

/** Time-optimal (or the near-tied top few) and energy-optimal tile rewrites for one report. */
export function tileActions(reports: DocumentReports, report: KernelReport, params: TileParam[], diagnostics: readonly DiagnosticCode[]): CodeActionItem[] {
  const gpu = reports.input.gpus[0];
  if (!gpu || !report.workload || params.length === 0) return [];
  const { ctx, ranked, current } = rankingOf(reports, report, params, gpu);
  if (ranked.length === 0) return [];
  const best = ranked[0]!;
  const fixable = diagnostics.filter((d) => TILE_FIXABLE.includes(d));
  // A quickfix names the diagnostics the candidate resolves (all candidates are legal, so the limit
  // rules always; tail, occupancy and divisibility only when the candidate's own numbers clear them).
  const shape = (candidate: Candidate): Pick<CodeActionItem, 'kind' | 'fixes'> => {
    const a = analyticEstimate(candidate.workload, gpu);
    const t = candidate.workload.tile ?? {};
    const divides =
      ctx.boundsChecked ||
      [
        [t.blockM, candidate.workload.m],
        [t.blockN, candidate.workload.n],
        [t.blockK, candidate.workload.k],
      ].every(([tile, size]) => !tile || size! % tile === 0);
    const fixes = fixable.filter((code) => {
      if (code === 'tail-wave-idle') return !(tailIdleFraction(a.waves) > TAIL_IDLE_LIMIT && 1 - a.waveEfficiency >= TAIL_COST_LIMIT);
      if (code === 'low-occupancy') return a.occupancy >= LOW_OCCUPANCY_LIMIT;
      if (code === 'tile-does-not-divide') return divides;
      return true;
    });
    return fixes.length > 0 ? { kind: 'quickfix', fixes } : { kind: 'refactor.rewrite' };
  };
  const analytic = best.source === 'analytic';
  // A constant other launches read too changes them as well: say so (they were not ranked).
  const shared = reports.reports.filter((r) => r !== report && r.workload && tunablesOf(reports, r).some((p) => params.includes(p))).length;
  const suffix =
    (analytic ? '; analytic estimate, model unavailable' : '') + (shared > 0 ? `; also changes ${shared} other launch${shared === 1 ? '' : 'es'}` : '');
  const out: CodeActionItem[] = [];
  // Candidates whose predicted time lies inside the best one's interval cannot be told apart (the
  // near-ties of `tilecast predict --top K`). An analytic estimate has no interval: the fastest alone is offered.
  const tied = analytic ? [best] : ranked.filter((c) => c.nearTie);
  const offered = tied.slice(0, NEAR_TIE_OFFERS).filter((c) => !same(c, current));
  const currentTied = tied.some((c) => same(c, current));
  // A configuration that cannot run has no runtime to compare with: say so instead of a percentage.
  const currentIllegal = report.on(gpu)?.issues.some((i) => i.illegal) ?? false;
  for (const candidate of offered) {
    const change = candidate.timeMs / current.timeMs - 1;
    const spread = (candidate.timeHiMs - candidate.timeLoMs) / 2 / current.timeMs;
    const uncertainty = analytic ? '' : ` ± ${Math.round(spread * 100)}%`;
    const versus = currentIllegal ? `; the current configuration cannot run on ${gpu.name}` : `, ${signedPercent(change)}${uncertainty}`;
    const tieNote =
      tied.length > 1 ? `; ${tied.length} configurations within the uncertainty of the best${currentTied ? ', the current one included' : ''}` : '';
    out.push({
      title: `Use ${changesText(candidate)} (predicted ${analytic ? '≈' : ''}${formatTime(candidate.timeMs)}${versus}${tieNote}${suffix})`,
      ...shape(candidate),
      edits: editsOf(candidate, report, reports.text),
      isPreferred: tied.length === 1,
    });
  }
  const withEnergy = ranked.filter((c) => c.energyMj !== null);
  if (withEnergy.length > 0 && (current.energyMj !== null || currentIllegal)) {
    const frugal = withEnergy.reduce((a, b) => (b.energyMj! < a.energyMj! ? b : a));
    if (!same(frugal, best) && !same(frugal, current) && !offered.some((c) => same(c, frugal))) {
      out.push({
        title:
          currentIllegal || current.energyMj === null
            ? `Use ${changesText(frugal)} for least energy (predicted ${formatEnergy(frugal.energyMj!)}, ${formatTime(frugal.timeMs)})`
            : `Use ${changesText(frugal)} for least energy (predicted ${formatEnergy(frugal.energyMj!)}, ${signedPercent(frugal.energyMj! / current.energyMj - 1)} energy; ${formatTime(frugal.timeMs)}, ${signedPercent(frugal.timeMs / current.timeMs - 1)} time)`,
        ...shape(frugal),
        edits: editsOf(frugal, report, reports.text),
        isPreferred: false,
      });
    }
  }
  return out;
}
