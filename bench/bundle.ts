// Bundles a benchmark's entry with the shipped esbuild options (esbuild-options.mjs), so benchmarks
// time the code users run: run from source through tsx, every function also pays for tsx's
// `keepNames` wrappers (about 2 ms of a 15 ms analysis). Builds only; it times nothing.
import { build, type BuildOptions } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Bundles `entry` (a path relative to the repository root) to .cache/bench/ and loads it. */
export async function loadBundled<T>(entry: string, name: string): Promise<T> {
  const root = join(__dirname, '..');
  const outdir = join(root, '.cache', 'bench');
  mkdirSync(outdir, { recursive: true });
  const specifier: string = join(root, 'esbuild-options.mjs');
  const { bundleOptions } = (await import(specifier)) as { bundleOptions: BuildOptions };
  const outfile = join(outdir, `${name}.js`);
  await build({ ...bundleOptions, sourcemap: false, entryPoints: [join(root, entry)], outfile });
  return require(outfile) as T;
}
