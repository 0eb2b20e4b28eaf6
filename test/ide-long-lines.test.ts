// Regression: the stress test's server stopped answering when a 1 MB line (no `;`, `{`, `}` or `=`)
// sat inside a kernel body: hasBoundsCheck's /([^;{}=]*)\?/g backtracked quadratically (10^12 steps)
// inside diagnosticsOf. Both tests never finished before the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import * as api from '../server/src/ide/api';
import { DEFAULT_SETTINGS } from '../server/src/ide/protocol';
import { hasBoundsCheck, ternaryConditions } from '../server/src/ide/tile-candidates';
import type { KernelInfo } from '../server/src/analysis/types';

test('hasBoundsCheck is linear on a kernel body holding a 1 MB line', () => {
  const text = `__global__ void k(float *a, int M) {\n${'x'.repeat(1_000_000)}\n  a[0] = a[1] > 0 ? 1 : 0;\n}\n`;
  const kernel = { range: { start: 0, end: text.length }, configs: [], constexprParams: [] } as unknown as KernelInfo;
  const started = performance.now();
  assert.equal(hasBoundsCheck(text, kernel), false);
  assert.equal(hasBoundsCheck(text.replace('a[1] > 0 ?', 'a[1] < M ?'), kernel), true, 'a ternary comparing with M counts');
  assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`);
});

test('ternaryConditions: the text back to the previous ; { } = or ?', () => {
  assert.deepEqual(ternaryConditions('int a = i < M ? x : y; b = c ? d ? e : f : g;'), [' i < M ', ' c ', ' d ']);
  assert.deepEqual(ternaryConditions('no question'), []);
});

test('diagnosticsOf finishes on tiled_matmul.cu with a 1 MB line in the kernel body', async () => {
  const grammars = await loadGrammars();
  const original = readFileSync(join(__dirname, '..', 'examples', 'tiled_matmul.cu'), 'utf8');
  const at = original.indexOf('{', original.indexOf('__global__')) + 1;
  const text = `${original.slice(0, at)}\n${'x'.repeat(1_000_000)}\n${original.slice(at)}`;
  const analysis = analyzeSource(grammars, 'cuda', text);
  assert.ok(
    analysis.kernels.some((k) => k.range.end - k.range.start > 1_000_000),
    'the kernel body holds the line',
  );
  const started = performance.now();
  const reports = api.buildReports({ text, analysis, gpus: [findGpu('rtx-4090')!], settings: DEFAULT_SETTINGS, predictor: null, modelError: 'none' });
  api.diagnosticsOf(reports);
  // A hang guard (before the fix this never finished), not a speed target: those live in npm run bench.
  assert.ok(performance.now() - started < 60_000, `took ${performance.now() - started} ms`);
});
