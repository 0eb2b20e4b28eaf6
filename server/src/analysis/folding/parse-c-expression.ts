// Parses the text of a C/C++ constant expression (a macro body, an initializer, a launch argument)
// into an Expr with ranges in the enclosing file. Never throws: unreadable parts become `unknown`,
// and nesting beyond MAX_EXPRESSION_DEPTH is cut off rather than recursing without bound.
import type { Range } from '../types';
import type { BinaryOperator, Expr } from './expression';

/** Deepest nesting (parentheses, unary chains, ternaries) parsed; deeper input becomes `unknown`. */
export const MAX_EXPRESSION_DEPTH = 200;

type TokenKind = 'number' | 'name' | 'punct' | 'string' | 'end';
interface Token { kind: TokenKind; text: string; start: number; end: number }

const PUNCTUATORS = ['<<=', '>>=', '...', '::', '->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '++', '--',
  '+=', '-=', '*=', '/=', '+', '-', '*', '/', '%', '<', '>', '&', '|', '^', '~', '!', '?', ':', '(', ')', '[', ']',
  '{', '}', ',', '.', ';', '=', '#'];

/** C binary operator precedence (C11 6.5, higher binds tighter). */
const PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '<=': 7, '>': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

/** Type names recognised in casts `(int)x` and functional casts `int(x)`. */
const CAST_TYPES = new Set(['int', 'unsigned', 'long', 'short', 'char', 'float', 'double', 'size_t', 'int32_t',
  'int64_t', 'uint32_t', 'uint64_t', 'signed', 'bool', 'half', '__half', '__nv_bfloat16']);

/** PUNCTUATORS grouped by first character, longest first (the order `find` must try them in). */
const PUNCTUATORS_BY_FIRST = new Map<number, string[]>();
for (const p of PUNCTUATORS) {
  const list = PUNCTUATORS_BY_FIRST.get(p.charCodeAt(0)) ?? [];
  list.push(p);
  PUNCTUATORS_BY_FIRST.set(p.charCodeAt(0), list);
}
for (const list of PUNCTUATORS_BY_FIRST.values()) list.sort((a, b) => b.length - a.length);

/** A `+`/`-` at `i` continues a pp-number after `p`/`P`, or after `e`/`E` unless the number is hexadecimal. */
function exponentSignAllowed(text: string, start: number, i: number): boolean {
  const prev = text.charCodeAt(i - 1);
  if (prev === 112 || prev === 80) return true;
  if (prev !== 101 && prev !== 69) return false;
  return !(i - start >= 2 && text.charCodeAt(start) === 48 && (text.charCodeAt(start + 1) === 120 || text.charCodeAt(start + 1) === 88));
}

function tokenize(text: string, base: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) { i++; continue; }
    if (c === 92 /* \ line continuation */) { i++; continue; }
    if (c === 47 && text.startsWith('//', i)) { const nl = text.indexOf('\n', i); i = nl < 0 ? n : nl; continue; }
    if (c === 47 && text.startsWith('/*', i)) { const close = text.indexOf('*/', i + 2); i = close < 0 ? n : close + 2; continue; }
    const start = i;
    if ((c >= 48 && c <= 57) || (c === 46 && i + 1 < n && /[0-9]/.test(text[i + 1]!))) {
      // pp-number (C11 6.4.8): digits, letters, dots, and exponent signs.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if ((d >= 48 && d <= 57) || (d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d === 95 || d === 46 || d === 39) i++;
        else if ((d === 43 || d === 45) && exponentSignAllowed(text, start, i)) i++;
        else break;
      }
      tokens.push({ kind: 'number', text: text.slice(start, i), start: base + start, end: base + i });
      continue;
    }
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if ((d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d === 95 || (d >= 48 && d <= 57) || d > 127) i++;
        else break;
      }
      tokens.push({ kind: 'name', text: text.slice(start, i), start: base + start, end: base + i });
      continue;
    }
    if (c === 34 || c === 39) {
      i++;
      while (i < n && text.charCodeAt(i) !== c) i += text.charCodeAt(i) === 92 ? 2 : 1;
      i = Math.min(n, i + 1);
      tokens.push({ kind: 'string', text: text.slice(start, i), start: base + start, end: base + i });
      continue;
    }
    const punct = PUNCTUATORS_BY_FIRST.get(c)?.find((p) => p.length === 1 || text.startsWith(p, i)) ?? text[i]!;
    i += punct.length;
    tokens.push({ kind: 'punct', text: punct, start: base + start, end: base + i });
  }
  tokens.push({ kind: 'end', text: '', start: base + n, end: base + n });
  return tokens;
}

function isDecimalDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return text.length > 0;
}

