// The editor features' entry points, as the language server and the CLI call them: plain functions from
// a document's analysis (and the GPUs, settings and predictor) to plain records with offset ranges. No
// LSP types, no I/O. PLACEHOLDER bodies: the ide/ implementation replaces them (same signatures; it may
// add fields). Nothing here may be called done while a body below returns an empty answer.
import type { FileAnalysis } from '../analysis/types';
import type { GpuSpec } from '../perf/types';
import type { GemmPredictor } from '../report/prediction';
import type {
  CompareGpusResult, DiagnosticCode, OffsetRange, RooflineResult, TilecastSettings, TileSweepResult,
} from './protocol';

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
}

/** The per-document reports every feature reads (one per launch, library call and Triton config). */
export interface DocumentReports {
  input: IdeInput;
  // The ide/ implementation defines the report records (KernelReport) and adds them here.
}

export interface HoverResult { range: OffsetRange; markdown: string }
export interface InlayHintItem { offset: number; label: string; tooltip?: string; paddingLeft?: boolean }
export interface CodeLensItem { range: OffsetRange; title: string; command?: { id: string; args: unknown[] } }
export interface DiagnosticItem {
  range: OffsetRange; message: string; code: DiagnosticCode;
  severity: 'error' | 'warning' | 'information' | 'hint';
  /** docs/diagnostics.md#<code> */
  docPath: string;
}
export interface TextEditItem { range: OffsetRange; newText: string }
export interface CodeActionItem {
  title: string;
  kind: 'quickfix' | 'refactor.rewrite';
  edits: TextEditItem[];
  isPreferred?: boolean;
  /** Codes of the diagnostics this action fixes (quickfix only). */
  fixes?: DiagnosticCode[];
}

export function buildReports(input: IdeInput): DocumentReports {
  return { input };
}
export function hoverAt(_reports: DocumentReports, _offset: number): HoverResult | null {
  return null;
}
export function inlayHintsIn(_reports: DocumentReports, _range: OffsetRange): InlayHintItem[] {
  return [];
}
export function codeLensesOf(_reports: DocumentReports): CodeLensItem[] {
  return [];
}
export function diagnosticsOf(_reports: DocumentReports): DiagnosticItem[] {
  return [];
}
export function codeActionsAt(_reports: DocumentReports, _range: OffsetRange, _diagnostics: readonly DiagnosticCode[]): CodeActionItem[] {
  return [];
}
export function rooflineAt(_reports: DocumentReports, _offset: number): RooflineResult {
  return { title: '', dtype: 'fp32', roofs: [], points: [], message: 'not implemented' };
}
export function tileSweepAt(_reports: DocumentReports, _offset: number, _gpuId?: string): TileSweepResult {
  return { title: '', gpuId: '', xName: '', yName: '', xValues: [], yValues: [], cells: [], current: null, suggested: null, message: 'not implemented' };
}
export function compareGpusAt(_reports: DocumentReports, _offset: number, _gpus: GpuSpec[]): CompareGpusResult {
  return { title: '', rows: [], message: 'not implemented' };
}
export function exportCsv(_reports: DocumentReports): { csv: string; rows: number } {
  return { csv: '', rows: 0 };
}
export function problemSizeAnnotationEdit(_reports: DocumentReports, _offset: number, _size: { m: number; n: number; k: number; dtype?: string }): TextEditItem | null {
  return null;
}
