// Tile candidates for a report: the workload a kernel would have with other values of its tile
// parameters (the launch configuration that depends on them kept consistent), which of those are legal,
// and their ranking by predicted time and energy. Pure; the predictor is injected; never throws.
import { kernelText } from '../analysis/kernel-text';
import type { KernelInfo, LaunchSite, TileParam, TritonConfig } from '../analysis/types';
import { analyticEstimate, type AnalyticEstimate } from '../perf/analytic-model';
import { dtypeBytes } from '../perf/dtype';
import type { GemmWorkload, GpuSpec, TileConfig } from '../perf/types';
import { CUTLASS_KERNEL_REASON, tileFieldOf, workloadFromLaunch } from '../perf/workload-from-analysis';
import type { GemmPredictor, MeasurementMethod, PredictionValues } from '../report/prediction';
import { assumedDtypeNote, configIssues } from './legality';
import { topConfigurations } from '../report/top-configs';
import { predictOptionsOf, type KernelReport } from './reports';
import { workloadTileParams } from '../perf/workload-from-analysis';
import type { DocumentReports } from './api';

export interface TileOverride {
  param: TileParam;
  value: number;
}

const inside = (inner: { start: number; end: number }, outer: { start: number; end: number }): boolean => inner.start >= outer.start && inner.end <= outer.end;
const pos = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The workload with `overrides` applied, through the same mapping as the report's own workload. */
export function workloadWith(report: KernelReport, tileParams: readonly TileParam[], overrides: readonly TileOverride[]): GemmWorkload | null {
  const base = report.workload;
  if (!base || !report.kernel || !report.launch) return null;
  let kernel: KernelInfo = report.config ? { ...report.kernel, configs: [report.config] } : report.kernel;
  let launch: LaunchSite = report.subject === 'triton-config' ? { ...report.launch, metaParams: {}, numWarps: null, numStages: null } : report.launch;
  let params = report.subject === 'triton-config' ? tileParams.filter((p) => p.origin !== 'launch-kwarg') : [...tileParams];
  for (const { param, value } of overrides) {
    if (param.origin === 'template-arg') {
      launch = { ...launch, templateArgs: launch.templateArgs.map((arg) => (inside(param.valueRange, arg.range) ? { ...arg, value } : arg)) };
    } else if (param.origin === 'triton-config') {
      const config = kernel.configs[0];
      if (!config || !inside(param.valueRange, config.range)) continue;
      const next = { ...config, params: { ...config.params } };
      if (param.name === 'num_warps') next.numWarps = value;
      else if (param.name === 'num_stages') next.numStages = value;
      else next.params[param.name] = value;
      kernel = { ...kernel, configs: [next] };
    } else if (param.origin === 'launch-kwarg') {
      if (param.name === 'num_warps') launch = { ...launch, numWarps: value };
      else if (param.name === 'num_stages') launch = { ...launch, numStages: value };
      else launch = { ...launch, metaParams: { ...launch.metaParams, [param.name]: value } };
    } else {
      params = params.map((p) => (p === param ? { ...p, value } : p));
      // A launch whose template argument is the constant by name (`mm<TILE_M, 8><<<...>>>`) follows it, and
      // so does a Triton launch keyword that passes it (`BLOCK_M=BLOCK_M`).
      launch = { ...launch, templateArgs: launch.templateArgs.map((arg) => (arg.text.trim() === param.name ? { ...arg, value } : arg)) };
      for (const arg of launch.templateArgs) {
        const keyword = /^\s*(\w+)\s*=\s*(\w+)\s*$/.exec(arg.text);
        if (keyword && keyword[2] === param.name && keyword[1]! in launch.metaParams)
          launch = { ...launch, metaParams: { ...launch.metaParams, [keyword[1]!]: value } };
      }
    }
  }
  const built = workloadFromLaunch(kernel, launch, params).workload;
  return built ? keepLaunchConsistent(base, built) : null;
}

