// Hosts the chart webview: one long-lived panel for the roofline, the tile sweep and the GPU comparison.
// Its document stays loaded (retainContextWhenHidden) and switches charts by message, because VS Code
// starts a new webview's page about 1 s late once another webview has existed (docs/webviews.md, First
// paint). The page is static HTML with a strict CSP and a per-load nonce, with our bundled script and
// stylesheet inlined (read once from dist/webview/), so it fetches nothing (a small first-paint script draws
// the first chart as plain SVG, then runs the Plot script the page carries inert); every datum goes in through
// postMessage (extension/webview/messages.ts), never into the HTML. Messages are posted at once, also while
// the page loads: VS Code queues them and delivers them when the page's inline script has run. Saving asks
// for a path and writes the bytes. A panel left open when the window closed comes back with the window
// (`adopt`, from the serializer in extension.ts): its page draws the charts it kept in its state, and the
// next chart command reuses it instead of waiting for a new webview.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { chartHtml, type ChartAssets } from './chart-html';
import { CHART_TITLES, isWebviewMessage, type ChartKind, type ChartMessage, type HostMessage, type PaintMarks, type WebviewMessage } from '../webview/messages';

export function nonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

function marksText(marks: PaintMarks | undefined): string {
  if (!marks) return '';
  return `; script ${marks.scriptMs.toFixed(0)} ms, listening ${marks.listeningMs.toFixed(0)} ms, first message ${marks.firstMessageMs.toFixed(0)} ms, data ${marks.dataMs.toFixed(0)} ms`;
}

export interface ChartPanelEvents {
  /** The webview asks for the tile sweep on another GPU. */
  onSelectGpu(kind: ChartKind, gpuId: string): void;
  log(line: string): void;
}

/** One command's chart: `show` delivers its data (or failure) to the panel, tagged with the request. */
export interface ChartRequest {
  show(message: ChartMessage): Promise<void>;
}

interface OpenPanel {
  panel: vscode.WebviewPanel;
  /** VS Code restored it with the window (adopt), rather than a command creating it. */
  restored: boolean;
}

interface PendingPaint {
  kind: ChartKind;
  commandAt: number;
  /** The command created the panel (its page had to load) rather than reusing it. */
  newPanel: boolean;
}

const TITLE_PREFIX = 'TileCast: ';
/** The chart panel's view type (its serializer restores panels of this type; package.json activates on it). */
export const CHART_VIEW_TYPE = 'tilecast.charts';
/** Scripts on; the page loads no file (its script and stylesheet are in the HTML). */
const WEBVIEW_OPTIONS: vscode.WebviewOptions = { enableScripts: true, localResourceRoots: [] };

/** The one chart panel: created by the first chart command, reused (revealed, re-titled) by the others. */
export class ChartPanel implements vscode.Disposable {
  private open_: OpenPanel | undefined;
  private nextRequestId = 1;
  private readonly pending = new Map<number, PendingPaint>();
  /** dist/webview/boot.js, charts.js and charts.css, read when the first panel is created. */
  private assets: ChartAssets | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly events: ChartPanelEvents,
  ) {}

  /**
   * Opens (or reveals) the panel and shows "Predicting…" at once; the returned request delivers the data.
   * `commandAt` (Date.now() when the command was invoked) is where the logged first paint is timed from.
   */
  open(kind: ChartKind, commandAt = Date.now()): ChartRequest {
    const requestId = this.nextRequestId++;
    const newPanel = !this.open_;
    const entry = this.open_ ?? this.create();
    entry.panel.title = TITLE_PREFIX + CHART_TITLES[kind];
    if (!newPanel) entry.panel.reveal(undefined, true);
    this.pending.set(requestId, { kind, commandAt, newPanel });
    void this.post({ type: 'loading', kind, title: CHART_TITLES[kind], requestId });
    return { show: (message) => this.post({ ...message, requestId }) };
  }

  private create(): OpenPanel {
    // Before the panel exists: a missing or uninlinable bundle fails the command without leaving an empty tab.
    this.assets ??= this.readAssets();
    const html = chartHtml(this.assets, nonce());
    const panel = vscode.window.createWebviewPanel(
      CHART_VIEW_TYPE,
      TITLE_PREFIX + 'Charts',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        ...WEBVIEW_OPTIONS,
        // Keeps the page loaded behind other tabs: a reload would run the script again and lose the charts it holds.
        retainContextWhenHidden: true,
      },
    );
    return this.wire(panel, html, false);
  }

  /**
   * Takes over a chart panel VS Code restored with the window (registerWebviewPanelSerializer): the new page
   * draws the charts its saved state holds, and chart commands reuse the panel. A second restored panel (two
   * windows' worth of state) is closed: the session keeps one.
   */
  adopt(panel: vscode.WebviewPanel): void {
    if (this.open_) {
      panel.dispose();
      return;
    }
    try {
      this.assets ??= this.readAssets();
    } catch (error) {
      this.events.log(`Chart panel not restored: ${error instanceof Error ? error.message : String(error)}`);
      panel.dispose();
      return;
    }
    panel.webview.options = WEBVIEW_OPTIONS;
    this.wire(panel, chartHtml(this.assets, nonce()), true);
    this.events.log('Chart panel restored with the window');
  }

  private wire(panel: vscode.WebviewPanel, html: string, restored: boolean): OpenPanel {
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (isWebviewMessage(message)) void this.handle(message);
    });
    panel.onDidDispose(() => {
      this.open_ = undefined;
      this.pending.clear();
    });
    panel.webview.html = html;
    this.open_ = { panel, restored };
    return this.open_;
  }

  private readAssets(): ChartAssets {
    const read = (name: string) => readFileSync(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name).fsPath, 'utf8');
    return { boot: read('boot.js'), script: read('charts.js'), style: read('charts.css') };
  }

  /**
   * Posts at once, also to a page that is still loading: VS Code keeps the messages for a webview until its
   * document has loaded (after the inline script registered its listener) and delivers them in order.
   */
  private async post(message: HostMessage): Promise<void> {
    await this.open_?.panel.webview.postMessage(message);
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'rendered': {
        const paint = this.pending.get(message.requestId ?? 0);
        if (!paint) return;
        this.pending.delete(message.requestId ?? 0);
        // Marks come with a page's first chart: on a reused panel they mean its page is new (restored or reloaded).
        const reloaded = this.open_?.restored ? 'panel restored with the window' : 'panel reused, page reloaded';
        const panel = paint.newPanel ? 'new panel' : message.marks ? reloaded : 'panel reused';
        const page = message.marks ? `page ${message.sinceLoadMs.toFixed(0)} ms, ` : '';
        const where = `${panel}; ${page}chart ${message.renderMs.toFixed(0)} ms${marksText(message.marks)}`;
        this.events.log(`${CHART_TITLES[paint.kind]}: first paint ${Date.now() - paint.commandAt} ms after the command (${where})`);
        return;
      }
      case 'showing':
        if (this.open_) this.open_.panel.title = TITLE_PREFIX + CHART_TITLES[message.kind];
        return;
      case 'selectGpu':
        this.events.onSelectGpu('tileSweep', message.gpuId);
        return;
      case 'scriptError':
        this.events.log(`Chart webview error: ${message.message}`);
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
    this.open_?.panel.dispose();
    this.open_ = undefined;
  }
}
