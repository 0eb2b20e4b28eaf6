// `cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes)` calls: which
// kernels opt in to more than 48 KiB of dynamic shared memory, and how much. Reads the calls the text
// scan found (prepare.ts call sites) on the tree; folds the bytes in the call's scope. Pure; never throws.
import { foldCText } from '../folding';
import { ancestorOfType, namedChildrenOf, sourceText } from './syntax';
import { kernelNode } from './launch-kernel-call';
import { scopeAt, type ScopeCache } from './scopes';

/**
 * Kernel name → the bytes it is allowed (null: set, but the value does not fold) and whether they are written
 * as a number (a size expression or name may follow the tile constants; a number does not). The last call
 * per kernel wins. `kernelOf` maps the name the call uses to the kernel's (a local alias, launches.kernelNameAt).
 */
export function readSmemOptIns(
  sites: readonly number[],
  text: string,
  scopes: ScopeCache,
  kernelOf: (name: string, at: number) => string = (name) => name,
): Map<string, { bytes: number | null; literal: boolean }> {
  const out = new Map<string, { bytes: number | null; literal: boolean }>();
  for (const at of sites) {
    const call = ancestorOfType(scopes.root.descendantForIndex(at, at + 1), ['call_expression'], 3);
    if (!call || call.childForFieldName('function')?.text !== 'cudaFuncSetAttribute') continue;
    const args = call.childForFieldName('arguments');
    const parts = args ? namedChildrenOf(args).filter((c) => c.type !== 'comment') : [];
    if (parts.length < 3 || !/MaxDynamicSharedMemorySize/.test(parts[1]!.text)) continue;
    // `k`, `&k`, `k<128, 64>`, `(const void *)k`, `reinterpret_cast<const void *>(&k)`: read on the tree.
    const ref = kernelNode(parts[0]!);
    const named = ref?.type === 'template_function' ? ref.childForFieldName('name') : ref;
    const name = named?.text.split('::').pop()?.trim();
    if (!name) continue;
    const folded = foldCText(sourceText(text, parts[2]!), parts[2]!.startIndex, scopeAt(scopes, at).env, []).value;
    const bytes = folded !== null && Number.isFinite(folded) && folded >= 0 ? folded : null;
    out.set(kernelOf(name, at), { bytes, literal: parts[2]!.type === 'number_literal' });
  }
  return out;
}