/** The workload of a Triton kernel launched with `config` alone (no launch keywords), as a config report's. */
export function tritonConfigWorkload(report: KernelReport, tileParams: readonly TileParam[], config: TritonConfig): GemmWorkload | null {
  if (!report.kernel || !report.launch) return null;
  const launch: LaunchSite = { ...report.launch, metaParams: {}, numWarps: null, numStages: null };
  return workloadFromLaunch(
    { ...report.kernel, configs: [config] },
    launch,
    tileParams.filter((p) => p.origin !== 'launch-kwarg'),
  ).workload;
}

/**
 * The launch shape the kernel's own code derives from its tiles, carried to the new tile: threads per
 * block when the current block is BM·BN / (TM·TN) threads (one TM×TN sub-tile per thread), the grid
 * when it is ⌈N/BN⌉ × ⌈M/BM⌉, and static shared memory scaled with the staged tile bytes.
 */
export function keepLaunchConsistent(base: GemmWorkload, next: GemmWorkload): GemmWorkload {
  const bt = base.tile ?? {};
  const nt: TileConfig = { ...(next.tile ?? {}) };
  const out: GemmWorkload = { ...next, tile: nt };
  if (next.kernel === 'triton' || !pos(bt.blockM) || !pos(bt.blockN) || !pos(nt.blockM) || !pos(nt.blockN)) return out;
  const perThread = (t: TileConfig) => (pos(t.threadM) ? t.threadM : 1) * (pos(t.threadN) ? t.threadN : 1);
  if (pos(bt.threads) && bt.threads === (bt.blockM * bt.blockN) / perThread(bt)) {
    const threads = (nt.blockM * nt.blockN) / perThread(nt);
    nt.threads = threads;
    nt.warps = Math.ceil(threads / 32);
    if (base.block && base.block[1] > 1) out.block = [nt.blockN / (pos(nt.threadN) ? nt.threadN : 1), nt.blockM / (pos(nt.threadM) ? nt.threadM : 1), 1];
    else if (base.block) out.block = [threads, 1, 1];
  }
  if (base.grid && base.grid[0] === Math.ceil(base.n / bt.blockN) && base.grid[1] === Math.ceil(base.m / bt.blockM)) {
    out.grid = [Math.ceil(next.n / nt.blockN), Math.ceil(next.m / nt.blockM), base.grid[2]];
  }
  if (typeof base.sharedMemPerBlockBytes === 'number' && pos(bt.blockK) && pos(nt.blockK)) {
    const staged = (t: TileConfig) => ((t.blockM ?? 0) + (t.blockN ?? 0)) * (t.blockK ?? 0);
    const ratio = staged(nt) / staged(bt);
    if (Number.isFinite(ratio) && ratio > 0) out.sharedMemPerBlockBytes = Math.round(base.sharedMemPerBlockBytes * ratio);
  }
  return out;
}

/**
 * Tile parameters whose value changes this report's workload (probed, so no rule is duplicated). A
 * template argument is rewritten at the launch only when `text` there is a number: a name or an
 * expression (`tiled<T, T, T><<<dim3(N / T), dim3(T, T)>>>`, `tiled<BM, BN><<<...>>>` in a templated
 * launcher) is tuned through its definition, which the launch configuration uses too, so the edit
 * keeps them consistent.
 */
export function tunableParams(report: KernelReport, tileParams: readonly TileParam[], text: string): TileParam[] {
  if (!report.workload || !report.kernel || !report.launch) return [];
  const base = JSON.stringify(report.workload);
  const candidates = tileParams.filter(
    (p) =>
      pos(p.value) &&
      tileFieldOf(p.name) !== null &&
      p.valueRange.end > p.valueRange.start &&
      (p.origin !== 'template-arg' || /^\s*\d+[uUlL]*\s*$/.test(text.slice(p.valueRange.start, p.valueRange.end))),
  );
  const relevant = candidates.filter((p) => {
    // A config made in a loop shares its range with its siblings: its values are loop variables, not constants.
    if (p.origin === 'triton-config')
      return (
        report.config !== null &&
        inside(p.valueRange, report.config.range) &&
        report.kernel!.configs.filter((c) => c.range.start === report.config!.range.start).length === 1
      );
    if (p.origin === 'template-arg' || p.origin === 'launch-kwarg') return report.subject === 'launch' && inside(p.valueRange, report.launch!.range);
    // Set at a templated launcher's call: the launches inside that launcher only.
    if (p.origin === 'launcher-template-arg') return report.subject === 'launch' && !!p.within && inside(report.launch!.range, p.within);
    return true;
  });
  return relevant.filter((p) => {
    if (!gridKeepsUp(report, p)) return false;
    const probe = workloadWith(report, tileParams, [{ param: p, value: p.value! * 2 }]);
    return probe !== null && JSON.stringify(probe) !== base;
  });
}

