// The chart webview's full script: receives typed messages from the host (messages.ts), draws the chart
// with Observable Plot, re-draws on resize and theme changes, and sends saves and selections back.
// The page's first-paint script (boot.ts) runs it once the first chart is on screen as plain SVG and hands
// it the VS Code API and the messages so far; this script draws that chart again with Plot, and everything after.
// One page serves every chart (the host keeps it loaded and switches charts by message); it keeps the
// latest chart of each kind, so the user can switch back without asking the server again, and keeps them in
// VS Code's webview state, so a panel VS Code restores after a window reload draws them again at once.
// It never fetches anything and never writes data into HTML strings.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import './style.css';
import { compareChart, METRIC_LABELS, type CompareMetric } from './compare-chart';
import { HANDOVER_KEY, type BootHandover } from './boot-handover';
import { chartNote } from './chart-data';
import { CHART_TITLES, parsePageState, type ChartKind, type HostMessage, type WebviewMessage } from './messages';
import { rooflineChart } from './roofline-chart';
import { mainSvg, pngBase64, svgText } from './save';
import { adoptPlotStyles, readTheme } from './theme';
import { tileSweepChart } from './tile-sweep-chart';
import { measuredCells, measuredSweepChart } from './measured-sweep-chart';

function handover(): BootHandover {
  const found = (window as unknown as Record<string, BootHandover | undefined>)[HANDOVER_KEY];
  if (!found) throw new Error('the chart page starts with boot.ts');
  return found;
}
const boot = handover();
const host = boot.host;
const post = (message: WebviewMessage) => host.postMessage(message);
const nonce = boot.nonce;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// The page's static skeleton (chart-html.ts); the Save buttons are defined now that the elements have loaded.
const byId = (id: string) => document.getElementById(id) as HTMLElement;
const nav = byId('charts');
const title = byId('title');
const controls = byId('controls');
const saveSvg = byId('save-svg');
const savePng = byId('save-png');
const status = byId('status');
const chart = byId('chart');
const note = byId('note');

type ChartData = Extract<HostMessage, { type: ChartKind }>;
let current: HostMessage | null = null;
/** The latest chart of each kind this page has drawn, for the buttons above the chart. */
const latest = new Map<ChartKind, ChartData>();
let compareMetric: CompareMetric = 'timeMs';
/** The command whose chart is waiting to be painted (its id goes back with `rendered`). */
let pendingPaint: { requestId: number; kind: ChartKind } | null = null;
const { marks } = boot;

function select(id: string, options: Array<{ value: string; label: string }>, selected: string, onChange: (value: string) => void): HTMLElement {
  const box = element('vscode-single-select', { id, 'aria-label': id });
  for (const option of options) {
    const node = element('vscode-option', { value: option.value }, option.label);
    if (option.value === selected) node.setAttribute('selected', '');
    box.append(node);
  }
  box.addEventListener('change', () => onChange((box as unknown as { value: string }).value));
  return box;
}

function fileStem(): string {
  const kind: ChartKind = current?.type === 'roofline' || current?.type === 'tileSweep' || current?.type === 'compare' ? current.type : 'roofline';
  return { roofline: 'tilecast-roofline', tileSweep: 'tilecast-tile-sweep', compare: 'tilecast-gpu-comparison' }[kind];
}

/** Buttons for the charts this page holds; the one shown is the primary button. */
function drawNav(shown: ChartKind | undefined): void {
  nav.replaceChildren();
  if (latest.size < 2) return;
  for (const kind of Object.keys(CHART_TITLES) as ChartKind[]) {
    const data = latest.get(kind);
    if (!data) continue;
    const button = element('vscode-button', { 'data-kind': kind, ...(kind === shown ? {} : { secondary: '' }) }, CHART_TITLES[kind]);
    button.addEventListener('click', () => {
      current = data;
      post({ type: 'showing', kind });
      saveState(kind);
      draw();
    });
    nav.append(button);
  }
}

/** The width a chart is drawn at; a resize that leaves it the same (the chart's own height changing) redraws nothing. */
const chartWidth = () => Math.max(320, Math.min(chart.clientWidth || document.body.clientWidth, 1100));
let drawnWidth = 0;

