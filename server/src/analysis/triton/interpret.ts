// Runs the body of a small helper function (such as `get_autotune_config()`) over evaluator values:
// assignments, `if`, `for`, `append`/`extend`, `return`. Bounded and total: it never throws, and
// statements it does not model are skipped (or, for `while`, make the result unknown). An `if` whose
// condition does not fold runs every branch that may run and joins what they give (joinValues).
import type { SyntaxNode } from './tree';
import { bindTarget, EnvScope, type Evaluator } from './evaluate';
import { field, syntaxChildren } from './syntax';
import { iterate, MAX_ITEMS, NONE, sequence, truthiness, UNKNOWN, type PyValue, type Scope } from './values';

/** `raise`: the path ends with no value (a branch that raises adds nothing); `abort`: not modelled, the result is unknown. */
type Flow = { kind: 'normal' } | { kind: 'break' } | { kind: 'continue' } | { kind: 'return'; value: PyValue } | { kind: 'raise' } | { kind: 'abort' };

const NORMAL: Flow = { kind: 'normal' };
const ABORT: Flow = { kind: 'abort' };

/** One run of a function body: loop iterations so far, and the values returned on paths that ended early. */
interface Run {
  iterations: number;
  /** Returns of branches under a condition that did not fold, whose other branch went on. */
  returns: PyValue[];
}

export function interpretFunction(evaluator: Evaluator, definition: SyntaxNode, env: EnvScope): PyValue {
  const body = field(definition, 'body');
  if (!body) return UNKNOWN;
  const run: Run = { iterations: 0, returns: [] };
  const flow = runBlock(evaluator, body, env, run);
  if (flow.kind === 'abort') return UNKNOWN;
  // Every value a path may return: `if capability >= 9: return [A]` then `return [B]` gives both.
  const returns = flow.kind === 'raise' ? run.returns : [...run.returns, flow.kind === 'return' ? flow.value : NONE];
  return returns.length > 0 ? returns.reduce(joinValues) : UNKNOWN;
}

/**
 * The list `name` after module-level statements that grow it (`for ...: name.append(triton.Config(...))`,
 * `if ...: name += [...]`), from `initial`: the statements run in a private environment over `scope`, so
 * nothing else in the module changes. Unknown when one of them does not run (a `while`, too many items).
 */
export function growModuleList(evaluator: Evaluator, statements: readonly SyntaxNode[], name: string, initial: PyValue, scope: Scope): PyValue {
  const env = new EnvScope(scope);
  env.values.set(name, initial);
  const run: Run = { iterations: 0, returns: [] };
  for (const statement of statements) {
    const flow = runStatement(evaluator, statement, env, run).kind;
    if (flow === 'abort' || flow === 'raise') return UNKNOWN;
  }
  return env.values.get(name) ?? UNKNOWN;
}

function runBlock(evaluator: Evaluator, block: SyntaxNode, env: EnvScope, run: Run): Flow {
  for (const statement of syntaxChildren(block)) {
    const flow = runStatement(evaluator, statement, env, run);
    if (flow.kind !== 'normal') return flow;
  }
  return NORMAL;
}

function runStatement(evaluator: Evaluator, statement: SyntaxNode, env: EnvScope, run: Run): Flow {
  switch (statement.type) {
    case 'expression_statement': {
      for (const expression of syntaxChildren(statement)) runExpression(evaluator, expression, env);
      return NORMAL;
    }
    case 'return_statement': {
      const value = syntaxChildren(statement)[0];
      return { kind: 'return', value: value ? evaluator.evaluate(value, env) : NONE };
    }
    case 'if_statement': {
      const branches: { condition: SyntaxNode | null; body: SyntaxNode | null }[] = [
        { condition: field(statement, 'condition'), body: field(statement, 'consequence') },
      ];
      for (const clause of statement.childrenForFieldName('alternative')) {
        if (!clause) continue;
        branches.push({ condition: clause.type === 'elif_clause' ? field(clause, 'condition') : null, body: field(clause, 'body') });
      }
      return runBranches(evaluator, branches, env, run);
    }
    case 'for_statement': {
      const items = iterate(evaluator.evaluate(field(statement, 'right'), env));
      const target = field(statement, 'left');
      const body = field(statement, 'body');
      if (!items || !target || !body) return { kind: 'abort' };
      for (const item of items) {
        if (++run.iterations > MAX_ITEMS) return { kind: 'abort' };
        bindTarget(target, item, env);
        const flow = runBlock(evaluator, body, env, run);
        if (flow.kind === 'break') break;
        if (flow.kind === 'return' || flow.kind === 'raise' || flow.kind === 'abort') return flow;
      }
      return NORMAL;
    }
    case 'raise_statement':
      return { kind: 'raise' };
    case 'continue_statement':
      return { kind: 'continue' };
    case 'break_statement':
      return { kind: 'break' };
    case 'function_definition': {
      const name = field(statement, 'name');
      if (name) env.values.set(name.text, { kind: 'function', node: statement, lambda: false, closure: env });
      return NORMAL;
    }
    case 'while_statement':
    case 'try_statement':
    case 'with_statement':
    case 'match_statement':
      return { kind: 'abort' };
    default:
      return NORMAL;
  }
}

