// Whether each thread of a GEMM kernel stores one element of a row-major C, a block covering block.y
// rows by block.x columns of it, so that the grid covers M = grid.y × block.y rows. cuda-samples'
// matrixMul stores `C[c + wB * ty + tx]` with `c = wB * BLOCK_SIZE * by + BLOCK_SIZE * bx` and `by =
// blockIdx.y`: no `blockIdx.y * F + threadIdx.y` is written, so the kernel's index is folded instead,
// through its locals, at a few block and thread coordinates. Pure; reads the kernel's tree (the locals it
// declares once and never assigns, its stores to pointer parameters) and folds with analysis/folding.
import type { Node } from 'web-tree-sitter';
import { foldExpr, MapEnv, parseCExpression, type Expr, type FoldEnv } from '../folding';
import type { KernelParameter } from '../types';
import { declaredName, descendantsOf, namedChildrenOf, sourceText } from './syntax';

type Coordinates = Partial<Record<'blockIdx.x' | 'blockIdx.y' | 'threadIdx.x' | 'threadIdx.y', number>>;

/**
 * M = grid.y × block.y when every store of the kernel to a pointer parameter (at least one) indexes
 * C by `row * rowStride + column`, its row the thread's `blockIdx.y * block.y + threadIdx.y` and its
 * column `blockIdx.x * block.x + threadIdx.x`, checked by folding the index with the kernel's
 * parameters bound to `values` (the launch's arguments, template parameters included) and `rowStride`
 * (N, read from code). Null otherwise: a store in a loop over a micro-tile, a column-major C, a
 * transposed block or an index that does not fold.
 */
export function rowsFromStores(
  kernel: Node,
  text: string,
  parameters: readonly KernelParameter[],
  values: Map<string, number | null>,
  base: FoldEnv,
  grid: readonly [number, number, number],
  block: readonly [number, number, number],
  rowStride: number,
): number | null {
  const body = kernel.childForFieldName('body');
  if (!body || rowStride <= 0) return null;
  const env = new MapEnv(base);
  for (const [name, value] of values) env.set(name, { kind: 'value', value });
  ['x', 'y', 'z'].forEach((axis, i) => {
    env.set(`blockDim.${axis}`, { kind: 'value', value: block[i]! });
    env.set(`gridDim.${axis}`, { kind: 'value', value: grid[i]! });
  });
  bindLocals(body, text, env);
  const pointers = new Set(parameters.filter((p) => p.type.includes('*')).map((p) => p.name));
  const indices: Expr[] = [];
  for (const assignment of descendantsOf(body, 'assignment_expression')) {
    const left = assignment.childForFieldName('left');
    if (left?.type !== 'subscript_expression' || assignment.childForFieldName('operator')?.text !== '=') continue;
    const array = left.childForFieldName('argument');
    if (array?.type !== 'identifier' || !pointers.has(array.text)) continue;
    const index = namedChildrenOf(left.childForFieldName('indices') ?? left).filter((c) => c.type !== 'comment');
    if (index.length !== 1) return null;
    indices.push(parseCExpression(sourceText(text, index[0]!), index[0]!.startIndex));
  }
  if (indices.length === 0) return null;
  const [blockX, blockY] = [block[0], block[1]];
  for (const index of indices) {
    const at = (coordinates: Coordinates): number | null => {
      const point = new MapEnv(env);
      for (const name of ['blockIdx.x', 'blockIdx.y', 'threadIdx.x', 'threadIdx.y'] as const) point.set(name, { kind: 'value', value: coordinates[name] ?? 0 });
      for (const name of ['blockIdx.z', 'threadIdx.z']) point.set(name, { kind: 'value', value: 0 });
      return foldExpr(index, point, []).value;
    };
    const origin = at({});
    if (origin === null) return null;
    // Offsets from the origin must be those of C[row * rowStride + column], over two steps of each
    // coordinate (a second step and a mixed point catch an index that is not linear in them).
    const expected: Array<[Coordinates, number]> = [
      [{ 'threadIdx.x': 1 }, 1],
      [{ 'threadIdx.x': 2 }, 2],
      [{ 'blockIdx.x': 1 }, blockX],
      [{ 'threadIdx.y': 1 }, rowStride],
      [{ 'threadIdx.y': 2 }, 2 * rowStride],
      [{ 'blockIdx.y': 1 }, blockY * rowStride],
      [{ 'blockIdx.y': 1, 'threadIdx.y': 1, 'blockIdx.x': 1, 'threadIdx.x': 1 }, (blockY + 1) * rowStride + blockX + 1],
    ];
    if (!expected.every(([coordinates, offset]) => at(coordinates) === origin + offset)) return null;
  }
  return grid[1] * blockY;
}

/**
 * The kernel's locals declared once with a value and never assigned, incremented or passed by address
 * (`int aBegin = wA * BLOCK_SIZE * by;`), bound to their initialisers; every other local is unknown
 * (never a file constant of the same name).
 */
function bindLocals(body: Node, text: string, env: MapEnv): void {
  const counts = new Map<string, number>();
  const initialisers = new Map<string, Node>();
  const changed = new Set<string>();
  for (const node of descendantsOf(body, ['declaration', 'assignment_expression', 'update_expression', 'pointer_expression'])) {
    if (node.type === 'declaration') {
      for (const declarator of node.childrenForFieldName('declarator')) {
        const name = declarator?.type === 'init_declarator' ? declarator.childForFieldName('declarator') : declaredName(declarator);
        if (!name || name.type !== 'identifier') continue;
        counts.set(name.text, (counts.get(name.text) ?? 0) + 1);
        const value = declarator?.type === 'init_declarator' ? declarator.childForFieldName('value') : null;
        if (value && value.type !== 'initializer_list' && value.type !== 'argument_list') initialisers.set(name.text, value);
      }
      continue;
    }
    if (node.type === 'pointer_expression' && node.childForFieldName('operator')?.text !== '&') continue;
    const target = node.childForFieldName(node.type === 'assignment_expression' ? 'left' : 'argument');
    if (target?.type === 'identifier') changed.add(target.text);
  }
  for (const [name, count] of counts) {
    const value = initialisers.get(name);
    if (count === 1 && value && !changed.has(name)) env.set(name, { kind: 'expr', expr: parseCExpression(sourceText(text, value), value.startIndex) });
    else env.hide(name);
  }
  for (const name of changed) env.hide(name);
}
