// Plain expression trees for constant folding, shared by the CUDA and Triton analyses. Data only:
// building (parse-c-expression.ts, or a caller's own tree-sitter conversion) and evaluation
// (evaluate.ts) live elsewhere.
import type { Range } from '../types';

export type BinaryOperator = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '<<' | '>>' | '&' | '|' | '^' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&&' | '||';

export type UnaryOperator = '-' | '+' | '~' | '!';

export type Expr =
  /** `isFloat` follows the literal's spelling (`1.0`, `2e3`, `1.f`), which decides C division semantics. */
  | { kind: 'number'; value: number; isFloat: boolean; range: Range }
  /** An integer literal that does not fit a double exactly (kept so the evaluator can report it). */
  | { kind: 'too-large'; text: string; range: Range }
  /** Identifier, possibly qualified (`std::min`, `Shape::kM`, `triton.cdiv`): qualifiers kept in `name`. */
  /** `template`: the text of explicit template arguments before a call (`blocks<128>(n)`), with its offset. */
  | { kind: 'name'; name: string; range: Range; template?: { text: string; start: number } }
  | { kind: 'unary'; op: UnaryOperator; operand: Expr; range: Range }
  | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr; range: Range }
  | { kind: 'ternary'; condition: Expr; then: Expr; otherwise: Expr; range: Range }
  | { kind: 'call'; callee: string; args: Expr[]; range: Range; template?: { text: string; start: number } }
  | { kind: 'sizeof'; typeName: string; range: Range }
  /** `(int)x`, `static_cast<int>(x)`, `int(x)`: integer casts truncate, float casts keep the value. */
  | { kind: 'cast'; typeName: string; operand: Expr; range: Range }
  /** Anything the builder could not read (a string, a lambda, a nesting deeper than the cap). */
  | { kind: 'unknown'; text: string; range: Range; reason?: string };
