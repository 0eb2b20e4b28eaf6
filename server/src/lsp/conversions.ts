// Converts between the core's records (UTF-16 offsets, plain items) and LSP types (line/character
// positions, Hover, InlayHint, CodeLens, Diagnostic, CodeAction). The only place, with the rest of lsp/,
// that knows LSP types; it must not analyse or decide anything.
import {
  CodeActionKind,
  DiagnosticSeverity,
  InlayHintKind,
  MarkupKind,
  type CodeAction,
  type CodeLens,
  type Diagnostic,
  type Hover,
  type InlayHint,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Problem } from '../analysis/types';
import type { CodeActionItem, CodeLensItem, DiagnosticItem, HoverResult, InlayHintItem, TextEditItem } from '../ide/api';
import type { DocumentPoint, GpuSummary, OffsetRange } from '../ide/protocol';
import type { GpuSpec } from '../perf/types';

/** Clamps a value that may not be a finite offset (bad input from anywhere) into the text. */
function clampOffset(document: TextDocument, offset: number): number {
  return Number.isFinite(offset) ? Math.max(0, Math.min(Math.trunc(offset), document.getText().length)) : 0;
}

export function toLspRange(document: TextDocument, range: OffsetRange): Range {
  const start = clampOffset(document, range.start);
  const end = Math.max(start, clampOffset(document, range.end));
  return { start: document.positionAt(start), end: document.positionAt(end) };
}

export function fromLspRange(document: TextDocument, range: Range): OffsetRange {
  const start = document.offsetAt(range.start);
  return { start, end: Math.max(start, document.offsetAt(range.end)) };
}

export function toHover(document: TextDocument, hover: HoverResult): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: hover.markdown }, range: toLspRange(document, hover.range) };
}

export function toInlayHint(document: TextDocument, hint: InlayHintItem): InlayHint {
  const converted: InlayHint = {
    position: document.positionAt(clampOffset(document, hint.offset)),
    label: hint.label,
    kind: InlayHintKind.Type,
    paddingLeft: hint.paddingLeft ?? true,
  };
  if (hint.tooltip) converted.tooltip = { kind: MarkupKind.Markdown, value: hint.tooltip };
  return converted;
}

/** A command argument from the core that points into the document ({ offset, ... }) becomes a DocumentPoint. */
function toCommandArgument(document: TextDocument, argument: unknown): unknown {
  if (typeof argument !== 'object' || argument === null || Array.isArray(argument)) return argument;
  const { offset, ...rest } = argument as { offset?: unknown } & Record<string, unknown>;
  if (typeof offset !== 'number') return argument;
  const point: DocumentPoint = { uri: document.uri, position: document.positionAt(clampOffset(document, offset)) };
  return { ...rest, ...point };
}

export function toCodeLens(document: TextDocument, lens: CodeLensItem): CodeLens {
  return {
    range: toLspRange(document, lens.range),
    // A lens without a command is a label; the empty command makes clients show it without acting on a click.
    command: lens.command
      ? { title: lens.title, command: lens.command.id, arguments: lens.command.args.map((argument) => toCommandArgument(document, argument)) }
      : { title: lens.title, command: '' },
  };
}

const SEVERITIES: Record<DiagnosticItem['severity'] | Problem['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** `docsBase` is the URI of the directory that holds docs/ (the installed extension), or null when the docs are not there. */
export function toDiagnostic(document: TextDocument, item: DiagnosticItem, docsBase: string | null): Diagnostic {
  const diagnostic: Diagnostic = {
    range: toLspRange(document, item.range),
    message: item.message,
    severity: SEVERITIES[item.severity],
    code: item.code,
    source: 'tilecast',
  };
  if (docsBase && item.docPath) diagnostic.codeDescription = { href: `${docsBase}/${item.docPath}` };
  return diagnostic;
}

/** The analysis' own problems (syntax errors, folding errors), which carry no rule code. */
export function problemToDiagnostic(document: TextDocument, problem: Problem): Diagnostic {
  return { range: toLspRange(document, problem.range), message: problem.message, severity: SEVERITIES[problem.severity], source: 'tilecast' };
}

export function toTextEdit(document: TextDocument, edit: TextEditItem): TextEdit {
  return { range: toLspRange(document, edit.range), newText: edit.newText };
}

/** Where an edit of an included header goes (DocumentStore.headerTarget): null when it cannot go anywhere safely. */
export type HeaderTarget = (name: string) => { document: TextDocument; version: number | null } | null;

/**
 * `versioned`: the client accepts documentChanges, so the edit names the version it was computed for
 * and a client holding a newer text refuses it rather than applying it in the wrong place. Edits of an
 * included header (TextEditItem.header) go to that header's document (version null when it is not open);
 * null when one of them has nowhere to go.
 */
export function toCodeAction(
  document: TextDocument,
  action: CodeActionItem,
  contextDiagnostics: Diagnostic[],
  versioned: boolean,
  headerTarget: HeaderTarget = () => null,
): CodeAction | null {
  const targets = new Map<string, { document: TextDocument; version: number | null; edits: TextEdit[] }>();
  for (const item of action.edits) {
    const target = item.header === undefined ? { document, version: document.version } : headerTarget(item.header);
    if (!target) return null;
    const uri = target.document.uri;
    if (!targets.has(uri)) targets.set(uri, { ...target, edits: [] });
    targets.get(uri)!.edits.push(toTextEdit(target.document, item));
  }
  const edit: WorkspaceEdit = versioned
    ? { documentChanges: [...targets].map(([uri, t]) => ({ textDocument: { uri, version: t.version }, edits: t.edits })) }
    : { changes: Object.fromEntries([...targets].map(([uri, t]) => [uri, t.edits])) };
  const converted: CodeAction = {
    title: action.title,
    kind: action.kind === 'quickfix' ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
    edit,
  };
  if (action.isPreferred) converted.isPreferred = true;
  if (action.fixes && action.fixes.length > 0) {
    const fixed = contextDiagnostics.filter((d) => d.source === 'tilecast' && typeof d.code === 'string' && action.fixes!.includes(d.code as never));
    if (fixed.length > 0) converted.diagnostics = fixed;
  }
  return converted;
}

const numberOf = (value: { value: number } | undefined): number | null => (value && Number.isFinite(value.value) ? value.value : null);

/** A catalogue entry as the quick pick and the comparison show it. */
export function toGpuSummary(gpu: GpuSpec): GpuSummary {
  const tensor = [gpu.peak.fp16Tensor, gpu.peak.bf16Tensor].map(numberOf).filter((v): v is number => v !== null);
  return {
    id: gpu.id,
    name: gpu.name,
    architecture: gpu.architecture,
    computeCapability: gpu.computeCapability,
    memoryGB: numberOf(gpu.memorySizeGB),
    bandwidthGBps: numberOf(gpu.memoryBandwidthGBps),
    fp32Tflops: numberOf(gpu.peak.fp32),
    tensorTflops: tensor.length > 0 ? Math.max(...tensor) : null,
  };
}
