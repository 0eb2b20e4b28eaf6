// Converts between the core's offsets/problems and LSP positions/diagnostics. The only place,
// with the rest of lsp/, that knows LSP types; it must not analyse anything.
import { DiagnosticSeverity, type Diagnostic, type Range as LspRange } from 'vscode-languageserver/node';
import type { Problem, Range } from '../analysis/types';
import { LineIndex } from '../text/line-index';

export function toLspRange(index: LineIndex, range: Range): LspRange {
  return { start: index.positionAt(range.start), end: index.positionAt(range.end) };
}

export function fromLspRange(index: LineIndex, range: LspRange): Range {
  return { start: index.offsetAt(range.start), end: index.offsetAt(range.end) };
}

const severities: Record<Problem['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toDiagnostic(index: LineIndex, problem: Problem): Diagnostic {
  return { range: toLspRange(index, problem.range), message: problem.message, severity: severities[problem.severity], source: 'tilecast' };
}
