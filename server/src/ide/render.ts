// The one renderer of the editor features: numbers with units, inlay-hint labels and hover markdown,
// all from KernelReport outcomes. Formatting only: it computes no estimate and reads no text.
import type { LaunchSite } from '../analysis/types';
import type { GemmWorkload } from '../perf/types';
import type { InlayHintMode } from './protocol';
import { kib } from './legality';
import { attentionLabel, attentionWords, extrapolationText, limiterWords } from '../report/analysis-text';
import { shownEstimate, type GpuOutcome, type KernelReport, type ShownEstimate } from './reports';

const sig = (v: number, digits = 3): string => {
  if (!Number.isFinite(v)) return '?';
  const abs = Math.abs(v);
  if (abs >= 10 ** digits) return Math.round(v).toString();
  return Number(v.toPrecision(digits)).toString();
};

/** `1.92 ms`, `85.3 µs`, `1.23 s`. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 1) return `${sig(ms * 1000)} µs`;
  if (ms >= 1000) return `${sig(ms / 1000)} s`;
  return `${sig(ms)} ms`;
}
export function formatPower(w: number): string {
  return `${sig(w)} W`;
}
/** Energy from mJ: `0.51 J` from 10 mJ up, `3.2 mJ` below. */
export function formatEnergy(mj: number): string {
  if (!Number.isFinite(mj)) return '?';
  return mj >= 10 ? `${sig(mj / 1000, 2)} J` : `${sig(mj, 2)} mJ`;
}
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : '?';
}
function interval(lo: number | null, hi: number | null, format: (v: number) => string): string {
  return lo !== null && hi !== null ? ` (${format(lo)} – ${format(hi)})` : '';
}

/** Markdown table cells must not contain pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** What an inlay hint ends with when the model extrapolates (the hover and tooltip say why). */
export const EXTRAPOLATING_MARK = '(extrap.)';

/** The inlay hint label for the primary GPU, e.g. `1.92 ms · 265 W · 0.51 J`; null when mode is off. */
/** Why a launch does not run at the code's problem size (LaunchSite.notTaken): its condition's value there. */
function notTakenWhy(skipped: NonNullable<LaunchSite['notTaken']>): string {
  return `\`${skipped.condition}\` is ${skipped.holds} here`;
}

export function hintLabel(outcome: GpuOutcome, mode: InlayHintMode, modelError: string | null, notTaken = false): string | null {
  if (mode === 'off') return null;
  // A branch that does not run at this problem size gets no time that a glance could take for its cost.
  if (notTaken) return 'not run at this size';
  const illegal = outcome.issues.find((i) => i.illegal);
  if (illegal) return `⚠ cannot run on ${outcome.gpu.name}`;
  const e = shownEstimate(outcome, modelError);
  if (e.source === 'analytic') return `≈${formatTime(e.timeMs)} (analytic)`;
  const parts = [formatTime(e.timeMs)];
  if (mode === 'time+power+energy') {
    if (e.powerW !== null) parts.push(formatPower(e.powerW));
    if (e.energyMj !== null) parts.push(formatEnergy(e.energyMj));
  }
  return parts.join(' · ') + (e.extrapolating ? ` ${EXTRAPOLATING_MARK}` : '');
}

export function hintTooltip(report: KernelReport, outcome: GpuOutcome, modelError: string | null): string {
  const e = shownEstimate(outcome, modelError);
  const lines = [`${report.label} on ${outcome.gpu.name}: ${formatTime(e.timeMs)}${interval(e.timeLoMs, e.timeHiMs, formatTime)}`];
  const skipped = report.launch?.notTaken;
  if (skipped) lines.unshift(`not run at this problem size: ${notTakenWhy(skipped)}`);
  if (e.powerW !== null) lines.push(`power ${formatPower(e.powerW)}${interval(e.powerLoW, e.powerHiW, formatPower)}`);
  if (e.energyMj !== null) lines.push(`energy ${formatEnergy(e.energyMj)}${interval(e.energyLoMj, e.energyHiMj, formatEnergy)}`);
  if (e.note) lines.push(e.note);
  if (e.extrapolating) lines.push(extrapolationText(e.extrapolationNotes));
  for (const issue of outcome.issues) lines.push(`${issue.illegal ? 'cannot run' : 'note'}: ${issue.message}`);
  return lines.join('\n');
}

