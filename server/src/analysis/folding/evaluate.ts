// Evaluates an Expr to a number with C semantics (integer division truncates, integer results must
// stay exact), reading names from a FoldEnv (values, expressions, macros, and functions whose body is one
// `return`, called with bounded depth). Never throws: anything unknown, overflowing, dividing by zero or
// recursing yields null, and the reason is pushed to the caller's problem list.
import type { Problem, Range } from '../types';
import type { Expr } from './expression';
import { parseCExpression, TOO_LONG } from './parse-c-expression';
import { sizeOfType } from './sizeof';

/** A name's meaning for folding. Expressions and macro bodies are evaluated lazily, on first use. */
export type Binding =
  | { kind: 'value'; value: number | null; isFloat?: boolean }
  | { kind: 'expr'; expr: Expr }
  /** Object-like `#define` (body kept as text; parsed on first use, kept in `parsed`) or function-like macro. */
  | { kind: 'macro'; params: string[] | null; body: string; bodyOffset: number; parsed?: Expr }
  | FunctionBinding;

/**
 * A function of the file whose body is `return EXPR;` (cuda/user-functions.ts). A call binds the
 * parameters by value (converted to their type: `int` truncates) and folds EXPR, in `scope` (where the
 * function is defined; the caller's environment when absent). Texts are offset-free: a problem in the
 * body is reported at the call.
 */
export interface FunctionBinding {
  kind: 'function';
  params: Array<{ name: string; integer: boolean | null; defaultValue: string | null }>;
  /** Template parameters: a type one is only hidden; a value one takes the call's explicit argument or its default. */
  templateParams: Array<{ name: string; value: boolean; defaultValue: string | null }>;
  body: string;
  /** The return type's conversion: integer (true), floating (false), or as computed (null: `auto`, `T`). */
  integer: boolean | null;
  scope?: FoldEnv;
  parsed?: Expr;
}

/** Deepest chain of user-function calls folded (a recursive constexpr function); deeper gives null. */
export const MAX_CALL_DEPTH = 24;

export interface FoldEnv {
  lookup(name: string): Binding | undefined;
}

/** An environment backed by a Map, optionally layered over a parent (kernel scope over file scope). */
export class MapEnv implements FoldEnv {
  readonly bindings = new Map<string, Binding>();
  constructor(private readonly parent: FoldEnv | null = null) {}
  set(name: string, binding: Binding): this {
    this.bindings.set(name, binding);
    return this;
  }
  /** Hides a parent's binding (a kernel parameter named like a file-level constant). */
  hide(name: string): this {
    this.bindings.set(name, { kind: 'value', value: null });
    return this;
  }
  lookup(name: string): Binding | undefined {
    return this.bindings.get(name) ?? this.parent?.lookup(name);
  }
}

export const EMPTY_ENV: FoldEnv = { lookup: () => undefined };

/** Deepest chain of name → definition → name … followed before giving up (macro expansion depth). */
export const MAX_EXPANSION_DEPTH = 64;

interface Folded {
  value: number;
  isFloat: boolean;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Result of folding: the value (or null) and, for callers that want them, the names consulted. */
export interface FoldResult {
  value: number | null;
  isFloat: boolean;
  /** Names looked up in the environment while folding, in first-use order. */
  namesUsed: string[];
}

// The evaluator returns each node's value as a number (null when it does not fold) and leaves the
// value's `isFloat` in a field, read right after the call: one result object per node was a large
// share of the folding code's allocation. A Folded object is made only for the per-fold cache.
class Evaluator {
  // Most folds look up plain values only: the expansion set and the cache are made on first need
  // (an evaluator is made per fold, thousands of them per analysis).
  private activeNames: Set<string> | null = null;
  private cache: Map<string, Folded | null> | null = null;
  private get active(): Set<string> {
    return (this.activeNames ??= new Set<string>());
  }
  readonly namesUsed: string[] = [];
  private depth = 0;
  private calls = 0;
  /** `isFloat` of the value the last evaluate call returned (meaningless after a null). */
  isFloat = false;
  constructor(
    private readonly env: FoldEnv,
    private readonly problems: Problem[],
  ) {}

