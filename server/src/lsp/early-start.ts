// Runs first in dist/server.js (main.ts imports it before anything else): sets V8's flags and starts the
// analysis thread, so the grammars compile while the rest of the server loads. Nothing else.
import { prestartAnalysisThread } from '../platform/analysis-thread';
import { useBaselineWasmCompiler } from '../platform/wasm-tier';

let started = false;

/** V8's flags, then the analysis thread (both once); main.ts also calls it when run from source. */
export function startEarly(): void {
  if (started) return;
  started = true;
  // Before any grammar compiles (wasm-tier.ts), so it holds whichever client spawns the server.
  useBaselineWasmCompiler();
  prestartAnalysisThread();
}

// In the bundle this module is dist/server.js itself: start before the language-server libraries load.
if (require.main === module || /server\.js$/.test(process.argv[1] ?? '')) startEarly();
