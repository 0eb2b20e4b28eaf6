// Random edits of a CUDA text checked the way the incremental preparation must behave: whenever
// prepareCudaEdit answers, its result equals a full prepareCudaText of the edited text. Shared by the
// preparation tests; it asserts, and returns how many edits were answered incrementally.
import assert from 'node:assert/strict';
import { prepareCudaText } from '../../server/src/analysis/cuda/prepare';
import { prepareCudaEdit } from '../../server/src/analysis/cuda/prepare-incremental';

/** `edits` random edits of `text` (spans of up to 5 characters replaced by one of `pieces` or nothing), drawn from `next`. */
export function preparedEditsAgree(text: string, pieces: readonly string[], edits: number, next: () => number, label = ''): number {
  let prepared = prepareCudaText(text);
  let answered = 0;
  for (let k = 0; k < edits; k++) {
    const start = Math.floor(next() * (text.length + 1));
    const end = Math.min(text.length, start + (next() < 0.5 ? 0 : Math.floor(next() * 6)));
    const inserted = next() < 0.3 ? '' : pieces[Math.floor(next() * pieces.length)]!;
    const newText = text.slice(0, start) + inserted + text.slice(end);
    const incremental = prepareCudaEdit(text, prepared, newText, start, end, inserted.length);
    const full = prepareCudaText(newText);
    if (incremental) {
      answered++;
      assert.deepStrictEqual(incremental, full, `${label}replacing [${start}, ${end}) with ${JSON.stringify(inserted)}`);
    }
    text = newText;
    prepared = full;
  }
  return answered;
}
