// Hover: what is under the cursor (a tile parameter, a triton.Config, a launch, a library call, a
// kernel name) and the markdown of its report. Plain data with offset ranges; rendering is render.ts's.
import type { Range, TileParam } from '../analysis/types';
import type { DocumentReports, HoverResult } from './api';
import { formatPercent, formatTime, reportMarkdown } from './render';
import type { KernelReport } from './reports';
import { autotuneContext, listedConfigTimes } from './autotune-actions';
import { workloadTileParams } from '../perf/workload-from-analysis';
import { candidateContext, checkCandidate, scoreCandidates, tunablesOf, valuesFor, workloadWith, type ScoreItem } from './tile-candidates';

const contains = (range: Range, offset: number): boolean => offset >= range.start && offset <= range.end;

function outcomesOf(reports: DocumentReports, report: KernelReport) {
  return reports.input.gpus.map((gpu) => report.on(gpu));
}

/** The innermost report whose range holds the offset (a config or template argument inside a launch wins). */
export function reportAt(reports: DocumentReports, offset: number): KernelReport | null {
  let best: KernelReport | null = null;
  for (const report of reports.reports) {
    if (!contains(report.range, offset)) continue;
    if (!best || report.range.end - report.range.start < best.range.end - best.range.start) best = report;
  }
  return best;
}

/** Reports of a kernel: its launches first, then its configs. */
export function reportsOfKernel(reports: DocumentReports, kernelName: string): KernelReport[] {
  return reports.reports.filter((r) => r.kernel?.name === kernelName);
}

/** The report at the offset, or of the kernel whose name is at it, or the nearest one before it. */
export function reportNear(reports: DocumentReports, offset: number): KernelReport | null {
  const direct = reportAt(reports, offset);
  if (direct) return direct;
  const kernel = reports.input.analysis.kernels.find((k) => contains(k.range, offset));
  if (kernel) {
    const own = reportsOfKernel(reports, kernel.name);
    if (own.length > 0) return own[0];
  }
  let best: KernelReport | null = null;
  for (const report of reports.reports) if (report.range.start <= offset && (!best || report.range.start > best.range.start)) best = report;
  return best;
}

/** Origins whose `range` is a definition of its own (a hover on its name shows it too). */
const DEFINITIONS = new Set<TileParam['origin']>(['define', 'constexpr', 'const', 'enum']);

function paramAt(reports: DocumentReports, offset: number): TileParam | null {
  const params = reports.input.analysis.tileParams;
  return params.find((p) => contains(p.valueRange, offset)) ?? params.find((p) => contains(p.range, offset) && DEFINITIONS.has(p.origin)) ?? null;
}

/** Predicted runtime of the report's kernel for values of `param` around its current one. */
export function neighbourLines(reports: DocumentReports, report: KernelReport, param: TileParam): string[] {
  const gpu = reports.input.gpus[0];
  const current = param.value;
  if (!gpu || current === null) return [];
  const values = [...new Set([...valuesFor(param), current])].sort((x, y) => x - y);
  const at = values.indexOf(current);
  const around = values.slice(Math.max(0, at - 2), at + 3);
  const ctx = candidateContext(reports, report, gpu);
  const tileParams = workloadTileParams(reports.input.analysis);
  // Each value's legality check, then one scoring of the legal ones (the batch path, with the estimates
  // the checks made); the current value is always legal and is what the others are compared with.
  const items: ScoreItem[] = [];
  const cells: Array<{ value: number; problem: string | null; item: number }> = [];
  for (const value of around) {
    const workload = workloadWith(report, tileParams, [{ param, value }]);
    if (!workload) continue;
    const { problem, analytic } = value === current ? { problem: null, analytic: undefined } : checkCandidate(workload, ctx, report.kernel);
    cells.push({ value, problem, item: problem ? -1 : items.push({ overrides: [], workload, analytic }) - 1 });
  }
  const base = cells.find((c) => c.value === current);
  const scores = scoreCandidates(items, ctx, base ? base.item : -1);
  const baseScore = base ? scores[base.item] : null;
  const rows = [`| ${param.name} | ${gpu.name} | vs ${current} |`, '|---|---|---|'];
  for (const { value, problem, item } of cells) {
    if (problem) {
      rows.push(`| ${value} | — | ⚠ ${problem.replace(/\|/g, '\\|')} |`);
      continue;
    }
    const score = scores[item];
    const change = baseScore ? score.timeMs / baseScore.timeMs - 1 : NaN;
    const time = `${score.source === 'analytic' ? '≈' : ''}${formatTime(score.timeMs)}`;
    rows.push(
      `| ${value === current ? `**${value}** (now)` : value} | ${time} | ${value === current ? '' : `${change > 0 ? '+' : change < 0 ? '−' : '±'}${formatPercent(Math.abs(change))}`} |`,
    );
  }
  return [`Neighbouring values of **${param.name}** for the ${report.label} ${report.subject === 'triton-config' ? 'config' : report.subject}:`, '', ...rows];
}

