// Bundles the extension client, the language server and the CLI into dist/, and copies the
// tree-sitter WebAssembly grammars beside them. Type-checking is `npm run typecheck`, not this.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const outdir = 'dist';
mkdirSync(outdir, { recursive: true });

// web-tree-sitter's CommonJS build reads import.meta.url, which a CJS bundle does not have: give it the
// bundle's own file URL.
const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning',
  define: { 'import.meta.url': '__tilecastImportMetaUrl' },
  banner: { js: "var __tilecastImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
};
await Promise.all([
  build({ ...common, entryPoints: ['extension/src/extension.ts'], outfile: `${outdir}/extension.js`, external: ['vscode'] }),
  build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: `${outdir}/server.js` }),
  build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: `${outdir}/cli.js` }),
]);

// web-tree-sitter loads its runtime wasm and the grammars at run time; ship them in dist/.
const wasmSources = [
  join(dirname(require.resolve('web-tree-sitter')), 'tree-sitter.wasm'),
  require.resolve('tree-sitter-wasms/out/tree-sitter-cpp.wasm'),
  require.resolve('tree-sitter-wasms/out/tree-sitter-python.wasm'),
];
for (const source of wasmSources) copyFileSync(source, join(outdir, source.split(/[\\/]/).pop()));
