// Protocol test of included headers over stdio against the bundled server: a file that launches a kernel
// defined in a header beside it (`#include "tiled.cuh"`, on disk) gets a prediction in its hover; a code
// action on the launch edits the header's tile constant in the header's file (unversioned while the header
// is closed, at the editor's version once open); and editing the header in the editor (unsaved) changes
// the file's hover and makes the server ask the client to refresh its hints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspTestClient } from './lsp-client';

const serverPath = LspTestClient.bundledServerPath();
const skip = serverPath ? false : 'dist/server.js not built: run `npm run build` first';

const HEADER = readFileSync(join(__dirname, '..', 'fixtures', 'headers', 'tiled.cuh'), 'utf8');
const MAIN = `#include "tiled.cuh"
void run(const float *A, const float *B, float *C) {
  const int M = 4096, N = 4096, K = 2048;
  dim3 block(TILE, TILE);
  dim3 grid(N / TILE, M / TILE);
  tiled_mm<TILE><<<grid, block>>>(A, B, C, M, N, K);
}
`;

let client: LspTestClient;
let mainUri: string;
let headerUri: string;
const launchLine = MAIN.split('\n').findIndex((l) => l.includes('tiled_mm<'));
const hoverText = async () =>
  (await client.request('textDocument/hover', { textDocument: { uri: mainUri }, position: { line: launchLine, character: 4 } })).result?.contents?.value ?? '';

before(async () => {
  if (!serverPath) return;
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-headers-'));
  writeFileSync(join(dir, 'tiled.cuh'), HEADER);
  writeFileSync(join(dir, 'main.cu'), MAIN);
  mainUri = pathToFileURL(join(dir, 'main.cu')).href;
  headerUri = pathToFileURL(join(dir, 'tiled.cuh')).href;
  client = new LspTestClient(serverPath);
  client.onServerRequest('workspace/configuration', (params) => params.items.map(() => ({})));
  await client.request('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true, inlayHint: { refreshSupport: true }, workspaceEdit: { documentChanges: true } },
      textDocument: { hover: { contentFormat: ['markdown'] }, inlayHint: {}, codeAction: {} },
    },
  });
  client.notify('initialized', {});
  client.notify('textDocument/didOpen', { textDocument: { uri: mainUri, languageId: 'cuda-cpp', version: 1, text: MAIN } });
});

after(async () => {
  if (client) await client.shutdown();
});

test("a launch of a kernel defined in an included header on disk is predicted, with the header's tile", { skip }, async () => {
  const text = await hoverText();
  assert.match(text, /\d+(\.\d+)? ms/);
  assert.match(text, /tile 32×32/, text);
  assert.match(text, /kernel defined in `tiled\.cuh`/);
  assert.doesNotMatch(text, /not defined/);
});

const tileAction = async () => {
  const reply = await client.request('textDocument/codeAction', {
    textDocument: { uri: mainUri },
    range: { start: { line: launchLine, character: 4 }, end: { line: launchLine, character: 4 } },
    context: { diagnostics: [] },
  });
  return (reply.result ?? []).find((a: { title: string }) => /^Use TILE = \d+ in tiled\.cuh/.test(a.title));
};

test("a code action on the launch rewrites the header's TILE in the header's file", { skip }, async () => {
  const action = await tileAction();
  assert.ok(action, 'no "Use TILE = … in tiled.cuh" action');
  // Only the header changes; it is not open, so the edit names no version.
  assert.equal(action.edit.documentChanges.length, 1);
  const [change] = action.edit.documentChanges;
  assert.deepEqual(change.textDocument, { uri: headerUri, version: null });
  const edits = change.edits;
  assert.equal(edits.length, 1);
  const line = HEADER.split('\n').findIndex((l) => l.startsWith('#define TILE'));
  assert.deepEqual(edits[0].range, { start: { line, character: 13 }, end: { line, character: 15 } });
  assert.match(edits[0].newText, /^\d+$/);
  assert.notEqual(edits[0].newText, '32');
});

test("editing the open header (unsaved) changes the including file's hover and asks for fresh hints", { skip }, async () => {
  const before = await hoverText();
  const refreshes = () => client.received.filter((m) => m.method === 'workspace/inlayHint/refresh').length;
  client.notify('textDocument/didOpen', { textDocument: { uri: headerUri, languageId: 'cuda-cpp', version: 1, text: HEADER } });
  const refreshesBefore = refreshes();
  const line = HEADER.split('\n').findIndex((l) => l.startsWith('#define TILE'));
  client.notify('textDocument/didChange', {
    textDocument: { uri: headerUri, version: 2 },
    contentChanges: [{ range: { start: { line, character: 13 }, end: { line, character: 15 } }, text: '16' }],
  });
  await client.waitFor((m) => m.method === 'workspace/inlayHint/refresh' && refreshes() > refreshesBefore);
  const after = await hoverText();
  assert.notEqual(after, before);
  assert.match(after, /tile 16×16/, after);
  // The action now starts from the open header's unsaved text.
  const action = await tileAction();
  assert.ok(action);
  const [change] = action.edit.documentChanges;
  assert.deepEqual(change.textDocument, { uri: headerUri, version: 2 });
  const edits = change.edits;
  assert.equal(edits[0].range.start.line, line);
  assert.notEqual(edits[0].newText, '16');
});

