// Evaluates an Expr to a number with C semantics (integer division truncates, integer results must
// stay exact), reading names from a FoldEnv. Never throws: anything unknown, overflowing, dividing
// by zero or recursing yields null, and the reason is pushed to the caller's problem list.
import type { Problem, Range } from '../types';
import type { Expr } from './expression';
import { parseCExpression } from './parse-c-expression';
import { sizeOfType } from './sizeof';

/** A name's meaning for folding. Expressions and macro bodies are evaluated lazily, on first use. */
export type Binding =
  | { kind: 'value'; value: number | null; isFloat?: boolean }
  | { kind: 'expr'; expr: Expr }
  /** Object-like `#define` (body kept as text; parsed on first use, kept in `parsed`) or function-like macro. */
  | { kind: 'macro'; params: string[] | null; body: string; bodyOffset: number; parsed?: Expr };

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

interface Folded { value: number; isFloat: boolean }

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Result of folding: the value (or null) and, for callers that want them, the names consulted. */
export interface FoldResult {
  value: number | null;
  isFloat: boolean;
  /** Names looked up in the environment while folding, in first-use order. */
  namesUsed: string[];
}

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
  constructor(private readonly env: FoldEnv, private readonly problems: Problem[]) {}

  private problem(range: Range, message: string): null {
    if (!this.problems.some((p) => p.message === message && p.range.start === range.start && p.range.end === range.end)) {
      this.problems.push({ range: { ...range }, message, severity: 'warning' });
    }
    return null;
  }

  private integer(value: bigint, range: Range, what: string): Folded | null {
    if (value > MAX_SAFE || value < -MAX_SAFE) return this.problem(range, `integer overflow in ${what}: the value does not fit 2^53`);
    return { value: Number(value), isFloat: false };
  }

  evaluate(expr: Expr): Folded | null {
    if (++this.depth > 2000) {
      this.depth--;
      return this.problem(expr.range, 'expression too deeply nested to fold');
    }
    try {
      return this.evaluateInner(expr);
    } finally {
      this.depth--;
    }
  }

  private evaluateInner(expr: Expr): Folded | null {
    switch (expr.kind) {
      case 'number': return { value: expr.value, isFloat: expr.isFloat };
      case 'too-large': return this.problem(expr.range, `integer literal ${expr.text.slice(0, 40)} is too large to fold (beyond 2^53)`);
      case 'unknown':
        if (expr.reason === 'nested too deeply') return this.problem(expr.range, 'expression nested too deeply to fold');
        return null;
      case 'name': return this.lookupName(expr.name, expr.range);
      case 'sizeof': {
        const size = sizeOfType(expr.typeName);
        if (size !== null) return { value: size, isFloat: false };
        const binding = this.env.lookup(`sizeof(${expr.typeName})`);
        if (binding?.kind === 'value' && binding.value !== null) return { value: binding.value, isFloat: false };
        return null;
      }
      case 'cast': {
        const operand = this.evaluate(expr.operand);
        if (!operand) return null;
        if (/float|double|half|bfloat/.test(expr.typeName)) return { value: operand.value, isFloat: true };
        return { value: Math.trunc(operand.value), isFloat: false };
      }
      case 'unary': {
        const operand = this.evaluate(expr.operand);
        if (!operand) return null;
        switch (expr.op) {
          case '-': return { value: -operand.value, isFloat: operand.isFloat };
          case '+': return operand;
          case '!': return { value: operand.value === 0 ? 1 : 0, isFloat: false };
          case '~': return operand.isFloat ? null : this.integer(~BigInt(operand.value), expr.range, '~');
        }
        return null;
      }
      case 'ternary': {
        const condition = this.evaluate(expr.condition);
        if (condition) return this.evaluate(condition.value !== 0 ? expr.then : expr.otherwise);
        const then = this.evaluate(expr.then);
        const otherwise = this.evaluate(expr.otherwise);
        return then && otherwise && then.value === otherwise.value ? then : null;
      }
      case 'binary': return this.binary(expr);
      case 'call': return this.call(expr);
    }
  }

  private lookupName(name: string, range: Range): Folded | null {
    const cached = this.cache?.get(name);
    if (cached !== undefined) {
      return cached;
    }
    const binding = this.env.lookup(name);
    if (!binding) return null;
    if (!this.namesUsed.includes(name)) this.namesUsed.push(name);
    if (binding.kind === 'value') return binding.value === null ? null : { value: binding.value, isFloat: binding.isFloat ?? !Number.isInteger(binding.value) };
    if (binding.kind === 'macro' && binding.params !== null) return null; // function-like macro named without a call
    if (this.active.has(name)) return this.problem(range, `recursive definition of ${name}: it refers to itself`);
    if (this.active.size >= MAX_EXPANSION_DEPTH) return this.problem(range, `definition chain through ${name} is too long to fold`);
    this.active.add(name);
    try {
      const expr = binding.kind === 'expr' ? binding.expr : macroBody(binding);
      const result = this.evaluate(expr);
      (this.cache ??= new Map()).set(name, result);
      return result;
    } finally {
      this.active.delete(name);
    }
  }

  /** Left-deep chains (`a + b + c + ...`) are folded iteratively, so a long flat sum cannot overflow the stack. */
  private binary(expr: Extract<Expr, { kind: 'binary' }>): Folded | null {
    const spine: Array<Extract<Expr, { kind: 'binary' }>> = [];
    let node: Expr = expr;
    while (node.kind === 'binary') {
      spine.push(node);
      node = node.left;
    }
    let accumulated = this.evaluate(node);
    for (let i = spine.length - 1; i >= 0; i--) accumulated = this.combine(spine[i]!, accumulated);
    return accumulated;
  }

  private combine(expr: Extract<Expr, { kind: 'binary' }>, left: Folded | null): Folded | null {
    const { op } = expr;
    if (op === '&&' && left && left.value === 0) return { value: 0, isFloat: false };
    if (op === '||' && left && left.value !== 0) return { value: 1, isFloat: false };
    const right = this.evaluate(expr.right);
    if (!left || !right) return null;
    const a = left.value;
    const b = right.value;
    const bool = (value: boolean): Folded => ({ value: value ? 1 : 0, isFloat: false });
    switch (op) {
      case '<': return bool(a < b);
      case '<=': return bool(a <= b);
      case '>': return bool(a > b);
      case '>=': return bool(a >= b);
      case '==': return bool(a === b);
      case '!=': return bool(a !== b);
      case '&&': return bool(a !== 0 && b !== 0);
      case '||': return bool(a !== 0 || b !== 0);
    }
    const isFloat = left.isFloat || right.isFloat;
    if ((op === '/' || op === '//' || op === '%') && b === 0) return this.problem(expr.range, 'division by zero');
    if (isFloat) {
      switch (op) {
        case '+': return { value: a + b, isFloat };
        case '-': return { value: a - b, isFloat };
        case '*': return { value: a * b, isFloat };
        case '/': return { value: a / b, isFloat };
        case '//': return { value: Math.floor(a / b), isFloat };
        case '**': return { value: a ** b, isFloat };
        default: return null; // %, shifts and bit operations on floats are not valid C
      }
    }
    // Safe-integer fast path: a Number result within 2^53 is exact, so it equals the BigInt one.
    if (op === '+' || op === '-' || op === '*') {
      const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
      if (Number.isSafeInteger(r)) return { value: r + 0, isFloat: false };
    }
    const x = BigInt(a);
    const y = BigInt(b);
    switch (op) {
      case '+': return this.integer(x + y, expr.range, '+');
      case '-': return this.integer(x - y, expr.range, '-');
      case '*': return this.integer(x * y, expr.range, '*');
      case '/': return this.integer(x / y, expr.range, '/'); // BigInt division truncates toward zero, as C does
      case '%': return this.integer(x % y, expr.range, '%');
      case '//': {
        // Python floor division (for Triton callers).
        const q = x / y;
        return this.integer((x % y !== 0n && (x < 0n) !== (y < 0n)) ? q - 1n : q, expr.range, '//');
      }
      case '**': return y < 0n || y > 1024n ? this.problem(expr.range, 'exponent out of range') : this.integer(x ** y, expr.range, '**');
      case '<<': return y < 0n || y > 63n ? this.problem(expr.range, 'shift count out of range') : this.integer(x << y, expr.range, '<<');
      case '>>': return y < 0n || y > 63n ? this.problem(expr.range, 'shift count out of range') : this.integer(x >> y, expr.range, '>>');
      case '&': return this.integer(x & y, expr.range, '&');
      case '|': return this.integer(x | y, expr.range, '|');
      case '^': return this.integer(x ^ y, expr.range, '^');
    }
    return null;
  }

  private call(expr: Extract<Expr, { kind: 'call' }>): Folded | null {
    const callee = expr.callee;
    const binding = this.env.lookup(callee);
    if (binding?.kind === 'macro' && binding.params !== null) return this.expandMacro(callee, binding.params, binding.body, binding.bodyOffset, expr);
    const shortName = callee.split(/::|\./).pop()!.toLowerCase();
    const args = expr.args.map((arg) => this.evaluate(arg));
    const all = args.every((arg): arg is Folded => arg !== null);
    switch (shortName) {
      case 'min': case 'fminf': case 'fmin': case 'umin':
        return all && args.length > 0 ? args.reduce((m, v) => (v.value < m.value ? v : m)) : null;
      case 'max': case 'fmaxf': case 'fmax': case 'umax':
        return all && args.length > 0 ? args.reduce((m, v) => (v.value > m.value ? v : m)) : null;
      // Ceiling division helpers: CUTLASS ceil_div, Triton cdiv, common div_up/DIV_UP/CEIL_DIV macros.
      case 'cdiv': case 'ceil_div': case 'div_up': case 'divup': case 'ceildiv': case 'ceil_div_up': case 'round_up_div': {
        if (!all || args.length !== 2) return null;
        const [n, d] = args as [Folded, Folded];
        if (d.value === 0) return this.problem(expr.range, 'division by zero');
        if (n.isFloat || d.isFloat) return { value: Math.ceil(n.value / d.value), isFloat: false };
        const x = BigInt(n.value);
        const y = BigInt(d.value);
        return this.integer((x + y - 1n) / y, expr.range, 'ceiling division');
      }
      case 'ceil': case 'ceilf':
        return all && args.length === 1 ? { value: Math.ceil(args[0]!.value), isFloat: true } : null;
      case 'floor': case 'floorf':
        return all && args.length === 1 ? { value: Math.floor(args[0]!.value), isFloat: true } : null;
      case 'abs':
        return all && args.length === 1 ? { value: Math.abs(args[0]!.value), isFloat: args[0]!.isFloat } : null;
      case 'int':
        return all && args.length === 1 ? { value: Math.trunc(args[0]!.value), isFloat: false } : null;
      case 'next_power_of_2': {
        if (!all || args.length !== 1) return null;
        const v = args[0]!.value;
        return v <= 1 ? { value: 1, isFloat: false } : { value: 2 ** Math.ceil(Math.log2(v)), isFloat: false };
      }
    }
    return null;
  }

  private expandMacro(name: string, params: string[], body: string, bodyOffset: number, call: Extract<Expr, { kind: 'call' }>): Folded | null {
    if (this.active.has(name)) return this.problem(call.range, `recursive definition of ${name}: it refers to itself`);
    if (this.active.size >= MAX_EXPANSION_DEPTH) return this.problem(call.range, `definition chain through ${name} is too long to fold`);
    // Parameters are bound by value: a simplification of textual substitution that is exact for
    // the arithmetic macros (DIV_UP(a, b), MAX(a, b)) that size tiles.
    const scope = new MapEnv(this.env);
    params.forEach((param, i) => {
      const arg = call.args[i];
      const folded = arg ? this.evaluate(arg) : null;
      scope.set(param, { kind: 'value', value: folded?.value ?? null, isFloat: folded?.isFloat });
    });
    this.active.add(name);
    try {
      const inner = new Evaluator(scope, this.problems);
      for (const active of this.active) inner.active.add(active);
      inner.depth = this.depth;
      return inner.evaluate(parseCExpression(body, bodyOffset));
    } finally {
      this.active.delete(name);
    }
  }
}

/** An object-like macro's body, parsed once per binding: one `#define TILE 16` is read by many folds. */
function macroBody(binding: Extract<Binding, { kind: 'macro' }>): Expr {
  return (binding.parsed ??= parseCExpression(binding.body, binding.bodyOffset));
}

/** Folds an expression; problems (overflow, division by zero, recursion) are appended to `problems`. */
export function foldExpr(expr: Expr, env: FoldEnv = EMPTY_ENV, problems: Problem[] = []): FoldResult {
  const evaluator = new Evaluator(env, problems);
  const result = evaluator.evaluate(expr);
  return { value: result && Number.isFinite(result.value) ? result.value : null, isFloat: result?.isFloat ?? false, namesUsed: evaluator.namesUsed };
}

/** Parses and folds C expression text sitting at `offset` in the file. */
export function foldCText(text: string, offset: number, env: FoldEnv = EMPTY_ENV, problems: Problem[] = []): FoldResult {
  return foldExpr(parseCExpression(text, offset), env, problems);
}
