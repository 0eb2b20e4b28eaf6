// The third-party notices the build writes (third-party-notices.mjs, dist/THIRD-PARTY-NOTICES.txt): which
// package an input path belongs to, what a notice holds, and that the built file covers every npm package
// whose code is in the Node bundles (their source maps name them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noticesText, packageNotices, packageRoot } from '../third-party-notices.mjs';

const root = join(__dirname, '..');

test('packageRoot: plain, scoped and nested packages, Windows separators; null outside node_modules', () => {
  assert.equal(packageRoot('node_modules/vscode-jsonrpc/lib/common/api.js'), 'node_modules/vscode-jsonrpc');
  assert.equal(packageRoot('node_modules/@observablehq/plot/src/plot.js'), 'node_modules/@observablehq/plot');
  assert.equal(packageRoot('node_modules/tree-sitter-cpp/node_modules/node-addon-api/index.js'), 'node_modules/tree-sitter-cpp/node_modules/node-addon-api');
  assert.equal(packageRoot('node_modules\\lit\\index.js'), 'node_modules/lit');
  assert.equal(packageRoot('server/src/lsp/main.ts'), null);
});

test('packageNotices: one per package version, sorted, with its licence files; a package without one says so', () => {
  const files: Record<string, string> = {
    'node_modules/b/package.json': JSON.stringify({ name: 'b', version: '1.0.0', license: 'MIT' }),
    'node_modules/b/LICENSE': 'MIT text of b\n',
    'node_modules/b/index.js': '',
    'node_modules/@s/a/package.json': JSON.stringify({ name: '@s/a', version: '2.0.0', license: 'ISC' }),
    'node_modules/@s/a/License.txt': 'ISC text of a',
    'node_modules/c/package.json': JSON.stringify({ name: 'c', version: '3.0.0', license: { type: 'BSD' } }),
  };
  const io = {
    read: (path: string) => {
      const text = files[path.replace(/\\/g, '/')];
      if (text === undefined) throw new Error(`no file ${path}`);
      return text;
    },
    list: (dir: string) => Object.keys(files).flatMap((path) => (path.startsWith(`${dir.replace(/\\/g, '/')}/`) ? [path.slice(dir.length + 1)] : [])),
  };
  const notices = packageNotices(['node_modules/b', 'node_modules/@s/a', 'node_modules/b', 'node_modules/c'], io);
  assert.deepEqual(
    notices.map((n) => n.name),
    ['@s/a', 'b', 'c'],
  );
  assert.deepEqual(notices[1], { name: 'b', version: '1.0.0', licence: 'MIT', texts: ['MIT text of b'] });
  const text = noticesText(notices, ['a note']);
  assert.match(text, /a note/);
  assert.match(text, /@s\/a 2\.0\.0 \(ISC\)\n\nISC text of a/);
  assert.match(text, /c 3\.0\.0 \(see its licence text\)\n\n\(the package ships no licence file\)/);
});

test('dist/THIRD-PARTY-NOTICES.txt names every npm package in the Node bundles, each with a licence text', (t) => {
  const notices = join(root, 'dist', 'THIRD-PARTY-NOTICES.txt');
  if (!existsSync(notices)) {
    t.skip('dist/ is not built: run npm run build');
    return;
  }
  const text = readFileSync(notices, 'utf8');
  const packages = new Set<string>();
  for (const name of readdirSync(join(root, 'dist')).filter((file) => file.endsWith('.js.map'))) {
    const map = JSON.parse(readFileSync(join(root, 'dist', name), 'utf8')) as { sources: string[] };
    for (const source of map.sources) {
      const at = packageRoot(source);
      if (at) packages.add(JSON.parse(readFileSync(join(root, 'dist', at, 'package.json'), 'utf8')).name);
    }
  }
  assert.ok(packages.has('vscode-languageserver') && packages.has('web-tree-sitter'), [...packages].join(', '));
  for (const name of packages) {
    const block = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\S+ \\([^)]*\\)\\n\\n(.+)`, 'm').exec(text);
    assert.ok(block, `${name} is not in the notices`);
    assert.notEqual(block[1], '(the package ships no licence file)', `${name} has no licence text`);
  }
});
