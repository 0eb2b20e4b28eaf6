// The data behind the webviews: a report's roofline points and roofs, a tile sweep over two tile
// parameters, a GPU comparison, and every report as CSV. Plain records (protocol.ts shapes); the
// client draws them. Pure: reads KernelReports and tile candidates; no I/O.
import type { GpuSpec } from '../perf/types';
import type { DocumentReports } from './api';
import { reportNear } from './hover';
import type { CompareGpusResult, Interval, RooflineResult, TileSweepCell, TileSweepResult } from './protocol';
import { describeWorkload } from './render';
import { lineIndexOf, shownEstimate, type KernelReport } from './reports';
import { workloadTileParams } from '../perf/workload-from-analysis';
import { tileFieldOf } from '../perf/workload-from-analysis';
import { candidateContext, checkCandidate, scoreCandidates, tunablesOf, valuesFor, workloadWith, type ScoreItem, type TileOverride } from './tile-candidates';

const NOTHING = 'no GEMM launch, library call or autotune config at or before the cursor';

function titleOf(report: KernelReport): string {
  return `${report.label}${report.workload ? `: ${describeWorkload(report.workload)}` : ''}`;
}

function interval(value: number, lo: number | null, hi: number | null): Interval {
  return { value, lo: lo ?? value, hi: hi ?? value };
}

export function roofline(reports: DocumentReports, offset: number): RooflineResult {
  const report = reportNear(reports, offset);
  if (!report || !report.workload) return { title: '', dtype: reports.input.settings.defaultDtype, roofs: [], points: [], message: report?.reason ?? NOTHING };
  const result: RooflineResult = { title: titleOf(report), dtype: report.workload.dtype, roofs: [], points: [] };
  for (const gpu of reports.input.gpus) {
    const outcome = report.on(gpu);
    if (!outcome) continue;
    const a = outcome.analytic;
    result.roofs.push({ gpuId: gpu.id, gpuName: gpu.name, peakTflops: a.peak.tflops, bandwidthGBps: gpu.memoryBandwidthGBps.value });
    if (outcome.issues.some((i) => i.illegal)) continue;
    const e = shownEstimate(outcome, reports.input.modelError);
    // TFLOP/s = flops / (ms · 1e-3) / 1e12; the slowest time gives the low end.
    const tflops = (ms: number | null) => (ms === null ? null : a.flops / ms / 1e9);
    result.points.push({
      gpuId: gpu.id,
      label: `${report.label} on ${gpu.name}${e.source === 'analytic' ? ' (analytic)' : ''}`,
      arithmeticIntensity: a.arithmeticIntensity,
      tflops: interval(tflops(e.timeMs)!, tflops(e.timeHiMs), tflops(e.timeLoMs)),
    });
  }
  if (result.points.length === 0) result.message = 'the configuration cannot run on any selected GPU';
  return result;
}

/** The two parameters to sweep: BN across and BM down when the kernel has both, else the first two. */
function sweepAxes(reports: DocumentReports, report: KernelReport) {
  const params = tunablesOf(reports, report);
  const byField = (field: string) => params.find((p) => tileFieldOf(p.name) === field);
  const x = byField('blockN') ?? byField('square') ?? params[0];
  const y = byField('blockM') && byField('blockM') !== x ? byField('blockM') : params.find((p) => p !== x);
  return { x, y };
}

