// The open files: their text at the latest version (updated on each didChange, which costs a string
// splice and nothing else) and, computed only when a request or the diagnostics timer asks, the
// analysis of exactly that version (parsed and analysed on the analysis thread, platform/analysis-
// thread.ts) and its reports (built here, on the main thread, where the model is). A burst of edits
// reaches the parser as one edit; a job for a version that a newer one supersedes is cancelled. It
// stores and translates; what is analysed and how it is rendered belong to the core.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { languageForPath } from '../analysis/language';
import type { AnalysisOptions, FileAnalysis, SourceLanguage } from '../analysis/types';
import { buildReports, type DocumentReports, type IdeInput } from '../ide/api';
import { differingSpan } from '../text/differing-span';
import type { AnalysisThread } from '../platform/analysis-thread';
import { databaseIncludeDirs } from '../platform/compile-commands';
import { includeNames, includesKey, readIncludes, type IncludedHeader, type IncludeName } from '../platform/includes';
import { newerOffset, olderOffset, type OffsetEdit } from '../text/edit-map';
import { importedModuleNames, readImports } from '../platform/python-imports';

/** What reports depend on besides the text; `generation` changes whenever any of it does. */
export interface ReportContext {
  generation: number;
  options: AnalysisOptions;
  /** Changes exactly when `options` does (the analysis depends on the options and the headers only). */
  optionsId: number;
  /** Absolute folders searched for included headers after the file's own (tilecast.includePaths). */
  includeDirs: readonly string[];
  /** Absolute folder of the compile_commands.json to read (tilecast.compileCommandsDir), or null: the nearest above each file. */
  compileCommandsDir: string | null;
  input: Omit<IdeInput, 'text' | 'analysis'>;
}

/** A header as one analysis read it. */
export interface HeaderText {
  name: string;
  path: string;
  text: string;
  stamp: string;
}

/** Edits kept for the stale view between two analyses; a burst beyond it falls back to comparing the texts. */
const MAX_LOGGED_EDITS = 1000;

export interface OpenFile {
  readonly uri: string;
  readonly languageId: string;
  /** The text at `document.version`: positions convert against it. */
  document: TextDocument;
  language: SourceLanguage | null;
  /** The newest analysis received, of `version` (possibly older than the document's). */
  analysed: { version: number; optionsId: number; headersKey: string; headers: HeaderText[]; text: string; analysis: FileAnalysis } | null;
  /** The latest job posted to the analysis thread. */
  job: { id: number; version: number; optionsId: number; headersKey: string; done: Promise<void> } | null;
  /** What the file includes (CUDA headers) or imports (Triton modules), read once per version: the names, and the paths found. */
  includes: { version: number; headerNames: IncludeName[]; moduleNames: string[]; paths: string[] } | null;
  cached: { version: number; generation: number; reports: DocumentReports } | null;
  /**
   * The client's edits since version `since` (at most MAX_LOGGED_EDITS; null once more came, or a change
   * could not be placed): each tagged with the version it made, offsets in the text it applied to. The
   * stale view maps an older analysis through them exactly (text/edit-map.ts).
   */
  edits: { since: number; list: Array<OffsetEdit & { version: number }> } | null;
  /** Reports of an older version, served (mapped) while the current version's analysis is not in yet. */
  stale: { version: number; analysedVersion: number; generation: number; document: TextDocument; reports: DocumentReports } | null;
  /** Milliseconds the last analysis took on the thread, for the diagnostics debounce. */
  lastComputeMs: number;
  /** Set when a request was answered before the analysis of its version came in (the client is then asked to refresh). */
  answeredEarly: boolean;
  /** Called (once) at the next change of the text: requests waiting for the analysis of the version it replaces stop waiting. */
  onChange: Array<() => void>;
}

/** The file system path of a URI, for the extension check (an untitled: URI has none). */
function pathOf(uri: string): string {
  try {
    return decodeURIComponent(uri.replace(/^[a-z][a-z0-9+.-]*:(\/\/[^/]*)?/i, ''));
  } catch {
    return uri;
  }
}

