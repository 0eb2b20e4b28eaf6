// The tile of C one block computes, read from how a GEMM kernel moves its output pointer to the block's
// tile (llm.c's matmul_forward_kernel4: `out += 128 * blockIdx.x * OC + 128 * blockIdx.y;`): the term
// with C's row stride (an integer parameter, N) steps whole rows along the grid axis that runs over M,
// the other steps columns along N; the K tile loop's bound (`so < C`) is K. Pure; reads the kernel's tree
// and folds the constant factors, and gives nothing for any other shape.
import type { Node } from 'web-tree-sitter';
import { foldCText, type FoldEnv } from '../folding';
import type { KernelParameter } from '../types';
import { descendantsOf, namedChildrenOf, sourceText } from './syntax';

export interface BlockOffsetTiling {
  /** Rows (M) and columns (N) of C one block computes. */
  blockM: number;
  blockN: number;
  /** The grid axis whose blocks step along M (the other steps along N). */
  axisM: 'x' | 'y';
  /** The integer parameters that are N (C's row stride) and K (the K tile loop's bound). */
  n: string;
  k: string;
}

/** Bounds the sums and products taken apart (an offset is a few terms of a few factors). */
const MAX_PARTS = 16;

/** One term of a block offset: `extent * blockIdx.axis [* stride]`. */
interface BlockTerm {
  axis: 'x' | 'y';
  extent: number;
  stride: string | null;
}

/**
 * The tiling of a GEMM kernel (`kernel` its function_definition) whose pointer parameters move to the
 * block's tiles with `pointer += ...` of terms of blockIdx.x and blockIdx.y, when exactly one pointer (C)
 * moves along both axes, one of its terms strided by an integer parameter (N); `tileLoopStart` is the
 * start of its K tile loop, whose condition `v < K` names K; `integers` the integer parameters' names.
 * Null for anything else.
 */
export function blockOffsetTiling(
  kernel: Node,
  text: string,
  parameters: readonly KernelParameter[],
  integers: ReadonlySet<string>,
  tileLoopStart: number | null,
  env: FoldEnv,
): BlockOffsetTiling | null {
  const body = kernel.childForFieldName('body');
  if (!body || tileLoopStart === null) return null;
  const pointers = new Set(parameters.filter((p) => p.type.includes('*')).map((p) => p.name));
  const moves = new Map<string, BlockTerm[] | null>();
  for (const assignment of descendantsOf(body, 'assignment_expression')) {
    const left = assignment.childForFieldName('left');
    if (left?.type !== 'identifier' || !pointers.has(left.text) || assignment.childForFieldName('operator')?.text !== '+=') continue;
    const terms = blockTerms(assignment.childForFieldName('right'), text, integers, env);
    if (!terms) continue;
    // A pointer moved by blockIdx twice is not a plain move to the block's tile.
    moves.set(left.text, moves.has(left.text) ? null : terms);
  }
  let tiling: Omit<BlockOffsetTiling, 'k'> | null = null;
  for (const terms of moves.values()) {
    if (!terms || terms.length !== 2 || terms[0]!.axis === terms[1]!.axis) continue;
    const strided = terms.filter((term) => term.stride !== null);
    if (strided.length !== 1) continue;
    // Two pointers moving along both axes: which one is C is not clear.
    if (tiling) return null;
    const rows = strided[0]!;
    const columns = terms.find((term) => term !== rows)!;
    tiling = { blockM: rows.extent, blockN: columns.extent, axisM: rows.axis, n: rows.stride! };
  }
  if (!tiling) return null;
  const k = loopBound(body, tileLoopStart, integers);
  return k && k !== tiling.n ? { ...tiling, k } : null;
}

/** `a * blockIdx.x * S + b * blockIdx.y`: each term's axis, constant extent and stride parameter, or null. */
function blockTerms(expression: Node | null, text: string, integers: ReadonlySet<string>, env: FoldEnv): BlockTerm[] | null {
  const terms: BlockTerm[] = [];
  for (const term of operands(expression, '+')) {
    let axis: 'x' | 'y' | null = null;
    let stride: string | null = null;
    let extent = 1;
    for (const factor of operands(term, '*')) {
      const blockIndex = /^blockIdx\.([xy])$/.exec(factor.type === 'field_expression' ? factor.text.replace(/\s+/g, '') : '');
      if (blockIndex) {
        if (axis) return null;
        axis = blockIndex[1] as 'x' | 'y';
      } else if (factor.type === 'identifier' && integers.has(factor.text)) {
        if (stride) return null;
        stride = factor.text;
      } else {
        const value = foldCText(sourceText(text, factor), factor.startIndex, env, []).value;
        if (value === null || !Number.isInteger(value) || value <= 0) return null;
        extent *= value;
      }
    }
    if (!axis) return null;
    terms.push({ axis, extent, stride });
  }
  return terms.length > 0 ? terms : null;
}

/** The operands of a chain of one binary operator (`a + b + c`), through parentheses; [] past MAX_PARTS. */
function operands(node: Node | null, operator: '+' | '*'): Node[] {
  const result: Node[] = [];
  const pending: Node[] = node ? [node] : [];
  while (pending.length > 0) {
    if (result.length + pending.length > MAX_PARTS) return [];
    let current = pending.pop()!;
    while (current.type === 'parenthesized_expression' && namedChildrenOf(current).length === 1) current = namedChildrenOf(current)[0]!;
    const left = current.type === 'binary_expression' && current.childForFieldName('operator')?.text === operator ? current.childForFieldName('left') : null;
    const right = left ? current.childForFieldName('right') : null;
    if (left && right) pending.push(right, left);
    else result.push(current);
  }
  return result;
}

/** The integer parameter a `for` condition `v < P` (or `<=`) starting at `start` compares with. */
function loopBound(body: Node, start: number, integers: ReadonlySet<string>): string | null {
  const loop = body.descendantForIndex(start)?.parent;
  if (loop?.type !== 'for_statement' || loop.startIndex !== start) return null;
  const condition = loop.childForFieldName('condition');
  const operator = condition?.type === 'binary_expression' ? condition.childForFieldName('operator')?.text : null;
  const bound = operator === '<' || operator === '<=' ? condition!.childForFieldName('right') : null;
  return bound?.type === 'identifier' && integers.has(bound.text) ? bound.text : null;
}
