// The tile sweep of a CUDA launch: a designed set of configurations around the current one (each tile
// value halved and doubled alone, block and thread tiles scaled together), each as an edited copy of the
// source re-analysed so grid, block and shared memory follow the new values, with illegal ones skipped
// and the reason given. Pure: the analysis is passed in as a function; no I/O.
import type { FileAnalysis, LaunchSite, TileParam } from '../analysis/types';
import { launchedKernel, tileFieldOf, workloadTileParams } from '../perf/workload-from-analysis';
import { launchParams, planLaunch, type LaunchPlan, type PlanOverrides } from './launch-plan';

export interface SweepLimits {
  maxThreadsPerBlock: number;
  /** Static shared memory a block may declare (48 KiB on every CUDA GPU). */
  maxStaticSmemBytes: number;
  /** Dynamic + static shared memory a block may use after opting in. */
  maxSmemOptinBytes: number;
  maxConfigs: number;
}

export const DEFAULT_SWEEP_LIMITS: SweepLimits = { maxThreadsPerBlock: 1024, maxStaticSmemBytes: 48 * 1024, maxSmemOptinBytes: 227 * 1024, maxConfigs: 24 };

export interface SweepConfig {
  /** "TILE=32" style label; "current" for the unchanged source. */
  label: string;
  values: Record<string, number>;
  /** The edited source (the original for "current"). */
  text: string;
  plan: LaunchPlan;
}

export interface SkippedConfig {
  label: string;
  values: Record<string, number>;
  reason: string;
}

export interface CudaSweep {
  configs: SweepConfig[];
  skipped: SkippedConfig[];
  /** The tile parameters varied. */
  varied: string[];
}

const EDITABLE: ReadonlySet<TileParam['origin']> = new Set(['define', 'constexpr', 'const', 'enum', 'template-arg']);

function label(values: Record<string, number>, base: Record<string, number>): string {
  const changed = Object.keys(values)
    .filter((k) => values[k] !== base[k])
    .map((k) => `${k}=${values[k]}`);
  return changed.length === 0 ? 'current' : changed.join(',');
}

/** Designed configurations: current; each value x0.5 and x2 alone; block M/N together; thread M/N together. */
export function designConfigurations(base: Record<string, number>): Array<Record<string, number>> {
  const names = Object.keys(base);
  const out: Array<Record<string, number>> = [{ ...base }];
  const push = (change: Record<string, number>): void => {
    if (Object.values(change).some((v) => !Number.isInteger(v) || v < 1 || v > 1024)) return;
    out.push({ ...base, ...change });
  };
  for (const name of names) for (const f of [0.5, 2]) push({ [name]: base[name] * f });
  const byField = (field: string): string | undefined => names.find((n) => tileFieldOf(n) === field);
  for (const [a, b] of [
    ['blockM', 'blockN'],
    ['threadM', 'threadN'],
  ]) {
    const na = byField(a);
    const nb = byField(b);
    if (!na || !nb) continue;
    for (const f of [0.5, 2]) push({ [na]: base[na] * f, [nb]: base[nb] * f });
  }
  const seen = new Set<string>();
  return out.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Replaces each named parameter's value text (all its definitions) in `text`. */
export function editTileValues(text: string, params: readonly TileParam[], values: Record<string, number>): string {
  const edits = params
    .filter((p) => values[p.name] !== undefined && values[p.name] !== p.value)
    .map((p) => ({ start: p.valueRange.start, end: p.valueRange.end, text: String(values[p.name]) }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function legality(plan: LaunchPlan, analysis: FileAnalysis, limits: SweepLimits): string | null {
  const threads = plan.block[0] * plan.block[1] * plan.block[2];
  if (threads > limits.maxThreadsPerBlock) return `${threads} threads per block (limit ${limits.maxThreadsPerBlock})`;
  if (plan.block[2] > 64) return `block.z = ${plan.block[2]} (limit 64)`;
  if (plan.grid[1] > 65535 || plan.grid[2] > 65535) return `grid ${plan.grid.join('x')} exceeds 65535 in y or z`;
  const kernel = analysis.kernels.find((k) => k.name === plan.kernelName);
  const staticSmem = kernel?.staticSharedMemBytes ?? 0;
  if (staticSmem > limits.maxStaticSmemBytes) return `${staticSmem} bytes of static shared memory (limit ${limits.maxStaticSmemBytes})`;
  if (staticSmem + plan.dynamicSmemBytes > limits.maxSmemOptinBytes)
    return `${staticSmem + plan.dynamicSmemBytes} bytes of shared memory (limit ${limits.maxSmemOptinBytes})`;
  return null;
}

/**
 * The sweep around `launch` (index `launchIndex` in `analysis.launches`). `analyze` re-analyses an
 * edited text; the launch is found again by index, so edits must not add or remove launches.
 */
export function designCudaSweep(
  text: string,
  analysis: FileAnalysis,
  launchIndex: number,
  analyze: (text: string) => FileAnalysis,
  overrides: PlanOverrides = {},
  limits: SweepLimits = DEFAULT_SWEEP_LIMITS,
): CudaSweep | { error: string } {
  const launch: LaunchSite | undefined = analysis.launches[launchIndex];
  const kernel = launch && launchedKernel(analysis, launch.kernel);
  if (!launch || !kernel) return { error: 'no launch of a kernel defined in this file or a header it includes at that line' };
  const current = launchParams(kernel, launch, workloadTileParams(analysis), analysis);
  // Only the file's own constants are edited (a header's stay as they are: the harness includes the header as it is).
  const editable = analysis.tileParams.filter((p) => EDITABLE.has(p.origin) && current[p.name] !== undefined && tileFieldOf(p.name) !== null);
  if (editable.length === 0 && kernel.header && (analysis.includedTileParams ?? []).some((p) => current[p.name] !== undefined && tileFieldOf(p.name) !== null))
    return {
      error: `the tile constants of ${kernel.name} are in ${kernel.header.name}; a sweep edits only this file's (define them here, or pass them as template arguments)`,
    };
  const base: Record<string, number> = {};
  for (const p of editable) base[p.name] = current[p.name];
  const configs: SweepConfig[] = [];
  const skipped: SkippedConfig[] = [];
  for (const values of designConfigurations(base)) {
    const name = label(values, base);
    if (configs.length >= limits.maxConfigs) {
      skipped.push({ label: name, values, reason: `over the sweep's ${limits.maxConfigs} configurations` });
      continue;
    }
    const edited = editTileValues(text, editable, values);
    const again = name === 'current' ? analysis : analyze(edited);
    const editedLaunch = again.launches[launchIndex];
    if (!editedLaunch || editedLaunch.kernel !== launch.kernel) {
      skipped.push({ label: name, values, reason: 'the edited source no longer has this launch' });
      continue;
    }
    // Grid and block follow the edited values unless the user fixed them.
    const planned = planLaunch(again, editedLaunch, overrides);
    if (!planned.ok) {
      skipped.push({ label: name, values, reason: planned.reason });
      continue;
    }
    const illegal = legality(planned.plan, again, limits);
    if (illegal) {
      skipped.push({ label: name, values, reason: illegal });
      continue;
    }
    configs.push({ label: name, values, text: edited, plan: planned.plan });
  }
  return { configs, skipped, varied: Object.keys(base) };
}
