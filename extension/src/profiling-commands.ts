// The profiling commands (issue 10): Profile / Sweep the kernel at the cursor or code lens, Retrain,
// Revert, Import and Show my profiles. Each builds an argument array (profiling-core.ts), runs the bundled
// CLI in a child process under a cancellable progress notification, logs everything to the TileCast
// output channel and shows the result. Profile and Sweep need workspace trust.
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { parseProfileJsonl, type ProfileRecord } from '../../server/src/data/profile-record';
import {
  PREDICT_PROFILES_REQUEST,
  RELOAD_MODEL_REQUEST,
  type DocumentPoint,
  type PredictProfilesResult,
  type StatusParams,
  type TileSweepResult,
} from '../../server/src/ide/protocol';
import { readStore, storeLocation } from '../../server/src/platform/profile-store';
import { runCli, type CliRun } from './cli-process';
import {
  DEFAULT_PROFILE_SETTINGS,
  describeWhere,
  importArgs,
  importNeedsSize,
  isMissingGpuMessage,
  lastCliError,
  measuredSweepCells,
  parseRecordLines,
  parseRetrainAnswer,
  parseRetrainProgress,
  profileArgs,
  retrainArgs,
  revertArgs,
  summariseRun,
  trustRefusal,
  type ProfileSettings,
  type ProfilingCommand,
} from './profiling-core';
import { ProfilesPanel, type ProfilesData } from './profiles-panel';
import { profileRow } from './profiles-table';

export interface ProfilingContext {
  extensionUri: vscode.Uri;
  output: vscode.OutputChannel;
  request<R>(method: string, params?: unknown): Promise<R>;
  /** The primary GPU (catalogue id) the harness is built for. */
  primaryGpu(): string | undefined;
  /** Re-runs the tile-sweep chart at a point (after a sweep measured it). */
  showTileSweep(point: DocumentPoint): Promise<void>;
}

export function readProfileSettings(): ProfileSettings {
  const c = vscode.workspace.getConfiguration('tilecast.profile');
  const d = DEFAULT_PROFILE_SETTINGS;
  const strings = (key: string) => (c.get<unknown[]>(key) ?? []).filter((x): x is string => typeof x === 'string');
  return {
    host: c.get<string>('host') ?? d.host,
    port: c.get<number | null>('port') ?? null,
    identityFile: c.get<string>('identityFile') ?? '',
    sshOptions: strings('sshOptions'),
    slurm: {
      enabled: c.get<boolean>('slurm.enabled') ?? false,
      partition: c.get<string>('slurm.partition') ?? '',
      account: c.get<string>('slurm.account') ?? '',
      time: c.get<string>('slurm.time') ?? d.slurm.time,
      options: strings('slurm.options'),
    },
    store: c.get<string>('store') === 'global' ? 'global' : 'workspace',
    clockPolicy: c.get<string>('clockPolicy') === 'locked' ? 'locked' : 'default',
    timeoutSeconds: c.get<number>('timeoutSeconds') ?? d.timeoutSeconds,
  };
}

function workspaceOf(uri?: vscode.Uri): string | undefined {
  const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

/** `tilecast.includePaths` as absolute folders (relative entries are from the file's workspace folder, as the server reads them). */
function includeDirsOf(uri: vscode.Uri): string[] {
  const listed = vscode.workspace.getConfiguration('tilecast', uri).get<unknown>('includePaths');
  if (!Array.isArray(listed)) return [];
  const base = workspaceOf(uri);
  return listed
    .filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '')
    .flatMap((entry) => (isAbsolute(entry) ? [entry] : base ? [join(base, entry)] : []));
}

/** `tilecast.compileCommandsDir` as an absolute folder (relative from the file's workspace folder), or undefined. */
function compileCommandsDirOf(uri: vscode.Uri): string | undefined {
  const dir = vscode.workspace.getConfiguration('tilecast', uri).get<unknown>('compileCommandsDir');
  if (typeof dir !== 'string' || dir.trim() === '') return undefined;
  const base = workspaceOf(uri);
  return isAbsolute(dir.trim()) ? dir.trim() : base ? join(base, dir.trim()) : undefined;
}

/** The profile store the settings choose, for this extension host's reads. */
export function currentStore(): { dir: string } {
  const settings = readProfileSettings();
  const workspace = workspaceOf();
  return storeLocation(settings.store === 'global' || !workspace ? { global: true } : { workspace });
}

