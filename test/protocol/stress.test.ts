// Random-edit stress over the protocol: thousands of seeded random edits of real fixtures (typing,
// deleting and pasting halves, binary bytes, 1 MB lines, whole-document replacements), each followed
// by a request. Every request must be answered (a result, or "content modified"), no handler may fail
// (the server logs each caught failure), and the server must still predict afterwards. Latencies are
// printed by bench/lsp.bench.ts, not asserted here.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LspTestClient } from './lsp-client';
import { runRandomEdits, stressFiles } from './random-edits';

const serverPath = LspTestClient.bundledServerPath();
const skip = serverPath ? false : 'dist/server.js not built: run `npm run build` first';
const root = join(__dirname, '..', '..');
const EDITS = 2000;

let client: LspTestClient | undefined;
after(async () => client?.shutdown());

// This seed once hung the server (a 1 MB line inside a kernel body made ide hasBoundsCheck's regex
// backtrack quadratically in diagnosticsOf; test/ide-long-lines.test.ts holds the minimal case).

test(`${EDITS} random edits: every request answered, no handler fails, the server still predicts`, { skip, timeout: 600_000 }, async () => {
  client = new LspTestClient(serverPath!);
  await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  client.notify('initialized', {});
  const result = await runRandomEdits(client, stressFiles(), EDITS, 20261205);
  assert.equal(result.edits, EDITS);
  assert.equal(result.requests, EDITS, 'every request got an answer');
  assert.deepEqual(result.errors, [], 'no request answered with an error other than content modified');
  assert.deepEqual(result.handlerFailures, [], 'no handler threw');
  assert.equal(client.exited, false);

  // Still working: a fresh copy of the example gets its diagnostics published and a hover answered.
  const uri = 'file:///tmp/tilecast-stress/after.cu';
  const text = readFileSync(join(root, 'examples/tiled_matmul.cu'), 'utf8');
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
  await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 32, character: 4 } });
  assert.equal(hover.error, undefined);
});