/**
 * Whether a Triton launch's grid would follow a new value of `p`. A launch with one program per tile
 * (`k[(triton.cdiv(M, 64), triton.cdiv(N, 64))](..., BLOCK_M=64)`) whose grid is not computed from a
 * block size along M or N cannot change that block size alone: the programs would no longer cover the
 * matrix. The grid follows a meta-parameter it reads (LaunchSite.gridFollows) and a constant it names;
 * a persistent grid (programs != tiles) and every CUDA launch keep up.
 */
function gridKeepsUp(report: KernelReport, p: TileParam): boolean {
  const launch = report.launch;
  const w = report.workload;
  const follows = launch?.gridFollows;
  if (report.subject !== 'launch' || w?.kernel !== 'triton' || !follows || !launch?.grid) return true;
  const field = tileFieldOf(p.name);
  if (field !== 'blockM' && field !== 'blockN' && field !== 'square') return true;
  const t = w.tile ?? {};
  if (!pos(t.blockM) || !pos(t.blockN)) return true;
  const programs = launch.grid[0] * launch.grid[1] * launch.grid[2];
  if (programs !== Math.ceil(w.m / t.blockM) * Math.ceil(w.n / t.blockN) * (w.batch ?? 1)) return true;
  if (follows.includes(p.name)) return true;
  // A module constant the grid expression names itself (`(triton.cdiv(M, BLOCK_M),)`) moves with it.
  return p.origin === 'const' && new RegExp(`\\b${p.name.replace(/\W/g, '')}\\b`).test(launch.gridExpr?.text ?? '');
}

/** Whether a CUDA launch configuration is written with numbers only (`dim3(16, 16)`, `256`): it cannot follow a tile constant. */
const literalOnly = (expr: { text: string } | null | undefined): boolean => !!expr && !/[A-Za-z_]\w*/.test(expr.text.replace(/\bdim3\b/g, ''));

/**
 * Whether the launch as written still fits a candidate: a CUDA launch whose block (grid) is written with
 * numbers only (`mm<<<dim3(64, 64), dim3(16, 16)>>>`) keeps it whatever the tile constants say, so a
 * candidate that needs another block (grid) would run the kernel with the wrong threads (programs).
 * Launch configurations over names are taken to follow them (keepLaunchConsistent models how).
 */
export function launchKeepsUp(report: KernelReport, candidate: GemmWorkload): boolean {
  const launch = report.launch;
  const base = report.workload;
  if (report.subject !== 'launch' || !launch || !base || candidate.kernel === 'triton') return true;
  const same = (a: readonly number[] | undefined, b: readonly number[] | undefined) => a === b || (!!a && !!b && a.every((v, i) => v === b[i]));
  if (literalOnly(launch.blockExpr) && (!same(candidate.block, base.block) || candidate.tile?.threads !== base.tile?.threads)) return false;
  if (literalOnly(launch.gridExpr) && !same(candidate.grid, base.grid)) return false;
  return true;
}

/** tunableParams, memoised per report in the document's reports. */
export function tunablesOf(reports: DocumentReports, report: KernelReport): TileParam[] {
  let params = reports.tunables.get(report.index);
  if (!params) {
    params = tunableParams(report, workloadTileParams(reports.input.analysis), reports.text);
    reports.tunables.set(report.index, params);
  }
  return params;
}

