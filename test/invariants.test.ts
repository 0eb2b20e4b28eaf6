// Enforces the architecture's invariants (docs/architecture.md) by reading the import lines of every
// source file: the pure core does no I/O and knows no editor protocol; files stay readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = join(__dirname, '..');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mjs|js)$/.test(name)) out.push(path);
  }
  return out;
}

function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    specifiers.push(match[1] ?? match[2] ?? match[3]);
  }
  return specifiers;
}

const pureCore = ['analysis', 'perf', 'model', 'report', 'data', 'text', 'ide', 'profile'].map((dir) => join(root, 'server', 'src', dir));
const ioModules = /^(node:)?(fs|fs\/promises|child_process|net|http|https|worker_threads|dgram|readline)$/;

test('the pure core imports no I/O modules and no editor protocol', () => {
  const offenders: string[] = [];
  for (const dir of pureCore) {
    let files: string[] = [];
    try {
      files = sourceFiles(dir);
    } catch {
      continue;
    }
    for (const file of files) {
      if (file.endsWith('.test.ts')) continue;
      for (const specifier of importsOf(file)) {
        if (ioModules.test(specifier) || specifier.startsWith('vscode')) offenders.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('only server/src/lsp imports vscode-languageserver and only extension/ imports vscode', () => {
  const offenders: string[] = [];
  const lspDir = join(root, 'server', 'src', 'lsp') + sep;
  const extensionDir = join(root, 'extension') + sep;
  for (const file of [...sourceFiles(join(root, 'server', 'src')), ...sourceFiles(join(root, 'models')).filter((f) => !f.includes('node_modules'))]) {
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('vscode-languageserver') && !file.startsWith(lspDir)) offenders.push(`${relative(root, file)} imports ${specifier}`);
      if ((specifier === 'vscode' || specifier.startsWith('vscode-languageclient')) && !file.startsWith(extensionDir))
        offenders.push(`${relative(root, file)} imports ${specifier}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('no source file is over 600 lines', () => {
  const dirs = ['server', 'extension', 'models', 'bench', 'test'].map((d) => join(root, d));
  const tooLong: string[] = [];
  for (const dir of dirs) {
    let files: string[] = [];
    try {
      files = sourceFiles(dir);
    } catch {
      continue;
    }
    for (const file of files) {
      if (file.includes(`${sep}fixtures${sep}`) || file.includes('node_modules')) continue;
      const lines = readFileSync(file, 'utf8').split('\n').length;
      if (lines > 600) tooLong.push(`${relative(root, file)} (${lines} lines)`);
    }
  }
  assert.deepEqual(tooLong, []);
});
