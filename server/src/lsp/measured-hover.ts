// Adds the user's measurements to a hover (issue 10): reads the profile stores that apply to a
// document (the nearest `.tilecast/profiles` above it, and the global ~/.tilecast/profiles) and appends
// ide/measured.ts's lines. Store files are immutable once renamed into place, so a store is re-read
// only when its file listing changes. A store that cannot be read adds nothing.
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProfileJsonl, type ProfileRecord } from '../data/profile-record';
import type { DocumentReports, HoverResult } from '../ide/api';
import { measuredMarkdown } from '../ide/measured';
import { readStore } from '../platform/profile-store';

const cache = new Map<string, { listing: string; records: ProfileRecord[] }>();

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The store directories for a document: the nearest workspace store above it, then the global one. */
export function storesFor(documentPath: string, home = homedir()): string[] {
  const stores: string[] = [];
  for (let dir = dirname(documentPath); ; dir = dirname(dir)) {
    const candidate = join(dir, '.tilecast', 'profiles');
    if (isDirectory(candidate)) {
      stores.push(candidate);
      break;
    }
    if (dirname(dir) === dir) break;
  }
  const global = join(home, '.tilecast', 'profiles');
  if (!stores.includes(global) && isDirectory(global)) stores.push(global);
  return stores;
}

function recordsOf(dir: string): ProfileRecord[] {
  let listing: string;
  try {
    listing = readdirSync(dir)
      .filter((name) => name.endsWith('.jsonl'))
      .sort()
      .join('\n');
  } catch {
    return [];
  }
  const cached = cache.get(dir);
  if (cached && cached.listing === listing) return cached.records;
  let records: ProfileRecord[] = [];
  try {
    records = parseProfileJsonl(readStore({ dir }).jsonl, dir).profiles;
  } catch {
    // unreadable now: nothing to add; the next hover tries again
  }
  cache.set(dir, { listing, records });
  return records;
}

/** The hover with the measured lines appended, or unchanged when nothing was measured or the document is not a file. */
export function withMeasured(hover: HoverResult, reports: DocumentReports, offset: number, uri: string): HoverResult {
  if (!uri.startsWith('file:')) return hover;
  const records = storesFor(fileURLToPath(uri)).flatMap(recordsOf);
  const lines = measuredMarkdown(reports, offset, records);
  return lines ? { ...hover, markdown: `${hover.markdown}\n\n${lines}` } : hover;
}
