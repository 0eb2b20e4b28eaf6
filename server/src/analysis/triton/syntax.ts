// Small helpers over the tree-sitter Python syntax tree used by the Triton analysis: child access
// that never returns null holes, ranges, string literals, dotted names. No analysis policy here.
import type { SyntaxNode } from './tree';
import type { Range } from '../types';

export function rangeOf(node: SyntaxNode): Range {
  return { start: node.startIndex, end: node.endIndex };
}

export function namedChildrenOf(node: SyntaxNode): SyntaxNode[] {
  return node.namedChildren.filter((child): child is SyntaxNode => child !== null);
}

export function childrenOf(node: SyntaxNode): SyntaxNode[] {
  return node.children.filter((child): child is SyntaxNode => child !== null);
}

export function field(node: SyntaxNode, name: string): SyntaxNode | null {
  return node.childForFieldName(name);
}

/** Named children that are real syntax, not comments (comments are "extras" and appear anywhere). */
export function syntaxChildren(node: SyntaxNode): SyntaxNode[] {
  return namedChildrenOf(node).filter((child) => child.type !== 'comment');
}

/**
 * The nodes the module-wide passes look for, each list in document order: calls (launches, call sites,
 * PyTorch GEMMs), `@` operators, comments (annotations), decorated definitions (kernels), import
 * statements and blocks (indentation). One traversal per top-level statement finds them all, kept with
 * the statement's node, so after a keystroke only the edited unit's statements are walked (the whole
 * 5,000-line bench file took about 6 ms). Memoised per root node object: one analysis shares one root.
 */
export interface ModuleNodes {
  calls: SyntaxNode[];
  binaryOperators: SyntaxNode[];
  comments: SyntaxNode[];
  decoratedDefinitions: SyntaxNode[];
  imports: SyntaxNode[];
  blocks: SyntaxNode[];
}

const moduleNodesOf = new WeakMap<SyntaxNode, ModuleNodes>();
/** Each top-level statement's share of ModuleNodes: kept with the statement's node, which a unit keeps while its text is unchanged (units.ts). */
const statementNodesOf = new WeakMap<SyntaxNode, ModuleNodes>();

const MODULE_NODE_TYPES: Record<string, keyof ModuleNodes> = {
  call: 'calls',
  binary_operator: 'binaryOperators',
  comment: 'comments',
  decorated_definition: 'decoratedDefinitions',
  import_statement: 'imports',
  import_from_statement: 'imports',
  block: 'blocks',
};

const emptyModuleNodes = (): ModuleNodes => ({ calls: [], binaryOperators: [], comments: [], decoratedDefinitions: [], imports: [], blocks: [] });

export function moduleNodes(root: SyntaxNode): ModuleNodes {
  let nodes = moduleNodesOf.get(root);
  if (nodes) return nodes;
  nodes = emptyModuleNodes();
  for (const statement of root.children) {
    if (!statement) continue;
    const own = statementNodes(statement);
    for (const key of Object.keys(own) as Array<keyof ModuleNodes>) for (const node of own[key]) nodes[key].push(node);
  }
  moduleNodesOf.set(root, nodes);
  return nodes;
}

/** One top-level statement's share of moduleNodes (the statement itself included), memoised per statement node. */
export function statementNodes(statement: SyntaxNode): ModuleNodes {
  let own = statementNodesOf.get(statement);
  if (!own) {
    own = emptyModuleNodes();
    const list = MODULE_NODE_TYPES[statement.type];
    if (list) own[list].push(statement);
    const lists: Record<string, SyntaxNode[]> = {};
    for (const [type, key] of Object.entries(MODULE_NODE_TYPES)) lists[type] = own[key];
    gather(statement, lists);
    statementNodesOf.set(statement, own);
  }
  return own;
}

/**
 * The nodes the per-function passes of the kernel reader look for inside one function body, each list in
 * document order. One traversal inside tree-sitter; walking the body node by node in JavaScript, once per
 * pass, made reading the kernels most of a Triton file's analysis. Memoised per body node object.
 */
export interface BodyNodes {
  calls: SyntaxNode[];
  binaryOperators: SyntaxNode[];
  assignments: SyntaxNode[];
  /** `for` and `while` statements. */
  loops: SyntaxNode[];
  returns: SyntaxNode[];
  /** Nested `def`s and lambdas: passes that stop at them skip what lies inside (`outsideNested`). */
  nested: SyntaxNode[];
}

const bodies = new WeakMap<SyntaxNode, SyntaxNode | null>();

/**
 * A function definition's body, the same node object for the same definition object, so bodyNodes'
 * memo holds across the passes that reach it (helper detection, the kernel reader, helpers followed).
 */
export function bodyOf(definition: SyntaxNode): SyntaxNode | null {
  let body = bodies.get(definition);
  if (body === undefined) bodies.set(definition, (body = field(definition, 'body')));
  return body;
}

const bodyNodesOf = new WeakMap<SyntaxNode, BodyNodes>();

export function bodyNodes(body: SyntaxNode): BodyNodes {
  let nodes = bodyNodesOf.get(body);
  if (nodes) return nodes;
  nodes = { calls: [], binaryOperators: [], assignments: [], loops: [], returns: [], nested: [] };
  const lists: Record<string, SyntaxNode[]> = {
    call: nodes.calls,
    binary_operator: nodes.binaryOperators,
    assignment: nodes.assignments,
    for_statement: nodes.loops,
    while_statement: nodes.loops,
    return_statement: nodes.returns,
    function_definition: nodes.nested,
    lambda: nodes.nested,
  };
  gather(body, lists);
  bodyNodesOf.set(body, nodes);
  return nodes;
}

