// Macros whose uses the C++ grammar cannot read as written, found from their `#define` (a rule on the
// body, not a list of names) and rewritten by prepare.ts like the CUDA keywords: same length, same line
// breaks. Pure; reads only the text it is given.
import { isIdentifierPart, isIdentifierStart } from './chars';

/**
 * What a macro's body is to the grammar: `specifiers` only declaration specifiers and attributes
 * (`__host__ __device__ __forceinline__`, `_Pragma("unroll")`) or nothing, blanked wherever the name is
 * used outside preprocessor directives;
 * `statement` a complete statement (a block, or a control statement or call ending in `;` or `}`), so a
 * use on its own line needs no `;`;
 * `statement-head` the head of a `for`/`while`/`if`/`switch` whose body is the statement after the use.
 */
export type MacroKind = 'specifiers' | 'statement' | 'statement-head';

export interface MacroShape {
  kind: MacroKind;
  functionLike: boolean;
}

/**
 * Macros in scope at a point of the scan, by name. A cheap first test for each identifier:
 * `lengths[first character code & 127]` has bit `min(length, 31)` set for each name.
 */
export interface MacroTable {
  byName: Map<string, MacroShape>;
  lengths: Uint32Array;
}

function emptyTable(): MacroTable {
  return { byName: new Map(), lengths: new Uint32Array(128) };
}

/** A `#define` the table records: one that classifies, or one that redefines a name the table holds. */
export interface MacroDefinition {
  name: string;
  /** Offset of the `#` and end of the directive (after its line break, continuations included). */
  start: number;
  end: number;
  shape: MacroShape | null;
}

/**
 * The macros of CUTLASS's and CuTe's configuration headers (cutlass/detail/helper_macros.hpp,
 * cute/config.hpp, as nvcc sees them; `#pragma unroll` written as `_Pragma`), which a CUTLASS file uses
 * without defining them: read as if these definitions preceded the file. A definition in the file
 * replaces them from that point on.
 */
const HEADER_PRELUDE = `
#define CUTLASS_HOST_DEVICE __forceinline__ __device__ __host__
#define CUTLASS_DEVICE __forceinline__ __device__
#define CUTLASS_HOST __host__
#define CUTLASS_GLOBAL __global__ static
#define CUTLASS_PRAGMA_UNROLL _Pragma("unroll")
#define CUTLASS_PRAGMA_NO_UNROLL _Pragma("unroll 1")
#define CUTLASS_GEMM_LOOP CUTLASS_PRAGMA_NO_UNROLL
#define CUTE_HOST_DEVICE __forceinline__ __host__ __device__
#define CUTE_DEVICE __forceinline__ __device__
#define CUTE_HOST __forceinline__ __host__
#define CUTE_UNROLL _Pragma("unroll")
#define CUTE_NO_UNROLL _Pragma("unroll 1")
`;

let prelude: MacroDefinition[] | null = null;

/** The table before the first line of a file, with `definitions` (in text order) that start before `at` applied. */
export function macroTableAt(definitions: readonly MacroDefinition[], at: number): MacroTable {
  if (!prelude) {
    prelude = [];
    const table = emptyTable();
    for (let hash = HEADER_PRELUDE.indexOf('#'); hash >= 0; hash = HEADER_PRELUDE.indexOf('#', hash + 1)) {
      const definition = readDefine(HEADER_PRELUDE, hash, HEADER_PRELUDE.indexOf('\n', hash) + 1, table);
      if (definition) {
        prelude.push(definition);
        setMacro(table, definition);
      }
    }
  }
  const table = emptyTable();
  for (const definition of prelude) setMacro(table, definition);
  for (const definition of definitions) {
    if (definition.start >= at) break;
    setMacro(table, definition);
  }
  return table;
}

export function setMacro(table: MacroTable, definition: MacroDefinition): void {
  if (definition.shape) {
    table.byName.set(definition.name, definition.shape);
    table.lengths[definition.name.charCodeAt(0) & 127]! |= 1 << Math.min(definition.name.length, 31);
  } else table.byName.delete(definition.name);
}

/**
 * CUDA declaration specifiers the C++ grammar does not know (CUDA C++ Programming Guide, 7.1–7.2):
 * prepare.ts blanks them, and a macro body of them (and the words below) is a `specifiers` macro.
 */
