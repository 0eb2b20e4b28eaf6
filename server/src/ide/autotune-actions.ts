// Code actions on a Triton autotune list: sort its configs by predicted time on the primary GPU, keep
// the k fastest, and add the predicted-best config the list lacks. Edits replace config ranges from the
// analysis (or insert after the last one); nothing is re-printed but the added config. Pure.
import type { TritonConfig } from '../analysis/types';
import type { GemmWorkload, GpuSpec } from '../perf/types';
import type { CodeActionItem, DocumentReports, TextEditItem } from './api';
import { formatTime } from './render';
import { predictOptionsOf, type KernelReport } from './reports';
import { workloadTileParams } from '../perf/workload-from-analysis';
import { tileFieldOf } from '../perf/workload-from-analysis';
import { checkCandidate, scoreCandidates, tritonConfigWorkload, type CandidateContext, type ScoreItem } from './tile-candidates';

/** How many configs "keep the fastest" keeps. */
export const KEEP_FASTEST = 3;
const BLOCK_MN = [32, 64, 128, 256];
const BLOCK_K = [32, 64, 128];
const WARPS = [2, 4, 8];
const STAGES = [2, 3, 4, 5];

function signedPercent(fraction: number): string {
  const p = Math.round(fraction * 100);
  return p > 0 ? `+${p}%` : p < 0 ? `−${-p}%` : '±0%';
}

