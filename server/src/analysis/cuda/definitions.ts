// Collects the named constants of a CUDA file (#define, const/constexpr, enums, CUTLASS GemmShape) and its
// aliases of scalar types (`using T = half;`) into a folding environment and lists those that look like
// tile sizes; a #define in an #if branch the preprocessor skips is left out (preproc-branches.ts). Pure;
// reads only the tree and the text it is given.
import type { Node } from 'web-tree-sitter';
import { foldExpr, MapEnv, parseCExpression, sizeOfType, type Expr, type FoldEnv } from '../folding';
import type { Problem, Range, TileParam } from '../types';
import type { PreparedCuda } from './prepare';
import { ancestorOfType, declaredName, descendantsOf, firstAtOrAfter, namedChildrenOf, rangeOf, sourceText } from './syntax';
import { branchConditions, branchTaken } from './preproc-branches';
import { isTileName } from './tile-names';

export interface FileDefinitions {
  env: MapEnv;
  /** The definitions' text, joined (no offsets): equal signatures mean equal environments. */
  signature: string;
  /** Constants that look like tile sizes (see tile-names.ts), in file order. */
  tileParams: TileParam[];
}

/** Types whose constants can be tile sizes (integers); float constants still go into the env. */
const INTEGER_TYPE = /\b(int|unsigned|long|short|size_t|u?int(8|16|32|64)_t|auto|uint|index_t|char)\b/;

/** Range of the meaningful part of an expression's text (drops surrounding spaces and comments). */
function expressionSpan(expr: Expr, fallback: Range): Range {
  return expr.range.end > expr.range.start ? expr.range : fallback;
}

interface Candidate {
  name: string;
  origin: TileParam['origin'];
  expr: Expr;
  valueRange: Range;
  range: Range;
  integer: boolean;
}

/** Names given to the GemmShape arguments of `cutlass::gemm::device::Gemm<...>`, in order (CUTLASS 2.x device API). */
const CUTLASS_SHAPE_ROLES = ['ThreadblockShape', 'WarpShape', 'InstructionShape'];
/** Names given to the CuTe shapes among a CUTLASS 3.x CollectiveBuilder's template arguments, in order. */
const CUTE_SHAPE_ROLES = ['TileShape', 'ClusterShape'];

/** The definition node a token recorded by prepare.ts starts, or null (a scope head, or text the tree reads otherwise). */
function definitionNodeAt(root: Node, token: PreparedCuda['definitionTokens'][number]): Node | null {
  if (token.token === 'scope' || token.token === 'template') return null; // a namespace or struct head: only part of the cache signature
  const leaf = root.descendantForIndex(token.start, token.start + 1);
  switch (token.token) {
    case 'define':
      return ancestorOfType(leaf, ['preproc_def', 'preproc_function_def'], 3);
    case 'const':
    case 'constexpr':
      return ancestorOfType(leaf, ['type_qualifier'], 2);
    case 'enum':
      return ancestorOfType(leaf, ['enum_specifier'], 2)?.childForFieldName('body') ?? null;
    case 'GemmShape':
      return ancestorOfType(leaf, ['template_type'], 3);
    case 'using':
      return ancestorOfType(leaf, ['alias_declaration'], 2);
    case 'typedef':
      return ancestorOfType(leaf, ['type_definition'], 2);
  }
  return null;
}

/**
 * How the tree reads each definition token (node type and extent relative to the token): the same text can
 * parse as another construct when an error or a `<` resolution elsewhere in the file changes (a
 * `GemmShape<16, 8, 16>` read as an expression, not a type), so a cached result is valid only while this is unchanged.
 */
export function definitionShapes(root: Node, tokens: PreparedCuda['definitionTokens']): string {
  return tokens
    .map((token) => {
      const node = definitionNodeAt(root, token);
      if (!node) return '-';
      // A #define in an #if branch: the conditions that decide it (an edit of `#if X` changes no definition).
      const branch = token.token === 'define' && node.parent?.type.startsWith('preproc_') ? branchConditions(node) : '';
      return `${node.type}:${node.startIndex - token.start}:${node.endIndex - token.start}${branch}`;
    })
    .join(',');
}

