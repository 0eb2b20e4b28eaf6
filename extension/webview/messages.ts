// The typed messages between the extension host (extension/src/chart-panel.ts) and the chart webview
// (extension/webview/boot.ts, then main.ts). Types only: both sides import it, and data never reaches the page's HTML.
import type { CompareGpusResult, RooflineResult, TileSweepResult } from '../../server/src/ide/protocol';

export type ChartKind = 'roofline' | 'tileSweep' | 'compare';

/** The panel's title (after "TileCast: ") and the chart's button in the page. */
export const CHART_TITLES: Record<ChartKind, string> = { roofline: 'Roofline', tileSweep: 'Tile Sweep', compare: 'Compare GPUs' };

/** One GPU as the tile-sweep selector lists it. */
export interface GpuChoice {
  id: string;
  name: string;
}

/** When the first chart's steps happened, in performance.now() of the webview (ms since its document started). */
export interface PaintMarks {
  /** The page's first-paint script (boot.ts) started; Plot and the elements load after the first chart. */
  scriptMs: number;
  /** That script has run (its message listener is registered; messages posted before wait in VS Code). */
  listeningMs: number;
  /** The first message from the host arrived (on a new panel: VS Code delivers the waiting ones on load). */
  firstMessageMs: number;
  /** The chart's data arrived. */
  dataMs: number;
}

/** A command's answer for the chart panel: a chart's data, or why there is none. */
export type ChartMessage =
  | { type: 'roofline'; data: RooflineResult }
  | { type: 'tileSweep'; data: TileSweepResult; gpus: GpuChoice[] }
  | { type: 'compare'; data: CompareGpusResult }
  | { type: 'failed'; kind: ChartKind; message: string };

/** Host -> webview. `requestId` names the command; the page answers `rendered` with it once the chart is painted. */
export type HostMessage = (ChartMessage | { type: 'loading'; kind: ChartKind; title: string }) & { requestId?: number };

/** Webview -> host. */
export type WebviewMessage =
  /** The chart of request `requestId` is on screen; `sinceLoadMs` is performance.now() in the webview (time since its
   * document started loading); `marks` come with the page's first chart only. */
  | { type: 'rendered'; kind: ChartKind; requestId?: number; sinceLoadMs: number; renderMs: number; marks?: PaintMarks }
  /** The user switched the page to another chart it holds (the host re-titles the panel). */
  | { type: 'showing'; kind: ChartKind }
  /** Save a chart: SVG text or a PNG as base64. */
  | { type: 'save'; format: 'svg' | 'png'; fileName: string; data: string }
  | { type: 'selectGpu'; gpuId: string }
  | { type: 'scriptError'; message: string };

/**
 * What the page keeps in VS Code's webview state (`setState`): the latest chart of each kind and the one
 * shown. VS Code hands it back when it restores a panel the user left open (after a window reload), so the
 * page draws those charts again without asking the host.
 */
export interface PageState {
  version: 1;
  shown: ChartKind;
  charts: Array<Extract<HostMessage, { type: ChartKind }>>;
}

/** The saved state, if it has the shape this page writes (anything else: null, the page starts empty). */
export function parsePageState(value: unknown): PageState | null {
  if (typeof value !== 'object' || value === null) return null;
  const s = value as { version?: unknown; shown?: unknown; charts?: unknown };
  if (s.version !== 1 || !isChartKind(s.shown) || !Array.isArray(s.charts)) return null;
  const charts = s.charts.filter(
    (c): c is PageState['charts'][number] =>
      typeof c === 'object' &&
      c !== null &&
      isChartKind((c as { type?: unknown }).type) &&
      typeof (c as { data?: unknown }).data === 'object' &&
      (c as { data?: unknown }).data !== null,
  );
  if (charts.length === 0 || !charts.some((c) => c.type === s.shown)) return null;
  return { version: 1, shown: s.shown, charts };
}

function isChartKind(value: unknown): value is ChartKind {
  return typeof value === 'string' && Object.hasOwn(CHART_TITLES, value);
}

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { type?: unknown };
  switch (message.type) {
    case 'rendered': {
      const m = value as { kind?: unknown; requestId?: unknown; sinceLoadMs?: unknown; renderMs?: unknown };
      return (
        isChartKind(m.kind) &&
        (m.requestId === undefined || typeof m.requestId === 'number') &&
        typeof m.sinceLoadMs === 'number' &&
        typeof m.renderMs === 'number'
      );
    }
    case 'showing':
      return isChartKind((value as { kind?: unknown }).kind);
    case 'save': {
      const m = value as { format?: unknown; fileName?: unknown; data?: unknown };
      return (m.format === 'svg' || m.format === 'png') && typeof m.fileName === 'string' && typeof m.data === 'string';
    }
    case 'selectGpu':
      return typeof (value as { gpuId?: unknown }).gpuId === 'string';
    case 'scriptError':
      return typeof (value as { message?: unknown }).message === 'string';
    default:
      return false;
  }
}
