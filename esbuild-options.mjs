// The esbuild options every TileCast bundle uses (esbuild.mjs for dist/, bench/bundle.ts for the
// benchmarks, so they time the code as shipped). Options only: it builds nothing itself.

// web-tree-sitter's CommonJS build reads import.meta.url, which a CJS bundle does not have: give it the
// bundle's own file URL.
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  define: { 'import.meta.url': '__tilecastImportMetaUrl' },
  banner: { js: "var __tilecastImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
};
