// Flow-insensitive name resolution for a Python module: module-level and per-function bindings
// ("the last assignment before this use"), imports, and parameters resolved from the file's own call
// sites. It reads the tree and asks the evaluator for values; it must not decide what is a kernel.
import { bindTarget, EnvScope, type Evaluator, type ImportTable } from './evaluate';
import { growModuleList, joinValues } from './interpret';
import { readParameters, type PythonParameter } from './parameters';
import { type Binding, collectBindings, type Guard, guardTruth } from './bindings';
import { callArguments, calleeOf, field, moduleNodes, namedChildrenOf } from './syntax';
import { isRecording, lookedUp, type SyntaxNode, unrecorded } from './tree';
import { UNKNOWN, type PyValue, type Scope } from './values';

/** `from . import kernels` names `.kernels`, `from .ops import mm` names `.ops.mm`. */
const joinModule = (module: string, name: string): string => (module.endsWith('.') ? `${module}${name}` : `${module}.${name}`);

/**
 * Triton re-exported by another package, as vLLM does (`from vllm.triton_utils import tl, triton`, a
 * module that only imports them and swaps in placeholders when Triton is missing): what the name stands for.
 * Two rules, each keyed on the name as the other module exports it (the alias the file gives it does not
 * matter), and kept narrow because the other module is not read:
 * - a member called `triton`, from any module, is the `triton` package: no project names its own module
 *   or object `triton` for anything but re-exporting it;
 * - a member called `tl` is `triton.language` only from a module whose path mentions triton
 *   (`vllm.triton_utils`, a local `my_triton`, `.triton_compat`): elsewhere `tl` may be anything.
 * Anything else keeps its path, and imports from `triton` itself are already canonical.
 */
function reexportedTriton(path: string): string {
  if (/^triton(\.|$)/.test(path)) return path;
  const dot = path.lastIndexOf('.');
  const member = path.slice(dot + 1);
  if (member === 'triton' && dot >= 0) return 'triton';
  if (member === 'tl' && /triton/i.test(path.slice(0, dot))) return 'triton.language';
  return path;
}

export function collectImports(root: SyntaxNode): ImportTable {
  const table: ImportTable = new Map();
  for (const node of moduleNodes(root).imports) {
    if (node.type === 'import_statement') {
      for (const name of node.childrenForFieldName('name')) {
        if (!name) continue;
        if (name.type === 'aliased_import') {
          const alias = field(name, 'alias');
          const path = field(name, 'name');
          if (alias && path) table.set(alias.text, reexportedTriton(path.text));
        } else {
          table.set(name.text.split('.')[0], name.text.split('.')[0]);
        }
      }
      continue;
    }
    const module = field(node, 'module_name')?.text;
    if (!module) continue;
    for (const name of node.childrenForFieldName('name')) {
      if (!name) continue;
      if (name.type === 'aliased_import') {
        const alias = field(name, 'alias');
        const path = field(name, 'name');
        if (alias && path) table.set(alias.text, reexportedTriton(joinModule(module, path.text)));
      } else {
        table.set(name.text, reexportedTriton(joinModule(module, name.text)));
      }
    }
  }
  return table;
}

/** The modules a text star-imports (`from .kernels import *` gives `.kernels`), in order. */
export function starImports(root: SyntaxNode): string[] {
  const out: string[] = [];
  for (const node of moduleNodes(root).imports) {
    if (node.type !== 'import_from_statement') continue;
    const module = field(node, 'module_name')?.text;
    if (module && !/^\.+$/.test(module) && node.namedChildren.some((c) => c?.type === 'wildcard_import')) out.push(module);
  }
  return out;
}

/**
 * What every scope set of one analysis shares, built once from the whole module (each without recording
 * reads: a lookup reports what it found instead, tree.ts lookedUp): the module's bindings, its calls by
 * callee, the top-level statements that grow a list.
 */
