// The language server's state and lifecycle: capabilities, settings (workspace/configuration and
// didChangeConfiguration), the model, the status notification, debounced diagnostics, and the one
// wrapper every request goes through. The features themselves are in handlers.ts.
//
// Scheduling (docs/architecture.md, invariant 7):
// - didChange only splices the text (documents.ts); the analysis of a version is computed on the
//   analysis thread (platform/analysis-thread.ts) when a request or the diagnostics timer first needs
//   it, once, and its reports are built here and cached by version and settings generation;
// - a burst of edits is parsed as one edit, and diagnostics wait until edits pause (150 ms, longer for a
//   file that was slow to analyse);
// - a request waits for the analysis of its version at most REQUEST_WAIT_MS (not at all after a paste of
//   more than NO_WAIT_INSERTED_CHARS, which cannot be analysed that fast); past that a read (hover,
//   hints, lenses, charts) is answered from the last analysed version translated to the current text
//   (documents.ts staleView), anything else with nothing, and the client is asked to refresh once the
//   analysis is in; so no request waits behind a long parse (a pasted 1 MB line, tree-sitter's error
//   recovery on junk), and the main thread, free of parsing, keeps answering other files meanwhile;
// - a request for a document with a change already read from the client but not yet applied (Inbox) is
//   answered "content modified" without analysing the outdated version; a cancelled request is not
//   started; a job for a version a newer one supersedes is skipped or stopped on the thread.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver/node';
import type { AnalysisOptions } from '../analysis/types';
import { diagnosticsOf, type DocumentReports } from '../ide/api';
import { DEFAULT_SETTINGS, STATUS_NOTIFICATION, type StatusParams, type TilecastSettings } from '../ide/protocol';
import type { GpuSpec } from '../perf/types';
import { AnalysisThread } from '../platform/analysis-thread';
import type { LoadResult } from '../platform/models';
import { editorModelKey, loadEditorModel } from '../platform/user-models';
import type { ModelInfo } from '../report/prediction';
import { problemToDiagnostic, toDiagnostic } from './conversions';
import { DocumentStore, type OpenFile, type ReportContext } from './documents';
import { DiagnosticsTimer, requestWaitMs, type Inbox } from './scheduler';
import { readSettings, resolveGpus } from './settings';
import { version as SERVER_VERSION } from '../../../package.json';

export { SERVER_VERSION };

/** The directory whose docs/diagnostics.md the diagnostics link to: beside dist/ when bundled, the repository from source. */
function findDocsBase(): string | null {
  for (const dir of [join(__dirname, '..'), join(__dirname, '..', '..', '..')]) {
    if (existsSync(join(dir, 'docs', 'diagnostics.md'))) return pathToFileURL(dir).href;
  }
  return null;
}

/** Files whose change on disk can change an open file's analysis: headers and CUDA sources that are included, imported Python modules, compilation databases. */
const WATCHED_FILES = ['**/*.{cuh,h,hpp,hh,hxx,inl,inc,cu,py}', '**/compile_commands.json'];
/** A model's data fingerprint, or its feature version when it records none. */
const fingerprint = (info: ModelInfo | undefined): string => info?.dataFingerprint ?? info?.featureVersion ?? 'unknown';

const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

/** A document at one version with its reports, as a handler sees it. */
export interface Snapshot {
  file: OpenFile;
  reports: DocumentReports;
}

