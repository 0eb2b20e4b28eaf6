// Entry points of source analysis: one-shot analysis of a text and language detection from a path.
// Pure: callers load grammars and read files; nothing here does I/O.
import type { Language } from 'web-tree-sitter';
import { SourceDocument, type IncludedContext } from './document';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions, type FileAnalysis, type SourceLanguage } from './types';

export { SourceDocument } from './document';
export type { TextEdit } from '../text/differing-span';
export { languageForPath } from './language';

/**
 * A file the analysed file includes or imports: the name its `#include "..."` (CUDA) or `import` (Triton:
 * `.kernels`, `pkg.ops`) writes, and its text (read by the caller).
 */
export interface IncludedSource {
  name: string;
  text: string;
}

/**
 * Parses and analyses `text` once; the trees are freed before returning. No wall-clock parse budget: nobody
 * is typing (the CLI, tests), and on a loaded machine a budget would cancel ordinary files; the editor's
 * documents keep theirs (PARSE_BUDGET_MS). CUDA `headers` lend the file their constants and kernels; for
 * Triton they are the imported modules, whose kernels the file's launches may name.
 */
export function analyzeSource(
  grammars: { cpp: Language; python: Language },
  language: SourceLanguage,
  text: string,
  options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS,
  headers: readonly IncludedSource[] = [],
): FileAnalysis {
  const document = new SourceDocument(grammars, language, text, null, Number.POSITIVE_INFINITY);
  const headerDocuments = headers.map((h) => ({ name: h.name, document: new SourceDocument(grammars, language, h.text, null, Number.POSITIVE_INFINITY) }));
  try {
    const contexts = headerDocuments.map((h) => h.document.asIncluded(h.name)).filter((h): h is IncludedContext => h !== null);
    return document.analyze(options, contexts);
  } finally {
    document.dispose();
    for (const h of headerDocuments) h.document.dispose();
  }
}
