// Reading Python source line by line without parsing it: brackets, strings, comments and backslash
// continuations, so units.ts and class-units.ts can tell where a statement begins. No tree, no analysis.

/** Statements that continue the compound statement before them (`else:` of an `if`): never a unit's start. */
export const CONTINUATION = /^(else|elif|except|finally)\b/;
/** Definitions: a line that starts one begins a unit even inside an unclosed bracket (broken code). */
export const DEFINITION = /^(def|class|async[ \t]+def)[ \t]/;

/** Reads one line's tokens from `i`: bracket depth, strings, a comment, a trailing backslash; returns the next line's start. */
export function scanLine(text: string, i: number, state: { depth: number; continued: boolean }): number {
  state.continued = false;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 10) return i + 1;
    if (ch === 35) {
      const end = text.indexOf('\n', i);
      return end < 0 ? text.length : end + 1;
    }
    if (ch === 34 || ch === 39) {
      i = skipString(text, i);
      continue;
    }
    if (ch === 40 || ch === 91 || ch === 123) state.depth++;
    else if ((ch === 41 || ch === 93 || ch === 125) && state.depth > 0) state.depth--;
    else if (ch === 92 && (text.charCodeAt(i + 1) === 10 || (text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10))) state.continued = true;
    i++;
  }
  return i;
}

/**
 * The offset after the string starting at `at` (its opening quote; a prefix such as `r` or `f` before it
 * does not change where it ends). A one-line string ends at its line's end when unclosed, as Python's
 * tokenizer gives up there; a triple-quoted one runs to its closing quotes or the end of the text.
 */
export function skipString(text: string, at: number): number {
  const quote = text.charCodeAt(at);
  const triple = text.charCodeAt(at + 1) === quote && text.charCodeAt(at + 2) === quote;
  let i = at + (triple ? 3 : 1);
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 92) {
      i += 2;
      continue;
    }
    if (ch === quote && (!triple || (text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote))) return i + (triple ? 3 : 1);
    if (ch === 10 && !triple) return i;
    i++;
  }
  return text.length;
}

/**
 * The start of the run of decorator lines at `indent` (blank and comment lines between them allowed)
 * ending right above the line at `at`, else `at`: where a definition that ends a bracket broken code left
 * open begins.
 */
export function decoratorsAbove(text: string, at: number, indent = ''): number {
  let from = at;
  for (let end = at - 1; end > 0; ) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    if (line.startsWith(`${indent}@`)) from = start;
    else if (line.trim() !== '' && !line.trimStart().startsWith('#')) break;
    end = start - 1;
  }
  return from;
}