function draw(): void {
  if (!current) return;
  drawNav(current.type === 'loading' || current.type === 'failed' ? current.kind : current.type);
  const started = performance.now();
  chart.dataset.drawn = 'plot'; // what the page test waits for before it hovers (boot.ts draws 'static' first)
  const theme = readTheme();
  const width = chartWidth();
  drawnWidth = width;
  controls.replaceChildren();
  status.textContent = '';
  note.textContent = '';
  let drawn: Element | null = null;
  let kind: ChartKind;
  switch (current.type) {
    case 'loading':
      title.textContent = current.title;
      status.textContent = 'Predicting…';
      chart.replaceChildren();
      return;
    case 'failed':
      title.textContent = 'TileCast';
      status.textContent = current.message;
      chart.replaceChildren();
      return;
    case 'roofline':
      kind = 'roofline';
      title.textContent = current.data.title;
      if (current.data.points.length === 0) status.textContent = current.data.message ?? 'Nothing to plot at the cursor.';
      if (current.data.roofs.length > 0) drawn = rooflineChart(current.data, theme, width);
      note.textContent = chartNote(current);
      break;
    case 'tileSweep': {
      kind = 'tileSweep';
      const data = current.data;
      title.textContent = data.title;
      if (current.gpus.length > 1)
        controls.append(
          select(
            'gpu',
            current.gpus.map((g) => ({ value: g.id, label: g.name })),
            data.gpuId,
            (gpuId) => post({ type: 'selectGpu', gpuId }),
          ),
        );
      if (data.cells.length === 0) status.textContent = data.message ?? 'No tile parameters to sweep at the cursor.';
      else drawn = tileSweepChart(data, theme, width);
      note.textContent = chartNote(current);
      if (drawn && measuredCells(data).length > 0) {
        // Beside the prediction: the user's measurements on this GPU (profile store), as % off the prediction.
        const pair = element('div', { class: 'chart-pair' });
        const predicted = element('figure', { 'aria-label': 'predicted' });
        predicted.append(element('figcaption', {}, 'Predicted'), drawn);
        const measured = element('figure', { 'aria-label': 'measured vs predicted' });
        measured.append(element('figcaption', {}, 'Measured vs predicted'), measuredSweepChart(data, theme, width));
        pair.append(predicted, measured);
        drawn = pair;
        note.textContent += ' Right: your measurements (TileCast: My Profiles), red slower than predicted, blue faster.';
      }
      break;
    }
    case 'compare': {
      kind = 'compare';
      title.textContent = current.data.title;
      const metrics = (Object.keys(METRIC_LABELS) as CompareMetric[]).map((value) => ({ value, label: METRIC_LABELS[value] }));
      controls.append(
        select('metric', metrics, compareMetric, (value) => {
          compareMetric = value as CompareMetric;
          draw();
        }),
      );
      if (current.data.rows.length === 0) status.textContent = current.data.message ?? 'No GPUs to compare.';
      else drawn = compareChart(current.data, compareMetric, theme, width);
      note.textContent = chartNote(current);
      break;
    }
  }
  if (drawn) adoptPlotStyles(drawn, nonce);
  chart.replaceChildren(...(drawn ? [drawn] : []));
  const renderMs = performance.now() - started;
  if (drawn && pendingPaint?.kind === kind) {
    const { requestId } = pendingPaint;
    pendingPaint = null;
    const pageMarks = boot.firstPaintSent ? undefined : marks;
    boot.firstPaintSent = true;
    // Two frames: the chart has been laid out and painted when the second callback runs.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => post({ type: 'rendered', kind, requestId, sinceLoadMs: performance.now(), renderMs, marks: pageMarks })),
    );
  }
}

/** Keeps the charts this page holds in VS Code's webview state (what a restored panel draws again). */
function saveState(shown: ChartKind): void {
  const charts = [...latest.values()].map((chart) => ({ ...chart, requestId: undefined }));
  try {
    host.setState({ version: 1, shown, charts });
  } catch (error) {
    reportError(error); // the chart on screen does not depend on it
  }
}

async function save(format: 'svg' | 'png'): Promise<void> {
  const svg = mainSvg(chart.querySelector('figure') ?? chart);
  if (!svg) return;
  const text = svgText(svg, readTheme().background);
  if (format === 'svg') {
    post({ type: 'save', format, fileName: `${fileStem()}.svg`, data: text });
    return;
  }
  const { width, height } = svg.getBoundingClientRect();
  post({ type: 'save', format, fileName: `${fileStem()}.png`, data: await pngBase64(text, width, height) });
}

saveSvg.addEventListener('click', () => void save('svg').catch(reportError));
savePng.addEventListener('click', () => void save('png').catch(reportError));

function reportError(error: unknown): void {
  post({ type: 'scriptError', message: error instanceof Error ? error.message : String(error) });
}
window.addEventListener('error', (event) => reportError(event.error ?? event.message));

/** Takes a host message: the page's current chart, and the latest of its kind. */
function take(message: HostMessage): boolean {
  if (!message || typeof message !== 'object' || typeof message.type !== 'string') return false;
  if (!boot.firstPaintSent && marks.firstMessageMs === 0) marks.firstMessageMs = performance.now();
  if (!boot.firstPaintSent && message.type !== 'loading') marks.dataMs = performance.now();
  if (message.type === 'roofline' || message.type === 'tileSweep' || message.type === 'compare') {
    latest.set(message.type, message);
    // A chart boot.ts painted (as plain SVG) is drawn again with Plot, not reported again.
    const reported = message.requestId === undefined || boot.reported.includes(message.requestId);
    pendingPaint = reported ? null : { requestId: message.requestId!, kind: message.type };
  }
  current = message;
  return true;
}

function drawSafely(): void {
  try {
    draw();
  } catch (error) {
    reportError(error);
  }
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (!take(message)) return;
  drawSafely();
  if (message.type === 'roofline' || message.type === 'tileSweep' || message.type === 'compare') saveState(message.type);
});

// Re-draw for a new width (debounced to one frame) and when the theme changes (VS Code swaps body classes).
// The observer also fires when a chart joins the page (the box grows to its height): no second drawing then,
// which would take as long as the first and hold back the paint report.
let pendingFrame = 0;
new ResizeObserver(() => {
  cancelAnimationFrame(pendingFrame);
  pendingFrame = requestAnimationFrame(() => {
    if (chartWidth() !== drawnWidth) draw();
  });
}).observe(chart);
new MutationObserver(draw).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// A panel VS Code restored (the user left it open when the window closed): draw its charts from the saved
// state. A message from the host, if any, replaces them as usual.
const restored = parsePageState(host.getState());
if (restored) {
  for (const saved of restored.charts) latest.set(saved.type, saved);
  current = latest.get(restored.shown) ?? null;
  try {
    draw();
  } catch (error) {
    // A state this page cannot draw: start empty rather than fail again on every resize.
    latest.clear();
    current = null;
    chart.replaceChildren();
    reportError(error);
  }
}

// The messages boot.ts received: the last one is the chart on screen (drawn now with Plot).
const replayed = boot.messages.filter(take);
if (replayed.length > 0) {
  drawSafely();
  const shown = current?.type === 'roofline' || current?.type === 'tileSweep' || current?.type === 'compare' ? current.type : latest.keys().next().value;
  if (shown) saveState(shown);
}
