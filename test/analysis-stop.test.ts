// Stopping a re-parse that is no longer wanted (SourceDocument.shouldStop, set by the language server's
// analysis thread when a newer version supersedes the one being parsed): the stopped document keeps no
// half-resolved tree and analyses like a cold one after its next edit, and the parser it shares with
// every other document starts their next parse afresh instead of resuming the stopped one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource, SourceDocument } from '../server/src/analysis/index';
import { OVER_BUDGET } from '../server/src/analysis/document';

const example = readFileSync(join(__dirname, '..', 'examples', 'tiled_matmul.cu'), 'utf8');
const templated = readFileSync(join(__dirname, 'fixtures', 'cuda', 'templated.cu'), 'utf8');

test('a stopped parse leaves no trace: the next document parsed gets its cold analysis, the stopped one after its next edit too', async () => {
  const grammars = await loadGrammars();
  const document = new SourceDocument(grammars, 'cuda', example);
  assert.ok(document.analyze().kernels.length > 0);
  const at = example.indexOf('{', example.indexOf('__global__')) + 1;
  const junk = `\n${'a+'.repeat(50_000)}\n`;
  let checks = 0;
  document.shouldStop = () => ++checks > 3;
  document.applyEdit({ start: at, end: at, newText: junk });
  assert.ok(checks > 3, 'the parse asked whether to stop');
  assert.ok(document.analyze().problems.some((p) => p.message === OVER_BUDGET));
  assert.equal(document.syntaxTree, null);

  // Another document on the same (shared) parser: parsed from its own text, not resumed from the stopped parse.
  const other = new SourceDocument(grammars, 'cuda', templated);
  assert.deepEqual(other.analyze(), analyzeSource(grammars, 'cuda', templated));
  other.dispose();

  document.shouldStop = null;
  document.applyEdit({ start: at, end: at + junk.length, newText: '' });
  assert.deepEqual(document.analyze(), analyzeSource(grammars, 'cuda', example));
  document.dispose();
});

test('a shouldStop that never answers yes changes nothing', async () => {
  const grammars = await loadGrammars();
  const document = new SourceDocument(grammars, 'cuda', example, () => false);
  const at = example.indexOf('TILE');
  document.applyEdit({ start: at, end: at, newText: 'x' });
  const edited = example.slice(0, at) + 'x' + example.slice(at);
  assert.deepEqual(document.analyze(), analyzeSource(grammars, 'cuda', edited));
  document.dispose();
});
