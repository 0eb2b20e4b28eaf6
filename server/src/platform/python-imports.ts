// Finds and reads the Python modules a Triton file imports, so that a launch of a kernel another module
// defines (`from .kernels import matmul_kernel`, `import kernels`) can be analysed: relative imports from
// the file's package folder; absolute ones beside the file (Python puts a script's folder on sys.path), in
// the folder above the file's topmost package, then in the search folders the user names. Only local
// files are read (never site-packages); names found nowhere (torch, triton) are skipped. The modules the
// file imports, not theirs, except where a name the file imports from a module is that module's own
// import (a package's `__init__.py` re-exporting a kernel): that module is read too, up to 3 re-exports
// deep. Texts go to the analysis (analysis/index.ts IncludedSource); disk reads are cached by
// modification time and size, like headers (includes.ts).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { qualifyImported } from '../analysis/triton/modules';
import type { IncludedHeader, OpenText } from './includes';
import { readStampedText } from './stamped-files';

/** At most this many modules are read for one file. */
const MAX_MODULES = 16;
/** Modules larger than this (characters) are skipped. */
const MAX_MODULE_CHARS = 1_000_000;
/**
 * At most this many module names are looked up (the first in the file): each costs a few stats per
 * analysis, and a file of 300 imports took 12 ms per keystroke on the server's main thread (30: 1.5 ms).
 */
const MAX_NAMES = 64;

