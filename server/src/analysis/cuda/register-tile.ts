// Whether a K tile loop accumulates a register tile, read from the loop's tree: each thread keeps a
// micro-tile of C in a local array and adds products into it, `vals[ii][ji] += lhs.x * rhs[ji].x` (llm.c's
// matmul_forward_kernel4, whose float4 operands the multiply-accumulate text pattern of kernels.ts does
// not read). Pure; reads nodes only, never throws on odd trees.
import type { Node } from 'web-tree-sitter';
import { descendantsOf, namedChildrenOf } from './syntax';

/** Bounds the walk up from an accumulation to its K loop (a register tile sits two or three loops deep). */
const MAX_STEPS_TO_LOOP = 64;

/**
 * True when `tileLoop`'s body holds `acc[i]...[j] += a * b`: `acc` a name not in `notRegisters` (the
 * kernel's parameters and shared arrays, so neither a store to global memory nor a shared tile), every
 * index the variable of a `for` inside the K loop that encloses the statement (the thread's micro-tile
 * loops), and the right side a product of two operands neither of which is a number.
 */
export function accumulatesRegisterTile(tileLoop: Node, notRegisters: ReadonlySet<string>): boolean {
  const body = tileLoop.childForFieldName('body');
  if (!body) return false;
  for (const assignment of descendantsOf(body, 'assignment_expression')) {
    if (assignment.childForFieldName('operator')?.text !== '+=') continue;
    if (!isProduct(assignment.childForFieldName('right'))) continue;
    const indices: Node[] = [];
    let target = assignment.childForFieldName('left');
    while (target?.type === 'subscript_expression') {
      const list = target.childForFieldName('indices');
      indices.push(...(list ? namedChildrenOf(list).filter((c) => c.type !== 'comment') : []));
      target = target.childForFieldName('argument');
    }
    if (target?.type !== 'identifier' || indices.length === 0 || notRegisters.has(target.text)) continue;
    const loopVariables = enclosingLoopVariables(assignment, tileLoop);
    if (indices.every((index) => index.type === 'identifier' && loopVariables.has(index.text))) return true;
  }
  return false;
}

function isProduct(node: Node | null): boolean {
  let current = node;
  while (current?.type === 'parenthesized_expression') current = namedChildrenOf(current)[0] ?? null;
  if (current?.type !== 'binary_expression' || current.childForFieldName('operator')?.text !== '*') return false;
  const operands = [current.childForFieldName('left'), current.childForFieldName('right')];
  return operands.every((operand) => operand !== null && operand.type !== 'number_literal');
}

/** The variables of the `for` statements between `node` and `tileLoop` (exclusive), `int i = 0` or `i = 0`. */
function enclosingLoopVariables(node: Node, tileLoop: Node): Set<string> {
  const names = new Set<string>();
  let current = node.parent;
  for (let step = 0; current && step < MAX_STEPS_TO_LOOP && current.startIndex !== tileLoop.startIndex; step++) {
    if (current.type === 'for_statement') {
      const initializer = current.childForFieldName('initializer');
      const declarator = initializer?.type === 'declaration' ? initializer.childForFieldName('declarator') : null;
      const name =
        declarator?.type === 'init_declarator'
          ? declarator.childForFieldName('declarator')
          : initializer?.type === 'assignment_expression'
            ? initializer.childForFieldName('left')
            : null;
      if (name?.type === 'identifier') names.add(name.text);
    }
    current = current.parent;
  }
  return names;
}