export const CUDA_SPECIFIERS: ReadonlySet<string> = new Set([
  '__global__',
  '__device__',
  '__host__',
  '__shared__',
  '__constant__',
  '__managed__',
  '__restrict__',
  '__forceinline__',
  '__noinline__',
  '__launch_bounds__',
  '__grid_constant__',
  '__cluster_dims__',
  '__align__',
]);

/** Identifiers a `specifiers` body may hold besides other such macros: CUDA's, C++'s and GNU's. */
const SPECIFIER_WORDS = new Set([
  ...CUDA_SPECIFIERS,
  '__inline__',
  '__inline',
  'inline',
  'static',
  'constexpr',
  '__attribute__',
  '__declspec',
  '_Pragma',
  '__pragma',
]);

/** Specifiers written with a parenthesised argument list. */
const WITH_ARGUMENTS = new Set(['__launch_bounds__', '__cluster_dims__', '__align__', '__attribute__', '__declspec', '_Pragma', '__pragma']);

/**
 * Reads the `#define` at `hash` (its directive runs to `end`): its name, whether it takes parameters,
 * and what its body is (given the macros in `table`); null if it names nothing.
 */
export function readDefine(text: string, hash: number, end: number, table: MacroTable): MacroDefinition | null {
  const match = /^#[ \t]*define[ \t]+([A-Za-z_]\w*)(\()?/.exec(text.slice(hash, Math.min(end, hash + 300)));
  if (!match) return null;
  const name = match[1]!;
  const functionLike = match[2] !== undefined;
  let bodyStart = hash + match[0].length;
  if (functionLike) {
    const close = text.indexOf(')', bodyStart);
    if (close < 0 || close >= end) return { name, start: hash, end, shape: null };
    bodyStart = close + 1;
  }
  const body = text
    .slice(bodyStart, end)
    .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ' ')
    .replace(/\\\r?\n/g, ' ')
    .trim();
  const kind = classifyBody(body, functionLike, table);
  return { name, start: hash, end, shape: kind ? { kind, functionLike } : null };
}

/** How a statement that is not a block starts: a control keyword, or a call (`__syncthreads();`). */
const STATEMENT_START = /^(?:(?:if|for|while|do|switch|return)\b|([A-Za-z_][\w:]*)\s*\()/;

function classifyBody(body: string, functionLike: boolean, table: MacroTable): MacroKind | null {
  // An empty body (`#else` / `#define HD` / `#endif`) expands to nothing, like specifiers blanked.
  if (body === '') return functionLike ? null : 'specifiers';
  if (!balanced(body)) return null;
  // `#define UNROLL #pragma unroll` (nvcc keeps the directive; CUTLASS's headers write it so).
  if (!functionLike && (onlySpecifiers(body, table) || /^#\s*pragma\b/.test(body))) return 'specifiers';
  const last = body[body.length - 1];
  // A statement, not a declaration or definition (`__global__ void NAME(...) {...}` also ends in `}`):
  // a block, a control statement, or a call.
  const start = STATEMENT_START.exec(body);
  // (`__launch_bounds__(256) void NAME(...) {...}` starts with a specifier, not a call.)
  const statement = start !== null && !(start[1] !== undefined && SPECIFIER_WORDS.has(start[1]));
  if ((body[0] === '{' && last === '}') || ((last === ';' || last === '}') && statement)) return 'statement';
  const head = /^(?:for|while|if|switch)\s*\(/.exec(body);
  if (functionLike && head && closingParen(body, head[0].length - 1) === body.length - 1) return 'statement-head';
  return null;
}

/** Whether every token of `body` is a specifier word (with its argument list) or a `specifiers` macro. */
function onlySpecifiers(body: string, table: MacroTable): boolean {
  let i = 0;
  while (i < body.length) {
    const c = body.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    if (!isIdentifierStart(c)) return false;
    const start = i;
    while (i < body.length && isIdentifierPart(body.charCodeAt(i))) i++;
    const word = body.slice(start, i);
    const macro = table.byName.get(word);
    if (!SPECIFIER_WORDS.has(word) && !(macro && macro.kind === 'specifiers' && !macro.functionLike)) return false;
    if (WITH_ARGUMENTS.has(word)) {
      while (body[i] === ' ' || body[i] === '\t') i++;
      if (body[i] !== '(') return false;
      const close = closingParen(body, i);
      if (close < 0) return false;
      i = close + 1;
    }
  }
  return true;
}

/** Whether `()`, `[]` and `{}` pair up in `body` outside string and character literals. */
function balanced(body: string): boolean {
  const stack: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"' || c === "'") i = literalEnd(body, i);
    else if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c === ')' || c === ']' || c === '}') {
      const open = stack.pop();
      if (open !== (c === ')' ? '(' : c === ']' ? '[' : '{')) return false;
    }
  }
  return stack.length === 0;
}

/** Offset of the last character of the string or character literal opening at `i` (or of the text). */
function literalEnd(text: string, i: number): number {
  const quote = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === quote || text[j] === '\n') return j;
  }
  return text.length - 1;
}