  private problem(range: Range, message: string): null {
    if (!this.problems.some((p) => p.message === message && p.range.start === range.start && p.range.end === range.end)) {
      this.problems.push({ range: { ...range }, message, severity: 'warning' });
    }
    return null;
  }

  /** An integer result, or null with a problem when it leaves the exactly representable range. */
  private integer(value: bigint, range: Range, what: string): number | null {
    if (value > MAX_SAFE || value < -MAX_SAFE) return this.problem(range, `integer overflow in ${what}: the value does not fit 2^53`);
    this.isFloat = false;
    return Number(value);
  }

  private result(value: number, isFloat: boolean): number {
    this.isFloat = isFloat;
    return value;
  }

  evaluate(expr: Expr): number | null {
    // No try/finally: nothing below throws, and an evaluator is dropped with its fold anyway.
    if (++this.depth > 2000) {
      this.depth--;
      return this.problem(expr.range, 'expression too deeply nested to fold');
    }
    const value = this.evaluateInner(expr);
    this.depth--;
    return value;
  }

  private evaluateInner(expr: Expr): number | null {
    switch (expr.kind) {
      case 'number':
        return this.result(expr.value, expr.isFloat);
      case 'too-large':
        return this.problem(expr.range, `integer literal ${expr.text.slice(0, 40)} is too large to fold (beyond 2^53)`);
      case 'unknown':
        if (expr.reason === 'nested too deeply') return this.problem(expr.range, 'expression nested too deeply to fold');
        if (expr.reason?.startsWith(TOO_LONG)) return this.problem(expr.range, expr.reason);
        return null;
      case 'name':
        return this.lookupName(expr.name, expr.range);
      case 'sizeof': {
        const size = sizeOfType(expr.typeName);
        if (size !== null) return this.result(size, false);
        const binding = this.env.lookup(`sizeof(${expr.typeName})`);
        if (binding?.kind === 'value' && binding.value !== null) return this.result(binding.value, false);
        return null;
      }
      case 'cast': {
        const operand = this.evaluate(expr.operand);
        if (operand === null) return null;
        if (/float|double|half|bfloat/.test(expr.typeName)) return this.result(operand, true);
        return this.result(Math.trunc(operand), false);
      }
      case 'unary': {
        const operand = this.evaluate(expr.operand);
        if (operand === null) return null;
        switch (expr.op) {
          case '-':
            return -operand; // isFloat stays the operand's
          case '+':
            return operand;
          case '!':
            return this.result(operand === 0 ? 1 : 0, false);
          case '~':
            return this.isFloat ? null : this.integer(~BigInt(operand), expr.range, '~');
        }
        return null;
      }
      case 'ternary': {
        const condition = this.evaluate(expr.condition);
        if (condition !== null) return this.evaluate(condition !== 0 ? expr.then : expr.otherwise);
        const then = this.evaluate(expr.then);
        const thenIsFloat = this.isFloat;
        const otherwise = this.evaluate(expr.otherwise);
        return then !== null && otherwise !== null && then === otherwise ? this.result(then, thenIsFloat) : null;
      }
      case 'binary':
        return this.binary(expr);
      case 'call':
        return this.call(expr);
    }
  }

  private lookupName(name: string, range: Range): number | null {
    const cached = this.cache?.get(name);
    if (cached !== undefined) {
      return cached === null ? null : this.result(cached.value, cached.isFloat);
    }
    const binding = this.env.lookup(name);
    if (!binding) return null;
    if (!this.namesUsed.includes(name)) this.namesUsed.push(name);
    if (binding.kind === 'value') return binding.value === null ? null : this.result(binding.value, binding.isFloat ?? !Number.isInteger(binding.value));
    if (binding.kind === 'function' || (binding.kind === 'macro' && binding.params !== null)) return null; // a function named without a call
    if (this.active.has(name)) return this.problem(range, `recursive definition of ${name}: it refers to itself`);
    if (this.active.size >= MAX_EXPANSION_DEPTH) return this.problem(range, `definition chain through ${name} is too long to fold`);
    this.active.add(name);
    try {
      const expr = binding.kind === 'expr' ? binding.expr : macroBody(binding);
      const value = this.evaluate(expr);
      (this.cache ??= new Map()).set(name, value === null ? null : { value, isFloat: this.isFloat });
      return value;
    } finally {
      this.active.delete(name);
    }
  }

