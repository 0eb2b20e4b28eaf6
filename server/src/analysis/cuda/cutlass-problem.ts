// The problem size a file hands its CUTLASS device GEMM, for the editor's stand-in launch
// (ide/cutlass-device.ts): a 3.x `Gemm::Arguments args{mode, {M, N, K, L}, ...}`, a 2.x
// `Gemm::Arguments args({M, N, K}, ...)` or `(problem_size, ...)`, and `GemmCoord problem_size(M, N, K)`.
// Found from the text outside comments and strings, read on the tree, folded in the declaration's scope
// (locals, constants, the launcher's unique call). Pure; never throws.
import type { Node } from 'web-tree-sitter';
import { foldCText } from '../folding';
import type { FileAnalysis } from '../types';
import { scopeAt, type ScopeCache } from './scopes';
import { ancestorOfType, inRanges, namedChildrenOf, sourceText } from './syntax';

/** M, N, K (and 3.x's L as batch when it folds above 1), what folds of them. */
export type CutlassProblem = NonNullable<FileAnalysis['cutlassProblem']>;

const DECLARATION = /\b(Arguments|GemmCoord)\s+([A-Za-z_]\w*)\s*[({]/g;

/** The first problem size the file gives a CUTLASS device GEMM whose M, N or K folds, or null. */
export function cutlassProblem(text: string, regions: number[], scopes: ScopeCache): CutlassProblem | null {
  const coords = new Map<string, Node[]>();
  for (const match of text.matchAll(DECLARATION)) {
    const at = match.index ?? 0;
    if (inRanges(regions, at)) continue;
    const declaration = ancestorOfType(scopes.root.descendantForIndex(at, at + 1), ['declaration'], 8);
    const declarator = declaration?.childForFieldName('declarator');
    if (!declarator) continue;
    // `GemmCoord p(M, N, K)` parses as a function declaration: its parameters are the arguments.
    const list =
      declarator.type === 'init_declarator'
        ? declarator.childForFieldName('value')
        : declarator.type === 'function_declarator'
          ? declarator.childForFieldName('parameters')
          : null;
    if (!list) continue;
    const items = namedChildrenOf(list).filter((c) => c.type !== 'comment');
    let sizes: Node[] | null = null;
    if (match[1] === 'GemmCoord') {
      if (items.length >= 3) coords.set(match[2]!, items);
      sizes = items.length >= 3 ? items : null;
    } else {
      // Arguments: the first brace list of 3-4 values (after 3.x's mode), or a GemmCoord variable first (2.x).
      const first = items[0];
      const braces = items.find((c) => c.type === 'initializer_list' && [3, 4].includes(namedChildrenOf(c).length));
      sizes = first?.type === 'identifier' && coords.has(first.text) ? coords.get(first.text)! : braces ? namedChildrenOf(braces) : null;
    }
    if (!sizes) continue;
    const env = scopeAt(scopes, at).env;
    const fold = (node: Node | undefined): number | null => {
      if (!node) return null;
      const value = foldCText(sourceText(text, node), node.startIndex, env, []).value;
      return value !== null && Number.isInteger(value) && value > 0 ? value : null;
    };
    const [m, n, k] = [fold(sizes[0]), fold(sizes[1]), fold(sizes[2])];
    if (m === null && n === null && k === null) continue;
    const l = fold(sizes[3]);
    return { m, n, k, batch: l !== null && l > 1 ? l : null };
  }
  return null;
}
