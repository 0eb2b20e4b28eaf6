// Protocol tests of the editor features over stdio against the bundled server (dist/server.js, built
// by `npm run build`), on examples/tiled_matmul.cu: initialize, didOpen, hover, inlay hints, code
// lenses, code actions, didChange, settings through workspace/configuration and didChangeConfiguration,
// the custom requests, a corrupt model, and shutdown. Expected values come from the real model, so they
// are matched by shape (a runtime in ms, the GPU's name), not by number.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspTestClient, type Message } from './lsp-client';

const serverPath = LspTestClient.bundledServerPath();
const skip = serverPath ? false : 'dist/server.js not built: run `npm run build` first';
const example = readFileSync(join(__dirname, '..', '..', 'examples', 'tiled_matmul.cu'), 'utf8');
const uri = 'file:///tmp/tilecast-protocol/tiled_matmul.cu';
const lines = example.split('\n');
const launchLine = lines.findIndex((line) => line.includes('matmul_tiled<<<'));
const tileLine = lines.findIndex((line) => line.startsWith('#define TILE'));
const launch = { line: launchLine, character: lines[launchLine]!.indexOf('matmul_tiled') + 2 };
const tileValue = { line: tileLine, character: lines[tileLine]!.indexOf('16') };
const RUNTIME = /\d+(\.\d+)? ms/;

const CAPABILITIES = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    inlayHint: { refreshSupport: true },
    codeLens: { refreshSupport: true },
    workspaceEdit: { documentChanges: true },
  },
  textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, inlayHint: {}, codeLens: {}, codeAction: {} },
};

/** Starts a server whose `tilecast` settings are whatever `settings.current` holds when it asks. */
async function startClient(settings: { current: unknown }): Promise<{ client: LspTestClient; init: Message }> {
  const client = new LspTestClient(serverPath!);
  client.onServerRequest('workspace/configuration', (params) => params.items.map(() => settings.current));
  const init = await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: CAPABILITIES });
  client.notify('initialized', {});
  return { client, init };
}

const statusWhere = (predicate: (params: any) => boolean) => (m: Message) => m.method === 'tilecast/status' && predicate(m.params);
const hoverText = (m: Message): string => m.result?.contents?.value ?? '';

const settings: { current: unknown } = { current: {} };
let client: LspTestClient;
let init: Message;

before(async () => {
  if (!serverPath) return;
  ({ client, init } = await startClient(settings));
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text: example } });
});

after(async () => {
  if (client) await client.shutdown();
});

test('initialize declares hover, inlay hints, code lenses, quick fixes and rewrites, incremental sync', { skip }, () => {
  const capabilities = init.result.capabilities;
  assert.equal(capabilities.textDocumentSync.change, 2);
  assert.equal(capabilities.hoverProvider, true);
  assert.ok(capabilities.inlayHintProvider);
  assert.ok(capabilities.codeLensProvider);
  assert.deepEqual(capabilities.codeActionProvider.codeActionKinds, ['quickfix', 'refactor.rewrite']);
  assert.equal(init.result.serverInfo.name, 'tilecast');
});

test('the status notification names the GPU and the loaded model', { skip }, async () => {
  const status = await client.waitFor(statusWhere((p) => p.model.ok));
  assert.equal(status.params.gpus[0].id, 'rtx-4090');
  assert.match(status.params.model.runtimeFingerprint, /\w{8}/);
  assert.match(status.params.message, /rtx-4090/);
});

test('hover on the launch shows the predicted runtime, power and energy', { skip }, async () => {
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: launch });
  const text = hoverText(hover);
  assert.match(text, RUNTIME);
  assert.match(text, /RTX 4090/);
  assert.match(text, /\d W/);
  assert.equal(hover.result.range.start.line, launchLine);
});

test('a hover away from any kernel answers null; a document that is not open answers null', { skip }, async () => {
  const blank = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 0 } });
  assert.equal(blank.result, null);
  const unknown = await client.request('textDocument/hover', { textDocument: { uri: 'file:///nowhere.cu' }, position: launch });
  assert.equal(unknown.result, null);
});

test('inlay hints: time, power and energy after the launch', { skip }, async () => {
  const hints = await client.request('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
  });
  const atLaunch = hints.result.filter((h: any) => h.position.line === launchLine);
  assert.equal(atLaunch.length, 1, JSON.stringify(hints.result));
  assert.match(atLaunch[0].label, /ms · .* W · .* J/);
});

