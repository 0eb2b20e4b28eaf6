// Folding environments for host code: the locals of a function (`int M = 1024;`, `dim3 grid(...)`)
// over the file's constants, with call-site propagation for launcher functions (launcher-calls.ts).
// Pure; a variable assigned more than once is treated as unknown rather than guessed.
import type { Node } from 'web-tree-sitter';
import { foldExpr, MapEnv, parseCExpression, type Expr, type FoldEnv } from '../folding';
import type { Range } from '../types';
import { isCommandLineOverride } from './command-line';
import { argumentNodes, callerDependencies, callsOf, dim3Argument, LAUNCHER_DEPTH, type CallRef } from './launcher-calls';
import { ancestorOfType, declaredName, descendantsOf, namedChildrenOf, rangeAt, sourceText } from './syntax';

/** A `dim3` built from up to three expressions. */
export interface Dim3Definition {
  components: Expr[];
  range: Range;
}

export interface HostScope {
  env: MapEnv;
  dim3: Map<string, Dim3Definition>;
  /**
   * A function's scope only: names declared more than once in its body (`const int BM = 128;` in one
   * branch, `= 64` in another), unknown here and read per block by blockScope; and names assigned or
   * whose address is taken, unknown in every block.
   */
  redeclared?: Set<string>;
  changed?: Set<string>;
  /**
   * A templated launcher's function scope (functionScopeAt): its template parameters given as a number at
   * its one call, with that number's range; and the launcher's range.
   */
  templateArgSources?: Map<string, { value: number; range: Range }>;
  functionRange?: Range;
}

function readDim3(valueNode: Node | null, text: string): Dim3Definition | null {
  if (!valueNode) return null;
  let args: Node | null = null;
  if (valueNode.type === 'argument_list' || valueNode.type === 'initializer_list' || valueNode.type === 'parameter_list') args = valueNode;
  else if (valueNode.type === 'call_expression' && /^dim3$/.test(valueNode.childForFieldName('function')?.text ?? ''))
    args = valueNode.childForFieldName('arguments');
  else if (valueNode.type === 'compound_literal_expression') args = valueNode.childForFieldName('value');
  if (!args) {
    // `dim3 grid = 64;` is a 1-D grid.
    return {
      components: [parseCExpression(sourceText(text, valueNode), valueNode.startIndex)],
      range: { start: valueNode.startIndex, end: valueNode.endIndex },
    };
  }
  const components = namedChildrenOf(args)
    .filter((c) => c.type !== 'comment')
    .map((c) => parseCExpression(sourceText(text, c), c.startIndex));
  return { components, range: { start: args.startIndex, end: args.endIndex } };
}

