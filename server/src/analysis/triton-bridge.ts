// Calls the Triton analysis (triton/index.ts, owned by the Triton side) when it is present, so the
// document layer builds before it lands. Must not analyse anything itself.
import type { Node } from 'web-tree-sitter';
import type { AnalysisOptions, FileAnalysis } from './types';

type TritonAnalyzer = (root: Node, text: string, options: AnalysisOptions) => FileAnalysis;

let analyzer: TritonAnalyzer | null | undefined;

function load(): TritonAnalyzer | null {
  if (analyzer !== undefined) return analyzer;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('./triton/index') as { analyzeTritonTree?: TritonAnalyzer };
    analyzer = typeof module.analyzeTritonTree === 'function' ? module.analyzeTritonTree : null;
  } catch {
    analyzer = null;
  }
  return analyzer;
}

export function analyzeTritonSafely(root: Node, text: string, options: AnalysisOptions): FileAnalysis {
  const analyze = load();
  const base: FileAnalysis = { language: 'triton', kernels: [], launches: [], tileParams: [], libraryCalls: [], problems: [] };
  if (!analyze) {
    base.problems.push({ range: { start: 0, end: 0 }, message: 'Triton analysis is not available in this build', severity: 'warning' });
    return base;
  }
  try {
    return analyze(root, text, options);
  } catch (error) {
    base.problems.push({ range: { start: 0, end: 0 }, message: `internal error in Triton analysis: ${String(error).slice(0, 200)}`, severity: 'error' });
    return base;
  }
}