export function describeWorkload(w: GemmWorkload): string {
  const batch = w.batch > 1 ? ` batch=${w.batch}` : '';
  const gemm = `GEMM M=${w.m} N=${w.n} K=${w.k}${batch}`;
  const a = w.attention;
  if (a) return `${w.dtype} ${attentionLabel(a)}: ${attentionWords(a)} (as a ${gemm})`;
  return `${w.dtype} ${gemm}`;
}

export function describeTile(outcome: GpuOutcome): string {
  const t = outcome.analytic.tile;
  const given = outcome.workload.tile;
  const sub = given?.threadM || given?.threadN ? `, ${sig(t.threadM)}×${sig(t.threadN)} per thread` : '';
  const stages = t.stages > 1 ? `, ${t.stages} stages` : '';
  return `tile ${t.blockM}×${t.blockN}×${t.blockK}${sub}, ${t.threads} threads${stages} (${outcome.workload.kernel}${outcome.analytic.tileSource === 'workload' ? '' : `, ${outcome.analytic.tileSource} tile`})`;
}

const SOURCE_TEXT: Record<string, string> = {
  code: 'from the code',
  annotation: 'from a `tilecast:` annotation',
  default: 'from the default (`tilecast.defaultProblemSize`): add a `tilecast:` annotation',
  mixed: 'from a `tilecast:` annotation and the default (`tilecast.defaultProblemSize`)',
};

/** Where the problem size came from, in words, with what was assumed. */
export function problemSourceText(report: KernelReport): string {
  const source = SOURCE_TEXT[report.problemSource ?? 'code'] ?? String(report.problemSource);
  // A batch of 1 is what a plain launch means; listing it as assumed is noise.
  const shown = report.assumed.filter((a) => a !== 'batch');
  const assumed = shown.length > 0 ? ` (assumed: ${shown.join(', ')})` : '';
  return `problem size ${source}${assumed}`;
}

/** The detailed block for one GPU: estimate, occupancy, waves, bound, intensity, fraction of peak. */
export function outcomeDetails(outcome: GpuOutcome, e: ShownEstimate): string[] {
  const a = outcome.analytic;
  const lines: string[] = [];
  if (e.source === 'model') {
    lines.push(
      `**${formatTime(e.timeMs)}**${interval(e.timeLoMs, e.timeHiMs, formatTime)} · ${e.powerW !== null ? formatPower(e.powerW) : '? W'}${interval(e.powerLoW, e.powerHiW, formatPower)} · ${e.energyMj !== null ? formatEnergy(e.energyMj) : '? J'}${interval(e.energyLoMj, e.energyHiMj, formatEnergy)} (80% intervals)`,
    );
    lines.push(`analytic estimate ${formatTime(a.timeMs)}`);
    if (e.extrapolating) lines.push(`⚠ ${extrapolationText(e.extrapolationNotes)}`);
  } else {
    lines.push(`**≈${formatTime(e.timeMs)} (analytic estimate only)** · no power or energy: ${e.note ?? 'model unavailable'}`);
  }
  const tailIdle = tailIdleFraction(a.waves);
  lines.push(
    `occupancy ${formatPercent(a.occupancy)} (${a.blocksPerSM} block${a.blocksPerSM === 1 ? '' : 's'}/SM, limited by ${a.occupancyLimiter}) · ${sig(a.waves)} waves, last wave ${formatPercent(tailIdle)} idle`,
  );
  const achievedTflops = a.flops / e.timeMs / 1e9;
  const fraction = achievedTflops / a.peak.tflops;
  lines.push(
    `${a.timeLimiter === a.bound ? a.bound : `${a.bound} (${limiterWords(a.timeLimiter, a.sharedMemTimeMs, a.l1TimeMs)})`}-bound · arithmetic intensity ${sig(a.arithmeticIntensity)} FLOP/B (ridge ${sig(a.ridgePointFlopsPerByte)}) · ${sig(achievedTflops)} TFLOP/s = ${formatPercent(fraction)} of the ${a.peak.peak ?? outcome.workload.dtype} peak`,
  );
  lines.push(`${a.registersPerThread} registers/thread (${outcome.features.resources.source}), ${kib(a.sharedMemPerBlockBytes)} shared memory/block`);
  return lines;
}

