// The user's measurements of the report under the cursor (issue 10), as lines for the hover: the
// latest matching profile record per target GPU, beside the prediction the hover shows. A record
// matches when its kernel, problem size, dtype and every tile value it names equal the report's
// current ones. Plain records in (the server reads the store), markdown out; no I/O.
import type { ProfileRecord } from '../data/profile-record';
import { findGpu } from '../perf/gpu-catalogue';
import type { DocumentReports } from './api';
import { reportNear } from './hover';
import { formatTime } from './render';
import { tunablesOf } from './tile-candidates';

/** Markdown lines ("**Measured** …") for the report at `offset`, or null when no record matches. */
export function measuredMarkdown(reports: DocumentReports, offset: number, records: readonly ProfileRecord[]): string | null {
  if (records.length === 0) return null;
  const report = reportNear(reports, offset);
  const workload = report?.workload;
  if (!report || !workload) return null;
  const values = new Map<string, number | null>(tunablesOf(reports, report).map((p) => [p.name, p.value]));
  const kernelName = report.kernel?.name;
  const lines: string[] = [];
  for (const gpu of reports.input.gpus) {
    let latest: ProfileRecord | null = null;
    for (const r of records) {
      if (r.check === 'failed' || (r.gpu || findGpu(r.gpuName)?.id) !== gpu.id) continue;
      if (kernelName && r.kernelName && r.kernelName !== kernelName) continue;
      if (r.m !== workload.m || r.n !== workload.n || r.k !== workload.k || r.dtype !== workload.dtype) continue;
      if (!Object.entries(r.params).every(([name, value]) => values.get(name) === value)) continue;
      if (!latest || r.timestamp > latest.timestamp) latest = r;
    }
    if (!latest) continue;
    const predicted = report.on(gpu)?.prediction?.runtimeMs;
    const versus =
      predicted !== undefined && Number.isFinite(predicted) && predicted > 0
        ? ` vs predicted ${formatTime(predicted)}, ${latest.runtimeMs >= predicted ? '+' : ''}${Math.round(((latest.runtimeMs - predicted) / predicted) * 100)}%`
        : '';
    const power = latest.powerW !== undefined ? `, ${Math.round(latest.powerW)} W` : '';
    lines.push(`**Measured** on ${gpu.name}: ${formatTime(latest.runtimeMs)}${versus}${power} (your profile of ${latest.timestamp.slice(0, 10)})`);
  }
  return lines.length > 0 ? lines.join('  \n') : null;
}