export class ModuleIndex {
  private bindingTable: Map<string, Binding[]> | null = null;
  private callSites: SyntaxNode[] | null = null;
  private callsByCallee: Map<string, SyntaxNode[]> | null = null;
  private readonly growersByName = new Map<string, SyntaxNode[]>();

  constructor(readonly root: SyntaxNode) {}

  get bindings(): Map<string, Binding[]> {
    if (!this.bindingTable) this.bindingTable = unrecorded(() => collectBindings(this.root));
    return this.bindingTable;
  }

  /** Every call whose callee is a name or an attribute. */
  calls(): SyntaxNode[] {
    if (!this.callSites) {
      this.callSites = unrecorded(() =>
        moduleNodes(this.root).calls.filter((call) => {
          const type = calleeOf(call).type;
          return type === 'identifier' || type === 'attribute';
        }),
      );
    }
    return this.callSites;
  }

  /** Every call in the file whose callee is the plain name `name` (built once: callsTo runs for every parameter a lookup resolves). */
  callsTo(name: string): SyntaxNode[] {
    if (!this.callsByCallee) {
      const byCallee = new Map<string, SyntaxNode[]>();
      unrecorded(() => {
        for (const call of this.calls()) {
          const callee = calleeOf(call).text;
          const list = byCallee.get(callee);
          if (list) list.push(call);
          else byCallee.set(callee, [call]);
        }
      });
      this.callsByCallee = byCallee;
    }
    return this.callsByCallee.get(name) ?? [];
  }

  /** The calls that run `className`'s forward (ScopeSet.applyCallsTo). */
  applyCalls(className: string): SyntaxNode[] {
    const callee = `${className}.apply`;
    return unrecorded(() => {
      const aliases = new Set<string>();
      for (const statement of namedChildrenOf(this.root)) {
        const assignment = statement.type === 'expression_statement' ? namedChildrenOf(statement)[0] : null;
        const left = assignment?.type === 'assignment' ? field(assignment, 'left') : null;
        if (left?.type === 'identifier' && field(assignment!, 'right')?.text === callee) aliases.add(left.text);
      }
      return this.calls().filter((call) => {
        const fn = field(call, 'function');
        return fn?.text === callee || (fn?.type === 'identifier' && aliases.has(fn.text));
      });
    });
  }

  /** What a lookup a computation reported (tree.ts lookedUp) finds now: the same key, this file. */
  lookup(key: string): readonly SyntaxNode[] {
    const space = key.indexOf(' ');
    const kind = key.slice(0, space);
    const name = key.slice(space + 1);
    if (kind === 'calls') return this.callsTo(name);
    if (kind === 'grow') return this.growers(name);
    if (kind === 'apply') return this.applyCalls(name);
    return this.bindings.get(name)?.map((binding) => binding.node) ?? [];
  }

  /** The top-level statements that mention growing the list `name` (`name.append(...)`, `name += [...]`). */
  growers(name: string): SyntaxNode[] {
    let growers = this.growersByName.get(name);
    if (!growers) {
      const grows = new RegExp(`\\b${name}\\s*(?:\\.\\s*(?:append|extend)\\s*\\(|\\+=)`);
      growers = unrecorded(() =>
        namedChildrenOf(this.root).filter(
          (s) => (s.type === 'for_statement' || s.type === 'if_statement' || s.type === 'expression_statement') && grows.test(s.text),
        ),
      );
      this.growersByName.set(name, growers);
    }
    return growers;
  }
}

/**
 * The scopes of one computation (a kernel, a launch, the file-wide passes): the evaluator, the module
 * scope, and per-function scopes with their memoised values. Each computation gets its own (reuse.ts:
 * what one computes must not depend on what another computed before it); the ModuleIndex is shared.
 */
export class ScopeSet {
  readonly module: BlockScope;
  private readonly functions = new Map<number, BlockScope>();
  private readonly lambdas = new Map<number, LambdaScope>();
  /** How many call-site hops parameter resolution is inside; bounded so recursion terminates. */
  resolvingDepth = 0;

