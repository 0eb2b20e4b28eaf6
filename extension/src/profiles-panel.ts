// Hosts the "Show my profiles" webview: one panel, reused. Static page with a strict CSP and a nonce
// (profiles-html.ts); the rows go in by postMessage; CSV export filters with the same function as the
// page (profiles-table.ts) and writes where the user chooses.
import * as vscode from 'vscode';
import { nonce } from './chart-panel';
import { profilesHtml } from './profiles-html';
import { filterRows, rowsToCsv } from './profiles-table';
import { isProfilesWebviewMessage, type ProfilesHostMessage, type ProfileTableRow } from '../webview/profiles-messages';

export interface ProfilesData {
  store: string;
  rows: ProfileTableRow[];
  problems: string[];
}

export class ProfilesPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready: Promise<void> = Promise.resolve();
  private rows: ProfileTableRow[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly load: () => Promise<ProfilesData>,
    private readonly log: (line: string) => void,
  ) {}

  /** Opens (or reveals) the panel and (re)loads the store into it. */
  async show(): Promise<void> {
    if (this.panel) this.panel.reveal(undefined, false);
    else this.create();
    await this.refresh();
  }

  private create(): void {
    const panel = vscode.window.createWebviewPanel('tilecast.profiles', 'TileCast: My Profiles', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
    });
    let markReady: () => void = () => undefined;
    this.ready = new Promise<void>((resolve) => (markReady = resolve));
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isProfilesWebviewMessage(message)) return;
      if (message.type === 'ready') markReady();
      else if (message.type === 'refresh') void this.refresh();
      else if (message.type === 'scriptError') this.log(`My profiles: webview error: ${message.message}`);
      else void this.exportCsv(filterRows(this.rows, message.filters) as ProfileTableRow[]);
    });
    panel.onDidDispose(() => (this.panel = undefined));
    const asset = (name: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    panel.webview.html = profilesHtml(panel.webview.cspSource, asset, nonce());
    this.panel = panel;
  }

  private async post(message: ProfilesHostMessage): Promise<void> {
    await this.ready;
    await this.panel?.webview.postMessage(message);
  }

  async refresh(): Promise<void> {
    if (!this.panel) return;
    try {
      const data = await this.load();
      this.rows = data.rows;
      await this.post({ type: 'profiles', ...data });
    } catch (error) {
      await this.post({ type: 'failed', message: `TileCast could not read the profile store: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  private async exportCsv(rows: ProfileTableRow[]): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, 'tilecast-profiles.csv') : undefined,
      filters: { CSV: ['csv'] },
      saveLabel: 'Export',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(rowsToCsv(rows), 'utf8'));
    this.log(`exported ${rows.length} profile rows to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`TileCast: exported ${rows.length} profile rows to ${vscode.workspace.asRelativePath(target)}.`);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
