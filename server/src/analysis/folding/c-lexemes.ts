// Character classes and words of the C/C++ lexer that parse-c-expression.ts tokenizes with: white space,
// identifier characters, and the alternative tokens (`and`, `or`, ...) that spell operators. Pure.

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

export function isIdentifierStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

/** C++ alternative tokens ([lex.digraph]) that may appear in a folded expression, and the operators they spell. */
export const ALTERNATIVE_TOKENS: Record<string, string | undefined> = {
  and: '&&',
  or: '||',
  not: '!',
  bitand: '&',
  bitor: '|',
  xor: '^',
  compl: '~',
  not_eq: '!=',
};

/** Index just past the identifier characters from `i` on. */
export function identifierEnd(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const d = text.charCodeAt(i);
    if ((d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d === 95 || (d >= 48 && d <= 57) || d > 127) i++;
    else break;
  }
  return i;
}