  constructor(
    readonly root: SyntaxNode,
    readonly evaluator: Evaluator,
    readonly index: ModuleIndex = new ModuleIndex(root),
  ) {
    this.module = new BlockScope(this, root, null);
  }

  /**
   * The scope that code at `node` runs in: its innermost enclosing `lambda` (whose parameters hide the
   * names around it), `def`, else the module.
   */
  scopeFor(node: SyntaxNode): Scope {
    for (let current = node.parent; current; current = current.parent) {
      if (current.type === 'lambda') return this.lambdaScope(current);
      if (current.type === 'function_definition') return this.functionScope(current);
    }
    return this.module;
  }

  functionScope(definition: SyntaxNode): BlockScope {
    let scope = this.functions.get(definition.id);
    if (!scope) {
      // A `def` cannot sit inside a lambda (its body is one expression): the scope around it is a block.
      let parent: BlockScope = this.module;
      for (let current = definition.parent; current; current = current.parent) {
        if (current.type === 'function_definition') {
          parent = this.functionScope(current);
          break;
        }
      }
      scope = new BlockScope(this, definition, parent);
      this.functions.set(definition.id, scope);
    }
    return scope;
  }

  private lambdaScope(lambda: SyntaxNode): LambdaScope {
    let scope = this.lambdas.get(lambda.id);
    if (!scope) {
      scope = new LambdaScope(this.evaluator, lambda, this.scopeFor(lambda));
      this.lambdas.set(lambda.id, scope);
    }
    return scope;
  }

  /** Every call in the file whose callee is the plain name `name` (a lookup the computation depends on). */
  callsTo(name: string): SyntaxNode[] {
    const calls = this.index.callsTo(name);
    lookedUp(`calls ${name}`, calls);
    return calls;
  }

  /**
   * The calls that run a `torch.autograd.Function`'s `forward`: `Cls.apply(...)`, and `f(...)` after a
   * module-level `f = Cls.apply` (the usual `matmul = _matmul.apply`).
   */
  applyCallsTo(className: string): SyntaxNode[] {
    const found = this.index.applyCalls(className);
    lookedUp(`apply ${className}`, found);
    return found;
  }
}

/**
 * The body of a `lambda` read where it stands, not called: `bench(lambda a, b: matmul(a, b))`. Its
 * parameters hide the names around it, so `a` is not the module's `a`; what the caller passes is not
 * known here, so a parameter is unknown, or its default (`lambda a=a: ...`, the usual capture, as a
 * `def`'s parameter with no call giving it). A call the evaluator makes itself (`Evaluator.apply`) binds
 * the arguments it has instead.
 */
class LambdaScope implements Scope {
  private readonly parameters: Map<string, PythonParameter>;
  private readonly values = new Map<string, PyValue>();

  constructor(
    private readonly evaluator: Evaluator,
    lambda: SyntaxNode,
    private readonly parent: Scope,
  ) {
    this.parameters = new Map(readParameters(lambda).map((parameter) => [parameter.name, parameter]));
  }

  lookup(name: string, at: number): PyValue {
    const parameter = this.parameters.get(name);
    if (!parameter) return this.parent.lookup(name, at);
    let value = this.values.get(name);
    if (!value) {
      // A default is evaluated where the lambda stands: `lambda a=a:` reads the outer `a`.
      value = parameter.defaultValue ? this.evaluator.evaluate(parameter.defaultValue, this.parent) : UNKNOWN;
      this.values.set(name, value);
    }
    return value;
  }
}

/** The class a `forward` method belongs to, when it is a `@staticmethod` (a torch.autograd.Function's), else null. */
function autogradClassOf(definition: SyntaxNode): string | null {
  if (field(definition, 'name')?.text !== 'forward') return null;
  const decorated = definition.parent?.type === 'decorated_definition' ? definition.parent : null;
  if (!decorated || !namedChildrenOf(decorated).some((child) => child.type === 'decorator' && /staticmethod/.test(child.text))) return null;
  const klass = decorated.parent?.parent;
  return klass?.type === 'class_definition' ? (field(klass, 'name')?.text ?? null) : null;
}