export class TilecastServer {
  /** Parsing and analysis, off the main thread. */
  readonly thread = new AnalysisThread((level, message) => this.log(level, message));
  readonly store = new DocumentStore(this.thread);
  readonly diagnosticsTimer = new DiagnosticsTimer((uri) => this.publishDiagnostics(uri));
  capabilities: ClientCapabilities = {};
  settings: TilecastSettings = { ...DEFAULT_SETTINGS };
  gpus: GpuSpec[] = resolveGpus(DEFAULT_SETTINGS.gpus).gpus;
  private unknownGpus: StatusParams['unknownGpus'] = [];
  private options: AnalysisOptions = this.analysisOptions();
  private generation = 0;
  /** Changes whenever `options` does. */
  private optionsId = 0;
  private grammarsLoaded = false;
  private readonly grammarsLoading: Promise<void>;
  private modelKey: string | null = null;
  /** The workspace folder (its .tilecast/models may hold a retrained model), from initialize. */
  workspace: string | null = null;
  private model: Promise<LoadResult> | null = null;
  private loadedModel: LoadResult | null = null;
  readonly docsBase = findDocsBase();
  /** When the parsers and the first current model finished loading, in ms after the process started (performance.now()). */
  private readonly startMs: { parsers?: number; model?: number } = {};

  constructor(
    readonly connection: Connection,
    readonly inbox: Inbox,
  ) {
    this.grammarsLoading = this.thread.ready().then(() => {
      this.grammarsLoaded = true;
      this.startMs.parsers ??= performance.now();
    });
    this.grammarsLoading.catch((error: unknown) => this.log('error', `could not load the parsers, nothing will be analysed: ${describe(error)}`));
    this.loadModel(DEFAULT_SETTINGS.modelPath);
    // The server's start as the user meets it, once per process: requests wait for this (docs/architecture.md).
    void this.ready().then(
      () =>
        this.log(
          'info',
          `ready ${Math.round(performance.now())} ms after the server process started (parsers ${Math.round(this.startMs.parsers ?? NaN)} ms, model ${Math.round(this.startMs.model ?? NaN)} ms)`,
        ),
      () => undefined,
    );
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.connection.console[level](`tilecast: ${message}`);
  }

  private analysisOptions(): AnalysisOptions {
    const { m, n, k } = this.settings.defaultProblemSize;
    return { defaultProblem: { m, n, k, dtype: this.settings.defaultDtype } };
  }

  private loadModel(modelPath: string): void {
    const key = editorModelKey(modelPath, this.workspace);
    if (this.modelKey === key && this.model) return;
    this.modelKey = key;
    const loading = loadEditorModel(modelPath, this.workspace).catch((error: unknown): LoadResult => ({ ok: false, error: describe(error) }));
    this.model = loading;
    void loading.then((result) => {
      if (this.model !== loading) return; // superseded by a newer model path
      this.startMs.model ??= performance.now();
      this.loadedModel = result;
      this.generation++;
      if (!result.ok) this.log('error', `${result.error}. Hovers and hints show analytic estimates only.`);
      this.sendStatus();
      this.refreshClient();
      // While the analysis thread still loads its parsers this thread only waits for them: the one-time
      // setup of batch prediction (the first tile ranking's, about 20 ms) is free now.
      if (result.ok && !this.grammarsLoaded) result.predictor.prepareBatch?.();
    });
  }

  /** The workspace folder's file: URI from initialize: its retrained model, when it has one, replaces the shipped model. */
  useWorkspace(uri: string | null): void {
    this.workspace = uri?.startsWith('file:') ? fileURLToPath(uri) : null;
    this.loadModel(this.settings.modelPath);
  }

  /** Loads the model to use now if it changed (a retrain or revert), then answers the status. */
  async reloadModel(): Promise<StatusParams> {
    this.loadModel(this.settings.modelPath);
    await this.ready();
    return this.statusParams();
  }

  /** Resolves when the parsers and the model of the current settings are loaded (a model that failed counts as loaded). */
  async ready(): Promise<void> {
    await this.grammarsLoading;
    // Until the model of the latest settings is loaded: a model path may change while waiting.
    for (;;) {
      const loading = this.model;
      const result = await loading;
      if (loading === this.model && result === this.loadedModel) return;
    }
  }

  /** tilecast.includePaths as absolute folders: relative ones from the workspace folder (skipped without one). */
  private includeDirs(): string[] {
    const workspace = this.workspace;
    return this.settings.includePaths.flatMap((path) => (isAbsolute(path) ? [path] : workspace ? [resolve(workspace, path)] : []));
  }

