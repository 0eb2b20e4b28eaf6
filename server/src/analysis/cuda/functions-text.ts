// Reads what scopes.ts needs of a host function from the text, without touching the tree: the
// header of a plain definition (`static void launch(const float *A, int M) {`) and whether a
// `name(` site is a call. Whatever it is not sure of it answers with null or 'unsure', and scopes.ts
// asks the tree instead, so an answer given here is the one the tree would give. Only used when the
// tree has no syntax errors. Pure; never throws.
import { isAsciiSpace, isIdentifierPart } from './chars';

/** A definition `words name(params) { ... }`: the name, the parameter list and the body. */
export interface FunctionHeaderText {
  name: string;
  /** The parameter list, `(` to `)` inclusive. */
  paramsStart: number;
  paramsEnd: number;
  /** The body, `{` to `}` inclusive (the end is the definition's end). */
  bodyStart: number;
}



/** Characters a plain header may hold: words, spaces, `,*&:()<>`. */
function isHeaderChar(c: number): boolean {
  return isIdentifierPart(c) || isAsciiSpace(c) || c === 44 || c === 42 || c === 38 || c === 58 || c === 40 || c === 41 || c === 60 || c === 62;
}

/**
 * The header of the function definition spanning [start, end), when it is `type words name(params)`
 * followed directly by the body. Null for anything else (comments, attributes, default arguments,
 * pointer or reference returns, qualified names, operators, trailing qualifiers, initialiser lists).
 */
export function readFunctionHeader(text: string, start: number, end: number): FunctionHeaderText | null {
  if (text.charCodeAt(end - 1) !== 125 /* } */) return null;
  let bodyStart = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) {
      bodyStart = i;
      break;
    }
    if (!isHeaderChar(c)) return null;
  }
  if (bodyStart < 0) return null;
  let close = bodyStart - 1;
  while (close > start && isAsciiSpace(text.charCodeAt(close))) close--;
  if (text.charCodeAt(close) !== 41 /* ) */) return null;
  let open = close - 1;
  while (open > start && text.charCodeAt(open) !== 40 /* ( */) {
    if (text.charCodeAt(open) === 41) return null;
    open--;
  }
  if (text.charCodeAt(open) !== 40) return null;
  let nameEnd = open;
  while (nameEnd > start && isAsciiSpace(text.charCodeAt(nameEnd - 1))) nameEnd--;
  let nameStart = nameEnd;
  while (nameStart > start && isIdentifierPart(text.charCodeAt(nameStart - 1))) nameStart--;
  if (nameStart === nameEnd || !/^[A-Za-z_]/.test(text[nameStart]!)) return null;
  // A return type must precede the name, ending in a word or `>` (not `*`, `&` or `::`).
  let before = nameStart - 1;
  while (before >= start && isAsciiSpace(text.charCodeAt(before))) before--;
  if (before < start) return null;
  const last = text.charCodeAt(before);
  if (!isIdentifierPart(last) && last !== 62 /* > */) return null;
  let wordStart = before;
  while (wordStart > start && isIdentifierPart(text.charCodeAt(wordStart - 1))) wordStart--;
  if (text.slice(wordStart, before + 1) === 'operator') return null;
  return { name: text.slice(nameStart, nameEnd), paramsStart: open, paramsEnd: close + 1, bodyStart };
}

/** Words after which `name(` is an expression, so a call. */
const EXPRESSION_KEYWORDS = new Set(['return', 'else', 'do', 'throw', 'co_return']);

/**
 * Whether the `name(` at `at` is a call of `name` itself (the tree's call_expression whose function
 * is exactly `name`): 'call' with its argument list, 'not-call' (a member or qualified call), or
 * 'unsure' (a declaration may read the same; the tree decides). `at` must be in a function body
 * without preprocessor lines, comments or strings around it (prepare.ts records sites outside those).
 */
export function classifyCallSite(text: string, at: number, name: string): { kind: 'call'; argsStart: number; argsEnd: number } | { kind: 'not-call' | 'unsure' } {
  let p = at - 1;
  while (p >= 0 && isAsciiSpace(text.charCodeAt(p))) p--;
  const c = p >= 0 ? text[p]! : ';';
  let statementStart = false;
  if (c === '.') return { kind: 'not-call' };
  if (c === '>' && text[p - 1] === '-') return { kind: 'not-call' };
  if (c === ':' && text[p - 1] === ':') return { kind: 'not-call' };
  if (isIdentifierPart(text.charCodeAt(p))) {
    let wordStart = p;
    while (wordStart > 0 && isIdentifierPart(text.charCodeAt(wordStart - 1))) wordStart--;
    if (!EXPRESSION_KEYWORDS.has(text.slice(wordStart, p + 1))) return { kind: 'unsure' };
  } else if (c === ';' || c === '{' || c === '}') statementStart = true;
  else if (!'(,=[?!'.includes(c)) return { kind: 'unsure' };

  let open = at + name.length;
  while (open < text.length && (text.charCodeAt(open) === 32 || text.charCodeAt(open) === 9)) open++;
  if (text.charCodeAt(open) !== 40) return { kind: 'unsure' };
  let level = 0;
  let close = -1;
  for (let i = open; i < text.length && i - open < 10000; i++) {
    const ch = text.charCodeAt(i);
    // " ' # / { } : anything a plain argument list does not hold.
    if (ch === 34 || ch === 39 || ch === 35 || ch === 47 || ch === 123 || ch === 125) return { kind: 'unsure' };
    if (ch === 40) level++;
    else if (ch === 41 && --level === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return { kind: 'unsure' };
  // `T(x);` at the start of a statement may declare `x` of type T: the tree decides.
  if (statementStart && /^\s*[A-Za-z_]\w*\s*$/.test(text.slice(open + 1, close))) return { kind: 'unsure' };
  return { kind: 'call', argsStart: open, argsEnd: close + 1 };
}
