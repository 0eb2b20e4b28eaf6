// Reads the common `for (init; cond; update) body` statement from the text, without the tree: the
// statement's range and the pieces of text kernels.ts needs from its initializer, condition, update
// and body. It gives up (null) on anything it is not sure of (comments, strings, preprocessor lines
// other than `#pragma` in a braced body, backslashes, non-ASCII, braces in the header, range-for,
// statement keywords as a body), and kernels.ts then reads the tree, so what it returns is what the
// tree would have given. Only for trees without syntax errors. Pure; never throws.

/** The parts of one `for` statement, as offsets into the text (trimmed, as tree-sitter's nodes are). */
export interface ForLoopText {
  /** The statement: from `for` to the end of its body (after `}` or `;`). */
  start: number;
  end: number;
  /** Up to the first `;` (a declaration's node would include it; only its words are read). */
  initializer: { start: number; end: number } | null;
  condition: { start: number; end: number } | null;
  update: { start: number; end: number } | null;
  body: { start: number; end: number };
}

/** Words that begin a statement this reader does not follow as an unbraced body. */
const COMPOUND_STATEMENT_WORDS = new Set(['if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default', 'try', 'catch', 'template', 'namespace',
  'class', 'struct', 'union', 'enum', 'extern', 'typedef', 'using', 'asm', '__asm__', '__asm']);

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}
/** Characters the reader treats as plain code: printable ASCII and ordinary whitespace, no `\`. */
function isPlain(c: number): boolean {
  return (c >= 32 && c < 127 && c !== 92) || c === 9 || c === 10 || c === 13;
}

/** Index of the first region (comment, string, char literal) that ends after `offset`, by binary search over [start, end) pairs. */
function firstRegionEndingAfter(regions: number[], offset: number): number {
  let low = 0;
  let high = regions.length >> 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (regions[2 * mid + 1]! <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Trimmed [start, end) of parseText between `from` and `to`, or null when it is only spaces. */
function trimmed(parseText: string, from: number, to: number): { start: number; end: number } | null {
  let start = from;
  let end = to;
  while (start < end && isSpace(parseText.charCodeAt(start))) start++;
  while (end > start && isSpace(parseText.charCodeAt(end - 1))) end--;
  return start < end ? { start, end } : null;
}

/**
 * The `for` statement whose keyword starts at `forStart`, or null when unsure. `parseText` is the
 * text tree-sitter parsed (same offsets as the original); the statement must end by `limit`.
 */
export function readForLoopText(parseText: string, regions: number[], forStart: number, limit: number): ForLoopText | null {
  if (!parseText.startsWith('for', forStart)) return null;
  if (forStart > 0 && isWordChar(parseText.charCodeAt(forStart - 1))) return null;
  // The keyword's line: no preprocessor directive on it and no backslash-continued line before it.
  let lineStart = forStart;
  while (lineStart > 0 && parseText.charCodeAt(lineStart - 1) !== 10) lineStart--;
  for (let i = lineStart; i < forStart; i++) if (parseText.charCodeAt(i) === 35 /* # */) return null;
  let previous = lineStart - 2;
  if (previous >= 0 && parseText.charCodeAt(previous) === 13) previous--;
  if (previous >= 0 && parseText.charCodeAt(previous) === 92 /* \ */) return null;

  // Header: `( init ; cond ; update )` with exactly two top-level semicolons and no braces.
  let i = forStart + 3;
  while (i < limit && isSpace(parseText.charCodeAt(i))) i++;
  if (parseText.charCodeAt(i) !== 40 /* ( */) return null;
  const open = i;
  const semicolons: number[] = [];
  let depth = 0;
  let close = -1;
  for (i = open + 1; i < limit; i++) {
    const c = parseText.charCodeAt(i);
    if (!isPlain(c) || c === 35 /* # */ || c === 123 /* { */ || c === 125 /* } */) return null;
    if (c === 40 /* ( */ || c === 91 /* [ */) depth++;
    else if (c === 41 /* ) */ || c === 93 /* ] */) {
      if (depth === 0) {
        if (c !== 41) return null;
        close = i;
        break;
      }
      depth--;
    } else if (c === 59 /* ; */ && depth === 0) {
      semicolons.push(i);
      if (semicolons.length > 2) return null;
    }
  }
  if (close < 0 || semicolons.length !== 2) return null;

  // Body: a braced block, or one simple statement up to its `;`.
  i = close + 1;
  while (i < limit && isSpace(parseText.charCodeAt(i))) i++;
  const bodyStart = i;
  let end = -1;
  if (parseText.charCodeAt(i) === 123 /* { */) {
    let braces = 0;
    let atLineStart = false;
    for (; i < limit; i++) {
      const c = parseText.charCodeAt(i);
      if (!isPlain(c)) return null;
      if (c === 10) { atLineStart = true; continue; }
      if (c === 35 /* # */) {
        // Only `#pragma` lines (`#pragma unroll`), skipped whole; other directives may hide braces.
        if (!atLineStart || !/^#[ \t]*pragma\b/.test(parseText.slice(i, i + 24))) return null;
        const newline = parseText.indexOf('\n', i);
        if (newline < 0 || newline >= limit) return null;
        i = newline - 1;
        continue;
      }
      if (!isSpace(c)) atLineStart = false;
      if (c === 123) braces++;
      else if (c === 125 /* } */ && --braces === 0) {
        end = i + 1;
        break;
      }
    }
  } else {
    let word = i;
    while (word < limit && isWordChar(parseText.charCodeAt(word))) word++;
    if (COMPOUND_STATEMENT_WORDS.has(parseText.slice(i, word))) return null;
    const first = parseText.charCodeAt(i);
    if (first === 91 /* [ */ || first === 35 /* # */) return null;
    depth = 0;
    for (; i < limit; i++) {
      const c = parseText.charCodeAt(i);
      if (!isPlain(c) || c === 35 || c === 123 || c === 125) return null;
      if (c === 40 || c === 91) depth++;
      else if (c === 41 || c === 93) {
        if (depth === 0) return null;
        depth--;
      } else if (c === 59 && depth === 0) {
        end = i + 1;
        break;
      }
    }
  }
  if (end < 0 || end > limit) return null;
  // No comment, string or character literal anywhere from the keyword's line to the end.
  const region = firstRegionEndingAfter(regions, lineStart);
  if (2 * region < regions.length && regions[2 * region]! < end) return null;
  return {
    start: forStart,
    end,
    initializer: trimmed(parseText, open + 1, semicolons[0]!),
    condition: trimmed(parseText, semicolons[0]! + 1, semicolons[1]!),
    update: trimmed(parseText, semicolons[1]! + 1, close),
    body: { start: bodyStart, end },
  };
}
