// Tile parameters that are not autotune configs or launch keywords: module-level constants with tile
// names (`BLOCK_SIZE = 1024`, `BLOCK_M: tl.constexpr = 128`) and tl.constexpr parameter defaults.
import type { Node } from 'web-tree-sitter';
import type { TileParam } from '../types';
import type { TritonKernel } from './kernels';
import type { ScopeSet } from './scopes';
import { field, rangeOf, syntaxChildren } from './syntax';
import { asNumber } from './values';

/** Names that size tiles or launches: BLOCK_*, TILE_*, GROUP_SIZE_M, NUM_WARPS, SPLIT_K, BM/BN/BK... */
export const TILE_NAME =
  /^(BLOCK|TILE|GROUP_SIZE|GROUP_M|GROUP_N|NUM_WARPS|NUM_STAGES|WARPS|STAGES|SPLIT_K|NUM_SMS|XBLOCK|YBLOCK|RBLOCK|R0_BLOCK)|^(BM|BN|BK)$/;

export function moduleConstants(root: Node, scopes: ScopeSet): TileParam[] {
  const result: TileParam[] = [];
  for (const statement of syntaxChildren(root)) {
    if (statement.type !== 'expression_statement') continue;
    const assignment = syntaxChildren(statement)[0];
    if (assignment?.type !== 'assignment') continue;
    const left = field(assignment, 'left');
    const right = field(assignment, 'right');
    if (left?.type !== 'identifier' || !right || right.type === 'assignment' || !TILE_NAME.test(left.text)) continue;
    const folded = scopes.evaluator.evaluate(right, scopes.module);
    if (folded.kind !== 'number' && folded.kind !== 'unknown') continue;
    const value = asNumber(folded);
    const annotation = field(assignment, 'type');
    const isConstexpr = (annotation && /constexpr$/.test(annotation.text)) || /^(tl|triton\.language)\.constexpr\(/.test(right.text);
    let valueNode = right;
    if (/^(tl|triton\.language)\.constexpr\(/.test(right.text)) valueNode = syntaxChildren(field(right, 'arguments') ?? right)[0] ?? right;
    result.push({ name: left.text, value, valueRange: rangeOf(valueNode), range: rangeOf(statement), origin: isConstexpr ? 'triton-constexpr' : 'const' });
  }
  return result;
}

export function constexprDefaults(kernel: TritonKernel, scopes: ScopeSet): TileParam[] {
  const constexpr = new Set(kernel.info.constexprParams);
  const result: TileParam[] = [];
  for (const parameter of kernel.parameters) {
    if (!constexpr.has(parameter.name) || !parameter.defaultValue) continue;
    const folded = scopes.evaluator.evaluate(parameter.defaultValue, scopes.module);
    // Strings and flags (`ACTIVATION: tl.constexpr = ""`, `EVEN_K: tl.constexpr = True`) are not tile sizes.
    if (folded.kind !== 'number' && folded.kind !== 'unknown') continue;
    const value = asNumber(folded);
    result.push({
      name: parameter.name,
      value,
      valueRange: rangeOf(parameter.defaultValue),
      range: rangeOf(parameter.node),
      origin: 'triton-constexpr',
      local: true,
    });
  }
  return result;
}