/** Collects declarations of a scope node (function body or translation unit) into `scope`. */
/** Returns the declarations' text, joined: a signature of what was read (for cache keys). */
function collectLocals(scopeNode: Node | Node[], text: string, scope: HostScope, topLevelOnly: boolean): string {
  // One walk for declarations and the assignments that invalidate them.
  const found = Array.isArray(scopeNode) ? scopeNode : descendantsOf(scopeNode, ['declaration', 'assignment_expression', 'update_expression']);
  const declarations = found.filter((c) => c.type === 'declaration');
  const assignments = Array.isArray(scopeNode) ? [] : found.filter((c) => c.type !== 'declaration');
  const signature = declarations.map((d) => text.slice(d.startIndex, d.endIndex)).join('\u0001');
  const counts = new Map<string, number>();
  // Initialisers are kept as text and parsed only if a launch looks the name up.
  const values = new Map<string, { expr: { text: string; offset: number } | null; dim3: Dim3Definition | null }>();
  // Constants: taking their address (`&batchCount` for an API that reads it) cannot change them.
  const constants = new Set<string>();
  for (const declaration of declarations) {
    const typeText = declaration.childForFieldName('type')?.text ?? '';
    const constant = declaration.namedChildren.some((child) => child?.type === 'type_qualifier' && (child.text === 'const' || child.text === 'constexpr'));
    const isDim3 = /\b(dim3|uint3)\b/.test(typeText); // a uint3 converts to dim3 at the launch
    for (const declarator of declaration.childrenForFieldName('declarator')) {
      if (!declarator) continue;
      let nameNode: Node | null;
      let valueNode: Node | null = null;
      if (declarator.type === 'init_declarator') {
        nameNode = declarator.childForFieldName('declarator');
        valueNode = declarator.childForFieldName('value');
      } else if (isDim3 && declarator.type === 'function_declarator') {
        // `dim3 block(TILE, TILE);` parses as a function declaration (the "most vexing parse"):
        // its parameter list holds the constructor arguments.
        nameNode = declarator.childForFieldName('declarator');
        valueNode = declarator.childForFieldName('parameters');
      } else nameNode = declaredName(declarator);
      if (!nameNode || nameNode.type !== 'identifier') continue;
      const name = nameNode.text;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (constant) constants.add(name);
      if (isDim3) {
        values.set(name, {
          expr: null,
          dim3: valueNode ? readDim3(valueNode, text) : { components: [], range: { start: nameNode.endIndex, end: nameNode.endIndex } },
        });
      } else if (valueNode && valueNode.type !== 'argument_list' && valueNode.type !== 'initializer_list') {
        values.set(name, { expr: { text: sourceText(text, valueNode), offset: valueNode.startIndex }, dim3: null });
      } else if (valueNode) {
        const inner = namedChildrenOf(valueNode);
        values.set(name, { expr: inner.length === 1 ? { text: sourceText(text, inner[0]!), offset: inner[0]!.startIndex } : null, dim3: null });
      } else values.set(name, { expr: null, dim3: null });
    }
  }
  // Any later assignment (`M = ...`, `M++`, `grid.x = ...`, `&M` passed out) makes the value unknown,
  // except each component of a `dim3` declared without one set once (`dim3 block; block.x = 128;`).
  const changed = new Set<string>();
  if (!topLevelOnly && !Array.isArray(scopeNode)) {
    const fieldSets = new Map<string, Map<string, Node>>();
    const fn = assignments.length > 0 ? scopeNode.parent : null;
    for (const node of assignments) {
      if (isCommandLineOverride(node, fn)) continue;
      const target = node.type === 'assignment_expression' ? node.childForFieldName('left') : node.childForFieldName('argument');
      if (!target) continue;
      const base = target.type === 'field_expression' ? target.childForFieldName('argument') : target;
      if (base?.type !== 'identifier') continue;
      const axis = target.type === 'field_expression' ? target.childForFieldName('field')?.text : undefined;
      const right = node.type === 'assignment_expression' ? node.childForFieldName('right') : null;
      const unset = values.get(base.text)?.dim3?.components.length === 0;
      if (unset && right && (axis === 'x' || axis === 'y' || axis === 'z') && node.childForFieldName('operator')?.text === '=') {
        const axes = fieldSets.get(base.text) ?? new Map<string, Node>();
        fieldSets.set(base.text, axes);
        if (axes.has(axis)) changed.add(base.text);
        else axes.set(axis, right);
        continue;
      }
      changed.add(base.text);
    }
    for (const [name, axes] of fieldSets) {
      const dim3 = values.get(name)!.dim3!;
      const one = (): Expr => ({ kind: 'number', value: 1, isFloat: false, range: dim3.range });
      const component = (axis: string): Expr => {
        const right = axes.get(axis);
        return right ? parseCExpression(sourceText(text, right), right.startIndex) : one();
      };
      if (!changed.has(name)) values.set(name, { expr: null, dim3: { components: ['x', 'y', 'z'].map(component), range: dim3.range } });
    }
    for (const name of addressTaken(sourceText(text, scopeNode))) if (!constants.has(name)) changed.add(name);
  }
  applyLocals(scope, values, counts, changed);
  if (!topLevelOnly && !Array.isArray(scopeNode)) {
    const redeclared = new Set([...counts].filter(([, count]) => count > 1).map(([name]) => name));
    if (redeclared.size > 0) {
      scope.redeclared = redeclared;
      scope.changed = changed;
    }
  }
  return signature;
}

/**
 * Names whose address is passed out (`cudaMalloc(&A, ...)`): their value may change. A kernel argument
 * array (`void *args[] = {&A, &M};`, for cudaLaunchKernel) only reads them: its list is skipped.
 */
