// The editor features' entry points, as the language server and the CLI call them: plain functions from
// a document's analysis (and the GPUs, settings and predictor) to plain records with offset ranges. No
// LSP types, no I/O. A facade: each feature lives in its own file of ide/ (hover.ts, inlay-hints.ts, ...);
// reports.ts builds the one KernelReport per launch, library call and triton.Config they all read.
import type { FileAnalysis, TileParam } from '../analysis/types';
import type { ArchResources } from '../report/analysis-features';
import type { LineIndex } from '../text/line-index';
import { buildKernelReports, type KernelReport } from './reports';
import { hover } from './hover';
import { inlayHints } from './inlay-hints';
import { diagnostics } from './diagnostics';
import { codeLenses } from './code-lens';
import { codeActions } from './code-actions';
import { compareGpus, exportReportsCsv, roofline, tileSweep } from './chart-data';
import { problemSizeEdit, problemSizeFields, type ProblemSizeValues } from './annotation-edit';
import type { GpuSpec } from '../perf/types';
import type { GemmPredictor } from '../report/prediction';
import type { CompareGpusResult, DiagnosticCode, OffsetRange, ProblemSizeFieldsResult, RooflineResult, TilecastSettings, TileSweepResult } from './protocol';

/** Everything a feature needs about one document version. Built once per version by the server. */
export interface IdeInput {
  text: string;
  analysis: FileAnalysis;
  /** Resolved target GPUs, primary first. */
  gpus: GpuSpec[];
  settings: TilecastSettings;
  /** Null when the model could not be loaded (then `modelError`); analytic estimates still work. */
  predictor: GemmPredictor | null;
  modelError: string | null;
  /**
   * Optional ptxas results by architecture ("sm_80"), e.g. from server/src/platform/ptxas.ts run under
   * workspace trust: measured registers and shared memory replace the estimates, and spill bytes feed
   * the register-spills diagnostic (which fires only when these are given).
   */
  measuredResources?: ReadonlyMap<string, ArchResources>;
}

/** The per-document reports every feature reads (one per launch, library call and Triton config). */
export interface DocumentReports {
  input: IdeInput;
  /** One per GEMM launch, library GEMM call and triton.Config; outcomes per GPU are computed lazily. */
  reports: KernelReport[];
  /** Memo of each report's tile parameters (by report index), filled on first use. */
  tunables: Map<number, TileParam[]>;
  /** Offset <-> line conversion of input.text, built on first use. */
  lineIndex?: LineIndex;
  /** input.text (the features slice it often). */
  text: string;
}

export interface HoverResult {
  range: OffsetRange;
  markdown: string;
}
export interface InlayHintItem {
  offset: number;
  label: string;
  tooltip?: string;
  paddingLeft?: boolean;
}
export interface CodeLensItem {
  range: OffsetRange;
  title: string;
  command?: { id: string; args: unknown[] };
}
export interface DiagnosticItem {
  range: OffsetRange;
  message: string;
  code: DiagnosticCode;
  severity: 'error' | 'warning' | 'information' | 'hint';
  /** docs/diagnostics.md#<code> */
  docPath: string;
}
export interface TextEditItem {
  range: OffsetRange;
  newText: string;
  /** Set when the edit is in a header the file includes (its name as included): `range` is in that header's text. */
  header?: string;
}
export interface CodeActionItem {
  title: string;
  kind: 'quickfix' | 'refactor.rewrite';
  edits: TextEditItem[];
  isPreferred?: boolean;
  /** Codes of the diagnostics this action fixes (quickfix only). */
  fixes?: DiagnosticCode[];
}

/** Cheap: workloads only. Estimates and predictions are computed per report and GPU when a feature asks. */
export function buildReports(input: IdeInput): DocumentReports {
  return { input, reports: buildKernelReports(input), tunables: new Map(), text: input.text };
}
export function hoverAt(reports: DocumentReports, offset: number): HoverResult | null {
  return hover(reports, offset);
}
/** Hints for reports that end inside `range` (the visible range), primary GPU only. */
export function inlayHintsIn(reports: DocumentReports, range: OffsetRange): InlayHintItem[] {
  return inlayHints(reports, range);
}
/**
 * Lenses above GEMM kernels, launch sites and library calls: `1.92 ms on RTX 4090`, Compare GPUs, Tile
 * sweep, Profile. Each command's args are `[{ offset }]` (the report's start offset): the core knows no
 * URI, so the server adds `uri` to each argument object, making it a DocumentPoint-like `{ uri, offset }`.
 */
export function codeLensesOf(reports: DocumentReports): CodeLensItem[] {
  return codeLenses(reports);
}
/** Every rule of DIAGNOSTIC_CODES over the document, on all target GPUs, with configured severities. */
export function diagnosticsOf(reports: DocumentReports): DiagnosticItem[] {
  return diagnostics(reports);
}
/**
 * Tile rewrites (time-optimal, near-tied alternatives, energy-optimal) for the report or tile parameter
 * at `range`, and autotune-list actions for Triton kernels. `diagnostics`: codes of the diagnostics at
 * the range; actions that resolve one of them are quickfixes listing it in `fixes`.
 */
export function codeActionsAt(reports: DocumentReports, range: OffsetRange, diagnostics: readonly DiagnosticCode[]): CodeActionItem[] {
  return codeActions(reports, range, diagnostics);
}
/** Roofs of the target GPUs and the report's point on each (report at the offset, or nearest before). */
export function rooflineAt(reports: DocumentReports, offset: number): RooflineResult {
  return roofline(reports, offset);
}
/** Predicted runtime over two tile parameters (legal cells with intervals, illegal ones with a reason). */
export function tileSweepAt(reports: DocumentReports, offset: number, gpuId?: string): TileSweepResult {
  return tileSweep(reports, offset, gpuId);
}
/** One row per GPU in `gpus` (the target GPUs when empty); GPUs outside the targets are computed on demand. */
export function compareGpusAt(reports: DocumentReports, offset: number, gpus: GpuSpec[]): CompareGpusResult {
  return compareGpus(reports, offset, gpus);
}
/** Every report on every target GPU as CSV (header + one row per report and GPU). */
export function exportCsv(reports: DocumentReports): { csv: string; rows: number } {
  return exportReportsCsv(reports);
}
/**
 * Writes or updates the `tilecast:` annotation for the launch (or CUDA kernel) at the offset; null when
 * there is none or the sizes are not positive integers.
 */
export function problemSizeAnnotationEdit(reports: DocumentReports, offset: number, size: ProblemSizeValues): TextEditItem | null {
  return problemSizeEdit(reports, offset, size);
}
/** The sizes the set-problem-size command asks for at the offset (an attention launch's, or a GEMM's M, N, K), with the values now. */
export function problemSizeFieldsAt(reports: DocumentReports, offset: number): ProblemSizeFieldsResult {
  return problemSizeFields(reports, offset);
}