/** Bindings of one module or function body, resolved lazily and memoised. */
export class BlockScope implements Scope {
  private readonly bindings: Map<string, Binding[]>;
  private readonly parameters: Map<string, PythonParameter>;
  private readonly values = new Map<Binding, PyValue>();
  private readonly inProgress = new Set<Binding | PythonParameter>();
  private readonly parameterValues = new Map<string, PyValue>();
  private readonly grownValues = new Map<string, PyValue>();
  /** Whether each guarded binding's branch runs, decided once per analysis (lookups of its name repeat). */
  private readonly guardTruths = new Map<Guard, boolean | null>();

  constructor(
    private readonly set: ScopeSet,
    readonly owner: SyntaxNode,
    private readonly parent: BlockScope | null,
  ) {
    if (parent === null) {
      this.bindings = set.index.bindings;
    } else {
      const body = field(owner, 'body');
      this.bindings = body ? collectBindings(body) : new Map();
    }
    this.parameters = new Map(owner.type === 'function_definition' ? readParameters(owner).map((parameter) => [parameter.name, parameter]) : []);
  }

  lookup(name: string, at: number): PyValue {
    const candidates = this.bindings.get(name);
    // The module's bindings come from the whole file: what this lookup found is a dependency.
    if (this.parent === null && isRecording()) lookedUp(`bind ${name}`, candidates?.map((binding) => binding.node) ?? []);
    if (candidates) {
      let chosen: Binding | undefined;
      // At module level a list's `name += [...]` is growth (see grown), not a new binding.
      const growth = (b: Binding) => this.owner.type !== 'function_definition' && b.kind === 'opaque' && /^\s*[A-Za-z_]\w*\s*\+=/.test(b.node.text);
      let skipped = false;
      for (const binding of candidates) {
        if (binding.visibleFrom > at) continue;
        if (chosen && growth(binding)) skipped = true;
        else [chosen, skipped] = [binding, false];
      }
      if (chosen) {
        const value = this.bindingValue(name, chosen);
        // `total += 2` on anything but a list is not modelled: unknown, as any rebinding.
        const bound = skipped && value.kind !== 'sequence' ? UNKNOWN : this.grown(name, chosen, at, value);
        return chosen.guard ? this.guarded(name, chosen, candidates, bound) : bound;
      }
    }
    const parameter = this.parameters.get(name);
    if (parameter) return this.parameterValue(parameter);
    // Functions see the module as it is when they run: its last binding of the name.
    return this.parent ? this.parent.lookup(name, Number.MAX_SAFE_INTEGER) : UNKNOWN;
  }

  /**
   * A binding in a branch of an `if` (bindings.ts): its value when the branch runs, the one before it when
   * it does not, and both joined (joinValues) when the conditions do not fold, as the interpreter joins
   * paths; with nothing bound before it in this scope, its own (a name bound on one path only).
   */
  private guarded(name: string, chosen: Binding, candidates: readonly Binding[], value: PyValue): PyValue {
    const guard = chosen.guard!;
    let truth = this.guardTruths.get(guard);
    if (truth === undefined) this.guardTruths.set(guard, (truth = guardTruth(guard, this.set.evaluator, this)));
    if (truth === true) return value;
    const before = candidates.some((binding) => binding.visibleFrom < chosen.visibleFrom);
    if (truth === false) return before || this.parameters.has(name) || this.parent ? this.lookup(name, chosen.visibleFrom - 1) : UNKNOWN;
    return before ? joinValues(this.lookup(name, chosen.visibleFrom - 1), value) : value;
  }