const FROM_IMPORT = /^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)/gm;
const IMPORT = /^[ \t]*import[ \t]+([^\n#;]+)/gm;

/**
 * The module names a text's imports may refer to, in order, each once: `from .kernels import mm` gives
 * `.kernels`, and also `.kernels.mm` (mm may be a submodule); `from . import kernels` gives `.kernels`;
 * `import pkg.kernels as K` gives `pkg.kernels`. Names as the analysis qualifies them (triton/scopes.ts).
 */
export function importedModuleNames(text: string): string[] {
  if (!text.includes('import')) return [];
  const names = new Set<string>();
  for (const m of text.matchAll(FROM_IMPORT)) {
    const module = m[1]!;
    if (module !== '' && !/^\.+$/.test(module)) names.add(module);
    for (const item of m[2]!
      .replace(/#[^\n]*/g, '')
      .replace(/[()\\]/g, ' ')
      .split(',')) {
      const name = item.trim().split(/\s+/)[0];
      if (!name || !/^\w+$/.test(name)) continue;
      names.add(module.endsWith('.') ? `${module}${name}` : `${module}.${name}`);
    }
  }
  for (const m of text.matchAll(IMPORT)) {
    for (const item of m[1]!.split(',')) {
      const name = item.trim().split(/\s+/)[0];
      if (name && /^\w+(\.\w+)*$/.test(name)) names.add(name);
    }
  }
  return [...names];
}

/**
 * The names a text's `from ... import` statements bind, each with the modules it may come from, in the
 * text's terms: `from .kernels import mm` binds `mm` from `.kernels` or `.kernels.mm` (a submodule);
 * `from .kernels import matmul as mm` binds `mm` the same way; `from .kernels import *` is listed under `*`.
 */
export function bindingTable(text: string): Map<string, string[]> {
  const table = new Map<string, string[]>();
  if (!text.includes('import')) return table;
  for (const m of text.matchAll(FROM_IMPORT)) {
    const module = m[1]!;
    for (const item of m[2]!
      .replace(/#[^\n]*/g, '')
      .replace(/[()\\]/g, ' ')
      .split(',')) {
      const [name, as, alias] = item.trim().split(/\s+/);
      // `from .kernels import *` binds whatever .kernels defines: recorded under '*'.
      if (name === '*' && module !== '' && !/^\.+$/.test(module)) table.set('*', [...(table.get('*') ?? []), module]);
      if (!name || !/^\w+$/.test(name)) continue;
      const bound = as === 'as' && alias ? alias : name;
      const list = table.get(bound) ?? [];
      if (module !== '' && !/^\.+$/.test(module)) list.push(module);
      list.push(module.endsWith('.') ? `${module}${name}` : `${module}.${name}`);
      table.set(bound, list);
    }
  }
  return table;
}

/** Binding tables of recently read modules by path and stamp (the same come back on every keystroke of an importing file). */
const bindingTables = new Map<string, Map<string, string[]>>();

function bindingsOf(module: IncludedHeader): Map<string, string[]> {
  const key = `${module.path}\0${module.stamp}`;
  let table = bindingTables.get(key);
  if (!table) {
    table = bindingTable(module.text);
    if (bindingTables.size >= 64) bindingTables.delete(bindingTables.keys().next().value!);
    bindingTables.set(key, table);
  }
  return table;
}

/** The folder above the topmost package (folders with `__init__.py`) that `folder` lies in, or null when it is no package. */
function packageRoot(folder: string): string | null {
  let current = folder;
  let root: string | null = null;
  for (let depth = 0; depth < 16 && existsSync(join(current, '__init__.py')); depth++) {
    root = dirname(current);
    if (root === current) break;
    current = root;
  }
  return root;
}

/** Candidate files of a module name: `a.b` → `a/b.py`, `a/b/__init__.py` under each folder. */
function candidates(folders: readonly string[], parts: readonly string[]): string[] {
  if (parts.length === 0 || parts.some((p) => p === '')) return [];
  return folders.flatMap((folder) => [join(folder, ...parts.slice(0, -1), `${parts[parts.length - 1]}.py`), join(folder, ...parts, '__init__.py')]);
}

export interface ImportOptions {
  /** An open editor's text of a path, preferred to the disk's. */
  open?: OpenText;
  /** The module names of the file, when the caller already has them. */
  names?: string[];
  /** Absolute folders searched for absolute imports after the file's own folder and package root, in order. */
  searchDirs?: readonly string[];
}

/**
 * The local modules `text` (the file at `path`) imports, each once, in import order (IncludedHeader: name
 * as the analysis qualifies it, path, text, stamp).
 */
export function readImports(path: string, text: string, options: ImportOptions = {}): IncludedHeader[] {
  const { open = () => undefined, searchDirs = [] } = options;
  const file = resolve(path);
  const folder = dirname(file);
  const root = packageRoot(folder);
  const absoluteFolders = [...new Set([folder, ...(root ? [root] : []), ...searchDirs])];
  const out: IncludedHeader[] = [];
  const seen = new Set<string>([file]);
  const byName = new Map<string, IncludedHeader>();
  const read = (name: string): boolean => {
    const dots = /^\.*/.exec(name)![0].length;
    let folders: string[] = absoluteFolders;
    if (dots > 0) {
      let base = folder;
      for (let i = 1; i < dots; i++) base = dirname(base);
      folders = [base];
    }
    for (const candidate of candidates(folders, name.slice(dots).split('.'))) {
      const found = open(candidate) ?? readStampedText(candidate, MAX_MODULE_CHARS);
      if (!found) continue;
      if (!seen.has(candidate) && found.text.length <= MAX_MODULE_CHARS && out.length < MAX_MODULES) {
        seen.add(candidate);
        const module = { name, path: candidate, text: found.text, stamp: found.stamp };
        out.push(module);
        byName.set(name, module);
      }
      return true;
    }
    return false;
  };
  const queue = (options.names ?? importedModuleNames(text)).slice(0, MAX_NAMES).map((name) => ({ name, depth: 0 }));
  // Modules star-imported by the file, or by such a module: what they star-import is visible in the file too.
  const starred = new Set(bindingTable(text).get('*') ?? []);
  for (let i = 0; i < queue.length && out.length < MAX_MODULES; i++) {
    const { name, depth } = queue[i]!;
    if (read(name)) {
      const module = byName.get(name);
      if (!module || !starred.has(name) || depth >= 3) continue;
      for (const star of bindingsOf(module).get('*') ?? []) {
        const qualified = qualifyImported(name, module.path.endsWith('__init__.py'), star);
        if (qualified && !byName.has(qualified)) {
          starred.add(qualified);
          queue.push({ name: qualified, depth: depth + 1 });
        }
      }
      continue;
    }
    if (depth >= 3) continue;
    // Not a module: maybe a name its parent module imports from another (a re-export); read that one.
    const dot = name.lastIndexOf('.');
    const parent = dot > 0 ? byName.get(name.slice(0, dot)) : undefined;
    if (!parent) continue;
    const isPackage = parent.path.endsWith('__init__.py');
    const symbol = name.slice(dot + 1);
    const bindings = bindingsOf(parent);
    // Bound by name, else maybe by a star import: then the star-imported module, and the name within it.
    const from = bindings.get(symbol) ?? (bindings.get('*') ?? []).flatMap((star) => [star, `${star}.${symbol}`]);
    for (const imported of from) {
      const qualified = qualifyImported(parent.name, isPackage, imported);
      if (qualified && !byName.has(qualified)) queue.push({ name: qualified, depth: depth + 1 });
    }
  }
  return out;
}