export function tileSweep(reports: DocumentReports, offset: number, gpuId?: string): TileSweepResult {
  const empty = (message: string, gpu = ''): TileSweepResult => ({
    title: '',
    gpuId: gpu,
    xName: '',
    yName: '',
    xValues: [],
    yValues: [],
    cells: [],
    current: null,
    suggested: null,
    message,
  });
  const report = reportNear(reports, offset);
  if (!report || !report.workload) return empty(report?.reason ?? NOTHING);
  const gpu = (gpuId ? reports.input.gpus.find((g) => g.id === gpuId) : undefined) ?? reports.input.gpus[0];
  if (!gpu) return empty('no target GPU');
  const { x, y } = sweepAxes(reports, report);
  if (!x)
    return empty(
      `${report.label} has no tile parameter TileCast can vary (tile sizes come from the ${report.subject === 'library' ? 'library' : 'launch grid'})`,
      gpu.id,
    );
  const xValues = [...new Set([...valuesFor(x), x.value!])].sort((a, b) => a - b);
  const yValues = y ? [...new Set([...valuesFor(y), y.value!])].sort((a, b) => a - b) : [1];
  const ctx = candidateContext(reports, report, gpu);
  const tileParams = workloadTileParams(reports.input.analysis);
  const cells: TileSweepCell[] = [];
  const legal: Array<ScoreItem & { cell: TileSweepCell }> = [];
  for (const yv of yValues)
    for (const xv of xValues) {
      const overrides: TileOverride[] = [{ param: x, value: xv }, ...(y ? [{ param: y, value: yv }] : [])];
      const cell: TileSweepCell = { x: xv, y: yv, timeMs: null };
      cells.push(cell);
      const workload = workloadWith(report, tileParams, overrides);
      const { problem, analytic } = workload ? checkCandidate(workload, ctx, report.kernel) : { problem: 'no workload', analytic: undefined };
      if (problem || !workload) cell.illegalReason = problem ?? 'no workload';
      else legal.push({ overrides, workload, analytic, cell });
    }
  let best: TileSweepCell | null = null;
  const current = legal.findIndex((item) => item.cell.x === x.value && item.cell.y === (y ? y.value : 1));
  scoreCandidates(legal, ctx, current).forEach((score, i) => {
    const cell = legal[i]!.cell;
    if (!Number.isFinite(score.timeMs)) {
      cell.illegalReason = 'no prediction';
      return;
    }
    cell.timeMs = interval(score.timeMs, score.timeLoMs, score.timeHiMs);
    if (!best || score.timeMs < best.timeMs!.value) best = cell;
  });
  const chosen = best as TileSweepCell | null;
  const analytic = !reports.input.predictor ? ' (analytic estimates: model unavailable)' : '';
  return {
    title: `${titleOf(report)} on ${gpu.name}${analytic}`,
    gpuId: gpu.id,
    xName: x.name,
    yName: y?.name ?? '',
    xValues,
    yValues,
    cells,
    current: { x: x.value!, y: y ? y.value! : 1 },
    suggested: chosen ? { x: chosen.x, y: chosen.y } : null,
    ...(chosen ? {} : { message: 'no legal configuration in the sweep' }),
  };
}

export function compareGpus(reports: DocumentReports, offset: number, gpus: GpuSpec[]): CompareGpusResult {
  const report = reportNear(reports, offset);
  if (!report || !report.workload) return { title: '', rows: [], message: report?.reason ?? NOTHING };
  const rows: CompareGpusResult['rows'] = [];
  for (const gpu of gpus.length > 0 ? gpus : reports.input.gpus) {
    const outcome = report.on(gpu);
    if (!outcome) continue;
    const illegal = outcome.issues.filter((i) => i.illegal).map((i) => i.message);
    if (illegal.length > 0) {
      rows.push({ gpuId: gpu.id, gpuName: gpu.name, timeMs: null, powerW: null, energyMj: null, illegalReason: illegal.join('; ') });
      continue;
    }
    const e = shownEstimate(outcome, reports.input.modelError);
    rows.push({
      gpuId: gpu.id,
      gpuName: gpu.name,
      timeMs: interval(e.timeMs, e.timeLoMs, e.timeHiMs),
      powerW: e.powerW === null ? null : interval(e.powerW, e.powerLoW, e.powerHiW),
      energyMj: e.energyMj === null ? null : interval(e.energyMj, e.energyLoMj, e.energyHiMj),
      ...(e.extrapolating ? { extrapolating: true } : {}),
    });
  }
  const message = reports.input.predictor ? undefined : `model unavailable (${reports.input.modelError ?? 'not loaded'}): analytic times only`;
  return { title: titleOf(report), rows, ...(message ? { message } : {}) };
}

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula gets a leading '. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_HEADER = [
  'line',
  'subject',
  'label',
  'gpu',
  'm',
  'n',
  'k',
  'batch',
  'dtype',
  'source',
  'runtime_ms',
  'runtime_lo_ms',
  'runtime_hi_ms',
  'power_w',
  'energy_mj',
  'occupancy',
  'bound',
  'problem_source',
  'cannot_run',
];

/** Every report on every target GPU, one row each, with the estimate the editor shows. */
export function exportReportsCsv(reports: DocumentReports): { csv: string; rows: number } {
  const lines = [CSV_HEADER.join(',')];
  const index = lineIndexOf(reports);
  for (const report of reports.reports) {
    const w = report.workload;
    if (!w) continue;
    for (const gpu of reports.input.gpus) {
      const outcome = report.on(gpu);
      if (!outcome) continue;
      const e = shownEstimate(outcome, reports.input.modelError);
      const illegal = outcome.issues
        .filter((i) => i.illegal)
        .map((i) => i.message)
        .join('; ');
      lines.push(
        [
          index.lineNumberAt(report.range.start),
          report.subject,
          report.label,
          gpu.id,
          w.m,
          w.n,
          w.k,
          w.batch,
          w.dtype,
          e.source,
          e.timeMs,
          e.timeLoMs,
          e.timeHiMs,
          e.powerW,
          e.energyMj,
          outcome.analytic.occupancy,
          outcome.analytic.bound,
          report.problemSource,
          illegal || null,
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return { csv: `${lines.join('\n')}\n`, rows: lines.length - 1 };
}