/** For a triton.Config: where it ranks among its kernel's configs on the primary GPU (ranked as the autotune actions rank them). */
function configRankLines(reports: DocumentReports, report: KernelReport): string[] {
  const gpu = reports.input.gpus[0];
  if (report.subject !== 'triton-config' || !gpu) return [];
  const siblings = reports.reports.filter((r) => r.subject === 'triton-config' && r.kernel === report.kernel);
  const { times } = listedConfigTimes(siblings, autotuneContext(reports, gpu));
  const own = times[siblings.indexOf(report)]!;
  if (!Number.isFinite(own)) return [`Cannot run on ${gpu.name}: the autotuner will skip it.`];
  const order = siblings.map((_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  const rank = order.indexOf(siblings.indexOf(report)) + 1;
  const fastest = siblings[order[0]!]!;
  const lead = fastest === report ? 'the fastest' : `fastest: ${fastest.label.replace(/^.* config /, 'config ')}, ${formatTime(times[order[0]!]!)}`;
  return [`Predicted rank on ${gpu.name}: ${rank} of ${siblings.length} configs (${lead}).`];
}

export function hover(reports: DocumentReports, offset: number): HoverResult | null {
  const { gpus, modelError } = reports.input;
  const param = paramAt(reports, offset);
  if (param) {
    const affected = reports.reports.filter((r) => r.workload && tunablesOf(reports, r).includes(param));
    const report = affected.find((r) => contains(r.range, offset)) ?? affected[0];
    const range = contains(param.valueRange, offset) ? param.valueRange : param.range;
    if (!report) {
      // A name whose value is computed at run time (an SM count read from the device, say) is used by
      // launches all the same; only a known value can be.
      const why =
        param.value === null
          ? 'Its value is only known at run time (it does not fold to a constant in the source), so no prediction can use it.'
          : 'No GEMM launch in this file uses it, so there is nothing to predict.';
      return { range, markdown: `**${param.name}** = ${param.value ?? '?'} (${param.origin})\n\n${why}` };
    }
    const head = `**${param.name}** = ${param.value ?? '?'} (${param.origin}) · used by ${affected.length} report${affected.length === 1 ? '' : 's'}`;
    const body = reportMarkdown(report, gpus[0] ? [report.on(gpus[0])] : [], modelError, neighbourLines(reports, report, param));
    return { range, markdown: `${head}\n\n${body}` };
  }
  const report = reportAt(reports, offset);
  if (report) return { range: report.range, markdown: reportMarkdown(report, outcomesOf(reports, report), modelError, configRankLines(reports, report)) };
  const kernel = reports.input.analysis.kernels.find((k) => contains(k.nameRange, offset));
  if (!kernel) return null;
  if (kernel.kind !== 'gemm')
    return { range: kernel.nameRange, markdown: `**${kernel.name}**: not a GEMM (${kernel.kindReason}); TileCast predicts GEMMs only.` };
  const own = reportsOfKernel(reports, kernel.name);
  if (own.length === 0)
    return {
      range: kernel.nameRange,
      markdown: `**${kernel.name}** (GEMM kernel)\n\nNo launch of it in this file: add one, or a \`tilecast: M=.. N=.. K=..\` annotation with a launch, to see predictions.`,
    };
  const first = own[0]!;
  const more = own.length > 1 ? `\n\n_${own.length} reports for this kernel (launches and configs); this is the first._` : '';
  return { range: kernel.nameRange, markdown: reportMarkdown(first, outcomesOf(reports, first), modelError) + more };
}
