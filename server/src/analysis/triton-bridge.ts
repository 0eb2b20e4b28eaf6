// Calls the Triton analysis (triton/index.ts, owned by the Triton side) behind a guard, so a bug
// there becomes a problem on the file instead of an exception in the editor. Analyses nothing itself.
import type { SyntaxNode } from './triton/tree';
import { analyzeTritonTree } from './triton/index';
import type { TritonModuleContext } from './triton/modules';
import type { TritonAnalysisCache } from './triton/reuse';
import type { AnalysisOptions, FileAnalysis } from './types';

export function analyzeTritonSafely(
  root: SyntaxNode,
  text: string,
  options: AnalysisOptions,
  modules: readonly TritonModuleContext[] = [],
  cache?: TritonAnalysisCache,
): FileAnalysis {
  try {
    return analyzeTritonTree(root, text, options, modules, cache);
  } catch (error) {
    if (cache) cache.context = null;
    return {
      language: 'triton',
      kernels: [],
      launches: [],
      tileParams: [],
      libraryCalls: [],
      problems: [{ range: { start: 0, end: 0 }, message: `internal error in Triton analysis: ${String(error).slice(0, 200)}`, severity: 'error' }],
    };
  }
}