/** The file system path of a file: URI (null for other schemes or a malformed URI). */
function localPath(uri: string): string | null {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : null;
  } catch {
    return null;
  }
}

/** CUDA by extension or language id; Triton for Python that imports triton. */
function languageOf(uri: string, languageId: string, text: string): SourceLanguage | null {
  const path = pathOf(uri);
  const byPath = languageForPath(path, text);
  if (byPath) return byPath;
  if (languageId === 'cuda-cpp' || languageId === 'cuda') return 'cuda';
  if (languageId === 'python') return languageForPath('untitled.py', text);
  return null;
}

export class DocumentStore {
  private readonly files = new Map<string, OpenFile>();

  constructor(private readonly thread: AnalysisThread) {}

  open(uri: string, languageId: string, version: number, text: string): OpenFile {
    this.close(uri);
    const file: OpenFile = {
      uri,
      languageId,
      document: TextDocument.create(uri, languageId, version, text),
      language: languageOf(uri, languageId, text),
      analysed: null,
      job: null,
      cached: null,
      edits: { since: version, list: [] },
      stale: null,
      includes: null,
      lastComputeMs: 0,
      answeredEarly: false,
      onChange: [],
    };
    this.files.set(uri, file);
    return file;
  }

  /** Applies the client's changes to the text only; parsing waits until something needs the analysis. */
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenFile | undefined {
    const file = this.files.get(uri);
    if (!file) return undefined;
    const log = file.edits;
    if (log && log.list.length + changes.length <= MAX_LOGGED_EDITS) {
      // Each change's range is in the text left by the ones before it (LSP): place them one at a time.
      let document = file.document;
      for (const change of changes) {
        const range = 'range' in change ? change.range : null;
        if (range) {
          const start = document.offsetAt(range.start);
          const end = document.offsetAt(range.end);
          log.list.push({ version, start, end: Math.max(start, end), insertedLength: change.text.length });
        } else {
          // A whole-document change (a client that sends the full text): logged as the span that differs,
          // so what surrounds it stays mapped and only that span counts as inserted.
          const span = differingSpan(document.getText(), change.text);
          if (span) log.list.push({ version, start: span.start, end: span.end, insertedLength: span.newText.length });
        }
        document = TextDocument.update(document, [change], version);
      }
      file.document = document;
    } else {
      file.edits = null;
      file.document = TextDocument.update(file.document, changes, version);
    }
    for (const changed of file.onChange.splice(0)) changed();
    return file;
  }

  get(uri: string): OpenFile | undefined {
    return this.files.get(uri);
  }

  all(): OpenFile[] {
    return [...this.files.values()];
  }

  close(uri: string): void {
    const file = this.files.get(uri);
    if (!file) return;
    if (file.job) this.thread.supersede(file.job.id);
    this.thread.close(uri);
    this.files.delete(uri);
  }

