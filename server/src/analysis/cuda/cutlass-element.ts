// The element type of A in a file's CUTLASS device GEMM, for its stand-in launch (ide/cutlass-device.ts):
// `using ElementA = cutlass::bfloat16_t;` (CUTLASS 3.x examples, also ElementInputA) or the first template
// argument of `cutlass::gemm::device::Gemm<cutlass::half_t, ...>` (2.x). The text outside comments and
// strings gives the offsets; the tree is read there (invariant 11). Pure; never throws.
import type { Node } from 'web-tree-sitter';
import type { Dtype } from '../types';
import { dtypeOfTypeName } from './kernels';
import { ancestorOfType, inRanges, namedChildrenOf } from './syntax';

const ELEMENT_A = /\busing\s+Element(?:Input)?A\s*=|\bdevice::Gemm(?:Universal)?\s*</g;

/** The first such type that names a dtype, or null. `regions`: comment/string [start, end) pairs, in order. */
export function cutlassElementType(root: Node, text: string, regions: number[]): Dtype | null {
  for (const match of text.matchAll(ELEMENT_A)) {
    const at = match.index ?? 0;
    if (inRanges(regions, at)) continue;
    const leaf = root.descendantForIndex(at, at + 1);
    let typeText: string | undefined;
    if (match[0].startsWith('using')) {
      typeText = ancestorOfType(leaf, ['alias_declaration'], 3)?.childForFieldName('type')?.text;
    } else {
      // `device::Gemm<` starts inside the qualified name; its template type holds the arguments.
      const gemm = root.descendantForIndex(at + match[0].indexOf('Gemm'), at + match[0].indexOf('Gemm') + 1);
      const args = ancestorOfType(gemm, ['template_type'], 3)?.childForFieldName('arguments');
      typeText = args ? namedChildrenOf(args).find((c) => c.type !== 'comment')?.text : undefined;
    }
    const dtype = typeText ? dtypeOfTypeName(typeText) : null;
    if (dtype) return dtype;
  }
  return null;
}
