// Reads the common kernel head from the parsed text (CUDA keywords blanked), without the tree:
// `void name(params) {`, plain `type [*&] name` parameters and a plain `template <int BM, typename T>`
// header. Anything else (qualified or templated names, attributes, trailing qualifiers, defaults,
// nested `<>`, comments, arrays, function pointers) gives null, and kernels.ts reads the tree instead,
// so what this returns is what the tree would have given. The head and template readers are only for
// trees without syntax errors; parametersFromText is given a list's exact range. Pure, linear; never throws.
import { isIdentifierPart, isIdentifierStart } from './chars';
import type { KernelParameter } from '../types';
import type { TemplateParameter } from './kernels';
import { squash } from './syntax';

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

/** Words that cannot be a parameter's name, or that may swallow the next word into the type (`unsigned M`). */
const NOT_A_PARAMETER_NAME = /^(?:const|volatile|void|int|float|double|char|bool|short|long|signed|unsigned|auto|struct|class|enum|typename)$/;

/**
 * Parameters written as `type words [*&] name` (`const float *__restrict__ A`, `int M`), read from
 * the parsed text (CUDA keywords blanked); null when any parameter is anything else (templates,
 * arrays, defaults, function pointers, comments, unnamed parameters), which the tree then reads.
 */
export function parametersFromText(parseText: string, start: number, end: number): KernelParameter[] | null {
  if (parseText[start] !== '(' || parseText[end - 1] !== ')') return null;
  const inner = parseText.slice(start + 1, end - 1);
  if (!inner.trim()) return [];
  if (/[^\w\s,*&:]/.test(inner)) return null;
  const result: KernelParameter[] = [];
  for (let partStart = 0; partStart <= inner.length;) {
    let comma = inner.indexOf(',', partStart);
    if (comma < 0) comma = inner.length;
    const raw = inner.slice(partStart, comma);
    const trimmed = raw.trim();
    const at = start + 1 + partStart + (raw.length - raw.trimStart().length);
    partStart = comma + 1;
    const nameStart = parameterNameStart(trimmed);
    if (nameStart < 0) return null;
    const typeText = trimmed.slice(0, nameStart);
    const name = trimmed.slice(nameStart);
    const lastTypeWord = lastWordOf(typeText);
    if (!lastTypeWord || NOT_A_PARAMETER_NAME.test(name) || /^(?:short|long|signed|unsigned)$/.test(lastTypeWord) || !isIdentifierStart(typeText.charCodeAt(0)) || typeText.includes('::') && /:\s*$/.test(typeText.trim())) return null;
    result.push({ name, type: squash(typeText), range: { start: at, end: at + trimmed.length } });
  }
  return result;
}

function isWordOrColon(c: number): boolean {
  return isIdentifierPart(c) || c === 58;
}

/**
 * Where the name starts in one trimmed parameter `type words [*&] name` made only of word characters,
 * `:`, `*`, `&` and spaces, or -1. The same split as `/^((?:[A-Za-z_][\w:]*\s*|[*&]\s*)*?)(?<=[\s*&])([A-Za-z_]\w*)$/`
 * (the name is the trailing word, after a space, `*` or `&`; every word or `::` run of the type starts
 * with a letter or `_`), in one linear scan: that regex backtracks exponentially on a long word
 * followed by `:` (`(int aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:)`).
 */
function parameterNameStart(parameter: string): number {
  const length = parameter.length;
  let nameStart = length;
  while (nameStart > 0 && isIdentifierPart(parameter.charCodeAt(nameStart - 1))) nameStart--;
  if (nameStart === length || nameStart === 0 || !isIdentifierStart(parameter.charCodeAt(nameStart)) || parameter.charCodeAt(nameStart - 1) === 58) return -1;
  for (let i = 0; i < nameStart; i++) {
    const c = parameter.charCodeAt(i);
    if (isWordOrColon(c) && !isIdentifierStart(c) && (i === 0 || !isWordOrColon(parameter.charCodeAt(i - 1)))) return -1;
  }
  return nameStart;
}

/**
 * What `/([A-Za-z_][\w:]*)[\s*&]*$/` captures in a type made only of word characters, `:`, `*`, `&`
 * and spaces (parametersFromText checked): the last run of word characters and colons, from its first
 * letter or `_`; undefined when there is none. A scan instead of a regex that retries every start.
 */
function lastWordOf(typeText: string): string | undefined {
  let end = typeText.length;
  while (end > 0 && !isWordOrColon(typeText.charCodeAt(end - 1))) end--;
  let runStart = end;
  while (runStart > 0 && isWordOrColon(typeText.charCodeAt(runStart - 1))) runStart--;
  for (let i = runStart; i < end; i++) if (isIdentifierStart(typeText.charCodeAt(i))) return typeText.slice(i, end);
  return undefined;
}
