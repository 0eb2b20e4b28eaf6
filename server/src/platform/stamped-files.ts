// Files read again only when they change: a file's stamp (modification time and size) and a cache of what
// was derived from a file at its stamp (its text, its include names, a parsed compilation database). The
// language server asks on every analysis, so an unchanged file costs one stat. I/O: stat, and reads of
// source texts (readStampedText).
import { readFileSync, statSync } from 'node:fs';

/** The stamp of a regular file of at most `maxBytes`, or null (missing, not a file, too large). */
export function fileStamp(path: string, maxBytes: number): string | null {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile() || stat.size > maxBytes) return null;
  return `${stat.mtimeMs}:${stat.size}`;
}

/** Values by path, each kept while its stamp is the one it was computed for; at most `limit` paths. */
export class StampedCache<T> {
  private readonly entries = new Map<string, { stamp: string; value: T }>();
  constructor(private readonly limit: number) {}

  get(path: string, stamp: string, compute: () => T): T {
    const cached = this.entries.get(path);
    if (cached?.stamp === stamp) return cached.value;
    const value = compute();
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(path, { stamp, value });
    return value;
  }
}

/** Source texts (null: unreadable or over the cap) by path and stamp: headers and imported modules. */
const texts = new StampedCache<string | null>(256);

/** A file's text when it is a readable file of at most `maxChars`, else null; read again only when its stamp changes. */
export function readStampedText(path: string, maxChars: number): { text: string; stamp: string } | null {
  const stamp = fileStamp(path, maxChars * 4);
  if (!stamp) return null;
  const text = texts.get(path, stamp, () => {
    try {
      const read = readFileSync(path, 'utf8');
      return read.length > maxChars ? null : read;
    } catch {
      return null;
    }
  });
  return text === null ? null : { text, stamp };
}