  /** Left-deep chains (`a + b + c + ...`) are folded iteratively, so a long flat sum cannot overflow the stack. */
  private binary(expr: Extract<Expr, { kind: 'binary' }>): number | null {
    // The common shape `a op b` (left not itself binary) needs no spine array.
    if (expr.left.kind !== 'binary') {
      const left = this.evaluate(expr.left);
      return this.combine(expr, left, this.isFloat);
    }
    const spine: Array<Extract<Expr, { kind: 'binary' }>> = [];
    let node: Expr = expr;
    while (node.kind === 'binary') {
      spine.push(node);
      node = node.left;
    }
    let accumulated = this.evaluate(node);
    for (let i = spine.length - 1; i >= 0; i--) accumulated = this.combine(spine[i]!, accumulated, this.isFloat);
    return accumulated;
  }

  private combine(expr: Extract<Expr, { kind: 'binary' }>, a: number | null, leftIsFloat: boolean): number | null {
    const { op } = expr;
    if (op === '&&' && a === 0) return this.result(0, false);
    if (op === '||' && a !== null && a !== 0) return this.result(1, false);
    const b = this.evaluate(expr.right);
    if (a === null || b === null) return null;
    switch (op) {
      case '<':
        return this.result(a < b ? 1 : 0, false);
      case '<=':
        return this.result(a <= b ? 1 : 0, false);
      case '>':
        return this.result(a > b ? 1 : 0, false);
      case '>=':
        return this.result(a >= b ? 1 : 0, false);
      case '==':
        return this.result(a === b ? 1 : 0, false);
      case '!=':
        return this.result(a !== b ? 1 : 0, false);
      case '&&':
        return this.result(a !== 0 && b !== 0 ? 1 : 0, false);
      case '||':
        return this.result(a !== 0 || b !== 0 ? 1 : 0, false);
    }
    const isFloat = leftIsFloat || this.isFloat;
    if ((op === '/' || op === '//' || op === '%') && b === 0) return this.problem(expr.range, 'division by zero');
    if (isFloat) {
      this.isFloat = true;
      switch (op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '//':
          return Math.floor(a / b);
        case '**':
          return a ** b;
        default:
          return null; // %, shifts and bit operations on floats are not valid C
      }
    }
    // Safe-integer fast path: a Number result within 2^53 is exact, so it equals the BigInt one.
    if (op === '+' || op === '-' || op === '*') {
      const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
      if (Number.isSafeInteger(r)) return this.result(r + 0, false);
    }
    const x = BigInt(a);
    const y = BigInt(b);
    switch (op) {
      case '+':
        return this.integer(x + y, expr.range, '+');
      case '-':
        return this.integer(x - y, expr.range, '-');
      case '*':
        return this.integer(x * y, expr.range, '*');
      case '/':
        return this.integer(x / y, expr.range, '/'); // BigInt division truncates toward zero, as C does
      case '%':
        return this.integer(x % y, expr.range, '%');
      case '//': {
        // Python floor division (for Triton callers).
        const q = x / y;
        return this.integer(x % y !== 0n && x < 0n !== y < 0n ? q - 1n : q, expr.range, '//');
      }
      case '**':
        return y < 0n || y > 1024n ? this.problem(expr.range, 'exponent out of range') : this.integer(x ** y, expr.range, '**');
      case '<<':
        return y < 0n || y > 63n ? this.problem(expr.range, 'shift count out of range') : this.integer(x << y, expr.range, '<<');
      case '>>':
        return y < 0n || y > 63n ? this.problem(expr.range, 'shift count out of range') : this.integer(x >> y, expr.range, '>>');
      case '&':
        return this.integer(x & y, expr.range, '&');
      case '|':
        return this.integer(x | y, expr.range, '|');
      case '^':
        return this.integer(x ^ y, expr.range, '^');
    }
    return null;
  }

