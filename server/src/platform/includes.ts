// Finds and reads the headers a CUDA file includes: `#include "..."` beside the including file, then in the
// include folders the user names (like `-I`); `#include <...>` in those folders only (never system folders);
// then the headers those include, in order.
// The texts go to the analysis (analysis/index.ts IncludedSource), which reads no files itself. Caps keep a
// deep, cyclic or huge include tree cheap; a header that cannot be read is skipped. Disk reads are cached by
// modification time and size, so asking again on every keystroke costs a stat per header.
import { dirname, resolve } from 'node:path';
import { readStampedText, StampedCache } from './stamped-files';

/** At most this many headers are read for one file. */
const MAX_HEADERS = 16;
/** Headers larger than this (characters) are skipped. */
const MAX_HEADER_CHARS = 1_000_000;
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

const DIRECTIVE = /^[ \t]*#[ \t]*(include|if|ifdef|ifndef|elif|else|endif)\b[ \t]*([^\n]*)/gm;
const INCLUDED = /^(?:"([^"\n]+)"|<([^>\n]+)>)/;

/** An `#include` of a text: the name, and whether it is `<...>` (looked up in the include folders only). */
export interface IncludeName {
  name: string;
  angled: boolean;
}

/** A `#if`/`#elif` condition that is a plain 0 or 1 (`#if 0` around old code), else null: not known here. */
function literalCondition(text: string): 0 | 1 | null {
  const condition = text.replace(/\/\/.*$|\/\*.*?\*\//g, '').trim();
  return condition === '0' ? 0 : condition === '1' ? 1 : null;
}

/**
 * The `#include` names of a text, in order (lines inside block comments may be read too). Includes in a
 * branch that cannot be compiled (`#if 0`, the `#else` of `#if 1`) are left out; any other condition
 * (`#ifdef USE_CUTLASS`, `#if __CUDA_ARCH__ >= 800`) depends on flags not known here, so both branches count.
 */
export function includeNames(text: string): IncludeName[] {
  if (!text.includes('#')) return [];
  const out: IncludeName[] = [];
  // One frame per open #if: whether its current branch can be compiled, and whether an earlier branch surely was.
  const frames: Array<{ live: boolean; decided: boolean }> = [];
  let dead = 0;
  for (const m of text.matchAll(DIRECTIVE)) {
    const [, directive, rest] = m as unknown as [string, string, string];
    if (directive === 'include') {
      if (dead > 0) continue;
      const name = INCLUDED.exec(rest);
      if (name) out.push(name[1] !== undefined ? { name: name[1].trim(), angled: false } : { name: name[2]!.trim(), angled: true });
      continue;
    }
    if (directive === 'endif') {
      const frame = frames.pop();
      if (frame && !frame.live) dead--;
      continue;
    }
    if (directive === 'if' || directive === 'ifdef' || directive === 'ifndef') {
      const value = directive === 'if' ? literalCondition(rest) : null;
      const frame = { live: value !== 0, decided: value === 1 };
      frames.push(frame);
      if (!frame.live) dead++;
      continue;
    }
    const frame = frames[frames.length - 1];
    if (!frame) continue;
    const value = directive === 'elif' ? literalCondition(rest) : null;
    const live = !frame.decided && value !== 0;
    if (live !== frame.live) dead += live ? -1 : 1;
    frame.live = live;
    if (value === 1) frame.decided = true;
  }
  return out;
}

/** Headers' own include names, by path and stamp. */
const namesOf = new StampedCache<IncludeName[]>(256);

const readDisk = (path: string) => readStampedText(path, MAX_HEADER_CHARS);

export interface IncludeOptions {
  /** An open editor's text of a path, preferred to the disk's. */
  open?: OpenText;
  /** The file's own include names, when the caller already has them. */
  names?: IncludeName[];
  /** Absolute folders searched after the including file's folder (quoted) or alone (`<...>`), in order. */
  includeDirs?: readonly string[];
}

/**
 * The headers `text` (the file at `path`) includes, breadth first, each once: a quoted name beside the
 * file that includes it, else in `includeDirs`; an angled name in `includeDirs` only. Names found nowhere
 * (system headers among them) are skipped.
 */
export function readIncludes(path: string, text: string, options: IncludeOptions = {}): IncludedHeader[] {
  const { open = () => undefined, includeDirs = [] } = options;
  const out: IncludedHeader[] = [];
  const seen = new Set<string>([resolve(path)]);
  let level: Array<{ from: string; names: IncludeName[] }> = [{ from: dirname(resolve(path)), names: options.names ?? includeNames(text) }];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0 && out.length < MAX_HEADERS; depth++) {
    const next: typeof level = [];
    for (const { from, names: included } of level) {
      for (const { name, angled } of included) {
        if (out.length >= MAX_HEADERS) break;
        if (angled && includeDirs.length === 0) continue;
        const folders = angled ? includeDirs : [from, ...includeDirs];
        for (const folder of folders) {
          const headerPath = resolve(folder, name);
          if (seen.has(headerPath)) break; // included already (or the file itself): the first place found is the one
          const read = open(headerPath) ?? readDisk(headerPath);
          if (!read) continue;
          seen.add(headerPath);
          if (read.text.length <= MAX_HEADER_CHARS) {
            out.push({ name, path: headerPath, text: read.text, stamp: read.stamp });
            next.push({ from: dirname(headerPath), names: namesOf.get(headerPath, read.stamp, () => includeNames(read.text)) });
          }
          break;
        }
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
