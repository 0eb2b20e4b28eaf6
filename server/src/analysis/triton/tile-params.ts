// Tile parameters that are not autotune configs or launch keywords: module-level constants with tile
// names (`BLOCK_SIZE = 1024`, `BLOCK_M: tl.constexpr = 128`) and tl.constexpr parameter defaults; and
// which constexpr values can be tiles at all (`mayBeTile`: not flags, strings or dtypes), for defaults,
// configs and launch keywords.
import type { SyntaxNode } from './tree';
import type { TileParam } from '../types';
import type { TritonKernel } from './kernels';
import type { ScopeSet } from './scopes';
import { field, rangeOf, syntaxChildren } from './syntax';
import { asNumber, type PyValue } from './values';

/** Names that size tiles or launches: BLOCK_*, TILE_*, GROUP_SIZE_M, NUM_WARPS, SPLIT_K, BM/BN/BK... */
export const TILE_NAME =
  /^(BLOCK|TILE|GROUP_SIZE|GROUP_M|GROUP_N|NUM_WARPS|NUM_STAGES|WARPS|STAGES|SPLIT_K|NUM_SMS|XBLOCK|YBLOCK|RBLOCK|R0_BLOCK)|^(BM|BN|BK)$/;

/** Constexpr names that read as switches (`HAS_BIAS`, `USE_TMA`, `IS_EVEN_K`, `EVEN_K`, `ENABLE_X`): never tile sizes. */
export const FLAG_NAME = /^(HAS|USE|IS|EVEN|ENABLE|DISABLE)_/i;

/** Expressions whose value is a bool or a string even when it does not fold: `K % BLOCK_K == 0`, `bias is not None`, `not x`. */
const NOT_A_NUMBER = new Set(['comparison_operator', 'boolean_operator', 'not_operator', 'true', 'false', 'string', 'concatenated_string']);

/** Names that say a value is a size or count (TILE_NAME's and more: `K_BLOCK`, `num_warps`, `TILE_SIZE`, `BM`). */
const SIZE_WORDS = /BLOCK|TILE|WARP|STAGE|GROUP|SPLIT|NUM_|^B[MNK]$/i;

/**
 * Whether the constexpr `name`, given `value` by `expression`, can be a tile parameter: a number, or a
 * value that does not fold under a size's name (`BLOCK_M=block_m`) not written as a comparison, a boolean
 * or a string; never a flag by its name (`EVEN_K=K % BLOCK_K == 0`, `HAS_BIAS: tl.constexpr = 1`,
 * `USE_TMA=use_tma`). Flags, strings (`ACTIVATION=activation`) and dtypes select code paths: listing them
 * would offer to "tune" them.
 */
export function mayBeTile(name: string, value: PyValue, expression: SyntaxNode | null): boolean {
  if (FLAG_NAME.test(name)) return false;
  if (value.kind === 'number') return true;
  if (value.kind !== 'unknown' || !SIZE_WORDS.test(name)) return false;
  let node = expression;
  while (node?.type === 'parenthesized_expression') node = syntaxChildren(node)[0] ?? null;
  return !node || !NOT_A_NUMBER.has(node.type);
}

export function moduleConstants(root: SyntaxNode, scopes: ScopeSet): TileParam[] {
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
    // Strings, flags and dtypes (`ACTIVATION: tl.constexpr = ""`, `EVEN_K: tl.constexpr = True`, `USE_TMA: tl.constexpr = FLAG`) are not tile sizes.
    if (!mayBeTile(parameter.name, folded, parameter.defaultValue)) continue;
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
