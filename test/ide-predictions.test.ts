// Issue 9's prediction features in the editor: the measurement method reaches every prediction, and
// extrapolating predictions are marked in hovers, inlay hints and the GPU comparison. Fake predictor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import type { GemmPredictor, MeasurementMethod } from '../server/src/report/prediction';
import * as api from '../server/src/ide/api';
import { compareGpus } from '../server/src/ide/chart-data';
import { DEFAULT_SETTINGS, type TilecastSettings } from '../server/src/ide/protocol';
import { NEAR_TIE_OFFERS } from '../server/src/ide/code-actions';
import { candidateContext, rankCandidates, tunablesOf } from '../server/src/ide/tile-candidates';
import { topConfigurations } from '../server/src/report/top-configs';
import { fakePredictor } from './ide-harness';

const fixture = (path: string) => readFileSync(join(__dirname, 'fixtures', path), 'utf8').replace('$0', '');

async function reportsFor(text: string, settings: Partial<TilecastSettings>, predictor: GemmPredictor, gpus = ['rtx-4090']) {
  return api.buildReports({
    text,
    analysis: analyzeSource(await loadGrammars(), 'cuda', text),
    gpus: gpus.map((id) => findGpu(id)!),
    settings: { ...DEFAULT_SETTINGS, ...settings },
    predictor,
    modelError: null,
  });
}

/** Records the method of every predict and predictBatch call. */
function recording(inner: GemmPredictor): { predictor: GemmPredictor; methods: Array<MeasurementMethod | undefined> } {
  const methods: Array<MeasurementMethod | undefined> = [];
  return {
    methods,
    predictor: {
      predict: (w, g, options) => {
        methods.push(options?.method);
        return inner.predict(w, g, options);
      },
      predictBatch: (items) =>
        items.map((item) => {
          methods.push(item.method);
          return inner.predict(item.workload, item.gpu, item.method ? { method: item.method } : undefined);
        }),
    },
  };
}

test('tilecast.measurementMethod reaches every prediction: hints, hovers, the GPU comparison and tile actions', async () => {
  const text = fixture('ide/tile-action.cu');
  const whole = { start: 0, end: text.length };
  const at = text.indexOf('TILE 16') + 5;
  const shown = async (method: MeasurementMethod) => {
    const { predictor, methods } = recording(fakePredictor());
    const reports = await reportsFor(text, { inlayHints: 'time', measurementMethod: method }, predictor, ['rtx-4090', 't4']);
    const hints = api.inlayHintsIn(reports, whole).map((h) => h.label);
    const hover = api.hoverAt(reports, reports.reports[0]!.range.start)?.markdown ?? '';
    const rows = compareGpus(reports, reports.reports[0]!.range.start, []).rows.map((r) => r.timeMs?.value);
    const actions = api.codeActionsAt(reports, { start: at, end: at }, []).map((a) => a.title);
    return { hints, hover, rows, actions, methods };
  };
  const kernel = await shown('kernel');
  const eager = await shown('pytorch-eager');
  assert.ok(
    kernel.methods.length > 5 && kernel.methods.every((m) => m === 'kernel'),
    `every call said kernel: ${kernel.methods.length} ${[...new Set(kernel.methods)]}`,
  );
  assert.ok(eager.methods.length > 5 && eager.methods.every((m) => m === 'pytorch-eager'), `every call said pytorch-eager: ${[...new Set(eager.methods)]}`);
  // The fake adds 0.05 ms for PyTorch eager timing: every runtime shown moves by it.
  assert.notDeepEqual(eager.hints, kernel.hints);
  kernel.rows.forEach((ms, i) => assert.ok(Math.abs(eager.rows[i]! - ms! - 0.05) < 1e-9, `GPU ${i}: ${eager.rows[i]} vs ${ms}`));
  assert.notEqual(eager.hover, kernel.hover);
  assert.ok(kernel.actions.length > 0 && eager.actions.length > 0);
});

test('an extrapolating prediction: the hover says why, the hint is marked, the GPU comparison row is flagged', async () => {
  const text = fixture('ide/tile-action.cu');
  const whole = { start: 0, end: text.length };
  const predictor = fakePredictor({ extrapolateOn: ['t4'] });
  const onT4 = await reportsFor(text, { inlayHints: 'time' }, predictor, ['t4', 'rtx-4090']);
  const on4090 = await reportsFor(text, { inlayHints: 'time' }, predictor, ['rtx-4090', 't4']);
  const launch = (r: api.DocumentReports) => r.reports[0]!.range.start;

  const hintT4 = api.inlayHintsIn(onT4, whole);
  const hint4090 = api.inlayHintsIn(on4090, whole);
  assert.ok(hintT4.length > 0);
  for (const h of hintT4) {
    assert.match(h.label, / \(extrap\.\)$/);
    assert.match(
      h.tooltip ?? '',
      /extrapolating: t4 is not in the training data; the learned correction is shrunk toward the analytic model, interval widened/,
    );
  }
  for (const h of hint4090) assert.doesNotMatch(`${h.label}\n${h.tooltip}`, /extrap/);

  const hover = api.hoverAt(onT4, launch(onT4))!.markdown;
  assert.match(hover, /extrapolating: t4 is not in the training data; the learned correction is shrunk toward the analytic model, interval widened/);
  // With the 4090 primary, only the T4 row of the per-GPU table says so.
  const table = api
    .hoverAt(on4090, launch(on4090))!
    .markdown.split('\n')
    .filter((l) => l.startsWith('| '));
  assert.match(table.find((l) => l.includes('T4'))!, /extrapolating/);
  assert.doesNotMatch(table.find((l) => l.includes('4090'))!, /extrapolating/);

  const rows = compareGpus(on4090, launch(on4090), []).rows;
  assert.deepEqual(
    rows.map((r) => [r.gpuId, r.extrapolating ?? false]),
    [
      ['rtx-4090', false],
      ['t4', true],
    ],
  );
});

