// Launches written as runtime calls: `cudaLaunchKernel((void *)kernel<...>, grid, block, args, smem,
// stream)` and `cudaLaunchCooperativeKernel(...)` (same arguments). The kernel's arguments are read from
// the `void *args[] = {&A, &B, &M, ...}` array the call passes, when the function declares it. The text
// scan's call sites give the offsets; the tree is read there (invariant 11). Pure; never throws.
import type { Node } from 'web-tree-sitter';
import type { LaunchSite } from '../types';
import { launchOf, readCallee, type LaunchContext, type LaunchPart } from './launches';
import { ancestorOfType, declaredName, descendantsOf, namedChildrenOf, sourceText } from './syntax';

export const LAUNCH_CALLS = ['cudaLaunchKernel', 'cudaLaunchCooperativeKernel'];

/** `(void *)`, `(const void *)`, `reinterpret_cast<const void *>(`, `(` and `&` before the kernel's name. */
const KERNEL_PREFIX = /^(?:\(\s*(?:const\s+)?void\s*\*\s*\)\s*|reinterpret_cast\s*<[^<>]*>\s*\(\s*|\(\s*)*&?\s*/;
const KERNEL_NAME = /^(?:::)?[A-Za-z_][\w:]*\s*(?:<[^;{}]*>)?/;
/** `&A` or `(void *)&A` in an argument array: the argument's own text follows. */
const ARG_PREFIX = /^(?:\(\s*(?:const\s+)?void\s*\*\s*\)\s*)?&\s*/;

export function readLaunchKernelCalls(sites: readonly number[], context: LaunchContext): LaunchSite[] {
  const launches: LaunchSite[] = [];
  const { text, scopes } = context;
  for (const at of sites) {
    const call = ancestorOfType(scopes.root.descendantForIndex(at, at + 1), ['call_expression'], 3);
    const name = call?.childForFieldName('function')?.text ?? '';
    if (!call || !LAUNCH_CALLS.includes(name)) continue;
    const argList = call.childForFieldName('arguments');
    const args = argList ? namedChildrenOf(argList).filter((c) => c.type !== 'comment') : [];
    if (args.length < 3) continue;
    const kernelText = sourceText(text, args[0]!);
    const prefix = KERNEL_PREFIX.exec(kernelText)?.[0] ?? '';
    const ref = KERNEL_NAME.exec(kernelText.slice(prefix.length))?.[0].trimEnd();
    if (!ref) continue;
    const callee = readCallee(text, args[0]!.startIndex + prefix.length + ref.length);
    if (!callee) continue;
    const part = (node: Node | undefined): LaunchPart | undefined =>
      node ? { text: sourceText(text, node), start: node.startIndex, end: node.endIndex } : undefined;
    const kernelArgs = args[3] ? argumentArray(args[3], call, text) : null;
    launches.push(
      launchOf(callee, [part(args[1]), part(args[2]), part(args[4]), part(args[5])], kernelArgs, { start: call.startIndex, end: call.endIndex }, at, context),
    );
  }
  return launches;
}

/** The kernel arguments of `void *args[] = {&A, &B, &M}` named by `node` in the call's function, each without its `&`. */
function argumentArray(node: Node, call: Node, text: string): { parts: LaunchPart[] } | null {
  const arrayName = node.type === 'identifier' ? node.text : /^\(\s*void\s*\*\s*\*\s*\)\s*([A-Za-z_]\w*)$/.exec(node.text)?.[1];
  const fn = arrayName ? ancestorOfType(call, ['function_definition'], 400) : null;
  if (!fn || !arrayName) return null;
  for (const declaration of descendantsOf(fn, ['declaration'])) {
    if (declaration.startIndex > call.startIndex) break;
    for (const declarator of declaration.childrenForFieldName('declarator')) {
      if (declarator?.type !== 'init_declarator' || declaredName(declarator.childForFieldName('declarator'))?.text !== arrayName) continue;
      const value = declarator.childForFieldName('value');
      if (value?.type !== 'initializer_list') return null;
      return {
        parts: namedChildrenOf(value)
          .filter((c) => c.type !== 'comment')
          .map((c) => {
            const raw = sourceText(text, c);
            const skip = ARG_PREFIX.exec(raw)?.[0].length ?? 0;
            return { text: raw.slice(skip), start: c.startIndex + skip, end: c.endIndex };
          }),
      };
    }
  }
  return null;
}
