// Character classes for the hand-written scanners of the CUDA analysis (prepare.ts and the *-text.ts
// readers), over UTF-16 code units. ASCII only unless the name says otherwise. Pure; no state.

/** `[A-Za-z_]`. */
export function isIdentifierStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** `[A-Za-z0-9_]`, JavaScript's `\w`. */
export function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || (c >= 48 && c <= 57);
}

/** Space, tab, line feed, vertical tab, form feed, carriage return. */
export function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** JavaScript's `\s`: ASCII white space, NBSP, the Unicode space separators, line/paragraph separators, BOM. */
export function isJsSpace(c: number): boolean {
  if (c <= 32) return isAsciiSpace(c);
  if (c < 160) return false;
  return c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 || c === 12288 || c === 65279;
}
