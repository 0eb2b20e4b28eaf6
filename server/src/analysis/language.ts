// Which analysis a file gets, from its path and text. Plain string code: it must not import the parsers,
// so the language server's main thread (lsp/documents.ts) can ask without carrying tree-sitter's runtime.
import type { SourceLanguage } from './types';

/** A PyTorch GEMM by name (`torch.matmul(`, `F.linear(`, `x.bmm(`; triton/torch-calls.ts reads them). */
export const TORCH_GEMM_NAMES = /\b(matmul|mm|bmm|addmm|baddbmm|linear)\s*\(/;
/**
 * The `@` operator between operands: after an operand on the same line, or opening a continuation line
 * with a space after it (how Black breaks `a\n    @ b`). A decorator opens its line with no space before
 * its name: `)\n\n@triton.jit` is not a GEMM (matching it made every Triton file scan all its calls).
 */
export const MATMUL_OPERATOR = /[\w)\]][ \t]*@\s*[\w(]|[\w)\]][ \t]*\\?\r?\n[ \t]*@[ \t]+[\w(]/;
/** The tensor factories the Python evaluator reads shapes from (triton/builtins.ts), by their last name. */
export const TENSOR_FACTORIES = /\b(randn|rand|empty|zeros|ones|full|randint)(_like)?\s*\(/;

/**
 * `.cu`/`.cuh` → cuda; `.py` that imports triton → triton (the Python analysis); `.py` that imports torch
 * and could hold a GEMM whose sizes are known (a GEMM call or `@`, and a tensor factory to size it) →
 * triton too, for its PyTorch GEMM calls; anything else → null. Model files whose GEMMs multiply run-time
 * activations are left alone: they would be parsed on every keystroke for nothing.
 */
export function languageForPath(path: string, text: string): SourceLanguage | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.cu') || lower.endsWith('.cuh')) return 'cuda';
  if (!lower.endsWith('.py')) return null;
  if (/^\s*(import\s+triton\b|from\s+triton(\.[\w.]+)?\s+import\b)/m.test(text)) return 'triton';
  // Triton re-exported by another package (vLLM's `from vllm.triton_utils import tl, triton`): the
  // analysis reads that `triton` as the package (triton/scopes.ts).
  if (/^\s*from\s+[\w.]+\s+import\s+\(?[^\n]*\btriton\b(?!\.)/m.test(text)) return 'triton';
  const torch = /^\s*(import\s+torch\b|from\s+torch(\.[\w.]+)?\s+import\b)/m.test(text);
  return torch && TENSOR_FACTORIES.test(text) && (TORCH_GEMM_NAMES.test(text) || MATMUL_OPERATOR.test(text)) ? 'triton' : null;
}
