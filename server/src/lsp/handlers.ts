// One handler per request: convert the position in, call the editor core (ide/api.ts), convert the
// answer out. Each goes through TilecastServer.request, which waits for readiness, drops outdated
// requests and turns a failure into a logged null. No logic of its own beyond translation.
import type {
  CodeAction,
  CodeActionParams,
  CodeLens,
  CodeLensParams,
  Connection,
  Hover,
  HoverParams,
  InlayHint,
  InlayHintParams,
} from 'vscode-languageserver/node';
import {
  codeActionsAt,
  codeLensesOf,
  compareGpusAt,
  exportCsv,
  hoverAt,
  inlayHintsIn,
  problemSizeAnnotationEdit,
  problemSizeFieldsAt,
  rooflineAt,
  tileSweepAt,
} from '../ide/api';
import {
  CATALOGUE_REQUEST,
  COMPARE_GPUS_REQUEST,
  DIAGNOSTIC_CODES,
  EXPORT_CSV_REQUEST,
  PROBLEM_SIZE_EDIT_REQUEST,
  PROBLEM_SIZE_FIELDS_REQUEST,
  ROOFLINE_REQUEST,
  TILE_SWEEP_REQUEST,
  type CatalogueResult,
  type CompareGpusResult,
  type DiagnosticCode,
  type DocumentPoint,
  type ExportCsvResult,
  type ProblemSizeEditParams,
  type ProblemSizeEditResult,
  type ProblemSizeFieldsResult,
  type RooflineResult,
  type TileSweepResult,
} from '../ide/protocol';
import { listGpus } from '../perf/gpu-catalogue';
import { withMeasured } from './measured-hover';
import { fromLspRange, toCodeAction, toCodeLens, toGpuSummary, toHover, toInlayHint, toLspRange } from './conversions';
import type { Snapshot, TilecastServer } from './server';
import { resolveGpus } from './settings';

const isPosition = (value: unknown): value is { line: number; character: number } =>
  typeof value === 'object' &&
  value !== null &&
  Number.isInteger((value as { line?: unknown }).line) &&
  Number.isInteger((value as { character?: unknown }).character);

/** The snapshot and offset a DocumentPoint names, or null when the document is not open (or the point is malformed). */
function pointIn(server: TilecastServer, point: DocumentPoint | null | undefined): { snapshot: Snapshot; offset: number } | null {
  if (!point || !isPosition(point.position)) return null;
  const snapshot = server.snapshot(point.uri);
  return snapshot ? { snapshot, offset: snapshot.file.document.offsetAt(point.position) } : null;
}

const isSize = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2 ** 31;

