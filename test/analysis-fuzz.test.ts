// Deterministic fuzzing of the analysis: seeded mutations of every fixture (delete, duplicate and
// swap spans, insert random characters, brackets, chevrons and keywords). Each case must not throw,
// must keep every range inside the text, must finish in bounded time, and (for a quarter of the
// cases) the incremental document must agree with a cold analysis. Another quarter opens the document
// on the mutated text (usually broken) and types into it, so incremental re-parses of trees with
// syntax errors (kept incremental since issue 8) are compared with cold analyses too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource, SourceDocument } from '../server/src/analysis/index';
import { prepareCudaText } from '../server/src/analysis/cuda/prepare';
import type { SourceLanguage } from '../server/src/analysis/types';
import { badRanges } from './fixture-harness';
import { seededRandom as random } from './protocol/random-edits';

const CASES = 2400;
const MAX_CASE_MS = 2000;

const SNIPPETS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '<<<',
  '>>>',
  '<',
  '>',
  '"',
  "'",
  '/*',
  '*/',
  '//',
  '\\\n',
  '#define ',
  '#define T T+1\n',
  '__global__ ',
  '__shared__ ',
  '__launch_bounds__(',
  'template <int N> ',
  'dim3 ',
  'for (int i = 0; i < K; i += ',
  ' / 0',
  '1180591620717411303424',
  '@triton.jit\n',
  'tl.dot(',
  'triton.Config({',
  'def ',
  ':\n    ',
  '\u0000',
  '\uFFFD',
  '\uD800',
  '🚀',
  '\t',
  '\r\n',
  ' ',
  ';',
  ',',
];

function mutate(text: string, next: () => number): { start: number; end: number; newText: string } {
  const pick = (n: number) => Math.floor(next() * n);
  const span = () => {
    const a = pick(text.length + 1);
    const b = Math.min(text.length, a + pick(Math.min(200, text.length + 1)));
    return [a, b] as const;
  };
  switch (pick(5)) {
    case 0: {
      const [a, b] = span();
      return { start: a, end: b, newText: '' };
    }
    case 1: {
      const [a, b] = span();
      const at = pick(text.length + 1);
      return { start: at, end: at, newText: text.slice(a, b) };
    }
    case 2: {
      const [a, b] = span();
      const [c, d] = span();
      if (b <= c) return { start: a, end: d, newText: text.slice(c, d) + text.slice(b, c) + text.slice(a, b) };
      return { start: a, end: b, newText: text.slice(c, d) };
    }
    case 3: {
      const at = pick(text.length + 1);
      let insert = '';
      for (let i = pick(8) + 1; i > 0; i--) insert += String.fromCharCode(pick(0x250));
      return { start: at, end: at, newText: insert };
    }
    default: {
      const at = pick(text.length + 1);
      let insert = '';
      for (let i = pick(4) + 1; i > 0; i--) insert += SNIPPETS[pick(SNIPPETS.length)]!;
      return { start: at, end: at, newText: insert };
    }
  }
}

function fixtures(): Array<{ name: string; language: SourceLanguage; text: string }> {
  const out: Array<{ name: string; language: SourceLanguage; text: string }> = [];
  for (const [dir, language, ext] of [
    ['cuda', 'cuda', /\.cuh?$/],
    ['triton', 'triton', /\.py$/],
  ] as const) {
    const path = join(__dirname, 'fixtures', dir);
    let names: string[] = [];
    try {
      names = readdirSync(path)
        .filter((name) => ext.test(name))
        .sort();
    } catch {
      names = [];
    }
    for (const name of names) out.push({ name: `${dir}/${name}`, language, text: readFileSync(join(path, name), 'utf8') });
  }
  return out;
}

test(`fuzz: ${CASES} seeded mutations of every fixture never throw and keep ranges well formed`, async (t) => {
  const grammars = await loadGrammars();
  const all = fixtures();
  assert.ok(all.length >= 30, 'fixtures are present');
  // TILECAST_FUZZ_SEED reruns with another seed (the default keeps CI deterministic).
  const next = random(Number(process.env.TILECAST_FUZZ_SEED ?? 20261128));
  let slowest = 0;
  let incrementalChecks = 0;
  let brokenChecks = 0;
  let brokenTrees = 0;
  for (let i = 0; i < CASES; i++) {
    const fixture = all[i % all.length]!;
    // Stack up to three mutations so later cases drift further from valid code.
    let text = fixture.text;
    const edits = [];
    for (let m = Math.floor(next() * 3) + 1; m > 0; m--) {
      const edit = mutate(text, next);
      edits.push(edit);
      text = text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
    }
    if (fixture.language === 'cuda') assert.equal(prepareCudaText(text).parseText.length, text.length, `case ${i}: the CUDA rewrite changed the length`);
    const label = `case ${i} (${fixture.name}, edits ${JSON.stringify(edits).slice(0, 300)})`;
    const started = performance.now();
    const result = analyzeSource(grammars, fixture.language, text);
    const elapsed = performance.now() - started;
    slowest = Math.max(slowest, elapsed);
    assert.ok(elapsed < MAX_CASE_MS, `${label}: took ${elapsed.toFixed(0)} ms`);
    assert.deepEqual(badRanges(result, text.length), [], label);
    const internal = result.problems.filter((p) => /internal error/.test(p.message));
    assert.deepEqual(
      internal.map((p) => p.message),
      [],
      label,
    );
    if (i % 4 === 0) {
      incrementalChecks++;
      const document = new SourceDocument(grammars, fixture.language, fixture.text);
      document.analyze();
      for (const edit of edits) document.applyEdit(edit);
      assert.equal(document.text, text, label);
      assert.deepEqual(document.analyze(), result, `${label}: incremental differs from cold`);
      document.dispose();
    } else if (i % 4 === 2) {
      // Open the mutated text, then type a few characters and delete some, analysing after each edit.
      brokenChecks++;
      const document = new SourceDocument(grammars, fixture.language, text);
      if (document.analyze().problems.some((p) => p.message.startsWith('syntax error'))) brokenTrees++;
      let typed = text;
      for (let k = 0; k < 3; k++) {
        const at = Math.floor(next() * (typed.length + 1));
        const edit =
          next() < 0.3 && at < typed.length
            ? { start: at, end: at + 1, newText: '' }
            : { start: at, end: at, newText: SNIPPETS[Math.floor(next() * SNIPPETS.length)]! };
        typed = typed.slice(0, edit.start) + edit.newText + typed.slice(edit.end);
        document.applyEdit(edit);
        assert.deepEqual(
          document.analyze(),
          analyzeSource(grammars, fixture.language, typed),
          `${label}: typing ${JSON.stringify(edit)} into it, incremental differs from cold`,
        );
      }
      document.dispose();
    }
  }
  t.diagnostic(
    `slowest case ${slowest.toFixed(1)} ms; ${incrementalChecks} incremental comparisons; ${brokenChecks} documents typed into after opening them mutated, ${brokenTrees} of them with syntax errors`,
  );
  assert.ok(brokenTrees > brokenChecks / 4, 'typing into broken trees is exercised');
});