function addressTaken(body: string): Set<string> {
  const names = new Set<string>();
  const rest = body.replace(/\bvoid\s*\*\s*[A-Za-z_]\w*\s*\[\s*\w*\s*\]\s*=\s*\{[^{}]*\}/g, (list) => ' '.repeat(list.length));
  for (const match of rest.matchAll(/(?:^|[(,=])\s*&\s*([A-Za-z_]\w*)/gm)) names.add(match[1]!);
  return names;
}

/** Puts the read locals into `scope`: a name declared twice or changed later is unknown. */
function applyLocals(
  scope: HostScope,
  values: Map<string, { expr: { text: string; offset: number } | null; dim3: Dim3Definition | null }>,
  counts: Map<string, number>,
  changed: Set<string>,
): void {
  for (const [name, value] of values) {
    if ((counts.get(name) ?? 0) > 1 || changed.has(name)) {
      scope.env.hide(name);
      for (const axis of ['x', 'y', 'z']) scope.env.hide(`${name}.${axis}`);
      scope.dim3.delete(name);
      continue;
    }
    if (value.dim3) {
      scope.dim3.set(name, value.dim3);
      // `block.x` in later expressions (`(N + block.x - 1) / block.x`); missing components are 1.
      const { components, range } = value.dim3;
      ['x', 'y', 'z'].forEach((axis, i) => {
        scope.env.set(`${name}.${axis}`, { kind: 'expr', expr: components[i] ?? { kind: 'number', value: 1, isFloat: false, range } });
      });
    } else if (value.expr) scope.env.set(name, { kind: 'macro', params: null, body: value.expr.text, bodyOffset: value.expr.offset });
    else scope.env.hide(name);
  }
}

/**
 * File-scope `dim3` globals and non-const globals (const ones are already in the file env). With
 * `previous` (the last analysis's file scope), an unchanged set of declarations over the same
 * constants is reused.
 */
export function fileScope(
  outline: Pick<TopLevelOutline, 'declarationRanges' | 'declarationNodes'>,
  text: string,
  fileEnv: FoldEnv,
  previous: FileScope | null | undefined,
): FileScope {
  const ranges = outline.declarationRanges;
  const parts: string[] = [];
  for (let i = 0; i < ranges.length; i += 2) parts.push(text.slice(ranges[i]!, ranges[i + 1]!));
  const signature = parts.join('\u0001');
  if (previous && previous.signature === signature && previous.fileEnv === fileEnv) return previous;
  const scope: HostScope = { env: new MapEnv(fileEnv), dim3: new Map() };
  collectLocals(outline.declarationNodes(), text, scope, true);
  return { ...scope, signature, fileEnv };
}

export type FileScope = HostScope & { signature: string; fileEnv: FoldEnv };

export interface ScopeCache {
  root: Node;
  text: string;
  file: HostScope;
  byFunction: Map<number, HostScope>;
  /** Scopes without call-site propagation (the function alone). */
  byFunctionLocal: Map<number, HostScope>;
  /** Scopes propagated fewer levels than byFunction's (callers' scopes), by depth (scopeAtDepth). */
  byDepth?: Map<number, Map<number, HostScope>>;
  /** `name (` offsets from prepare.ts, for finding the call sites of a launcher function. */
  callSites: Map<string, number[]>;
  /** Sorted ranges of function definitions at file scope and inside namespaces, templates, `extern "C"` (outlineTopLevel). */
  functionRanges: Array<{ start: number; end: number }>;
  /** Whether the tree has syntax errors (read once, by functionAt). */
  treeHasError?: boolean;
  /** Whether a function's text may hold a local class, by the function's start (functionAt). */
  mayHoldLocalClass?: Map<number, boolean>;
}

/**
 * The function definition around `offset`. In an error-free tree a function at file scope (or in a
 * namespace) is found by its range from outlineTopLevel without walking up from the innermost node,
 * unless it may hold a local class; `node` is then null and read from the tree only when needed.
 */
function functionAt(cache: ScopeCache, offset: number): FunctionRef | null {
  cache.treeHasError ??= cache.root.hasError;
  const range = cache.treeHasError ? null : rangeAt(cache.functionRanges, offset);
  if (range && !mayHoldLocalClass(cache, range)) return { start: range.start, end: range.end, node: null };
  const node = ancestorOfType(cache.root.descendantForIndex(offset), ['function_definition'], 400);
  return node ? { start: node.startIndex, end: node.endIndex, node } : null;
}

/** A function definition: its range, and its node when it was found through the tree. */
interface FunctionRef {
  start: number;
  end: number;
  node: Node | null;
}

function mayHoldLocalClass(cache: ScopeCache, range: { start: number; end: number }): boolean {
  cache.mayHoldLocalClass ??= new Map();
  return memoByStart(cache.mayHoldLocalClass, range, () => /\b(?:class|struct|union)\b/.test(cache.text.slice(range.start, range.end)));
}

/** A fact about a function's text, computed once per function (functions do not overlap, so the start is a key). */
function memoByStart(memo: Map<number, boolean>, range: { start: number; end: number }, compute: () => boolean): boolean {
  let value = memo.get(range.start);
  if (value === undefined) {
    value = compute();
    memo.set(range.start, value);
  }
  return value;
}

function nodeOf(cache: ScopeCache, fn: FunctionRef): Node | null {
  if (fn.node) return fn.node;
  const node = cache.root.descendantForIndex(fn.start, fn.end);
  fn.node =
    node?.type === 'function_definition' && node.startIndex === fn.start && node.endIndex === fn.end
      ? node
      : ancestorOfType(cache.root.descendantForIndex(fn.start), ['function_definition'], 400);
  return fn.node;
}

/** What scopeAt reads of a function: its simple name, parameter names and body. */
interface FunctionParts {
  name: string | null;
  paramNames: string[];
  body: { start: number; end: number } | null;
}

function partsOf(cache: ScopeCache, fn: FunctionRef): FunctionParts {
  const node = nodeOf(cache, fn);
  if (!node) return { name: null, paramNames: [], body: null };
  const body = node.childForFieldName('body');
  return {
    name: declaredName(node.childForFieldName('declarator')?.childForFieldName('declarator') ?? null)?.text ?? null,
    paramNames: parameterNamesOf(node),
    body: body ? { start: body.startIndex, end: body.endIndex } : null,
  };
}

function parameterNamesOf(fn: Node): string[] {
  const params = fn.childForFieldName('declarator')?.childForFieldName('parameters');
  if (!params) return [];
  return namedChildrenOf(params).map((p) => declaredName(p.childForFieldName('declarator'))?.text ?? '');
}

/**
 * The scope at `offset`: locals of the enclosing function over file scope. When the function is a
 * launcher, its parameters take the arguments of its calls in the file (launcher-calls.ts), folded in
 * each caller's scope, itself propagated LAUNCHER_DEPTH - 1 levels up; `propagate` false reads the
 * function alone.
 */
export function scopeAt(cache: ScopeCache, offset: number, propagate = true): HostScope {
  return scopeAtDepth(cache, offset, propagate ? LAUNCHER_DEPTH : 1);
}

/** A memo of function scopes per propagation depth (1: the function alone). */
function memoFor(cache: ScopeCache, depth: number): Map<number, HostScope> {
  if (depth >= LAUNCHER_DEPTH) return cache.byFunction;
  if (depth <= 1) return cache.byFunctionLocal;
  cache.byDepth ??= new Map();
  let memo = cache.byDepth.get(depth);
  if (!memo) cache.byDepth.set(depth, (memo = new Map()));
  return memo;
}

function scopeAtDepth(cache: ScopeCache, offset: number, depth: number): HostScope {
  const fn = functionAt(cache, offset);
  if (!fn) return cache.file;
  const existing = memoFor(cache, depth).get(fn.start) ?? functionScope(cache, fn, depth);
  return existing.redeclared ? blockScope(cache, offset, existing) : existing;
}

/** The scope of the function around `offset` without block scoping (what is the same in all its blocks), or the file's. */
export function functionScopeAt(cache: ScopeCache, offset: number): HostScope {
  const fn = functionAt(cache, offset);
  return fn ? (cache.byFunction.get(fn.start) ?? functionScope(cache, fn, LAUNCHER_DEPTH)) : cache.file;
}

/**
 * C++ block scoping for names the function declares more than once: the declarations of the blocks
 * around `offset` that precede it, outermost first, so the innermost one is what `offset` sees
 * (`if (M >= 128) { const uint BM = 128; ... launch ... } else { const uint BM = 64; ... }`).
 */
function blockScope(cache: ScopeCache, offset: number, fnScope: HostScope): HostScope {
  const blocks: Node[] = [];
  for (let node: Node | null = cache.root.descendantForIndex(offset), step = 0; node && step < 400; node = node.parent, step++) {
    if (node.type === 'function_definition') break;
    if (node.type === 'compound_statement') blocks.push(node);
  }
  const scope: HostScope = { env: new MapEnv(fnScope.env), dim3: new Map(fnScope.dim3) };
  for (const block of blocks.reverse()) {
    // Only the redeclared names need reading again: the function scope has the others.
    const declarations = block.namedChildren.filter(
      (child): child is Node => child?.type === 'declaration' && child.endIndex <= offset && declaresAny(child, fnScope.redeclared!),
    );
    if (declarations.length > 0) collectLocals(declarations, cache.text, scope, true);
  }
  for (const name of fnScope.changed ?? []) {
    scope.env.hide(name);
    for (const axis of ['x', 'y', 'z']) scope.env.hide(`${name}.${axis}`);
    scope.dim3.delete(name);
  }
  return scope;
}

/** Whether a declaration declares one of `names` (`const int BM = 128, BN = 64;`, `dim3 grid(...)`). */
function declaresAny(declaration: Node, names: Set<string>): boolean {
  return declaration.childrenForFieldName('declarator').some((declarator) => {
    if (!declarator) return false;
    const name =
      declarator.type === 'init_declarator' || declarator.type === 'function_declarator'
        ? declarator.childForFieldName('declarator')
        : declaredName(declarator);
    return !!name && names.has(name.text);
  });
}

function functionScope(cache: ScopeCache, fn: FunctionRef, depth: number): HostScope {
  const parent = new MapEnv(cache.file.env);
  const scope: HostScope = { env: new MapEnv(parent), dim3: new Map(cache.file.dim3) };
  memoFor(cache, depth).set(fn.start, scope);

  const parts = partsOf(cache, fn);
  const paramNames = parts.paramNames;
  for (const name of paramNames) if (name) parent.hide(name);
  const templateParams = templateParametersOf(nodeOf(cache, fn));
  for (const param of templateParams) parent.hide(param.name);
  const calls = depth > 1 && paramNames.length + templateParams.length > 0 ? callsOf(cache, fn, parts.name) : [];
  if (calls.length === 1) bindCall(cache, fn, calls[0]!, depth, parent, scope, paramNames, templateParams);
  else if (calls.length > 1) bindAgreeingCalls(cache, calls, depth, parent, paramNames);
  if (parts.body) {
    const body = nodeOf(cache, fn)?.childForFieldName('body');
    if (body) collectLocals(body, cache.text, scope, false);
  }
  return scope;
}

/** The parameters of a function called once take that call's arguments (and template arguments), folded in the caller's scope. */
function bindCall(
  cache: ScopeCache,
  fn: FunctionRef,
  call: CallRef,
  depth: number,
  parent: MapEnv,
  scope: HostScope,
  paramNames: string[],
  templateParams: Array<{ name: string; defaultValue: Expr | null }>,
): void {
  const callerScope = scopeAtDepth(cache, call.start, depth - 1);
  // A templated launcher (`launch<128, 64>(...)`): its template parameters take the call's arguments,
  // or their defaults, folded in the caller's scope.
  const templateArgs = call.node ? templateArgumentNodes(call.node) : [];
  const sources = new Map<string, { value: number; range: Range }>();
  templateParams.forEach((param, i) => {
    const arg = templateArgs[i];
    const expr = arg ? parseCExpression(sourceText(cache.text, arg), arg.startIndex) : param.defaultValue;
    if (!expr) return;
    const folded = foldExpr(expr, arg ? callerScope.env : parent, []);
    parent.set(param.name, { kind: 'value', value: folded.value, isFloat: folded.isFloat });
    // A number written at the call is what a code action rewrites to change this parameter.
    if (arg && folded.value !== null && /^\d+[uUlL]*$/.test(arg.text.trim()))
      sources.set(param.name, { value: folded.value, range: { start: arg.startIndex, end: arg.endIndex } });
  });
  if (sources.size > 0) {
    scope.templateArgSources = sources;
    scope.functionRange = { start: fn.start, end: fn.end };
  }
  const argParts = argumentNodes(cache, call);
  paramNames.forEach((name, i) => {
    const arg = argParts[i];
    if (!name || !arg) return;
    const dim3 = arg.identifier ? callerScope.dim3.get(arg.text) : undefined;
    if (dim3) scope.dim3.set(name, dim3Argument(name, dim3, callerScope.env, parent));
    else {
      // Folded in the caller's scope now; problems there are reported when the caller is analysed.
      const folded = foldExpr(parseCExpression(arg.text, arg.start), callerScope.env, []);
      parent.set(name, { kind: 'value', value: folded.value, isFloat: folded.isFloat });
    }
  });
}

/**
 * A function called several times: a parameter takes a value only when every call's argument folds to it
 * (main calling a dispatcher twice with the same sizes); template parameters and dim3s stay unknown.
 */
function bindAgreeingCalls(cache: ScopeCache, calls: CallRef[], depth: number, parent: MapEnv, paramNames: string[]): void {
  const agreed: Array<{ value: number; isFloat: boolean } | null | undefined> = [];
  for (const call of calls) {
    const callerScope = scopeAtDepth(cache, call.start, depth - 1);
    const argParts = argumentNodes(cache, call);
    paramNames.forEach((name, i) => {
      if (!name || agreed[i] === null) return;
      const arg = argParts[i];
      const folded = arg ? foldExpr(parseCExpression(arg.text, arg.start), callerScope.env, []) : null;
      const previous = agreed[i];
      if (!folded || folded.value === null || (previous && (previous.value !== folded.value || previous.isFloat !== folded.isFloat))) agreed[i] = null;
      else agreed[i] = { value: folded.value, isFloat: folded.isFloat };
    });
  }
  paramNames.forEach((name, i) => {
    const value = agreed[i];
    if (name && value) parent.set(name, { kind: 'value', value: value.value, isFloat: value.isFloat });
  });
}

/** A function template's non-type parameters (`template <int BM, int BN = 64>`), with their defaults. */
function templateParametersOf(fn: Node | null): Array<{ name: string; defaultValue: Expr | null }> {
  const declaration = fn?.parent;
  if (declaration?.type !== 'template_declaration') return [];
  const list = declaration.childForFieldName('parameters');
  const params: Array<{ name: string; defaultValue: Expr | null }> = [];
  for (const param of list ? namedChildrenOf(list) : []) {
    if (param.type !== 'parameter_declaration' && param.type !== 'optional_parameter_declaration') continue;
    const name = declaredName(param.childForFieldName('declarator'))?.text;
    if (!name) continue;
    const value = param.childForFieldName('default_value');
    params.push({ name, defaultValue: value ? parseCExpression(value.text, value.startIndex) : null });
  }
  return params;
}

/** The explicit template arguments of a call (`launch<128, 64>(...)`), in order; [] for a plain call. */
function templateArgumentNodes(call: Node): Node[] {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'template_function') return [];
  const args = callee.childForFieldName('arguments');
  return args ? namedChildrenOf(args).filter((c) => c.type !== 'comment') : [];
}

