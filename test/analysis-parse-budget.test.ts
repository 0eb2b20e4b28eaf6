// A time budget on tree-sitter parsing (analysis/document.ts): junk text that costs the parser seconds
// (a 1 MB `a+a+...` line) is cancelled after the budget and reported, and the next edit analyses again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { SourceDocument } from '../server/src/analysis/index';
import { OVER_BUDGET } from '../server/src/analysis/document';

test('a 1 MB a+a+... line is cancelled at the parse budget, reported, and the next edit analyses again', async (t) => {
  const grammars = await loadGrammars();
  const text = readFileSync(join(__dirname, '..', 'examples', 'tiled_matmul.cu'), 'utf8');
  const document = new SourceDocument(grammars, 'cuda', text);
  document.parseBudgetMs = 200;
  const kernels = document.analyze().kernels.length;
  assert.ok(kernels > 0);
  const at = text.indexOf('{', text.indexOf('__global__')) + 1;
  const junk = `\n${'a+'.repeat(500_000)}\n`;
  const started = performance.now();
  document.applyEdit({ start: at, end: at, newText: junk });
  const analysis = document.analyze();
  const elapsed = performance.now() - started;
  assert.ok(
    analysis.problems.some((p) => p.message === OVER_BUDGET),
    JSON.stringify(analysis.problems),
  );
  // How long the cancelled edit takes is a figure for the bench (npm run bench -- lsp), not a unit test:
  // OVER_BUDGET above shows the budget cut the parse short.
  t.diagnostic(`the cancelled edit took ${elapsed.toFixed(0)} ms`);
  document.applyEdit({ start: at, end: at + junk.length, newText: '' });
  const again = document.analyze();
  assert.equal(again.kernels.length, kernels);
  assert.ok(!again.problems.some((p) => p.message === OVER_BUDGET));
  document.dispose();
});

test('without the budget the same line takes the parser far longer (over three times the 200 ms budget of the test above)', async () => {
  const grammars = await loadGrammars();
  const text = readFileSync(join(__dirname, '..', 'examples', 'tiled_matmul.cu'), 'utf8');
  const document = new SourceDocument(grammars, 'cuda', text);
  document.parseBudgetMs = Infinity;
  const at = text.indexOf('{', text.indexOf('__global__')) + 1;
  const started = performance.now();
  document.applyEdit({ start: at, end: at, newText: `\n${'a+'.repeat(500_000)}\n` });
  const analysis = document.analyze();
  assert.ok(!analysis.problems.some((p) => p.message === OVER_BUDGET));
  assert.ok(performance.now() - started > 600, `took ${(performance.now() - started).toFixed(0)} ms`);
  document.dispose();
});