/** Reads a C integer or floating literal; integers beyond 2^53 become `too-large`. */
export function parseNumberLiteral(text: string, range: Range): Expr {
  // Common case first: a short plain decimal (no leading zero, no suffix) is exact as a Number.
  if (text.length <= 15 && (text.length === 1 || text.charCodeAt(0) !== 48) && isDecimalDigits(text)) {
    return { kind: 'number', value: Number(text), isFloat: false, range };
  }
  const clean = text.replace(/'/g, '');
  const intMatch = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(clean);
  if (intMatch) {
    let digits = intMatch[1]!;
    if (/^0[0-7]+$/.test(digits)) digits = '0o' + digits.slice(1);
    let big: bigint;
    try { big = BigInt(digits); } catch { return { kind: 'unknown', text, range, reason: 'unreadable number' }; }
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) return { kind: 'too-large', text, range };
    return { kind: 'number', value: Number(big), isFloat: false, range };
  }
  const floatText = clean.replace(/[fFlL]$/, '');
  const value = Number(floatText);
  if (floatText !== '' && Number.isFinite(value) && /^[0-9.]/.test(floatText)) return { kind: 'number', value, isFloat: true, range };
  return { kind: 'unknown', text, range, reason: 'unreadable number' };
}

class ExpressionParser {
  private position = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[], private readonly source: string, private readonly base: number) {}

  private peek(offset = 0): Token { return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)]!; }
  private next(): Token { const token = this.peek(); if (token.kind !== 'end') this.position++; return token; }
  private is(text: string, offset = 0): boolean { const t = this.peek(offset); return t.kind === 'punct' && t.text === text; }
  private textOf(start: number, end: number): string { return this.source.slice(start - this.base, end - this.base); }
  get atEnd(): boolean { return this.peek().kind === 'end'; }

  private unknown(start: number, reason: string): Expr {
    const end = Math.max(start, this.peek().start);
    return { kind: 'unknown', text: this.textOf(start, end), range: { start, end }, reason };
  }

  /** Skips to the end of the current nesting level, used when the depth cap is hit. */
  private skipBalanced(): void {
    let level = 0;
    while (!this.atEnd) {
      const t = this.peek();
      if (t.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) level++;
      if (t.kind === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}')) {
        if (level === 0) return;
        level--;
      }
      if (level === 0 && t.kind === 'punct' && (t.text === ',' || t.text === ';')) return;
      this.next();
    }
  }

  parseExpression(): Expr {
    const start = this.peek().start;
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      this.skipBalanced();
      this.depth--;
      return this.unknown(start, 'nested too deeply');
    }
    try {
      const condition = this.parseBinary(1);
      if (this.is('?')) {
        this.next();
        const then = this.parseExpression();
        if (this.is(':')) this.next();
        const otherwise = this.parseExpression();
        return { kind: 'ternary', condition, then, otherwise, range: { start, end: otherwise.range.end } };
      }
      return condition;
    } finally {
      this.depth--;
    }
  }

  private parseBinary(minPrecedence: number): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      const precedence = t.kind === 'punct' ? PRECEDENCE[t.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) return left;
      this.next();
      const right = this.parseBinary(precedence + 1);
      left = { kind: 'binary', op: t.text as BinaryOperator, left, right, range: { start: left.range.start, end: right.range.end } };
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'punct' && (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '!')) {
      this.next();
      if (++this.depth > MAX_EXPRESSION_DEPTH) {
        this.skipBalanced();
        this.depth--;
        return this.unknown(t.start, 'nested too deeply');
      }
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'unary', op: t.text, operand, range: { start: t.start, end: operand.range.end } };
    }
    if (t.kind === 'name' && t.text === 'sizeof') return this.parseSizeof();
    if (t.kind === 'name' && /^(static_cast|reinterpret_cast|const_cast)$/.test(t.text) && this.is('<', 1)) {
      this.next(); this.next();
      const typeStart = this.peek().start;
      while (!this.atEnd && !this.is('>')) this.next();
      const typeName = this.textOf(typeStart, this.peek().start).trim();
      this.next();
      const operand = this.parsePostfix();
      return { kind: 'cast', typeName, operand, range: { start: t.start, end: operand.range.end } };
    }
    // C-style cast: `(int)x`, `(unsigned long)x`.
    if (this.is('(') && this.peek(1).kind === 'name' && CAST_TYPES.has(this.peek(1).text)) {
      let offset = 1;
      while (this.peek(offset).kind === 'name' && CAST_TYPES.has(this.peek(offset).text)) offset++;
      if (this.is(')', offset)) {
        const typeName = this.tokens.slice(this.position + 1, this.position + offset).map((x) => x.text).join(' ');
        for (let i = 0; i <= offset; i++) this.next();
        const operand = this.parseUnary();
        return { kind: 'cast', typeName, operand, range: { start: t.start, end: operand.range.end } };
      }
    }
    return this.parsePostfix();
  }

  private parseSizeof(): Expr {
    const keyword = this.next();
    if (this.is('(')) {
      this.next(); // (
      const typeStart = this.peek().start;
      let level = 0;
      while (!this.atEnd && !(level === 0 && this.is(')'))) {
        if (this.is('(')) level++;
        if (this.is(')')) level--;
        this.next();
      }
      const typeName = this.textOf(typeStart, this.peek().start).trim();
      const close = this.next();
      return { kind: 'sizeof', typeName, range: { start: keyword.start, end: close.end } };
    }
    const operand = this.parseUnary();
    return { kind: 'sizeof', typeName: operand.kind === 'name' ? operand.name : '', range: { start: keyword.start, end: operand.range.end } };
  }

  private parseArguments(): Expr[] {
    const args: Expr[] = [];
    this.next(); // (
    while (!this.atEnd && !this.is(')')) {
      args.push(this.parseExpression());
      if (this.is(',')) this.next();
      else if (!this.is(')')) { this.skipBalanced(); if (this.is(',')) this.next(); else break; }
    }
    if (this.is(')')) this.next();
    return args;
  }

  /** Skips `<...>` after a callee when it is followed by `(`, as in `std::min<int>(a, b)`. */
  private skipTemplateArguments(): void {
    if (!this.is('<')) return;
    let offset = 1;
    let level = 1;
    while (offset < 64) {
      const t = this.peek(offset);
      if (t.kind === 'end') return;
      if (t.kind === 'punct' && t.text === '<') level++;
      if (t.kind === 'punct' && t.text === '>') level--;
      if (t.kind === 'punct' && t.text === '>>') level -= 2;
      if (level <= 0) break;
      if (t.kind === 'punct' && ![',', '::', '*'].includes(t.text)) return;
      offset++;
    }
    if (level === 0 && this.is('(', offset + 1)) for (let i = 0; i <= offset; i++) this.next();
  }

  private parsePostfix(): Expr {
    let expr = this.parsePrimary();
    for (;;) {
      if (this.is('(') ) {
        const start = expr.range.start;
        const callee = expr.kind === 'name' ? expr.name : null;
        const args = this.parseArguments();
        const end = this.tokens[this.position - 1]!.end;
        if (callee !== null && CAST_TYPES.has(callee) && args.length === 1) expr = { kind: 'cast', typeName: callee, operand: args[0]!, range: { start, end } };
        else if (callee !== null) expr = { kind: 'call', callee, args, range: { start, end } };
        else expr = { kind: 'unknown', text: this.textOf(start, end), range: { start, end }, reason: 'call of an expression' };
      } else if ((this.is('.') || this.is('->')) && this.peek(1).kind === 'name' && expr.kind === 'name') {
        this.next();
        const member = this.next();
        expr = { kind: 'name', name: `${expr.name}.${member.text}`, range: { start: expr.range.start, end: member.end } };
      } else if (this.is('[')) {
        const start = expr.range.start;
        this.next();
        this.skipBalanced();
        if (this.is(']')) this.next();
        const end = this.tokens[this.position - 1]!.end;
        expr = { kind: 'unknown', text: this.textOf(start, end), range: { start, end }, reason: 'array element' };
      } else if (this.is('++') || this.is('--')) {
        const t = this.next();
        expr = { kind: 'unknown', text: this.textOf(expr.range.start, t.end), range: { start: expr.range.start, end: t.end }, reason: 'side effect' };
      } else return expr;
    }
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    if (t.kind === 'number') {
      this.next();
      return parseNumberLiteral(t.text, { start: t.start, end: t.end });
    }
    if (t.kind === 'name' || (t.kind === 'punct' && t.text === '::' && this.peek(1).kind === 'name')) {
      let name = '';
      const start = t.start;
      if (this.is('::')) this.next();
      name = this.next().text;
      let end = this.tokens[this.position - 1]!.end;
      while (this.is('::') && this.peek(1).kind === 'name') {
        this.next();
        name += '::' + this.next().text;
        end = this.tokens[this.position - 1]!.end;
      }
      if (name === 'true' || name === 'false') return { kind: 'number', value: name === 'true' ? 1 : 0, isFloat: false, range: { start, end } };
      this.skipTemplateArguments();
      return { kind: 'name', name, range: { start, end } };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.next();
      const inner = this.parseExpression();
      // A comma expression `(a, b)` yields its last operand (C11 6.5.17).
      let result = inner;
      while (this.is(',')) { this.next(); result = this.parseExpression(); }
      const close = this.is(')') ? this.next() : this.peek();
      if (result.kind === 'unknown' && result.reason === 'nested too deeply') return result;
      return { ...result, range: { start: t.start, end: Math.max(close.end, result.range.end) } } as Expr;
    }
    this.next();
    return { kind: 'unknown', text: t.text, range: { start: t.start, end: t.end }, reason: t.kind === 'end' ? 'empty expression' : `unexpected ${t.text}` };
  }
}

/**
 * Parses `text` (which sits at offset `base` of the file) as one C expression. Trailing tokens that
 * are not part of the expression make the result `unknown`, so `16; int x` is never folded to 16.
 */
export function parseCExpression(text: string, base = 0): Expr {
  const tokens = tokenize(text, base);
  const parser = new ExpressionParser(tokens, text, base);
  const expr = parser.parseExpression();
  if (!parser.atEnd) {
    const start = tokens[0]!.start;
    const end = tokens[tokens.length - 1]!.end;
    return { kind: 'unknown', text: text.trim(), range: { start, end }, reason: 'not a single expression' };
  }
  return expr;
}
