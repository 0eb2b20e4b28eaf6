// Resolves tree-sitter's `<` ambiguity in CUDA expressions. C++ decides whether `name <` opens a
// template argument list by name lookup ([temp.names]/3); the grammar cannot look names up and reads
// `threadIdx.x < K` as a member template `x<K ...` and then recovers with a MISSING `>` or an ERROR.
// Here each `<` that opens such a failed template reading, after a name not declared as a template in
// this file, becomes `>` in the parsed text (same length; same precedence and associativity as `<`, so
// the comparison's tree and ranges are exact), and the change is kept only if the re-parsed statement
// has no error left. Genuine errors stay. Each round re-parses incrementally (only around the changed
// `<`), so the work grows with the number of misread statements, not with the file's size, and there
// is no cap on how many are resolved. Pure apart from the re-parse function the caller passes in.
import { isIdentifierPart } from './chars';
import type { Node, Tree } from 'web-tree-sitter';
import { errorItemRanges, errorNodes, inRanges, skipSubtree } from './syntax';

/**
 * Rounds of rewrite + re-parse. Each round resolves every misread statement at once and can uncover
 * the next misread `<` of a statement; a round that resolves nothing ends the search, so valid code
 * stops long before this bound, which only limits the work on pathological broken input.
 */
const MAX_ROUNDS = 32;
/** Error nodes examined per round: far above any valid file under the 2,000,000-character limit. */
const MAX_ERRORS_EXAMINED = 100_000;

/** Where an error's statement starts and ends, and the `<` offsets that may be misread comparisons. */
interface Group {
  start: number;
  end: number;
  offsets: number[];
}

/** Containers of statements: the climb from an error stops below one of these. */
const BLOCK_TYPES = new Set(['compound_statement', 'translation_unit', 'declaration_list', 'field_declaration_list', 'ERROR']);
/** Statements with a header and a body: their header parts and body are statements of their own here. */
const BODY_OWNERS = new Set(['if_statement', 'for_statement', 'for_range_loop', 'while_statement', 'do_statement', 'switch_statement']);

/**
 * Names declared as templates in this file (`template <...> struct X`, `template <...> __global__ void
 * k(...)`): a `<` after one of them opens template arguments and is never rewritten.
 */