/** Values to try for a parameter, by the tile field its name sets (powers of two in a useful range). */
export function valuesFor(param: TileParam): number[] {
  const field = tileFieldOf(param.name);
  const range = (lo: number, hi: number) => {
    const out: number[] = [];
    for (let v = lo; v <= hi; v *= 2) out.push(v);
    return out;
  };
  switch (field) {
    case 'blockM':
    case 'blockN':
      return range(16, 256);
    case 'blockK':
      return range(8, 128);
    case 'square':
      return range(4, 64);
    case 'threadM':
    case 'threadN':
      return range(1, 16);
    case 'warps':
      return range(1, 16);
    case 'stages':
      return [1, 2, 3, 4, 5];
    case 'warpM':
    case 'warpN':
      return range(16, 128);
    case 'warpK':
      return range(8, 64);
    default:
      return param.value ? [param.value] : [];
  }
}

export interface Candidate {
  overrides: TileOverride[];
  workload: GemmWorkload;
  timeMs: number;
  timeLoMs: number;
  timeHiMs: number;
  energyMj: number | null;
  powerW: number | null;
  source: 'model' | 'analytic';
}

export interface CandidateContext {
  gpu: GpuSpec;
  predictor: GemmPredictor | null;
  /** How the user times kernels (tilecast.measurementMethod): every candidate is predicted with it. */
  method: MeasurementMethod;
  /** The kernel compares its indices with M/N/K (a bounds check), so tiles need not divide the problem. */
  boundsChecked: boolean;
  /** `__launch_bounds__` maximum written as a constant the tile does not change: candidates must stay under it. */
  fixedLaunchBound?: number;
  /**
   * The share of the kernel's shared memory that is static `__shared__` arrays (0: all `extern __shared__`,
   * sized at the launch; 1: all static), from the kernel as written; null or absent when unknown (taken as
   * static). Only static shared memory is barred from the opt-in above 48 KiB.
   */
  staticSharedShare?: number | null;
  /**
   * The kernel's cudaFuncSetAttribute opt-in is exactly the launch's dynamic shared memory and not written
   * as a number, as when both use one size expression: a candidate's opt-in is then its own dynamic size.
   */
  optInFollowsLaunch?: boolean;
  /** The report's dtype is assumed: a refusal that depends on it says so (legality.ts, assumedDtypeNote). */
  dtypeAssumed?: boolean;
}

/** The context for ranking `report`'s candidates on `gpu`: bounds check and a fixed launch bound, read from the text. */
export function candidateContext(reports: DocumentReports, report: KernelReport, gpu: GpuSpec): CandidateContext {
  const kernel = report.kernel;
  const ctx: CandidateContext = {
    gpu,
    predictor: reports.input.predictor,
    method: predictOptionsOf(reports.input.settings).method,
    boundsChecked: hasBoundsCheck(reports.text, kernel),
    staticSharedShare: staticShare(kernel?.staticSharedMemBytes ?? null, report.workload?.sharedMemPerBlockBytes),
    dtypeAssumed: report.assumed.includes('dtype'),
  };
  const optIn = kernel?.dynamicSmemOptInBytes;
  const total = report.workload?.sharedMemPerBlockBytes;
  if (typeof optIn === 'number' && optIn > 0 && total !== undefined && kernel?.staticSharedMemBytes !== null && !kernel?.dynamicSmemOptInLiteral)
    ctx.optInFollowsLaunch = optIn === total - (kernel?.staticSharedMemBytes ?? 0);
  const bound = kernel?.launchBounds?.maxThreadsPerBlock;
  if (kernel && bound) {
    const head = kernelText(reports.text, kernel, kernel.range.start - 400, kernel.nameRange.start);
    const at = head.lastIndexOf('__launch_bounds__');
    const names = tunablesOf(reports, report).map((p) => p.name);
    const expression = at >= 0 ? head.slice(at) : '';
    if (!names.some((name) => new RegExp(`\\b${name.replace(/[^\w]/g, '')}\\b`).test(expression))) ctx.fixedLaunchBound = bound;
  }
  return ctx;
}

