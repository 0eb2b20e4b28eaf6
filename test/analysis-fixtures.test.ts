// Runs every fixture under test/fixtures/cuda and test/fixtures/triton through analyzeSource and
// checks the caret expectations written in it (format: test/fixture-harness.ts, docs/analysis.md).
// test/fixtures/cuda-instructions holds CUDA fixtures kept out of the fuzz corpus (analysis-fuzz.test.ts
// seeds its mutations by the corpus's order; a new file there reshuffles every case).
// One test per fixture file; failures name the file:line of the expectation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import type { SourceLanguage } from '../server/src/analysis/types';
import { checkFixture, parseFixture } from './fixture-harness';

const directories: Array<{ dir: string; language: SourceLanguage; extensions: string[] }> = [
  { dir: join(__dirname, 'fixtures', 'cuda'), language: 'cuda', extensions: ['.cu', '.cuh'] },
  { dir: join(__dirname, 'fixtures', 'triton'), language: 'triton', extensions: ['.py'] },
  { dir: join(__dirname, 'fixtures', 'cuda-instructions'), language: 'cuda', extensions: ['.cu'] },
];

for (const { dir, language, extensions } of directories) {
  let names: string[] = [];
  try {
    names = readdirSync(dir)
      .filter((name) => extensions.some((ext) => name.endsWith(ext)))
      .sort();
  } catch {
    names = [];
  }
  for (const name of names) {
    const path = join(dir, name);
    test(`fixture ${language}/${name}`, async () => {
      const grammars = await loadGrammars();
      const fixture = parseFixture(path.slice(path.indexOf('test/fixtures/')), readFileSync(path, 'utf8'));
      const analysis = analyzeSource(grammars, language, fixture.text);
      const failures = checkFixture(fixture, analysis);
      assert.equal(fixture.expectations.length + fixture.counts.length > 0, true, `${fixture.path}: fixture has no expectations`);
      assert.deepEqual(failures, [], failures.join('\n'));
    });
  }
}
