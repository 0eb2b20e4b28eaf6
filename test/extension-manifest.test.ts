// Checks the extension manifest (package.json `contributes`, `capabilities`) against the contract in
// server/src/ide/protocol.ts and the client's code: every setting the server reads exists with the
// server's default, every command the server's lenses name is contributed and registered, and the
// output-channel lines read as intended. No editor needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PROFILE_SETTINGS } from '../extension/src/profiling-core';
import { statusBarText, statusLines } from '../extension/src/status-line';
import { CLIENT_COMMANDS, DEFAULT_SETTINGS, DIAGNOSTIC_CODES, type StatusParams } from '../server/src/ide/protocol';

const root = join(__dirname, '..');
interface Property {
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, Property>;
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: {
    configuration: { properties: Record<string, Property> };
    commands: Array<{ command: string; category: string; title: string }>;
    grammars: Array<{ path: string }>;
  };
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  icon: string;
  repository: { url: string };
};
const settings = manifest.contributes.configuration.properties;

test('every setting the server reads is contributed with the server default', () => {
  for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
    const property = settings[`tilecast.${key}`];
    assert.ok(property, `tilecast.${key} is contributed`);
    assert.deepEqual(property.default, value, `tilecast.${key} default`);
  }
  assert.ok(settings['tilecast.trace.server'], 'tilecast.trace.server (the language client reads it by the client id)');
  // tilecast.profile.* are the client's (profiling commands); checked below.
  const extra = Object.keys(settings).filter(
    (key) => key !== 'tilecast.trace.server' && !key.startsWith('tilecast.profile.') && !(key.slice('tilecast.'.length) in DEFAULT_SETTINGS),
  );
  assert.deepEqual(extra, [], 'no setting the server does not read');
});

test('the profiling settings are the ones the client reads, with its defaults', () => {
  const { slurm, ...rest } = DEFAULT_PROFILE_SETTINGS;
  const expected: Record<string, unknown> = { gpu: '' };
  for (const [key, value] of Object.entries(rest)) expected[key] = value;
  for (const [key, value] of Object.entries(slurm)) expected[`slurm.${key}`] = value;
  const contributed = Object.keys(settings)
    .filter((key) => key.startsWith('tilecast.profile.'))
    .map((key) => key.slice('tilecast.profile.'.length));
  assert.deepEqual(contributed.sort(), Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(settings[`tilecast.profile.${key}`].default, value, `tilecast.profile.${key} default`);
  const reader = readFileSync(join(root, 'extension', 'src', 'profiling-commands.ts'), 'utf8');
  for (const key of Object.keys(expected)) assert.ok(reader.includes(`'${key}'`), `profiling-commands.ts reads tilecast.profile.${key}`);
});

test('a severity setting for each diagnostic code, and nothing else', () => {
  const rules = settings['tilecast.diagnostics'].properties ?? {};
  assert.deepEqual(Object.keys(rules).sort(), [...DIAGNOSTIC_CODES].sort());
  for (const rule of Object.values(rules)) assert.deepEqual(rule.enum, ['error', 'warning', 'information', 'hint', 'off']);
});

test('the default GPU is a catalogue id', () => {
  const ids = new Set((JSON.parse(readFileSync(join(root, 'models', 'gpus.json'), 'utf8')) as { gpus: Array<{ id: string }> }).gpus.map((g) => g.id));
  for (const id of DEFAULT_SETTINGS.gpus) assert.ok(ids.has(id), id);
});

test('the commands the server names are contributed, in the TileCast category, and registered by the client', () => {
  const contributed = new Map(manifest.contributes.commands.map((c) => [c.command, c]));
  for (const id of Object.values(CLIENT_COMMANDS)) assert.ok(contributed.has(id), `${id} is contributed`);
  for (const command of contributed.values()) assert.equal(command.category, 'TileCast', command.command);
  const source = readdirSync(join(root, 'extension', 'src'))
    .map((name) => readFileSync(join(root, 'extension', 'src', name), 'utf8'))
    .join('\n');
  const registered = new Set([...source.matchAll(/register(?:Command)?\('(tilecast\.[\w.]+)'/g)].map((m) => m[1]));
  assert.deepEqual([...contributed.keys()].sort(), [...registered].sort());
});

test('untrusted workspaces: limited support, restricting only settings that exist', () => {
  const trust = manifest.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  for (const key of trust.restrictedConfigurations) assert.ok(settings[key], key);
});

test('the files the manifest names exist', () => {
  for (const grammar of manifest.contributes.grammars) assert.ok(existsSync(join(root, grammar.path)), grammar.path);
  assert.ok(existsSync(join(root, manifest.icon)), manifest.icon);
  assert.ok(existsSync(join(root, 'LICENSE')));
  assert.ok(existsSync(join(root, 'CHANGELOG.md')));
  assert.ok(existsSync(join(root, 'models', 'REPORT.md')), 'the model report the Open Model Report command shows');
  assert.match(manifest.repository.url, /^https:\/\//);
});

const STATUS: StatusParams = {
  serverVersion: '0.1.0',
  gpus: [
    { id: 'rtx-4090', name: 'NVIDIA GeForce RTX 4090' },
    { id: 'h100-sxm', name: 'NVIDIA H100 SXM5 80 GB' },
  ],
  unknownGpus: [{ name: 'rtx 9999', suggestions: ['rtx-4090', 'rtx-5090'] }],
  model: { ok: true, runtimeFingerprint: '90f2d3dd671851981a8e', powerFingerprint: '0123456789abcdef0123', dir: '/ext/dist/models' },
  message: 'TileCast server 0.1.0',
};

test('the output channel gets a start line with version, model fingerprints and GPUs, then unknown GPUs', () => {
  assert.deepEqual(statusLines(STATUS), [
    'TileCast server 0.1.0 · model runtime 90f2d3dd6718, power 0123456789ab (/ext/dist/models) · GPUs: NVIDIA GeForce RTX 4090 [rtx-4090], NVIDIA H100 SXM5 80 GB [h100-sxm]',
    'tilecast.gpus: "rtx 9999" is not in the catalogue; did you mean rtx-4090, rtx-5090?',
  ]);
  assert.equal(
    statusLines({ ...STATUS, unknownGpus: [], model: { ok: false, error: 'runtime.tcmf: bad magic' } })[0],
    'TileCast server 0.1.0 · model unavailable: runtime.tcmf: bad magic (analytic estimates only) · GPUs: NVIDIA GeForce RTX 4090 [rtx-4090], NVIDIA H100 SXM5 80 GB [h100-sxm]',
  );
});

test('the status bar names the primary GPU, the configured id until the server has answered', () => {
  assert.equal(statusBarText(STATUS, ['rtx-4090']), '$(circuit-board) GeForce RTX 4090 +1');
  assert.equal(statusBarText(null, ['a100-sxm4-80gb']), '$(circuit-board) a100-sxm4-80gb');
  assert.equal(statusBarText(null, []), '$(circuit-board) no GPU');
});
