// The contract between the language server and the VS Code client for everything beyond standard LSP:
// settings, custom requests that feed the webviews and commands, and the status notification. Plain
// types and string constants only (no imports of LSP or VS Code), so extension/ and server/src/lsp/ both
// import it. Changing a shape here changes both sides: keep it small and versioned by name.
import type { Dtype } from '../analysis/types';

/** Offsets are UTF-16 code units into the document text, as everywhere in the core. */
export interface OffsetRange {
  start: number;
  end: number;
}

export type InlayHintMode = 'off' | 'time' | 'time+power+energy';
export type RuleSeverity = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** Diagnostic codes; each has a section `#<code>` in docs/diagnostics.md. */
export const DIAGNOSTIC_CODES = [
  'smem-over-limit', // static + dynamic shared memory over the per-block limit (or needs the opt-in attribute)
  'threads-over-limit', // more than 1,024 threads (the cc limit) per block
  'registers-over-limit', // registers per thread over the architecture's limit
  'tail-wave-idle', // last wave more than 30% idle
  'low-occupancy', // occupancy below 25%, with its limiter
  'register-spills', // ptxas reported spills
  'triton-smem-over-limit', // (BM + BN) x BK x stages x bytes over the GPU's limit
  'tile-does-not-divide', // tile does not divide the problem size and the kernel has no bounds check
  'model-unavailable', // the model files are missing or corrupt: analytic estimates only
  'instruction-unsupported', // the kernel uses instructions a target GPU's architecture lacks
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** `tilecast.*` settings as the server reads them (workspace/configuration section "tilecast"). */
export interface TilecastSettings {
  /** Catalogue ids or NVML names; the first is the primary GPU. */
  gpus: string[];
  defaultProblemSize: { m: number; n: number; k: number };
  defaultDtype: Dtype;
  inlayHints: InlayHintMode;
  /** Per-rule severities; a missing rule keeps its default. */
  diagnostics: Partial<Record<DiagnosticCode, RuleSeverity>>;
  /** Directory holding runtime.tcmf and power.tcmf; empty = the shipped models. */
  modelPath: string;
  /** How the user times kernels (issue 9): 'kernel' (CUDA events / graphs), 'pytorch-eager', 'triton-do-bench'. */
  measurementMethod: 'kernel' | 'pytorch-eager' | 'triton-do-bench';
  /** Folders searched for `#include` headers after the including file's own (like `-I`); relative to the workspace folder. */
  includePaths: string[];
  /** Folder holding the compile_commands.json to read (clangd's --compile-commands-dir); empty = the nearest one above each file. Relative to the workspace folder. */
  compileCommandsDir: string;
}

export const DEFAULT_SETTINGS: TilecastSettings = {
  gpus: ['rtx-4090'],
  defaultProblemSize: { m: 4096, n: 4096, k: 4096 },
  defaultDtype: 'fp32',
  inlayHints: 'time+power+energy',
  diagnostics: {},
  modelPath: '',
  measurementMethod: 'kernel',
  includePaths: [],
  compileCommandsDir: '',
};

/** Where a request points: a document and an offset in it (the client converts its position). */
export interface DocumentPoint {
  uri: string;
  /** LSP position (line, UTF-16 character); the server converts it to an offset. */
  position: { line: number; character: number };
}

/** A value with its interval (same unit as the value). */
export interface Interval {
  value: number;
  lo: number;
  hi: number;
}

/** One GPU of the catalogue, as the quick pick and the comparison show it. */
export interface GpuSummary {
  id: string;
  name: string;
  architecture: string;
  computeCapability: string;
  memoryGB: number | null;
  bandwidthGBps: number | null;
  fp32Tflops: number | null;
  /** Highest dense tensor peak the GPU has (fp16/bf16), TFLOP/s. */
  tensorTflops: number | null;
}

/** `tilecast/catalogue`: no params; the whole catalogue. */
export const CATALOGUE_REQUEST = 'tilecast/catalogue';
export type CatalogueResult = GpuSummary[];

/** A kernel's point on a roofline chart, per GPU. */
export interface RooflinePoint {
  gpuId: string;
  label: string;
  /** FLOP per DRAM byte. */
  arithmeticIntensity: number;
  /** Achieved (predicted) TFLOP/s, and its interval. */
  tflops: Interval;
}

export interface RooflineRoof {
  gpuId: string;
  gpuName: string;
  peakTflops: number;
  bandwidthGBps: number;
}

/** `tilecast/roofline` (DocumentPoint): the report at (or nearest before) the position. */
export const ROOFLINE_REQUEST = 'tilecast/roofline';
export interface RooflineResult {
  title: string;
  dtype: Dtype;
  roofs: RooflineRoof[];
  points: RooflinePoint[];
  /** Why there is nothing to plot, when `points` is empty. */
  message?: string;
}

/** `tilecast/tileSweep` (DocumentPoint & { gpuId?: string }): predicted runtime over two tile dimensions. */
export const TILE_SWEEP_REQUEST = 'tilecast/tileSweep';
export interface TileSweepCell {
  x: number;
  y: number;
  /** null where the configuration is illegal on the GPU (then `illegalReason`). */
  timeMs: Interval | null;
  illegalReason?: string;
}
export interface TileSweepResult {
  title: string;
  gpuId: string;
  xName: string;
  yName: string;
  xValues: number[];
  yValues: number[];
  cells: TileSweepCell[];
  current: { x: number; y: number } | null;
  suggested: { x: number; y: number } | null;
  /** Measured cells from the user's profiles (issue 10), same axes; absent until profiled. */
  measured?: Array<{ x: number; y: number; timeMs: number }>;
  /** The swept kernel's name, so the client matches only its measurements (issue 10); optional. */
  kernelName?: string;
  message?: string;
}

/** `tilecast/compareGpus` (DocumentPoint & { gpuIds?: string[] }): one bar per GPU. */
export const COMPARE_GPUS_REQUEST = 'tilecast/compareGpus';
export interface CompareGpusRow {
  gpuId: string;
  gpuName: string;
  timeMs: Interval | null;
  powerW: Interval | null;
  energyMj: Interval | null;
  /** Why the configuration cannot run there (shared memory, threads, registers, instructions). */
  illegalReason?: string;
  extrapolating?: boolean;
}
export interface CompareGpusResult {
  title: string;
  rows: CompareGpusRow[];
  message?: string;
}

/** `tilecast/exportCsv` ({ uri }): every report of the document as CSV text (header + one row per GPU). */
export const EXPORT_CSV_REQUEST = 'tilecast/exportCsv';
export interface ExportCsvResult {
  csv: string;
  rows: number;
}

/** The sizes the set-problem-size command writes: M, N and K for a GEMM, or an attention launch's seq, heads (batch × heads) and head_dim. */
export interface ProblemSizes {
  m?: number;
  n?: number;
  k?: number;
  seq?: number;
  heads?: number;
  head_dim?: number;
  dtype?: Dtype;
}

/**
 * `tilecast/problemSizeEdit` (DocumentPoint & { m, n, k } or, for an attention launch, { seq, heads,
 * head_dim }, and dtype?): the edit that writes the annotation.
 */
export const PROBLEM_SIZE_EDIT_REQUEST = 'tilecast/problemSizeEdit';
export interface ProblemSizeEditParams extends DocumentPoint, ProblemSizes {}

/** A size the command asks for, with its label and the value the analysis has now (null: none). */
export interface ProblemSizeField {
  key: Exclude<keyof ProblemSizes, 'dtype'>;
  label: string;
  value: number | null;
}

/** `tilecast/problemSizeFields` (DocumentPoint): the sizes to ask for there, with the values the analysis has now. */
export const PROBLEM_SIZE_FIELDS_REQUEST = 'tilecast/problemSizeFields';
export interface ProblemSizeFieldsResult {
  kind: 'gemm' | 'attention';
  fields: ProblemSizeField[];
}

export interface ProblemSizeEditResult {
  /** Null when there is no kernel or launch at the position (then `message`). */
  edit: { range: OffsetRange; lspRange: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string } | null;
  message?: string;
}

/** `tilecast/status` notification, server -> client, at start and whenever models or settings change. */
export const STATUS_NOTIFICATION = 'tilecast/status';
export interface StatusParams {
  serverVersion: string;
  /** Primary GPU first. */
  gpus: Array<{ id: string; name: string }>;
  /** Unresolved names from `tilecast.gpus`, with suggestions. */
  unknownGpus: Array<{ name: string; suggestions: string[] }>;
  /** `source`: which model ("shipped model", "your retrained model …", "tilecast.modelPath"); optional, added for issue 10. */
  model: { ok: true; runtimeFingerprint: string; powerFingerprint: string; dir: string; source?: string } | { ok: false; error: string };
  /** One line for the output channel. */
  message: string;
}

/** Client command ids the server's code lenses refer to; args are [DocumentPoint]. */
export const CLIENT_COMMANDS = {
  compareGpus: 'tilecast.compareGpus',
  tileSweep: 'tilecast.showTileSweep',
  roofline: 'tilecast.showRoofline',
  profile: 'tilecast.profileKernel',
  selectGpus: 'tilecast.selectGpus',
} as const;

/**
 * `tilecast/predictProfiles` ({ records: tilecast-profile/1 records, point?: DocumentPoint }), issue 10: the
 * server's prediction for each measured record (same model as the hovers), for "measured 2.10 ms vs
 * predicted 1.92 ms". With `point` (the profiled launch), its records get the hover's prediction of their
 * configuration; without, each record is predicted from its own fields.
 */
export const PREDICT_PROFILES_REQUEST = 'tilecast/predictProfiles';
/**
 * The workspace's model changed (Retrain model with my profiles, Revert): the server loads the model to
 * use now (tilecast.modelPath, else the workspace's retrained model, else the shipped one) and answers
 * the status (StatusParams) once it is loaded. No params.
 */
export const RELOAD_MODEL_REQUEST = 'tilecast/reloadModel';
export interface PredictProfilesResult {
  /** One per record, in order. */
  predictions: Array<{ runtimeMs: Interval | null; error?: string }>;
}