type Branch = { condition: SyntaxNode | null; body: SyntaxNode | null };

/**
 * The first branch whose condition holds runs. Where a condition is unknown (`if
 * torch.cuda.get_device_capability()[0] >= 9:`), that branch and the ones after it may run: each is run
 * on its own copy of the bindings and the outcomes joined, so a helper returns or builds the configs of
 * both branches (the autotuner gets one of the lists; TileCast lists what may run and ranks them) and a
 * number that differs between them is unknown. Taking the first branch would present one GPU's configs
 * as the code's.
 */
function runBranches(evaluator: Evaluator, branches: readonly Branch[], env: EnvScope, run: Run): Flow {
  for (let index = 0; index < branches.length; index++) {
    const branch = branches[index]!;
    const truth = branch.condition ? conditionTruth(evaluator, branch.condition, env) : true;
    if (truth === false) continue;
    if (truth === true) return branch.body ? runBlock(evaluator, branch.body, env, run) : NORMAL;
    const taken = env.fork();
    const skipped = env.fork();
    const takenFlow = branch.body ? runBlock(evaluator, branch.body, taken, run) : NORMAL;
    const skippedFlow = runBranches(evaluator, branches.slice(index + 1), skipped, run);
    return joinPaths(env, taken, takenFlow, skipped, skippedFlow, run);
  }
  return NORMAL;
}

/** Two paths' outcomes as one, their bindings written into `env`. */
function joinPaths(env: EnvScope, a: EnvScope, flowA: Flow, b: EnvScope, flowB: Flow, run: Run): Flow {
  if (flowA.kind === 'abort' || flowB.kind === 'abort') return ABORT;
  // A path that raises gives nothing: what the function gives is the other path's.
  if (flowA.kind === 'raise') return goOn(env, null, b, flowB, run);
  if (flowB.kind === 'raise') return goOn(env, null, a, flowA, run);
  if (flowA.kind === 'return' && flowB.kind === 'return') return { kind: 'return', value: joinValues(flowA.value, flowB.value) };
  // A path that returns ends there: its value is one the function may return, and the other path goes on.
  if (flowA.kind === 'return') return goOn(env, flowA.value, b, flowB, run);
  if (flowB.kind === 'return') return goOn(env, flowB.value, a, flowA, run);
  // A `break` on one path and not on the other would need the loop run both ways: not modelled.
  if (flowA.kind !== flowB.kind) return ABORT;
  for (const name of new Set([...a.values.keys(), ...b.values.keys()])) {
    const left = a.values.get(name);
    const right = b.values.get(name);
    // Bound on one path only (the other would raise NameError if it used it): that path's value.
    env.values.set(name, left && right ? joinValues(left, right) : (left ?? right)!);
  }
  return flowA;
}

/** The path `path` goes on alone, after the other ended (`returned`: its value, null when it raised). */
function goOn(env: EnvScope, returned: PyValue | null, path: EnvScope, flow: Flow, run: Run): Flow {
  if (returned) run.returns.push(returned);
  for (const [name, value] of path.values) env.values.set(name, value);
  return flow;
}

/**
 * A value that is `x` on one path and `y` on another: itself when they are the same; lists of
 * `triton.Config`s joined (the first's, then the second's it lacks: each path's configs may be the
 * autotuner's); anything else unknown.
 */
export function joinValues(x: PyValue, y: PyValue): PyValue {
  if (sameValue(x, y)) return x;
  // A tensor cast on one path only (`q = q.to(torch.float8_e5m2)` under `if`): its shape, dtype unknown.
  if (
    x.kind === 'tensor' &&
    y.kind === 'tensor' &&
    x.shape &&
    y.shape &&
    x.shape.length === y.shape.length &&
    x.shape.every((dim, i) => sameValue(dim, y.shape![i]!))
  )
    return { kind: 'tensor', shape: x.shape, dtype: x.dtype === y.dtype ? x.dtype : null };
  if (x.kind === 'sequence' && y.kind === 'sequence' && x.items.every(isConfig) && y.items.every(isConfig)) {
    return sequence([...x.items, ...y.items.filter((item) => !x.items.some((other) => sameValue(item, other)))], x.tuple && y.tuple);
  }
  return UNKNOWN;
}

const isConfig = (value: PyValue): boolean => value.kind === 'config';

