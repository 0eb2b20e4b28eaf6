// The chart page's first-paint script, the only script the page runs while it loads: a few kB, no chart
// library. It draws the first chart the host sends as plain SVG (static-charts.ts) and reports it painted,
// then starts the full script (main.ts: Observable Plot, the controls), which the page carries as an inert
// <script type="text/plain"> and this script runs as a nonce'd script once the chart is on screen; the Plot
// chart (pointer tips, saving, resizing) then replaces the static one. Before, the page evaluated Plot (and
// created its first Intl.NumberFormat) before the load event, when VS Code delivers the host's waiting
// messages, and drew the chart with Plot (docs/webviews.md, First paint).
import { HANDOVER_KEY, type BootHandover, type VsCodeApi } from './boot-handover';
import { chartNote } from './chart-data';
import type { HostMessage } from './messages';
import { parsePageState } from './messages';
import { staticCompare, staticRoofline, staticTileSweep } from './static-charts';
import { readTheme } from './theme';

const scriptMs = performance.now();
declare function acquireVsCodeApi(): VsCodeApi;
const handover: BootHandover = {
  host: acquireVsCodeApi(),
  nonce: (document.currentScript as HTMLScriptElement | null)?.nonce ?? '',
  messages: [],
  reported: [],
  marks: { scriptMs, listeningMs: 0, firstMessageMs: 0, dataMs: 0 },
  firstPaintSent: false,
};
(window as unknown as Record<string, BootHandover>)[HANDOVER_KEY] = handover;
/** Longest wait for a chart before the full script starts anyway (the host's answer is late, or none comes). */
const START_MAIN_AFTER_MS = 250;

const byId = (id: string) => document.getElementById(id) as HTMLElement;
let mainStarted = false;

/** Runs the full script: main.ts replays the messages and takes the page over. */
function startMain(): void {
  if (mainStarted) return;
  mainStarted = true;
  window.removeEventListener('message', onMessage);
  // The inert script follows this one in the page: a restored panel starts it before the parser has read it.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', runMain);
  else runMain();
}

function runMain(): void {
  const code = document.getElementById('tilecast-main')?.textContent ?? '';
  const script = document.createElement('script');
  script.nonce = handover.nonce;
  script.textContent = code;
  document.body.append(script);
}

/** The message's chart as plain SVG, or null where only the full script draws it (measured cells beside the sweep). */
function staticChart(message: HostMessage, width: number): Element | null {
  const theme = readTheme();
  switch (message.type) {
    case 'roofline':
      return message.data.roofs.length > 0 && message.data.points.length > 0 ? staticRoofline(message.data, theme, width) : null;
    case 'tileSweep':
      return message.data.cells.length > 0 && (message.data.measured ?? []).length === 0 ? staticTileSweep(message.data, theme, width) : null;
    case 'compare':
      return message.data.rows.length > 0 ? staticCompare(message.data, theme, width) : null;
    default:
      return null;
  }
}

function onMessage(event: MessageEvent<HostMessage>): void {
  const message = event.data;
  if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
  handover.messages.push(message);
  const { marks } = handover;
  if (marks.firstMessageMs === 0) marks.firstMessageMs = performance.now();
  if (message.type === 'loading') {
    byId('title').textContent = message.title;
    byId('status').textContent = 'Predicting…';
    return;
  }
  marks.dataMs = performance.now();
  let drawn: Element | null = null;
  const started = performance.now();
  try {
    const chart = byId('chart');
    drawn = staticChart(message, Math.max(320, Math.min(chart.clientWidth || document.body.clientWidth, 1100)));
    if (drawn && 'data' in message) {
      byId('title').textContent = message.data.title;
      byId('status').textContent = '';
      chart.dataset.drawn = 'static';
      chart.replaceChildren(drawn);
      byId('note').textContent = chartNote(message);
    }
  } catch {
    drawn = null; // the full script draws it (and reports what went wrong)
  }
  if (!drawn || message.requestId === undefined || (message.type !== 'roofline' && message.type !== 'tileSweep' && message.type !== 'compare')) {
    startMain();
    return;
  }
  const renderMs = performance.now() - started;
  const { requestId, type: kind } = message;
  handover.reported.push(requestId);
  handover.firstPaintSent = true;
  // Two frames: the chart has been laid out and painted when the second callback runs. Then Plot.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      handover.host.postMessage({ type: 'rendered', kind, requestId, sinceLoadMs: performance.now(), renderMs, marks });
      setTimeout(startMain, 0);
    }),
  );
}

// A panel VS Code restored with the window draws its saved charts with the full script at once.
if (parsePageState(handover.host.getState())) startMain();
else {
  window.addEventListener('message', onMessage);
  setTimeout(startMain, START_MAIN_AFTER_MS);
}
handover.marks.listeningMs = performance.now();
