// Reports broken Python as problems: tree-sitter ERROR and MISSING nodes, and statements indented
// differently from their block (tree-sitter accepts those silently; Python raises IndentationError).
import type { SyntaxNode } from './tree';
import type { Problem } from '../types';
import { childrenOf, type LineIndex, namedChildrenOf, rangeOf, statementNodes } from './syntax';

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

/** A statement indented differently from its block's first statement. */
interface Misindented {
  statement: SyntaxNode;
  column: number;
  expected: number;
}

/** Each top-level statement's misindented statements, kept with its node (a unit keeps its nodes while its text is unchanged). */
const misindentedOf = new WeakMap<SyntaxNode, Misindented[]>();

function indentationProblems(root: SyntaxNode, lines: LineIndex): Problem[] {
  // Columns are relative to line starts, and a unit starts at a line start: a memo holds while its unit moves.
  const columnIfFirstOnLine = (node: SyntaxNode): number | null => {
    const line = lines.lineOf(node.startIndex);
    const text = lines.lineText(line);
    const column = text.length - text.trimStart().length;
    return lines.offsetOfLine(line) + column === node.startIndex ? column : null;
  };
  const misindented = (block: SyntaxNode, found: Misindented[]): void => {
    const statements = namedChildrenOf(block).filter((child) => child.type !== 'comment' && child.type !== 'ERROR');
    const expected = block.type === 'module' ? 0 : statements.length > 0 ? columnIfFirstOnLine(statements[0]) : null;
    if (expected === null) return;
    for (const statement of statements) {
      const column = columnIfFirstOnLine(statement);
      if (column !== null && column !== expected) found.push({ statement, column, expected });
    }
  };
  const found: Misindented[] = [];
  misindented(root, found);
  for (const statement of root.children) {
    if (!statement) continue;
    let own = misindentedOf.get(statement);
    if (!own) {
      own = [];
      for (const block of statementNodes(statement).blocks) misindented(block, own);
      misindentedOf.set(statement, own);
    }
    found.push(...own);
  }
  return found.map(({ statement, column, expected }) => ({
    range: { start: statement.startIndex, end: Math.min(statement.endIndex, lineEndOf(lines, statement.startIndex)) },
    message: `Python syntax error: unexpected indentation (column ${column}, the block is at column ${expected})`,
    severity: 'warning',
  }));
}

function lineEndOf(lines: LineIndex, offset: number): number {
  const line = lines.lineOf(offset);
  return lines.offsetOfLine(line) + lines.lineText(line).length;
}
