// Hosts the chart webviews (roofline, tile sweep, GPU comparison): one panel per kind, reused. The page
// is static HTML with a strict CSP and a per-load nonce; every datum goes in through postMessage
// (extension/webview/messages.ts), never into the HTML. Saving asks for a path and writes the bytes.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { chartHtml } from './chart-html';
import { isWebviewMessage, type ChartKind, type HostMessage, type PaintMarks, type WebviewMessage } from '../webview/messages';

const TITLES: Record<ChartKind, string> = { roofline: 'TileCast: Roofline', tileSweep: 'TileCast: Tile Sweep', compare: 'TileCast: Compare GPUs' };

export function nonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

function marksText(marks: PaintMarks | undefined): string {
  if (!marks) return '';
  return `; script fetched ${marks.scriptFetchedMs.toFixed(0)} ms, style ${marks.styleFetchedMs.toFixed(0)} ms, libraries loaded ${marks.librariesLoadedMs.toFixed(0)} ms, ready ${marks.readyMs.toFixed(0)} ms, data ${marks.dataMs.toFixed(0)} ms`;
}

export interface ChartPanelEvents {
  /** The webview asks for the tile sweep on another GPU. */
  onSelectGpu(kind: ChartKind, gpuId: string): void;
  log(line: string): void;
}

/** One reusable panel per chart kind. */
export class ChartPanels implements vscode.Disposable {
  private readonly panels = new Map<ChartKind, { panel: vscode.WebviewPanel; ready: Promise<void>; openedAt: number }>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly events: ChartPanelEvents,
  ) {}

  /** Opens (or reveals) the panel and shows `loading` at once; `show` then delivers the data. */
  open(kind: ChartKind, title: string): void {
    const existing = this.panels.get(kind);
    if (existing) {
      existing.panel.reveal(undefined, true);
      void this.post(kind, { type: 'loading', kind, title });
      return;
    }
    const openedAt = Date.now();
    const panel = vscode.window.createWebviewPanel(
      `tilecast.${kind}`,
      TITLES[kind],
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
        retainContextWhenHidden: false,
      },
    );
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (isWebviewMessage(message)) void this.handle(kind, message, markReady, openedAt);
    });
    panel.onDidDispose(() => this.panels.delete(kind));
    const asset = (name: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    panel.webview.html = chartHtml(panel.webview.cspSource, asset, nonce());
    this.panels.set(kind, { panel, ready, openedAt });
    void this.post(kind, { type: 'loading', kind, title });
  }

  async post(kind: ChartKind, message: HostMessage): Promise<void> {
    const entry = this.panels.get(kind);
    if (!entry) return;
    await entry.ready;
    await entry.panel.webview.postMessage(message);
  }

  private async handle(kind: ChartKind, message: WebviewMessage, markReady: () => void, openedAt: number): Promise<void> {
    switch (message.type) {
      case 'ready':
        markReady();
        return;
      case 'rendered':
        this.events.log(
          `${TITLES[kind]}: first paint ${Date.now() - openedAt} ms after the panel opened (page ${message.sinceLoadMs.toFixed(0)} ms, chart ${message.renderMs.toFixed(0)} ms${marksText(message.marks)})`,
        );
        return;
      case 'selectGpu':
        this.events.onSelectGpu(kind, message.gpuId);
        return;
      case 'scriptError':
        this.events.log(`${TITLES[kind]}: webview error: ${message.message}`);
        return;
      case 'save':
        await this.save(message);
        return;
    }
  }

  private async save(message: Extract<WebviewMessage, { type: 'save' }>): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, message.fileName) : undefined,
      filters: message.format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      saveLabel: `Save ${message.format.toUpperCase()}`,
    });
    if (!target) return;
    const bytes = message.format === 'svg' ? Buffer.from(message.data, 'utf8') : Buffer.from(message.data, 'base64');
    await vscode.workspace.fs.writeFile(target, bytes);
    this.events.log(`saved ${target.fsPath} (${bytes.length} bytes)`);
  }

  dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
    this.panels.clear();
  }
}
