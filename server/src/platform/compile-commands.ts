// Include folders from a compilation database (`compile_commands.json`, as CMake, Bear or meson write it),
// the way clangd finds them: the nearest `compile_commands.json` or `build/compile_commands.json` in the
// file's folder or a folder above it (up to `root`), or the one in a folder the user names (clangd's
// `--compile-commands-dir`), then the `-I`, `-iquote` and `--include-path` folders
// of the file's entry (else of an entry in the same folder). `-isystem` folders are left out: those are the
// system's and libraries' headers, which TileCast does not read. Parsed databases are cached by
// modification time and size; a missing, unreadable or malformed database gives no folders, never an error.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileStamp, StampedCache } from './stamped-files';

/** Databases larger than this are not read. */
const MAX_DATABASE_BYTES = 64 * 1024 * 1024;
/** Folders walked up from the file at most. */
const MAX_LEVELS = 12;

interface Entry {
  file: string;
  includeDirs: string[];
}

const databases = new StampedCache<Entry[]>(16);

/** A shell command line split into words (quotes and backslashes as a POSIX shell reads them; no expansions). */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < command.length && '"\\$`'.includes(command[i + 1]!)) word += command[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The include folders a compiler's arguments name (`-I dir`, `-Idir`, `-iquote dir`, `--include-path=dir`), absolute from `directory`. */
export function includeDirsOf(args: readonly string[], directory: string): string[] {
  const out: string[] = [];
  const add = (dir: string) => {
    if (dir) out.push(isAbsolute(dir) ? dir : resolve(directory, dir));
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    for (const flag of ['-I', '-iquote', '--include-path', '-idirafter']) {
      if (arg === flag) add(args[++i] ?? '');
      else if (arg.startsWith(`${flag}=`)) add(arg.slice(flag.length + 1));
      else if (flag === '-I' && arg.startsWith('-I')) add(arg.slice(2));
      else continue;
      break;
    }
  }
  return out;
}

/** The entries of a database file (none when it is not a compilation database), or null when it cannot be read. */
function readDatabase(path: string): Entry[] | null {
  const stamp = fileStamp(path, MAX_DATABASE_BYTES);
  if (!stamp) return null;
  return databases.get(path, stamp, () => {
    const entries: Entry[] = [];
    try {
      const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (!Array.isArray(json)) return entries;
      for (const item of json) {
        if (!item || typeof item !== 'object') continue;
        const { directory, file, arguments: args, command } = item as Record<string, unknown>;
        if (typeof file !== 'string') continue;
        const base = typeof directory === 'string' ? directory : dirname(path);
        const words = Array.isArray(args) ? args.filter((a): a is string => typeof a === 'string') : typeof command === 'string' ? shellWords(command) : [];
        entries.push({ file: isAbsolute(file) ? resolve(file) : resolve(base, file), includeDirs: includeDirsOf(words, base) });
      }
    } catch {
      return [];
    }
    return entries;
  });
}

/**
 * The compilation database for a file at `path`: `databaseDir`'s `compile_commands.json` when that folder is
 * given (clangd's `--compile-commands-dir`: looked for there only), else the nearest one in the file's
 * folder or above (also in a `build/` folder there), not above `root` (when given).
 */
export function findDatabase(path: string, root: string | null = null, databaseDir: string | null = null): string | null {
  if (databaseDir) {
    const candidate = join(resolve(databaseDir), 'compile_commands.json');
    return fileStamp(candidate, Number.POSITIVE_INFINITY) ? candidate : null;
  }
  let dir = dirname(resolve(path));
  const top = root ? resolve(root) : null;
  for (let level = 0; level < MAX_LEVELS; level++) {
    for (const candidate of [join(dir, 'compile_commands.json'), join(dir, 'build', 'compile_commands.json')]) {
      if (fileStamp(candidate, Number.POSITIVE_INFINITY)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir || (top && dir === top)) break;
    dir = parent;
  }
  return null;
}

/**
 * The include folders the compilation database gives the file at `path`: its own entry's, else those of an
 * entry in the same folder (a header has no entry of its own), else none.
 */
export function databaseIncludeDirs(path: string, root: string | null = null, databaseDir: string | null = null): string[] {
  const database = findDatabase(path, root, databaseDir);
  const entries = database ? readDatabase(database) : null;
  if (!entries || entries.length === 0) return [];
  const file = resolve(path);
  const entry = entries.find((e) => e.file === file) ?? entries.find((e) => dirname(e.file) === dirname(file));
  return entry ? [...new Set(entry.includeDirs)] : [];
}
