// An independent, real LSP client: headless Neovim (Debian's neovim 0.7, built-in LSP client, no inlay
// hints) starts the bundled server, opens examples/tiled_matmul.cu, and the hover on the launch shows
// the prediction. Skipped with a message when `nvim` is not installed (CI installs it: .ci/run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const server = join(root, 'dist', 'server.js');
const file = join(root, 'examples', 'tiled_matmul.cu');
const hasNvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' }).status === 0;
const hasServer = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(server)})`]).status === 0;
const skip = !hasNvim
  ? 'nvim not found: install Neovim (apt-get install -y neovim) to run the Neovim client test'
  : !hasServer
    ? 'dist/server.js not built: run `npm run build` first'
    : false;

test('Neovim: the hover on the launch in examples/tiled_matmul.cu shows the predicted runtime', { skip, timeout: 120_000 }, () => {
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((text) => text.includes('matmul_tiled<<<'));
  const col = lines[line]!.indexOf('matmul_tiled') + 2;
  const result = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(__dirname, 'hover-probe.lua')}`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 100_000,
    env: { ...process.env, SERVER: server, FILE: file, LINE: String(line), COL: String(col) },
  });
  // Neovim prints from Lua to stderr in headless mode.
  const output = `${result.stdout}\n${result.stderr}`;
  assert.equal(result.status, 0, output);
  assert.match(output, /initialized: true/);
  const at = output.indexOf('hover: ');
  assert.ok(at >= 0, output);
  // The hover's markdown, over several lines, from the marker on.
  const hover = output.slice(at);
  assert.ok(!hover.startsWith('hover: nil'), output);
  assert.match(hover, /matmul_tiled/);
  assert.match(hover, /\d+(\.\d+)? ms/);
  assert.match(hover, /RTX 4090/);
});
