// Entry points of source analysis: one-shot analysis of a text and language detection from a path.
// Pure: callers load grammars and read files; nothing here does I/O.
import type { Language } from 'web-tree-sitter';
import { SourceDocument } from './document';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions, type FileAnalysis, type SourceLanguage } from './types';

export { SourceDocument } from './document';
export type { TextEdit } from './document';

/**
 * Parses and analyses `text` once; the tree is freed before returning. No wall-clock parse budget: nobody
 * is typing (the CLI, tests), and on a loaded machine a budget would cancel ordinary files; the editor's
 * documents keep theirs (PARSE_BUDGET_MS).
 */
export function analyzeSource(
  grammars: { cpp: Language; python: Language },
  language: SourceLanguage,
  text: string,
  options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS,
): FileAnalysis {
  const document = new SourceDocument(grammars, language, text, null, Number.POSITIVE_INFINITY);
  try {
    return document.analyze(options);
  } finally {
    document.dispose();
  }
}

/** `.cu`/`.cuh` → cuda; `.py` that imports triton → triton; anything else → null. */
export function languageForPath(path: string, text: string): SourceLanguage | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.cu') || lower.endsWith('.cuh')) return 'cuda';
  if (lower.endsWith('.py') && /^\s*(import\s+triton\b|from\s+triton(\.[\w.]+)?\s+import\b)/m.test(text)) return 'triton';
  return null;
}
