// The TileCast language server over stdio: keeps documents in sync and publishes the analysis'
// problems as diagnostics. Each handler converts in, calls the core, converts out; a failure is
// logged and answered with nothing, and never stops the server.
import { createConnection, ProposedFeatures, TextDocumentSyncKind, type Connection } from 'vscode-languageserver/node';
import { DEFAULT_ANALYSIS_OPTIONS } from '../analysis/types';
import { loadGrammars } from '../platform/grammars';
import { LineIndex } from '../text/line-index';
import { toDiagnostic } from './conversions';
import { DocumentStore, type OpenDocument } from './documents';

function guarded<A extends unknown[], R>(connection: Connection, name: string, handler: (...args: A) => R): (...args: A) => R | undefined {
  return (...args: A) => {
    try {
      return handler(...args);
    } catch (error) {
      connection.console.error(`tilecast: ${name} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      return undefined;
    }
  };
}

export function startServer(connection: Connection): void {
  let store: DocumentStore | undefined;
  const pending: Array<() => void> = [];
  const whenReady = (action: () => void) => (store ? action() : pending.push(action));

  const publish = (document: OpenDocument | undefined, uri: string) => {
    if (!document) {
      void connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    const analysis = document.source.analyze(DEFAULT_ANALYSIS_OPTIONS);
    const index = new LineIndex(document.source.text);
    void connection.sendDiagnostics({ uri, version: document.version, diagnostics: analysis.problems.map((p) => toDiagnostic(index, p)) });
  };

  connection.onInitialize(() => ({
    capabilities: { textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental } },
    serverInfo: { name: 'tilecast', version: '0.1.0' },
  }));

  connection.onInitialized(() => {
    loadGrammars().then(
      (grammars) => {
        store = new DocumentStore(grammars);
        for (const action of pending.splice(0)) action();
      },
      (error: unknown) => connection.console.error(`tilecast: could not load the parsers: ${String(error)}`),
    );
  });

  connection.onDidOpenTextDocument(guarded(connection, 'didOpen', ({ textDocument }) =>
    whenReady(guarded(connection, 'didOpen', () => publish(store!.openDocument(textDocument.uri, textDocument.version, textDocument.text), textDocument.uri)))));

  connection.onDidChangeTextDocument(guarded(connection, 'didChange', ({ textDocument, contentChanges }) =>
    whenReady(guarded(connection, 'didChange', () => publish(store!.change(textDocument.uri, textDocument.version, contentChanges), textDocument.uri)))));

  connection.onDidCloseTextDocument(guarded(connection, 'didClose', ({ textDocument }) =>
    whenReady(() => {
      store!.close(textDocument.uri);
      void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    })));

  connection.listen();
}

if (require.main === module || /server\.js$/.test(process.argv[1] ?? '')) {
  startServer(createConnection(ProposedFeatures.all));
}
