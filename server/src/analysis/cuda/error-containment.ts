// Keeps a syntax error inside the function it is in. Tree-sitter's error recovery sometimes lets one
// broken statement swallow the rest of the file into a single ERROR (an unclosed `for (` header does:
// every later kernel and launch is then lost). When a top-level ERROR runs past a `}` at the start of
// a line (the usual end of a top-level function), the body of the function it broke in is blanked
// in the parsed text (same length, line breaks kept) and the text re-parsed, so the functions after it
// read as they are written; the error is still reported, at its place. Pure apart from the re-parse
// function the caller passes in; the result depends on the text only (the caller starts each parse
// from the text without earlier blanks), so incremental and cold analyses agree.
import type { Node, Tree } from 'web-tree-sitter';
import type { Range } from '../types';
import { errorItemRanges, errorNodes } from './syntax';

/** A function body blanked because its error ran past its end. */
export interface SkippedBody {
  /** The blanked span of the parsed text. */
  start: number;
  end: number;
  /** The first syntax error in the function, as the parse before the blanking had it. */
  error: Range;
}

/** Re-parses `text`, which differs from `tree`'s text only in the [start, end) pairs of `ranges` (same length). */
export type RangeReparse = (text: string, tree: Tree, ranges: number[]) => Tree | null;

/** Rounds of blank + re-parse: each can uncover the next runaway error further down. */
const MAX_ROUNDS = 8;
const MAX_ERRORS = 100_000;

/** Top-level constructs an ERROR can hold whole: where they parse without error, the break is after them. */
const COMPLETE_ITEMS = new Set([
  'function_definition',
  'declaration',
  'template_declaration',
  'preproc_def',
  'preproc_function_def',
  'preproc_include',
  'preproc_call',
  'comment',
  'namespace_definition',
  'linkage_specification',
  'type_definition',
  'alias_declaration',
  'struct_specifier',
  'class_specifier',
  'enum_specifier',
  'using_declaration',
  'expression_statement',
  ';',
]);

/**
 * Where an error really starts: for an ERROR that wraps whole functions before the broken one (error
 * recovery can start it far up), the first of its children that is not a complete, error-free item.
 */
function breakOf(error: Node): { start: number; end: number } {
  if (error.type !== 'ERROR') return { start: error.startIndex, end: error.endIndex };
  const cursor = error.walk();
  try {
    if (!cursor.gotoFirstChild()) return { start: error.startIndex, end: error.endIndex };
    for (let step = 0; step < 1_000_000; step++) {
      if (!COMPLETE_ITEMS.has(cursor.nodeType) || cursor.currentNode.hasError) return { start: cursor.startIndex, end: cursor.endIndex };
      if (!cursor.gotoNextSibling()) break;
    }
  } finally {
    cursor.delete();
  }
  return { start: error.startIndex, end: error.endIndex };
}

/** `text` with [start, end) turned into spaces, line breaks kept (so rows do not move). */
function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\n\r]/g, ' ') + text.slice(end);
}

/**
 * The span to blank for an error item [itemStart, itemEnd) whose first error starts at `errorStart`:
 * the body of the function holding the error, up to the first `}` at the start of a line after it,
 * when the item runs past that `}`; null when the error stays inside its function.
 */
function runawaySpan(text: string, itemStart: number, itemEnd: number, errorStart: number): { start: number; end: number } | null {
  const close = text.indexOf('\n}', errorStart);
  if (close < 0) return null;
  const brace = close + 1;
  // Only a runaway error: the item goes on past this line.
  const lineEnd = text.indexOf('\n', brace);
  if (lineEnd < 0 || lineEnd >= itemEnd || !/\S/.test(text.slice(lineEnd, itemEnd))) return null;
  // The body's `{`: the first one after the item's start, if it comes before the error.
  const open = text.indexOf('{', itemStart);
  if (open >= 0 && open < errorStart) return open + 1 < brace ? { start: open + 1, end: brace } : null;
  // No body before the error (a broken header): blank the whole definition with its `}`.
  return { start: itemStart, end: brace + 1 };
}

/**
 * Blanks the bodies of functions whose syntax error runs past their end, re-parsing after each round.
 * `tree` is the parse of `parseText`; trees that are not returned are deleted.
 */
export function containErrors(parseText: string, tree: Tree, reparse: RangeReparse): { parseText: string; tree: Tree; skipped: SkippedBody[] } {
  let text = parseText;
  let current = tree;
  const skipped: SkippedBody[] = [];
  for (let round = 0; round < MAX_ROUNDS && current.rootNode.hasError; round++) {
    const errors: Node[] = errorNodes(current.rootNode, MAX_ERRORS);
    const items = errorItemRanges(errors);
    const sorted = [...errors].sort((a, b) => a.startIndex - b.startIndex);
    const spans: SkippedBody[] = [];
    let e = 0;
    for (let i = 0; i < items.length; i += 2) {
      const itemStart = items[i]!;
      const itemEnd = items[i + 1]!;
      while (e < sorted.length && sorted[e]!.startIndex < itemStart) e++;
      const first = sorted[e];
      if (!first || first.startIndex >= itemEnd) continue;
      const broken = breakOf(first);
      // Only an ERROR that is itself a top-level item runs away: it holds top-level pieces, and the broken
      // function starts at the break. A function that recovered with a MISSING token keeps its structure
      // (and what the analysis reads from it) even when its braces do not balance.
      if (first.type !== 'ERROR' || first.startIndex !== itemStart) continue;
      const span = runawaySpan(text, broken.start, itemEnd, broken.start);
      if (!span || skipped.some((s) => s.start === span.start)) continue;
      // Reported on the broken function's head (up to its body's `{`, on its first line), so the problem names it.
      let headEnd = Math.min(span.start > broken.start ? span.start - 1 : span.end, text.indexOf('\n', broken.start) >>> 0);
      while (headEnd > broken.start && /\s/.test(text[headEnd - 1]!)) headEnd--;
      spans.push({ ...span, error: { start: broken.start, end: Math.max(broken.start, headEnd) } });
    }
    if (spans.length === 0) break;
    let next = text;
    for (const span of spans) next = blank(next, span.start, span.end);
    const reparsed = reparse(
      next,
      current,
      spans.flatMap((span) => [span.start, span.end]),
    );
    if (!reparsed) break;
    current.delete();
    current = reparsed;
    text = next;
    skipped.push(...spans);
  }
  skipped.sort((a, b) => a.start - b.start);
  return { parseText: text, tree: current, skipped };
}