export function registerHandlers(connection: Connection, server: TilecastServer): void {
  connection.onHover(
    server.request('hover', (params: HoverParams): Hover | null => {
      const at = pointIn(server, { uri: params.textDocument.uri, position: params.position });
      const hover = at && hoverAt(at.snapshot.reports, at.offset);
      return hover ? toHover(at.snapshot.file.document, withMeasured(hover, at.snapshot.reports, at.offset, params.textDocument.uri)) : null;
    }),
  );

  connection.languages.inlayHint.on(
    server.request('inlayHint', (params: InlayHintParams): InlayHint[] | null => {
      const snapshot = server.snapshot(params.textDocument.uri);
      if (!snapshot) return null;
      const document = snapshot.file.document;
      return inlayHintsIn(snapshot.reports, fromLspRange(document, params.range)).map((hint) => toInlayHint(document, hint));
    }),
  );

  connection.onCodeLens(
    server.request('codeLens', (params: CodeLensParams): CodeLens[] | null => {
      const snapshot = server.snapshot(params.textDocument.uri);
      if (!snapshot) return null;
      return codeLensesOf(snapshot.reports).map((lens) => toCodeLens(snapshot.file.document, lens));
    }),
  );

  connection.onCodeAction(
    server.request('codeAction', (params: CodeActionParams): CodeAction[] | null => {
      const snapshot = server.snapshot(params.textDocument.uri);
      if (!snapshot) return null;
      const document = snapshot.file.document;
      const diagnostics = Array.isArray(params.context?.diagnostics) ? params.context.diagnostics : [];
      const codes = diagnostics
        .filter((d) => d.source === 'tilecast' && (DIAGNOSTIC_CODES as readonly unknown[]).includes(d.code))
        .map((d) => d.code as DiagnosticCode);
      const only = params.context?.only;
      const versioned = server.capabilities.workspace?.workspaceEdit?.documentChanges === true;
      return codeActionsAt(snapshot.reports, fromLspRange(document, params.range), codes)
        .filter((action) => !only || only.some((kind) => action.kind === kind || action.kind.startsWith(`${kind}.`)))
        .map((action) => toCodeAction(document, action, diagnostics, versioned, (name) => server.store.headerTarget(snapshot.file, name)))
        .filter((action): action is CodeAction => action !== null);
    }),
  );

  connection.onRequest(
    CATALOGUE_REQUEST,
    server.request('catalogue', (): CatalogueResult => listGpus().map(toGpuSummary)),
  );

  connection.onRequest(
    ROOFLINE_REQUEST,
    server.request('roofline', (params: DocumentPoint): RooflineResult | null => {
      const at = pointIn(server, params);
      return at && rooflineAt(at.snapshot.reports, at.offset);
    }),
  );

  connection.onRequest(
    TILE_SWEEP_REQUEST,
    server.request('tileSweep', (params: DocumentPoint & { gpuId?: string }): TileSweepResult | null => {
      const at = pointIn(server, params);
      const gpuId = typeof params?.gpuId === 'string' ? params.gpuId : undefined;
      return at && tileSweepAt(at.snapshot.reports, at.offset, gpuId);
    }),
  );

  connection.onRequest(
    COMPARE_GPUS_REQUEST,
    server.request('compareGpus', (params: DocumentPoint & { gpuIds?: string[] }): CompareGpusResult | null => {
      const at = pointIn(server, params);
      if (!at) return null;
      const names = Array.isArray(params.gpuIds) ? params.gpuIds.filter((id): id is string => typeof id === 'string') : [];
      const gpus = names.length > 0 ? resolveGpus(names) : null;
      for (const problem of gpus?.problems ?? []) server.log('warn', `compareGpus: ${problem}`);
      return compareGpusAt(at.snapshot.reports, at.offset, gpus ? gpus.gpus : server.gpus);
    }),
  );

  connection.onRequest(
    EXPORT_CSV_REQUEST,
    server.request('exportCsv', (params: { uri: string }): ExportCsvResult | null => {
      const snapshot = server.snapshot(params?.uri);
      return snapshot && exportCsv(snapshot.reports);
    }),
  );

  connection.onRequest(
    PROBLEM_SIZE_FIELDS_REQUEST,
    server.request('problemSizeFields', (params: DocumentPoint): ProblemSizeFieldsResult | null => {
      const at = pointIn(server, params);
      return at && problemSizeFieldsAt(at.snapshot.reports, at.offset);
    }),
  );

  connection.onRequest(
    PROBLEM_SIZE_EDIT_REQUEST,
    server.request('problemSizeEdit', (params: ProblemSizeEditParams): ProblemSizeEditResult | null => {
      const gemm = !!params && isSize(params.m) && isSize(params.n) && isSize(params.k);
      const attention = !!params && isSize(params.seq) && isSize(params.heads) && isSize(params.head_dim);
      if (!gemm && !attention) {
        return { edit: null, message: 'm, n and k (or seq, heads and head_dim) must be whole numbers from 1 to 2^31' };
      }
      const at = pointIn(server, params);
      if (!at) return null;
      const sizes = gemm ? { m: params.m, n: params.n, k: params.k } : { seq: params.seq, heads: params.heads, head_dim: params.head_dim };
      const size = { ...sizes, ...(typeof params.dtype === 'string' ? { dtype: params.dtype } : {}) };
      const edit = problemSizeAnnotationEdit(at.snapshot.reports, at.offset, size);
      if (!edit) return { edit: null, message: 'no kernel or launch at the cursor' };
      return { edit: { range: edit.range, lspRange: toLspRange(at.snapshot.file.document, edit.range), newText: edit.newText } };
    }),
  );
}
