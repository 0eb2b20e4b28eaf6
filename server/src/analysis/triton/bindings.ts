// What a Python scope binds (module or function body): assignments, definitions, imports, loop and `with`
// targets, each visible from the end of its statement, and for a binding in a branch of an `if` the
// conditions that decide whether it runs. Read from the tree; values are the evaluator's (scopes.ts).
import type { SyntaxNode } from './tree';
import type { Evaluator } from './evaluate';
import { conditionTruth } from './interpret';
import { field, namedChildrenOf, syntaxChildren, walk } from './syntax';
import type { Scope } from './values';

export interface Binding {
  /** Offset after which the binding is visible (end of its statement). */
  visibleFrom: number;
  target: SyntaxNode | null;
  value: SyntaxNode | null;
  /** 'opaque' bindings (loop variables, `with ... as`, `+=`) are known to exist but not their value. */
  kind: 'assign' | 'function' | 'import' | 'opaque';
  node: SyntaxNode;
  /** Set when the binding sits in a branch of an `if` in its scope: the conditions that decide it. */
  guard?: Guard;
}

/** A branch's conditions: each of `hold` true and each of `fail` false (elif and else come after failed ones). */
export interface Guard {
  hold: SyntaxNode[];
  fail: SyntaxNode[];
}

const COMPOUND = new Set([
  'if_statement',
  'elif_clause',
  'else_clause',
  'for_statement',
  'while_statement',
  'with_statement',
  'try_statement',
  'except_clause',
  'finally_clause',
  'block',
  'match_statement',
  'case_clause',
  'decorated_definition',
]);

/** Bindings made directly in `body` (descending into if/for/with/try but not into nested defs). */
export function collectBindings(body: SyntaxNode): Map<string, Binding[]> {
  const bindings = new Map<string, Binding[]>();
  let guard: Guard | null = null;
  const add = (name: string, binding: Binding) => {
    const list = bindings.get(name) ?? [];
    list.push(guard ? { ...binding, guard } : binding);
    bindings.set(name, list);
  };
  /** Visits `node` with the branch conditions of `branch` added to the current ones. */
  const visitUnder = (node: SyntaxNode | null, branch: Guard) => {
    if (!node) return;
    const outer = guard;
    guard = { hold: [...(outer?.hold ?? []), ...branch.hold], fail: [...(outer?.fail ?? []), ...branch.fail] };
    visit(node);
    guard = outer;
  };
  const targetNames = (target: SyntaxNode): string[] => {
    if (target.type === 'identifier') return [target.text];
    if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression'].includes(target.type)) {
      return syntaxChildren(target).flatMap(targetNames);
    }
    return [];
  };
  const visit = (node: SyntaxNode) => {
    for (const statement of namedChildrenOf(node)) {
      switch (statement.type) {
        case 'expression_statement':
          for (const expression of syntaxChildren(statement)) {
            if (expression.type === 'assignment') {
              let current: SyntaxNode | null = expression;
              const targets: SyntaxNode[] = [];
              while (current?.type === 'assignment') {
                const left = field(current, 'left');
                if (left) targets.push(left);
                const right: SyntaxNode | null = field(current, 'right');
                if (!right || right.type !== 'assignment') {
                  for (const target of targets) {
                    for (const name of targetNames(target))
                      add(name, { visibleFrom: statement.endIndex, target, value: right, kind: right ? 'assign' : 'opaque', node: statement });
                  }
                  break;
                }
                current = right;
              }
            } else if (expression.type === 'augmented_assignment') {
              const left = field(expression, 'left');
              if (left?.type === 'identifier') add(left.text, { visibleFrom: statement.endIndex, target: left, value: null, kind: 'opaque', node: statement });
            }
          }
          break;
        case 'function_definition':
        case 'class_definition':
        case 'decorated_definition': {
          // A decorated definition binds its definition's name, visible from its first decorator.
          const definition = statement.type === 'decorated_definition' ? field(statement, 'definition') : statement;
          const name = definition ? field(definition, 'name') : null;
          if (definition && name)
            add(name.text, {
              visibleFrom: statement.startIndex,
              target: name,
              value: null,
              kind: definition.type === 'function_definition' ? 'function' : 'opaque',
              node: definition,
            });
          break;
        }
        case 'import_statement':
        case 'import_from_statement':
          for (const name of statement.childrenForFieldName('name')) {
            if (!name) continue;
            const local = name.type === 'aliased_import' ? field(name, 'alias')?.text : name.text.split('.')[0];
            if (local) add(local, { visibleFrom: statement.endIndex, target: null, value: null, kind: 'import', node: statement });
          }
          break;
        default:
          if (statement.type === 'for_statement') {
            const left = field(statement, 'left');
            for (const name of left ? targetNames(left) : [])
              add(name, { visibleFrom: statement.startIndex, target: left, value: null, kind: 'opaque', node: statement });
          }
          if (statement.type === 'with_statement') {
            walk(statement, (inner) => {
              if (inner.type === 'block') return false;
              if (inner.type === 'as_pattern_target')
                for (const name of targetNames(syntaxChildren(inner)[0] ?? inner))
                  add(name, { visibleFrom: statement.startIndex, target: null, value: null, kind: 'opaque', node: statement });
              return undefined;
            });
          }
          if (statement.type === 'if_statement') {
            // Each branch's bindings hold only when its condition does and the ones before it do not.
            const failed: SyntaxNode[] = [];
            const condition = field(statement, 'condition');
            visitUnder(field(statement, 'consequence'), { hold: condition ? [condition] : [], fail: [] });
            if (condition) failed.push(condition);
            for (const alternative of statement.childrenForFieldName('alternative')) {
              if (!alternative) continue;
              const elif = alternative.type === 'elif_clause' ? field(alternative, 'condition') : null;
              visitUnder(field(alternative, alternative.type === 'elif_clause' ? 'consequence' : 'body'), { hold: elif ? [elif] : [], fail: [...failed] });
              if (elif) failed.push(elif);
            }
          } else if (COMPOUND.has(statement.type)) visit(statement);
          break;
      }
    }
  };
  visit(body);
  return bindings;
}

/** Whether a guarded binding runs: true or false when every condition decides, else null. */
export function guardTruth(guard: Guard, evaluator: Evaluator, scope: Scope): boolean | null {
  let unknown = false;
  for (const condition of guard.hold) {
    const truth = conditionTruth(evaluator, condition, scope);
    if (truth === false) return false;
    if (truth === null) unknown = true;
  }
  for (const condition of guard.fail) {
    const truth = conditionTruth(evaluator, condition, scope);
    if (truth === true) return false;
    if (truth === null) unknown = true;
  }
  return unknown ? null : true;
}
