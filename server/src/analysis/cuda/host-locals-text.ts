// Reads the locals of a simple host function body from its text, without touching the tree: the
// common launcher shape (`const int M = 512, N = 512;`, `dim3 block(T, T);`, `float *A = nullptr;`,
// calls and launches), and plain file-scope declarations (`constexpr int BK = 8;`). Every shape it is not sure of makes it give up (null), and scopes.ts reads
// the body from the tree instead, so whatever it returns is what the tree walk would have read.
// Pure; never throws.
import { isIdentifierPart, isIdentifierStart, isJsSpace } from './chars';
import { parseCExpression } from '../folding';
import type { Dim3Definition } from './scopes';

/** What collectLocals reads from one declarator: a value's text, a dim3, or nothing (unknown). */
export interface TextLocal {
  name: string;
  expr: { text: string; offset: number } | null;
  dim3: Dim3Definition | null;
}

/** Words that may begin a declaration read here (a type, possibly qualified). */
const TYPE_WORDS = new Set(['const', 'constexpr', 'static', 'volatile', 'unsigned', 'signed', 'long', 'short', 'int', 'float', 'double', 'char', 'bool',
  'size_t', 'int32_t', 'int64_t', 'uint32_t', 'uint64_t', 'auto', 'dim3']);
/** The last word of the type must be one of these (`unsigned M` may read `M` as a type). */
const BASE_TYPES = new Set(['int', 'float', 'double', 'char', 'bool', 'size_t', 'int32_t', 'int64_t', 'uint32_t', 'uint64_t', 'auto', 'dim3']);

/** A call or a kernel launch (`f(...)`, `ns::k<<<...`, `k<64, 64><<<...`) or a return. */
const CALL_STATEMENT = /^(?:[A-Za-z_][\w:]*\s*(?:\(|<<<|<[^;=(){}<>]*>\s*<<<)|return\b)/;

/** Top-level comma split with trimmed parts and their offsets; null when a part is empty. */
function splitCommas(text: string, offset: number): Array<{ text: string; start: number }> | null {
  const parts: Array<{ text: string; start: number }> = [];
  let level = 0;
  let partStart = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text[i]! : ',';
    if (c === '(' || c === '[') level++;
    else if (c === ')' || c === ']') level--;
    else if (c === ',' && level === 0) {
      const raw = text.slice(partStart, i);
      const trimmed = raw.trim();
      if (!trimmed) return null;
      parts.push({ text: trimmed, start: offset + partStart + (raw.length - raw.trimStart().length) });
      partStart = i + 1;
    }
    if (level < 0) return null;
  }
  return level === 0 ? parts : null;
}

/** Offset just past the `)` matching the `(` at `open`, or -1. */
function closeParen(text: string, open: number, end: number): number {
  let level = 0;
  for (let i = open; i < end; i++) {
    if (text[i] === '(') level++;
    else if (text[i] === ')' && --level === 0) return i + 1;
  }
  return -1;
}

/**
 * The declarations of the body `{...}` spanning [start, end) of `text`, in order (a name declared
 * twice appears twice), or null when the body holds anything but simple declarations, calls and
 * launches, or any assignment, increment, brace, comment, string or preprocessor line.
 */
export function readLocalsFromText(text: string, start: number, end: number): TextLocal[] | null {
  if (text[start] !== '{' || text[end - 1] !== '}') return null;
  const innerStart = start + 1;
  const innerEnd = end - 1;
  if (!plainText(text, innerStart, innerEnd)) return null;
  const locals: TextLocal[] = [];
  let statementStart = innerStart;
  let level = 0;
  for (let i = innerStart; i < innerEnd; i++) {
    const c = text[i];
    if (c === '(') level++;
    else if (c === ')') level--;
    else if (c === ';' && level === 0) {
      if (!readStatement(text, statementStart, i, locals)) return null;
      statementStart = i + 1;
    }
  }
  if (level !== 0 || text.slice(statementStart, innerEnd).trim()) return null;
  return locals;
}

/** Whether [start, end) has none of { } # " ' \ and no comment (a `/` followed by `/` or `*`). */
function plainText(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 || c === 125 || c === 35 || c === 34 || c === 39 || c === 92) return false;
    if (c === 47 && (text[i + 1] === '/' || text[i + 1] === '*')) return false;
  }
  return true;
}

/**
 * The names one declaration node's text [start, end) declares (ending in its `;`; a file-scope
 * declaration, read as collectLocals reads it), or null when unsure: the same shapes as in a body,
 * and the statement must begin with a type word (`foo(x);` may be a declaration to the tree).
 */
export function readDeclarationFromText(text: string, start: number, end: number): TextLocal[] | null {
  if (end <= start || text[end - 1] !== ';' || !plainText(text, start, end - 1)) return null;
  for (let i = start; i < end - 1; i++) if (text.charCodeAt(i) === 59 /* ; */) return null;
  const locals: TextLocal[] = [];
  return readStatement(text, start, end - 1, locals, true) ? locals : null;
}

