// Reads a C integer or floating literal (`0x1F`, `0b101`, `017`, `1'024`, `16u`, `2.5f`) into a number Expr;
// integers beyond 2^53 are `too-large`. Pure; split out of parse-c-expression.ts, which uses it.
import type { Range } from '../types';
import type { Expr } from './expression';

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
    try {
      big = BigInt(digits);
    } catch {
      return { kind: 'unknown', text, range, reason: 'unreadable number' };
    }
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) return { kind: 'too-large', text, range };
    return { kind: 'number', value: Number(big), isFloat: false, range };
  }
  const floatText = clean.replace(/[fFlL]$/, '');
  const value = Number(floatText);
  if (floatText !== '' && Number.isFinite(value) && /^[0-9.]/.test(floatText)) return { kind: 'number', value, isFloat: true, range };
  return { kind: 'unknown', text, range, reason: 'unreadable number' };
}
