// While the analysis thread is busy with a long parse (a pasted 1 MB `a+a+...` line costs tree-sitter
// seconds), requests are still answered: about the edited file from its last analysed version
// translated to the current text (the launch keeps its prediction; a point inside the pasted text gets
// nothing), about other files from their own analyses, and after the paste is removed, from a fresh
// analysis. Behaviour only; how fast is printed by bench/lsp.bench.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LspTestClient, type Message } from './lsp-client';

const serverPath = LspTestClient.bundledServerPath();
const skip = serverPath ? false : 'dist/server.js not built: run `npm run build` first';
const root = join(__dirname, '..', '..');
const example = readFileSync(join(root, 'examples', 'tiled_matmul.cu'), 'utf8');
const lines = example.split('\n');
const launchLine = lines.findIndex((line) => line.includes('matmul_tiled<<<'));
const RUNTIME = /\d+(\.\d+)? (ms|µs|s)\b/;
const hoverText = (m: Message): string => m.result?.contents?.value ?? '';

let client: LspTestClient | undefined;
after(async () => client?.shutdown());

test('a long parse of one file: its launch hover and hints come from the last analysis, other files answer, removing the paste analyses again', {
  skip,
  timeout: 120_000,
}, async () => {
  client = new LspTestClient(serverPath!);
  client.requestTimeoutMs = 60_000;
  await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  client.notify('initialized', {});
  const uri = 'file:///tmp/tilecast-slow-parse/edited.cu';
  const other = 'file:///tmp/tilecast-slow-parse/other.cu';
  const launch = (line: number) => ({ line, character: lines[launchLine]!.indexOf('matmul_tiled') + 2 });
  for (const u of [uri, other]) client.notify('textDocument/didOpen', { textDocument: { uri: u, languageId: 'cuda-cpp', version: 1, text: example } });
  for (const u of [uri, other])
    assert.match(hoverText(await client.request('textDocument/hover', { textDocument: { uri: u }, position: launch(launchLine) })), RUNTIME);

  // Two lines of junk pasted above the launch: the launch moves down two lines.
  const junkLine = launchLine - 1;
  const paste = { range: { start: { line: junkLine, character: 0 }, end: { line: junkLine, character: 0 } }, text: `${'a+'.repeat(500_000)}a\n\n` };
  client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [paste] });
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: launch(launchLine + 2) });
  assert.match(hoverText(hover), RUNTIME, 'the launch, two lines down, keeps its prediction');
  assert.equal(hover.result.range.start.line, launchLine + 2, 'the hover range is in the current text');
  const inside = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: junkLine, character: 1000 } });
  assert.equal(inside.error, undefined);
  assert.equal(inside.result, null, 'nothing inside the pasted text');
  assert.match(hoverText(await client.request('textDocument/hover', { textDocument: { uri: other }, position: launch(launchLine) })), RUNTIME);
  const hints = await client.request('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: lines.length + 2, character: 0 } },
  });
  assert.ok(
    hints.result.some((hint: any) => hint.position.line === launchLine + 2),
    `a hint on the moved launch line: ${JSON.stringify(hints.result)}`,
  );

  const remove = { range: { start: { line: junkLine, character: 0 }, end: { line: junkLine + 2, character: 0 } }, text: '' };
  client.notify('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [remove] });
  const published = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === 3);
  assert.ok(!published.params.diagnostics.some((d: any) => /too complex/.test(d.message)));
  assert.match(hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: launch(launchLine) })), RUNTIME);
  assert.equal(client.exited, false);
});