  /** tilecast.compileCommandsDir as an absolute folder (relative from the workspace folder), or null: the nearest database above each file. */
  private compileCommandsDir(): string | null {
    const dir = this.settings.compileCommandsDir;
    if (!dir) return null;
    return isAbsolute(dir) ? dir : this.workspace ? resolve(this.workspace, dir) : null;
  }

  private context(): ReportContext {
    const model = this.loadedModel;
    return {
      generation: this.generation,
      options: this.options,
      optionsId: this.optionsId,
      includeDirs: this.includeDirs(),
      compileCommandsDir: this.compileCommandsDir(),
      input: {
        gpus: this.gpus,
        settings: this.settings,
        predictor: model?.ok ? model.predictor : null,
        modelError: model === null ? 'the model is still loading' : model.ok ? null : model.error,
      },
    };
  }

  /** The loaded predictor (null while loading or when it failed, then `error`), for requests that predict records. */
  currentModel(): { predictor: ReportContext['input']['predictor']; error: string | null } {
    const { predictor, modelError } = this.context().input;
    return { predictor, error: modelError };
  }

  /**
   * The reports of `uri` at its current version (built now from its analysis if needed), or null when it
   * is not analysed, or its analysis has not come in yet (request() waits for it, a little).
   */
  snapshot(uri: unknown): Snapshot | null {
    if (typeof uri !== 'string' || !this.grammarsLoaded) return null;
    const file = this.store.get(uri);
    if (!file) return null;
    if (this.inbox.hasPendingChange(uri)) throw new ResponseError(LSPErrorCodes.ContentModified, 'the document changed');
    const context = this.context();
    const reports = this.store.reportsFor(file, context);
    if (reports) return { file, reports };
    const stale = this.staleAllowed ? this.store.staleReportsFor(file, context) : null;
    return stale ? { file: { ...file, document: stale.document }, reports: stale.reports } : null;
  }

  /**
   * Whether the request being handled may be answered from the last analysed version (translated to the
   * current text) while the current one is not analysed yet: reads yes; edits (code actions, annotation
   * edits) and exports no.
   */
  private staleAllowed = false;
  private static readonly STALE_READERS = new Set(['hover', 'inlayHint', 'codeLens', 'roofline', 'tileSweep', 'compareGpus', 'predictProfiles']);

  /** Resolves when the analysis of the current version of `file` is in. */
  private analysed(file: OpenFile): Promise<void> {
    return this.store.analysis(file, this.context(), (message) => this.log('error', message));
  }

