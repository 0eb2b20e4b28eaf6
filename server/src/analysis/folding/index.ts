// Constant folding entry points for the CUDA and Triton analyses: expression trees, a C expression
// parser, the evaluator and sizeof table. Pure functions; no tree-sitter types cross this boundary.
export type { Expr, BinaryOperator, UnaryOperator } from './expression';
export { parseCExpression, parseNumberLiteral, MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH } from './parse-c-expression';
export { foldExpr, foldCText, MapEnv, EMPTY_ENV, MAX_EXPANSION_DEPTH } from './evaluate';
export type { Binding, FoldEnv, FoldResult, FunctionBinding } from './evaluate';
export { sizeOfType } from './sizeof';
