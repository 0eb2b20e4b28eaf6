// Assignments a program makes only when it is given command-line input: in the `then` branch of an `if`
// whose condition reads the function's `argc` or `argv` parameter (cuda-samples' `if
// (checkCmdLineFlag(argc, (const char **)argv, "wA")) dimsA.x = getCmdLineArgumentInt(...);`, a
// benchmark's `if (argc > 1) M = atoi(argv[1]);`). The value declared before them is the one the
// program runs with by default, so scopes.ts does not count them as changes. Pure; reads the tree.
import type { Node } from 'web-tree-sitter';
import { descendantsOf } from './syntax';

const COMMAND_LINE_PARAMETERS = new Set(['argc', 'argv']);

/** Whether `node` (an assignment in the function `fn`) runs only when a command-line condition holds. */
export function isCommandLineOverride(node: Node, fn: Node | null): boolean {
  if (!fn || !takesCommandLine(fn)) return false;
  for (let child = node, parent = node.parent; parent && !same(parent, fn); child = parent, parent = parent.parent) {
    const consequence = parent.type === 'if_statement' ? parent.childForFieldName('consequence') : null;
    if (!consequence || !same(consequence, child)) continue;
    const condition = parent.childForFieldName('condition');
    if (condition && descendantsOf(condition, 'identifier').some((id) => COMMAND_LINE_PARAMETERS.has(id.text))) return true;
  }
  return false;
}

/** Whether a function definition has a parameter named `argc` or `argv`. */
function takesCommandLine(fn: Node): boolean {
  const params = fn.childForFieldName('declarator')?.childForFieldName('parameters');
  return !!params && descendantsOf(params, 'identifier').some((id) => COMMAND_LINE_PARAMETERS.has(id.text));
}

function same(a: Node, b: Node): boolean {
  return a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}
