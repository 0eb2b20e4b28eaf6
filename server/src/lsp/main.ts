// The TileCast language server's entry point (dist/server.js): the connection over stdio, with every
// incoming message seen by the Inbox as it is read, and the document and settings notifications.
// Requests are in handlers.ts; state, settings and scheduling in server.ts. It must not analyse anything.
// First import: early-start.ts starts the analysis thread before the rest loads.
import { startEarly } from './early-start';
import {
  CodeActionKind,
  createConnection,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
  type MessageReader,
} from 'vscode-languageserver/node';
import { format } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { registerHandlers } from './handlers';
import { registerProfileRequests } from './profile-requests';
import { diagnosticsDelayMs, IdleCollector, Inbox } from './scheduler';
import { SERVER_VERSION, TilecastServer } from './server';

/** Whether the client asked for shutdown before the connection closed (the exit code says so). */
let shutdownReceived = false;

export function startServer(connection: Connection, inbox: Inbox): TilecastServer {
  const server = new TilecastServer(connection, inbox);

  connection.onInitialize((params): InitializeResult => {
    server.capabilities = params.capabilities ?? {};
    server.useWorkspace(params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? null);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        inlayHintProvider: true,
        codeLensProvider: { resolveProvider: false },
        // Actions carry their edits: the candidates are ranked for the list anyway (ide/), so a resolve step would save nothing.
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite], resolveProvider: false },
      },
      serverInfo: { name: 'tilecast', version: SERVER_VERSION },
    };
  });

  connection.onInitialized(
    server.notification('initialized', () => {
      server.registerForSettingsChanges();
      void server.pullSettings();
    }),
  );

  connection.onDidChangeConfiguration(
    server.notification('didChangeConfiguration', (params) => {
      // Clients with workspace/configuration are asked; the others send the settings with the notification.
      if (server.capabilities.workspace?.configuration) void server.pullSettings();
      else server.applySettings((params?.settings as { tilecast?: unknown } | undefined)?.tilecast);
    }),
  );

  connection.onDidOpenTextDocument(
    server.notification('didOpen', (params) => {
      inbox.applied(params?.textDocument?.uri);
      const { textDocument } = params;
      server.store.open(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
      server.diagnosticsTimer.schedule(textDocument.uri, 0);
    }),
  );

  connection.onDidChangeTextDocument(
    server.notification('didChange', (params) => {
      inbox.applied(params?.textDocument?.uri);
      const { textDocument, contentChanges } = params;
      const file = server.store.change(textDocument.uri, textDocument.version, contentChanges);
      if (file) server.diagnosticsTimer.schedule(textDocument.uri, diagnosticsDelayMs(file.lastComputeMs));
      // Files that include this one as a header: their diagnostics, hints and lenses change with it.
      const includers = server.store.includers(textDocument.uri);
      for (const includer of includers) server.diagnosticsTimer.schedule(includer.uri, diagnosticsDelayMs(includer.lastComputeMs));
      if (includers.length > 0) server.refreshViews();
    }),
  );

  // The client's watchers: the workspace's retrained model (`.tilecast/models`, the extension's) reloads the
  // model; headers and compilation databases (the server's own registration) re-analyse their includers.
  connection.onDidChangeWatchedFiles(
    server.notification('didChangeWatchedFiles', (params) => {
      const uris = (params?.changes ?? []).map((change) => change.uri).filter((uri): uri is string => typeof uri === 'string');
      const model = (uri: string) => uri.includes('/.tilecast/');
      if (uris.length === 0 || uris.some(model)) void server.reloadModel();
      server.filesChanged(uris.filter((uri) => !model(uri)));
    }),
  );

  connection.onDidCloseTextDocument(
    server.notification('didClose', ({ textDocument }) => {
      server.diagnosticsTimer.cancel(textDocument.uri);
      server.store.close(textDocument.uri);
      void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    }),
  );

  connection.onShutdown(() => {
    shutdownReceived = true;
    server.diagnosticsTimer.dispose();
  });

  registerHandlers(connection, server);
  registerProfileRequests(connection, server);
  connection.listen();
  return server;
}

/** Over stdio (how the extension starts it), the Inbox sees each message when it is read; other transports go without. */
function connect(inbox: Inbox, idle: IdleCollector | null): Connection {
  if (process.argv.includes('--node-ipc') || process.argv.some((arg) => arg.startsWith('--socket') || arg.startsWith('--pipe'))) {
    return createConnection(ProposedFeatures.all);
  }
  const reader: MessageReader = new StreamMessageReader(process.stdin);
  const listen = reader.listen.bind(reader);
  reader.listen = (callback) =>
    listen((message) => {
      inbox.observe(message);
      idle?.activity();
      callback(message);
    });
  const connection = createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout));
  // What createConnection does for --stdio and not for a reader it is given: exit when the client's end of
  // stdin closes (a client that dies must not leave the server running), and keep console output off stdout.
  const exitWithClient = () => process.exit(shutdownReceived ? 0 : 1);
  process.stdin.on('end', exitWithClient);
  process.stdin.on('close', exitWithClient);
  const toLog =
    (write: (message: string) => void) =>
    (...args: unknown[]) =>
      write(format(...args));
  console.log = toLog((message) => connection.console.log(message));
  console.info = toLog((message) => connection.console.info(message));
  console.warn = toLog((message) => connection.console.warn(message));
  console.error = toLog((message) => connection.console.error(message));
  return connection;
}

if (require.main === module || /server\.js$/.test(process.argv[1] ?? '')) {
  // Done already in the bundle (early-start.ts ran first); from source, here.
  startEarly();
  // A full collection once the server is idle (scheduler.ts IdleCollector); TILECAST_IDLE_GC=0 turns it off.
  let idle: IdleCollector | null = null;
  if (process.env.TILECAST_IDLE_GC !== '0') {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as (() => void) | undefined;
    if (typeof collect === 'function') idle = new IdleCollector(collect);
  }
  const inbox = new Inbox();
  startServer(connect(inbox, idle), inbox);
}
