// Protocol test of imported Triton modules over stdio against the bundled server: a file that launches
// kernels another module beside it defines (`from .kernels import ...`, on disk) gets predictions in its
// hovers and one hint per launch (none for the module's configs); editing the module in the editor
// (unsaved) changes the file's hover and makes the server ask the client to refresh its hints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspTestClient } from './lsp-client';

const serverPath = LspTestClient.bundledServerPath();
const skip = serverPath ? false : 'dist/server.js not built: run `npm run build` first';

const FIXTURES = join(__dirname, '..', 'fixtures', 'triton-modules');
const KERNELS = readFileSync(join(FIXTURES, 'kernels.py'), 'utf8');
const OPS = readFileSync(join(FIXTURES, 'ops.py'), 'utf8');

let client: LspTestClient;
let opsUri: string;
let kernelsUri: string;
const lineOf = (needle: string) => OPS.split('\n').findIndex((l) => l.includes(needle));
const hoverAt = async (line: number, character = 6) =>
  (await client.request('textDocument/hover', { textDocument: { uri: opsUri }, position: { line, character } })).result?.contents?.value ?? '';

before(async () => {
  if (!serverPath) return;
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-triton-modules-'));
  writeFileSync(join(dir, 'kernels.py'), KERNELS);
  writeFileSync(join(dir, 'ops.py'), OPS);
  opsUri = pathToFileURL(join(dir, 'ops.py')).href;
  kernelsUri = pathToFileURL(join(dir, 'kernels.py')).href;
  client = new LspTestClient(serverPath);
  client.onServerRequest('workspace/configuration', (params) => params.items.map(() => ({})));
  await client.request('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true, inlayHint: { refreshSupport: true } },
      textDocument: { hover: { contentFormat: ['markdown'] }, inlayHint: {} },
    },
  });
  client.notify('initialized', {});
  client.notify('textDocument/didOpen', { textDocument: { uri: opsUri, languageId: 'python', version: 1, text: OPS } });
  // A read waits at most REQUEST_WAIT_MS for the analysis (lsp/scheduler.ts) and a fresh server's first one can
  // take longer under load (it failed once in CI): the diagnostics mean the analysis of version 1 is in.
  await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === opsUri);
});

after(async () => {
  if (client) await client.shutdown();
});

test("launches of kernels an imported module defines are predicted, the autotuned one with the module's configs", { skip }, async () => {
  const tuned = await hoverAt(lineOf('tuned_matmul[grid]'));
  assert.match(tuned, /\*\*tuned_matmul\*\* launch \(kernel defined in `\.kernels`\)/, tuned);
  assert.match(tuned, /\d+(\.\d+)? (ms|µs)/);
  assert.match(tuned, /autotune config #\d/, tuned);
  const plain = await hoverAt(lineOf('pm[('), 5);
  assert.match(plain, /\*\*plain_matmul\*\* launch/, plain);
  assert.match(plain, /tile 64×64×32/, plain);
  const lines = OPS.split('\n').length;
  const hints = (
    await client.request('textDocument/inlayHint', {
      textDocument: { uri: opsUri },
      range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } },
    })
  ).result;
  assert.deepEqual(
    hints.map((h: { position: { line: number } }) => h.position.line),
    [lineOf('tuned_matmul[grid]'), lineOf('pm[('), lineOf('K.plain_matmul[')],
    'one hint per launch, none for the configs in kernels.py',
  );
});

test("editing the open module (unsaved) changes the importing file's hover and asks for fresh hints", { skip }, async () => {
  const line = lineOf('pm[(');
  const before = await hoverAt(line, 5);
  const refreshes = () => client.received.filter((m) => m.method === 'workspace/inlayHint/refresh').length;
  const refreshesBefore = refreshes();
  client.notify('textDocument/didOpen', { textDocument: { uri: kernelsUri, languageId: 'python', version: 1, text: KERNELS } });
  const defaultLine = KERNELS.split('\n').findIndex((l) => l.startsWith('DEFAULT_BLOCK = 64'));
  client.notify('textDocument/didChange', {
    textDocument: { uri: kernelsUri, version: 2 },
    contentChanges: [{ range: { start: { line: defaultLine, character: 16 }, end: { line: defaultLine, character: 18 } }, text: '128' }],
  });
  // The open and the change each may ask for a refresh, in either order with the hover: ask again after each
  // refresh until the hover shows the edited module (each wait is bounded by waitFor's timeout).
  let after = before;
  for (let tries = 0; tries < 10; tries++) {
    const seen = refreshes();
    after = await hoverAt(line, 5);
    if (/tile 128×128×32/.test(after)) break;
    await client.waitFor((m) => m.method === 'workspace/inlayHint/refresh' && refreshes() > seen);
  }
  assert.ok(refreshes() > refreshesBefore, 'the server asks for fresh hints after the module changes');
  assert.notEqual(after, before);
  assert.match(after, /tile 128×128×32/, after);
});
