// The server uses the workspace's retrained model (.tilecast/models with its manifest) when there is one,
// says so in the status line, and after a revert (tilecast/reloadModel, as the extension asks) goes back
// to the shipped model; a watched change under .tilecast/models (didChangeWatchedFiles) loads it again. The "retrained" model here is the shipped pair copied with a manifest: what is
// checked is which directory the server loads and what the status line says, not the numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspTestClient } from './lsp-client';
import { MODEL_FILES, modelDirCandidates } from '../../server/src/platform/models';
import { existsSync } from 'node:fs';

const serverPath = LspTestClient.bundledServerPath();
const skip = serverPath ? false : 'dist/server.js not built: run `npm run build` first';

test("the workspace's retrained model is used, named in the status, and Revert returns to the shipped model", { skip }, async () => {
  const shipped = modelDirCandidates().find((d) => existsSync(join(d, MODEL_FILES.runtime)) && existsSync(join(d, MODEL_FILES.power)));
  assert.ok(shipped, 'shipped models present');
  const workspace = mkdtempSync(join(tmpdir(), 'tilecast-ws-model-'));
  const dir = join(workspace, '.tilecast', 'models');
  mkdirSync(dir, { recursive: true });
  for (const f of Object.values(MODEL_FILES)) copyFileSync(join(shipped, f), join(dir, f));
  writeFileSync(
    join(dir, 'user-model.json'),
    JSON.stringify({ strategy: 'combined', fingerprint: 'fp-test-123', createdAt: '2026-12-05T20:00:00Z', why: 'test', records: 30, strategies: [] }),
  );
  const client = new LspTestClient(serverPath!);
  try {
    await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(workspace).href, capabilities: {} });
    client.notify('initialized', {});
    const status = await client.waitFor((m) => m.method === 'tilecast/status' && m.params.model.ok);
    assert.equal(status.params.model.dir, dir);
    assert.equal(status.params.model.source, 'your retrained model fp-test-123');
    assert.match(status.params.message, /\(your retrained model fp-test-123\) from /);
    renameSync(dir, `${dir}.reverted-test`);
    const after = await client.request('tilecast/reloadModel', null);
    assert.equal(after.result.model.source, 'shipped model');
    assert.notEqual(after.result.model.dir, dir);
    assert.match(after.result.message, /\(shipped model\) from /);
    await client.waitFor((m) => m.method === 'tilecast/status' && m.params.model.source === 'shipped model');
    // The extension's watcher on .tilecast/models reports the model back: the server loads it again.
    renameSync(`${dir}.reverted-test`, dir);
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(dir, 'user-model.json')).href, type: 1 }] });
    await client.waitFor((m) => m.method === 'tilecast/status' && m.params.model.source === 'your retrained model fp-test-123');
  } finally {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  }
});
