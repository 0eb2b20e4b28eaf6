// Makes CUDA text parseable by the tree-sitter C++ grammar without moving any offset: CUDA keywords
// are blanked to spaces and `<<< >>>` become `{   }` (or `(   )`), in a string of the same length. It also records
// what it blanked, launch chevrons and `// tilecast:` annotations; uses of macros the grammar cannot read
// are rewritten too (macros.ts). It must not change line breaks.
import { isIdentifierPart, isIdentifierStart } from './chars';
import {
  CUDA_SPECIFIERS,
  inDirective,
  macroTableAt,
  objectStatementUse,
  readDefine,
  setMacro,
  startsLine,
  statementMacroUse,
  type MacroDefinition,
  type MacroTable,
} from './macros';

export interface CudaKeyword {
  keyword: string;
  start: number;
  end: number;
  /** For `__launch_bounds__(...)`/`__cluster_dims__(...)`/`__align__(...)`: the text and offset of what is between the parentheses. */
  args?: { text: string; start: number; end: number };
}

export interface Annotation {
  /** Offset of the comment. */
  start: number;
  end: number;
  /** Upper-cased keys as written (M, N, K, BATCH, DTYPE), raw values. */
  fields: Record<string, string>;
  /** Ranges of each value, for problems about bad values. */
  valueRanges: Record<string, { start: number; end: number }>;
}

export interface LaunchChevrons {
  /** Offset of `<<<`. */
  open: number;
  /** Offset of the matching `>>>`. */
  close: number;
}

export interface PreparedCuda {
  parseText: string;
  keywords: CudaKeyword[];
  launches: LaunchChevrons[];
  annotations: Annotation[];
  /** Offsets of `<<<` with no matching `>>>` (reported as problems). */
  unmatchedLaunches: number[];
  /** Start offsets of identifiers starting with `cublas` (library calls are looked up from these). */
  cublasIdentifiers: Array<{ name: string; start: number }>;
  /**
   * Offsets of the tokens that start a definition the analysis reads: `#define`, `const`, `constexpr`,
   * `enum`, `GemmShape`, type aliases (`using X =`, `typedef`), and `template` not followed by `<`
   * (explicit instantiation). Looking nodes up at these offsets avoids walking the whole tree.
   */
  definitionTokens: Array<{
    /** `scope`: `namespace`, `struct`, `class` or `union`, whose name qualifies the constants inside (only a cache signature). */
    token: 'define' | 'const' | 'constexpr' | 'enum' | 'GemmShape' | 'template' | 'scope' | 'using' | 'typedef';
    start: number;
    /** The text a definition's meaning depends on, [from, end): used as a cache signature. */
    from: number;
    end: number;
  }>;
  /** Offsets of `name (` call-like uses outside comments and strings, by name. */
  callSites: Map<string, number[]>;
  /** Offsets of `for` keywords outside comments and strings, in order (loops are looked up from these). */
  forKeywords: number[];
  /** Comments, strings and character literals, [start, end) pairs flattened, in order. */
  regions: number[];
  /** The `#define`s that change which macros are rewritten (macros.ts), in order. */
  macroDefinitions: MacroDefinition[];
  /**
   * Uses of function-like statement macros at the start of a line, rewritten or not: [start of the name,
   * end of the text read to decide). The incremental scan must not cut one.
   */
  macroStatements: Array<{ start: number; end: number }>;
  /** Function bodies blanked in parseText after parsing because their syntax error ran past them (error-containment.ts). */
  skippedBodies?: Array<{ start: number; end: number; error: { start: number; end: number } }>;
}

const ANNOTATION = /^\/\/\s*tilecast\s*:(.*)$/i;

function parseAnnotation(comment: string, start: number): Annotation | null {
  const match = ANNOTATION.exec(comment);
  if (!match) return null;
  const body = match[1]!;
  const bodyOffset = start + comment.length - body.length;
  const fields: Record<string, string> = {};
  const valueRanges: Annotation['valueRanges'] = {};
  const pair = /([A-Za-z_]+)\s*=\s*([^\s,;]+)/g;
  for (let m = pair.exec(body); m; m = pair.exec(body)) {
    const key = m[1]!.toUpperCase();
    fields[key] = m[2]!;
    const valueStart = bodyOffset + m.index + m[0].length - m[2]!.length;
    valueRanges[key] = { start: valueStart, end: valueStart + m[2]!.length };
  }
  return { start, end: start + comment.length, fields, valueRanges };
}

