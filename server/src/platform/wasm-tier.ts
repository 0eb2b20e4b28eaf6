// Which V8 compilers run WebAssembly in this process: Liftoff (the baseline compiler) only, set once
// before the tree-sitter grammars compile. Tiering the C++ grammar's lexer up to TurboFan costs far more
// than it returns for parsing: in the language server about 100 MB of RSS that never comes back (289 ->
// 143 MB with 20 open files, `npm run bench -- lsp`); in the CLI, for one file, 2,121 -> 588 ms and
// 252 -> 129 MB peak RSS (`npm run bench -- cli`; the process waited at exit for the background TurboFan
// jobs). Flags only; nothing else.
import { setFlagsFromString } from 'node:v8';

let set = false;

/** Sets V8's WebAssembly flags (once per process); TILECAST_V8_FLAGS replaces them (e.g. to measure without). */
export function useBaselineWasmCompiler(): void {
  if (set) return;
  set = true;
  setFlagsFromString(process.env.TILECAST_V8_FLAGS ?? '--liftoff-only');
}
