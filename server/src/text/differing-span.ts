// The one edit that turns one text into another (their common prefix and suffix kept): how the server
// tells the analysis thread what changed. Plain string code: it must not import a parser, so the
// language server's bundle does not carry tree-sitter's runtime for it.

/** Replace the characters [start, end) with `newText`. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** The one edit that turns `before` into `after`: everything between their common prefix and suffix. */
export function differingSpan(before: string, after: string): TextEdit | null {
  if (before === after) return null;
  const limit = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < limit && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  const suffixLimit = limit - prefix;
  while (suffix < suffixLimit && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start: prefix, end: before.length - suffix, newText: after.slice(prefix, after.length - suffix) };
}