  private call(expr: Extract<Expr, { kind: 'call' }>): number | null {
    const callee = expr.callee;
    const binding = this.env.lookup(callee);
    if (binding?.kind === 'macro' && binding.params !== null) return this.expandMacro(callee, binding.params, binding.body, binding.bodyOffset, expr);
    if (binding?.kind === 'function') return this.callFunction(binding, expr);
    // Library helpers the file may not define (a header's, CUTLASS's `ceil_div`, Triton's `cdiv`): a
    // function of the file with a single `return` is folded from its definition above instead.
    const shortName = callee.split(/::|\./).pop()!.toLowerCase();
    const args = expr.args.map((arg): Folded | null => {
      const value = this.evaluate(arg);
      return value === null ? null : { value, isFloat: this.isFloat };
    });
    const all = args.every((arg): arg is Folded => arg !== null);
    let folded: Folded | null = null;
    switch (shortName) {
      case 'min':
      case 'fminf':
      case 'fmin':
      case 'umin':
        folded = all && args.length > 0 ? args.reduce((m, v) => (v.value < m.value ? v : m)) : null;
        break;
      case 'max':
      case 'fmaxf':
      case 'fmax':
      case 'umax':
        folded = all && args.length > 0 ? args.reduce((m, v) => (v.value > m.value ? v : m)) : null;
        break;
      // Ceiling division helpers: CUTLASS ceil_div, Triton cdiv, common div_up/DIV_UP/CEIL_DIV macros,
      // cuda-samples' iDivUp, DIV_ROUND_UP, div_ceil.
      case 'idivup':
      case 'div_ceil':
      case 'div_round_up':
      case 'divroundup':
      case 'cdiv':
      case 'ceil_div':
      case 'div_up':
      case 'divup':
      case 'ceildiv':
      case 'ceil_div_up':
      case 'round_up_div': {
        if (!all || args.length !== 2) return null;
        const [n, d] = args as [Folded, Folded];
        if (d.value === 0) return this.problem(expr.range, 'division by zero');
        if (n.isFloat || d.isFloat) return this.result(Math.ceil(n.value / d.value), false);
        const x = BigInt(n.value);
        const y = BigInt(d.value);
        return this.integer((x + y - 1n) / y, expr.range, 'ceiling division');
      }
      case 'ceil':
      case 'ceilf':
        folded = all && args.length === 1 ? { value: Math.ceil(args[0]!.value), isFloat: true } : null;
        break;
      case 'floor':
      case 'floorf':
        folded = all && args.length === 1 ? { value: Math.floor(args[0]!.value), isFloat: true } : null;
        break;
      case 'abs':
        folded = all && args.length === 1 ? { value: Math.abs(args[0]!.value), isFloat: args[0]!.isFloat } : null;
        break;
      case 'int':
        folded = all && args.length === 1 ? { value: Math.trunc(args[0]!.value), isFloat: false } : null;
        break;
      case 'next_power_of_2': {
        if (!all || args.length !== 1) return null;
        const v = args[0]!.value;
        return this.result(v <= 1 ? 1 : 2 ** Math.ceil(Math.log2(v)), false);
      }
    }
    return folded === null ? null : this.result(folded.value, folded.isFloat);
  }