/**
 * Everything a launch's folded values can depend on besides the file constants: the enclosing
 * function's text, the launch's place in it, and the texts of the functions that call it. Returned
 * as a small key (lengths and relative offsets) and the spans whose text must be unchanged (cache.ts).
 */
export function launchDependencies(cache: ScopeCache, offset: number): { key: string; spans: number[] } | null {
  const functions = topLevelFunctions(cache);
  const fn = rangeAt(functions, offset);
  if (!fn) return null;
  const text = cache.text;
  // Text only on a valid tree (no tree walks): the launcher's name and every function that mentions `name(` elsewhere.
  const header = text.slice(fn.start, Math.min(fn.end, text.indexOf('{', fn.start) >>> 0));
  const names = new Set<string>();
  const name = /([A-Za-z_]\w*)\s*\(/.exec(header)?.[1];
  if (name) names.add(name);
  // In a tree with errors the launch's scope is the innermost function the tree gives (functionAt), which
  // can be another than this top-level range (a broken function swallowing the next): its callers, whose
  // arguments scopeAt propagates, count too (found by the fuzz test).
  cache.treeHasError ??= cache.root.hasError;
  if (cache.treeHasError) {
    const scoped = functionAt(cache, offset);
    const scopedName = scoped ? partsOf(cache, scoped).name : null;
    if (scopedName) names.add(scopedName);
  }
  const callers = callerDependencies(text, cache.callSites, functions, fn, names);
  const keys = [`${fn.end - fn.start}@${offset - fn.start}`, ...callers.keys];
  const spans = [fn.start, fn.end, ...callers.spans];
  return { key: keys.join(','), spans };
}

/** Containers whose children are read as file scope by outlineTopLevel (a namespace through its body). */
const TOP_LEVEL_CONTAINERS = new Set(['template_declaration', 'linkage_specification', 'namespace_definition', 'declaration_list']);

/** What outlineTopLevel reads of the file's top level. */
export interface TopLevelOutline {
  /** [start, end) pairs of the declarations directly under the translation unit (file-scope variables). */
  declarationRanges: number[];
  /** Their nodes, looked up when called (fileScope's fallback from the text). */
  declarationNodes: () => Node[];
  functionRanges: Array<{ start: number; end: number }>;
  /** For each function range, the start of the template_declaration that is its parent, or -1. */
  templateStarts: number[];
}

/**
 * One cursor pass over the file's top level: the declarations directly under the translation unit
 * (file-scope variables), and the ranges of function definitions there and inside nested
 * namespaces, templates and `extern "C"` blocks (8 levels), in text order. A cursor reads a node's
 * type and offsets without building node objects, which matters with thousands of top-level items.
 */
export function outlineTopLevel(root: Node): TopLevelOutline {
  const declarationRanges: number[] = [];
  const functionRanges: Array<{ start: number; end: number }> = [];
  const templateStarts: number[] = [];
  // The same declarations as the cursor sees at depth 0 (named children of type declaration).
  const declarationNodes = () => root.namedChildren.filter((child): child is Node => child?.type === 'declaration');
  const outline = { declarationRanges, declarationNodes, functionRanges, templateStarts };
  // The start of each open container when it is a template_declaration (else -1), by depth - 1.
  const containerTemplateStart: number[] = [];
  const cursor = root.walk();
  try {
    if (!cursor.gotoFirstChild()) return outline;
    let depth = 0;
    for (;;) {
      const type = cursor.nodeType;
      if (type === 'function_definition') {
        functionRanges.push({ start: cursor.startIndex, end: cursor.endIndex });
        templateStarts.push(depth > 0 ? containerTemplateStart[depth - 1]! : -1);
      } else if (type === 'declaration' && depth === 0) declarationRanges.push(cursor.startIndex, cursor.endIndex);
      if (depth < 8 && TOP_LEVEL_CONTAINERS.has(type)) {
        const templateStart = type === 'template_declaration' ? cursor.startIndex : -1;
        if (cursor.gotoFirstChild()) {
          containerTemplateStart[depth] = templateStart;
          depth++;
          continue;
        }
      }
      while (!cursor.gotoNextSibling()) {
        if (depth === 0 || !cursor.gotoParent()) return outline;
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * Whether outlineTopLevel(root) would list a function definition at exactly [start, end): the node there
 * is a function_definition whose ancestors are all top-level containers (at most 8 of them). A lookup by
 * offset, not a walk of the file.
 */
export function isOutlinedFunction(root: Node, start: number, end: number): boolean {
  let node: Node | null = root.descendantForIndex(start);
  for (let step = 0; node && step < 64; step++) {
    if (node.type === 'function_definition' && node.startIndex === start) break;
    node = node.parent;
  }
  if (!node || node.type !== 'function_definition' || node.startIndex !== start || node.endIndex !== end) return false;
  let depth = 0;
  for (let parent = node.parent; parent; parent = parent.parent) {
    if (parent.type === 'translation_unit' && !parent.parent) return depth <= 8;
    if (!TOP_LEVEL_CONTAINERS.has(parent.type)) return false;
    depth++;
  }
  return false;
}

function topLevelFunctions(cache: ScopeCache): Array<{ start: number; end: number }> {
  return cache.functionRanges;
}