test('tilecast.includePaths: a header found only in an include folder (relative to the workspace) is read, and dropped when the setting goes; tilecast.compileCommandsDir finds it again', {
  skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-include-paths-'));
  mkdirSync(join(dir, 'inc'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'inc', 'tiled.cuh'), HEADER);
  const text = MAIN.replace('#include "tiled.cuh"', '#include <tiled.cuh>');
  const uri = pathToFileURL(join(dir, 'src', 'main.cu')).href;
  const settings: { current: unknown } = { current: { includePaths: ['inc'] } };
  const other = new LspTestClient(serverPath!);
  other.onServerRequest('workspace/configuration', (params) => params.items.map(() => settings.current));
  try {
    await other.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: { workspace: { configuration: true } } });
    other.notify('initialized', {});
    other.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text } });
    const hover = async () =>
      (await other.request('textDocument/hover', { textDocument: { uri }, position: { line: launchLine, character: 4 } })).result?.contents?.value ?? '';
    assert.match(await hover(), /tile 32×32/);
    settings.current = {};
    other.notify('workspace/didChangeConfiguration', { settings: null });
    // The settings are pulled after the notification: poll until the hover no longer has the header's tile.
    let after = await hover();
    for (let i = 0; i < 100 && /tile 32×32/.test(after); i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await hover();
    }
    // Without the header the launch's kernel is unknown: no GEMM report, so no hover at all.
    assert.equal(after, '');
    // tilecast.compileCommandsDir names a database out of the file's way whose entry has -I../inc.
    mkdirSync(join(dir, 'out'));
    writeFileSync(
      join(dir, 'out', 'compile_commands.json'),
      JSON.stringify([{ directory: join(dir, 'out'), file: '../src/main.cu', arguments: ['nvcc', '-I../inc', '-c', '../src/main.cu'] }]),
    );
    settings.current = { compileCommandsDir: 'out' };
    other.notify('workspace/didChangeConfiguration', { settings: null });
    let fromDatabase = await hover();
    for (let i = 0; i < 100 && !/tile 32×32/.test(fromDatabase); i++) {
      await new Promise((r) => setTimeout(r, 50));
      fromDatabase = await hover();
    }
    assert.match(fromDatabase, /tile 32×32/);
  } finally {
    await other.shutdown();
  }
});

test('a header changed on disk (not open in the editor): the server watches headers, and the including file follows the change', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-watched-'));
  writeFileSync(join(dir, 'tiled.cuh'), HEADER);
  const uri = pathToFileURL(join(dir, 'main.cu')).href;
  const header = pathToFileURL(join(dir, 'tiled.cuh')).href;
  const other = new LspTestClient(serverPath!);
  const registrations: Array<{ method: string; registerOptions?: { watchers?: Array<{ globPattern: string }> } }> = [];
  other.onServerRequest('client/registerCapability', (params) => {
    registrations.push(...params.registrations);
    return null;
  });
  other.onServerRequest('workspace/configuration', (params) => params.items.map(() => ({})));
  try {
    await other.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: { workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, inlayHint: { refreshSupport: true } } },
    });
    other.notify('initialized', {});
    other.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text: MAIN } });
    const hover = async () =>
      (await other.request('textDocument/hover', { textDocument: { uri }, position: { line: launchLine, character: 4 } })).result?.contents?.value ?? '';
    assert.match(await hover(), /tile 32×32/);
    const watched = registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.ok(
      watched?.registerOptions?.watchers?.some((w) => w.globPattern.includes('cuh')),
      JSON.stringify(registrations),
    );

    writeFileSync(join(dir, 'tiled.cuh'), HEADER.replace('#define TILE 32', '#define TILE 16'));
    const refreshes = () => other.received.filter((m) => m.method === 'workspace/inlayHint/refresh').length;
    const before = refreshes();
    other.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: header, type: 2 }] });
    await other.waitFor((m) => m.method === 'workspace/inlayHint/refresh' && refreshes() > before);
    assert.match(await hover(), /tile 16×16/);
  } finally {
    await other.shutdown();
  }
});
