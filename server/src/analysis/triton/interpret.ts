// Runs the body of a small helper function (such as `get_autotune_config()`) over evaluator values:
// assignments, `if`, `for`, `append`/`extend`, `return`. Bounded and total: it never throws, and
// statements it does not model are skipped (or, for `while`, make the result unknown).
import type { Node } from 'web-tree-sitter';
import { bindTarget, EnvScope, type Evaluator } from './evaluate';
import { field, syntaxChildren } from './syntax';
import { iterate, MAX_ITEMS, NONE, sequence, truthiness, UNKNOWN, type PyValue, type Scope } from './values';

type Flow = { kind: 'normal' } | { kind: 'break' } | { kind: 'continue' } | { kind: 'return'; value: PyValue } | { kind: 'abort' };

const NORMAL: Flow = { kind: 'normal' };

export function interpretFunction(evaluator: Evaluator, definition: Node, env: EnvScope): PyValue {
  const body = field(definition, 'body');
  if (!body) return UNKNOWN;
  const budget = { iterations: 0 };
  const flow = runBlock(evaluator, body, env, budget);
  if (flow.kind === 'return') return flow.value;
  return flow.kind === 'abort' ? UNKNOWN : NONE;
}

/**
 * The list `name` after module-level statements that grow it (`for ...: name.append(triton.Config(...))`,
 * `if ...: name += [...]`), from `initial`: the statements run in a private environment over `scope`, so
 * nothing else in the module changes. Unknown when one of them does not run (a `while`, too many items).
 */
export function growModuleList(evaluator: Evaluator, statements: readonly Node[], name: string, initial: PyValue, scope: Scope): PyValue {
  const env = new EnvScope(scope);
  env.values.set(name, initial);
  const budget = { iterations: 0 };
  for (const statement of statements) {
    if (runStatement(evaluator, statement, env, budget).kind === 'abort') return UNKNOWN;
  }
  return env.values.get(name) ?? UNKNOWN;
}

function runBlock(evaluator: Evaluator, block: Node, env: EnvScope, budget: { iterations: number }): Flow {
  for (const statement of syntaxChildren(block)) {
    const flow = runStatement(evaluator, statement, env, budget);
    if (flow.kind !== 'normal') return flow;
  }
  return NORMAL;
}

function runStatement(evaluator: Evaluator, statement: Node, env: EnvScope, budget: { iterations: number }): Flow {
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
      const branches: { condition: Node | null; body: Node | null }[] = [{ condition: field(statement, 'condition'), body: field(statement, 'consequence') }];
      for (const clause of statement.childrenForFieldName('alternative')) {
        if (!clause) continue;
        branches.push({ condition: clause.type === 'elif_clause' ? field(clause, 'condition') : null, body: field(clause, 'body') });
      }
      for (const branch of branches) {
        if (branch.condition && !conditionHolds(evaluator, branch.condition, env)) continue;
        return branch.body ? runBlock(evaluator, branch.body, env, budget) : NORMAL;
      }
      return NORMAL;
    }
    case 'for_statement': {
      const items = iterate(evaluator.evaluate(field(statement, 'right'), env));
      const target = field(statement, 'left');
      const body = field(statement, 'body');
      if (!items || !target || !body) return { kind: 'abort' };
      for (const item of items) {
        if (++budget.iterations > MAX_ITEMS) return { kind: 'abort' };
        bindTarget(target, item, env);
        const flow = runBlock(evaluator, body, env, budget);
        if (flow.kind === 'break') break;
        if (flow.kind === 'return' || flow.kind === 'abort') return flow;
      }
      return NORMAL;
    }
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
    case 'raise_statement':
    case 'match_statement':
      return { kind: 'abort' };
    default:
      return NORMAL;
  }
}

/**
 * A condition that does not fold (e.g. `is_cuda()`, a runtime query) is decided by its wording: TileCast
 * predicts for NVIDIA GPUs, so CUDA branches are taken and HIP/ROCm/CPU branches are not; otherwise the
 * first branch is taken.
 */
function conditionHolds(evaluator: Evaluator, condition: Node, env: EnvScope): boolean {
  const truth = truthiness(evaluator.evaluate(condition, env));
  if (truth !== null) return truth;
  const wording = condition.text.toLowerCase();
  const negated = /^\s*not\b/.test(wording);
  if (/hip|rocm|amd|cdna|xpu|cpu|interpret/.test(wording)) return negated;
  return !negated;
}

function runExpression(evaluator: Evaluator, expression: Node, env: EnvScope): void {
  if (expression.type === 'assignment') {
    // `a = b = value` nests assignments on the right.
    const targets: Node[] = [];
    let current: Node | null = expression;
    while (current && current.type === 'assignment') {
      const left = field(current, 'left');
      if (left) targets.push(left);
      const right: Node | null = field(current, 'right');
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
