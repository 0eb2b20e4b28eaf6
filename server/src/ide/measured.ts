// The user's measurements of the report under the cursor (issue 10), as lines for the hover: the
// latest matching profile record per target GPU, beside the prediction the hover shows. A record
// matches when its kernel, problem size, dtype and every tile value it names equal the report's
// current ones. Plain records in (the server reads the store), markdown out; no I/O.
import type { ProfileRecord } from '../data/profile-record';
import { findGpu } from '../perf/gpu-catalogue';
import type { DocumentReports } from './api';
import { reportNear } from './hover';
import { formatTime } from './render';
import { tunablesOf, type TileOverride, workloadWith } from './tile-candidates';
import { predictOptionsOf } from './reports';

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

/**
 * The prediction for a measured record of the launch at `offset`, through the report's own workload
 * mapping with the record's tile values applied (as the tile code actions predict other values), so it
 * is the number the hover shows for that configuration. Null when the record is not of that launch
 * (kernel, size, dtype) or names a value that is not one of its tile parameters.
 */
export function predictRecordAt(
  reports: DocumentReports,
  offset: number,
  record: ProfileRecord,
): { runtimeMs: { value: number; lo: number; hi: number } | null; error?: string } | null {
  const report = reportNear(reports, offset);
  const workload = report?.workload;
  if (!report || !workload) return null;
  if (report.kernel?.name && record.kernelName && record.kernelName !== report.kernel.name) return null;
  if (record.m !== workload.m || record.n !== workload.n || record.k !== workload.k || record.dtype !== workload.dtype) return null;
  const tunables = tunablesOf(reports, report);
  const overrides: TileOverride[] = [];
  for (const [name, value] of Object.entries(record.params)) {
    const param = tunables.find((p) => p.name === name);
    if (!param) return null;
    if (param.value !== value) overrides.push({ param, value });
  }
  const gpu = findGpu(record.gpu || record.gpuName);
  if (!gpu) return { runtimeMs: null, error: `${record.gpuName} is not in the GPU catalogue` };
  const { predictor, modelError } = reports.input;
  if (!predictor) return { runtimeMs: null, error: modelError ?? 'no model loaded' };
  const configured = overrides.length === 0 ? workload : workloadWith(report, tunables, overrides);
  if (!configured) return null;
  const p = overrides.length === 0 ? report.on(gpu)?.prediction : predictor.predict(configured, gpu, predictOptionsOf(reports.input.settings));
  if (!p || !Number.isFinite(p.runtimeMs)) return { runtimeMs: null, error: p?.error ?? 'the model gave no runtime' };
  return { runtimeMs: { value: p.runtimeMs, lo: p.runtimeLoMs, hi: p.runtimeHiMs } };
}
