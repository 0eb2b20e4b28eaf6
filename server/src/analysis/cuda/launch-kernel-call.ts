// Launches written as runtime calls: `cudaLaunchKernel((void *)kernel<...>, grid, block, args, smem,
// stream)`, `cudaLaunchCooperativeKernel(...)` (same arguments) and `cudaLaunchKernelEx(&config, kernel,
// args...)` (grid, block and shared memory from the cudaLaunchConfig_t's fields). The first two take the
// kernel's arguments from the `void *args[] = {&A, &B, &M, ...}` array the call passes, when the function
// declares it. The text scan's call sites give the offsets; the tree is read there (invariant 11). Pure;
// never throws.
import type { Node } from 'web-tree-sitter';
import type { LaunchSite } from '../types';
import { launchOf, readCallee, type LaunchContext, type LaunchPart } from './launches';
import { ancestorOfType, declaredName, descendantsOf, namedChildrenOf, sourceText } from './syntax';

export const LAUNCH_CALLS = ['cudaLaunchKernel', 'cudaLaunchCooperativeKernel', 'cudaLaunchKernelEx'];

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
    if (args.length < (name === 'cudaLaunchKernelEx' ? 2 : 3)) continue;
    const ex = name === 'cudaLaunchKernelEx';
    const ref = kernelNode(args[ex ? 1 : 0]!);
    // The name and template arguments end where the reference does (readCallee reads back from there).
    const callee = ref ? readCallee(text, ref.endIndex) : null;
    if (!callee) continue;
    const part = (node: Node | undefined): LaunchPart | undefined =>
      node ? { text: sourceText(text, node), start: node.startIndex, end: node.endIndex } : undefined;
    const range = { start: call.startIndex, end: call.endIndex };
    if (ex) {
      // cudaLaunchKernelEx(&config, kernel, args...): the configuration is a cudaLaunchConfig_t's fields.
      const fields = launchConfigFields(args[0]!, call);
      const config = LAUNCH_CONFIG_FIELDS.map((field) => part(fields.get(field)));
      launches.push(launchOf(callee, config, { parts: args.slice(2).map((arg) => part(arg)!) }, range, at, context));
      continue;
    }
    const kernelArgs = args[3] ? argumentArray(args[3], call, text) : null;
    launches.push(launchOf(callee, [part(args[1]), part(args[2]), part(args[4]), part(args[5])], kernelArgs, range, at, context));
  }
  return launches;
}

/** cudaLaunchConfig_t's fields in declaration order (CUDA Runtime API), for a positional `= {grid, block, smem, stream}`. */
const LAUNCH_CONFIG_FIELDS = ['gridDim', 'blockDim', 'dynamicSmemBytes', 'stream'];

/**
 * The value nodes of the `cudaLaunchConfig_t` that `node` (`&config`, `config`) names, in the call's function
 * before the call: its initializer (positional or `.gridDim = ...`), then `config.gridDim = ...;` assignments,
 * the last one before the call winning. Fields it cannot find are absent.
 */
function launchConfigFields(node: Node, call: Node): Map<string, Node> {
  const fields = new Map<string, Node>();
  const target = node.type === 'pointer_expression' ? node.childForFieldName('argument') : node;
  const configName = target?.type === 'identifier' ? target.text : null;
  const fn = configName ? ancestorOfType(call, ['function_definition'], 400) : null;
  if (!fn || !configName) return fields;
  const value = localInitializer(fn, configName, call.startIndex);
  if (value?.type === 'initializer_list') {
    namedChildrenOf(value)
      .filter((c) => c.type !== 'comment')
      .forEach((item, i) => {
        if (item.type === 'initializer_pair') {
          const field = item.childForFieldName('designator')?.text.replace(/^\./, '');
          const assigned = item.childForFieldName('value');
          if (field && assigned) fields.set(field, assigned);
        } else if (LAUNCH_CONFIG_FIELDS[i]) fields.set(LAUNCH_CONFIG_FIELDS[i]!, item);
      });
  }
  for (const assignment of descendantsOf(fn, ['assignment_expression'])) {
    if (assignment.startIndex > call.startIndex) break;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type !== 'field_expression' || !right || assignment.childForFieldName('operator')?.text !== '=') continue;
    if (left.childForFieldName('argument')?.text !== configName) continue;
    const field = left.childForFieldName('field')?.text;
    if (field) fields.set(field, right);
  }
  return fields;
}

/** The kernel arguments of `void *args[] = {&A, &B, &M}` named by `node` in the call's function, each without its `&`. */
function argumentArray(node: Node, call: Node, text: string): { parts: LaunchPart[] } | null {
  const arrayName = node.type === 'identifier' ? node.text : /^\(\s*void\s*\*\s*\*\s*\)\s*([A-Za-z_]\w*)$/.exec(node.text)?.[1];
  const fn = arrayName ? ancestorOfType(call, ['function_definition'], 400) : null;
  if (!fn || !arrayName) return null;
  const value = localInitializer(fn, arrayName, call.startIndex);
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

/** The initializer of the first declaration of `name` in function `fn` before offset `before`, or null. */
function localInitializer(fn: Node, name: string, before: number): Node | null {
  for (const declaration of descendantsOf(fn, ['declaration'])) {
    if (declaration.startIndex > before) break;
    for (const declarator of declaration.childrenForFieldName('declarator')) {
      if (declarator?.type === 'init_declarator' && declaredName(declarator.childForFieldName('declarator'))?.text === name)
        return declarator.childForFieldName('value');
    }
  }
  return null;
}