/** After `const`: words (type names, `::`) then `*` within 80 characters. A linear scan, no regex backtracking. */
function isPointerDeclaration(text: string, from: number): boolean {
  const end = Math.min(text.length, from + 80);
  let sawWord = false;
  for (let j = from; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === 42 /* * */) return sawWord;
    if (isIdentifierPart(c) || c === 58 /* : */) sawWord = true;
    else if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return false;
}

/** After `using`: a name and `=` within 80 characters (`using T = half;`, not `using namespace nvcuda;`). A linear scan. */
function isAliasDeclaration(text: string, from: number): boolean {
  const end = Math.min(text.length, from + 80);
  let j = from;
  while (j < end && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13)) j++;
  if (j === from || j >= end || !isIdentifierStart(text.charCodeAt(j))) return false;
  while (j < end && isIdentifierPart(text.charCodeAt(j))) j++;
  while (j < end && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  return text.charCodeAt(j) === 61 /* = */ && text.charCodeAt(j + 1) !== 61;
}

/**
 * End of a definition's text for cache signatures: the first of `stops` (a `\n` stop honours
 * backslash continuations), within 4,000 characters.
 */
export function snippetEnd(text: string, from: number, stops: string): number {
  const limit = Math.min(text.length, from + 4000);
  for (let j = from; j < limit; j++) {
    const c = text[j]!;
    if (stops.includes(c)) {
      if (c === '\n' && (text[j - 1] === '\\' || (text[j - 1] === '\r' && text[j - 2] === '\\'))) continue;
      return j + 1;
    }
  }
  return limit;
}

/** Start of the statement around `from`: just after the previous `;`, `{` or `}` (within 4,000 characters). */
export function snippetStart(text: string, from: number): number {
  const limit = Math.max(0, from - 4000);
  for (let j = from - 1; j >= limit; j--) {
    const c = text[j];
    if (c === ';' || c === '{' || c === '}') return j + 1;
  }
  return limit;
}

/** What one scan of a range finds (prepareCudaText scans the whole text; prepare-incremental.ts a few lines). */
export interface CudaScan {
  edits: Array<{ start: number; end: number; replacement: string }>;
  keywords: CudaKeyword[];
  /** Matched chevrons, in the order their `>>>` was met. */
  launches: LaunchChevrons[];
  /** `<<<` offsets still open at the end of the range. */
  pendingOpens: number[];
  annotations: Annotation[];
  cublasIdentifiers: PreparedCuda['cublasIdentifiers'];
  definitionTokens: PreparedCuda['definitionTokens'];
  callSites: Map<string, number[]>;
  forKeywords: number[];
  /** Comments, strings and character literals, [start, end) pairs flattened, in order. */
  regions: number[];
  macroDefinitions: MacroDefinition[];
  macroStatements: PreparedCuda['macroStatements'];
  /** Where the scan stopped: at or after the end of the range (a token may run past it). */
  end: number;
  /** A `>>>` was met with no `<<<` open in the range (its meaning depends on what precedes the range). */
  closedOutside: boolean;
}

/** What follows `Shape` in a CuTe static shape: `<_128, ...` or `<Int<128>, ...`. */
const CUTE_STATIC_SHAPE = /^\s*<\s*(?:_\d|Int\s*<)/;

/**
 * Whether the `<` at `open` starts a template argument list followed by `(`: its `>` within 256
 * characters (nested `<>` balanced, no `;`, `{`, `}` or `<<` on the way), then optional blanks and `(`.
 * A comparison that happens to match is harmless: call sites are confirmed on the tree.
 */
function isTemplatedCall(text: string, open: number, n: number): boolean {
  if (text.charCodeAt(open + 1) === 60 /* < */) return false;
  let depth = 0;
  const end = Math.min(n, open + 256);
  for (let k = open; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 60 /* < */) depth++;
    else if (c === 62 /* > */ && --depth === 0) {
      let j = k + 1;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      return text.charCodeAt(j) === 40 /* ( */;
    } else if (c === 59 /* ; */ || c === 123 /* { */ || c === 125 /* } */) return false;
  }
  return false;
}

/** Scans once, skipping comments, strings and character literals; linear in the text length. */
export function prepareCudaText(text: string): PreparedCuda {
  return finishPreparation(text, scanCuda(text, 0, text.length, macroTableAt([], 0)));
}

/**
 * Scans the tokens that start in [from, to), starting in plain code (not in a comment or string), with
 * the macros defined before `from` (`macros`, which the scan's own `#define`s update).
 */
