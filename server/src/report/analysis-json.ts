// Converts one file's analysis into the stable `tilecast analyze --json` shape (docs/cli.md,
// version 1). Pure: it renders plain data and must not read files or run analysis itself.
import type { AttentionShape, FileAnalysis, ProblemSize } from '../analysis/types';
import { LineIndex } from '../text/line-index';
import type { FeaturesJson, PredictionJson } from './analysis-features';

export const ANALYZE_JSON_VERSION = 1;

export interface AnalyzeJsonProblem {
  m: number | null;
  n: number | null;
  k: number | null;
  batch: number | null;
  dtype: string | null;
  assumed: string[];
  source: ProblemSize['source'];
  /** A fused attention launch's shape; m, n, k and batch are then its GEMM equivalent. Absent otherwise. */
  attention?: AttentionShape;
}

/** A finding about a configuration on a GPU (the editor's legality check, ide/legality.ts). */
export interface AnalyzeJsonIssue {
  code: string;
  /** True when the configuration cannot launch or compile on that GPU. */
  illegal: boolean;
  message: string;
}

/** Per selected GPU id: what a launch, library call or Triton config gives there. */
export interface AnalyzeJsonOutcomes {
  /** Feature vector, analytic numbers, resources (report/analysis-features.ts). */
  features?: Record<string, FeaturesJson>;
  /** When the models are available. */
  prediction?: Record<string, PredictionJson>;
  /** Legality findings, illegal ones first (empty: none). */
  issues?: Record<string, AnalyzeJsonIssue[]>;
}

export interface AnalyzeJsonFile {
  path: string;
  language: 'cuda' | 'triton' | null;
  kernels: Array<{
    name: string;
    line: number;
    kind: 'gemm' | 'other';
    kindReason: string;
    staticSharedMemBytes: number | null;
    dtype: string | null;
    tensorCores: string;
    configs: Array<Record<string, number | null>>;
    /** With --gpu: each config (same order) on each selected GPU, as the editor's inlay hints show it. */
    configResults?: AnalyzeJsonOutcomes[];
  }>;
  launches: Array<
    AnalyzeJsonOutcomes & {
      kernel: string;
      /** The header the kernel is defined in, as the file includes it, when the file does not define it. */
      kernelHeader?: string;
      line: number;
      grid: [number, number, number] | null;
      block: [number, number, number] | null;
      dynamicSharedMemBytes: number | null;
      problem: AnalyzeJsonProblem;
      /** CUDA: the branch the launch is in does not run at this problem size: the `if` condition (its line) and whether it holds. */
      notTaken?: { condition: string; line: number; holds: boolean };
      /**
       * An autotuned Triton launch, per selected GPU id: the config (1-based, and its line) the autotuner is
       * predicted to keep there, the legal one predicted fastest, and the grid and block it launches with
       * (`grid` and `block` above are the first config's); features, prediction and issues are its.
       */
      pickedConfig?: Record<string, { config: number; line: number; grid: [number, number, number] | null; block: [number, number, number] | null }>;
      /** Why a GEMM launch has no features (e.g. problem size unknown). */
      featuresReason?: string;
    }
  >;
  libraryCalls: Array<
    AnalyzeJsonOutcomes & {
      api: string;
      line: number;
      m: number | null;
      n: number | null;
      k: number | null;
      batch: number | null;
      dtype: string | null;
      featuresReason?: string;
    }
  >;
  /**
   * With --gpu: a CUTLASS device GEMM (`device::Gemm<...>`, a 3.x CollectiveBuilder) the file configures
   * but does not launch itself, predicted at its threadblock/tile shape as the editor's stand-in launch.
   */
  deviceGemms?: Array<
    AnalyzeJsonOutcomes & {
      label: string;
      line: number;
      tile: { blockM: number | null; blockN: number | null; blockK: number | null; threads: number | null; stages: number | null };
      problem: AnalyzeJsonProblem;
    }
  >;
  tileParams: Array<{ name: string; value: number | null; line: number; origin: string }>;
  problems: Array<{ line: number; message: string; severity: string }>;
}

export interface AnalyzeJson {
  version: typeof ANALYZE_JSON_VERSION;
  files: AnalyzeJsonFile[];
}

export function problemToJson(problem: ProblemSize): AnalyzeJsonProblem {
  return {
    m: problem.m,
    n: problem.n,
    k: problem.k,
    batch: problem.batch,
    dtype: problem.dtype,
    assumed: [...problem.assumed],
    source: problem.source,
    ...(problem.attention ? { attention: { ...problem.attention } } : {}),
  };
}

export function fileAnalysisToJson(path: string, text: string, analysis: FileAnalysis): AnalyzeJsonFile {
  const lines = new LineIndex(text);
  const line = (offset: number) => lines.lineNumberAt(offset);
  return {
    path,
    language: analysis.language,
    kernels: analysis.kernels.map((kernel) => ({
      name: kernel.name,
      line: line(kernel.nameRange.start),
      kind: kernel.kind,
      kindReason: kernel.kindReason,
      staticSharedMemBytes: kernel.staticSharedMemBytes,
      dtype: kernel.dtype,
      tensorCores: kernel.tensorCores,
      configs: kernel.configs.map((config) => ({
        ...config.params,
        num_warps: config.numWarps,
        num_stages: config.numStages,
        line: line(config.range.start),
      })),
    })),
    launches: analysis.launches.map((launch) => ({
      kernel: launch.kernel,
      ...headerOf(analysis, launch.kernel),
      line: line(launch.range.start),
      grid: launch.grid,
      block: launch.block,
      // CUDA launches without a third <<<>>> argument use 0 bytes; Triton sizes shared memory itself.
      dynamicSharedMemBytes: launch.dynamicSharedMemBytes ? launch.dynamicSharedMemBytes.value : analysis.language === 'cuda' ? 0 : null,
      problem: problemToJson(launch.problem),
      ...(launch.notTaken ? { notTaken: { condition: launch.notTaken.condition, line: line(launch.notTaken.range.start), holds: launch.notTaken.holds } } : {}),
    })),
    libraryCalls: analysis.libraryCalls.map((call) => ({
      api: call.api,
      line: line(call.range.start),
      m: call.m,
      n: call.n,
      k: call.k,
      batch: call.batch,
      dtype: call.dtype,
    })),
    tileParams: analysis.tileParams.map((param) => ({
      name: param.name,
      value: param.value,
      line: line(param.range.start),
      origin: param.origin,
    })),
    problems: analysis.problems.map((problem) => ({
      line: line(problem.range.start),
      message: problem.message,
      severity: problem.severity,
    })),
  };
}

/** A file that could not be read or is not a supported language. */
export function unreadableFileJson(path: string, message: string): AnalyzeJsonFile {
  return { path, language: null, kernels: [], launches: [], libraryCalls: [], tileParams: [], problems: [{ line: 1, message, severity: 'error' }] };
}

/** `kernelHeader` of a launch whose kernel only an included header defines. */
function headerOf(analysis: FileAnalysis, kernel: string): { kernelHeader?: string } {
  if (analysis.kernels.some((k) => k.name === kernel)) return {};
  const header = analysis.includedKernels?.find((k) => k.name === kernel)?.header?.name;
  return header ? { kernelHeader: header } : {};
}
