// Parses the text of a C/C++ constant expression (a macro body, an initializer, a launch argument)
// into an Expr with ranges in the enclosing file. Never throws: unreadable parts become `unknown`,
// and nesting beyond MAX_EXPRESSION_DEPTH is cut off rather than recursing without bound.
import type { BinaryOperator, Expr, UnaryOperator } from './expression';
import { ALTERNATIVE_TOKENS, identifierEnd, isIdentifierStart, isSpace } from './c-lexemes';
import { parseNumberLiteral } from './number-literal';

export { parseNumberLiteral };

/** Deepest nesting (parentheses, unary chains, ternaries) parsed; deeper input becomes `unknown`. */
export const MAX_EXPRESSION_DEPTH = 200;
/** Longest text parsed, in characters; longer is `unknown` unread (a pasted 1 MB `a+a+...` line made a `dim3` initialiser took ~1 s). */
export const MAX_EXPRESSION_CHARS = 16_384;
export const TOO_LONG = 'expression too long to fold';

// Tokens live in parallel arrays shared by every parse rather than one object per token: thousands
// of expressions are parsed per analysis and token objects were the folding code's largest
// allocation. A parse never starts another parse before it finishes (the evaluator parses macro
// bodies only between parses), so one set of arrays is enough.
const NUMBER = 0;
const NAME = 1;
const PUNCT = 2;
const STRING = 3;
const END = 4;
const tokenKinds: number[] = [];
const tokenTexts: string[] = [];
const tokenStarts: number[] = [];
const tokenEnds: number[] = [];
let tokenCount = 0;
/** Token arrays longer than this are dropped after a parse, so one huge input does not stay allocated. */
const KEPT_TOKENS = 4096;

/** C binary operator precedence (C11 6.5, higher binds tighter); 0 for anything else. */
function precedenceOf(op: string): number {
  switch (op) {
    case '||':
      return 1;
    case '&&':
      return 2;
    case '|':
      return 3;
    case '^':
      return 4;
    case '&':
      return 5;
    case '==':
    case '!=':
      return 6;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return 7;
    case '<<':
    case '>>':
      return 8;
    case '+':
    case '-':
      return 9;
    case '*':
    case '/':
    case '%':
      return 10;
  }
  return 0;
}

/** Type names recognised in casts `(int)x` and functional casts `int(x)`. */
const CAST_TYPES = new Set([
  'int',
  'unsigned',
  'long',
  'short',
  'char',
  'float',
  'double',
  'size_t',
  'int32_t',
  'int64_t',
  'uint32_t',
  'uint64_t',
  'signed',
  'bool',
  'half',
  '__half',
  '__nv_bfloat16',
]);

/** A `+`/`-` at `i` continues a pp-number after `p`/`P`, or after `e`/`E` unless the number is hexadecimal. */
function exponentSignAllowed(text: string, start: number, i: number): boolean {
  const prev = text.charCodeAt(i - 1);
  if (prev === 112 || prev === 80) return true;
  if (prev !== 101 && prev !== 69) return false;
  return !(i - start >= 2 && text.charCodeAt(start) === 48 && (text.charCodeAt(start + 1) === 120 || text.charCodeAt(start + 1) === 88));
}

/**
 * The C punctuator at `i` (first code unit `c`), longest match first (`<<=` before `<<` before `<`).
 * Any other character is a one-character token of its own.
 */
function punctuatorAt(text: string, i: number, c: number): string {
  const d = text.charCodeAt(i + 1);
  switch (c) {
    case 60:
      return d === 60 ? (text.charCodeAt(i + 2) === 61 ? '<<=' : '<<') : d === 61 ? '<=' : '<';
    case 62:
      return d === 62 ? (text.charCodeAt(i + 2) === 61 ? '>>=' : '>>') : d === 61 ? '>=' : '>';
    case 46:
      return d === 46 && text.charCodeAt(i + 2) === 46 ? '...' : '.';
    case 58:
      return d === 58 ? '::' : ':';
    case 45:
      return d === 62 ? '->' : d === 45 ? '--' : d === 61 ? '-=' : '-';
    case 43:
      return d === 43 ? '++' : d === 61 ? '+=' : '+';
    case 61:
      return d === 61 ? '==' : '=';
    case 33:
      return d === 61 ? '!=' : '!';
    case 38:
      return d === 38 ? '&&' : '&';
    case 124:
      return d === 124 ? '||' : '|';
    case 42:
      return d === 61 ? '*=' : '*';
    case 47:
      return d === 61 ? '/=' : '/';
    case 37:
      return '%';
    case 94:
      return '^';
    case 126:
      return '~';
    case 63:
      return '?';
    case 40:
      return '(';
    case 41:
      return ')';
    case 91:
      return '[';
    case 93:
      return ']';
    case 123:
      return '{';
    case 125:
      return '}';
    case 44:
      return ',';
    case 59:
      return ';';
    case 35:
      return '#';
  }
  return text[i]!;
}

