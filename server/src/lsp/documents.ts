// The open files: their text at the latest version (updated on each didChange, which costs a string
// splice and nothing else) and, computed only when a request or the diagnostics timer asks, the
// analysis and reports of exactly that version. Many edits between two requests are brought to the
// parser as one edit, so a burst of keystrokes costs one re-parse. It stores and translates; what is
// analysed and how it is rendered belong to the core.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { languageForPath, SourceDocument } from '../analysis/index';
import type { AnalysisOptions, SourceLanguage } from '../analysis/types';
import { buildReports, type DocumentReports, type IdeInput } from '../ide/api';
import type { Grammars } from '../platform/grammars';

/** What reports depend on besides the text; `generation` changes whenever any of it does. */
export interface ReportContext {
  generation: number;
  options: AnalysisOptions;
  input: Omit<IdeInput, 'text' | 'analysis'>;
}

export interface OpenFile {
  readonly uri: string;
  readonly languageId: string;
  /** The text at `document.version`: positions convert against it. */
  document: TextDocument;
  language: SourceLanguage | null;
  /** Parsed state, created at the first analysis and then kept in step with `document` lazily. */
  source: SourceDocument | null;
  cached: { version: number; generation: number; reports: DocumentReports } | null;
  /** Milliseconds the last computation of reports took (re-parse, analysis, reports), for the debounce. */
  lastComputeMs: number;
}

/** The file system path of a URI, for the extension check (an untitled: URI has none). */
function pathOf(uri: string): string {
  try {
    return decodeURIComponent(uri.replace(/^[a-z][a-z0-9+.-]*:(\/\/[^/]*)?/i, ''));
  } catch {
    return uri;
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

/** The one edit that turns `before` into `after`: everything between their common prefix and suffix. */
export function differingSpan(before: string, after: string): { start: number; end: number; newText: string } | null {
  if (before === after) return null;
  const limit = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < limit && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  const suffixLimit = limit - prefix;
  while (suffix < suffixLimit && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start: prefix, end: before.length - suffix, newText: after.slice(prefix, after.length - suffix) };
}

export class DocumentStore {
  private readonly files = new Map<string, OpenFile>();

  open(uri: string, languageId: string, version: number, text: string): OpenFile {
    this.close(uri);
    const file: OpenFile = {
      uri,
      languageId,
      document: TextDocument.create(uri, languageId, version, text),
      language: languageOf(uri, languageId, text),
      source: null,
      cached: null,
      lastComputeMs: 0,
    };
    this.files.set(uri, file);
    return file;
  }

  /** Applies the client's changes to the text only; parsing waits until something needs the analysis. */
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenFile | undefined {
    const file = this.files.get(uri);
    if (!file) return undefined;
    file.document = TextDocument.update(file.document, changes, version);
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
    file?.source?.dispose();
    this.files.delete(uri);
  }

  /** The reports of the file's current version under `context`: cached, or computed now (synchronously). */
  reportsFor(file: OpenFile, grammars: Grammars, context: ReportContext): DocumentReports | null {
    const version = file.document.version;
    const cached = file.cached;
    if (cached && cached.version === version && cached.generation === context.generation) return cached.reports;
    const started = performance.now();
    const text = file.document.getText();
    // A Python file becomes Triton when it starts importing triton (and stops when it no longer does).
    if (file.language !== 'cuda') {
      const language = languageOf(file.uri, file.languageId, text);
      if (language !== file.language) {
        file.source?.dispose();
        file.source = null;
        file.language = language;
      }
    }
    if (!file.language) return null;
    if (!file.source) file.source = new SourceDocument(grammars, file.language, text);
    else {
      const edit = differingSpan(file.source.text, text);
      if (edit) file.source.applyEdit(edit);
    }
    const analysis = file.source.analyze(context.options);
    const reports = buildReports({ ...context.input, text, analysis });
    file.cached = { version, generation: context.generation, reports };
    file.lastComputeMs = performance.now() - started;
    return reports;
  }
}
