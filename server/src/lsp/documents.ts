// Keeps one incrementally re-parsed SourceDocument per open file, applying LSP content changes as
// offset edits. It translates and stores; it must not analyse or render anything itself.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import type { Grammars } from '../platform/grammars';
import { SourceDocument } from '../analysis/document';
import { languageForPath } from '../analysis/index';
import { LineIndex } from '../text/line-index';
import { fromLspRange } from './conversions';

export interface OpenDocument {
  uri: string;
  version: number;
  source: SourceDocument;
}

export class DocumentStore {
  private readonly open = new Map<string, OpenDocument>();

  constructor(private readonly grammars: Grammars) {}

  /** Opens a document; returns undefined for files TileCast does not analyse. */
  openDocument(uri: string, version: number, text: string): OpenDocument | undefined {
    this.close(uri);
    const language = languageForPath(decodeURIComponent(uri), text);
    if (!language) return undefined;
    const document = { uri, version, source: new SourceDocument(this.grammars, language, text) };
    this.open.set(uri, document);
    return document;
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const document = this.open.get(uri);
    if (!document) return undefined;
    for (const change of changes) {
      if ('range' in change) {
        const index = new LineIndex(document.source.text);
        const { start, end } = fromLspRange(index, change.range);
        document.source.applyEdit({ start, end, newText: change.text });
      } else {
        return this.openDocument(uri, version, change.text);
      }
    }
    document.version = version;
    return document;
  }

  get(uri: string): OpenDocument | undefined {
    return this.open.get(uri);
  }

  close(uri: string): void {
    this.open.get(uri)?.source.dispose();
    this.open.delete(uri);
  }
}