test('code lenses carry DocumentPoint arguments for the client commands', { skip }, async () => {
  const lenses = await client.request('textDocument/codeLens', { textDocument: { uri } });
  const compare = lenses.result.find((l: any) => l.command.command === 'tilecast.compareGpus');
  assert.ok(compare, JSON.stringify(lenses.result));
  assert.equal(compare.command.arguments[0].uri, uri);
  assert.equal(typeof compare.command.arguments[0].position.line, 'number');
  assert.ok(lenses.result.some((l: any) => RUNTIME.test(l.command.title)));
});

test('a code action on TILE rewrites its value in place, versioned', { skip }, async () => {
  const actions = await client.request('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: tileValue, end: tileValue },
    context: { diagnostics: [] },
  });
  const rewrite = actions.result.find((a: any) => a.kind === 'refactor.rewrite' && /TILE/.test(a.title));
  assert.ok(rewrite, JSON.stringify(actions.result));
  const [change] = rewrite.edit.documentChanges;
  assert.deepEqual(change.textDocument, { uri, version: 1 });
  assert.equal(change.edits.length, 1);
  assert.deepEqual(change.edits[0].range.start, tileValue);
  assert.match(change.edits[0].newText, /^\d+$/);
  assert.notEqual(change.edits[0].newText, '16');
});

test('didChange: the hover and the diagnostics follow the new text', { skip }, async () => {
  const before = hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: launch }));
  client.notify('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: tileValue, end: { line: tileLine, character: tileValue.character + 2 } }, text: '32' }],
  });
  // Diagnostics of version 2 mean its analysis is in; a hover asked before that may be answered from the
  // last analysis (after REQUEST_WAIT_MS on a loaded machine), which the latency benchmarks measure.
  await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === 2);
  const after = hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: launch }));
  assert.match(after, RUNTIME);
  assert.notEqual(after, before);
  assert.match(after, /32/);
});

test('the server logs once when it is ready: ms after its process started, with the parsers and the model each', { skip }, async () => {
  const ready = await client.waitFor((m) => m.method === 'window/logMessage' && / ready \d+ ms after/.test(m.params.message));
  const match = /^tilecast: ready (\d+) ms after the server process started \(parsers (\d+) ms, model (\d+) ms\)$/.exec(ready.params.message);
  assert.ok(match, ready.params.message);
  const [readyMs, parsersMs, modelMs] = match.slice(1).map(Number);
  // Ready is when both are loaded: the later of the two, not before either.
  assert.ok(parsersMs! > 0 && modelMs! > 0 && readyMs! >= Math.max(parsersMs!, modelMs!), ready.params.message);
  // A hover answered after it carries a prediction.
  assert.match(hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: launch })), RUNTIME);
  assert.equal(client.received.filter((m) => m.method === 'window/logMessage' && / ready \d+ ms after/.test(m.params.message)).length, 1);
});

test('didChangeConfiguration: settings are pulled again, unknown GPUs reported, hints refreshed, garbage ignored with a log line', { skip }, async () => {
  const refreshesBefore = client.received.filter((m) => m.method === 'workspace/inlayHint/refresh').length;
  settings.current = { gpus: ['H100 SXM', 'rtx 4900x'], inlayHints: 'time', defaultProblemSize: 'large', diagnostics: { 'tail-wave-idle': 'loud' } };
  client.notify('workspace/didChangeConfiguration', { settings: null });
  const status = await client.waitFor(statusWhere((p) => p.gpus[0]?.id === 'h100-sxm'));
  assert.deepEqual(
    status.params.gpus.map((g: any) => g.id),
    ['h100-sxm'],
  );
  assert.equal(status.params.unknownGpus[0].name, 'rtx 4900x');
  assert.ok(status.params.unknownGpus[0].suggestions.includes('rtx-4090'), JSON.stringify(status.params.unknownGpus));
  await client.waitFor((m) => m.method === 'workspace/inlayHint/refresh' && client.received.filter((r) => r.method === m.method).length > refreshesBefore);
  const logs = client.received
    .filter((m) => m.method === 'window/logMessage')
    .map((m) => m.params.message)
    .join('\n');
  assert.match(logs, /tilecast\.defaultProblemSize/);
  assert.match(logs, /tilecast\.diagnostics\.tail-wave-idle/);

  const hints = await client.request('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
  });
  assert.ok(hints.result.length > 0);
  for (const hint of hints.result)
    assert.match(
      hint.label,
      /^[\d.,]+ (ms|s|µs)( \(extrap\.\))?$/,
      'time only (the extrapolation mark allowed: the shipped model may extrapolate on the H100)',
    );
  assert.match(hoverText(await client.request('textDocument/hover', { textDocument: { uri }, position: launch })), /H100/);
  settings.current = {};
  client.notify('workspace/didChangeConfiguration', { settings: null });
  await client.waitFor(statusWhere((p) => p.gpus[0]?.id === 'rtx-4090' && p.unknownGpus.length === 0));
});

