// Small helpers over web-tree-sitter nodes for the CUDA analysis: typed child access, ancestor
// search, declarator names. Iterative only, so deeply nested input cannot overflow the stack.
import { isAsciiSpace, isJsSpace } from './chars';
import type { Node, TreeCursor } from 'web-tree-sitter';
import type { Range } from '../types';

export function rangeOf(node: Node): Range {
  return { start: node.startIndex, end: node.endIndex };
}

export function namedChildrenOf(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

export function childrenOf(node: Node): Node[] {
  return node.children.filter((child): child is Node => child !== null);
}

export function descendantsOf(node: Node, types: string | string[]): Node[] {
  return node.descendantsOfType(types).filter((child): child is Node => child !== null);
}

/** Nearest ancestor (or the node itself) of one of the given types, at most `maxSteps` levels up. */
export function ancestorOfType(node: Node | null, types: string[], maxSteps = 64): Node | null {
  let current = node;
  for (let step = 0; current && step < maxSteps; step++) {
    if (types.includes(current.type)) return current;
    current = current.parent;
  }
  return null;
}

/** The identifier a declarator declares: `*A`, `A[16][16]`, `f(int)`, `x = 3` → its name node. */
export function declaredName(declarator: Node | null): Node | null {
  let current = declarator;
  for (let step = 0; current && step < 32; step++) {
    if (current.type === 'identifier' || current.type === 'field_identifier' || current.type === 'type_identifier'
      || current.type === 'qualified_identifier' || current.type === 'destructor_name' || current.type === 'operator_name') return current;
    if (current.type === 'template_function') return current.childForFieldName('name');
    const inner = current.childForFieldName('declarator');
    if (inner) { current = inner; continue; }
    current = namedChildrenOf(current).find((child) => child.type !== 'type_qualifier' && child.type !== 'ms_pointer_modifier') ?? null;
  }
  return null;
}

/** Text of the original source for a node (the parsed text has CUDA keywords blanked). */
export function sourceText(text: string, node: Node | Range): string {
  const start = 'startIndex' in node ? node.startIndex : node.start;
  const end = 'endIndex' in node ? node.endIndex : node.end;
  return text.slice(start, end);
}

/** Collapses whitespace (blanked keywords leave runs of spaces). */
export function squash(text: string): string {
  // ASCII text (the common case) is trimmed by index and collapsed only when it has a run or a tab/newline.
  let start = 0;
  let end = text.length;
  while (start < end && isAsciiSpace(text.charCodeAt(start))) start++;
  while (end > start && isAsciiSpace(text.charCodeAt(end - 1))) end--;
  let collapse = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return text.replace(/\s+/g, ' ').trim();
    if (c === 32 ? isAsciiSpace(text.charCodeAt(i + 1)) : isAsciiSpace(c)) collapse = true;
  }
  const trimmed = start === 0 && end === text.length ? text : text.slice(start, end);
  return collapse ? trimmed.replace(/\s+/g, ' ') : trimmed;
}

/** The ASCII characters JavaScript's `\s` and `trim` treat as white space. */

/** Offset of the first non-space character at or after `offset`. */
export function skipSpaces(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && isJsSpace(text.charCodeAt(i))) i++;
  return i;
}

export function contains(outer: Range, inner: Range): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/** Most nodes visited when looking for syntax errors; beyond it the search stops (huge broken files). */
const MAX_ERROR_SEARCH_NODES = 400_000;

/**
 * ERROR and MISSING nodes, found iteratively with a cursor. Errors inside `asm(...)` statements are
 * skipped: the C++ grammar does not read GNU asm operands such as `"+f"(d[0])`, which nvcc accepts.
 */
export function syntaxErrors(root: Node, limit: number): { errors: Array<{ range: Range; missing: string | null }>; total: number } {
  const errors: Array<{ range: Range; missing: string | null }> = [];
  let total = 0;
  if (!root.hasError) return { errors, total };
  const cursor = root.walk();
  try {
    let visited = 0;
    for (;;) {
      if (++visited > MAX_ERROR_SEARCH_NODES) break;
      const type = cursor.nodeType;
      let descend = true;
      if (type === 'gnu_asm_expression') descend = false;
      else if (type === 'ERROR' || cursor.nodeIsMissing) {
        total++;
        if (errors.length < limit) {
          let start = cursor.startIndex;
          if (cursor.nodeIsMissing) {
            // Tree-sitter places a missing token after any comments that follow the code (`x = 1 // c`
            // then `}`): report it where it belongs, right after the previous token.
            let previous = cursor.currentNode.previousSibling;
            while (previous && previous.type === 'comment') previous = previous.previousSibling;
            if (previous && previous.endIndex < start) start = previous.endIndex;
          }
          errors.push({ range: { start, end: cursor.nodeIsMissing ? start : cursor.endIndex }, missing: cursor.nodeIsMissing ? type : null });
        }
        descend = false;
      }
      if (descend && cursor.gotoFirstChild()) continue;
      if (!skipSubtree(cursor)) return { errors, total };
    }
  } finally {
    cursor.delete();
  }
  return { errors, total };
}

/**
 * Pre-order step that skips the current node's children: moves the cursor to the next sibling, climbing
 * as needed. False when the walk is over (a cursor made by `node.walk()` cannot climb above `node`).
 */
export function skipSubtree(cursor: TreeCursor): boolean {
  while (!cursor.gotoNextSibling()) {
    if (!cursor.gotoParent()) return false;
  }
  return true;
}
