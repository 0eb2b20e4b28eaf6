// Editor-feature fixtures (test/fixtures/ide/): the fake predictor they run with, the `// ide:` settings
// line, and one check helper per feature comparing the pure core's answer with the carets written in the
// fixture. Test-only; it decides nothing about what the features should say.
import type { FileAnalysis } from '../server/src/analysis/types';
import type { GemmWorkload, GpuSpec } from '../server/src/perf/types';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import type { GemmPredictor, MeasurementMethod, PredictionValues, PredictOptions } from '../server/src/report/prediction';
import { buildReports, codeActionsAt, codeLensesOf, diagnosticsOf, hoverAt, inlayHintsIn, type DocumentReports } from '../server/src/ide/api';
import { DEFAULT_SETTINGS, DIAGNOSTIC_CODES, type DiagnosticCode, type RuleSeverity, type TilecastSettings } from '../server/src/ide/protocol';
import { parseFixture, type Expectation, type ParsedFixture } from './fixture-harness';

export const IDE_KINDS = ['hint', 'nohint', 'hover', 'nohover', 'diagnostic', 'action', 'noaction', 'lens'];

/** Sustained TFLOP/s the fake gives each GPU: fixed here so catalogue edits never move the fixtures. */
const FAKE_TFLOPS: Record<string, number> = { 'rtx-4090': 50, t4: 8, 'h100-sxm': 60, 'a100-sxm4-80gb': 19.5 };

export interface FakeOptions {
  /** Watts per doubling of the tile area (BM·BN): large values make smaller tiles energy-optimal. */
  powerSlope?: number;
  /** Half-width of the runtime interval as a fraction (0.1 = ±10%). */
  interval?: number;
  /** The fastest BM and BN (64 by default). */
  centre?: number;
  /** GPU ids on which the fake says it extrapolates (issue 9), with a note naming the GPU. */
  extrapolateOn?: string[];
}

/** Fixed timing overhead the fake adds per measurement method (ms), so a test sees the method arrive. */
export const FAKE_METHOD_OVERHEAD_MS: Record<MeasurementMethod, number> = { kernel: 0, 'pytorch-eager': 0.05, 'triton-do-bench': 0.02 };

/**
 * A deterministic stand-in for the model: runtime = flops / (GPU rate) × a penalty that grows with
 * the log-distance of the tile from centre×centre×16 (centre 64; TM·TN 16, 4 warps, 3 stages); power grows with the tile
 * area. A function of the workload only, so retraining the real model never changes a fixture.
 */
export function fakePredictor(options: FakeOptions = {}): GemmPredictor {
  const slope = options.powerSlope ?? 20;
  const half = options.interval ?? 0.1;
  const centre = options.centre ?? 64;
  const dist = (v: number | undefined, centre: number, weight: number) => (v && v > 0 ? weight * Math.abs(Math.log2(v / centre)) : 0);
  return {
    predict(w: GemmWorkload, gpu: GpuSpec, predictOptions?: PredictOptions): PredictionValues {
      const t = w.tile ?? {};
      const flops = 2 * w.m * w.n * w.k * (w.batch || 1);
      const penalty =
        1 +
        dist(t.blockM ?? 64, centre, 0.25) +
        dist(t.blockN ?? 64, centre, 0.25) +
        dist(t.blockK ?? 16, 16, 0.1) +
        dist((t.threadM ?? 4) * (t.threadN ?? 4), 16, 0.05) +
        dist(t.warps, 4, 0.05) +
        (t.stages ? 0.05 * Math.abs(t.stages - 3) : 0);
      const runtimeMs = (flops / ((FAKE_TFLOPS[gpu.id] ?? 20) * 1e12)) * 1000 * penalty + FAKE_METHOD_OVERHEAD_MS[predictOptions?.method ?? 'kernel'];
      const extrapolating = options.extrapolateOn?.includes(gpu.id) ?? false;
      const powerW = Math.max(10, 100 + slope * Math.log2(((t.blockM ?? 64) * (t.blockN ?? 64)) / 1024));
      return {
        runtimeMs,
        runtimeLoMs: runtimeMs * (1 - half),
        runtimeHiMs: runtimeMs * (1 + half),
        powerW,
        powerLoW: powerW * 0.95,
        powerHiW: powerW * 1.05,
        energyMj: runtimeMs * powerW,
        energyLoMj: runtimeMs * (1 - half) * powerW * 0.95,
        energyHiMj: runtimeMs * (1 + half) * powerW * 1.05,
        ...(extrapolating ? { extrapolating: true, extrapolationNotes: [`${gpu.id} is not in the training data`] } : {}),
      };
    },
  };
}

export interface IdeFixture extends ParsedFixture {
  gpus: GpuSpec[];
  settings: TilecastSettings;
  predictor: GemmPredictor | null;
  modelError: string | null;
}

