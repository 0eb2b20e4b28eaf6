// Offsets across a sequence of text edits, as the client sent them: an offset of the text after the edits
// mapped back to the text before them (or -1 inside text they inserted), and an offset of the text before
// them mapped forward. Lets an older analysis serve the current text exactly around many separate edits
// (multi-cursor typing, replace all), where one differing span would cover everything between them.
// Pure arithmetic over plain data; it must not know about documents or the protocol.

/** One edit: the characters [start, end) of the text at that moment replaced by insertedLength characters. */
export interface OffsetEdit {
  start: number;
  end: number;
  insertedLength: number;
}

/** `offset` of the text after `edits` (applied in order) as an offset of the text before them; -1 inside inserted text. */
export function olderOffset(edits: readonly OffsetEdit[], offset: number): number {
  let at = offset;
  for (let i = edits.length - 1; i >= 0; i--) {
    const e = edits[i]!;
    if (at < e.start) continue;
    if (at < e.start + e.insertedLength) return -1;
    at -= e.insertedLength - (e.end - e.start);
  }
  return at;
}

/** `offset` of the text before `edits` as an offset of the text after them; inside replaced text, where the replacement starts. */
export function newerOffset(edits: readonly OffsetEdit[], offset: number): number {
  let at = offset;
  for (const e of edits) {
    if (at < e.start) continue;
    if (at >= e.end) at += e.insertedLength - (e.end - e.start);
    else at = e.start;
  }
  return at;
}
