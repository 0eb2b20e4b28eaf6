// The element type of A in a file's CUTLASS device GEMM, for its stand-in launch (ide/cutlass-device.ts):
// `using ElementA = cutlass::bfloat16_t;` (CUTLASS 3.x examples, also ElementInputA) or the first template
// argument of `cutlass::gemm::device::Gemm<cutlass::half_t, ...>` (2.x). Reads the text outside comments
// and strings (the prepare scan's regions); pure, never throws.
import type { Dtype } from '../types';
import { dtypeOfTypeName } from './kernels';

const ELEMENT_A = /\busing\s+Element(?:Input)?A\s*=\s*([\w:]+)|\bdevice::Gemm(?:Universal)?\s*<\s*([\w:]+)/g;

/** The first such type that names a dtype, or null. `regions`: comment/string [start, end) pairs, in order. */
export function cutlassElementType(text: string, regions: readonly number[]): Dtype | null {
  for (const match of text.matchAll(ELEMENT_A)) {
    const at = match.index ?? 0;
    if (insideRegion(regions, at)) continue;
    const dtype = dtypeOfTypeName(match[1] ?? match[2] ?? '');
    if (dtype) return dtype;
  }
  return null;
}

export function insideRegion(regions: readonly number[], offset: number): boolean {
  let low = 0;
  let high = regions.length / 2 - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (offset < regions[2 * mid]!) high = mid - 1;
    else if (offset >= regions[2 * mid + 1]!) low = mid + 1;
    else return true;
  }
  return false;
}
