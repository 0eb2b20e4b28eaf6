// Protocol tests over stdio against the bundled server (dist/server.js, built by `npm run build`):
// diagnostics for broken code, incremental edits that fix it, and survival of hostile input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LspTestClient, type Message } from './lsp-client';

const serverPath = LspTestClient.bundledServerPath();
const skip = serverPath ? false : 'dist/server.js not built: run `npm run build` first';
let client: LspTestClient;

const diagnosticsFor = (uri: string, version: number) => (m: Message) =>
  m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === version;

before(async () => {
  if (!serverPath) return;
  client = new LspTestClient(serverPath);
  const init = await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  assert.equal(init.result.capabilities.textDocumentSync.change, 2, 'incremental sync');
  client.notify('initialized', {});
});

after(async () => {
  if (client) await client.shutdown();
});

test('a CUDA file with a division by zero in a tile size gets a diagnostic on that line', { skip }, async () => {
  const uri = 'file:///tmp/tilecast-protocol/div.cu';
  const text = '#define TILE (16 / 0)\n__global__ void k(float* a) { __shared__ float s[TILE]; a[0] = s[0]; }\n';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
  const published = await client.waitFor(diagnosticsFor(uri, 1));
  const zero = published.params.diagnostics.find((d: any) => /zero/i.test(d.message));
  assert.ok(zero, `expected a division-by-zero diagnostic, got ${JSON.stringify(published.params.diagnostics)}`);
  assert.equal(zero.range.start.line, 0);
});

test('an incremental edit that fixes the code clears the diagnostic', { skip }, async () => {
  const uri = 'file:///tmp/tilecast-protocol/fix.cu';
  const text = '#define TILE (16 / 0)\n__global__ void k(float* a) { __shared__ float s[TILE]; a[0] = s[0]; }\n';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
  await client.waitFor(diagnosticsFor(uri, 1));
  // Replace the "0" at line 0, character 19 with "1".
  client.notify('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: 0, character: 19 }, end: { line: 0, character: 20 } }, text: '1' }],
  });
  const published = await client.waitFor(diagnosticsFor(uri, 2));
  assert.equal(published.params.diagnostics.filter((d: any) => /zero/i.test(d.message)).length, 0);
});

test('hostile input (binary bytes, deep nesting) does not stop the server', { skip }, async () => {
  const uri = 'file:///tmp/tilecast-protocol/hostile.cu';
  const text = '\u0000\u0001\uFFFD' + '('.repeat(10000) + '1' + ')'.repeat(10000) + '\n__global__ void k(){}\n';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
  await client.waitFor(diagnosticsFor(uri, 1));
  assert.equal(client.exited, false);
  // The server still answers requests afterwards.
  const other = 'file:///tmp/tilecast-protocol/after.cu';
  client.notify('textDocument/didOpen', {
    textDocument: { uri: other, languageId: 'cuda-cpp', version: 7, text: '__global__ void ok(float* a) { a[0] = 1; }\n' },
  });
  const published = await client.waitFor(diagnosticsFor(other, 7));
  assert.deepEqual(published.params.diagnostics, []);
});