/** Reads the fixture and its `// ide: key=value ...` line (gpus, inlayHints, predictor=none, powerSlope, interval, centre, <code>=<severity>). */
export function parseIdeFixture(path: string, raw: string): IdeFixture {
  const parsed = parseFixture(path, raw, IDE_KINDS);
  const line = /(?:\/\/|#)\s*ide:(.*)/.exec(parsed.text)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const pair of line.trim().split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const gpuIds = (fields.gpus ?? 'rtx-4090').split(',');
  const gpus = gpuIds.map((id) => findGpu(id)).filter((g): g is GpuSpec => g !== undefined);
  if (gpus.length !== gpuIds.length) parsed.errors.push(`${path}: unknown GPU in ${fields.gpus}`);
  const diagnostics: Partial<Record<DiagnosticCode, RuleSeverity>> = {};
  for (const code of DIAGNOSTIC_CODES) if (fields[code]) diagnostics[code] = fields[code] as RuleSeverity;
  const settings: TilecastSettings = {
    ...DEFAULT_SETTINGS,
    gpus: gpuIds,
    diagnostics,
    inlayHints: (fields.inlayHints as TilecastSettings['inlayHints']) ?? DEFAULT_SETTINGS.inlayHints,
  };
  const none = fields.predictor === 'none';
  const predictor = none
    ? null
    : fakePredictor({
        powerSlope: fields.powerSlope ? Number(fields.powerSlope) : undefined,
        interval: fields.interval ? Number(fields.interval) : undefined,
        centre: fields.centre ? Number(fields.centre) : undefined,
      });
  return { ...parsed, gpus, settings, predictor, modelError: none ? 'runtime model: bad magic (test)' : null };
}

export function reportsOf(fixture: IdeFixture, analysis: FileAnalysis): DocumentReports {
  return buildReports({
    text: fixture.text,
    analysis,
    gpus: fixture.gpus,
    settings: fixture.settings,
    predictor: fixture.predictor,
    modelError: fixture.modelError,
  });
}

/** Reports of a text on the RTX 4090 with the default settings and the fake predictor (centre 128): for tests that build their text. */
export function fakeReports(text: string, analysis: FileAnalysis): DocumentReports {
  return buildReports({
    text,
    analysis,
    gpus: [findGpu('rtx-4090')!],
    settings: DEFAULT_SETTINGS,
    predictor: fakePredictor({ centre: 128 }),
    modelError: null,
  });
}

const show = (text: string, r: { start: number; end: number }) => JSON.stringify(text.slice(r.start, r.end));
const where = (f: IdeFixture, e: Expectation) => `${f.path}:${e.line}`;

/** A label pattern: exact text, where `*` matches anything (for analytic numbers that are not the fake's). */
function matches(pattern: string, text: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(text);
}

/** `hint LABEL`: a hint at the caret range's end with that label (`*` a wildcard). `nohint`: none inside the carets. */
export function checkHints(f: IdeFixture, reports: DocumentReports, failures: string[]): void {
  const hints = inlayHintsIn(reports, { start: 0, end: f.text.length });
  for (const e of f.expectations) {
    if (e.kind === 'hint') {
      const at = hints.filter((h) => h.offset === e.range.end);
      if (!at.some((h) => matches(e.rest, h.label)))
        failures.push(`${where(f, e)}: no hint "${e.rest}" after ${show(f.text, e.range)} (have: ${at.map((h) => h.label).join(' | ') || 'none'})`);
    } else if (e.kind === 'nohint') {
      const inside = hints.filter((h) => h.offset >= e.range.start && h.offset <= e.range.end);
      if (inside.length > 0) failures.push(`${where(f, e)}: unexpected hint ${inside.map((h) => h.label).join(' | ')}`);
    }
  }
}

/** `hover TEXT`: the hover at `$0` (if inside the carets) or the caret start covers the carets and contains TEXT. */
export function checkHovers(f: IdeFixture, reports: DocumentReports, failures: string[]): void {
  for (const e of f.expectations) {
    if (e.kind !== 'hover' && e.kind !== 'nohover') continue;
    const offset = f.cursor !== null && f.cursor >= e.range.start && f.cursor <= e.range.end ? f.cursor : e.range.start;
    const result = hoverAt(reports, offset);
    if (e.kind === 'nohover') {
      if (result) failures.push(`${where(f, e)}: unexpected hover ${JSON.stringify(result.markdown.slice(0, 80))}`);
      continue;
    }
    if (!result) {
      failures.push(`${where(f, e)}: no hover at ${show(f.text, e.range)}`);
      continue;
    }
    if (result.range.start !== e.range.start || result.range.end !== e.range.end)
      failures.push(`${where(f, e)}: hover covers ${show(f.text, result.range)}, expected ${show(f.text, e.range)}`);
    if (!result.markdown.includes(e.rest)) failures.push(`${where(f, e)}: hover lacks "${e.rest}":\n${result.markdown}`);
  }
}

/** `diagnostic CODE SEVERITY [TEXT]`: exactly that range, code and severity, message containing TEXT. */
export function checkDiagnostics(f: IdeFixture, reports: DocumentReports, failures: string[]): void {
  const all = diagnosticsOf(reports);
  for (const e of f.expectations) {
    if (e.kind !== 'diagnostic') continue;
    const [code = '', severity = '', ...words] = e.rest.split(/\s+/);
    const text = words.join(' ');
    const hit = all.find((d) => d.code === code && d.range.start === e.range.start && d.range.end === e.range.end);
    if (!hit) {
      failures.push(
        `${where(f, e)}: no ${code} diagnostic on ${show(f.text, e.range)} (have: ${all.map((d) => `${d.code}@${show(f.text, d.range)}`).join(', ') || 'none'})`,
      );
      continue;
    }
    if (hit.severity !== severity) failures.push(`${where(f, e)}: ${code} severity ${hit.severity}, expected ${severity}`);
    if (!hit.message.includes(text)) failures.push(`${where(f, e)}: ${code} message "${hit.message}" lacks "${text}"`);
    if (hit.docPath !== `docs/diagnostics.md#${code}`) failures.push(`${where(f, e)}: docPath ${hit.docPath}`);
  }
  const expected = f.counts.find((c) => c.key === 'diagnostics');
  if (expected && expected.value !== all.length)
    failures.push(
      `${f.path}:${expected.line}: expected ${expected.value} diagnostics, got ${all.length}: ${all.map((d) => `${d.code}: ${d.message}`).join('; ')}`,
    );
}

/**
 * `action TITLE => NEWTEXT`: asked at `$0` (else at the carets), an action whose title contains TITLE
 * has an edit replacing exactly the carets with NEWTEXT; `action quickfix: TITLE`: and it is a quickfix
 * for a diagnostic at the asked range. `noaction TITLE`: no such action.
 */
export function checkActions(f: IdeFixture, reports: DocumentReports, failures: string[]): void {
  const codes = diagnosticsOf(reports);
  for (const e of f.expectations) {
    if (e.kind !== 'action' && e.kind !== 'noaction') continue;
    const asked = f.cursor !== null ? { start: f.cursor, end: f.cursor } : e.range;
    const here = codes.filter((d) => d.range.start <= asked.end && d.range.end >= asked.start).map((d) => d.code);
    const actions = codeActionsAt(reports, asked, here);
    const [rawTitle = '', newText] = e.rest.split(' => ');
    // `action quickfix: TITLE`: the action must be a quickfix (for a diagnostic at the asked range).
    const quickfix = rawTitle.startsWith('quickfix: ');
    const title = quickfix ? rawTitle.slice('quickfix: '.length) : rawTitle;
    const matching = actions.filter((a) => a.title.includes(title.trim()) && (!quickfix || (a.kind === 'quickfix' && (a.fixes?.length ?? 0) > 0)));
    if (e.kind === 'noaction') {
      if (matching.length > 0) failures.push(`${where(f, e)}: unexpected action "${matching[0]!.title}"`);
      continue;
    }
    if (matching.length === 0) {
      failures.push(`${where(f, e)}: no action with "${title.trim()}" (have: ${actions.map((a) => a.title).join(' | ') || 'none'})`);
      continue;
    }
    if (newText === undefined) continue;
    const ok = matching.some((a) =>
      a.edits.some((edit) => edit.range.start === e.range.start && edit.range.end === e.range.end && edit.newText === newText.trim()),
    );
    if (!ok)
      failures.push(
        `${where(f, e)}: "${title.trim()}" edits ${matching.map((a) => a.edits.map((x) => `${show(f.text, x.range)}->${JSON.stringify(x.newText)}`).join(',')).join(' | ')}, expected ${show(f.text, e.range)}->${JSON.stringify(newText.trim())}`,
      );
  }
}

/** `lens TITLE`: a code lens starting at the carets with exactly that title. */
export function checkLenses(f: IdeFixture, reports: DocumentReports, failures: string[]): void {
  const lenses = codeLensesOf(reports);
  for (const e of f.expectations) {
    if (e.kind !== 'lens') continue;
    const at = lenses.filter((l) => l.range.start === e.range.start);
    if (!at.some((l) => l.title === e.rest))
      failures.push(`${where(f, e)}: no lens "${e.rest}" at ${show(f.text, e.range)} (have: ${at.map((l) => l.title).join(' | ') || 'none'})`);
  }
}
