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
    if (
      current.type === 'identifier' ||
      current.type === 'field_identifier' ||
      current.type === 'type_identifier' ||
      current.type === 'qualified_identifier' ||
      current.type === 'destructor_name' ||
      current.type === 'operator_name'
    )
      return current;
    if (current.type === 'template_function') return current.childForFieldName('name');
    const inner = current.childForFieldName('declarator');
    if (inner) {
      current = inner;
      continue;
    }
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

/** Replaces comments with spaces (same length) so pattern tests never match commented-out code. */
export function blankComments(code: string): string {
  // Every comment starts with `/`: without one there is nothing to blank (most kernel bodies), so skip the regex.
  if (!code.includes('/')) return code;
  return code.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '));
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
      } else if (!cursor.currentNode.hasError) descend = false; // nothing to find below: skip it
      if (descend && cursor.gotoFirstChild()) continue;
      if (!skipSubtree(cursor)) return { errors, total };
    }
  } finally {
    cursor.delete();
  }
  return { errors, total };
}

/** Containers of top-level items: a file, a namespace or `extern "C"` body. */
const ITEM_CONTAINERS = new Set(['translation_unit', 'declaration_list']);

/**
 * Error and MISSING nodes (at most `limit`), found with a cursor; `asm(...)` is skipped as in
 * syntaxErrors. With `intoTopLevelErrors`, an ERROR directly in the file (or a namespace) is listed and
 * searched too: error recovery can wrap whole functions in one, each with errors of its own.
 */
export function errorNodes(root: Node, limit: number, intoTopLevelErrors = false): Node[] {
  const found: Node[] = [];
  if (!root.hasError) return found;
  const cursor = root.walk();
  try {
    let visited = 0;
    for (;;) {
      if (++visited > 4_000_000) break;
      const type = cursor.nodeType;
      let descend = true;
      if (type === 'gnu_asm_expression') descend = false;
      else if (type === 'ERROR' || cursor.nodeIsMissing) {
        const node = cursor.currentNode;
        found.push(node);
        if (found.length >= limit) break;
        // Inner errors of an ERROR are part of the same failure, unless it wraps top-level items.
        // (The root itself is an ERROR when the whole file failed to parse as a translation unit.)
        descend = intoTopLevelErrors && type === 'ERROR' && ITEM_CONTAINERS.has(node.parent?.type ?? 'translation_unit');
      } else if (!cursor.currentNode.hasError) descend = false;
      if (descend && cursor.gotoFirstChild()) continue;
      if (!skipSubtree(cursor)) break;
    }
  } finally {
    cursor.delete();
  }
  return found;
}

/**
 * The top-level items (a function, a declaration, an ERROR directly in the file or a namespace) that
 * hold the given error nodes, as sorted, merged [start, end) pairs: outside them the tree is free of errors.
 */
export function errorItemRanges(errors: Node[]): number[] {
  const items: Array<[number, number]> = [];
  for (const error of errors) {
    let item: Node = error;
    for (let step = 0; step < 256; step++) {
      const parent = item.parent;
      if (!parent || ITEM_CONTAINERS.has(parent.type)) break;
      item = parent;
    }
    items.push([item.startIndex, item.endIndex]);
  }
  items.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [start, end] of items) {
    const last = merged.length - 1;
    if (last > 0 && start <= merged[last]!) merged[last] = Math.max(merged[last]!, end);
    else merged.push(start, end);
  }
  return merged;
}

/** Whether `offset` lies in one of the sorted, disjoint [start, end) pairs of `ranges`. */
export function inRanges(ranges: number[], offset: number): boolean {
  let low = 0;
  let high = ranges.length / 2;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (ranges[2 * mid]! <= offset) low = mid + 1;
    else high = mid;
  }
  return low > 0 && offset < ranges[2 * (low - 1) + 1]!;
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

/** The range holding `offset` among sorted, disjoint ranges (functions of the outline), or null. */
export function rangeAt(ranges: ReadonlyArray<{ start: number; end: number }>, offset: number): { start: number; end: number } | null {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const range = ranges[mid]!;
    if (offset < range.start) high = mid - 1;
    else if (offset >= range.end) low = mid + 1;
    else return range;
  }
  return null;
}

/** Index of the first of `items` (sorted by `offsetOf`) at or after `offset`: `items.length` when none is. */
export function firstAtOrAfter<T>(items: readonly T[], offset: number, offsetOf: (item: T) => number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (offsetOf(items[mid]!) < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}