/** `nodes` without those inside one of `nested` of the given types (a nested `def`'s own statements). */
export function outsideNested(nodes: readonly SyntaxNode[], nested: readonly SyntaxNode[], types: readonly string[]): SyntaxNode[] {
  const fences = nested.filter((node) => types.includes(node.type));
  if (fences.length === 0) return [...nodes];
  return nodes.filter((node) => !fences.some((fence) => fence.id !== node.id && fence.startIndex <= node.startIndex && node.endIndex <= fence.endIndex));
}

/** The descendants of `node` of the types `lists` is keyed by, each into its list in document order: one traversal inside tree-sitter. */
function gather(node: SyntaxNode, lists: Record<string, SyntaxNode[]>): void {
  for (const found of node.descendantsOfType(Object.keys(lists))) if (found && found.id !== node.id) lists[found.type]?.push(found);
}

/** Every descendant of `node` (itself included) in document order; `enter` may stop descent. */
export function walk(node: SyntaxNode, visit: (node: SyntaxNode) => boolean | void): void {
  if (visit(node) === false) return;
  for (const child of namedChildrenOf(node)) walk(child, visit);
}

/** The value of a plain string literal ('x', "x"); null for f-strings or anything not a string. */
export function stringLiteral(node: SyntaxNode): string | null {
  if (node.type === 'concatenated_string') {
    let joined = '';
    for (const part of syntaxChildren(node)) {
      const value = stringLiteral(part);
      if (value === null) return null;
      joined += value;
    }
    return joined;
  }
  if (node.type !== 'string') return null;
  let value = '';
  for (const part of namedChildrenOf(node)) {
    if (part.type === 'string_content') value += part.text;
    else if (part.type === 'escape_sequence') value += unescape(part.text);
    else if (part.type === 'interpolation') return null;
  }
  return value;
}

function unescape(sequence: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"' };
  return simple[sequence.slice(1)] ?? sequence.slice(1);
}

/** `a.b.c` as ['a', 'b', 'c'] when the expression is a chain of plain names; null otherwise. */
export function dottedName(node: SyntaxNode): string[] | null {
  if (node.type === 'identifier') return [node.text];
  if (node.type === 'attribute') {
    const object = field(node, 'object');
    const attribute = field(node, 'attribute');
    if (!object || !attribute) return null;
    const head = dottedName(object);
    return head ? [...head, attribute.text] : null;
  }
  return null;
}

/** The nearest enclosing node of one of `types`, excluding `node` itself. */
export function enclosing(node: SyntaxNode, types: string[]): SyntaxNode | null {
  for (let current = node.parent; current; current = current.parent) {
    if (types.includes(current.type)) return current;
  }
  return null;
}

/** Positional and keyword arguments of a call's argument_list. */
export interface CallArguments {
  positional: SyntaxNode[];
  keywords: Map<string, { name: SyntaxNode; value: SyntaxNode; node: SyntaxNode }>;
  /** `*args` / `**kwargs` make the mapping to parameters uncertain. */
  hasSplat: boolean;
  /** Each `*args` with the number of positional arguments before it: the ones after it are not at their own index. */
  listSplats: { before: number; node: SyntaxNode }[];
}

/** A call's callee as the module-wide passes look at it: its kind, its text, and for `name[grid](...)` the subscripted name. */
export interface Callee {
  node: SyntaxNode | null;
  type: string;
  text: string;
  /** `kernel` of `kernel[grid](...)` (the subscript's value), else null. */
  subscripted: SyntaxNode | null;
}

const calleeOfCall = new WeakMap<SyntaxNode, Callee>();

/** Memoised per call node (a unit keeps its nodes while unchanged): every pass over all calls of a file reads it. */
export function calleeOf(call: SyntaxNode): Callee {
  let callee = calleeOfCall.get(call);
  if (!callee) {
    const node = field(call, 'function');
    const subscripted = node?.type === 'subscript' ? field(node, 'value') : null;
    callee = { node, type: node?.type ?? '', text: node?.text ?? '', subscripted };
    calleeOfCall.set(call, callee);
  }
  return callee;
}

const callArgumentsOf = new WeakMap<SyntaxNode, Readonly<CallArguments>>();

/** Memoised per call node (a unit keeps its nodes while unchanged): read-only, callers must not change it. */
export function callArguments(call: SyntaxNode): Readonly<CallArguments> {
  let result = callArgumentsOf.get(call);
  if (!result) callArgumentsOf.set(call, (result = readCallArguments(call)));
  return result;
}

function readCallArguments(call: SyntaxNode): CallArguments {
  const result: CallArguments = { positional: [], keywords: new Map(), hasSplat: false, listSplats: [] };
  const list = field(call, 'arguments');
  if (!list) return result;
  if (list.type === 'generator_expression') {
    result.positional.push(list);
    return result;
  }
  for (const argument of syntaxChildren(list)) {
    if (argument.type === 'keyword_argument') {
      const name = field(argument, 'name');
      const value = field(argument, 'value');
      if (name && value) result.keywords.set(name.text, { name, value, node: argument });
    } else if (argument.type === 'list_splat' || argument.type === 'dictionary_splat') {
      result.hasSplat = true;
      if (argument.type === 'list_splat') result.listSplats.push({ before: result.positional.length, node: argument });
    } else {
      result.positional.push(argument);
    }
  }
  return result;
}

/** Zero-based line number of a UTF-16 offset, using a precomputed table of line starts. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
  offsetOfLine(line: number): number {
    return this.starts[line] ?? this.text.length;
  }
  lineText(line: number): string {
    const start = this.starts[line] ?? this.text.length;
    const end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return this.text.slice(start, end);
  }
  get lineCount(): number {
    return this.starts.length;
  }
}