function knownTemplates(text: string): Set<string> {
  const names = new Set<string>();
  const header = /\btemplate\s*</g;
  for (let m = header.exec(text); m && names.size < 10_000; m = header.exec(text)) {
    // Skip the parameter list (nested `<>` allowed), then take the declared name.
    let level = 0;
    let i = m.index + m[0].length - 1;
    const limit = Math.min(text.length, i + 2000);
    for (; i < limit; i++) {
      const c = text[i];
      if (c === '<') level++;
      else if (c === '>' && --level === 0) break;
      else if (c === ';' || c === '{') break;
    }
    if (text[i] !== '>') continue;
    const rest = text.slice(i + 1, Math.min(text.length, i + 600));
    const declared =
      /^[^;{(=]*?\b(?:struct|class|union)\s+([A-Za-z_]\w*)/.exec(rest) ??
      /^\s*using\s+([A-Za-z_]\w*)/.exec(rest) ??
      /([A-Za-z_]\w*)\s*(?:<[^;{()]*>\s*)?\(/.exec(rest);
    if (declared) names.add(declared[1]!);
  }
  return names;
}

/** The identifier that ends just before `offset` (spaces skipped), or null. */
function nameBefore(text: string, offset: number): string | null {
  let end = offset;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  let start = end;
  while (start > 0 && isIdentifierPart(text.charCodeAt(start - 1))) start--;
  if (start === end || /[0-9]/.test(text[start]!)) return null;
  return text.slice(start, end);
}

/** A `<` at `offset` that could be a misread less-than: a lone `<` after a name not known as a template. */
function isCandidate(text: string, offset: number, known: Set<string>): boolean {
  if (text[offset] !== '<' || text[offset + 1] === '<' || text[offset + 1] === '=' || text[offset - 1] === '<') return false;
  const name = nameBefore(text, offset);
  if (!name || known.has(name)) return false;
  return name !== 'template' && name !== 'operator' && !/_cast$/.test(name);
}

/**
 * The statement an error belongs to: the climb stops below a block or a statement with a body (so an
 * `if` condition, a `for` header part or a body statement each count alone), at most 64 levels up.
 */
function statementOf(node: Node): Node {
  let current: Node = node;
  for (let step = 0; step < 64; step++) {
    const parent = current.parent;
    if (!parent || BLOCK_TYPES.has(parent.type) || BODY_OWNERS.has(parent.type)) return current;
    current = parent;
  }
  return current;
}

/**
 * Candidate `<` offsets for one error: for a MISSING `>`, the opener of its template argument list;
 * otherwise the `<` tokens (template argument list openers included) of the error's statement, from its
 * start up to the end of the error, outside nested blocks.
 */
function groupFor(error: Node, text: string, known: Set<string>): Group | null {
  if (error.isMissing && error.type === '>' && error.parent?.type === 'template_argument_list') {
    const opener = error.parent.startIndex;
    if (!isCandidate(text, opener, known)) return null;
    const statement = statementOf(error.parent);
    return { start: statement.startIndex, end: Math.max(statement.endIndex, error.endIndex), offsets: [opener] };
  }
  const statement = statementOf(error);
  const offsets = lessThanTokens(statement, error.endIndex, text, known);
  return offsets.length > 0 ? { start: statement.startIndex, end: Math.max(statement.endIndex, error.endIndex), offsets } : null;
}

/** `<` tokens in `node`'s subtree that start before `end`, outside nested compound statements. */
function lessThanTokens(node: Node, end: number, text: string, known: Set<string>): number[] {
  const offsets: number[] = [];
  const cursor = node.walk();
  try {
    let visited = 0;
    for (;;) {
      if (++visited > 20_000 || offsets.length > 32) break;
      const type = cursor.nodeType;
      const start = cursor.startIndex;
      if (type === '<' && isCandidate(text, start, known)) offsets.push(start);
      const descend = start < end && type !== 'compound_statement' && type !== 'string_literal' && type !== 'comment';
      if (descend && cursor.gotoFirstChild()) continue;
      if (!skipSubtree(cursor)) break;
    }
  } finally {
    cursor.delete();
  }
  return offsets;
}

/** Whether `node` is an ERROR directly in the file (or a namespace), which can wrap whole functions. */
function isTopLevelError(node: Node): boolean {
  const parent = node.parent;
  return node.type === 'ERROR' && (!parent || parent.type === 'translation_unit' || parent.type === 'declaration_list');
}

/**
 * Answers whether `root` has an error or MISSING node overlapping [start, end], in O(log errors) a
 * query. A top-level ERROR that wraps the span whole does not count: it stands for a failure elsewhere
 * (its own inner errors are listed and count).
 */
function errorIndex(root: Node): (start: number, end: number) => boolean {
  const all = errorNodes(root, MAX_ERRORS_EXAMINED, true);
  const wrappers = all.filter(isTopLevelError).map((node) => [node.startIndex, node.endIndex] as const);
  const errors = all
    .filter((node) => !isTopLevelError(node))
    .map((node) => [node.startIndex, node.endIndex] as const)
    .sort((a, b) => a[0] - b[0]);
  // Largest end among the errors up to each index (errors found by one walk do not nest, but be safe).
  const maxEnd: number[] = [];
  for (const [i, error] of errors.entries()) maxEnd.push(Math.max(error[1], i > 0 ? maxEnd[i - 1]! : -1));
  return (start, end) => {
    if (wrappers.some(([s, e]) => s <= end && e >= start && !(s < start && e > end))) return true;
    // The last error starting at or before `end`.
    let low = 0;
    let high = errors.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (errors[mid]![0] <= end) low = mid + 1;
      else high = mid;
    }
    return low > 0 && maxEnd[low - 1]! >= start;
  };
}

function withRewrites(text: string, offsets: Iterable<number>): string {
  const sorted = [...offsets].sort((a, b) => a - b);
  if (sorted.length === 0) return text;
  const parts: string[] = [];
  let last = 0;
  for (const offset of sorted) {
    if (text[offset] !== '<') continue;
    parts.push(text.slice(last, offset), '>');
    last = offset + 1;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

export interface Disambiguated {
  parseText: string;
  tree: Tree;
  /** Offsets where `<` is parsed as `>` (sorted): the ones given, and the ones found here. */
  rewrites: number[];
}

/**
 * Re-parses `text` changed at `offsets` (each a `<` that became `>`, same length) from `tree`, the
 * parse of the text before that change; `tree` itself is left as it was. Null when parsing fails.
 */
export type Reparse = (text: string, tree: Tree, offsets: number[]) => Tree | null;

/**
 * Re-parses `parseText` with misread `<` rewritten until no error left is one of them. `tree` is the
 * parse of `parseText`, in which `rewrites` (sorted) are already applied; trees that are not returned
 * are deleted.
 */
export function disambiguateLessThan(parseText: string, tree: Tree, reparse: Reparse, rewrites: number[] = []): Disambiguated {
  let text = parseText;
  let current = tree;
  const applied = new Set(rewrites);
  let known: Set<string> | null = null;
  for (let round = 0; round < MAX_ROUNDS && current.rootNode.hasError; round++) {
    const errors = errorNodes(current.rootNode, MAX_ERRORS_EXAMINED, true);
    if (errors.length === 0) break;
    known ??= knownTemplates(parseText);
    const groups: Group[] = [];
    // A top-level ERROR is tried whole, and through its inner errors statement by statement.
    for (const error of errors) {
      const group = groupFor(error, text, known);
      if (group && group.offsets.some((o) => !applied.has(o))) groups.push(group);
    }
    if (groups.length === 0) break;
    const newOffsets = (chosen: Group[]) => [...new Set(chosen.flatMap((group) => group.offsets))].filter((o) => !applied.has(o)).sort((a, b) => a - b);
    const trial = newOffsets(groups);
    const trialText = withRewrites(text, trial);
    const next = reparse(trialText, current, trial);
    if (!next) break;
    // Keep the rewrites of the statements that now parse; drop the others (genuine errors).
    const hasError = errorIndex(next.rootNode);
    const failed = new Set(groups.filter((group) => hasError(group.start, group.end)));
    if (failed.size === 0) {
      current.delete();
      current = next;
      text = trialText;
      for (const offset of trial) applied.add(offset);
      continue;
    }
    next.delete();
    const kept = groups.filter((group) => !failed.has(group));
    if (kept.length === 0) break;
    // A failed statement's offsets may also belong to a kept one: those stay.
    const keptOffsets = newOffsets(kept);
    const keptText = withRewrites(text, keptOffsets);
    const keptTree = reparse(keptText, current, keptOffsets);
    if (!keptTree) break;
    current.delete();
    current = keptTree;
    text = keptText;
    for (const offset of keptOffsets) applied.add(offset);
  }
  return { parseText: text, tree: current, rewrites: [...applied].sort((a, b) => a - b) };
}

/**
 * The rewrites (sorted offsets) that lie in a top-level item (a function, a declaration, an ERROR
 * directly in the file) that still has a syntax error. Which `<` such an item needs rewritten depends
 * on how its error was recovered, and so on what was rewritten before it: resolveLessThan reads them
 * again from none, as a parse from scratch would.
 */
function rewritesInErrorItems(root: Node, rewrites: number[]): number[] {
  if (rewrites.length === 0 || !root.hasError) return [];
  const items = errorItemRanges(errorNodes(root, MAX_ERRORS_EXAMINED));
  return rewrites.filter((offset) => inRanges(items, offset));
}

/**
 * disambiguateLessThan, then, where a top-level item still has an error, the same again with that
 * item's rewrites undone: the result depends on the text only, not on the `rewrites` carried over
 * from an earlier version (what test/analysis-fuzz.test.ts compares after edits).
 */
export function resolveLessThan(parseText: string, tree: Tree, reparse: Reparse, rewrites: number[] = []): Disambiguated {
  const first = disambiguateLessThan(parseText, tree, reparse, rewrites);
  const stale = rewritesInErrorItems(first.tree.rootNode, first.rewrites);
  if (stale.length === 0) return first;
  const staleSet = new Set(stale);
  const parts: string[] = [];
  let last = 0;
  for (const offset of stale) {
    parts.push(first.parseText.slice(last, offset), '<');
    last = offset + 1;
  }
  parts.push(first.parseText.slice(last));
  const undone = parts.join('');
  const reparsed = reparse(undone, first.tree, stale);
  if (!reparsed) return first;
  first.tree.delete();
  return disambiguateLessThan(
    undone,
    reparsed,
    reparse,
    first.rewrites.filter((offset) => !staleSet.has(offset)),
  );
}

export { withRewrites as applyLessThanRewrites };
