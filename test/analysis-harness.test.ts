// Checks the fixture harness itself: caret columns map to offsets on the right line, `$0` is
// stripped, and mismatches are reported with file:line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileAnalysis } from '../server/src/analysis/types';
import { checkFixture, parseFixture } from './fixture-harness';

const source = [
  'int x; $0',
  '#define TILE 16',
  '//           ^^ tile TILE=16 origin=define',
  '//           ^ problem bad_thing',
  '// expect: tileParams=1 problems=1',
].join('\n');

const tileValueStart = 'int x; \n#define TILE '.length;

function emptyAnalysis(): FileAnalysis {
  return { language: 'cuda', kernels: [], launches: [], tileParams: [], libraryCalls: [], problems: [] };
}

test('parseFixture maps carets to offsets on the nearest code line and strips $0', () => {
  const fixture = parseFixture('f.cu', source);
  assert.equal(fixture.cursor, 'int x; '.length);
  assert.equal(fixture.text.includes('$0'), false);
  assert.equal(fixture.expectations.length, 2);
  const [tile, problem] = fixture.expectations;
  assert.deepEqual(tile!.range, { start: tileValueStart, end: tileValueStart + 2 });
  assert.equal(fixture.text.slice(tile!.range.start, tile!.range.end), '16');
  assert.equal(tile!.subject, 'TILE');
  assert.deepEqual(tile!.fields, { value: '16', origin: 'define' });
  assert.equal(problem!.subject, 'bad thing');
  assert.equal(problem!.line, 4);
  assert.deepEqual(
    fixture.counts.map((c) => [c.key, c.value]),
    [
      ['tileParams', 1],
      ['problems', 1],
    ],
  );
});

test('checkFixture passes a matching analysis and names file:line on mismatch', () => {
  const fixture = parseFixture('f.cu', source);
  const good = emptyAnalysis();
  good.tileParams.push({
    name: 'TILE',
    value: 16,
    valueRange: { start: tileValueStart, end: tileValueStart + 2 },
    range: { start: 8, end: 23 },
    origin: 'define',
  });
  good.problems.push({ range: { start: tileValueStart, end: tileValueStart + 2 }, message: 'A Bad Thing happened', severity: 'warning' });
  assert.deepEqual(checkFixture(fixture, good), []);

  const bad = emptyAnalysis();
  bad.tileParams.push({ ...good.tileParams[0]!, value: 32 });
  const failures = checkFixture(fixture, bad);
  assert.ok(
    failures.some((f) => f.startsWith('f.cu:3: value: expected 16, got 32')),
    failures.join('\n'),
  );
  assert.ok(
    failures.some((f) => f.startsWith('f.cu:4: no problem')),
    failures.join('\n'),
  );
  assert.ok(
    failures.some((f) => f.startsWith('f.cu:5: expected problems=1, got 0')),
    failures.join('\n'),
  );
});

test('unknown keys and carets past the line end are failures, not silent passes', () => {
  const fixture = parseFixture('g.cu', 'int abc;\n//  ^^^^^^^^^ kernel abc\nvoid k();\n//   ^ kernel k colour=red');
  assert.ok(fixture.errors.some((e) => e.startsWith('g.cu:2: carets run past')));
  const analysis = emptyAnalysis();
  const failures = checkFixture(fixture, analysis);
  assert.ok(failures.some((f) => f.startsWith('g.cu:4: no kernel k')));
});