/** Finds the definition nodes at the token offsets recorded by prepare.ts (no whole-tree walk). */
function definitionNodes(root: Node, tokens: PreparedCuda['definitionTokens']): Node[] {
  const nodes: Node[] = [];
  const seen = new Set<string>();
  for (const token of tokens) {
    const node = definitionNodeAt(root, token);
    if (!node) continue;
    const key = `${node.type}:${node.startIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    nodes.push(node);
  }
  return nodes;
}

export function collectDefinitions(root: Node, text: string, problems: Problem[], tokens?: PreparedCuda['definitionTokens']): FileDefinitions {
  const env = new MapEnv();
  const candidates: Candidate[] = [];
  const define = (candidate: Candidate) => {
    if (!env.bindings.has(candidate.name)) env.set(candidate.name, { kind: 'expr', expr: candidate.expr });
    candidates.push(candidate);
  };

  const nodes: Node[] = tokens
    ? definitionNodes(root, tokens)
    : descendantsOf(root, [
        'preproc_def',
        'preproc_function_def',
        'type_qualifier',
        'enumerator_list',
        'template_type',
        'alias_declaration',
        'type_definition',
      ]);
  // Which `#if`/`#elif`/`#else` branches were decided against a definition: part of the signature, since
  // an edit of a condition (`#if 1` to `#if 0`) changes the environment without changing a definition.
  let branches = '';
  const skipped = (node: Node): boolean => {
    const taken = node.parent?.type.startsWith('preproc_') ? branchTaken(node, env, text) : null;
    branches += taken === false ? 'F' : taken === true ? 'T' : '-';
    return taken === false;
  };
  for (const node of nodes) {
    switch (node.type) {
      case 'preproc_def': {
        const nameNode = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        if (!nameNode || skipped(node)) break;
        const name = nameNode.text;
        if (!value) {
          if (!env.bindings.has(name)) env.set(name, { kind: 'value', value: null });
          break;
        }
        const expr = parseCExpression(sourceText(text, value), value.startIndex);
        if (!env.bindings.has(name)) env.set(name, { kind: 'macro', params: null, body: sourceText(text, value), bodyOffset: value.startIndex });
        candidates.push({ name, origin: 'define', expr, valueRange: expressionSpan(expr, rangeOf(value)), range: rangeOf(node), integer: true });
        break;
      }
      case 'preproc_function_def': {
        const nameNode = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        const params = node.childForFieldName('parameters');
        if (!nameNode || !value || !params || skipped(node)) break;
        const paramNames = namedChildrenOf(params)
          .filter((p) => p.type === 'identifier')
          .map((p) => p.text);
        if (!env.bindings.has(nameNode.text))
          env.set(nameNode.text, { kind: 'macro', params: paramNames, body: sourceText(text, value), bodyOffset: value.startIndex });
        break;
      }
      case 'type_qualifier': {
        const declared = declaredConstants(node, text);
        if (!declared) break;
        const { declaration, origin, integer } = declared;
        for (const { name, expr, valueStart, valueText } of declared.constants) {
          define({
            name,
            origin,
            expr,
            valueRange: expressionSpan(expr, { start: valueStart, end: valueStart + valueText.length }),
            range: rangeOf(declaration),
            integer,
          });
          // Namespace and struct members are also reachable qualified (`cfg::TILE_M`, `Config::BM`).
          defineQualified(env, enclosingScopes(declaration), name, expr);
        }
        break;
      }
      case 'alias_declaration':
      case 'type_definition':
        defineAliases(env, node, text);
        break;
      case 'enumerator_list': {
        let previous: Expr | null = null;
        let enumScopes: string[] | undefined;
        for (const enumerator of namedChildrenOf(node)) {
          if (enumerator.type !== 'enumerator') continue;
          const nameNode = enumerator.childForFieldName('name');
          if (!nameNode) continue;
          const valueNode = enumerator.childForFieldName('value');
          let expr: Expr;
          let valueRange: Range;
          if (valueNode) {
            expr = parseCExpression(sourceText(text, valueNode), valueNode.startIndex);
            valueRange = expressionSpan(expr, rangeOf(valueNode));
          } else {
            // Implicit enumerator: previous + 1 (C11 6.7.2.2p3); a code action would insert a value at the name.
            const one: Expr = { kind: 'number', value: 1, isFloat: false, range: rangeOf(nameNode) };
            expr = previous
              ? { kind: 'binary', op: '+', left: previous, right: one, range: rangeOf(nameNode) }
              : { kind: 'number', value: 0, isFloat: false, range: rangeOf(nameNode) };
            valueRange = { start: nameNode.endIndex, end: nameNode.endIndex };
          }
          previous = expr;
          define({ name: nameNode.text, origin: 'enum', expr, valueRange, range: rangeOf(enumerator), integer: true });
          if (enumScopes === undefined) {
            const specifier = node.parent;
            const enumName = specifier?.type === 'enum_specifier' ? specifier.childForFieldName('name')?.text : undefined;
            enumScopes = specifier ? [...enclosingScopes(specifier), ...(enumName ? [enumName] : [])] : [];
          }
          defineQualified(env, enumScopes, nameNode.text, expr);
        }
        break;
      }
      case 'template_type': {
        const nameNode = node.childForFieldName('name');
        const args = node.childForFieldName('arguments');
        const cute = nameNode?.text === 'Shape';
        if (!nameNode || !args || (nameNode.text !== 'GemmShape' && !cute)) break;
        const values = namedChildrenOf(args).filter((arg) => arg.type !== 'comment');
        if (values.length !== 3) break;
        const prefix = gemmShapeName(node);
        ['M', 'N', 'K'].forEach((axis, i) => {
          const valueNode = values[i]!;
          // CuTe's static integers: `_128` is 128 (the value range is the digits, so an edit keeps the `_`), `Int<128>` too.
          const staticInt = cute ? /^(_|Int\s*<\s*)(\d+)/.exec(sourceText(text, valueNode)) : null;
          const expr: Expr = staticInt
            ? {
                kind: 'number',
                value: Number(staticInt[2]),
                isFloat: false,
                range: { start: valueNode.startIndex + staticInt[1]!.length, end: valueNode.startIndex + staticInt[1]!.length + staticInt[2]!.length },
              }
            : parseCExpression(sourceText(text, valueNode), valueNode.startIndex);
          const name = `${prefix}.${axis}`;
          if (!env.bindings.has(`${prefix}::k${axis}`)) env.set(`${prefix}::k${axis}`, { kind: 'expr', expr });
          candidates.push({ name, origin: 'cutlass-shape', expr, valueRange: expressionSpan(expr, rangeOf(valueNode)), range: rangeOf(node), integer: true });
        });
        break;
      }
    }
  }

  // The qualified names too: the same declarations mean other bindings inside another namespace.
  const qualified = [...env.bindings.keys()].filter((name) => name.includes('::')).join(',');
  const signature = `${nodes
    .map((node) => (node.type === 'type_qualifier' ? ((node as Node).parent ?? node) : node))
    .map((node) => text.slice(node.startIndex, node.endIndex))
    .join('\u0001')}\u0003${qualified}\u0004${branches}`;
  const tileParams: TileParam[] = [];
  for (const candidate of candidates) {
    const folded = foldExpr(candidate.expr, env, problems);
    const keep = candidate.origin === 'cutlass-shape' || (candidate.integer && isTileName(candidate.name) && folded.value !== null && !folded.isFloat);
    if (!keep) continue;
    tileParams.push({ name: candidate.name, value: folded.value, valueRange: candidate.valueRange, range: candidate.range, origin: candidate.origin });
  }
  return { env, signature, tileParams };
}

/** The constants one `const`/`constexpr` declaration defines, read at its first qualifier (null for anything else). */
function declaredConstants(
  node: Node,
  text: string,
): {
  declaration: Node;
  origin: TileParam['origin'];
  integer: boolean;
  constants: Array<{ name: string; expr: Expr; valueStart: number; valueText: string }>;
} | null {
  const qualifier = node.text;
  if (qualifier !== 'const' && qualifier !== 'constexpr') return null;
  const declaration = node.parent;
  if (!declaration || (declaration.type !== 'declaration' && declaration.type !== 'field_declaration')) return null;
  // Skip pointer/reference declarations (`const float* A`): only scalar constants fold.
  const typeNode = declaration.childForFieldName('type');
  const integer = INTEGER_TYPE.test(typeNode ? typeNode.text : '');
  // A declaration with several qualifiers (static const) is visited once per qualifier: take the first.
  const firstQualifier = namedChildrenOf(declaration).find((c) => c.type === 'type_qualifier' && (c.text === 'const' || c.text === 'constexpr'));
  if (firstQualifier && firstQualifier.startIndex !== node.startIndex) return null;
  const constants: Array<{ name: string; expr: Expr; valueStart: number; valueText: string }> = [];
  for (const declarator of declaration.childrenForFieldName('declarator')) {
    if (!declarator) continue;
    let valueNode: Node | null = null;
    let nameNode: Node | null = null;
    if (declarator.type === 'init_declarator') {
      nameNode = declarator.childForFieldName('declarator');
      valueNode = declarator.childForFieldName('value');
    } else if (declaration.type === 'field_declaration') {
      nameNode = declarator;
      valueNode = declaration.childForFieldName('default_value');
    }
    if (!nameNode || !valueNode || (nameNode.type !== 'identifier' && nameNode.type !== 'field_identifier')) continue;
    let valueText = sourceText(text, valueNode);
    let valueStart = valueNode.startIndex;
    if (valueNode.type === 'initializer_list' || valueNode.type === 'argument_list') {
      // `constexpr int BM{128};` / `const int BM(128);`: the value is the single element.
      const inner = namedChildrenOf(valueNode);
      if (inner.length !== 1) continue;
      valueText = sourceText(text, inner[0]!);
      valueStart = inner[0]!.startIndex;
    }
    constants.push({ name: nameNode.text, expr: parseCExpression(valueText, valueStart), valueStart, valueText });
  }
  return { declaration, origin: qualifier === 'constexpr' ? 'constexpr' : 'const', integer, constants };
}

/**
 * Binds in `env` the constants (`const`/`constexpr`) and type aliases declared in [start, end) (a kernel's
 * definition), the first of a name winning, as in the file's environment. The file's environment holds
 * every function's constants with the first of a name winning, so without this a kernel's
 * `constexpr int BM = 64` would read as another function's `BM`. Looked up from the tokens prepare.ts
 * recorded (sorted by offset).
 */
export function bindLocalDefinitions(root: Node, text: string, tokens: PreparedCuda['definitionTokens'], start: number, end: number, env: MapEnv): void {
  const low = firstAtOrAfter(tokens, start, (token) => token.start);
  const bound = new Set<string>();
  for (let k = low; k < tokens.length && tokens[k]!.start < end; k++) {
    const token = tokens[k]!;
    if (token.token !== 'const' && token.token !== 'constexpr' && token.token !== 'using' && token.token !== 'typedef') continue;
    const node = definitionNodeAt(root, token);
    if (!node) continue;
    if (token.token === 'using' || token.token === 'typedef') {
      defineAliases(env, node, text, bound);
      continue;
    }
    for (const { name, expr } of declaredConstants(node, text)?.constants ?? []) {
      if (bound.has(name)) continue;
      bound.add(name);
      env.set(name, { kind: 'expr', expr });
    }
  }
}

/** The key a type alias is bound under in a fold environment: never a C name, so folding never reads it. */
const aliasKey = (name: string) => `using ${name}`;
/** An aliased type the analysis can read: one (qualified) name, optionally with sign and size words; no templates or pointers. */
const SCALAR_TYPE = /^(?:(?:const|volatile|unsigned|signed|long|short)\s+)*(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*$/;

/**
 * `using X = T;` and `typedef T X;` of a scalar type (`half`, `cutlass::half_t`, another alias): X is bound
 * to T's text (read by aliasedType) and `sizeof(X)` to T's size when known. The first alias of a name
 * wins (in the file's environment `bound` is its bindings; in a kernel's scope, the names it bound itself).
 */
function defineAliases(env: MapEnv, node: Node, text: string, bound?: Set<string>): void {
  const typeNode = node.childForFieldName('type');
  if (!typeNode) return;
  const target = sourceText(text, typeNode).replace(/\s+/g, ' ').trim();
  if (!SCALAR_TYPE.test(target)) return;
  const names =
    node.type === 'alias_declaration'
      ? [node.childForFieldName('name')]
      : node.childrenForFieldName('declarator').filter((declarator) => declarator?.type === 'type_identifier');
  for (const nameNode of names) {
    const name = nameNode?.text;
    if (!name || (bound ? bound.has(aliasKey(name)) : env.bindings.has(aliasKey(name)))) continue;
    bound?.add(aliasKey(name));
    env.set(aliasKey(name), { kind: 'macro', params: null, body: target, bodyOffset: typeNode.startIndex });
    const size = sizeOfType(aliasedType(env, target) ?? target);
    env.set(`sizeof(${name})`, { kind: 'value', value: size });
  }
}

/**
 * The type a file-scope alias names, through aliases of aliases (at most 4), or null when `name` is no
 * alias (or one a kernel scope hides: its own template parameter of the same name).
 */
export function aliasedType(env: FoldEnv, name: string): string | null {
  let current = name;
  let found: string | null = null;
  for (let step = 0; step < 4; step++) {
    const binding = env.lookup(aliasKey(current));
    if (binding?.kind !== 'macro') break;
    found = current = binding.body;
  }
  return found;
}

/** Hides a file-scope alias in a kernel's scope (a template parameter named like it). */
export function hideAlias(env: MapEnv, name: string): void {
  env.hide(aliasKey(name));
  env.hide(`sizeof(${name})`);
}

/** Nodes whose name qualifies the names declared inside them. */
const NAMING_SCOPES = new Set(['namespace_definition', 'struct_specifier', 'class_specifier', 'union_specifier']);

/**
 * Names of the namespaces and classes around `node`, outermost first (`namespace a::b { struct S`
 * gives a, b, S). An anonymous namespace or struct adds nothing: its members are named unqualified.
 */
function enclosingScopes(node: Node): string[] {
  const names: string[] = [];
  let current = node.parent;
  for (let step = 0; current && step < 64; step++, current = current.parent) {
    if (!NAMING_SCOPES.has(current.type)) continue;
    const name = current.childForFieldName('name')?.text;
    if (name)
      names.unshift(
        ...name
          .split('::')
          .map((part) => part.trim())
          .filter(Boolean),
      );
  }
  return names;
}

/**
 * Binds `name` declared in `scopes` under each qualified spelling that reaches it: from the outermost
 * scope (`tc::detail::BLOCK_K`) and from inside each enclosing one (`detail::BLOCK_K`). The first
 * definition of a spelling wins, as for unqualified names.
 */
function defineQualified(env: MapEnv, scopes: string[], name: string, expr: Expr): void {
  for (let i = 0; i < scopes.length; i++) {
    const qualified = `${scopes.slice(i).join('::')}::${name}`;
    if (!env.bindings.has(qualified)) env.set(qualified, { kind: 'expr', expr });
  }
}

/**
 * Names a GemmShape: the alias it is bound to (`using ThreadblockShape = GemmShape<...>` →
 * `ThreadblockShape`), else its role among a device::Gemm's template arguments, else `GemmShape`.
 */
function gemmShapeName(node: Node): string {
  let current: Node | null = node.parent;
  for (let step = 0; current && step < 6; step++) {
    if (current.type === 'alias_declaration') return current.childForFieldName('name')?.text ?? 'GemmShape';
    if (current.type === 'type_definition') {
      const declarator = declaredName(current.childForFieldName('declarator'));
      return declarator?.text ?? 'GemmShape';
    }
    if (current.type === 'template_argument_list') {
      // CUTLASS 2.x device::Gemm<..., ThreadblockShape, WarpShape, InstructionShape, ...>; 3.x
      // CollectiveBuilder<..., TileShape, ClusterShape, ...> with CuTe shapes.
      const cute = node.childForFieldName('name')?.text === 'Shape';
      const pattern = cute ? /^(?:cute::)?Shape\s*</ : /GemmShape\s*</;
      const shapes = namedChildrenOf(current).filter((arg) => arg.type !== 'comment' && pattern.test(arg.text));
      const index = shapes.findIndex((arg) => arg.startIndex <= node.startIndex && node.endIndex <= arg.endIndex);
      return (cute ? CUTE_SHAPE_ROLES : CUTLASS_SHAPE_ROLES)[index] ?? 'GemmShape';
    }
    current = current.parent;
  }
  return 'GemmShape';
}