/** Whether `needle` occurs entirely inside [from, to) of `text` (a bounded scan: indexOf would search the rest of the file). */
function occursWithin(text: string, needle: string, from: number, to: number): boolean {
  const first = needle.charCodeAt(0);
  const last = to - needle.length;
  for (let i = from; i <= last; i++) {
    if (text.charCodeAt(i) === first && text.startsWith(needle, i)) return true;
  }
  return false;
}

/** Reads one statement [start, end) (without its `;`) into `locals`; false when unsure (or, with `declarationOnly`, not a declaration). */
function readStatement(text: string, start: number, end: number, locals: TextLocal[], declarationOnly = false): boolean {
  let i = start;
  while (i < end && isJsSpace(text.charCodeAt(i))) i++;
  if (i === end) return false;
  if (occursWithin(text, '++', i, end) || occursWithin(text, '--', i, end)) return false;
  // The type: the leading run of whitelisted words, each followed by white space (`int x` stops the run
  // at the name, so the name is never taken for a type word). One scan, no slices of the statement.
  let typeWords = 0;
  let isDim3 = false;
  let otherThanDim3 = false;
  let lastTypeWord = '';
  let declStart = i;
  for (let p = i; p < end;) {
    if (!isIdentifierStart(text.charCodeAt(p))) break;
    let q = p + 1;
    while (q < end && isIdentifierPart(text.charCodeAt(q))) q++;
    if (q >= end || !isJsSpace(text.charCodeAt(q))) break;
    const word = text.slice(p, q);
    if (!TYPE_WORDS.has(word)) break;
    typeWords++;
    lastTypeWord = word;
    if (word === 'dim3') isDim3 = true;
    else if (word !== 'const' && word !== 'static') otherThanDim3 = true;
    declStart = q;
    p = q + 1;
    while (p < end && isJsSpace(text.charCodeAt(p))) p++;
  }
  if (typeWords === 0) {
    if (declarationOnly) return false;
    if (occursWithin(text, '=', i, end)) return false;
    return CALL_STATEMENT.test(text.slice(i, end));
  }
  if (!BASE_TYPES.has(lastTypeWord) || occursWithin(text, '<', i, end) || occursWithin(text, '>', i, end)) return false;
  if (isDim3 && otherThanDim3) return false;
  const declarators = splitCommas(text.slice(declStart, end), declStart);
  if (!declarators || declarators.length === 0) return false;
  for (const part of declarators) {
    const local = readDeclarator(part.text, part.start, isDim3);
    if (local === false) return false;
    if (local) locals.push(local);
  }
  return true;
}

/** One declarator: a local, null (skipped, as the tree walk skips pointers with initialisers) or false (unsure). */
function readDeclarator(part: string, offset: number, isDim3: boolean): TextLocal | null | false {
  const m = /^([*&]\s*)?([A-Za-z_]\w*)\s*/.exec(part);
  if (!m) return false;
  const pointer = !!m[1];
  const name = m[2]!;
  if (TYPE_WORDS.has(name)) return false;
  const nameEnd = offset + (m[1]?.length ?? 0) + name.length;
  const restStart = m[0].length;
  const rest = part.slice(restStart);
  if (!rest) {
    if (pointer && isDim3) return false;
    return { name, expr: null, dim3: isDim3 && !pointer ? { components: [], range: { start: nameEnd, end: nameEnd } } : null };
  }
  if (pointer) return rest[0] === '=' ? null : false;
  if (rest[0] === '=') {
    const raw = rest.slice(1);
    const value = raw.trim();
    if (!value || value.includes('=')) return false;
    const valueStart = offset + restStart + 1 + (raw.length - raw.trimStart().length);
    if (!isDim3) return { name, expr: { text: value, offset: valueStart }, dim3: null };
    // `dim3 g = dim3(a, b)` or `dim3 g = 64`.
    const call = /^dim3\s*\(/.exec(value);
    if (call) {
      const open = call[0].length - 1;
      if (closeParen(value, open, value.length) !== value.length) return false;
      const components = splitCommas(value.slice(open + 1, -1), valueStart + open + 1);
      if (!components) return value.slice(open + 1, -1).trim() ? false : dim3Local(name, [], valueStart + open, valueStart + value.length);
      return dim3Local(name, components, valueStart + open, valueStart + value.length);
    }
    if (value.includes('(')) return false;
    return { name, expr: null, dim3: { components: [parseCExpression(value, valueStart)], range: { start: valueStart, end: valueStart + value.length } } };
  }
  if (rest[0] === '(' && isDim3) {
    // `dim3 block(T, T)`: the constructor arguments (a parameter or argument list to the tree).
    if (closeParen(rest, 0, rest.length) !== rest.length) return false;
    const inner = rest.slice(1, -1);
    const argsStart = offset + restStart;
    const components = inner.trim() ? splitCommas(inner, argsStart + 1) : [];
    if (!components) return false;
    return dim3Local(name, components, argsStart, argsStart + rest.length);
  }
  return false;
}

function dim3Local(name: string, parts: Array<{ text: string; start: number }>, start: number, end: number): TextLocal {
  return { name, expr: null, dim3: { components: parts.map((p) => parseCExpression(p.text, p.start)), range: { start, end } } };
}
