// The rows of the "Show my profiles" table, its filters and its CSV export: plain functions shared by
// the extension host (export) and the webview (display), so both filter the same way. No I/O, no 'vscode'.
import type { ProfileRecord } from '../../server/src/data/profile-record';

export interface ProfileRow {
  timestamp: string;
  gpu: string;
  gpuName: string;
  kernel: string;
  kernelName: string;
  dtype: string;
  m: number;
  n: number;
  k: number;
  params: string;
  runtimeMs: number;
  powerW: number | null;
  energyMj: number | null;
  check: string;
  tool: string;
}

export interface ProfileFilters {
  gpu?: string;
  dtype?: string;
  kernel?: string;
  /** Case-insensitive substring of kernel name, family, params, tool or GPU name. */
  text?: string;
}

export function profileRow(r: ProfileRecord): ProfileRow {
  return {
    timestamp: r.timestamp,
    gpu: r.gpu,
    gpuName: r.gpuName,
    kernel: r.kernel,
    kernelName: r.kernelName ?? '',
    dtype: r.dtype,
    m: r.m,
    n: r.n,
    k: r.k,
    params: Object.entries(r.params)
      .map(([key, value]) => `${key}=${value}`)
      .join(' '),
    runtimeMs: r.runtimeMs,
    powerW: r.powerW ?? null,
    energyMj: r.energyMj ?? null,
    check: r.check ?? '',
    tool: r.tool,
  };
}

export function filterRows(rows: readonly ProfileRow[], filters: ProfileFilters): ProfileRow[] {
  const text = filters.text?.trim().toLowerCase() ?? '';
  return rows.filter(
    (row) =>
      (!filters.gpu || row.gpu === filters.gpu || row.gpuName === filters.gpu) &&
      (!filters.dtype || row.dtype === filters.dtype) &&
      (!filters.kernel || row.kernel === filters.kernel) &&
      (!text || [row.kernelName, row.kernel, row.params, row.tool, row.gpuName].some((field) => field.toLowerCase().includes(text))),
  );
}

/** The distinct values of a column, sorted, for a filter's drop-down. */
export function distinct(rows: readonly ProfileRow[], key: 'gpuName' | 'dtype' | 'kernel'): string[] {
  return [...new Set(rows.map((row) => row[key]))].sort();
}

export const CSV_COLUMNS: ReadonlyArray<keyof ProfileRow> = [
  'timestamp',
  'gpu',
  'gpuName',
  'kernel',
  'kernelName',
  'dtype',
  'm',
  'n',
  'k',
  'params',
  'runtimeMs',
  'powerW',
  'energyMj',
  'check',
  'tool',
];

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so a spreadsheet does not run it as a formula.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function rowsToCsv(rows: readonly ProfileRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}
