// Entry point of harness generation: the launch at a source offset -> the harness directory's files
// (one configuration, or a tile sweep) for CUDA or Triton. Pure: analysis in (and a re-analysis function
// for sweeps), file contents and commands out; platform/ writes, builds and runs them.
import type { FileAnalysis, SourceLanguage } from '../analysis/types';
import { designCudaSweep, DEFAULT_SWEEP_LIMITS, type SweepLimits } from './cuda-sweep';
import { cudaSingleBundle, cudaSweepBundle, type HarnessBundle } from './harness-files';
import { launchedKernel } from '../perf/workload-from-analysis';
import { launchAtOffset, planLaunch, type PlanOverrides } from './launch-plan';
import { renderTritonHarness, tritonBundle } from './triton-harness';

export type { HarnessBundle, HarnessFile } from './harness-files';
export { commandText, localIncludes } from './harness-files';
export type { PlanOverrides } from './launch-plan';

export interface HarnessRequest {
  language: SourceLanguage;
  /** The user's file name (its base name is kept for the copy beside the harness). */
  fileName: string;
  text: string;
  analysis: FileAnalysis;
  /** UTF-16 offset inside a launch site or a kernel definition (the cursor, or a line's start). */
  offset: number;
  /** End of the selected span (a line's end); default `offset`. */
  offsetEnd?: number;
  /** CUDA architecture to build for, e.g. "sm_90". */
  arch: string;
  /** Catalogue id written into the records ('' lets the reader resolve the device name). */
  gpuId?: string;
  sweep?: boolean;
  overrides?: PlanOverrides;
  sweepLimits?: SweepLimits;
  /**
   * The headers (CUDA) or modules (Triton) the analysis was given (analysis/index.ts IncludedSource, with
   * their paths): a Triton harness of an imported kernel imports that kernel's module instead of the file.
   */
  included?: readonly { name: string; path: string; text: string }[];
  /** Re-analyses an edited text (sweeps edit tile values and read grid/block again). */
  analyze?: (text: string) => FileAnalysis;
}

export type HarnessResult = { ok: true; bundle: HarnessBundle; kernelName: string } | { ok: false; reason: string };

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || 'kernel';
}

export function generateHarness(request: HarnessRequest): HarnessResult {
  const found = launchAtOffset(request.analysis, request.offset, request.offsetEnd);
  if (!found) {
    const names = request.analysis.launches.map((l) => l.kernel);
    return {
      ok: false,
      reason: `no kernel launch at that line${names.length ? ` (launches in this file: ${[...new Set(names)].join(', ')})` : ' (this file launches no kernel)'}`,
    };
  }
  if (request.language === 'triton') {
    // A kernel from an imported module is benchmarked from that module (the file's own imports of it are relative).
    const home = launchedKernel(request.analysis, found.launch.kernel)?.header?.name;
    const module = home === undefined ? null : (request.included?.find((m) => m.name === home) ?? null);
    if (home !== undefined && !module) return { ok: false, reason: `the module ${home} that defines ${found.launch.kernel} was not given` };
    const moduleFile = baseName(module?.path ?? request.fileName).replace(/[^\w.]/g, '_');
    const rendered = renderTritonHarness(request.text, request.analysis, found.launch, moduleFile, {
      sweep: request.sweep,
      gpuId: request.gpuId,
      args: request.overrides?.args,
    });
    if (!rendered.ok || !rendered.source) return { ok: false, reason: rendered.reason ?? 'no harness' };
    return { ok: true, bundle: tritonBundle(module?.text ?? request.text, moduleFile, rendered.source), kernelName: found.launch.kernel };
  }
  if (request.sweep) {
    if (!request.analyze) return { ok: false, reason: 'a sweep needs the analysis to re-read edited sources' };
    const sweep = designCudaSweep(request.text, request.analysis, found.index, request.analyze, request.overrides, request.sweepLimits ?? DEFAULT_SWEEP_LIMITS);
    if ('error' in sweep) return { ok: false, reason: sweep.error };
    if (sweep.varied.length === 0)
      return { ok: false, reason: 'no tile parameter to sweep (a #define, constexpr or template argument named like TILE, BM, BLOCK_N, TM...)' };
    if (sweep.configs.length === 0)
      return { ok: false, reason: `every configuration is illegal: ${sweep.skipped.map((s) => `${s.label}: ${s.reason}`).join('; ')}` };
    return { ok: true, bundle: cudaSweepBundle(sweep.configs, sweep.skipped, request.arch, request.gpuId), kernelName: found.launch.kernel };
  }
  const planned = planLaunch(request.analysis, found.launch, request.overrides);
  if (!planned.ok) return { ok: false, reason: planned.reason };
  return { ok: true, bundle: cudaSingleBundle(request.text, planned.plan, request.arch, request.gpuId), kernelName: found.launch.kernel };
}
