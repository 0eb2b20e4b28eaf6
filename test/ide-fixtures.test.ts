// Runs every editor fixture under test/fixtures/ide through analysis, buildReports (with the fake
// predictor of test/ide-harness.ts) and each feature's check helper. One test per fixture file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { checkActions, checkDiagnostics, checkHints, checkHovers, checkLenses, parseIdeFixture, reportsOf } from './ide-harness';

const dir = join(__dirname, 'fixtures', 'ide');
const names = readdirSync(dir)
  .filter((name) => /\.(cu|cuh|py)$/.test(name))
  .sort();

for (const name of names) {
  test(`ide fixture ${name}`, async () => {
    const grammars = await loadGrammars();
    const fixture = parseIdeFixture(`test/fixtures/ide/${name}`, readFileSync(join(dir, name), 'utf8'));
    const analysis = analyzeSource(grammars, name.endsWith('.py') ? 'triton' : 'cuda', fixture.text);
    const reports = reportsOf(fixture, analysis);
    const failures = [...fixture.errors];
    checkHints(fixture, reports, failures);
    checkHovers(fixture, reports, failures);
    checkDiagnostics(fixture, reports, failures);
    checkActions(fixture, reports, failures);
    checkLenses(fixture, reports, failures);
    assert.ok(fixture.expectations.length > 0, `${fixture.path}: fixture has no expectations`);
    assert.deepEqual(failures, [], failures.join('\n'));
  });
}
