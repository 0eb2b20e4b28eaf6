// A small, total evaluator for the Python expressions that set Triton tile sizes, grids, configs and
// problem sizes: arithmetic, min/max, cdiv, containers, comprehensions, lambdas, torch tensor shapes.
// It never throws and never loops unboundedly: anything it cannot know evaluates to `unknown`.
import type { SyntaxNode } from './tree';
import { callBuiltin, callMethod, transposeLast } from './builtins';
import { interpretFunction, joinValues } from './interpret';
import { readParameters } from './parameters';
import { callArguments, childrenOf, dottedName, field, rangeOf, stringLiteral, syntaxChildren } from './syntax';
import {
  asInteger,
  asNumber,
  dtypeFromName,
  isDtypeName,
  iterate,
  keyOf,
  MAX_ITEMS,
  NONE,
  numberValue,
  sequence,
  truthiness,
  UNKNOWN,
  type PyValue,
  type Scope,
} from './values';

/** Local import names mapped to what they import: `tl` → `triton.language`, `cdiv` → `triton.cdiv`. */
export type ImportTable = Map<string, string>;

/** Names usable without an import in the snippets people paste; a real import overrides them. */
const CONVENTIONAL_IMPORTS: Record<string, string> = { tl: 'triton.language', triton: 'triton', torch: 'torch', itertools: 'itertools' };

const MAX_DEPTH = 120;
const MAX_STEPS = 300_000;

/** Bindings created while evaluating (lambda and helper-function locals, comprehension variables). */
export class EnvScope implements Scope {
  readonly values = new Map<string, PyValue>();
  constructor(private readonly parent: Scope | null) {}
  lookup(name: string, at: number): PyValue {
    const own = this.values.get(name);
    if (own) return own;
    return this.parent ? this.parent.lookup(name, at) : UNKNOWN;
  }
  has(name: string): boolean {
    return this.values.has(name);
  }
  /** A copy over the same parent whose bindings then change apart from these (each branch of an `if` that does not fold). */
  fork(): EnvScope {
    const copy = new EnvScope(this.parent);
    for (const [name, value] of this.values) copy.values.set(name, value);
    return copy;
  }
}

export class Evaluator {
  private depth = 0;
  private steps = 0;
  /** The step count past which evaluation gives up (lowered for a while by evaluateWithin). */
  private limit = MAX_STEPS;

  constructor(private readonly imports: ImportTable) {}

  /** `tl.cdiv` → `triton.language.cdiv`; null when the head is not an imported module or name. */
  canonicalName(parts: string[], scope: Scope | null = null): string | null {
    const head = parts[0];
    let target = this.imports.get(head);
    if (target === undefined) {
      target = CONVENTIONAL_IMPORTS[head];
      if (target === undefined) return null;
      // A local variable called e.g. `tl` would shadow the convention; only assume it when unbound.
      if (scope && scope.lookup(head, Number.MAX_SAFE_INTEGER).kind !== 'unknown') return null;
    }
    return [target, ...parts.slice(1)].join('.');
  }

  canonicalOf(node: SyntaxNode, scope: Scope | null = null): string | null {
    const parts = dottedName(node);
    return parts ? this.canonicalName(parts, scope) : null;
  }

  /**
   * evaluate, giving up after `steps` more steps: for values that are worth knowing only when they are
   * cheap to know (a PyTorch call's operands in a large model file).
   */
  evaluateWithin(node: SyntaxNode | null, scope: Scope, steps: number): PyValue {
    const saved = this.limit;
    this.limit = Math.min(saved, this.steps + steps);
    try {
      return this.evaluate(node, scope);
    } finally {
      this.limit = saved;
    }
  }

  evaluate(node: SyntaxNode | null, scope: Scope): PyValue {
    if (!node || node.isMissing || node.type === 'ERROR') return UNKNOWN;
    if (this.depth > MAX_DEPTH || ++this.steps > this.limit) return UNKNOWN;
    this.depth++;
    try {
      return this.evaluateInner(node, scope);
    } finally {
      this.depth--;
    }
  }