test('tilecast/catalogue lists the GPU catalogue', { skip }, async () => {
  const { result } = await client.request('tilecast/catalogue', null);
  assert.ok(result.length >= 50);
  const gpu = result.find((g: any) => g.id === 'rtx-4090');
  assert.ok(gpu.fp32Tflops > 50 && gpu.bandwidthGBps > 500, JSON.stringify(gpu));
});

const point = () => ({ uri, position: launch });

test('tilecast/roofline: the launch as a point under the GPU roofs', { skip }, async () => {
  const { result } = await client.request('tilecast/roofline', point());
  assert.ok(result.points.length > 0 && result.roofs.length > 0, JSON.stringify(result));
  assert.ok(result.points[0].arithmeticIntensity > 0);
});

test('tilecast/tileSweep: predicted runtimes over two tile dimensions', { skip }, async () => {
  const { result } = await client.request('tilecast/tileSweep', point());
  assert.ok(result.cells.length > 1, JSON.stringify(result).slice(0, 500));
  assert.ok(result.cells.some((c: any) => c.timeMs && c.timeMs.value > 0));
});

test('tilecast/compareGpus: one row per requested GPU', { skip }, async () => {
  const { result } = await client.request('tilecast/compareGpus', { ...point(), gpuIds: ['rtx-4090', 'a100-sxm4-80gb', 'h100'] });
  assert.equal(result.rows.length, 3, JSON.stringify(result));
  assert.ok(result.rows.every((r: any) => r.timeMs === null || r.timeMs.value > 0));
});

test('tilecast/exportCsv: a header and rows', { skip }, async () => {
  const { result } = await client.request('tilecast/exportCsv', { uri });
  assert.ok(result.rows > 0);
  assert.equal(result.csv.trim().split('\n').length, result.rows + 1);
});

test('tilecast/problemSizeEdit: the edit that writes the annotation; bad sizes are refused', { skip }, async () => {
  const bad = await client.request('tilecast/problemSizeEdit', { ...point(), m: -1, n: 2, k: 3 });
  assert.equal(bad.result.edit, null);
  assert.match(bad.result.message, /whole numbers/);
  const { result } = await client.request('tilecast/problemSizeEdit', { ...point(), m: 1024, n: 2048, k: 512 });
  assert.match(result.edit.newText, /tilecast:.*M=1024.*N=2048.*K=512/);
  assert.equal(typeof result.edit.lspRange.start.line, 'number');
  // What the command asks for at a GEMM launch: M, N, K with the values read now.
  const fields = await client.request('tilecast/problemSizeFields', point());
  assert.equal(fields.result.kind, 'gemm');
  assert.deepEqual(
    fields.result.fields.map((f: { key: string }) => f.key),
    ['m', 'n', 'k'],
  );
});