export function scanCuda(text: string, from: number, to: number, macros: MacroTable): CudaScan {
  const edits: CudaScan['edits'] = [];
  const keywords: CudaKeyword[] = [];
  const launches: LaunchChevrons[] = [];
  const pendingOpens: number[] = [];
  const annotations: Annotation[] = [];
  const cublasIdentifiers: PreparedCuda['cublasIdentifiers'] = [];
  const definitionTokens: PreparedCuda['definitionTokens'] = [];
  const callSites = new Map<string, number[]>();
  const forKeywords: number[] = [];
  const regions: number[] = [];
  const macroDefinitions: MacroDefinition[] = [];
  const macroStatements: CudaScan['macroStatements'] = [];
  // End of the last `#define`: its body is opaque to the grammar (a preproc_arg), so nothing in it is
  // rewritten; a body blanked whole would even let the grammar read the next line as the body.
  let directiveEnd = 0;
  let unsorted = false;
  let closedOutside = false;
  const n = text.length;
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      // A `//` comment ending in a backslash continues on the next line (C11 5.1.1.2: lines are
      // spliced before comments are removed); tree-sitter agrees, so the scan must too.
      let end = text.indexOf('\n', i);
      while (end >= 0 && (text.charCodeAt(end - 1) === 92 || (text.charCodeAt(end - 1) === 13 && text.charCodeAt(end - 2) === 92)))
        end = text.indexOf('\n', end + 1);
      if (end < 0) end = n;
      if (text.charCodeAt(end - 1) === 13) end--;
      const annotation =
        text.startsWith('tilecast', i + 2) || /^\/\/\s*tilecast/i.test(text.slice(i, Math.min(end, i + 40))) ? parseAnnotation(text.slice(i, end), i) : null;
      if (annotation) annotations.push(annotation);
      regions.push(i, end);
      i = end;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const close = text.indexOf('*/', i + 2);
      regions.push(i, close < 0 ? n : close + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === 34 /* " */ || c === 39 /* ' */) {
      // A quote right after a digit is a C++14 digit separator (1'000), not a character literal.
      if (c === 39 && i > 0 && /[0-9A-Fa-f]/.test(text[i - 1]!) && /[0-9A-Fa-f]/.test(text[i + 1] ?? '')) {
        i++;
        continue;
      }
      const opening = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) {
          i += 2;
          continue;
        }
        if (d === c || d === 10) break;
        i++;
      }
      i++;
      regions.push(opening, Math.min(i, n));
      continue;
    }
    if (isIdentifierStart(c)) {
      const start = i;
      i++;
      while (i < n && isIdentifierPart(text.charCodeAt(i))) i++;
      if (c === 95 /* _ */ && text.charCodeAt(start + 1) === 95) {
        const word = text.slice(start, i);
        if (CUDA_SPECIFIERS.has(word)) {
          let end = i;
          let args: CudaKeyword['args'];
          if (word === '__launch_bounds__' || word === '__cluster_dims__' || word === '__align__') {
            let j = i;
            while (j < n && /\s/.test(text[j]!)) j++;
            if (text[j] === '(') {
              let level = 0;
              let k = j;
              for (; k < n; k++) {
                if (text[k] === '(') level++;
                else if (text[k] === ')' && --level === 0) break;
                else if (text[k] === '{' || text[k] === ';') break;
              }
              if (text[k] === ')') {
                args = { text: text.slice(j + 1, k), start: j + 1, end: k };
                end = k + 1;
              }
            }
          }
          keywords.push({ keyword: word, start, end, ...(args ? { args } : {}) });
          if (start >= directiveEnd) edits.push({ start, end, replacement: '' });
          // Continue after the blanked arguments: edits must never overlap, or the length would change.
          i = end;
        }
      } else {
        // Most identifiers are neither definition tokens nor calls: slice the word only when needed.
        let word: string | null = null;
        const length = i - start;
        if (start >= directiveEnd && (macros.lengths[c & 127]! & (1 << Math.min(length, 31))) !== 0) {
          word = text.slice(start, i);
          const macro = macros.byName.get(word);
          if (macro?.kind === 'specifiers') {
            if (!inDirective(text, start)) edits.push({ start, end: i, replacement: '' });
          } else if (macro && startsLine(text, start)) {
            if (!macro.functionLike) {
              const edit = objectStatementUse(text, start, i);
              if (edit) edits.push(edit);
            } else {
              const use = statementMacroUse(text, start, i, macro.kind);
              macroStatements.push({ start, end: use.read });
              edits.push(...use.edits);
              if (use.edits.length > 1) unsorted = true;
            }
          }
        }
        if (c === 102 /* f */ && i - start === 3 && text.charCodeAt(start + 1) === 111 && text.charCodeAt(start + 2) === 114) forKeywords.push(start);
        // Only words of the lengths of `const`, `constexpr`, `cublas…`, `enum`, `define`, `template`, `typedef`, `GemmShape`, `namespace`, `struct`, `class`, `union`, `using`.
        if (
          (c === 99 /* c */ && (length === 5 || length === 9 || (length >= 6 && text.startsWith('cublas', start)))) ||
          (c === 101 /* e */ && length === 4) ||
          (c === 100 /* d */ && length === 6) ||
          (c === 116 /* t */ && (length === 8 || length === 7)) ||
          (c === 71 /* G */ && length === 9) ||
          (c === 110 /* n */ && length === 9) ||
          (c === 115 /* s */ && length === 6) ||
          (c === 117 /* u */ && length === 5)
        ) {
          word ??= text.slice(start, i);
          if (word === 'namespace' || word === 'struct' || word === 'class' || word === 'union')
            definitionTokens.push({ token: 'scope', start, from: start, end: snippetEnd(text, start, '{;') });
          if (c === 99 && word.startsWith('cublas')) cublasIdentifiers.push({ name: word, start });
          if (word === 'const' || word === 'constexpr') {
            // `const float *A` (a pointer parameter) never defines a constant: skip it cheaply here.
            if (!isPointerDeclaration(text, i))
              definitionTokens.push({ token: word, start, from: snippetStart(text, start), end: snippetEnd(text, start, ';{)') });
          } else if (word === 'enum') definitionTokens.push({ token: word, start, from: start, end: snippetEnd(text, start, '};') });
          else if (word === 'typedef' || (word === 'using' && isAliasDeclaration(text, i)))
            definitionTokens.push({ token: word, start, from: start, end: snippetEnd(text, start, ';{') });
          else if (word === 'define' && /#\s*$/.test(text.slice(Math.max(0, start - 8), start))) {
            const hash = text.lastIndexOf('#', start);
            directiveEnd = snippetEnd(text, start, '\n');
            definitionTokens.push({ token: 'define', start: hash, from: hash, end: directiveEnd });
            const definition = readDefine(text, hash, directiveEnd, macros);
            if (definition && (definition.shape || macros.byName.has(definition.name))) {
              setMacro(macros, definition);
              macroDefinitions.push(definition);
            }
          } else if (word === 'template') {
            let j = i;
            while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
            if (text[j] !== '<') definitionTokens.push({ token: 'template', start, from: start, end: i });
          }
        }
        // A GemmShape's name comes from its statement (`using X = ...`, its place among Gemm<...> arguments).
        if (c === 71 && word === 'GemmShape') definitionTokens.push({ token: word, start, from: snippetStart(text, start), end: snippetEnd(text, start, ';') });
        // CUTLASS 3.x / CuTe: `using TileShape = Shape<_128, _256, _64>;` (static integers `_N` or `Int<N>`).
        if (c === 83 /* S */ && i - start === 5 && text.startsWith('Shape', start) && CUTE_STATIC_SHAPE.test(text.slice(i, i + 24)))
          definitionTokens.push({ token: 'GemmShape', start, from: snippetStart(text, start), end: snippetEnd(text, start, ';') });
        let j = i;
        while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
        // `name(` and a templated call `name<...>(` (a templated launcher, `launch<128, 64>(...)`).
        if (text.charCodeAt(j) === 40 /* ( */ || (text.charCodeAt(j) === 60 /* < */ && isTemplatedCall(text, j, n))) {
          word ??= text.slice(start, i);
          const list = callSites.get(word);
          if (list) list.push(start);
          else callSites.set(word, [start]);
        }
      }
      continue;
    }
    if (c === 60 /* < */ && text.charCodeAt(i + 1) === 60 && text.charCodeAt(i + 2) === 60) {
      pendingOpens.push(i);
      edits.push({ start: i, end: i + 3, replacement: '(' });
      i += 3;
      continue;
    }
    if (c === 62 && text.charCodeAt(i + 1) === 62 && text.charCodeAt(i + 2) === 62 && pendingOpens.length === 0) closedOutside = true;
    if (c === 62 /* > */ && text.charCodeAt(i + 1) === 62 && text.charCodeAt(i + 2) === 62 && pendingOpens.length > 0) {
      const open = pendingOpens.pop()!;
      launches.push({ open, close: i });
      edits.push({ start: i, end: i + 3, replacement: bracesFit(text, open, i) && setOpenReplacement(edits, open, '{') ? '  }' : '  )' });
      i += 3;
      continue;
    }
    i++;
  }
  // A statement macro's `)` edit was made before the edits of its arguments.
  if (unsorted) edits.sort((a, b) => a.start - b.start);
  return {
    edits,
    keywords,
    launches,
    pendingOpens,
    annotations,
    cublasIdentifiers,
    definitionTokens,
    callSites,
    forKeywords,
    regions,
    macroDefinitions,
    macroStatements,
    end: i,
    closedOutside,
  };
}