export function registerProfilingCommands(context: ProfilingContext): vscode.Disposable[] {
  const { output } = context;
  const cliPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath;

  const refused = (command: ProfilingCommand): boolean => {
    const reason = trustRefusal(command, vscode.workspace.isTrusted);
    if (!reason) return false;
    output.appendLine(reason);
    void vscode.window.showWarningMessage(reason, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return true;
  };

  /** Runs the CLI under a cancellable progress notification; every stderr line goes to the output channel. */
  function cliWithProgress(
    title: string,
    args: string[],
    onLine: (line: string, report: (message: string, increment?: number) => void) => void,
  ): Thenable<CliRun> {
    output.appendLine(`$ tilecast ${args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
      runCli(cliPath, args, {
        cwd: workspaceOf(),
        onCancel: (listener) =>
          token.onCancellationRequested(() => {
            output.appendLine('cancelled: stopping the run (its processes are killed and remote directories removed)');
            listener();
          }),
        onStderrLine: (line) => {
          output.appendLine(line);
          onLine(line, (message, increment) => progress.report({ message, increment }));
        },
      }),
    );
  }

  function showFailure(run: CliRun, what: string): void {
    if (run.cancelled) {
      void vscode.window.showInformationMessage(`TileCast: ${what} cancelled.`);
      return;
    }
    const reason = run.startError ? `could not start the TileCast CLI (${run.startError})` : (lastCliError(run.stderrLines) ?? `exit code ${run.code}`);
    if (isMissingGpuMessage(reason)) {
      void vscode.window.showWarningMessage(`TileCast: ${reason}`, 'Set SSH Host', 'SLURM Settings', 'Show Output').then((choice) => {
        if (choice === 'Set SSH Host') void vscode.commands.executeCommand('workbench.action.openSettings', 'tilecast.profile.host');
        else if (choice === 'SLURM Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'tilecast.profile.slurm');
        else if (choice) output.show(true);
      });
      return;
    }
    void vscode.window.showErrorMessage(`TileCast: ${what} failed: ${reason}`, 'Show Output').then((choice) => {
      if (choice) output.show(true);
    });
  }

  async function predictionsFor(records: ProfileRecord[], point?: DocumentPoint): Promise<PredictProfilesResult['predictions']> {
    try {
      const answer = await context.request<PredictProfilesResult | null>(PREDICT_PROFILES_REQUEST, { records, ...(point ? { point } : {}) });
      if (answer) return answer.predictions;
    } catch (error) {
      output.appendLine(`no predictions for the records: ${error instanceof Error ? error.message : String(error)}`);
    }
    return records.map(() => ({ runtimeMs: null, error: 'the language server did not answer' }));
  }

  function pointOf(argument: unknown): { point: DocumentPoint; document: vscode.TextDocument } | undefined {
    const given = argument as DocumentPoint | undefined;
    if (typeof given?.uri === 'string' && typeof given.position?.line === 'number') {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === given.uri);
      if (document) return { point: given, document };
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('TileCast: open a CUDA or Triton file and put the cursor on a kernel launch to profile it.');
      return undefined;
    }
    const { line, character } = editor.selection.active;
    return { point: { uri: editor.document.uri.toString(), position: { line, character } }, document: editor.document };
  }

  async function profile(argument: unknown, sweep: boolean): Promise<void> {
    if (refused(sweep ? 'sweep' : 'profile')) return;
    const at = pointOf(argument);
    if (!at) return;
    if (at.document.uri.scheme !== 'file') {
      void vscode.window.showInformationMessage('TileCast: save the file to disk first; the harness is built from the file.');
      return;
    }
    if (at.document.isDirty && !(await at.document.save())) return;
    const settings = readProfileSettings();
    const args = profileArgs(
      {
        file: at.document.uri.fsPath,
        line: at.point.position.line,
        sweep,
        workspace: workspaceOf(at.document.uri),
        // Empty setting: build for the GPU that runs it (--arch native), so the records name the real device.
        gpuId: vscode.workspace.getConfiguration('tilecast.profile').get<string>('gpu')?.trim() || undefined,
        includeDirs: includeDirsOf(at.document.uri),
        compileCommandsDir: compileCommandsDirOf(at.document.uri),
      },
      settings,
    );
    output.appendLine(
      `${sweep ? 'Tile sweep' : 'Profiling'} ${vscode.workspace.asRelativePath(at.document.uri)}:${at.point.position.line + 1} on ${describeWhere(settings)}`,
    );
    const run = await cliWithProgress(`TileCast: ${sweep ? 'sweeping tiles' : 'profiling'} on ${describeWhere(settings)}`, args, (line, report) => {
      const m = /^tilecast profile: (.*)$/.exec(line);
      if (m) report(m[1]);
    });
    const { records, issues } = parseRecordLines(run.stdout);
    for (const issue of issues) output.appendLine(`not a record: ${issue}`);
    if (records.length === 0 || run.cancelled) {
      showFailure(run, sweep ? 'the tile sweep' : 'profiling');
      return;
    }
    const predictions = await predictionsFor(records, at.point);
    const summary = summariseRun(
      records,
      predictions.map((p) => ({ runtimeMs: p.runtimeMs?.value ?? null, error: p.error })),
    );
    output.appendLine(summary);
    const actions = sweep ? ['Show Tile Sweep', 'Show My Profiles'] : ['Show My Profiles'];
    const show = run.code === 0 ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    const text = run.code === 0 ? summary : `${summary} (some configurations were not stored: see the output)`;
    void show(text, ...actions).then((choice) => {
      if (choice === 'Show Tile Sweep') void context.showTileSweep(at.point);
      else if (choice === 'Show My Profiles') void profiles.show();
    });
  }

  async function retrain(): Promise<void> {
    const workspace = workspaceOf();
    const settings = readProfileSettings();
    let last = 0;
    const run = await cliWithProgress('TileCast: retraining on your profiles', retrainArgs(workspace, settings), (line, report) => {
      const p = parseRetrainProgress(line);
      if (!p) return;
      const percent = Math.round(p.fraction * 100);
      report(p.message, Math.max(0, percent - last));
      last = Math.max(last, percent);
    });
    if (run.code !== 0) {
      showFailure(run, 'retraining');
      return;
    }
    const manifest = parseRetrainAnswer(run.stdout) as {
      modelDir: string;
      strategy: string;
      why: string;
      fingerprint: string;
      before?: { mdAPEPct: number };
      strategies: Array<{ strategy: string; available: boolean; heldOut?: { mdAPEPct: number } }>;
    } | null;
    if (!manifest || typeof manifest.strategy !== 'string' || !Array.isArray(manifest.strategies)) {
      void vscode.window.showErrorMessage('TileCast: retraining finished but its answer could not be read; see the output.');
      output.appendLine(run.stdout);
      return;
    }
    const chosen = manifest.strategies.find((s) => s.strategy === manifest.strategy)?.heldOut?.mdAPEPct;
    const errors =
      manifest.before && chosen !== undefined
        ? `median runtime error on your held-out records ${manifest.before.mdAPEPct.toFixed(1)}% → ${chosen.toFixed(1)}%`
        : 'no held-out error';
    const summary = `TileCast: retrained (${manifest.strategy}): ${errors}. ${manifest.why}`;
    output.appendLine(`${summary} Stored in ${manifest.modelDir} (fingerprint ${manifest.fingerprint}).`);
    // The server loads the workspace's retrained model (either strategy) and says which model it uses.
    const inUse = await modelInUse();
    const choice = await vscode.window.showInformationMessage(`${summary}${inUse ? ` The editor now uses the ${inUse}.` : ''}`, 'Show Output');
    if (choice) output.show(true);
  }

  /** Asks the server to load the workspace's model now; its status line goes to the output. Returns which model ("shipped model", "your retrained model …"). */
  async function modelInUse(): Promise<string | null> {
    try {
      const status = await context.request<StatusParams | null>(RELOAD_MODEL_REQUEST);
      if (!status) return null;
      output.appendLine(status.message);
      return status.model.ok ? (status.model.source ?? null) : null;
    } catch (error) {
      output.appendLine(`TileCast: the server did not reload the model: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  async function revert(): Promise<void> {
    const workspace = workspaceOf();
    if (!workspace) {
      void vscode.window.showInformationMessage('TileCast: open a folder first; retrained models are stored per workspace.');
      return;
    }
    const run = await cliWithProgress('TileCast: reverting to the shipped model', revertArgs(workspace), () => undefined);
    if (run.code !== 0) {
      showFailure(run, 'reverting');
      return;
    }
    const config = vscode.workspace.getConfiguration('tilecast');
    const modelPath = config.get<string>('modelPath') ?? '';
    if (modelPath && modelPath.startsWith(join(workspace, '.tilecast', 'models')))
      await config.update('modelPath', undefined, vscode.ConfigurationTarget.Workspace);
    const message = run.stdout.trim() || 'reverted to the shipped model';
    output.appendLine(message);
    await modelInUse();
    void vscode.window.showInformationMessage(`TileCast: ${message}`);
  }

  async function askSize(name: string): Promise<number | undefined> {
    const answer = await vscode.window.showInputBox({
      title: 'TileCast: problem size of the imported measurements',
      prompt: name,
      validateInput: (t) => (/^\s*[1-9]\d{0,9}\s*$/.test(t) ? undefined : 'A positive whole number'),
    });
    return answer === undefined ? undefined : Number(answer.trim());
  }

  async function importProfiles(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: true,
      openLabel: 'Import',
      title: 'TileCast: import Nsight Compute CSV (ncu --csv --page raw) or Kernel Tuner cache files',
      filters: { 'Profiles (ncu CSV, Kernel Tuner cache)': ['csv', 'json', 'gz'], 'All files': ['*'] },
    });
    if (!picked || picked.length === 0) return;
    const files = picked.map((u) => u.fsPath);
    const editor = vscode.window.activeTextEditor;
    const fromEditor = editor && editor.document.uri.scheme === 'file' && /\.(cuh?|py)$/.test(editor.document.uri.fsPath) ? editor : undefined;
    let request: Parameters<typeof importArgs>[0] = { files, workspace: workspaceOf() };
    if (importNeedsSize(files)) {
      const how = await vscode.window.showQuickPick(
        [
          ...(fromEditor
            ? [
                {
                  label: `From the launch at the cursor (${vscode.workspace.asRelativePath(fromEditor.document.uri)}:${fromEditor.selection.active.line + 1})`,
                  id: 'source',
                },
              ]
            : []),
          { label: 'Enter M, N, K', id: 'size' },
        ],
        { title: 'TileCast: ncu tables do not hold the GEMM size: where does it come from?' },
      );
      if (!how) return;
      if (how.id === 'source' && fromEditor) request = { ...request, source: { file: fromEditor.document.uri.fsPath, line: fromEditor.selection.active.line } };
      else {
        const m = await askSize('M (rows of C)');
        const n = m && (await askSize('N (columns of C)'));
        const k = n && (await askSize('K (reduction)'));
        if (!m || !n || !k) return;
        request = { ...request, size: { m, n, k } };
      }
    }
    const run = await cliWithProgress('TileCast: importing profiles', importArgs(request, readProfileSettings()), () => undefined);
    if (run.code !== 0 && !/appended/.test(run.stdout)) {
      showFailure(run, 'the import');
      return;
    }
    const message = run.stdout.trim().split('\n').pop() ?? 'imported';
    output.appendLine(message);
    void vscode.window
      .showInformationMessage(`TileCast: ${message}${run.code !== 0 ? ' (some files failed: see the output)' : ''}`, 'Show My Profiles')
      .then((choice) => {
        if (choice) void profiles.show();
      });
  }

  async function loadProfiles(): Promise<ProfilesData> {
    const store = currentStore();
    const contents = readStore(store);
    const parsed = parseProfileJsonl(contents.jsonl, store.dir);
    const predictions = parsed.profiles.length ? await predictionsFor(parsed.profiles) : [];
    const rows = parsed.profiles.map((r, i) => ({
      ...profileRow(r),
      predictedMs: predictions[i]?.runtimeMs?.value ?? null,
      predictionError: predictions[i]?.error,
    }));
    return { store: store.dir, rows, problems: [...contents.problems, ...parsed.issues.map((i) => `line ${i.where}: ${i.reason}`)] };
  }

  const profiles = new ProfilesPanel(context.extensionUri, loadProfiles, (line) => output.appendLine(line));
  const register = vscode.commands.registerCommand;
  return [
    profiles,
    register('tilecast.profileKernel', (argument: unknown) => profile(argument, false)),
    register('tilecast.sweepTiles', (argument: unknown) => profile(argument, true)),
    register('tilecast.retrainModel', retrain),
    register('tilecast.revertModel', revert),
    register('tilecast.importProfiles', importProfiles),
    register('tilecast.showProfiles', () => profiles.show()),
  ];
}

/** The store's measured cells for a tile sweep (for the measured-vs-predicted heatmap); none when unreadable. */
export function measuredForSweep(data: TileSweepResult, kernelName: string | undefined): TileSweepResult['measured'] {
  try {
    const parsed = parseProfileJsonl(readStore(currentStore()).jsonl, 'store');
    const cells = measuredSweepCells(parsed.profiles, { gpuId: data.gpuId, xName: data.xName, yName: data.yName, kernelName });
    return cells.length ? cells : undefined;
  } catch {
    return undefined;
  }
}
