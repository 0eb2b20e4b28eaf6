// Runs first in dist/server.js (main.ts imports it before anything else): sets V8's flags and starts the
// analysis thread, so the grammars compile while the rest of the server loads. Nothing else.
import { setFlagsFromString } from 'node:v8';
import { prestartAnalysisThread } from '../platform/analysis-thread';

let started = false;

/** V8's flags, then the analysis thread (both once); main.ts also calls it when run from source. */
export function startEarly(): void {
  if (started) return;
  started = true;
  // WebAssembly (the tree-sitter grammars) runs on V8's baseline compiler only. Tiering the C++ grammar up
  // to TurboFan costs about 100 MB of RSS that never comes back (289 -> 143 MB with 20 open files,
  // `npm run bench -- lsp`) and moves no latency target; set before any grammar is compiled, so it holds
  // whichever client spawns the server. TILECAST_V8_FLAGS replaces it (e.g. to measure without it).
  setFlagsFromString(process.env.TILECAST_V8_FLAGS ?? '--liftoff-only');
  prestartAnalysisThread();
}

// In the bundle this module is dist/server.js itself: start before the language-server libraries load.
if (require.main === module || /server\.js$/.test(process.argv[1] ?? '')) startEarly();
