// What analysis.bench.ts uses, bundled by bench/bundle.ts as the language server is. Exports only.
export { loadGrammars } from '../server/src/platform/grammars';
export { SourceDocument } from '../server/src/analysis/index';
export { prepareCudaText } from '../server/src/analysis/cuda/prepare';
export { Parser } from 'web-tree-sitter';