  /**
   * A module-level list that later top-level statements grow (`configs = []` then `for ...:
   * configs.append(...)`) has the value those statements give it by `at`; any other value is as bound.
   */
  private grown(name: string, binding: Binding, at: number, value: PyValue): PyValue {
    if (this.owner.type === 'function_definition' || value.kind !== 'sequence') return value;
    const growers = this.set.index.growers(name);
    lookedUp(`grow ${name}`, growers);
    const statements = growers.filter((s) => s.startIndex >= binding.visibleFrom && s.endIndex <= at);
    if (statements.length === 0) return value;
    const key = `${name}\u0000${binding.visibleFrom}\u0000${statements[statements.length - 1]!.startIndex}`;
    let result = this.grownValues.get(key);
    if (!result) {
      result = growModuleList(this.set.evaluator, statements, name, value, this);
      this.grownValues.set(key, result);
    }
    return result;
  }

  /** Whether `name` is bound in this very scope (assignment or parameter). */
  bindsLocally(name: string): boolean {
    return this.bindings.has(name) || this.parameters.has(name);
  }

  private bindingValue(name: string, binding: Binding): PyValue {
    if (binding.kind === 'import' || binding.kind === 'opaque') return UNKNOWN;
    if (binding.kind === 'function') return { kind: 'function', node: binding.node, lambda: false, closure: this };
    const cacheKey = binding;
    if (this.inProgress.has(binding)) return UNKNOWN;
    let whole = this.values.get(cacheKey);
    if (!whole) {
      this.inProgress.add(binding);
      try {
        whole = this.set.evaluator.evaluate(binding.value, this);
      } finally {
        this.inProgress.delete(binding);
      }
      this.values.set(cacheKey, whole);
    }
    if (!binding.target || binding.target.type === 'identifier') return whole;
    const env = new EnvScope(null);
    bindTarget(binding.target, whole, env);
    return env.lookup(name, 0);
  }

  /**
   * A parameter's value: the argument at the first call site in this file that gives the most
   * complete value (e.g. `matmul(a, b)` after `a = torch.randn((512, 512), ...)`), else its default.
   */
  private parameterValue(parameter: PythonParameter): PyValue {
    const cached = this.parameterValues.get(parameter.name);
    if (cached) return cached;
    if (this.inProgress.has(parameter) || this.set.resolvingDepth >= 3) return UNKNOWN;
    this.inProgress.add(parameter);
    this.set.resolvingDepth++;
    let best: PyValue = UNKNOWN;
    let bestScore = 0;
    try {
      const name = field(this.owner, 'name')?.text;
      const parameters = readParameters(this.owner);
      // `Cls.apply(a, b)` runs `forward(ctx, a, b)`: its arguments start at the second parameter.
      const autograd = autogradClassOf(this.owner);
      const position = parameters.filter((p) => p.kind === 'positional').findIndex((p) => p.name === parameter.name) - (autograd ? 1 : 0);
      const calls = autograd ? this.set.applyCallsTo(autograd) : name ? this.set.callsTo(name) : [];
      for (const call of calls) {
        if (call.startIndex >= this.owner.startIndex && call.endIndex <= this.owner.endIndex) continue;
        const args = callArguments(call);
        const argument = args.keywords.get(parameter.name)?.value ?? (position >= 0 ? args.positional[position] : undefined);
        if (!argument) continue;
        const value = this.set.evaluator.evaluate(argument, this.set.scopeFor(call));
        const score = completeness(value);
        if (score > bestScore) {
          best = value;
          bestScore = score;
          if (score === 2) break;
        }
      }
      if (bestScore === 0 && parameter.defaultValue) best = this.set.evaluator.evaluate(parameter.defaultValue, this.parent ?? this);
    } finally {
      this.set.resolvingDepth--;
      this.inProgress.delete(parameter);
    }
    this.parameterValues.set(parameter.name, best);
    return best;
  }
}

/** 2: fully known; 1: partly known (a tensor of unknown shape); 0: unknown. */
function completeness(value: PyValue): number {
  if (value.kind === 'unknown') return 0;
  if (value.kind === 'tensor') {
    const shapeKnown = value.shape !== null && value.shape.every((dim) => dim.kind === 'number');
    return shapeKnown && value.dtype !== null ? 2 : 1;
  }
  return 2;
}
