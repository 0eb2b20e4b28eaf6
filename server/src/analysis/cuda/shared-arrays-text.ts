// Reads the common shared-array declaration `__shared__ float As[TILE][TILE + 1];` from the parsed
// text (CUDA keywords blanked) without the tree. Anything else (qualifiers, `extern`, several
// declarators, initialisers, templates, comments) gives null, and kernels.ts reads the tree instead,
// so what this returns is what the tree would have given. Pure; never throws.

/** What sharedArraysOf needs from one declaration. */
export interface SharedDeclarationText {
  /** Start of the declaration (its type): the key that keeps a declaration from being read twice. */
  start: number;
  elementType: string;
  name: string;
  /** Each `[...]`'s contents (trimmed offsets), or null for `[]`. */
  dims: Array<{ start: number; end: number } | null>;
  range: { start: number; end: number };
}

/** Words that make the type more than one plain type name. */
const NOT_A_PLAIN_TYPE = /^(?:const|volatile|static|extern|register|unsigned|signed|long|short|struct|class|union|enum|typename|alignas|auto)$/;
const DECLARATION = /\s*([A-Za-z_][\w:]*)\s+([A-Za-z_]\w*)\s*((?:\[[^\][;{}()'"/<>=]*\]\s*)+);/y;

/** The declaration whose `__shared__` keyword spans [keywordStart, keywordEnd), or null when unsure. */
export function readSharedDeclaration(parseText: string, keywordStart: number, keywordEnd: number): SharedDeclarationText | null {
  // Only whitespace (blanked keywords) between the previous statement and the keyword.
  for (let i = keywordStart - 1; i >= 0; i--) {
    const c = parseText[i]!;
    if (c === ';' || c === '{' || c === '}') break;
    if (!/\s/.test(c)) return null;
    if (i === 0) return null;
  }
  DECLARATION.lastIndex = keywordEnd;
  const match = DECLARATION.exec(parseText);
  if (!match) return null;
  const elementType = match[1]!;
  const name = match[2]!;
  if (NOT_A_PLAIN_TYPE.test(elementType) || NOT_A_PLAIN_TYPE.test(name) || elementType.endsWith(':')) return null;
  const typeStart = keywordEnd + match[0].indexOf(elementType);
  const nameStart = parseText.indexOf(name, typeStart + elementType.length);
  const dimsStart = parseText.indexOf('[', nameStart + name.length);
  const dims: Array<{ start: number; end: number } | null> = [];
  let i = dimsStart;
  let end = dimsStart;
  while (parseText[i] === '[') {
    const close = parseText.indexOf(']', i);
    const raw = parseText.slice(i + 1, close);
    const trimmed = raw.trim();
    const start = i + 1 + (raw.length - raw.trimStart().length);
    dims.push(trimmed ? { start, end: start + trimmed.length } : null);
    end = close + 1;
    i = close + 1;
    while (/\s/.test(parseText[i] ?? '')) i++;
  }
  return { start: typeStart, elementType, name, dims, range: { start: nameStart, end } };
}