function pushToken(kind: number, text: string, start: number, end: number): void {
  tokenKinds[tokenCount] = kind;
  tokenTexts[tokenCount] = text;
  tokenStarts[tokenCount] = start;
  tokenEnds[tokenCount] = end;
  tokenCount++;
}

/** Fills the token arrays from `text`, closing them with an END token at the text's end. */
function tokenize(text: string, base: number): void {
  tokenCount = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 92 /* \ line continuation */) {
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    const start = i;
    const after = text.charCodeAt(i + 1);
    if ((c >= 48 && c <= 57) || (c === 46 && after >= 48 && after <= 57)) {
      // pp-number (C11 6.4.8): digits, letters, dots, and exponent signs.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if ((d >= 48 && d <= 57) || (d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d === 95 || d === 46 || d === 39) i++;
        else if ((d === 43 || d === 45) && exponentSignAllowed(text, start, i)) i++;
        else break;
      }
      pushToken(NUMBER, text.slice(start, i), base + start, base + i);
      continue;
    }
    if (isIdentifierStart(c)) {
      i = identifierEnd(text, i + 1);
      const word = text.slice(start, i);
      // C++'s alternative tokens (`M >= 128 and N >= 128`) are their operators.
      const alternative = ALTERNATIVE_TOKENS[word];
      pushToken(alternative ? PUNCT : NAME, alternative ?? word, base + start, base + i);
      continue;
    }
    if (c === 34 || c === 39) {
      i++;
      while (i < n && text.charCodeAt(i) !== c) i += text.charCodeAt(i) === 92 ? 2 : 1;
      i = Math.min(n, i + 1);
      pushToken(STRING, text.slice(start, i), base + start, base + i);
      continue;
    }
    const punct = punctuatorAt(text, i, c);
    i += punct.length;
    pushToken(PUNCT, punct, base + start, base + i);
  }
  pushToken(END, '', base + n, base + n);
}

/**
 * The Expr for a text that is one plain decimal literal or one identifier between spaces (most
 * macro bodies and launch arguments), read without tokenizing; null for anything else. Names the
 * parser reads specially (`sizeof`, `true`, `false`) are left to it.
 */
function parseSimple(text: string, base: number): Expr | null {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i === n) return null;
  const start = i;
  const c = text.charCodeAt(i);
  let isNumber: boolean;
  if (c >= 48 && c <= 57) {
    i++;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d >= 48 && d <= 57) i++;
      else break;
    }
    // A leading zero (octal) or more than 15 digits (maybe beyond 2^53) takes the general path.
    if (i - start > 15 || (c === 48 && i - start > 1)) return null;
    isNumber = true;
  } else if (isIdentifierStart(c)) {
    i = identifierEnd(text, i + 1);
    isNumber = false;
  } else return null;
  const end = i;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  // Anything after the token (even a suffix like `u` or `.5`) goes to the tokenizer.
  if (i !== n || (end < n && !isSpace(text.charCodeAt(end)))) return null;
  const word = text.slice(start, end);
  const range = { start: base + start, end: base + end };
  if (isNumber) return { kind: 'number', value: Number(word), isFloat: false, range };
  if (word === 'sizeof' || word === 'true' || word === 'false') return null;
  return { kind: 'name', name: word, range };
}

class ExpressionParser {
  private position = 0;
  private depth = 0;
  constructor(
    private readonly source: string,
    private readonly base: number,
  ) {}