  private evaluateInner(node: SyntaxNode, scope: Scope): PyValue {
    switch (node.type) {
      case 'integer':
        return parseInteger(node);
      case 'float': {
        const value = Number(node.text.replace(/_/g, ''));
        return Number.isFinite(value) ? numberValue(value, false, rangeOf(node)) : UNKNOWN;
      }
      case 'true':
        return { kind: 'bool', value: true };
      case 'false':
        return { kind: 'bool', value: false };
      case 'none':
        return NONE;
      case 'string':
      case 'concatenated_string': {
        const value = stringLiteral(node);
        return value === null ? UNKNOWN : { kind: 'string', value };
      }
      case 'parenthesized_expression':
        return this.evaluate(syntaxChildren(node)[0] ?? null, scope);
      case 'identifier':
        return this.identifier(node, scope);
      case 'attribute':
        return this.attribute(node, scope);
      case 'tuple':
      case 'list':
      case 'expression_list':
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern': {
        const items: PyValue[] = [];
        for (const child of syntaxChildren(node)) {
          if (child.type === 'list_splat') {
            const spread = iterate(this.evaluate(syntaxChildren(child)[0] ?? null, scope));
            if (!spread) return UNKNOWN;
            items.push(...spread);
          } else items.push(this.evaluate(child, scope));
        }
        return sequence(items, node.type !== 'list' && node.type !== 'list_pattern');
      }
      case 'dictionary':
        return this.dictionary(node, scope);
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension': {
        const items = this.comprehension(node, scope);
        return items ? sequence(items, false) : UNKNOWN;
      }
      case 'binary_operator':
        return this.binary(node, scope);
      case 'unary_operator': {
        const operand = this.evaluate(field(node, 'argument'), scope);
        const number = asNumber(operand);
        if (number === null || (operand.kind !== 'number' && operand.kind !== 'bool')) return UNKNOWN;
        const isInt = operand.kind === 'bool' || operand.isInt;
        const operator = childrenOf(node).find((child) => !child.isNamed)?.type;
        if (operator === '-') return numberValue(-number, isInt, rangeOf(node));
        if (operator === '+') return numberValue(number, isInt, rangeOf(node));
        if (operator === '~' && isInt) return numberValue(~number, true, rangeOf(node));
        return UNKNOWN;
      }
      case 'not_operator': {
        const truth = truthiness(this.evaluate(field(node, 'argument'), scope));
        return truth === null ? UNKNOWN : { kind: 'bool', value: !truth };
      }
      case 'boolean_operator': {
        const left = this.evaluate(field(node, 'left'), scope);
        const truth = truthiness(left);
        if (truth === null) return UNKNOWN;
        const isAnd = field(node, 'operator')?.type === 'and';
        if (isAnd ? !truth : truth) return left;
        return this.evaluate(field(node, 'right'), scope);
      }
      case 'comparison_operator':
        return this.comparison(node, scope);
      case 'conditional_expression': {
        const [whenTrue, condition, whenFalse] = syntaxChildren(node);
        const truth = truthiness(this.evaluate(condition ?? null, scope));
        // An unknown condition joins both values, as the interpreter joins an `if`'s paths: flash-attn's
        // `x.contiguous() if x.stride(-1) != 1 else x` is x's tensor either way.
        if (truth === null) return joinValues(this.evaluate(whenTrue ?? null, scope), this.evaluate(whenFalse ?? null, scope));
        return this.evaluate((truth ? whenTrue : whenFalse) ?? null, scope);
      }
      case 'subscript':
        return this.subscript(node, scope);
      case 'call':
        return this.call(node, scope);
      case 'lambda':
        return { kind: 'function', node, lambda: true, closure: scope };
      default:
        return UNKNOWN;
    }
  }

  private identifier(node: SyntaxNode, scope: Scope): PyValue {
    const bound = scope.lookup(node.text, node.startIndex);
    if (bound.kind !== 'unknown') return bound;
    const canonical = this.canonicalName([node.text], scope);
    return canonical ? this.moduleMember(canonical) : UNKNOWN;
  }

  /** `tl.float16`, `torch.bfloat16`, `triton.language.float8e4nv`: dtypes by their canonical name. */
  private moduleMember(canonical: string): PyValue {
    const match = /^(?:triton\.language|torch)\.(\w+)$/.exec(canonical);
    if (match && isDtypeName(match[1])) return { kind: 'dtype', dtype: dtypeFromName(match[1]), name: match[1] };
    return UNKNOWN;
  }

  private attribute(node: SyntaxNode, scope: Scope): PyValue {
    const canonical = this.canonicalOf(node, scope);
    if (canonical) return this.moduleMember(canonical);
    const object = this.evaluate(field(node, 'object'), scope);
    const name = field(node, 'attribute')?.text ?? '';
    if (object.kind === 'tensor') {
      if (name === 'shape') return object.shape ? sequence(object.shape, true) : UNKNOWN;
      if (name === 'dtype') return object.dtype ? { kind: 'dtype', dtype: object.dtype, name: object.dtype } : UNKNOWN;
      if (name === 'T' || name === 'mT') return { ...object, shape: object.shape ? transposeLast(object.shape) : null };
      if (name === 'ndim') return object.shape ? numberValue(object.shape.length, true, rangeOf(node)) : UNKNOWN;
    }
    if (object.kind === 'config') {
      if (name === 'kwargs') return { kind: 'dict', entries: object.config.params };
      if (name === 'num_warps') return object.config.numWarps ?? UNKNOWN;
      if (name === 'num_stages') return object.config.numStages ?? UNKNOWN;
    }
    return UNKNOWN;
  }

  private dictionary(node: SyntaxNode, scope: Scope): PyValue {
    const entries = new Map<string, PyValue>();
    const children = syntaxChildren(node);
    const keys = children.map((child) => (child.type === 'pair' ? this.evaluate(field(child, 'key'), scope) : null));
    if (keys.some((key) => key !== null && key.kind !== 'string')) {
      // Keys other than strings (dtypes, numbers): a table read by subscript, e.g. `configs[a.dtype]["BLOCK_SIZE_M"]`.
      const table = new Map<string, PyValue>();
      for (let i = 0; i < children.length; i++) {
        const key = keys[i] ? keyOf(keys[i]!) : null;
        if (key === null) return UNKNOWN;
        table.set(key, this.evaluate(field(children[i]!, 'value'), scope));
      }
      return { kind: 'lookup', entries: table };
    }
    for (const [i, child] of children.entries()) {
      if (child.type === 'pair') {
        const key = keys[i]!;
        if (key.kind !== 'string') return UNKNOWN;
        entries.set(key.value, this.evaluate(field(child, 'value'), scope));
      } else if (child.type === 'dictionary_splat') {
        const spread = this.evaluate(syntaxChildren(child)[0] ?? null, scope);
        if (spread.kind !== 'dict') return UNKNOWN;
        for (const [key, value] of spread.entries) entries.set(key, value);
      } else return UNKNOWN;
    }
    return { kind: 'dict', entries };
  }

  /** Expands `[body for x in xs if cond for y in ys]` over literal iterables; null when any does not fold. */
  comprehension(node: SyntaxNode, scope: Scope): PyValue[] | null {
    const body = field(node, 'body');
    const clauses = syntaxChildren(node).filter((child) => child.type === 'for_in_clause' || child.type === 'if_clause');
    const results: PyValue[] = [];
    const expand = (index: number, env: EnvScope): boolean => {
      if (results.length > MAX_ITEMS) return false;
      if (index === clauses.length) {
        results.push(this.evaluate(body, env));
        return true;
      }
      const clause = clauses[index];
      if (clause.type === 'if_clause') {
        const truth = truthiness(this.evaluate(syntaxChildren(clause)[0] ?? null, env));
        if (truth === null) return false;
        return truth ? expand(index + 1, env) : true;
      }
      const items = iterate(this.evaluate(field(clause, 'right'), env));
      const target = field(clause, 'left');
      if (!items || !target) return false;
      for (const item of items) {
        const inner = new EnvScope(env);
        bindTarget(target, item, inner);
        if (!expand(index + 1, inner)) return false;
      }
      return true;
    };
    return expand(0, new EnvScope(scope)) ? results : null;
  }

  private binary(node: SyntaxNode, scope: Scope): PyValue {
    const left = this.evaluate(field(node, 'left'), scope);
    const right = this.evaluate(field(node, 'right'), scope);
    const operator = field(node, 'operator')?.type ?? '';
    const range = rangeOf(node);
    if (left.kind === 'sequence' && right.kind === 'sequence' && operator === '+') return sequence([...left.items, ...right.items], left.tuple);
    if (left.kind === 'sequence' && operator === '*') {
      const times = asInteger(right);
      if (times === null || left.items.length * times > MAX_ITEMS) return UNKNOWN;
      return sequence(Array.from({ length: Math.max(0, times) }, () => left.items).flat(), left.tuple);
    }
    if (left.kind === 'string' && right.kind === 'string' && operator === '+') return { kind: 'string', value: left.value + right.value };
    // Arithmetic with a scalar keeps a tensor's shape and dtype (`torch.rand(...) - 0.5`).
    if (left.kind === 'tensor' && (right.kind === 'number' || right.kind === 'tensor')) return left;
    if (right.kind === 'tensor' && left.kind === 'number') return right;
    const a = asNumber(left);
    const b = asNumber(right);
    if (a === null || b === null) return UNKNOWN;
    const bothInt = (left.kind !== 'number' || left.isInt) && (right.kind !== 'number' || right.isInt);
    switch (operator) {
      case '+':
        return numberValue(a + b, bothInt, range);
      case '-':
        return numberValue(a - b, bothInt, range);
      case '*':
        return numberValue(a * b, bothInt, range);
      case '/':
        return b === 0 ? UNKNOWN : numberValue(a / b, false, range);
      case '//':
        return b === 0 ? UNKNOWN : numberValue(Math.floor(a / b), bothInt, range);
      case '%':
        return b === 0 ? UNKNOWN : numberValue(a - b * Math.floor(a / b), bothInt, range);
      case '**': {
        const power = a ** b;
        return Number.isFinite(power) ? numberValue(power, bothInt && b >= 0, range) : UNKNOWN;
      }
      case '<<':
        return bothInt ? numberValue(a * 2 ** b, true, range) : UNKNOWN;
      case '>>':
        return bothInt ? numberValue(Math.floor(a / 2 ** b), true, range) : UNKNOWN;
      case '&':
        return bothInt ? numberValue(a & b, true, range) : UNKNOWN;
      case '|':
        return bothInt ? numberValue(a | b, true, range) : UNKNOWN;
      case '^':
        return bothInt ? numberValue(a ^ b, true, range) : UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  private comparison(node: SyntaxNode, scope: Scope): PyValue {
    const operands: SyntaxNode[] = [];
    const operators: string[] = [];
    let lastWasOperator = false;
    for (const child of childrenOf(node)) {
      if (child.isNamed) {
        if (child.type !== 'comment') operands.push(child);
        lastWasOperator = false;
      } else {
        // `not in` and `is not` arrive as two tokens of the same type.
        if (!(lastWasOperator && child.type.includes(' '))) operators.push(child.type);
        lastWasOperator = true;
      }
    }
    let left = this.evaluate(operands[0] ?? null, scope);
    for (let i = 0; i < operators.length; i++) {
      const right = this.evaluate(operands[i + 1] ?? null, scope);
      const result = compare(operators[i], left, right);
      if (result === null) return UNKNOWN;
      if (!result) return { kind: 'bool', value: false };
      left = right;
    }
    return { kind: 'bool', value: true };
  }

  /** `items[start:stop:step]` with Python's rules for missing and negative bounds (`q.shape[:3]`, `shape[-2:]`). */
  private slice(container: PyValue & { kind: 'sequence' }, node: SyntaxNode, scope: Scope): PyValue {
    const parts: Array<SyntaxNode | null> = [null, null, null];
    let at = 0;
    for (const child of childrenOf(node)) {
      if (child.type === ':') at++;
      else if (child.type !== 'comment' && at < 3) parts[at] = child;
    }
    const [start, stop, step] = parts.map((part) => (part ? asInteger(this.evaluate(part, scope)) : undefined));
    if (start === null || stop === null || step === null || step === 0) return UNKNOWN;
    const n = container.items.length;
    const by = step ?? 1;
    const bound = (value: number | undefined, fallback: number): number => {
      if (value === undefined) return fallback;
      const from = value < 0 ? value + n : value;
      return by > 0 ? Math.min(Math.max(from, 0), n) : Math.min(Math.max(from, -1), n - 1);
    };
    const first = bound(start, by > 0 ? 0 : n - 1);
    const end = bound(stop, by > 0 ? n : -1);
    const items: PyValue[] = [];
    for (let i = first; by > 0 ? i < end : i > end; i += by) items.push(container.items[i]!);
    return sequence(items, container.tuple);
  }

  private subscript(node: SyntaxNode, scope: Scope): PyValue {
    const container = this.evaluate(field(node, 'value'), scope);
    const indices = node.childrenForFieldName('subscript').filter((child): child is SyntaxNode => child !== null);
    if (indices.length !== 1) return UNKNOWN;
    if (indices[0].type === 'slice') return container.kind === 'sequence' ? this.slice(container, indices[0], scope) : UNKNOWN;
    const index = this.evaluate(indices[0], scope);
    if (container.kind === 'dict') return index.kind === 'string' ? (container.entries.get(index.value) ?? UNKNOWN) : UNKNOWN;
    if (container.kind === 'lookup') {
      const key = keyOf(index);
      return key === null ? UNKNOWN : (container.entries.get(key) ?? UNKNOWN);
    }
    if (container.kind === 'sequence') {
      const position = asInteger(index);
      if (position === null) return UNKNOWN;
      const resolved = position < 0 ? container.items.length + position : position;
      return container.items[resolved] ?? UNKNOWN;
    }
    return UNKNOWN;
  }

  private call(node: SyntaxNode, scope: Scope): PyValue {
    const callee = field(node, 'function');
    if (!callee) return UNKNOWN;
    const args = callArguments(node);
    if (args.hasSplat) return UNKNOWN;
    const positional = () => args.positional.map((argument) => this.evaluate(argument, scope));
    const keyword = (name: string): PyValue | null => {
      const entry = args.keywords.get(name);
      return entry ? this.evaluate(entry.value, scope) : null;
    };

    // A user-defined function or lambda bound to this name wins over any builtin of the same name.
    if (callee.type === 'identifier') {
      const bound = scope.lookup(callee.text, callee.startIndex);
      if (bound.kind === 'function') return this.apply(bound, positional(), this.keywordValues(args.keywords, scope));
    }
    const canonical = callee.type === 'identifier' ? (this.canonicalName([callee.text], scope) ?? `builtins.${callee.text}`) : this.canonicalOf(callee, scope);
    if (canonical) {
      const builtin = callBuiltin(
        canonical,
        node,
        positional,
        keyword,
        () => this.keywordValues(args.keywords, scope),
        (fn, values) => this.apply(fn, values, new Map()),
      );
      if (builtin) return builtin;
      return UNKNOWN;
    }
    if (callee.type === 'attribute') {
      const object = this.evaluate(field(callee, 'object'), scope);
      return callMethod(object, field(callee, 'attribute')?.text ?? '', positional(), keyword, node);
    }
    const value = this.evaluate(callee, scope);
    if (value.kind === 'function') return this.apply(value, positional(), this.keywordValues(args.keywords, scope));
    return UNKNOWN;
  }

  private keywordValues(keywords: Map<string, { value: SyntaxNode }>, scope: Scope): Map<string, PyValue> {
    const values = new Map<string, PyValue>();
    for (const [name, entry] of keywords) values.set(name, this.evaluate(entry.value, scope));
    return values;
  }

  /** Calls a lambda (evaluates its body) or a `def` (interprets its statements). */
  apply(fn: PyValue, positional: PyValue[], keywords: Map<string, PyValue>): PyValue {
    if (fn.kind !== 'function') return UNKNOWN;
    const env = new EnvScope(fn.closure);
    const parameters = readParameters(fn.node);
    let next = 0;
    for (const parameter of parameters) {
      if (parameter.kind === 'varargs') {
        env.values.set(parameter.name, sequence(positional.slice(next), true));
        next = positional.length;
      } else if (parameter.kind === 'kwargs') {
        env.values.set(parameter.name, { kind: 'dict', entries: new Map(keywords) });
      } else if (parameter.kind === 'positional' && next < positional.length) {
        env.values.set(parameter.name, positional[next++]);
      } else if (keywords.has(parameter.name)) {
        env.values.set(parameter.name, keywords.get(parameter.name)!);
      } else if (parameter.defaultValue) {
        env.values.set(parameter.name, this.evaluate(parameter.defaultValue, fn.closure ?? env));
      } else {
        env.values.set(parameter.name, UNKNOWN);
      }
    }
    if (fn.lambda) return this.evaluate(field(fn.node, 'body'), env);
    if (this.depth > MAX_DEPTH / 2) return UNKNOWN;
    this.depth += 4;
    try {
      return interpretFunction(this, fn.node, env);
    } finally {
      this.depth -= 4;
    }
  }
}

function parseInteger(node: SyntaxNode): PyValue {
  const text = node.text.replace(/_/g, '').replace(/[lL]$/, '');
  let value: number;
  if (/^0[xX]/.test(text)) value = parseInt(text.slice(2), 16);
  else if (/^0[oO]/.test(text)) value = parseInt(text.slice(2), 8);
  else if (/^0[bB]/.test(text)) value = parseInt(text.slice(2), 2);
  else if (/[jJ]$/.test(text)) return UNKNOWN;
  else value = Number(text);
  return Number.isFinite(value) ? numberValue(value, true, rangeOf(node)) : UNKNOWN;
}

function compare(operator: string, left: PyValue, right: PyValue): boolean | null {
  if (operator === 'in' || operator === 'not in') {
    const items = iterate(right);
    if (!items) return null;
    const found = items.map((item) => equal(left, item));
    if (found.includes(true)) return operator === 'in';
    if (found.includes(null)) return null;
    return operator !== 'in';
  }
  if (operator === '==' || operator === '!=' || operator === 'is' || operator === 'is not') {
    const same = equal(left, right);
    if (same === null) return null;
    return operator === '==' || operator === 'is' ? same : !same;
  }
  const a = asNumber(left);
  const b = asNumber(right);
  if (a === null || b === null) return null;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return null;
  }
}

