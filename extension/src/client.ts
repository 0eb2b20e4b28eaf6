// Starts the bundled TileCast language server over stdio and routes its status notification. The
// server reads `tilecast.*` through workspace/configuration; this only says where the server is,
// which documents it serves, and whether the workspace is trusted (it then may run ptxas).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { STATUS_NOTIFICATION, type StatusParams } from '../../server/src/ide/protocol';

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'cuda-cpp' },
  { scheme: 'file', language: 'cuda' },
  { scheme: 'file', pattern: '**/*.{cu,cuh}' },
  { scheme: 'file', language: 'python' },
];

/** Sent as initializationOptions; the server must not run a compiler when `workspaceTrusted` is false. */
export interface TilecastInitializationOptions {
  workspaceTrusted: boolean;
}

export function createClient(context: vscode.ExtensionContext, output: vscode.OutputChannel, onStatus: (status: StatusParams) => void): LanguageClient {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio },
    debug: { module: serverModule, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const initializationOptions: TilecastInitializationOptions = { workspaceTrusted: vscode.workspace.isTrusted };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    initializationOptions,
    // A retrain or revert run from a terminal (`tilecast profile retrain`) changes the workspace's model: the server reloads it.
    synchronize: { configurationSection: 'tilecast', fileEvents: vscode.workspace.createFileSystemWatcher('**/.tilecast/models{,/user-model.json}') },
  };
  // The id 'tilecast' makes the client honour the `tilecast.trace.server` setting.
  const client = new LanguageClient('tilecast', 'TileCast', serverOptions, clientOptions);
  client.onNotification(STATUS_NOTIFICATION, (status: StatusParams) => onStatus(status));
  return client;
}