test('tile actions offer the near-ties of `tilecast predict --top K`: same candidates, same count, same order', async () => {
  const text = fixture('ide/tile-action-near-tie.cu');
  const predictor = fakePredictor({ interval: 0.6 });
  const reports = await reportsFor(text, {}, predictor);
  const gpu = findGpu('rtx-4090')!;
  const at = text.indexOf('TILE 16') + 5;
  const titles = api
    .codeActionsAt(reports, { start: at, end: at }, [])
    .map((a) => a.title)
    .filter((t) => !t.includes('least energy'));
  // The CLI's path: every candidate workload predicted as a CSV row would be, ranked by topConfigurations (input reversed).
  const report = reports.reports[0]!;
  const params = tunablesOf(reports, report);
  const ranked = rankCandidates(report, reports.input.analysis.tileParams, params, candidateContext(reports, report, gpu));
  const rows = [...ranked]
    .reverse()
    .map((c, index) => ({ index, group: 'g', value: c.overrides[0]!.value, p: predictor.predict(c.workload, gpu, { method: 'kernel' }) }));
  const cli = topConfigurations(
    rows.map((r) => ({ index: r.index, group: r.group, runtimeMs: r.p.runtimeMs, runtimeHiMs: r.p.runtimeHiMs })),
    NEAR_TIE_OFFERS,
  );
  const nearTies = cli.groups[0]!.nearTies;
  assert.ok(nearTies >= 3, `the wide interval makes several near-ties (${nearTies})`);
  const expected = cli.picks
    .filter((p) => p.nearTie)
    .map((p) => rows[p.index]!.value)
    .filter((v) => v !== 16);
  assert.deepEqual(
    titles.map((t) => Number(/TILE = (\d+)/.exec(t)![1])),
    expected,
  );
  for (const t of titles) assert.match(t, new RegExp(`; ${nearTies} configurations within the uncertainty of the best`));
});

test('a prediction without an interval: the best candidate is still offered (top-configs falls back to its time)', async () => {
  const text = fixture('ide/tile-action.cu');
  const inner = fakePredictor();
  const noInterval: GemmPredictor = { predict: (w, g, o) => ({ ...inner.predict(w, g, o), runtimeLoMs: NaN, runtimeHiMs: NaN }) };
  const reports = await reportsFor(text, {}, noInterval);
  const at = text.indexOf('TILE 16') + 5;
  const time = api.codeActionsAt(reports, { start: at, end: at }, []).filter((a) => !a.title.includes('least energy'));
  assert.deepEqual(
    time.map((a) => [/TILE = (\d+)/.exec(a.title)![1], a.isPreferred]),
    [['32', true]],
  );
});

test('candidate lists are scored as one ranked group with the current configuration as reference: tile actions, tile sweep, neighbour hover', async () => {
  const text = fixture('ide/tile-action.cu');
  const at = text.indexOf('TILE 16') + 5;
  const batches: Array<Array<{ group?: string | number; reference?: boolean; workload: unknown }>> = [];
  const inner = fakePredictor();
  const predictor: GemmPredictor = {
    predict: (w, g, options) => inner.predict(w, g, options),
    predictBatch: (items) => {
      batches.push(items.map((i) => ({ group: i.group, reference: i.reference, workload: i.workload })));
      return items.map((i) => inner.predict(i.workload, i.gpu, i.method ? { method: i.method } : undefined));
    },
  };
  const reports = await reportsFor(text, {}, predictor);
  const current = reports.reports[0]!.workload;
  const check = (what: string, run: () => unknown) => {
    batches.length = 0;
    run();
    assert.ok(batches.length > 0, `${what}: scored through the batch path`);
    for (const items of batches) {
      assert.equal(new Set(items.map((i) => i.group)).size, 1, `${what}: one group per batch`);
      assert.notEqual(items[0]!.group, undefined, `${what}: grouped`);
      const refs = items.filter((i) => i.reference);
      assert.equal(refs.length, 1, `${what}: one reference`);
      assert.deepEqual(refs[0]!.workload, current, `${what}: the reference is the configuration as written`);
    }
  };
  check('tile actions', () => api.codeActionsAt(reports, { start: at, end: at }, []));
  check('tile sweep', () => api.tileSweepAt(reports, reports.reports[0]!.range.start));
  check('neighbour hover', () => api.hoverAt(reports, at));
});
