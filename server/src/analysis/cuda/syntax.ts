// Small helpers over web-tree-sitter nodes for the CUDA analysis: typed child access, ancestor
// search, declarator names. Iterative only, so deeply nested input cannot overflow the stack.
import type { Node } from 'web-tree-sitter';
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
  return text.replace(/\s+/g, ' ').trim();
}

/** Offset of the first non-space character at or after `offset`. */
export function skipSpaces(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

export function contains(outer: Range, inner: Range): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}
