// The palette commands (category "TileCast") and the code-lens commands the server names in
// CLIENT_COMMANDS: each turns the editor state into a request, sends it, and shows the answer.
import * as vscode from 'vscode';
import type { Dtype } from '../../server/src/analysis/types';
import {
  COMPARE_GPUS_REQUEST,
  EXPORT_CSV_REQUEST,
  PROBLEM_SIZE_EDIT_REQUEST,
  PROBLEM_SIZE_FIELDS_REQUEST,
  ROOFLINE_REQUEST,
  TILE_SWEEP_REQUEST,
  type CompareGpusResult,
  type DocumentPoint,
  type ExportCsvResult,
  type ProblemSizeEditParams,
  type ProblemSizeFieldsResult,
  type ProblemSizeEditResult,
  type RooflineResult,
  type TileSweepResult,
} from '../../server/src/ide/protocol';
import type { ChartPanel } from './chart-panel';
import { pickPrimaryGpu, pickTargetGpus } from './gpu-picker';

export interface CommandContext {
  request<R>(method: string, params?: unknown): Promise<R>;
  panels: ChartPanel;
  output: vscode.OutputChannel;
  extensionUri: vscode.Uri;
  /** The configured GPUs as the server resolved them (primary first), for the tile-sweep selector. */
  targetGpus(): Array<{ id: string; name: string }>;
  /** The user's measured cells for a sweep (profile store), drawn beside the prediction. */
  measuredFor?(data: TileSweepResult): TileSweepResult['measured'];
}

/** The server answers null when the position is in no kernel, launch or library call. */
const NOTHING_AT_CURSOR = 'TileCast: no kernel, launch or library GEMM call at the cursor.';

const DTYPES: Dtype[] = ['fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'int8', 'fp4', 'fp64'];

function isDocumentPoint(value: unknown): value is DocumentPoint {
  const point = value as DocumentPoint | undefined;
  return typeof point?.uri === 'string' && typeof point.position?.line === 'number' && typeof point.position.character === 'number';
}

/** The code lens's point, else the cursor of the active CUDA/Python editor. */
function pointOf(argument: unknown): DocumentPoint | undefined {
  if (isDocumentPoint(argument)) return argument;
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('TileCast: open a CUDA or Triton file and put the cursor in a kernel or at a launch.');
    return undefined;
  }
  const { line, character } = editor.selection.active;
  return { uri: editor.document.uri.toString(), position: { line, character } };
}

function failure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `The TileCast server could not answer: ${message}`;
}

export interface Commands {
  disposables: vscode.Disposable[];
  /** The tile-sweep webview asked for another GPU: sweep the same point again on it. */
  sweepOnGpu(gpuId: string): void;
  /** Shows the tile-sweep chart at a point (after a measured sweep). */
  showTileSweep(point: DocumentPoint): Promise<void>;
}

