// Finds and reads the headers a CUDA file includes with `#include "..."`: the user's own headers (quoted),
// not system ones (`<...>`), looked up beside the including file, then the headers they include, in order.
// The texts go to the analysis (analysis/index.ts IncludedSource), which reads no files itself. Caps keep a
// deep, cyclic or huge include tree cheap; a header that cannot be read is skipped. Disk reads are cached by
// modification time and size, so asking again on every keystroke costs a stat per header.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** At most this many headers are read for one file. */
export const MAX_HEADERS = 16;
/** Headers larger than this (characters) are skipped. */
export const MAX_HEADER_CHARS = 1_000_000;
/** Includes are followed at most this many levels deep. */
const MAX_DEPTH = 4;

export interface IncludedHeader {
  /** As the `#include` writes it. */
  name: string;
  /** Absolute path. */
  path: string;
  text: string;
  /** Changes whenever the text may have: an open document's version, or the file's modification time and size. */
  stamp: string;
}

/** A header's text and stamp from somewhere other than the disk (an open editor), or undefined. */
export type OpenText = (path: string) => { text: string; stamp: string } | undefined;

const QUOTED_INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"/gm;

/** The quoted `#include "..."` names of a text, in order (lines inside block comments may be read too). */
export function quotedIncludes(text: string): string[] {
  if (!text.includes('#')) return [];
  return [...text.matchAll(QUOTED_INCLUDE)].map((m) => m[1]!.trim());
}

const diskCache = new Map<string, { stamp: string; text: string | null }>();

/** A file's text when it is a readable file within the size cap, else null; cached until its stamp changes. */
function readDisk(path: string): { text: string; stamp: string } | null {
  let stamp: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return null;
    if (stat.size > MAX_HEADER_CHARS * 4) return null;
    stamp = `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return null;
  }
  const cached = diskCache.get(path);
  if (cached && cached.stamp === stamp) return cached.text === null ? null : { text: cached.text, stamp };
  let text: string | null;
  try {
    text = readFileSync(path, 'utf8');
    if (text.length > MAX_HEADER_CHARS) text = null;
  } catch {
    text = null;
  }
  if (diskCache.size > 256) diskCache.clear();
  diskCache.set(path, { stamp, text });
  return text === null ? null : { text, stamp };
}

/**
 * The headers `text` (the file at `path`) includes with quotes, found relative to the including file,
 * breadth first, each once; `names` are the file's own include names when the caller already has them.
 */
export function readIncludes(path: string, text: string, open: OpenText = () => undefined, names = quotedIncludes(text)): IncludedHeader[] {
  const out: IncludedHeader[] = [];
  const seen = new Set<string>([resolve(path)]);
  let level: Array<{ from: string; names: string[] }> = [{ from: dirname(resolve(path)), names }];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0 && out.length < MAX_HEADERS; depth++) {
    const next: typeof level = [];
    for (const { from, names: included } of level) {
      for (const name of included) {
        if (out.length >= MAX_HEADERS) break;
        const headerPath = resolve(from, name);
        if (seen.has(headerPath)) continue;
        seen.add(headerPath);
        const read = open(headerPath) ?? readDisk(headerPath);
        if (!read || read.text.length > MAX_HEADER_CHARS) continue;
        out.push({ name, path: headerPath, text: read.text, stamp: read.stamp });
        next.push({ from: dirname(headerPath), names: quotedIncludes(read.text) });
      }
    }
    level = next;
  }
  return out;
}

/** One string that changes whenever the list of headers or any header's text may have. */
export function includesKey(headers: readonly IncludedHeader[]): string {
  return headers.map((h) => `${h.path}\u0001${h.stamp}`).join('\u0002');
}