function staticShare(staticBytes: number | null, totalBytes: number | undefined): number | null {
  if (staticBytes === null || !Number.isFinite(staticBytes) || staticBytes < 0) return null;
  if (staticBytes === 0) return 0;
  return totalBytes !== undefined && totalBytes > 0 ? Math.min(1, staticBytes / totalBytes) : null;
}

/** Why a candidate cannot be used (divisibility, thread count, limits on the GPU), or null. */
export function candidateProblem(w: GemmWorkload, ctx: CandidateContext, kernel: KernelInfo | null): string | null {
  return checkCandidate(w, ctx, kernel).problem;
}

/** A workload to score, with the analytic estimate its legality check made (so scoring does not redo it). */
export interface ScoreItem {
  overrides: TileOverride[];
  workload: GemmWorkload;
  analytic?: AnalyticEstimate;
}

/**
 * candidateProblem, with the analytic estimate on ctx.gpu when the check got that far (the cheap
 * divisibility and thread checks come first; the limits on the GPU need the estimate).
 */
export function checkCandidate(w: GemmWorkload, ctx: CandidateContext, kernel: KernelInfo | null): { problem: string | null; analytic?: AnalyticEstimate } {
  const refuse = (problem: string) => ({ problem });
  const t = w.tile ?? {};
  if (pos(t.threadM) && pos(t.blockM) && t.blockM % t.threadM !== 0) return refuse(`BM ${t.blockM} is not a multiple of TM ${t.threadM}`);
  if (pos(t.threadN) && pos(t.blockN) && t.blockN % t.threadN !== 0) return refuse(`BN ${t.blockN} is not a multiple of TN ${t.threadN}`);
  const threads = t.threads ?? 0;
  const warp = t.native ?? {};
  if (w.kernel === 'cutlass' && pos(warp.warpM) && pos(warp.warpN)) {
    // CUTLASS tiles the threadblock shape with whole warp shapes (cutlass/gemm/kernel: WarpCount = ThreadblockShape / WarpShape).
    const fits = (block: unknown, part: unknown) => !pos(block) || !pos(part) || (block >= part && block % part === 0);
    if (!fits(t.blockM, warp.warpM) || !fits(t.blockN, warp.warpN) || !fits(t.blockK, warp.warpK))
      return refuse(
        `the warp shape ${warp.warpM}×${warp.warpN}×${warp.warpK ?? '?'} does not divide the threadblock shape ${t.blockM}×${t.blockN}×${t.blockK}`,
      );
  }
  if (w.kernel !== 'triton' && threads > 0 && threads < 32) return refuse(`${threads} threads per block: less than a warp`);
  if (ctx.fixedLaunchBound && threads > ctx.fixedLaunchBound) return refuse(`${threads} threads per block > __launch_bounds__(${ctx.fixedLaunchBound})`);
  if (w.kernel !== 'triton' && (pos(t.threadM) || pos(t.threadN)) && pos(t.blockK) && pos(t.blockM) && pos(t.blockN) && threads > 0) {
    // A register-blocked kernel loads its A and B tiles with all threads: whole loads per thread.
    if ((t.blockM * t.blockK) % threads !== 0 || (t.blockN * t.blockK) % threads !== 0)
      return refuse(`the ${t.blockM}×${t.blockK} and ${t.blockK}×${t.blockN} tiles do not split evenly over ${threads} threads`);
  }
  if (!ctx.boundsChecked && pos(t.blockM) && pos(t.blockN)) {
    if (w.m % t.blockM !== 0 || w.n % t.blockN !== 0 || (pos(t.blockK) && w.k % t.blockK !== 0))
      return refuse('the tile does not divide the problem size and the kernel has no bounds check');
  }
  const a = analyticEstimate(w, ctx.gpu);
  // A tensor-core K step covers at least one MMA's K: 32 bytes of each operand row (16 fp16/bf16, 32 fp8,
  // 8 tf32 elements; PTX ISA, mma shapes); CUTLASS and tl.dot reject smaller K tiles.
  if ((w.kernel === 'cutlass' || w.kernel === 'triton') && a.peak.peak?.endsWith('Tensor') && pos(t.blockK) && t.blockK * dtypeBytes(w.dtype) < 32)
    return refuse(`a K tile of ${t.blockK} is under one tensor-core MMA's K (32 bytes of ${w.dtype})${assumedDtypeNote(w.dtype, ctx.dtypeAssumed)}`);
  const share = ctx.staticSharedShare ?? null;
  const total = w.sharedMemPerBlockBytes;
  const staticBytes = w.kernel === 'triton' || total === undefined ? null : share === null ? total : Math.round(total * share);
  // An opt-in that follows the launch's size (the same expression) grows with the candidate's dynamic part.
  const checked = kernel && ctx.optInFollowsLaunch && total !== undefined ? { ...kernel, dynamicSmemOptInBytes: total - (staticBytes ?? 0) } : kernel;
  const illegal = configIssues(w, a, ctx.gpu, {
    kernel: checked,
    staticSharedMemBytes: staticBytes,
    checkLaunchBounds: false,
    dtypeAssumed: ctx.dtypeAssumed,
  }).find((i) => i.illegal);
  return { problem: illegal ? illegal.message : null, analytic: a };
}