  /** Index of the token `offset` ahead, clamped to the END token. */
  private at(offset = 0): number {
    return Math.min(this.position + offset, tokenCount - 1);
  }
  private kindAt(offset = 0): number {
    return tokenKinds[this.at(offset)]!;
  }
  private textAt(offset = 0): string {
    return tokenTexts[this.at(offset)]!;
  }
  private startAt(offset = 0): number {
    return tokenStarts[this.at(offset)]!;
  }
  /** Consumes the current token (never the END token) and returns its index. */
  private next(): number {
    const index = this.at();
    if (tokenKinds[index] !== END) this.position++;
    return index;
  }
  private is(text: string, offset = 0): boolean {
    const index = this.at(offset);
    return tokenKinds[index] === PUNCT && tokenTexts[index] === text;
  }
  private textOf(start: number, end: number): string {
    return this.source.slice(start - this.base, end - this.base);
  }
  /** End offset of the last consumed token. */
  private get previousEnd(): number {
    return tokenEnds[this.position - 1]!;
  }
  get atEnd(): boolean {
    return this.kindAt() === END;
  }

  private unknown(start: number, reason: string): Expr {
    const end = Math.max(start, this.startAt());
    return { kind: 'unknown', text: this.textOf(start, end), range: { start, end }, reason };
  }

  /** Skips to the end of the current nesting level, used when the depth cap is hit. */
  private skipBalanced(): void {
    let level = 0;
    while (!this.atEnd) {
      if (this.kindAt() === PUNCT) {
        const text = this.textAt();
        if (text === '(' || text === '[' || text === '{') level++;
        if (text === ')' || text === ']' || text === '}') {
          if (level === 0) return;
          level--;
        }
        if (level === 0 && (text === ',' || text === ';')) return;
      }
      this.next();
    }
  }

