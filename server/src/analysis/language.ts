// Which analysis a file gets, from its path and text. Plain string code: it must not import the parsers,
// so the language server's main thread (lsp/documents.ts) can ask without carrying tree-sitter's runtime.
import type { SourceLanguage } from './types';

/**
 * `.cu`/`.cuh` → cuda; `.py` that imports triton or torch → triton (the Python analysis: Triton kernels and
 * launches, and PyTorch GEMM calls); anything else → null.
 */
export function languageForPath(path: string, text: string): SourceLanguage | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.cu') || lower.endsWith('.cuh')) return 'cuda';
  if (lower.endsWith('.py') && /^\s*(import\s+(triton|torch)\b|from\s+(triton|torch)(\.[\w.]+)?\s+import\b)/m.test(text)) return 'triton';
  return null;
}
