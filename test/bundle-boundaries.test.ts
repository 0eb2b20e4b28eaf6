// What the language server's main-thread bundle must not carry: tree-sitter's runtime, which only the
// analysis thread runs (its own bundle, dist/analysis-worker.js). A main-thread import of a module that
// imports web-tree-sitter would put its 151 KB into dist/server.js again (docs/architecture.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

const root = join(__dirname, '..');

/** The source files esbuild puts into the bundle of `entry`, with the shipped options (nothing is written). */
async function inputsOf(entry: string): Promise<string[]> {
  const specifier: string = join(root, 'esbuild-options.mjs');
  const { bundleOptions } = (await import(specifier)) as { bundleOptions: BuildOptions };
  const result = await build({
    ...bundleOptions,
    entryPoints: [join(root, entry)],
    outfile: join(root, 'dist', 'unused.js'),
    write: false,
    metafile: true,
    sourcemap: false,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile?.inputs ?? {});
}

test('the server bundle (main thread) does not include web-tree-sitter; the analysis thread bundle does', async () => {
  const server = await inputsOf('server/src/lsp/main.ts');
  assert.ok(
    server.some((path) => path.includes('server/src/lsp/handlers.ts')),
    'the server bundle was not built from its entry',
  );
  assert.deepEqual(
    server.filter((path) => path.includes('web-tree-sitter')),
    [],
  );
  const worker = await inputsOf('server/src/platform/analysis-worker.ts');
  assert.ok(worker.some((path) => path.includes('web-tree-sitter')));
});