function equal(left: PyValue, right: PyValue): boolean | null {
  const a = asNumber(left);
  const b = asNumber(right);
  if (a !== null && b !== null) return a === b;
  if (left.kind === 'string' && right.kind === 'string') return left.value === right.value;
  if (left.kind === 'none' || right.kind === 'none') {
    if (left.kind === 'unknown' || right.kind === 'unknown') return null;
    return left.kind === right.kind;
  }
  if (left.kind === 'dtype' && right.kind === 'dtype') return left.name === right.name;
  return null;
}

/** Binds an assignment or loop target (`x`, `a, b`, `(a, (b, c))`) to a value in `env`. */
export function bindTarget(target: SyntaxNode, value: PyValue, env: EnvScope): void {
  if (target.type === 'identifier') {
    env.values.set(target.text, value);
    return;
  }
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression'].includes(target.type)) {
    const parts = syntaxChildren(target);
    if (target.type === 'parenthesized_expression') {
      if (parts[0]) bindTarget(parts[0], value, env);
      return;
    }
    const items = iterate(value);
    // One starred target (`*batch, M, K = a.shape`) takes what the others leave, as a list.
    const star = parts.findIndex((part) => part.type === 'list_splat_pattern');
    if (star >= 0 && items && items.length >= parts.length - 1 && parts.filter((part) => part.type === 'list_splat_pattern').length === 1) {
      const after = parts.length - star - 1;
      parts.forEach((part, i) => {
        if (i < star) bindTarget(part, items[i]!, env);
        else if (i > star) bindTarget(part, items[items.length - (parts.length - i)]!, env);
      });
      const inner = syntaxChildren(parts[star]!)[0];
      if (inner) bindTarget(inner, sequence(items.slice(star, items.length - after), false), env);
      return;
    }
    parts.forEach((part, i) => bindTarget(part, items && items.length === parts.length ? items[i] : UNKNOWN, env));
  }
}
