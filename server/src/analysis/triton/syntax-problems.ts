// Reports broken Python as problems: tree-sitter ERROR and MISSING nodes, and statements indented
// differently from their block (tree-sitter accepts those silently; Python raises IndentationError).
import type { SyntaxNode } from './tree';
import type { Problem } from '../types';
import { childrenOf, type LineIndex, moduleNodes, namedChildrenOf, rangeOf } from './syntax';

const MAX_SYNTAX_PROBLEMS = 20;

export function syntaxProblems(root: SyntaxNode, lines: LineIndex): Problem[] {
  const problems: Problem[] = [];
  // Missing tokens are anonymous nodes, so this walks all children, not just named ones.
  const visit = (node: SyntaxNode) => {
    if (problems.length >= MAX_SYNTAX_PROBLEMS) return;
    if (node.isMissing) {
      problems.push({ range: rangeOf(node), message: `Python syntax error: missing '${node.type}'; analysis here may be incomplete`, severity: 'warning' });
      return;
    }
    if (node.type === 'ERROR') {
      problems.push({ range: rangeOf(node), message: 'Python syntax error; analysis of this region may be incomplete', severity: 'warning' });
      return;
    }
    if (!node.hasError) return;
    for (const child of childrenOf(node)) visit(child);
  };
  visit(root);
  problems.push(...indentationProblems(root, lines).slice(0, MAX_SYNTAX_PROBLEMS));
  return problems;
}

function indentationProblems(root: SyntaxNode, lines: LineIndex): Problem[] {
  const problems: Problem[] = [];
  const columnIfFirstOnLine = (node: SyntaxNode): number | null => {
    const line = lines.lineOf(node.startIndex);
    const text = lines.lineText(line);
    const column = text.length - text.trimStart().length;
    return lines.offsetOfLine(line) + column === node.startIndex ? column : null;
  };
  for (const node of [root, ...moduleNodes(root).blocks]) {
    const statements = namedChildrenOf(node).filter((child) => child.type !== 'comment' && child.type !== 'ERROR');
    const expected = node.type === 'module' ? 0 : statements.length > 0 ? columnIfFirstOnLine(statements[0]) : null;
    if (expected === null) continue;
    for (const statement of statements) {
      const column = columnIfFirstOnLine(statement);
      if (column !== null && column !== expected) {
        problems.push({
          range: { start: statement.startIndex, end: Math.min(statement.endIndex, lineEndOf(lines, statement.startIndex)) },
          message: `Python syntax error: unexpected indentation (column ${column}, the block is at column ${expected})`,
          severity: 'warning',
        });
      }
    }
  }
  return problems;
}

function lineEndOf(lines: LineIndex, offset: number): number {
  const line = lines.lineOf(offset);
  return lines.offsetOfLine(line) + lines.lineText(line).length;
}