/** The text a new config is written as, in the quote style of an existing one. */
export function configText(params: Record<string, number | null>, numWarps: number, numStages: number, quote: string): string {
  const entries = Object.entries(params)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${quote}${k}${quote}: ${v}`);
  return `triton.Config({${entries.join(', ')}}, num_stages=${numStages}, num_warps=${numWarps})`;
}

export function autotuneActions(reports: DocumentReports, report: KernelReport): CodeActionItem[] {
  const kernel = report.kernel;
  const gpu = reports.input.gpus[0];
  if (!kernel || !gpu || kernel.configs.length === 0) return [];
  const configReports = reports.reports.filter((r) => r.subject === 'triton-config' && r.kernel?.name === kernel.name);
  if (configReports.length !== kernel.configs.length || !writtenOut(kernel.configs)) return [];
  const text = reports.text;
  const ctx = autotuneContext(reports, gpu);
  const { times, reference } = listedConfigTimes(configReports, ctx);
  const configs = kernel.configs;
  const texts = configs.map((c) => text.slice(c.range.start, c.range.end));
  const order = configs.map((_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  const out: CodeActionItem[] = [];
  const on = ` on ${gpu.name}`;
  if (order.some((index, slot) => index !== slot)) {
    const edits: TextEditItem[] = configs
      .map((c, slot) => ({ range: { ...c.range }, newText: texts[order[slot]!]! }))
      .filter((_, slot) => order[slot] !== slot);
    out.push({ title: `Sort the autotune configs by predicted time${on} (fastest first)`, kind: 'refactor.rewrite', edits });
  }
  // Keeping a subset rewrites the list between the first and last config: only for a plain list.
  const separators = configs.slice(1).map((c, i) => text.slice(configs[i]!.range.end, c.range.start));
  // Comments between configs are allowed (and dropped by the rewrite); anything else is not a plain list.
  const plainList = separators.every((s) => /^\s*,(?:\s|#[^\n]*)*$/.test(s));
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  const indentOf = (offset: number) => /^\s*/.exec(text.slice(lineStart(offset), offset))?.[0] ?? '';
  const joiner = separators.length > 0 && !separators[0]!.includes('\n') ? ', ' : `,\n${indentOf(configs[configs.length - 1]!.range.start)}`;
  if (plainList && configs.length > KEEP_FASTEST) {
    const kept = order.slice(0, KEEP_FASTEST).filter((i) => Number.isFinite(times[i]!));
    if (kept.length > 0) {
      out.push({
        title: `Keep the ${kept.length} fastest autotune configs (predicted ${kept.map((i) => formatTime(times[i]!)).join(', ')}${on})`,
        kind: 'refactor.rewrite',
        edits: [{ range: { start: configs[0]!.range.start, end: configs[configs.length - 1]!.range.end }, newText: kept.map((i) => texts[i]).join(joiner) }],
      });
    }
  }
  const fastest = Math.min(...times);
  const added = bestMissingConfig(reports, configReports[0]!, configs, ctx, reference);
  if (added && added.timeMs < fastest) {
    const last = configs[configs.length - 1]!;
    const quote = texts[0]!.includes('"') && !texts[0]!.includes("'") ? '"' : "'";
    const newText = configText(added.params, added.numWarps, added.numStages, quote);
    const versus = Number.isFinite(fastest) ? `, ${signedPercent(added.timeMs / fastest - 1)} vs the fastest listed` : '; no listed config can run';
    out.push({
      title: `Add ${newText} (predicted ${formatTime(added.timeMs)}${versus}${on})`,
      kind: 'refactor.rewrite',
      edits: [{ range: { start: last.range.end, end: last.range.end }, newText: `${joiner}${newText}` }],
    });
  }
  return out;
}

/** How the autotune actions and a config's hover score configs on `gpu` (Triton's masked loads check bounds). */
export function autotuneContext(reports: DocumentReports, gpu: GpuSpec): CandidateContext {
  return { gpu, predictor: reports.input.predictor, method: predictOptionsOf(reports.input.settings).method, boundsChecked: true };
}

/**
 * The predicted time of each config of an autotune list (its reports, in list order) on ctx.gpu, Infinity
 * where it cannot run. The configs are one ranked group (scoreCandidates): the first that can run is the
 * reference and keeps its own prediction, the others are placed by the learned correction's shape; the
 * list's missing configs are placed against the same reference, so all these times compare.
 */
export function listedConfigTimes(configReports: readonly KernelReport[], ctx: CandidateContext): { times: number[]; reference?: GemmWorkload } {
  const items: ScoreItem[] = [];
  const slots = configReports.map((r) => {
    const outcome = r.on(ctx.gpu);
    if (!outcome || outcome.issues.some((i) => i.illegal) || !r.workload) return -1;
    return items.push({ overrides: [], workload: r.workload }) - 1;
  });
  const scores = scoreCandidates(items, ctx, 0);
  const times = slots.map((slot) => (slot < 0 || !Number.isFinite(scores[slot]!.timeMs) ? Infinity : scores[slot]!.timeMs));
  return { times, reference: items[0]?.workload };
}

/** Every config written out in the text (configs made in a loop share one range: no text to move). */
export function writtenOut(configs: readonly TritonConfig[]): boolean {
  const sorted = [...configs].sort((a, b) => a.range.start - b.range.start);
  return sorted.every((c, i) => i === 0 || c.range.start >= sorted[i - 1]!.range.end);
}

interface AddedConfig {
  params: Record<string, number | null>;
  numWarps: number;
  numStages: number;
  timeMs: number;
}

/**
 * The fastest legal config over block sizes, warps and stages that the list does not already hold. The
 * candidates are ranked as one group (scoreCandidates) placed relative to `reference` (listedConfigTimes's
 * reference, when a listed config can run), so their times compare with the listed configs' times.
 */
export function bestMissingConfig(
  reports: DocumentReports,
  report: KernelReport,
  configs: readonly TritonConfig[],
  ctx: CandidateContext,
  reference?: GemmWorkload,
): AddedConfig | null {
  const base = configs[0]!;
  const keys = Object.keys(base.params);
  const axis = (field: string) => keys.find((k) => tileFieldOf(k) === field);
  const mKey = axis('blockM'),
    nKey = axis('blockN'),
    kKey = axis('blockK');
  if (!mKey || !nKey || !kKey) return null;
  const listed = new Set(configs.map((c) => `${c.params[mKey]},${c.params[nKey]},${c.params[kKey]},${c.numWarps},${c.numStages}`));
  const legal: Array<ScoreItem & { config: Omit<AddedConfig, 'timeMs'> | null }> = [];
  if (reference) legal.push({ overrides: [], workload: reference, config: null });
  for (const bm of BLOCK_MN)
    for (const bn of BLOCK_MN)
      for (const bk of BLOCK_K)
        for (const warps of WARPS)
          for (const stages of STAGES) {
            if (listed.has(`${bm},${bn},${bk},${warps},${stages}`)) continue;
            const params = { ...base.params, [mKey]: bm, [nKey]: bn, [kKey]: bk };
            const workload = tritonConfigWorkload(report, workloadTileParams(reports.input.analysis), { ...base, params, numWarps: warps, numStages: stages });
            if (!workload) continue;
            const { problem, analytic } = checkCandidate(workload, ctx, report.kernel);
            if (!problem) legal.push({ overrides: [], workload, analytic, config: { params, numWarps: warps, numStages: stages } });
          }
  let best: AddedConfig | null = null;
  scoreCandidates(legal, ctx, reference ? 0 : -1).forEach((score, i) => {
    const config = legal[i]!.config;
    if (config && Number.isFinite(score.timeMs) && (!best || score.timeMs < best.timeMs)) best = { ...config, timeMs: score.timeMs };
  });
  return best;
}
