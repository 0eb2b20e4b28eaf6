// Every editor feature on every analysis fixture (broken ones included), with and without a predictor,
// on old and new GPUs: nothing throws, every range lies inside the text, every edit's range too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import * as api from '../server/src/ide/api';
import { DEFAULT_SETTINGS } from '../server/src/ide/protocol';
import { fakePredictor } from './ide-harness';

const sources: Array<{ path: string; language: 'cuda' | 'triton' }> = [];
for (const [dir, language] of [
  ['cuda', 'cuda'],
  ['triton', 'triton'],
  ['ide', null],
] as const) {
  for (const name of readdirSync(join(__dirname, 'fixtures', dir)).sort()) {
    const lang = language ?? (name.endsWith('.py') ? 'triton' : 'cuda');
    if (/\.(cu|cuh|py)$/.test(name)) sources.push({ path: join(__dirname, 'fixtures', dir, name), language: lang });
  }
}

const gpus = ['rtx-4090', 'gtx-680', 'h100-sxm'].map((id) => findGpu(id)!);

const variants = [
  { name: 'fake predictor', predictor: fakePredictor(), gpus },
  { name: 'no predictor', predictor: null, gpus },
  { name: 'no GPU resolved', predictor: fakePredictor(), gpus: [] },
];
for (const { name, predictor, gpus } of variants) {
  test(`every feature on every fixture (${name}): no throw, ranges inside the text`, async () => {
    const grammars = await loadGrammars();
    for (const { path, language } of sources) {
      const text = readFileSync(path, 'utf8').replace('$0', '');
      const analysis = analyzeSource(grammars, language, text);
      const reports = api.buildReports({ text, analysis, gpus, settings: DEFAULT_SETTINGS, predictor, modelError: predictor ? null : 'missing' });
      const inside = (r: { start: number; end: number }, what: string) =>
        assert.ok(Number.isInteger(r.start) && r.start >= 0 && r.start <= r.end && r.end <= text.length, `${path}: ${what} [${r.start}, ${r.end})`);
      const offsets = new Set<number>([0, text.length]);
      for (let o = 0; o < text.length; o += 97) offsets.add(o);
      for (const r of reports.reports) {
        offsets.add(r.range.start);
        offsets.add(r.range.end - 1);
      }
      for (const p of analysis.tileParams) offsets.add(p.valueRange.start);
      for (const k of analysis.kernels) offsets.add(k.nameRange.start);
      const diagnostics = api.diagnosticsOf(reports);
      diagnostics.forEach((d) => inside(d.range, `diagnostic ${d.code}`));
      api.codeLensesOf(reports).forEach((l) => inside(l.range, 'lens'));
      api.inlayHintsIn(reports, { start: 0, end: text.length }).forEach((h) => inside({ start: h.offset, end: h.offset }, 'hint'));
      assert.ok(api.exportCsv(reports).rows >= 0);
      for (const offset of offsets) {
        const hover = api.hoverAt(reports, offset);
        if (hover) {
          inside(hover.range, 'hover');
          assert.ok(hover.markdown.length > 0);
        }
        for (const action of api.codeActionsAt(
          reports,
          { start: offset, end: offset },
          diagnostics.map((d) => d.code),
        )) {
          action.edits.forEach((e) => inside(e.range, `edit of "${action.title}"`));
          const sorted = [...action.edits].sort((a, b) => a.range.start - b.range.start);
          sorted.slice(1).forEach((e, i) => assert.ok(e.range.start >= sorted[i]!.range.end, `${path}: overlapping edits in "${action.title}"`));
        }
        const edit = api.problemSizeAnnotationEdit(reports, offset, { m: 64, n: 64, k: 64 });
        if (edit) inside(edit.range, 'annotation edit');
      }
      for (const offset of [...offsets].slice(0, 8)) {
        api.rooflineAt(reports, offset);
        api.tileSweepAt(reports, offset);
        api.compareGpusAt(reports, offset, gpus);
      }
    }
  });
}
