// What ide.bench.ts uses, bundled by bench/bundle.ts as the language server is. Exports only.
export { loadGrammars } from '../server/src/platform/grammars';
export { loadShippedPredictor } from '../server/src/platform/models';
export { analyzeSource } from '../server/src/analysis/index';
export { findGpu } from '../server/src/perf/gpu-catalogue';
export * as api from '../server/src/ide/api';
export { DEFAULT_SETTINGS } from '../server/src/ide/protocol';
export { rankCandidates, tunablesOf, hasBoundsCheck } from '../server/src/ide/tile-candidates';