/**
 * Whether a launch `k<<<...>>>` may read as `k{...}` (a brace initialisation) rather than `k(...)`: the
 * C++ grammar then knows at once that `k<64, 64>` names a template, instead of also trying
 * `(k < 64), (64 > ...)` to the end of the statement (about half the parse time of such a launch).
 * Only for a launch within one statement, after a name or template arguments, with no braces,
 * semicolons or comments in its configuration; anything else keeps parentheses.
 */
function bracesFit(text: string, open: number, close: number): boolean {
  let before = open - 1;
  while (before >= 0 && (text.charCodeAt(before) === 32 || text.charCodeAt(before) === 9)) before--;
  const c = text.charCodeAt(before);
  const wordOrTemplate = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 62;
  if (!wordOrTemplate || close - open > 2000) return false;
  for (let i = open + 3; i < close; i++) {
    const ch = text.charCodeAt(i);
    // ; { } / " ' # \
    if (ch === 59 || ch === 123 || ch === 125 || ch === 47 || ch === 34 || ch === 39 || ch === 35 || ch === 92) return false;
  }
  return true;
}

/** Sets the replacement of the `<<<` edit at `open` (the latest edits come last); false if it is not there. */
function setOpenReplacement(edits: CudaScan['edits'], open: number, replacement: string): boolean {
  for (let k = edits.length - 1; k >= 0; k--) {
    if (edits[k]!.start === open) {
      edits[k]!.replacement = replacement;
      return true;
    }
    if (edits[k]!.start < open) return false;
  }
  return false;
}

