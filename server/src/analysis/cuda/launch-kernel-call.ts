// Launches written as runtime calls: `cudaLaunchKernel((void *)kernel<...>, grid, block, args, smem,
// stream)` and `cudaLaunchCooperativeKernel(...)` (same arguments). The kernel's arguments are read from
// the `void *args[] = {&A, &B, &M, ...}` array the call passes, when the function declares it. The text
// scan's call sites give the offsets; the tree is read there (invariant 11). Pure; never throws.
import type { Node } from 'web-tree-sitter';
import type { LaunchSite } from '../types';
import { launchOf, readCallee, type LaunchContext, type LaunchPart } from './launches';
import { ancestorOfType, declaredName, descendantsOf, namedChildrenOf, sourceText } from './syntax';

export const LAUNCH_CALLS = ['cudaLaunchKernel', 'cudaLaunchCooperativeKernel'];

/**
 * The kernel a launch call names, read on its tree through `(void *)` casts, `reinterpret_cast<...>(...)`,
 * `&` and parentheses: the node of its name or template instantiation (`tiled<16, 16, 16>`, `ns::k`).
 */
export function kernelNode(arg: Node): Node | null {
  let node: Node | null = arg;
  for (let step = 0; node && step < 8; step++) {
    if (node.type === 'cast_expression') node = node.childForFieldName('value');
    else if (node.type === 'pointer_expression') node = node.childForFieldName('argument');
    else if (node.type === 'parenthesized_expression') node = namedChildrenOf(node)[0] ?? null;
    else if (node.type === 'call_expression' && /_cast$/.test(node.childForFieldName('function')?.childForFieldName('name')?.text ?? '')) {
      const args = node.childForFieldName('arguments');
      node = args ? (namedChildrenOf(args)[0] ?? null) : null;
    } else break;
  }
  return node && (node.type === 'identifier' || node.type === 'qualified_identifier' || node.type === 'template_function') ? node : null;
}

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
    const ref = kernelNode(args[0]!);
    // The name and template arguments end where the reference does (readCallee reads back from there).
    const callee = ref ? readCallee(text, ref.endIndex) : null;
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
            // `&A` or `(void *)&A`: the argument is what the address is taken of.
            let node = c;
            if (node.type === 'cast_expression') node = node.childForFieldName('value') ?? node;
            if (node.type === 'pointer_expression') node = node.childForFieldName('argument') ?? node;
            return { text: sourceText(text, node), start: node.startIndex, end: node.endIndex };
          }),
      };
    }
  }
  return null;
}
