// `const int M = 512, N = 256;` / `constexpr int BK = 8;` read from the text, with the ranges
// tree-sitter's `declaration` gives. Only the plainest shape is read (a file with no class, struct or
// union anywhere; the qualifier first in its statement; one keyword type; `name = value` declarators
// whose values hold only names, numbers, parentheses and arithmetic); anything else returns null and
// the tree is read as before.

/** A const/constexpr declaration read from text: one entry per `name = value` declarator. */
export interface TextConst {
  type: 'text_const';
  startIndex: number;
  endIndex: number;
  qualifier: 'const' | 'constexpr';
  typeText: string;
  declarators: Array<{ name: string; valueStart: number; valueText: string }>;
}

const PLAIN_TYPES = new Set(['int', 'unsigned', 'long', 'short', 'char', 'bool', 'float', 'double', 'size_t',
  'int32_t', 'int64_t', 'uint32_t', 'uint64_t', 'auto']);

const HEAD = /(const|constexpr)[ \t]+([A-Za-z_]\w*)[ \t]+/y;
const DECLARATOR = /([A-Za-z_]\w*)[ \t]*=[ \t]*/y;

/** Whether the file may hold class, struct or union bodies (where const declarations are fields). */
export function mayHoldRecords(text: string): boolean {
  return /\b(?:class|struct|union)\b/.test(text);
}

/** The statement before `start` has ended: `;`, `{`, `}`, a preprocessor line, or the start of the file. */
function startsStatement(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i--;
  if (i < 0) return true;
  const c = text[i];
  if (c === ';' || c === '{' || c === '}') return true;
  if (c === '\\') return false;
  const lineStart = text.lastIndexOf('\n', i) + 1;
  let j = lineStart;
  while (j < i && (text[j] === ' ' || text[j] === '\t')) j++;
  if (text[j] !== '#') return false;
  // A preprocessor line continued from the line above is not a whole line.
  return lineStart < 2 || text[lineStart - 2] !== '\\';
}

/** Reads the declaration whose qualifier starts at `start`, or null (the tree reads it). */
export function readConstDeclaration(text: string, start: number): TextConst | null {
  if (!startsStatement(text, start)) return null;
  HEAD.lastIndex = start;
  const head = HEAD.exec(text);
  if (!head || !PLAIN_TYPES.has(head[2]!)) return null;
  const declarators: TextConst['declarators'] = [];
  let i = start + head[0].length;
  for (;;) {
    DECLARATOR.lastIndex = i;
    const declarator = DECLARATOR.exec(text);
    if (!declarator || PLAIN_TYPES.has(declarator[1]!)) return null;
    i += declarator[0].length;
    const valueStart = i;
    let depth = 0;
    let lastNonSpace = -1;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 40) depth++;
      else if (c === 41) { if (--depth < 0) return null; }
      else if ((c === 44 || c === 59) && depth === 0) break;
      else if (c === 47) { const next = text.charCodeAt(i + 1); if (next === 47 || next === 42) return null; }
      else if (c === 32 || c === 9 || c === 10 || c === 13) continue;
      else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 43 || c === 45 || c === 42 || c === 37 || c === 44)) return null;
      lastNonSpace = i;
    }
    if (i >= text.length || lastNonSpace < valueStart) return null;
    declarators.push({ name: declarator[1]!, valueStart, valueText: text.slice(valueStart, lastNonSpace + 1) });
    if (text.charCodeAt(i) === 59) break;
    i++;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  }
  return { type: 'text_const', startIndex: start, endIndex: i + 1, qualifier: head[1] as 'const' | 'constexpr', typeText: head[2]!, declarators };
}
