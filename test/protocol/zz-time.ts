import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { loadGrammars } from '../../server/src/platform/grammars';
import { SourceDocument } from '../../server/src/analysis/index';
async function main() {
  const g = await loadGrammars();
  for (const dir of ['test/fixtures/cuda', 'test/fixtures/triton']) for (const f of readdirSync(dir)) {
    const text = readFileSync(dir + '/' + f, 'utf8');
    const d = new SourceDocument(g, f.endsWith('.py') ? 'triton' : 'cuda', text);
    const a = d.analyze();
    try { const c = structuredClone(a); if (!isDeepStrictEqual(a, c)) console.log('differs', f); } catch (e) { console.log('fail', f, String(e).slice(0, 100)); }
  }
  console.log('done');
}
main();
