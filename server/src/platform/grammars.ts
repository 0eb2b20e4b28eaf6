// Host side of parsing: finds the tree-sitter runtime and the C++/Python WebAssembly grammars (in
// dist/ when bundled, in node_modules/ when run from source) and loads them once. This file does
// I/O so the analysis core does not have to; it must not analyse anything itself.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import { useBaselineWasmCompiler } from './wasm-tier';

export interface Grammars {
  cpp: Language;
  python: Language;
}

let loading: Promise<Grammars> | undefined;

/** Directory of the running bundle (dist/) or of this source file. */
function hereDirectory(): string {
  if (typeof __dirname === 'string') return __dirname;
  return process.cwd();
}

function locate(fileName: string, packagePath: string): string {
  const bundled = join(hereDirectory(), fileName);
  if (existsSync(bundled)) return bundled;
  const require = createRequire(join(process.cwd(), 'package.json'));
  try {
    return require.resolve(packagePath);
  } catch {
    const fromSource = createRequire(join(hereDirectory(), 'index.js'));
    return fromSource.resolve(packagePath);
  }
}

/** Loads the tree-sitter runtime and grammars once per process. */
export function loadGrammars(): Promise<Grammars> {
  loading ??= (async () => {
    useBaselineWasmCompiler();
    const runtimePath = join(dirname(locate('tree-sitter.wasm', 'web-tree-sitter')), 'tree-sitter.wasm');
    await Parser.init({ wasmBinary: readFileSync(runtimePath) } as object);
    const cpp = await Language.load(readFileSync(locate('tree-sitter-cpp.wasm', 'tree-sitter-cpp/tree-sitter-cpp.wasm')));
    const python = await Language.load(readFileSync(locate('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm')));
    return { cpp, python };
  })();
  return loading;
}