  /**
   * Resolves when the analysis of the file's current version under `context` is in (at once when it
   * already is, or the file is not analysed at all). A job for an older version still running is
   * superseded: the thread skips it, or stops its parse.
   */
  analysis(file: OpenFile, context: ReportContext, onError: (message: string) => void): Promise<void> {
    const version = file.document.version;
    const analysed = file.analysed;
    const headers = this.headersOf(file, context.includeDirs, context.compileCommandsDir);
    const headersKey = includesKey(headers);
    if (analysed && analysed.version === version && analysed.optionsId === context.optionsId && analysed.headersKey === headersKey) return Promise.resolve();
    const text = file.document.getText();
    // A Python file is analysed once it imports triton or torch (and no longer when it stops).
    if (file.language !== 'cuda') file.language = languageOf(file.uri, file.languageId, text);
    const language = file.language;
    if (!language) return Promise.resolve();
    const job = file.job;
    if (job && job.version === version && job.optionsId === context.optionsId && job.headersKey === headersKey) return job.done;
    if (job) this.thread.supersede(job.id);
    const included = headers.map(({ name, path, text: headerText, stamp }) => ({ name, path, text: headerText, stamp }));
    const posted = this.thread.analyze(file.uri, language, text, context.optionsId, context.options, included);
    const done = posted.result.then((result) => {
      if (file.job?.id === posted.id) file.job = null;
      if (result.error) onError(`analysis of ${file.uri} failed: ${result.error}`);
      if (!result.analysis || this.files.get(file.uri) !== file) return;
      file.lastComputeMs = result.computeMs;
      if (!file.analysed || file.analysed.version <= version) {
        file.analysed = { version, optionsId: context.optionsId, headersKey, headers: included, text, analysis: result.analysis };
        // Edits up to the analysed version are in its text; the log starts again there.
        const log = file.edits;
        file.edits =
          log && log.since <= version
            ? { since: version, list: log.list.filter((e) => e.version > version) }
            : version === file.document.version
              ? { since: version, list: [] }
              : null;
        // The same version analysed again (its headers changed): reports built from the last analysis are out of date.
        file.cached = null;
        file.stale = null;
      }
    });
    file.job = { id: posted.id, version, optionsId: context.optionsId, headersKey, done };
    return done;
  }

  /**
   * The headers a CUDA file on disk includes (platform/includes.ts): beside it, then in `includeDirs` and
   * the folders compile_commands.json gives it; for a Triton file the local modules it imports
   * (platform/python-imports.ts), `includeDirs` searched for absolute imports. Open ones as the editor has
   * them. The names are read once per version.
   */
  private headersOf(file: OpenFile, includeDirs: readonly string[], databaseDir: string | null): IncludedHeader[] {
    const language = file.language;
    if (language !== 'cuda' && language !== 'triton') return [];
    const version = file.document.version;
    if (file.includes?.version !== version) {
      const text = file.document.getText();
      const [headerNames, moduleNames] = language === 'cuda' ? [includeNames(text), []] : [[], importedModuleNames(text)];
      file.includes = { version, headerNames, moduleNames, paths: file.includes?.paths ?? [] };
    }
    const path = localPath(file.uri);
    const { headerNames, moduleNames } = file.includes;
    if ((headerNames.length === 0 && moduleNames.length === 0) || !path) {
      file.includes.paths = [];
      return [];
    }
    const open = (headerPath: string) => {
      const other = this.openAt(headerPath);
      return other ? { text: other.document.getText(), stamp: `open:${other.document.version}` } : undefined;
    };
    const text = file.document.getText();
    const headers =
      language === 'cuda'
        ? readIncludes(path, text, { open, names: headerNames, includeDirs: [...includeDirs, ...databaseIncludeDirs(path, null, databaseDir)] })
        : readImports(path, text, { open, names: moduleNames, searchDirs: includeDirs });
    file.includes.paths = headers.map((h) => h.path);
    return headers;
  }

  /**
   * Where an edit of an included header (TextEditItem.header, by its include name) goes: the header's URI,
   * a document of the text the analysis read (offsets convert against it) and the open editor's version,
   * or null for a closed header. Null when the file's analysis read no such header, or the header is open
   * with another text by now (the edit's offsets would be wrong).
   */
  headerTarget(file: OpenFile, name: string): { document: TextDocument; version: number | null } | null {
    const header = file.analysed?.headers.find((h) => h.name === name);
    if (!header) return null;
    const uri = pathToFileURL(header.path).href;
    const open = this.openAt(header.path);
    if (open) return open.document.getText() === header.text ? { document: open.document, version: open.document.version } : null;
    return { document: TextDocument.create(uri, file.language === 'triton' ? 'python' : 'cuda-cpp', 0, header.text), version: null };
  }

  /** The open file at a file system path, if any. */
  private openAt(path: string): OpenFile | undefined {
    return this.all().find((f) => localPath(f.uri) === path);
  }