/** The parsed text and records of a whole-text scan. */
function finishPreparation(text: string, scan: CudaScan): PreparedCuda {
  const { edits, keywords, launches, annotations, cublasIdentifiers, definitionTokens, callSites, forKeywords, regions, macroDefinitions, macroStatements } =
    scan;
  // An unmatched `<<<` keeps its text: turning it into `(` would unbalance the parentheses.
  const unmatchedLaunches = [...scan.pendingOpens];
  if (unmatchedLaunches.length > 0) {
    const unmatched = new Set(unmatchedLaunches);
    for (let k = edits.length - 1; k >= 0; k--) if (edits[k]!.replacement === '(' && unmatched.has(edits[k]!.start)) edits.splice(k, 1);
  }
  let parseText: string;
  if (edits.length === 0) parseText = text;
  else {
    const parts: string[] = [];
    let last = 0;
    for (const edit of edits) {
      parts.push(text.slice(last, edit.start));
      const length = edit.end - edit.start;
      if (edit.replacement !== '') parts.push(edit.replacement.padEnd(length, ' '));
      else {
        const original = text.slice(edit.start, edit.end);
        // Keep line breaks inside blanked spans (multi-line __launch_bounds__) so rows do not move.
        parts.push(original.includes('\n') || original.includes('\r') ? original.replace(/[^\n\r]/g, ' ') : ' '.repeat(length));
      }
      last = edit.end;
    }
    parts.push(text.slice(last));
    parseText = parts.join('');
  }
  launches.sort((a, b) => a.open - b.open);
  // Safety net for the same-length invariant every offset relies on (edits overlap only where a keyword's
  // arguments and a statement macro's parentheses pair differently, around a parenthesis in a string).
  if (parseText.length !== text.length) parseText = text;
  return {
    parseText,
    keywords,
    launches,
    annotations,
    unmatchedLaunches,
    cublasIdentifiers,
    definitionTokens,
    callSites,
    forKeywords,
    regions,
    macroDefinitions,
    macroStatements,
  };
}
