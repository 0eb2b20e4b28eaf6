// Bundles the extension client, the language server and the CLI into dist/, copies the tree-sitter
// WebAssembly grammars beside them and writes dist/THIRD-PARTY-NOTICES.txt for what they carry.
// Type-checking is `npm run typecheck`, not this.
import { build } from 'esbuild';
import { bundleOptions } from './esbuild-options.mjs';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { noticesText, packageNotices, packageRoot } from './third-party-notices.mjs';

const require = createRequire(import.meta.url);
const outdir = 'dist';
mkdirSync(outdir, { recursive: true });

// Node bundles keep their metafiles: the notices list the packages in them.
const node = { ...bundleOptions, metafile: true };
const builds = await Promise.all([
  build({ ...node, entryPoints: ['extension/src/extension.ts'], outfile: `${outdir}/extension.js`, external: ['vscode'] }),
  build({ ...node, entryPoints: ['server/src/lsp/main.ts'], outfile: `${outdir}/server.js` }),
  // The language server parses and analyses on this thread (server/src/platform/analysis-thread.ts).
  build({ ...node, entryPoints: ['server/src/platform/analysis-worker.ts'], outfile: `${outdir}/analysis-worker.js` }),
  build({ ...node, entryPoints: ['server/src/cli/main.ts'], outfile: `${outdir}/cli.js` }),
  // `tilecast predict --batch` starts this beside cli.js (server/src/cli/predict/predict-pool.ts).
  build({ ...node, entryPoints: ['server/src/cli/predict/predict-worker.ts'], outfile: `${outdir}/predict-worker.js` }),
  // `tilecast profile retrain` (and the editor's Retrain command, which runs the CLI) starts this beside cli.js (platform/user-models.ts).
  build({ ...node, entryPoints: ['server/src/platform/retrain-worker.ts'], outfile: `${outdir}/retrain-worker.js` }),
  // The chart webview (extension/src/chart-panel.ts inlines dist/webview/boot.js, charts.js and charts.css
  // into its page) and the profiles table (profiles-panel.ts loads profiles.js, profiles.css): browser code.
  build({
    entryPoints: { boot: 'extension/webview/boot.ts', charts: 'extension/webview/main.ts', profiles: 'extension/webview/profiles.ts' },
    outdir: `${outdir}/webview`,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    minify: true,
    // Escapes `</script` in JS strings and `</style` in CSS (esbuild's default, stated: the chart page inlines them).
    supported: { 'inline-script': true },
    logLevel: 'warning',
    metafile: true,
  }),
]);

// The same check as extension/src/chart-html.ts makes when the page is built: fail here, not in the editor.
for (const [file, breakers] of [
  ['boot.js', /<\/script|<!--/i],
  ['charts.js', /<\/script|<!--/i],
  ['charts.css', /<\/style/i],
]) {
  const found = breakers.exec(readFileSync(join(outdir, 'webview', file), 'utf8'));
  if (found) throw new Error(`dist/webview/${file} holds "${found[0]}" at ${found.index}: the chart page cannot inline it`);
}

// web-tree-sitter loads its runtime wasm and the grammars at run time; ship them in dist/.
const wasmSources = [
  join(dirname(require.resolve('web-tree-sitter')), 'tree-sitter.wasm'),
  // tree-sitter-cpp's own build (0.23.4): its lexer is 89 KB of code against 592 KB in tree-sitter-wasms' older
  // build; loading it and the first parse take 66 against 141 ms (docs/architecture.md, "Scheduling", server start).
  require.resolve('tree-sitter-cpp/tree-sitter-cpp.wasm'),
  require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
];
for (const source of wasmSources) copyFileSync(source, join(outdir, source.split(/[\\/]/).pop()));

// The licences of everything the bundles and the wasm files carry (third-party-notices.mjs), shipped in the .vsix.
const bundled = builds.flatMap((result) => Object.keys(result.metafile.inputs));
const roots = [...bundled, ...wasmSources.map((source) => relative(process.cwd(), source))].map(packageRoot).filter((root) => root !== null);
writeFileSync(join(outdir, 'THIRD-PARTY-NOTICES.txt'), noticesText(packageNotices(roots)));

// The shipped models (platform/models.ts looks in dist/models/ first); a clone without them still builds.
mkdirSync(join(outdir, 'models'), { recursive: true });
for (const name of ['runtime.tcmf', 'power.tcmf']) {
  const source = join('models', name);
  if (existsSync(source)) copyFileSync(source, join(outdir, 'models', name));
  else console.warn(`esbuild.mjs: ${source} not found; \`tilecast predict\` will say so (run npm run train)`);
}