  /** Open files whose last analysis read the file at `uri` as a header: their results change with it. */
  includers(uri: string): OpenFile[] {
    const path = localPath(uri);
    return path ? this.all().filter((f) => f.uri !== uri && f.includes?.paths.includes(path)) : [];
  }

  /** The reports of the file's current version under `context` when its analysis is in (built now if needed), else null. */
  reportsFor(file: OpenFile, context: ReportContext): DocumentReports | null {
    const version = file.document.version;
    const cached = file.cached;
    if (cached && cached.version === version && cached.generation === context.generation) return cached.reports;
    const analysed = file.analysed;
    if (!file.language || !analysed || analysed.version !== version || analysed.optionsId !== context.optionsId) return null;
    const reports = buildReports({ ...context.input, text: analysed.text, analysis: analysed.analysis });
    file.cached = { version, generation: context.generation, reports };
    return reports;
  }

  /**
   * Characters the client's edits inserted since the newest analysed version of `file` (0 when it is the
   * current one; the growth of the text when the edits since are not all logged; the whole text when
   * nothing is analysed yet).
   */
  insertedSinceAnalysis(file: OpenFile): number {
    const analysed = file.analysed;
    const length = file.document.getText().length;
    if (!analysed) return length;
    const edits = editsSince(file, analysed.version);
    return edits ? edits.reduce((sum, edit) => sum + edit.insertedLength, 0) : Math.max(0, length - analysed.text.length);
  }

  /**
   * While the current version's analysis is not in: the reports of the last analysed version, with a
   * document whose offsets translate between the two texts (they differ in one span; see staleView),
   * or null when there is none under the same options.
   */
  staleReportsFor(file: OpenFile, context: ReportContext): { document: TextDocument; reports: DocumentReports } | null {
    const version = file.document.version;
    const analysed = file.analysed;
    if (!file.language || !analysed || analysed.version === version || analysed.optionsId !== context.optionsId) return null;
    const stale = file.stale;
    if (stale && stale.version === version && stale.analysedVersion === analysed.version && stale.generation === context.generation) return stale;
    const reports =
      stale && stale.analysedVersion === analysed.version && stale.generation === context.generation
        ? stale.reports
        : buildReports({ ...context.input, text: analysed.text, analysis: analysed.analysis });
    const document = staleView(file.document, analysed.text, editsSince(file, analysed.version));
    file.stale = { version, analysedVersion: analysed.version, generation: context.generation, document, reports };
    return file.stale;
  }
}

/** The client's edits of `file` after `version`, in order; null when the log does not reach back that far. */
function editsSince(file: OpenFile, version: number): Array<OffsetEdit & { version: number }> | null {
  const log = file.edits;
  return log && log.since <= version ? log.list.filter((e) => e.version > version) : null;
}

/**
 * `current` as seen from an older text `before`: offsetAt turns a position of the current text into an
 * offset of `before` (-1 inside text inserted since, where `before` has nothing to say), positionAt turns
 * an offset of `before` into a position of the current text (inside replaced text: where the replacement
 * starts). `edits`, the client's edits from `before` to `current` in order, place every change exactly;
 * without them the two texts are compared and differ in one span (differingSpan).
 */
export function staleView(current: TextDocument, before: string, edits: readonly OffsetEdit[] | null = null): TextDocument {
  let changes: readonly OffsetEdit[] | null = edits;
  if (!changes) {
    const span = differingSpan(before, current.getText());
    if (!span) return current;
    changes = [{ start: span.start, end: span.end, insertedLength: span.newText.length }];
  }
  if (changes.length === 0) return current;
  const list = changes;
  return {
    uri: current.uri,
    languageId: current.languageId,
    version: current.version,
    lineCount: current.lineCount,
    getText: (range) => current.getText(range),
    offsetAt: (position) => olderOffset(list, current.offsetAt(position)),
    positionAt: (offset) => current.positionAt(newerOffset(list, offset)),
  };
}
