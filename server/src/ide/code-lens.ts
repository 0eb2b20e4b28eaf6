// Code lenses above GEMM kernels and their launch sites: the primary GPU's predicted time, then
// Compare GPUs, Tile sweep and Profile. Commands are protocol.ts CLIENT_COMMANDS with args [{ offset }]:
// the core knows no URI, so the server adds `uri` to each argument (see api.ts codeLensesOf).
import type { Range } from '../analysis/types';
import type { CodeLensItem, DocumentReports } from './api';
import { CLIENT_COMMANDS } from './protocol';
import { formatTime } from './render';
import { shownEstimate, type KernelReport } from './reports';

function lensesFor(reports: DocumentReports, report: KernelReport, range: Range): CodeLensItem[] {
  const gpu = reports.input.gpus[0];
  const outcome = gpu ? report.on(gpu) : null;
  if (!gpu || !outcome) return [];
  const args = [{ offset: report.range.start }];
  const illegal = outcome.issues.find((i) => i.illegal);
  const e = shownEstimate(outcome, reports.input.modelError);
  const time = illegal ? `cannot run on ${gpu.name}` : `${e.source === 'analytic' ? '≈' : ''}${formatTime(e.timeMs)} on ${gpu.name}`;
  return [
    { range, title: time, command: { id: CLIENT_COMMANDS.selectGpus, args } },
    { range, title: 'Compare GPUs', command: { id: CLIENT_COMMANDS.compareGpus, args } },
    { range, title: 'Tile sweep', command: { id: CLIENT_COMMANDS.tileSweep, args } },
    { range, title: 'Profile', command: { id: CLIENT_COMMANDS.profile, args } },
  ];
}

export function codeLenses(reports: DocumentReports): CodeLensItem[] {
  const out: CodeLensItem[] = [];
  for (const kernel of reports.input.analysis.kernels) {
    if (kernel.kind !== 'gemm') continue;
    const first = reports.reports.find((r) => r.kernel?.name === kernel.name && r.workload);
    if (first) out.push(...lensesFor(reports, first, kernel.nameRange));
  }
  for (const report of reports.reports) {
    if (report.subject === 'triton-config' || !report.workload) continue;
    out.push(...lensesFor(reports, report, report.range));
  }
  return out.sort((a, b) => a.range.start - b.range.start);
}
