// Reads the common kernel head from the parsed text (CUDA keywords blanked), without the tree:
// `void name(params) {` and a plain `template <int BM, typename T>` header. Anything else (qualified
// or templated names, attributes, trailing qualifiers, defaults, nested `<>`, comments, pointers)
// gives null, and kernels.ts reads the tree instead, so what this returns is what the tree would
// have given. Only for trees without syntax errors. Pure; never throws.
import type { TemplateParameter } from './kernels';

/** The parts of a function definition's head, as offsets. */
export interface KernelHeadText {
  name: string;
  nameRange: { start: number; end: number };
  /** The parameter list, from `(` to after `)`. */
  parameters: { start: number; end: number };
  /** The body, from `{` to the definition's end. */
  body: { start: number; end: number };
}

/** Specifiers and the return type allowed before the name (blanked CUDA keywords are spaces already). */
const HEAD = /(?:(?:static|inline|__inline__)[ \t\r\n]+)*void[ \t\r\n]+([A-Za-z_]\w*)[ \t\r\n]*\(/y;

/**
 * The head of the function definition spanning [start, end) of `parseText`, or null when unsure.
 * The parameter list must be balanced plain code (no braces, `#`, quotes, comments or backslashes).
 */
export function readKernelHead(parseText: string, start: number, end: number): KernelHeadText | null {
  if (parseText.charCodeAt(end - 1) !== 125 /* } */) return null;
  HEAD.lastIndex = start;
  const match = HEAD.exec(parseText);
  if (!match) return null;
  const name = match[1]!;
  if (name === 'void' || name === 'static' || name === 'inline' || name === '__inline__') return null;
  const open = start + match[0].length - 1;
  const nameStart = parseText.lastIndexOf(name, open);
  let depth = 0;
  let close = -1;
  for (let i = open + 1; i < end; i++) {
    const c = parseText.charCodeAt(i);
    // Quotes, comments, braces, directives, backslashes and non-ASCII: leave it to the tree.
    if (c === 34 || c === 39 || c === 47 || c === 123 || c === 125 || c === 35 || c === 92 || c >= 127 || (c < 32 && c !== 9 && c !== 10 && c !== 13)) return null;
    if (c === 40 /* ( */) depth++;
    else if (c === 41 /* ) */) {
      if (depth === 0) {
        close = i;
        break;
      }
      depth--;
    }
  }
  if (close < 0) return null;
  let bodyStart = close + 1;
  while (bodyStart < end && /[ \t\r\n]/.test(parseText[bodyStart]!)) bodyStart++;
  if (parseText.charCodeAt(bodyStart) !== 123 /* { */) return null;
  return { name, nameRange: { start: nameStart, end: nameStart + name.length }, parameters: { start: open, end: close + 1 }, body: { start: bodyStart, end } };
}

/** Words that cannot be a template parameter's type or name here (or that may swallow the next word). */
const NOT_A_SIMPLE_WORD = /^(?:const|volatile|unsigned|signed|long|short|auto|struct|class|enum|union|typename|template|void)$/;

/**
 * The parameters of a `template <...>` header (the text from `template` to the definition's start),
 * when each is `typename T`, `class T` or `type N` with one-word types; null otherwise.
 */
export function templateParametersFromHeader(header: string): TemplateParameter[] | null {
  const match = /^template[ \t\r\n]*<([\w \t\r\n,]*)>[ \t\r\n]*$/.exec(header);
  if (!match) return null;
  const inner = match[1]!;
  if (!inner.trim()) return [];
  const result: TemplateParameter[] = [];
  for (const part of inner.split(',')) {
    const words = /^[ \t\r\n]*([A-Za-z_]\w*)[ \t\r\n]+([A-Za-z_]\w*)[ \t\r\n]*$/.exec(part);
    if (!words) return null;
    const [, first, second] = words as unknown as [string, string, string];
    if (NOT_A_SIMPLE_WORD.test(second)) return null;
    if (first === 'typename' || first === 'class') result.push({ name: second, kind: 'type' });
    else if (NOT_A_SIMPLE_WORD.test(first)) return null;
    else result.push({ name: second, kind: 'value' });
  }
  return result;
}
