// The TileCast VS Code client: the output channel, the language client, the status-bar GPU, the
// commands and the chart webviews. The only code that imports 'vscode'; it holds no analysis logic.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { StatusParams } from '../../server/src/ide/protocol';
import { CHART_VIEW_TYPE, ChartPanel } from './chart-panel';
import { createClient } from './client';
import { registerCommands } from './commands';
import { measuredForSweep, registerProfilingCommands } from './profiling-commands';
import { configuredGpus } from './gpu-picker';
import { statusBarText, statusLines } from './status-line';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('TileCast');
  context.subscriptions.push(output);
  output.appendLine(
    `TileCast ${String(context.extension.packageJSON.version)} activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted: nothing runs a compiler'})`,
  );

  let status: StatusParams | null = null;
  const statusItem = vscode.window.createStatusBarItem('tilecast.gpu', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'TileCast GPU';
  statusItem.command = 'tilecast.selectPrimaryGpu';
  const refreshStatusItem = () => {
    statusItem.text = statusBarText(status, configuredGpus());
    const tooltip = new vscode.MarkdownString('**TileCast**: predictions for ');
    tooltip.appendText((status?.gpus.map((g) => g.name) ?? configuredGpus()).join(', ') || 'no GPU');
    tooltip.appendMarkdown('\n\nClick to choose the primary GPU.');
    if (status && !status.model.ok) tooltip.appendText(`\n\nModel unavailable: ${status.model.error}`);
    statusItem.tooltip = tooltip;
    statusItem.backgroundColor =
      status && (!status.model.ok || status.unknownGpus.length > 0) ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  };
  refreshStatusItem();
  statusItem.show();
  context.subscriptions.push(
    statusItem,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('tilecast.gpus')) refreshStatusItem();
    }),
  );

  // A status comes at each server start and again when settings change; write it only when it says something new.
  let lastStatusLines = '';
  const onStatus = (params: StatusParams) => {
    status = params;
    const lines = statusLines(params).join('\n');
    if (lines !== lastStatusLines) output.appendLine(lines);
    lastStatusLines = lines;
    refreshStatusItem();
  };
  client = createClient(context, output, onStatus);
  const request = <R>(method: string, params?: unknown): Promise<R> =>
    client ? client.sendRequest<R>(method, params) : Promise.reject(new Error('the server is not running'));

  const panels = new ChartPanel(context.extensionUri, {
    onSelectGpu: (_kind, gpuId) => commands.sweepOnGpu(gpuId),
    log: (line) => output.appendLine(line),
  });
  const commands = registerCommands({
    request,
    panels,
    output,
    extensionUri: context.extensionUri,
    targetGpus: () => status?.gpus ?? configuredGpus().map((id) => ({ id, name: id })),
    measuredFor: (data) => measuredForSweep(data, data.kernelName),
  });
  const profiling = registerProfilingCommands({
    extensionUri: context.extensionUri,
    output,
    request,
    primaryGpu: () => status?.gpus[0]?.id,
    showTileSweep: (point) => commands.showTileSweep(point),
  });
  context.subscriptions.push(panels, ...commands.disposables, ...profiling);
  // A chart panel left open when the window closed comes back with it (its page redraws its saved charts).
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(CHART_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => panels.adopt(panel),
    }),
  );

  // Trust lets the server run ptxas; it only ever goes from untrusted to trusted, so restart once then.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.appendLine('Workspace trusted: restarting the TileCast server');
      lastStatusLines = '';
      void client?.stop().then(() => {
        client = createClient(context, output, onStatus);
        return client.start();
      });
    }),
  );

  try {
    await client.start();
  } catch (error) {
    output.appendLine(`The TileCast server did not start: ${error instanceof Error ? error.message : String(error)}`);
    void vscode.window.showErrorMessage('TileCast: the language server did not start; see the TileCast output.', 'Show Output').then((choice) => {
      if (choice) output.show(true);
    });
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
