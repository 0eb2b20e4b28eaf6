// Line endings: old Mac OS files end lines with a lone `\r`. The grammars end line comments and
// preprocessor lines at `\n` only, so such a file once read as one long `#include` line ("no kernels
// found"). SourceDocument analyses lone `\r` as `\n` (same length), so a CR-only file must give exactly
// the analysis of the same file with `\n` (same offsets, same ranges), cold and while typing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource, SourceDocument } from '../server/src/analysis/index';
import { normalizeLineEnds } from '../server/src/analysis/document';
import type { SourceLanguage } from '../server/src/analysis/types';

function fixtures(): Array<{ name: string; language: SourceLanguage; text: string }> {
  const out: Array<{ name: string; language: SourceLanguage; text: string }> = [];
  for (const [dir, language, ext] of [
    ['cuda', 'cuda', /\.cuh?$/],
    ['triton', 'triton', /\.py$/],
  ] as const) {
    const path = join(__dirname, 'fixtures', dir);
    for (const name of readdirSync(path)
      .filter((n) => ext.test(n))
      .sort())
      out.push({ name: `${dir}/${name}`, language, text: readFileSync(join(path, name), 'utf8') });
  }
  return out;
}

test('normalizeLineEnds turns lone CR into LF and keeps CRLF and the length', () => {
  assert.equal(normalizeLineEnds('a\rb\r\nc\r'), 'a\nb\r\nc\n');
  assert.equal(normalizeLineEnds('a\rb\r\nc\r', 1, 5), '\nb\r\n');
  assert.equal(normalizeLineEnds('no breaks'), 'no breaks');
});

test('every fixture with CR-only line ends analyses exactly as with LF', async () => {
  const grammars = await loadGrammars();
  for (const fixture of fixtures()) {
    const lf = analyzeSource(grammars, fixture.language, fixture.text);
    const cr = analyzeSource(grammars, fixture.language, fixture.text.replace(/\n/g, '\r'));
    assert.deepEqual(cr, lf, fixture.name);
  }
});

test('a CR-only kernel file finds its kernel, launch and tile at the right offsets', async () => {
  const grammars = await loadGrammars();
  const text = [
    '#include <cuda_runtime.h>',
    '// a comment',
    '#define TILE 16',
    '__global__ void k(float* a, int n) { a[threadIdx.x] = 0; }',
    'int main() { k<<<4, TILE>>>(nullptr, 64); }',
    '',
  ].join('\r');
  const result = analyzeSource(grammars, 'cuda', text);
  assert.deepEqual(
    result.kernels.map((k) => [k.name, text.slice(k.nameRange.start, k.nameRange.end)]),
    [['k', 'k']],
  );
  assert.deepEqual(
    result.launches.map((l) => [l.kernel, l.grid, l.block]),
    [['k', [4, 1, 1], [16, 1, 1]]],
  );
  assert.deepEqual(
    result.tileParams.map((p) => [p.name, text.slice(p.valueRange.start, p.valueRange.end)]),
    [['TILE', '16']],
  );
  assert.deepEqual(result.problems, []);
});

test('typing into a CR-only file (line breaks added, CRLF made and unmade) keeps the cold result', async () => {
  const grammars = await loadGrammars();
  for (const name of ['tiled-16.cu', 'multi-launch.cu', 'comparisons-not-templates.cu']) {
    let text = readFileSync(join(__dirname, 'fixtures', 'cuda', name), 'utf8').replace(/\n/g, '\r');
    const document = new SourceDocument(grammars, 'cuda', text);
    document.analyze();
    const breaks = [...text.matchAll(/\r/g)].map((m) => m.index);
    const edits = [
      { start: breaks[3]! + 1, end: breaks[3]! + 1, newText: '\n' }, // \r\n
      { start: breaks[3]! + 1, end: breaks[3]! + 2, newText: '' }, // lone \r again
      { start: breaks[5]!, end: breaks[5]! + 1, newText: '' }, // two lines joined
      { start: breaks[7]!, end: breaks[7]!, newText: '\r// typed comment' },
      { start: 0, end: 0, newText: '#define EXTRA 4\r' },
    ];
    for (const edit of edits) {
      text = text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
      document.applyEdit(edit);
      assert.equal(document.text, text);
      assert.deepEqual(document.analyze(), analyzeSource(grammars, 'cuda', text), `${name}: after ${JSON.stringify(edit)}`);
    }
    document.dispose();
  }
});
