// The "Show my profiles" webview script: a table of the profile store's records with filters (GPU,
// dtype, kernel family, text), sortable columns, measured against predicted, and CSV export (the host
// writes the file, filtering with the same function). Text goes in with textContent, never as HTML.
import './profiles.css';
import { distinct, filterRows, type ProfileFilters } from '../src/profiles-table';
import type { ProfilesHostMessage, ProfilesWebviewMessage, ProfileTableRow } from './profiles-messages';

declare function acquireVsCodeApi(): { postMessage(message: ProfilesWebviewMessage): void };
const host = acquireVsCodeApi();
const post = (message: ProfilesWebviewMessage) => host.postMessage(message);

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

const header = element('header');
const gpuFilter = element('select', { id: 'filter-gpu', 'aria-label': 'GPU' });
const dtypeFilter = element('select', { id: 'filter-dtype', 'aria-label': 'Element type' });
const kernelFilter = element('select', { id: 'filter-kernel', 'aria-label': 'Kernel family' });
const textFilter = element('input', { id: 'filter-text', type: 'search', placeholder: 'Filter kernel, tiles, tool…', 'aria-label': 'Text filter' });
const exportButton = element('button', { id: 'export-csv' }, 'Export CSV');
const refreshButton = element('button', { id: 'refresh', class: 'secondary' }, 'Refresh');
header.append(element('h1', {}, 'My profiles'), gpuFilter, dtypeFilter, kernelFilter, textFilter, exportButton, refreshButton);
const status = element('p', { id: 'status', role: 'status' }, 'Reading the profile store…');
const table = element('table', { id: 'profiles' });
const note = element('p', { class: 'note' });
document.body.append(header, status, table, note);

let rows: ProfileTableRow[] = [];
let store = '';
let sortKey: keyof ProfileTableRow = 'timestamp';
let sortDescending = true;

function fillSelect(select: HTMLSelectElement, label: string, values: string[]): void {
  const previous = select.value;
  select.replaceChildren(element('option', { value: '' }, `All ${label}`), ...values.map((v) => element('option', { value: v }, v)));
  select.value = values.includes(previous) ? previous : '';
}

function filters(): ProfileFilters {
  const f: ProfileFilters = {};
  if (gpuFilter.value) f.gpu = gpuFilter.value;
  if (dtypeFilter.value) f.dtype = dtypeFilter.value;
  if (kernelFilter.value) f.kernel = kernelFilter.value;
  if (textFilter.value.trim()) f.text = textFilter.value;
  return f;
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toPrecision(3);
}

const COLUMNS: Array<{ key: keyof ProfileTableRow; label: string; numeric?: boolean }> = [
  { key: 'timestamp', label: 'When' },
  { key: 'gpuName', label: 'GPU' },
  { key: 'kernelName', label: 'Kernel' },
  { key: 'kernel', label: 'Family' },
  { key: 'dtype', label: 'Type' },
  { key: 'm', label: 'M', numeric: true },
  { key: 'n', label: 'N', numeric: true },
  { key: 'k', label: 'K', numeric: true },
  { key: 'params', label: 'Tiles' },
  { key: 'runtimeMs', label: 'Measured ms', numeric: true },
  { key: 'predictedMs', label: 'Predicted ms', numeric: true },
  { key: 'powerW', label: 'Power W', numeric: true },
  { key: 'check', label: 'Check' },
];

function cell(row: ProfileTableRow, key: keyof ProfileTableRow): HTMLTableCellElement {
  const column = COLUMNS.find((c) => c.key === key)!;
  const td = element('td', column.numeric ? { class: 'number' } : {});
  const value = row[key];
  if (key === 'runtimeMs' || key === 'predictedMs') td.textContent = typeof value === 'number' ? ms(value) : '–';
  else if (key === 'powerW') td.textContent = typeof value === 'number' ? value.toFixed(0) : '–';
  else td.textContent = value === null || value === undefined ? '' : String(value);
  if (key === 'predictedMs' && row.predictedMs === null && row.predictionError) td.title = row.predictionError;
  if (key === 'predictedMs' && row.predictedMs !== null) {
    const delta = Math.round(((row.runtimeMs - row.predictedMs) / row.predictedMs) * 100);
    td.textContent += ` (${delta >= 0 ? '+' : ''}${delta}%)`;
    td.title = `measured is ${Math.abs(delta)}% ${delta >= 0 ? 'above' : 'below'} the prediction`;
    if (Math.abs(delta) > 25) td.classList.add(delta > 0 ? 'over' : 'under');
  }
  return td;
}

function compare(a: ProfileTableRow, b: ProfileTableRow): number {
  const x = a[sortKey];
  const y = b[sortKey];
  const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
  return sortDescending ? -order : order;
}

function draw(): void {
  const shown = (filterRows(rows, filters()) as ProfileTableRow[]).sort(compare);
  const head = element('tr');
  for (const column of COLUMNS) {
    const th = element(
      'th',
      { scope: 'col', tabindex: '0', 'aria-sort': column.key === sortKey ? (sortDescending ? 'descending' : 'ascending') : 'none' },
      column.label,
    );
    const sort = () => {
      sortDescending = column.key === sortKey ? !sortDescending : false;
      sortKey = column.key;
      draw();
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') sort();
    });
    head.append(th);
  }
  const body = shown.map((row) => {
    const tr = element('tr');
    for (const column of COLUMNS) tr.append(cell(row, column.key));
    return tr;
  });
  table.replaceChildren(element('thead'), element('tbody'));
  table.tHead!.append(head);
  table.tBodies[0].append(...body);
  status.textContent =
    rows.length === 0
      ? `No profiles in ${store} yet. Profile a kernel (TileCast: Profile Kernel at Cursor) or import ncu / Kernel Tuner files.`
      : `${shown.length} of ${rows.length} record(s) in ${store}`;
  exportButton.toggleAttribute('disabled', shown.length === 0);
}

for (const control of [gpuFilter, dtypeFilter, kernelFilter]) control.addEventListener('change', draw);
textFilter.addEventListener('input', draw);
exportButton.addEventListener('click', () => post({ type: 'exportCsv', filters: filters() }));
refreshButton.addEventListener('click', () => post({ type: 'refresh' }));

window.addEventListener('message', (event: MessageEvent<ProfilesHostMessage>) => {
  const message = event.data;
  if (message.type === 'failed') {
    status.textContent = message.message;
    return;
  }
  rows = message.rows;
  store = message.store;
  fillSelect(gpuFilter, 'GPUs', distinct(rows, 'gpuName'));
  fillSelect(dtypeFilter, 'types', distinct(rows, 'dtype'));
  fillSelect(kernelFilter, 'families', distinct(rows, 'kernel'));
  note.textContent = message.problems.length
    ? `Skipped in the store: ${message.problems.slice(0, 5).join('; ')}${message.problems.length > 5 ? ` and ${message.problems.length - 5} more` : ''}`
    : '';
  draw();
});
window.addEventListener('error', (event) => post({ type: 'scriptError', message: String(event.message) }));
post({ type: 'ready' });