/** Most combinations ranked per request (then the legality filter): over 200 legal ones for five tile constants. */
export const CANDIDATE_LIMIT = 400;

/**
 * Every combination of the values of `params` (the current value included). Over `limit`, the longest
 * value list loses its value farthest (in log2) from the current one until the product fits: the
 * search stays centred on the kernel as written.
 */
export function combinations(params: readonly TileParam[], limit = CANDIDATE_LIMIT): TileOverride[][] {
  const lists = params.map((param) => [...new Set([...valuesFor(param), param.value!])].sort((x, y) => x - y));
  const size = () => lists.reduce((n, list) => n * list.length, 1);
  while (size() > limit) {
    let longest = 0;
    lists.forEach((list, i) => {
      if (list.length > lists[longest]!.length) longest = i;
    });
    const list = lists[longest]!;
    if (list.length <= 1) break;
    const current = params[longest]!.value!;
    let far = 0;
    list.forEach((v, i) => {
      if (Math.abs(Math.log2(v / current)) > Math.abs(Math.log2(list[far]! / current))) far = i;
    });
    list.splice(far, 1);
  }
  let out: TileOverride[][] = [[]];
  params.forEach((param, i) => {
    const next: TileOverride[][] = [];
    for (const partial of out) for (const value of lists[i]!) next.push([...partial, { param, value }]);
    out = next;
  });
  return out;
}

/** A candidate in ranking order: its rank and whether the model can tell it from the predicted fastest. */
export interface RankedCandidate extends Candidate {
  /** 1 = predicted fastest. */
  rank: number;
  /** Its predicted time lies inside the interval of the predicted fastest (report/top-configs.ts's rule). */
  nearTie: boolean;
}

/**
 * Legal candidates with their predicted (or analytic) time and energy on ctx.gpu, fastest first. The
 * order and the near-ties are report/top-configs.ts's `topConfigurations`, the ranking `tilecast predict
 * --top K` uses, so the editor and the CLI agree on which candidates the model cannot tell apart.
 */
export function rankCandidates(report: KernelReport, tileParams: readonly TileParam[], params: readonly TileParam[], ctx: CandidateContext): RankedCandidate[] {
  const legal: ScoreItem[] = [];
  for (const overrides of combinations(params)) {
    const workload = workloadWith(report, tileParams, overrides);
    if (!workload || !launchKeepsUp(report, workload)) continue;
    const { problem, analytic } = checkCandidate(workload, ctx, report.kernel);
    if (!problem) legal.push({ overrides, workload, analytic });
  }
  const current = legal.findIndex((item) => item.overrides.every((o) => o.value === o.param.value));
  const scored = scoreCandidates(legal, ctx, current);
  const { picks } = topConfigurations(
    scored.map((c, index) => ({ index, group: ctx.gpu.id, runtimeMs: c.timeMs, runtimeHiMs: c.timeHiMs })),
    scored.length,
  );
  return picks.map((pick) => ({ ...scored[pick.index]!, rank: pick.rank, nearTie: pick.nearTie }));
}

