// Third-party notices for what the build ships: every npm package whose code esbuild put into a bundle
// (read from the builds' metafiles) and the packages the copied WebAssembly files come from, each with
// its version, licence and the text of its licence files. esbuild.mjs writes the result to
// dist/THIRD-PARTY-NOTICES.txt, which the .vsix ships. Build-time only: it reads the packages' own
// files and writes nothing itself.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MODULES = 'node_modules/';
const LICENCE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

/** The package folder an input path belongs to (`…/node_modules/name` or `…/@scope/name`, nested too), or null. */
export function packageRoot(path) {
  const p = path.replace(/\\/g, '/');
  const i = p.lastIndexOf(MODULES);
  if (i < 0) return null;
  const parts = p.slice(i + MODULES.length).split('/');
  const name = parts[0]?.startsWith('@') && parts[1] ? `${parts[0]}/${parts[1]}` : parts[0];
  return name ? p.slice(0, i + MODULES.length) + name : null;
}

/**
 * One notice per package folder (duplicates merged), sorted by name: its name, version and licence from
 * its package.json and the text of each licence file in the folder (none when it ships none).
 */
export function packageNotices(roots, io = { read: (path) => readFileSync(path, 'utf8'), list: (dir) => readdirSync(dir) }) {
  const out = new Map();
  for (const root of new Set(roots)) {
    const manifest = JSON.parse(io.read(join(root, 'package.json')));
    const key = `${manifest.name}@${manifest.version}`;
    if (out.has(key)) continue;
    const files = io
      .list(root)
      .filter((name) => LICENCE_FILE.test(name))
      .sort();
    out.set(key, {
      name: manifest.name,
      version: manifest.version,
      licence: typeof manifest.license === 'string' ? manifest.license : 'see its licence text',
      texts: files.map((name) => io.read(join(root, name)).trim()),
    });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** The notices file: a header, then each package with its licence texts, and the notes that go with them. */
export function noticesText(notices, notes = []) {
  const rule = '-'.repeat(78);
  const blocks = notices.map((n) =>
    [`${n.name} ${n.version} (${n.licence})`, ...(n.texts.length > 0 ? n.texts : ['(the package ships no licence file)'])].join('\n\n'),
  );
  return `${['TileCast ships code from the open-source packages below, under their licences.', ...notes, ...blocks].join(`\n\n${rule}\n\n`)}\n`;
}