function sameValue(x: PyValue, y: PyValue): boolean {
  if (x === y) return true;
  switch (x.kind) {
    case 'number':
      return y.kind === 'number' && x.value === y.value && x.isInt === y.isInt;
    case 'bool':
    case 'string':
      return y.kind === x.kind && y.value === x.value;
    case 'none':
      return y.kind === 'none';
    case 'dtype':
      return y.kind === 'dtype' && x.dtype === y.dtype && x.name === y.name;
    case 'sequence':
      return y.kind === 'sequence' && x.tuple === y.tuple && x.items.length === y.items.length && x.items.every((item, i) => sameValue(item, y.items[i]!));
    case 'config': {
      if (y.kind !== 'config') return false;
      const [a, b] = [x.config, y.config];
      const same = (p: PyValue | null, q: PyValue | null) => (p === null || q === null ? p === q : sameValue(p, q));
      return (
        a.callRange.start === b.callRange.start &&
        a.comprehensionRange?.start === b.comprehensionRange?.start &&
        same(a.numWarps, b.numWarps) &&
        same(a.numStages, b.numStages) &&
        a.params.size === b.params.size &&
        [...a.params].every(([name, value]) => same(value, b.params.get(name) ?? null))
      );
    }
    default:
      return false;
  }
}

/** Wording of a runtime backend check: TileCast predicts NVIDIA GPUs, so other backends' branches do not run. */
const OTHER_BACKEND = /(?<![a-z])(hip|rocm|amd|cdna|xpu|cpu|interpret)/;
const CUDA_BACKEND = /(?<![a-z])(is_cuda|nvidia)|["']cuda["']|cuda\.is_available/;

/**
 * Whether a condition holds: folded, or for a backend check by its wording (`is_cuda()`, `backend ==
 * "cuda"` hold; `is_hip()`, `torch.version.hip`, `device == "cpu"` do not; `!=` and `not` turn them);
 * null when unknown (`torch.cuda.get_device_capability()[0] >= 9`). `and`/`or` over parts in three values.
 */
export function conditionTruth(evaluator: Evaluator, condition: SyntaxNode, env: Scope): boolean | null {
  const truth = truthiness(evaluator.evaluate(condition, env));
  if (truth !== null) return truth;
  const part = (name: string): boolean | null => {
    const node = field(condition, name);
    return node ? conditionTruth(evaluator, node, env) : null;
  };
  switch (condition.type) {
    case 'parenthesized_expression': {
      const inner = syntaxChildren(condition)[0];
      return inner ? conditionTruth(evaluator, inner, env) : null;
    }
    case 'not_operator': {
      const inner = part('argument');
      return inner === null ? null : !inner;
    }
    case 'boolean_operator': {
      const [left, right] = [part('left'), part('right')];
      if (field(condition, 'operator')?.type === 'and') return left === false || right === false ? false : left && right ? true : null;
      return left === true || right === true ? true : left === false && right === false ? false : null;
    }
  }
  const wording = condition.text.toLowerCase();
  const differs = /!=|\bis\s+not\b|\bnot\s+in\b/.test(wording);
  if (OTHER_BACKEND.test(wording)) return differs;
  if (CUDA_BACKEND.test(wording)) return !differs;
  return null;
}

function runExpression(evaluator: Evaluator, expression: SyntaxNode, env: EnvScope): void {
  if (expression.type === 'assignment') {
    // `a = b = value` nests assignments on the right.
    const targets: SyntaxNode[] = [];
    let current: SyntaxNode | null = expression;
    while (current && current.type === 'assignment') {
      const left = field(current, 'left');
      if (left) targets.push(left);
      const right: SyntaxNode | null = field(current, 'right');
      if (!right) return;
      if (right.type !== 'assignment') {
        const value = evaluator.evaluate(right, env);
        for (const target of targets) bindTarget(target, value, env);
        return;
      }
      current = right;
    }
    return;
  }
  if (expression.type === 'augmented_assignment') {
    const left = field(expression, 'left');
    const operator = field(expression, 'operator')?.type;
    if (left?.type !== 'identifier') return;
    const current = env.lookup(left.text, expression.startIndex);
    const value = evaluator.evaluate(field(expression, 'right'), env);
    if (operator === '+=' && current.kind === 'sequence') {
      const extra = iterate(value);
      env.values.set(left.text, extra ? sequence([...current.items, ...extra], current.tuple) : UNKNOWN);
    } else {
      env.values.set(left.text, UNKNOWN);
    }
    return;
  }
  if (expression.type === 'call') {
    const callee = field(expression, 'function');
    const object = callee?.type === 'attribute' ? field(callee, 'object') : null;
    const method = callee?.type === 'attribute' ? field(callee, 'attribute')?.text : null;
    if (object?.type !== 'identifier' || (method !== 'append' && method !== 'extend')) return;
    const current = env.lookup(object.text, expression.startIndex);
    if (current.kind !== 'sequence') return;
    const argument = syntaxChildren(field(expression, 'arguments') ?? expression)[0];
    const value = argument ? evaluator.evaluate(argument, env) : UNKNOWN;
    const added = method === 'append' ? [value] : iterate(value);
    env.values.set(object.text, added ? sequence([...current.items, ...added], current.tuple) : UNKNOWN);
  }
}