/**
 * Scores candidates of one problem on ctx.gpu, through the predictor's batch path when it has one (~2x
 * faster), passing on the estimates their legality checks made. The batch ranks them as one group with the
 * learned correction's shape kept (model/keep-shape.ts): items[reference] (the current configuration,
 * when it is among them) keeps its own prediction and the others are placed relative to it; without a
 * reference the candidate with the median correction sets the level. Without a batch path each
 * candidate is predicted alone.
 */
export function scoreCandidates(items: readonly ScoreItem[], ctx: CandidateContext, reference = -1): Candidate[] {
  const batch = ctx.predictor?.predictBatch;
  if (!batch || items.length < 2) return items.map((item) => fromPrediction(item, ctx.predictor?.predict(item.workload, ctx.gpu, { method: ctx.method }), ctx));
  const predictions = batch.call(
    ctx.predictor,
    items.map((item, i) => ({ workload: item.workload, gpu: ctx.gpu, method: ctx.method, analytic: item.analytic, group: 0, reference: i === reference })),
  );
  return items.map((item, i) => fromPrediction(item, predictions[i], ctx));
}

export function scoreCandidate(overrides: TileOverride[], workload: GemmWorkload, ctx: CandidateContext): Candidate {
  return fromPrediction({ overrides, workload }, ctx.predictor?.predict(workload, ctx.gpu, { method: ctx.method }), ctx);
}

/** A candidate from its prediction, or from the analytic estimate (the item's own when its check made one) without a model. */
function fromPrediction({ overrides, workload, analytic }: ScoreItem, p: PredictionValues | undefined, ctx: CandidateContext): Candidate {
  if (p && Number.isFinite(p.runtimeMs)) {
    return {
      overrides,
      workload,
      timeMs: p.runtimeMs,
      timeLoMs: p.runtimeLoMs,
      timeHiMs: p.runtimeHiMs,
      energyMj: Number.isFinite(p.energyMj) ? p.energyMj : null,
      powerW: Number.isFinite(p.powerW) ? p.powerW : null,
      source: 'model',
    };
  }
  const t = (analytic ?? analyticEstimate(workload, ctx.gpu)).timeMs;
  return { overrides, workload, timeMs: t, timeLoMs: t, timeHiMs: t, energyMj: null, powerW: null, source: 'analytic' };
}

/**
 * Whether the kernel guards its edges: an `if` comparing an index with M, N or K (`if (row < M && col < N)`),
 * a min(...) clamp, or Triton's masked loads. A text heuristic over the kernel body; loop bounds alone
 * (`for (t = 0; t < K; ...)`) do not count.
 */
export function hasBoundsCheck(text: string, kernel: KernelInfo | null): boolean {
  if (!kernel) return true;
  // CUTLASS guards partial tiles with predicated tile iterators.
  if (kernel.kindReason === CUTLASS_KERNEL_REASON) return true;
  const body = kernelText(text, kernel);
  if (kernel.configs.length > 0 || kernel.constexprParams.length > 0 || /\bmask\s*=/.test(body)) return true;
  if (/\bmin\s*\(/.test(body)) return true;
  const compares = /(?:<=?|>=?)\s*\(?\s*(?:[A-Za-z]+_)?[MNKmnk]\b|\b[MNKmnk]\s*(?:<=?|>=?)/;
  const conditions = [...body.matchAll(/\bif\s*\(([^{;]*)/g)].map((m) => m[1] ?? '');
  return conditions.some((c) => compares.test(c)) || ternaryConditions(body).some((c) => compares.test(c));
}

/**
 * The condition of each `?` in `body`: the text back to the `;`, `{`, `}` or `=` before it. One pass
 * from left to right (linear: a regex such as /([^;{}=]*)\?/g backtracks quadratically and never
 * finished on a kernel body holding a 1 MB line without those characters).
 */
export function ternaryConditions(body: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === ';' || c === '{' || c === '}' || c === '=') start = i + 1;
    else if (c === '?') {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}