/** The `)` closing the `(` at `open` within a macro body, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = literalEnd(text, i);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Characters a use of a statement macro may span before the scan gives up on it. */
const MAX_USE_CHARS = 4000;

/** Whether only blanks precede `at` on its line. */
export function startsLine(text: string, at: number): boolean {
  let j = at - 1;
  while (j >= 0 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j--;
  return j < 0 || text.charCodeAt(j) === 10;
}

/**
 * Whether the identifier at `at` is read by the preprocessor: on a directive's line (its first non-blank
 * character is `#`), or the operand of `defined` (which may be on a continued `#if` line).
 */
export function inDirective(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let j = lineStart;
  while (j < at && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  return text.charCodeAt(j) === 35 || /\bdefined[ \t]*\(?[ \t]*$/.test(text.slice(Math.max(lineStart, at - 24), at));
}

/** Where the rest of a line from `at` holds only blanks and maybe a `//` comment: the offset read up to; else -(that offset) - 1. */
function restOfLineBlank(text: string, at: number): number {
  let j = at;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 10) return j;
    if (c === 47 /* / */ && text.charCodeAt(j + 1) === 47) return j + 2;
    if (c !== 32 && c !== 9 && c !== 13) return -j - 1;
    j++;
  }
  return j;
}

/**
 * The rewrite of a use of a function-like `statement` or `statement-head` macro that starts a line,
 * `name (arguments)` with the name ending at `nameEnd`: `read` is the end of the text it was decided
 * on (the incremental scan must not cut it), `edits` empty when the use stays as written. A statement
 * followed by nothing on its line becomes `     arguments;` (an expression statement whose calls keep
 * their offsets); a statement head becomes `while (arguments)` (or `if` where the name is shorter).
 */
export function statementMacroUse(
  text: string,
  start: number,
  nameEnd: number,
  kind: MacroKind,
): { read: number; edits: Array<{ start: number; end: number; replacement: string }> } {
  const none = (read: number) => ({ read, edits: [] });
  let open = nameEnd;
  while (text.charCodeAt(open) === 32 || text.charCodeAt(open) === 9) open++;
  if (text.charCodeAt(open) !== 40 /* ( */) return none(open + 1);
  const limit = Math.min(text.length, open + MAX_USE_CHARS);
  let depth = 0;
  let close = -1;
  for (let i = open; i < limit && close < 0; i++) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      const lineEnd = text.indexOf('\n', i);
      i = lineEnd < 0 ? limit : lineEnd;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const commentEnd = text.indexOf('*/', i + 2);
      i = commentEnd < 0 ? limit : commentEnd + 1;
    } else if (c === 34 /* " */ || c === 39 /* ' */) i = literalEnd(text, i);
    else if (c === 40) depth++;
    else if (c === 41 /* ) */ && --depth === 0) close = i;
    else if (c === 59 /* ; */ || c === 123 /* { */ || c === 125 /* } */) return none(i + 1);
  }
  if (close < 0) return none(limit);
  const length = nameEnd - start;
  if (kind === 'statement-head') {
    if (length < 2) return none(close + 1);
    return { read: close + 1, edits: [{ start, end: nameEnd, replacement: length >= 5 ? 'while' : 'if' }] };
  }
  const rest = restOfLineBlank(text, close + 1);
  if (rest < 0) return none(-rest);
  return {
    read: rest,
    edits: [
      { start, end: open + 1, replacement: '' },
      { start: close, end: close + 1, replacement: ';' },
    ],
  };
}

/**
 * The rewrite of a use of an object-like `statement` macro that starts a line: `;` when nothing
 * follows it on its line (an empty statement), else none.
 */
export function objectStatementUse(text: string, start: number, nameEnd: number): { start: number; end: number; replacement: string } | null {
  return restOfLineBlank(text, nameEnd) >= 0 ? { start, end: nameEnd, replacement: ';' } : null;
}