export function registerCommands(context: CommandContext): Commands {
  const { request, panels, output } = context;
  let lastSweepPoint: DocumentPoint | undefined;

  async function roofline(argument: unknown): Promise<void> {
    const commandAt = Date.now();
    const point = pointOf(argument);
    if (!point) return;
    const chart = panels.open('roofline', commandAt);
    try {
      const data = await request<RooflineResult | null>(ROOFLINE_REQUEST, point);
      await chart.show(data ? { type: 'roofline', data } : { type: 'failed', kind: 'roofline', message: NOTHING_AT_CURSOR });
    } catch (error) {
      await chart.show({ type: 'failed', kind: 'roofline', message: failure(error) });
    }
  }

  async function tileSweep(argument: unknown, gpuId?: string): Promise<void> {
    const commandAt = Date.now();
    const point = pointOf(argument);
    if (!point) return;
    lastSweepPoint = point;
    const chart = panels.open('tileSweep', commandAt);
    try {
      const data = await request<TileSweepResult | null>(TILE_SWEEP_REQUEST, { ...point, ...(gpuId ? { gpuId } : {}) });
      if (data && !data.measured && data.cells.length > 0) data.measured = context.measuredFor?.(data);
      await chart.show(data ? { type: 'tileSweep', data, gpus: context.targetGpus() } : { type: 'failed', kind: 'tileSweep', message: NOTHING_AT_CURSOR });
    } catch (error) {
      await chart.show({ type: 'failed', kind: 'tileSweep', message: failure(error) });
    }
  }

  async function compare(argument: unknown): Promise<void> {
    const commandAt = Date.now();
    const point = pointOf(argument);
    if (!point) return;
    const chart = panels.open('compare', commandAt);
    try {
      const data = await request<CompareGpusResult | null>(COMPARE_GPUS_REQUEST, point);
      await chart.show(data ? { type: 'compare', data } : { type: 'failed', kind: 'compare', message: NOTHING_AT_CURSOR });
    } catch (error) {
      await chart.show({ type: 'failed', kind: 'compare', message: failure(error) });
    }
  }

  async function askSize(name: string, value: string): Promise<number | undefined> {
    const answer = await vscode.window.showInputBox({
      title: 'TileCast: problem size',
      prompt: name,
      value,
      validateInput: (text) => (/^\s*[1-9]\d{0,9}\s*$/.test(text) ? undefined : 'A positive whole number'),
    });
    return answer === undefined ? undefined : Number(answer.trim());
  }

  async function setProblemSize(argument: unknown): Promise<void> {
    const point = pointOf(argument);
    if (!point) return;
    const defaults = vscode.workspace.getConfiguration('tilecast').get<{ m: number; n: number; k: number }>('defaultProblemSize') ?? {
      m: 4096,
      n: 4096,
      k: 4096,
    };
    // The server says what to ask for there (an attention launch: seq, batch × heads, head_dim) and what it reads now.
    let asked: ProblemSizeFieldsResult | null = null;
    try {
      asked = await request<ProblemSizeFieldsResult | null>(PROBLEM_SIZE_FIELDS_REQUEST, point);
    } catch {
      asked = null;
    }
    const fields = asked?.fields ?? [
      { key: 'm' as const, label: 'M (rows of C)', value: null },
      { key: 'n' as const, label: 'N (columns of C)', value: null },
      { key: 'k' as const, label: 'K (reduction)', value: null },
    ];
    const sizes: Partial<Record<(typeof fields)[number]['key'], number>> = {};
    for (const field of fields) {
      const fallback = field.key === 'm' || field.key === 'n' || field.key === 'k' ? defaults[field.key] : '';
      const value = await askSize(field.label, String(field.value ?? fallback));
      if (value === undefined) return;
      sizes[field.key] = value;
    }
    const dtype = await vscode.window.showQuickPick(['(from the code)', ...DTYPES], { title: 'TileCast: element type' });
    if (dtype === undefined) return;
    const params: ProblemSizeEditParams = { ...point, ...sizes, ...(DTYPES.includes(dtype as Dtype) ? { dtype: dtype as Dtype } : {}) };
    let result: ProblemSizeEditResult | null;
    try {
      result = await request<ProblemSizeEditResult | null>(PROBLEM_SIZE_EDIT_REQUEST, params);
    } catch (error) {
      void vscode.window.showErrorMessage(failure(error));
      return;
    }
    if (!result?.edit) {
      void vscode.window.showInformationMessage(result?.message ?? NOTHING_AT_CURSOR);
      return;
    }
    const { start, end } = result.edit.lspRange;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(vscode.Uri.parse(point.uri), new vscode.Range(start.line, start.character, end.line, end.character), result.edit.newText);
    await vscode.workspace.applyEdit(edit);
  }

  async function exportCsv(argument: unknown): Promise<void> {
    const uri = isDocumentPoint(argument) ? argument.uri : vscode.window.activeTextEditor?.document.uri.toString();
    if (!uri) {
      void vscode.window.showInformationMessage('TileCast: open a CUDA or Triton file to export its predictions.');
      return;
    }
    let result: ExportCsvResult | null;
    try {
      result = await request<ExportCsvResult | null>(EXPORT_CSV_REQUEST, { uri });
    } catch (error) {
      void vscode.window.showErrorMessage(failure(error));
      return;
    }
    if (!result || result.rows === 0) {
      void vscode.window.showInformationMessage('TileCast: no predictions in this file to export.');
      return;
    }
    const source = vscode.Uri.parse(uri);
    const target = await vscode.window.showSaveDialog({
      defaultUri: source.with({ path: source.path.replace(/\.[^./]*$/, '') + '.tilecast.csv' }),
      filters: { CSV: ['csv'] },
      saveLabel: 'Export',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(result.csv, 'utf8'));
    output.appendLine(`exported ${result.rows} prediction rows to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`TileCast: exported ${result.rows} rows to ${vscode.workspace.asRelativePath(target)}.`);
  }

  async function openModelReport(): Promise<void> {
    const report = vscode.Uri.joinPath(context.extensionUri, 'models', 'REPORT.md');
    await vscode.commands.executeCommand('markdown.showPreview', report);
  }

  const register = vscode.commands.registerCommand;
  const disposables = [
    register('tilecast.selectGpus', () => pickTargetGpus(request).catch((e: unknown) => vscode.window.showErrorMessage(failure(e)))),
    register('tilecast.selectPrimaryGpu', () => pickPrimaryGpu(request).catch((e: unknown) => vscode.window.showErrorMessage(failure(e)))),
    register('tilecast.setProblemSize', setProblemSize),
    register('tilecast.compareGpus', compare),
    register('tilecast.showRoofline', roofline),
    register('tilecast.showTileSweep', (argument: unknown) => tileSweep(argument)),
    register('tilecast.exportCsv', exportCsv),
    register('tilecast.openModelReport', openModelReport),
    register('tilecast.showOutput', () => output.show(true)),
  ];
  return { disposables, sweepOnGpu: (gpuId) => void (lastSweepPoint && tileSweep(lastSweepPoint, gpuId)), showTileSweep: (point) => tileSweep(point) };
}