  /**
   * Waits for the analysis of the current version of `uri`, at most requestWaitMs (not at all after a paste
   * too large to analyse in that time); when it is not in by then,
   * the client is asked to refresh hints and lenses once it is (the request is answered without it).
   */
  private async settle(uri: string): Promise<void> {
    const file = this.store.get(uri);
    if (!file || this.inbox.hasPendingChange(uri)) return;
    const version = file.document.version;
    const done = this.analysed(file);
    // A file never analysed has nothing to show meanwhile: its first analysis is waited for.
    if (!file.analysed) return done;
    const waitMs = requestWaitMs(this.store.insertedSinceAnalysis(file));
    let timer: NodeJS.Timeout | undefined;
    // A change meanwhile ends the wait too: the request is then outdated, and answered so at once.
    let changed: (() => void) | undefined;
    const inTime = await Promise.race([
      done.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, waitMs, false);
        changed = () => resolve(true);
        file.onChange.push(changed);
      }),
    ]);
    clearTimeout(timer);
    const waiting = changed ? file.onChange.indexOf(changed) : -1;
    if (waiting >= 0) file.onChange.splice(waiting, 1);
    if (inTime || file.answeredEarly) return;
    file.answeredEarly = true;
    void done.then(() => {
      file.answeredEarly = false;
      if (this.store.get(uri) === file && file.document.version === version) this.refreshClient(false);
    });
  }

  /**
   * Wraps a request handler once: waits until the server is ready, answers "cancelled" or "content
   * modified" without doing the work when the request is already outdated, and turns any other failure
   * into a log line and a null answer.
   */
  request<P, R>(name: string, handler: (params: P, token: CancellationToken) => R | null): (params: P, token: CancellationToken) => Promise<R | null> {
    return async (params, token) => {
      const uri = (params as { textDocument?: { uri?: unknown }; uri?: unknown } | null)?.textDocument?.uri ?? (params as { uri?: unknown } | null)?.uri;
      const versionAtArrival = typeof uri === 'string' ? this.store.get(uri)?.document.version : undefined;
      try {
        await this.ready();
        const outdated = () => typeof uri === 'string' && versionAtArrival !== undefined && this.store.get(uri)?.document.version !== versionAtArrival;
        if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
        if (outdated()) throw new ResponseError(LSPErrorCodes.ContentModified, 'the document changed');
        if (typeof uri === 'string' && versionAtArrival !== undefined) {
          await this.settle(uri);
          if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
          if (outdated()) throw new ResponseError(LSPErrorCodes.ContentModified, 'the document changed');
        }
        this.staleAllowed = TilecastServer.STALE_READERS.has(name);
        try {
          return handler(params, token) ?? null;
        } finally {
          this.staleAllowed = false;
        }
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        this.log('error', `${name} failed: ${describe(error)}`);
        return null;
      }
    };
  }

  /** Wraps a notification handler once: a failure is logged, never thrown into the connection. */
  notification<P>(name: string, handler: (params: P) => void): (params: P) => void {
    return (params) => {
      try {
        handler(params);
      } catch (error) {
        this.log('error', `${name} failed: ${describe(error)}`);
      }
    };
  }

  async publishDiagnostics(uri: string): Promise<void> {
    const file = this.store.get(uri);
    if (!file) return;
    // A newer change is already read: it re-arms the timer when it is applied.
    if (this.inbox.hasPendingChange(uri)) return;
    if (!this.grammarsLoaded || this.loadedModel === null) {
      void this.ready().then(
        () => this.diagnosticsTimer.schedule(uri, 0),
        () => undefined,
      );
      return;
    }
    const version = file.document.version;
    await this.analysed(file);
    // Outdated meanwhile: the change that made it so re-armed the timer.
    if (this.store.get(uri) !== file || file.document.version !== version || this.inbox.hasPendingChange(uri)) return;
    let diagnostics: Diagnostic[] = [];
    try {
      const snapshot = this.snapshot(uri);
      if (snapshot) {
        const document = snapshot.file.document;
        diagnostics = [
          ...snapshot.reports.input.analysis.problems.map((problem) => problemToDiagnostic(document, problem)),
          ...diagnosticsOf(snapshot.reports).map((item) => toDiagnostic(document, item, this.docsBase)),
        ];
      }
    } catch (error) {
      if (error instanceof ResponseError) return;
      this.log('error', `diagnostics of ${uri} failed: ${describe(error)}`);
    }
    void this.connection.sendDiagnostics({ uri, version: file.document.version, diagnostics });
  }

  /** Pulls the `tilecast` section when the client supports workspace/configuration. */
  async pullSettings(): Promise<void> {
    if (!this.capabilities.workspace?.configuration) return;
    try {
      const [section] = (await this.connection.workspace.getConfiguration([{ section: 'tilecast' }])) as unknown[];
      this.applySettings(section);
    } catch (error) {
      this.log('warn', `could not read the settings (${describe(error)}); keeping the current ones`);
    }
  }

  applySettings(raw: unknown): void {
    const { settings, problems } = readSettings(raw);
    const resolved = resolveGpus(settings.gpus);
    for (const problem of [...problems, ...resolved.problems]) this.log('warn', problem);
    this.settings = settings;
    this.gpus = resolved.gpus;
    this.unknownGpus = resolved.unknown;
    this.options = this.analysisOptions();
    this.optionsId++;
    this.generation++;
    this.loadModel(settings.modelPath);
    // Until the first model has loaded, its completion sends the status (with the model in it).
    if (this.loadedModel !== null) this.sendStatus();
    this.refreshClient();
  }

  registerForSettingsChanges(): void {
    if (this.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      void this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'tilecast' }).catch(() => undefined);
    }
    // Headers, imported modules and compilation databases changed outside the editor (a checkout, another
    // tool): the files that include or import them are analysed again (platform/includes.ts,
    // python-imports.ts, compile-commands.ts).
    if (this.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      void this.connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: WATCHED_FILES.map((globPattern) => ({ globPattern })) })
        .catch(() => undefined);
    }
  }

  /**
   * Files changed on disk: the open files that include one of them (or every CUDA file, for a changed
   * compilation database) get their diagnostics again, and the client is asked for fresh hints and lenses.
   * Their next analysis reads the headers again (their stamps changed), so nothing is invalidated here.
   */
  filesChanged(uris: readonly string[]): void {
    const database = uris.some((uri) => uri.endsWith('/compile_commands.json'));
    const affected = new Set(database ? this.store.all().filter((f) => f.language === 'cuda') : uris.flatMap((uri) => this.store.includers(uri)));
    for (const file of affected) this.diagnosticsTimer.schedule(file.uri, 0);
    if (affected.size > 0) this.refreshClient(false);
  }

  /** Everything shown may have changed: the client re-asks for hints and lenses; diagnostics are republished (unless `diagnostics` is false). */
  /** Asks the client to fetch inlay hints and code lenses again (after a header some open file includes changed). */
  refreshViews(): void {
    this.refreshClient(false);
  }

  private refreshClient(diagnostics = true): void {
    if (this.capabilities.workspace?.inlayHint?.refreshSupport) void this.connection.languages.inlayHint.refresh().catch(() => undefined);
    if (this.capabilities.workspace?.codeLens?.refreshSupport) void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    if (diagnostics) for (const file of this.store.all()) this.diagnosticsTimer.schedule(file.uri, 0);
  }

  statusParams(): StatusParams {
    const model = this.loadedModel;
    const gpus = this.gpus.map((gpu) => ({ id: gpu.id, name: gpu.name }));
    const modelStatus: StatusParams['model'] =
      model === null
        ? { ok: false, error: 'the model is still loading' }
        : model.ok
          ? {
              ok: true,
              runtimeFingerprint: fingerprint(model.predictor.models?.runtime),
              powerFingerprint: fingerprint(model.predictor.models?.power),
              dir: model.dir,
              source: model.source ?? 'shipped model',
            }
          : { ok: false, error: model.error };
    const unknown = this.unknownGpus.map((u) => `unknown GPU '${u.name}'${u.suggestions.length > 0 ? ` (did you mean ${u.suggestions.join(', ')}?)` : ''}`);
    const message = [
      `TileCast server ${SERVER_VERSION}`,
      `GPUs ${gpus.map((gpu) => gpu.id).join(', ')}`,
      modelStatus.ok
        ? `model ${modelStatus.runtimeFingerprint.slice(0, 12)} / ${modelStatus.powerFingerprint.slice(0, 12)} (${modelStatus.source}) from ${modelStatus.dir}`
        : `no model: ${modelStatus.error}`,
      ...unknown,
    ].join('; ');
    return { serverVersion: SERVER_VERSION, gpus, unknownGpus: this.unknownGpus, model: modelStatus, message };
  }

  sendStatus(): void {
    const status = this.statusParams();
    this.log(status.model.ok && status.unknownGpus.length === 0 ? 'info' : 'warn', status.message);
    void this.connection.sendNotification(STATUS_NOTIFICATION, status);
  }
}
