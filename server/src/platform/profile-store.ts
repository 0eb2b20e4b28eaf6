// The user's profile store: a directory of immutable JSON-lines files, one per appended batch of
// tilecast-profile/1 records, merged now and then into segment files. Crash-safe and safe for
// concurrent writers without locks: every file is written under a temporary name, fsynced and renamed
// into place (so a reader sees all of a batch or none of it), every batch carries a unique id between a
// header and an end marker (so a half-copied batch is never read, and a batch present twice after a
// compaction was killed between writing its segment and deleting its inputs is read once), and a
// compaction deletes only files whose batches are already durable in the segment it wrote.
// File I/O only; the record format belongs to data/profile-record.ts.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { formatProfileRecord, validateProfileRecord, type ProfileRecord } from '../data/profile-record';

export interface StoreLocation {
  /** Directory of the store (created on first append). */
  dir: string;
}

/** `<workspace>/.tilecast/profiles`, or `~/.tilecast/profiles` for the global store (setting tilecast.profile.store = "global"). */
export function storeLocation(options: { workspace?: string; global?: boolean; dir?: string }): StoreLocation {
  if (options.dir) return { dir: options.dir };
  if (options.global || !options.workspace) return { dir: join(homedir(), '.tilecast', 'profiles') };
  return { dir: join(options.workspace, '.tilecast', 'profiles') };
}

const HEADER = /^# tilecast-batch (\S+) (\d+)$/;
const END = /^# end (\S+)$/;
/** Files of one store: batch-*.jsonl (one append) and segment-*.jsonl (merged batches); .tmp-* are never read. */
const STORE_FILE = /^(batch|segment)-[\w-]+\.jsonl$/;
/** Compact when this many files have accumulated. */
export const COMPACT_AT_FILES = 64;

function uniqueName(): string {
  return `${Date.now().toString(36)}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Writes `text` to `dir/name` atomically and durably: temporary file, fsync, rename, fsync of the directory. */
function writeAtomic(dir: string, name: string, text: string): void {
  const tmp = join(dir, `.tmp-${name}`);
  const fd = openSync(tmp, 'wx');
  try {
    const bytes = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  syncDir(dir);
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Directories cannot be fsynced on every platform (Windows); the rename is still atomic.
  }
}

function batchText(id: string, lines: readonly string[]): string {
  return `# tilecast-batch ${id} ${lines.length}\n${lines.join('\n')}\n# end ${id}\n`;
}

export interface StoredBatch {
  id: string;
  lines: string[];
}

/** Appends one batch (all records or none); returns its id. Invalid records are refused before anything is written. */
export function appendProfiles(store: StoreLocation, records: readonly ProfileRecord[]): { id: string; file: string } {
  if (records.length === 0) throw new Error('nothing to append');
  const lines: string[] = [];
  for (const [i, r] of records.entries()) {
    const check = validateProfileRecord(r);
    if (!check.ok) throw new Error(`record ${i + 1} is not a valid tilecast-profile/1 record: ${check.reason}`);
    const line = formatProfileRecord(r);
    if (line.includes('\n')) throw new Error('a record line contains a newline');
    lines.push(line);
  }
  mkdirSync(store.dir, { recursive: true });
  const id = uniqueName();
  const file = `batch-${id}.jsonl`;
  writeAtomic(store.dir, file, batchText(id, lines));
  return { id, file };
}

/** Complete batches of one file's text; anything else (a torn tail, stray lines) is reported. */
export function parseStoreFile(text: string): { batches: StoredBatch[]; problems: string[] } {
  const batches: StoredBatch[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line === '') {
      i++;
      continue;
    }
    const header = HEADER.exec(line);
    if (!header) {
      problems.push(`line ${i + 1}: outside a batch`);
      i++;
      continue;
    }
    const [, id, countText] = header;
    const count = Number(countText);
    const body = lines.slice(i + 1, i + 1 + count);
    const end = lines[i + 1 + count];
    if (body.length !== count || end === undefined || END.exec(end)?.[1] !== id) {
      problems.push(`line ${i + 1}: batch ${id} is incomplete`);
      i++;
      continue;
    }
    batches.push({ id, lines: body });
    i += count + 2;
  }
  return { batches, problems };
}

function storeFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => STORE_FILE.test(f))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export interface StoreContents {
  /** Each batch once, in file order. */
  batches: StoredBatch[];
  /** Text of all records, one per line, for parseProfileJsonl. */
  jsonl: string;
  files: number;
  problems: string[];
}

/** Reads every complete batch once. A file removed while reading (a compaction) is skipped: its batches are in the segment. */
export function readStore(store: StoreLocation): StoreContents {
  const seen = new Set<string>();
  const batches: StoredBatch[] = [];
  const problems: string[] = [];
  let files = 0;
  for (const name of storeFiles(store.dir)) {
    let text: string;
    try {
      text = readFileSync(join(store.dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    files++;
    const parsed = parseStoreFile(text);
    for (const p of parsed.problems) problems.push(`${name}: ${p}`);
    for (const b of parsed.batches) {
      if (seen.has(b.id)) continue;
      seen.add(b.id);
      batches.push(b);
    }
  }
  return { batches, jsonl: batches.flatMap((b) => b.lines).join('\n') + (batches.length ? '\n' : ''), files, problems };
}

/**
 * Merges every file of the store into one segment, then deletes the files it merged. Safe to run
 * concurrently with appends and with other compactions (see the header comment); skips when another
 * compaction started less than a minute ago. Also removes temporary files older than an hour.
 */
export function compactStore(store: StoreLocation, options: { force?: boolean } = {}): { merged: number } {
  const names = storeFiles(store.dir);
  if (names.length < 2 || (!options.force && names.length < COMPACT_AT_FILES)) return { merged: 0 };
  const lock = join(store.dir, 'compact.lock');
  try {
    closeSync(openSync(lock, 'wx'));
  } catch {
    let age = 0;
    try {
      age = Date.now() - statSync(lock).mtimeMs;
    } catch {
      age = Infinity;
    }
    if (age < 60_000) return { merged: 0 };
  }
  try {
    const seen = new Set<string>();
    const parts: string[] = [];
    const merged: string[] = [];
    for (const name of names) {
      let text: string;
      try {
        text = readFileSync(join(store.dir, name), 'utf8');
      } catch {
        continue;
      }
      merged.push(name);
      for (const b of parseStoreFile(text).batches) {
        if (seen.has(b.id)) continue;
        seen.add(b.id);
        parts.push(batchText(b.id, b.lines));
      }
    }
    writeAtomic(store.dir, `segment-${uniqueName()}.jsonl`, parts.join(''));
    for (const name of merged) {
      try {
        unlinkSync(join(store.dir, name));
      } catch {
        /* another compaction removed it */
      }
    }
    syncDir(store.dir);
    for (const name of readdirSync(store.dir).filter((f) => f.startsWith('.tmp-'))) {
      try {
        if (Date.now() - statSync(join(store.dir, name)).mtimeMs > 3_600_000) unlinkSync(join(store.dir, name));
      } catch {
        /* gone */
      }
    }
    return { merged: merged.length };
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      /* stolen or gone */
    }
  }
}
