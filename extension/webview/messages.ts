// The typed messages between the extension host (extension/src/chart-panel.ts) and the chart webview
// (extension/webview/main.ts). Types only: both sides import it, and data never reaches the page's HTML.
import type { CompareGpusResult, RooflineResult, TileSweepResult } from '../../server/src/ide/protocol';

export type ChartKind = 'roofline' | 'tileSweep' | 'compare';

/** One GPU as the tile-sweep selector lists it. */
export interface GpuChoice {
  id: string;
  name: string;
}

/** When the first chart's steps happened, in performance.now() of the webview (ms since its document started). */
export interface PaintMarks {
  /** When the page's script and stylesheet had arrived (resource timing responseEnd); -1 if unknown. */
  scriptFetchedMs: number;
  styleFetchedMs: number;
  librariesLoadedMs: number;
  readyMs: number;
  dataMs: number;
}

/** Host -> webview. */
export type HostMessage =
  | { type: 'loading'; kind: ChartKind; title: string }
  | { type: 'roofline'; data: RooflineResult }
  | { type: 'tileSweep'; data: TileSweepResult; gpus: GpuChoice[] }
  | { type: 'compare'; data: CompareGpusResult }
  | { type: 'failed'; kind: ChartKind; message: string };

/** Webview -> host. */
export type WebviewMessage =
  | { type: 'ready' }
  /** A chart is on screen; `sinceLoadMs` is performance.now() in the webview (time since its document started loading). */
  | { type: 'rendered'; kind: ChartKind; sinceLoadMs: number; renderMs: number; marks?: PaintMarks }
  /** Save a chart: SVG text or a PNG as base64. */
  | { type: 'save'; format: 'svg' | 'png'; fileName: string; data: string }
  | { type: 'selectGpu'; gpuId: string }
  | { type: 'scriptError'; message: string };

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { type?: unknown };
  switch (message.type) {
    case 'ready':
      return true;
    case 'rendered': {
      const m = value as { kind?: unknown; sinceLoadMs?: unknown; renderMs?: unknown };
      return typeof m.kind === 'string' && typeof m.sinceLoadMs === 'number' && typeof m.renderMs === 'number';
    }
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