test('a corrupt model: the status and the hover say so, analysis keeps working, the server lives', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-corrupt-model-'));
  writeFileSync(join(dir, 'runtime.tcmf'), 'not a model');
  writeFileSync(join(dir, 'power.tcmf'), Buffer.from([0, 1, 2, 3, 255]));
  const started = await startClient({ current: { modelPath: dir } });
  const broken = started.client;
  try {
    const status = await broken.waitFor(statusWhere((p) => p.model.ok === false && /corrupt|cannot/.test(p.model.error)));
    assert.match(status.params.model.error, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    broken.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text: example } });
    const hover = hoverText(await broken.request('textDocument/hover', { textDocument: { uri }, position: launch }));
    assert.match(hover, /model/i);
    assert.match(hover, /corrupt|cannot|unavailable/i);
    const diagnostics = await broken.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
    assert.ok(
      diagnostics.params.diagnostics.some((d: any) => d.code === 'model-unavailable'),
      JSON.stringify(diagnostics.params),
    );
    const errors = broken.received.filter((m) => m.method === 'window/logMessage' && m.params.type === 1).map((m) => m.params.message);
    assert.ok(
      errors.some((line) => /corrupt|cannot be used/.test(line)),
      errors.join('\n'),
    );
    assert.equal(broken.exited, false);
  } finally {
    await broken.shutdown();
  }
});

test('a Triton file (Python that imports triton) gets inlay hints and a hover on its launch', { skip }, async () => {
  const tritonUri = 'file:///tmp/tilecast-protocol/batched-matmul.py';
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'triton', 'batched-matmul.py'), 'utf8');
  const tritonLines = text.split('\n');
  client.notify('textDocument/didOpen', { textDocument: { uri: tritonUri, languageId: 'python', version: 1, text } });
  const hints = await client.request('textDocument/inlayHint', {
    textDocument: { uri: tritonUri },
    range: { start: { line: 0, character: 0 }, end: { line: tritonLines.length, character: 0 } },
  });
  assert.ok(hints.result.length > 0, 'hints for the Triton launch');
  assert.ok(hints.result.every((h: any) => /\d/.test(h.label)));
  const line = tritonLines.findIndex((l) => l.includes('bmm_kernel[grid]'));
  const hover = await client.request('textDocument/hover', {
    textDocument: { uri: tritonUri },
    position: { line, character: tritonLines[line]!.indexOf('bmm_kernel') + 1 },
  });
  assert.match(hoverText(hover), /\d (ms|µs|s)\b/);
});

test('shutdown answers null and exit ends the process', { skip }, async () => {
  const answer = await client.request('shutdown', null);
  assert.equal(answer.result, null);
  client.notify('exit', null);
  await new Promise<void>((resolve) => (client.exited ? resolve() : client.onExit(resolve)));
  assert.equal(client.exitCode, 0);
});

test('a client that goes away without shutdown (stdin closed) does not leave the server running', { skip }, async () => {
  const orphan = new LspTestClient(serverPath!);
  await orphan.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  const exited = new Promise<void>((resolve) => orphan.onExit(resolve));
  orphan.closeInput();
  await exited;
  assert.equal(orphan.exitCode, 1);
});

test('a request read together with a newer change of its document answers "content modified" without analysing', { skip }, async () => {
  const staleUri = 'file:///tmp/tilecast-protocol/stale.cu';
  const fresh = new LspTestClient(serverPath!);
  try {
    await fresh.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    fresh.notify('initialized', {});
    fresh.notify('textDocument/didOpen', { textDocument: { uri: staleUri, languageId: 'cuda-cpp', version: 1, text: example } });
    assert.match(hoverText(await fresh.request('textDocument/hover', { textDocument: { uri: staleUri }, position: launch })), RUNTIME);
    const change = {
      textDocument: { uri: staleUri, version: 2 },
      contentChanges: [{ range: { start: tileValue, end: { line: tileLine, character: tileValue.character + 2 } }, text: '32' }],
    };
    const cancelledId = fresh.peekNextId + 1;
    const [stale, , cancelled, , current] = fresh.sendTogether([
      { method: 'textDocument/hover', params: { textDocument: { uri: staleUri }, position: launch } },
      { method: 'textDocument/didChange', params: change, notification: true },
      { method: 'textDocument/hover', params: { textDocument: { uri: staleUri }, position: launch } },
      { method: '$/cancelRequest', params: { id: cancelledId }, notification: true },
      { method: 'textDocument/hover', params: { textDocument: { uri: staleUri }, position: launch } },
    ]);
    assert.equal((await stale!).error?.code, -32801, 'the hover of version 1 is outdated once version 2 is read');
    assert.equal((await cancelled!).error?.code, -32800, 'a cancelled request is not run');
    const answer = await current!;
    assert.match(hoverText(answer), /32/);
    assert.match(hoverText(answer), RUNTIME);
  } finally {
    await fresh.shutdown();
  }
});
