// What a file tells about its CUTLASS device GEMM, for the editor's stand-in launch (ide/cutlass-device.ts):
// the element type and problem size (cutlass-element.ts, cutlass-problem.ts), and the tile of a 2.x
// `device::Gemm<ElementA, LayoutA, ElementB, LayoutB, ElementC, LayoutC>` that names no shapes, which
// runs CUTLASS's default configuration. The text outside comments and strings gives the offsets; the tree
// is read there (invariant 11). Pure; never throws.
import type { Node } from 'web-tree-sitter';
import type { FileAnalysis, TileParam } from '../types';
import { cutlassElementType } from './cutlass-element';
import { cutlassProblem } from './cutlass-problem';
import type { ScopeCache } from './scopes';
import { ancestorOfType, inRanges, namedChildrenOf, rangeOf } from './syntax';

export type CutlassDefaultTile = NonNullable<FileAnalysis['cutlassDefaultTile']>;

const DEVICE_GEMM = /\bdevice::Gemm(?:Universal)?\s*</g;

/**
 * The tile of the first `device::Gemm<...>` (or GemmUniversal) whose template arguments stop before
 * ThreadblockShape (at most ElementA ... LayoutC, ElementAccumulator, OperatorClass, ArchTag) with the
 * SIMT operator class, the default. CUTLASS fills the rest from DefaultGemmConfiguration<OpClassSimt,
 * ...> (cutlass/gemm/device/default_gemm_configuration.h, any ArchTag): threadblock 128×128×8, warp
 * 32×64×8, 2 stages; int8 A and B with an int32 accumulator: 128×128×32, warp 32×64×32. A tensor-op class
 * without shapes (defaults that depend on ArchTag) gives null, as does a Gemm that names its shapes.
 */
export function cutlassDefaultTile(root: Node, text: string, regions: number[]): CutlassDefaultTile | null {
  if (!text.includes('device::Gemm')) return null;
  for (const match of text.matchAll(DEVICE_GEMM)) {
    const at = (match.index ?? 0) + match[0].indexOf('Gemm');
    if (inRanges(regions, at)) continue;
    const type = ancestorOfType(root.descendantForIndex(at, at + 1), ['template_type'], 3);
    const args = type?.childForFieldName('arguments');
    if (!type || !args) continue;
    const values = namedChildrenOf(args)
      .filter((c) => c.type !== 'comment')
      .map((c) => c.text.replace(/\s+/g, ''));
    if (values.length < 6 || values.length > 9 || values.some((v) => /GemmShape/.test(v))) continue;
    const operatorClass = values[7];
    if (operatorClass !== undefined && !/OpClassSimt$/.test(operatorClass)) continue;
    const int8 = (v: string | undefined) => v !== undefined && /^(?:std::)?int8_t$/.test(v);
    const accumulator = values[6] ?? values[4];
    const k = int8(values[0]) && int8(values[2]) && /^(?:std::)?int32_t$/.test(accumulator ?? '') ? 32 : 8;
    return { range: rangeOf(type), threadblock: [128, 128, k], warp: [32, 64, k], stages: 2 };
  }
  return null;
}

/**
 * The CUTLASS device GEMM facts of a file for its FileAnalysis: read only when the file has a GemmShape
 * (`tileParams`) or a default-configuration device::Gemm.
 */
export function cutlassDeviceFacts(
  root: Node,
  text: string,
  regions: number[],
  scopes: ScopeCache,
  tileParams: TileParam[],
): Pick<FileAnalysis, 'cutlassElementType' | 'cutlassProblem' | 'cutlassDefaultTile'> {
  const shapes = tileParams.some((p) => p.origin === 'cutlass-shape');
  const defaultTile = shapes ? null : cutlassDefaultTile(root, text, regions);
  if (!shapes && !defaultTile) return {};
  const elementType = cutlassElementType(root, text, regions);
  const sizes = cutlassProblem(text, regions, scopes);
  return {
    ...(elementType ? { cutlassElementType: elementType } : {}),
    ...(sizes ? { cutlassProblem: sizes } : {}),
    ...(defaultTile ? { cutlassDefaultTile: defaultTile } : {}),
  };
}