  private callFunction(fn: FunctionBinding, call: Extract<Expr, { kind: 'call' }>): number | null {
    if (this.calls >= MAX_CALL_DEPTH || call.args.length > fn.params.length) return null;
    const scope = new MapEnv(fn.scope ?? this.env);
    // The body's problems (division by zero, overflow) belong to the call: the function's texts have no offsets.
    const problems: Problem[] = [];
    const inner = new Evaluator(scope, problems);
    inner.depth = this.depth;
    inner.calls = this.calls + 1;
    // Arguments fold in the caller (this), defaults in the function (inner).
    const bind = (name: string, arg: Expr | null, integer: boolean | null, by: Evaluator) => {
      let value = arg ? by.evaluate(arg) : null;
      let isFloat = by.isFloat;
      if (value !== null && integer !== null) [value, isFloat] = [integer ? Math.trunc(value) : value, !integer];
      scope.set(name, { kind: 'value', value, isFloat: value === null ? undefined : isFloat });
    };
    const explicit = call.template ? splitArguments(call.template.text, call.template.start) : [];
    fn.templateParams.forEach((param, i) => {
      const given = explicit[i];
      if (!param.value || (!given && param.defaultValue === null)) scope.hide(param.name);
      else if (given) bind(param.name, parseCExpression(given.text, given.start), true, this);
      else bind(param.name, parseCExpression(param.defaultValue!, 0), true, inner);
    });
    fn.params.forEach((param, i) => {
      const arg = call.args[i];
      if (arg) bind(param.name, arg, param.integer, this);
      else bind(param.name, param.defaultValue === null ? null : parseCExpression(param.defaultValue, 0), param.integer, inner);
    });
    let value = inner.evaluate((fn.parsed ??= parseCExpression(fn.body, 0)));
    for (const problem of problems) this.problem(call.range, `${problem.message} (in ${call.callee})`);
    for (const name of inner.namesUsed) if (!scope.bindings.has(name) && !this.namesUsed.includes(name)) this.namesUsed.push(name);
    if (value === null) return null;
    let isFloat = inner.isFloat;
    if (fn.integer !== null) [value, isFloat] = [fn.integer ? Math.trunc(value) : value, !fn.integer];
    return this.result(value, isFloat);
  }

  private expandMacro(name: string, params: string[], body: string, bodyOffset: number, call: Extract<Expr, { kind: 'call' }>): number | null {
    if (this.active.has(name)) return this.problem(call.range, `recursive definition of ${name}: it refers to itself`);
    if (this.active.size >= MAX_EXPANSION_DEPTH) return this.problem(call.range, `definition chain through ${name} is too long to fold`);
    // Parameters are bound by value: a simplification of textual substitution that is exact for
    // the arithmetic macros (DIV_UP(a, b), MAX(a, b)) that size tiles.
    const scope = new MapEnv(this.env);
    params.forEach((param, i) => {
      const arg = call.args[i];
      const folded = arg ? this.evaluate(arg) : null;
      scope.set(param, { kind: 'value', value: folded, isFloat: folded === null ? undefined : this.isFloat });
    });
    this.active.add(name);
    try {
      const inner = new Evaluator(scope, this.problems);
      for (const active of this.active) inner.active.add(active);
      inner.depth = this.depth;
      const value = inner.evaluate(parseCExpression(body, bodyOffset));
      this.isFloat = inner.isFloat;
      return value;
    } finally {
      this.active.delete(name);
    }
  }
}

/** Top-level comma-separated parts of template arguments (`128, Shape<1, 2>`) at `offset`, with their offsets. */
function splitArguments(text: string, offset: number): Array<{ text: string; start: number }> {
  const parts: Array<{ text: string; start: number }> = [];
  let level = 0;
  let from = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '<' || c === '(') level++;
    else if (c === '>' || c === ')') level--;
    else if (i === text.length || (c === ',' && level === 0)) {
      parts.push({ text: text.slice(from, i), start: offset + from });
      from = i + 1;
    }
  }
  return parts;
}

/** An object-like macro's body, parsed once per binding: one `#define TILE 16` is read by many folds. */
function macroBody(binding: Extract<Binding, { kind: 'macro' }>): Expr {
  return (binding.parsed ??= parseCExpression(binding.body, binding.bodyOffset));
}

/** Folds an expression; problems (overflow, division by zero, recursion) are appended to `problems`. */
export function foldExpr(expr: Expr, env: FoldEnv = EMPTY_ENV, problems: Problem[] = []): FoldResult {
  const evaluator = new Evaluator(env, problems);
  const value = evaluator.evaluate(expr);
  return { value: value !== null && Number.isFinite(value) ? value : null, isFloat: value !== null && evaluator.isFloat, namesUsed: evaluator.namesUsed };
}

/** Parses and folds C expression text sitting at `offset` in the file. */
export function foldCText(text: string, offset: number, env: FoldEnv = EMPTY_ENV, problems: Problem[] = []): FoldResult {
  return foldExpr(parseCExpression(text, offset), env, problems);
}
