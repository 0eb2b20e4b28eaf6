// Inlay hints: after each launch site, library GEMM call and triton.Config, the primary GPU's
// prediction (`1.92 ms · 265 W · 0.51 J`) in the configured mode. Only reports in the asked range are
// computed, so a viewport costs what it shows.
import type { OffsetRange } from './protocol';
import type { DocumentReports, InlayHintItem } from './api';
import { hintLabel, hintTooltip } from './render';

export function inlayHints(reports: DocumentReports, range: OffsetRange): InlayHintItem[] {
  const { gpus, settings, modelError } = reports.input;
  const gpu = gpus[0];
  if (!gpu || settings.inlayHints === 'off') return [];
  const out: InlayHintItem[] = [];
  for (const report of reports.reports) {
    if (report.range.end < range.start || report.range.end > range.end) continue;
    const outcome = report.on(gpu);
    if (!outcome) continue;
    const label = hintLabel(outcome, settings.inlayHints, modelError, report.launch?.notTaken !== undefined);
    if (label === null) continue;
    // After the statement's `;` (CUDA) or the list's `,` (a triton.Config) when one follows directly.
    const next = reports.text.charCodeAt(report.range.end);
    const offset = next === 59 || next === 44 ? report.range.end + 1 : report.range.end;
    out.push({ offset, label, tooltip: hintTooltip(report, outcome, modelError), paddingLeft: true });
  }
  return out.sort((a, b) => a.offset - b.offset);
}