  parseExpression(): Expr {
    const start = this.startAt();
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      this.skipBalanced();
      this.depth--;
      return this.unknown(start, 'nested too deeply');
    }
    const condition = this.parseBinary(1);
    let result = condition;
    if (this.is('?')) {
      this.next();
      const then = this.parseExpression();
      if (this.is(':')) this.next();
      const otherwise = this.parseExpression();
      result = { kind: 'ternary', condition, then, otherwise, range: { start, end: otherwise.range.end } };
    }
    this.depth--;
    return result;
  }

  private parseBinary(minPrecedence: number): Expr {
    let left = this.parseUnary();
    for (;;) {
      const precedence = this.kindAt() === PUNCT ? precedenceOf(this.textAt()) : 0;
      if (precedence < minPrecedence) return left;
      const op = tokenTexts[this.next()] as BinaryOperator;
      const right = this.parseBinary(precedence + 1);
      left = { kind: 'binary', op, left, right, range: { start: left.range.start, end: right.range.end } };
    }
  }

  private parseUnary(): Expr {
    const kind = this.kindAt();
    const text = this.textAt();
    const start = this.startAt();
    if (kind === PUNCT && (text === '-' || text === '+' || text === '~' || text === '!')) {
      this.next();
      if (++this.depth > MAX_EXPRESSION_DEPTH) {
        this.skipBalanced();
        this.depth--;
        return this.unknown(start, 'nested too deeply');
      }
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'unary', op: text as UnaryOperator, operand, range: { start, end: operand.range.end } };
    }
    if (kind === NAME && text === 'sizeof') return this.parseSizeof();
    if (kind === NAME && (text === 'static_cast' || text === 'reinterpret_cast' || text === 'const_cast') && this.is('<', 1)) {
      this.next();
      this.next();
      const typeStart = this.startAt();
      while (!this.atEnd && !this.is('>')) this.next();
      const typeName = this.textOf(typeStart, this.startAt()).trim();
      this.next();
      const operand = this.parsePostfix();
      return { kind: 'cast', typeName, operand, range: { start, end: operand.range.end } };
    }
    // C-style cast: `(int)x`, `(unsigned long)x`.
    if (kind === PUNCT && text === '(' && this.kindAt(1) === NAME && CAST_TYPES.has(this.textAt(1))) {
      let offset = 1;
      while (this.kindAt(offset) === NAME && CAST_TYPES.has(this.textAt(offset))) offset++;
      if (this.is(')', offset)) {
        let typeName = this.textAt(1);
        for (let i = 2; i < offset; i++) typeName += ' ' + this.textAt(i);
        this.position += offset + 1; // the words and `)` exist, so no clamping is needed
        const operand = this.parseUnary();
        return { kind: 'cast', typeName, operand, range: { start, end: operand.range.end } };
      }
    }
    return this.parsePostfix();
  }

  private parseSizeof(): Expr {
    const start = tokenStarts[this.next()]!;
    if (this.is('(')) {
      this.next(); // (
      const typeStart = this.startAt();
      let level = 0;
      while (!this.atEnd && !(level === 0 && this.is(')'))) {
        if (this.is('(')) level++;
        if (this.is(')')) level--;
        this.next();
      }
      const typeName = this.textOf(typeStart, this.startAt()).trim();
      const end = tokenEnds[this.next()]!;
      return { kind: 'sizeof', typeName, range: { start, end } };
    }
    const operand = this.parseUnary();
    return { kind: 'sizeof', typeName: operand.kind === 'name' ? operand.name : '', range: { start, end: operand.range.end } };
  }

  private parseArguments(): Expr[] {
    const args: Expr[] = [];
    this.next(); // (
    while (!this.atEnd && !this.is(')')) {
      args.push(this.parseExpression());
      if (this.is(',')) this.next();
      else if (!this.is(')')) {
        this.skipBalanced();
        if (this.is(',')) this.next();
        else break;
      }
    }
    if (this.is(')')) this.next();
    return args;
  }

  /** The offset of the `>` closing template arguments that start here (`<int, 4>`), or -1. */
  private templateArgumentsEnd(): number {
    if (!this.is('<')) return -1;
    let offset = 1;
    let level = 1;
    while (offset < 64) {
      const kind = this.kindAt(offset);
      if (kind === END) return -1;
      if (kind === PUNCT) {
        const text = this.textAt(offset);
        if (text === '<') level++;
        if (text === '>') level--;
        if (text === '>>') level -= 2;
        if (level <= 0) break;
        if (text !== ',' && text !== '::' && text !== '*') return -1;
      }
      offset++;
    }
    return level === 0 ? offset : -1;
  }

  /** Skips `<...>` after a callee when it is followed by `(`, as in `std::min<int>(a, b)`; returns their text. */
  private skipTemplateArguments(): { text: string; start: number } | undefined {
    const offset = this.templateArgumentsEnd();
    if (offset < 0 || !this.is('(', offset + 1)) return;
    const [start, end] = [this.startAt(1), this.startAt(offset)];
    for (let i = 0; i <= offset; i++) this.next();
    return this.is('>', -1) ? { text: this.textOf(start, end), start } : undefined;
  }

  /**
   * Skips `<...>::name` (`::name` repeated) after a name: a member of a class template's instance
   * (`traits<type>::qk`). Read as comparisons, `(traits < type) > ::qk` named `qk` itself, so
   * `constexpr int qk = traits<type>::qk;` was a recursive definition. Returns the end offset, or -1.
   */
  private skipTemplateMember(): number {
    const offset = this.templateArgumentsEnd();
    if (offset < 0 || !this.is('::', offset + 1) || this.kindAt(offset + 2) !== NAME) return -1;
    for (let i = 0; i <= offset; i++) this.next();
    while (this.is('::') && this.kindAt(1) === NAME) {
      this.next();
      this.next();
    }
    return this.previousEnd;
  }

  private parsePostfix(): Expr {
    let expr = this.parsePrimary();
    for (;;) {
      if (this.is('(')) {
        const start = expr.range.start;
        const callee = expr.kind === 'name' ? expr.name : null;
        const args = this.parseArguments();
        const end = this.previousEnd;
        if (callee !== null && CAST_TYPES.has(callee) && args.length === 1) expr = { kind: 'cast', typeName: callee, operand: args[0]!, range: { start, end } };
        else if (callee !== null)
          expr = { kind: 'call', callee, args, range: { start, end }, ...(expr.kind === 'name' && expr.template ? { template: expr.template } : {}) };
        else expr = { kind: 'unknown', text: this.textOf(start, end), range: { start, end }, reason: 'call of an expression' };
      } else if ((this.is('.') || this.is('->')) && this.kindAt(1) === NAME && expr.kind === 'name') {
        this.next();
        const member = this.next();
        expr = { kind: 'name', name: `${expr.name}.${tokenTexts[member]!}`, range: { start: expr.range.start, end: tokenEnds[member]! } };
      } else if (this.is('[')) {
        const start = expr.range.start;
        this.next();
        this.skipBalanced();
        if (this.is(']')) this.next();
        const end = this.previousEnd;
        expr = { kind: 'unknown', text: this.textOf(start, end), range: { start, end }, reason: 'array element' };
      } else if (this.is('++') || this.is('--')) {
        const end = tokenEnds[this.next()]!;
        expr = { kind: 'unknown', text: this.textOf(expr.range.start, end), range: { start: expr.range.start, end }, reason: 'side effect' };
      } else return expr;
    }
  }

  private parsePrimary(): Expr {
    const kind = this.kindAt();
    const text = this.textAt();
    const start = this.startAt();
    if (kind === NUMBER) {
      const end = tokenEnds[this.next()]!;
      return parseNumberLiteral(text, { start, end });
    }
    if (kind === NAME || (kind === PUNCT && text === '::' && this.kindAt(1) === NAME)) {
      if (kind === PUNCT) this.next();
      let name = tokenTexts[this.next()]!;
      let end = this.previousEnd;
      while (this.is('::') && this.kindAt(1) === NAME) {
        this.next();
        name += '::' + tokenTexts[this.next()]!;
        end = this.previousEnd;
      }
      if (name === 'true' || name === 'false') return { kind: 'number', value: name === 'true' ? 1 : 0, isFloat: false, range: { start, end } };
      const memberEnd = this.skipTemplateMember();
      if (memberEnd >= 0)
        return { kind: 'unknown', text: this.textOf(start, memberEnd), range: { start, end: memberEnd }, reason: 'member of a class template' };
      const template = this.skipTemplateArguments();
      return template ? { kind: 'name', name, range: { start, end }, template } : { kind: 'name', name, range: { start, end } };
    }
    if (kind === PUNCT && text === '(') {
      this.next();
      const inner = this.parseExpression();
      // A comma expression `(a, b)` yields its last operand (C11 6.5.17).
      let result = inner;
      while (this.is(',')) {
        this.next();
        result = this.parseExpression();
      }
      const closeEnd = tokenEnds[this.is(')') ? this.next() : this.at()]!;
      if (result.kind === 'unknown' && result.reason === 'nested too deeply') return result;
      return { ...result, range: { start, end: Math.max(closeEnd, result.range.end) } } as Expr;
    }
    const end = tokenEnds[this.next()]!;
    return { kind: 'unknown', text, range: { start, end }, reason: kind === END ? 'empty expression' : `unexpected ${text}` };
  }
}

/**
 * Parses `text` (which sits at offset `base` of the file) as one C expression. Trailing tokens that
 * are not part of the expression make the result `unknown`, so `16; int x` is never folded to 16.
 */
export function parseCExpression(text: string, base = 0): Expr {
  if (text.length > MAX_EXPRESSION_CHARS) {
    const [trimmed, start] = [text.trim(), base + text.length - text.trimStart().length];
    return { kind: 'unknown', text: trimmed, range: { start, end: start + trimmed.length }, reason: `${TOO_LONG} (${text.length} characters)` };
  }
  const simple = parseSimple(text, base);
  if (simple !== null) return simple;
  tokenize(text, base);
  const parser = new ExpressionParser(text, base);
  let expr = parser.parseExpression();
  if (!parser.atEnd) {
    const start = tokenStarts[0]!;
    const end = tokenEnds[tokenCount - 1]!;
    expr = { kind: 'unknown', text: text.trim(), range: { start, end }, reason: 'not a single expression' };
  }
  if (tokenCount > KEPT_TOKENS) {
    tokenKinds.length = 0;
    tokenTexts.length = 0;
    tokenStarts.length = 0;
    tokenEnds.length = 0;
  }
  return expr;
}