/** Idle fraction of the last wave's slots: 1 − frac(waves) (0 for whole waves). */
export function tailIdleFraction(waves: number): number {
  if (!Number.isFinite(waves) || waves <= 0) return 0;
  const partial = waves - Math.floor(waves);
  return partial === 0 ? 0 : 1 - partial;
}

/** One row per GPU: time, power, energy, occupancy, and why it cannot run there. */
export function gpuTable(outcomes: Array<GpuOutcome | null>, modelError: string | null): string[] {
  const rows = ['| GPU | time | power | energy | occupancy | notes |', '|---|---|---|---|---|---|'];
  for (const outcome of outcomes) {
    if (!outcome) continue;
    const illegal = outcome.issues.filter((i) => i.illegal);
    if (illegal.length > 0) {
      rows.push(`| ${cell(outcome.gpu.name)} | — | — | — | — | ⚠ cannot run: ${cell(illegal.map((i) => i.message).join('; '))} |`);
      continue;
    }
    const e = shownEstimate(outcome, modelError);
    const time = e.source === 'model' ? `${formatTime(e.timeMs)}${interval(e.timeLoMs, e.timeHiMs, formatTime)}` : `≈${formatTime(e.timeMs)}`;
    const picked = outcome.pickedConfig !== undefined ? [`autotune config #${outcome.pickedConfig + 1}`] : [];
    const notes = [...picked, ...(e.extrapolating ? ['extrapolating'] : []), ...outcome.issues.map((i) => i.message)].join('; ');
    rows.push(
      `| ${cell(outcome.gpu.name)} | ${time} | ${e.powerW !== null ? formatPower(e.powerW) : '—'} | ${e.energyMj !== null ? formatEnergy(e.energyMj) : '—'} | ${formatPercent(outcome.analytic.occupancy)} | ${cell(notes)} |`,
    );
  }
  return rows;
}

/** The hover of one report: heading, problem source, primary GPU details, the per-GPU table. */
export function reportMarkdown(report: KernelReport, outcomes: Array<GpuOutcome | null>, modelError: string | null, extra: string[] = []): string {
  const kind = report.subject === 'launch' ? 'launch' : report.subject === 'library' ? 'library call' : 'autotune config';
  const header = report.kernel?.header ? ` (kernel defined in \`${report.kernel.header.name}\`)` : '';
  const lines = [`**${report.label}** ${kind}${header}`];
  if (!report.workload) {
    lines.push('', `No prediction: ${report.reason ?? 'no workload'}`);
    return lines.join('\n');
  }
  const primary = outcomes[0] ?? null;
  lines.push('', `${describeWorkload(report.workload)} · ${problemSourceText(report)}`);
  const skipped = report.launch?.notTaken;
  if (skipped) lines.push('', `⚠ Not run at this problem size: ${notTakenWhy(skipped)}, so the other branch runs.`);
  if (primary) {
    const picked =
      primary.pickedConfig !== undefined ? ` · autotune config #${primary.pickedConfig + 1}, the fastest legal one predicted on ${primary.gpu.name}` : '';
    lines.push('', `${describeTile(primary)}${picked}`);
    const e = shownEstimate(primary, modelError);
    // A configuration that cannot run there has no runtime: say why instead of a number.
    if (primary.issues.some((i) => i.illegal)) lines.push('', `**${primary.gpu.name}**: no prediction, the configuration cannot run there (below).`);
    else lines.push('', `**${primary.gpu.name}**: ${outcomeDetails(primary, e).join('  \n')}`);
    for (const issue of primary.issues) lines.push('', `${issue.illegal ? '⚠ **Cannot run**' : 'Note'}: ${issue.message}`);
    if (primary.spills && (primary.spills.storesBytes > 0 || primary.spills.loadsBytes > 0)) {
      lines.push('', `ptxas (${primary.spills.arch}): ${primary.spills.storesBytes} bytes spill stores, ${primary.spills.loadsBytes} bytes spill loads`);
    }
  }
  if (outcomes.length > 1) lines.push('', ...gpuTable(outcomes, modelError));
  if (extra.length > 0) lines.push('', ...extra);
  if (primary && shownEstimate(primary, modelError).source === 'analytic')
    lines.push(
      '',
      `_Model unavailable: ${modelError ?? primary.prediction?.error ?? 'no predictor'}. Analytic estimates have no interval; expect errors of 2× or more on unfamiliar kernels._`,
    );
  return lines.join('\n');
}
