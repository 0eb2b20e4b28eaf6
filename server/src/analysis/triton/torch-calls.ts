// PyTorch GEMM calls in Python files: `torch.matmul`, `torch.mm`, `torch.bmm`, `torch.addmm`,
// `torch.nn.functional.linear`, the tensor methods of the same names and `a @ b`. Each is a library GEMM
// (cuBLAS underneath) that the editor predicts like a cuBLAS call in CUDA, with M, N, K, batch and dtype
// from the operand tensors the evaluator knows (`torch.randn(M, K, dtype=...)` and friends). A call with
// neither operand's shape known is left out (model code's activations); a size that does not fold stays
// null (the report assumes the default and says so). Pure; never throws.
import type { SyntaxNode } from './tree';
import { MATMUL_OPERATOR, TENSOR_FACTORIES, TORCH_GEMM_NAMES } from '../language';
import type { LibraryGemmCall } from '../types';
import type { ScopeSet } from './scopes';
import { callArguments, field, moduleNodes, rangeOf } from './syntax';
import { asInteger, type PyValue } from './values';

/** The GEMM functions by canonical name, and the index of their first matrix operand. */
const FUNCTIONS: Record<string, { api: string; kind: Kind; first: number }> = {
  'torch.matmul': { api: 'torch.matmul', kind: 'matmul', first: 0 },
  'torch.mm': { api: 'torch.mm', kind: 'matmul', first: 0 },
  'torch.bmm': { api: 'torch.bmm', kind: 'matmul', first: 0 },
  'torch.addmm': { api: 'torch.addmm', kind: 'matmul', first: 1 },
  'torch.baddbmm': { api: 'torch.baddbmm', kind: 'matmul', first: 1 },
  'torch.nn.functional.linear': { api: 'torch.nn.functional.linear', kind: 'linear', first: 0 },
};
/** Tensor methods that multiply `self` by their first argument. */
const METHODS = new Set(['matmul', 'mm', 'bmm']);
/** The last name of every callee above (`F.linear` ends in `linear`): the walk's cheap filter. */
const LAST_NAMES = new Set([...Object.keys(FUNCTIONS).map((name) => name.slice(name.lastIndexOf('.') + 1)), ...METHODS]);

type Kind = 'matmul' | 'linear';

/**
 * Evaluation steps one operand may take: a tensor made by a factory a few bindings away (or passed in at a
 * call site) takes tens; an activation computed through a model's layers is unknown however long one
 * looks, and a 3,500-line model file has hundreds of such operands.
 */
const OPERAND_STEPS = 100;

/** Every PyTorch GEMM call of the file (`text`, parsed as `root`), in text order. */
export function torchGemmCalls(root: SyntaxNode, text: string, scopes: ScopeSet): LibraryGemmCall[] {
  const calls: LibraryGemmCall[] = [];
  const push = (call: LibraryGemmCall | null) => {
    if (call) calls.push(call);
  };
  // Most Python files have none: skip the walk unless a GEMM's name or `@` appears at all, and a tensor
  // factory does too (the evaluator knows shapes only from those, so without one no call would be kept).
  const hasMatmulOperator = MATMUL_OPERATOR.test(text);
  if ((!hasMatmulOperator && !TORCH_GEMM_NAMES.test(text)) || !TENSOR_FACTORIES.test(text)) return calls;
  const evaluator = scopes.evaluator;
  const nodes = moduleNodes(root);
  const candidates = hasMatmulOperator
    ? [...nodes.calls, ...nodes.binaryOperators].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex)
    : nodes.calls;
  for (const node of candidates) {
    // The cheap test first (the callee's last name); the scope is looked up only for a GEMM.
    let scope: ReturnType<ScopeSet['scopeFor']> | null = null;
    const value = (operand: SyntaxNode | null | undefined): PyValue =>
      operand ? evaluator.evaluateWithin(operand, (scope ??= scopes.scopeFor(node)), OPERAND_STEPS) : { kind: 'unknown' };
    if (node.type === 'binary_operator') {
      if (field(node, 'operator')?.text !== '@') continue;
      push(knownGemm('@', 'matmul', node, value(field(node, 'left')), value(field(node, 'right'))));
      continue;
    }
    const fn = field(node, 'function');
    const last = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : fn?.type === 'identifier' ? fn.text : undefined;
    if (!fn || !last || !LAST_NAMES.has(last)) continue;
    const args = callArguments(node);
    if (args.hasSplat) continue;
    const positional = args.positional;
    const known = FUNCTIONS[evaluator.canonicalOf(fn, (scope ??= scopes.scopeFor(node))) ?? ''];
    if (known) {
      const [first, second] = known.kind === 'linear' ? ['input', 'weight'] : known.first === 0 ? ['input', 'mat2'] : ['mat1', 'mat2'];
      const a = positional[known.first] ?? args.keywords.get(first)?.value ?? args.keywords.get('batch1')?.value;
      const b = positional[known.first + 1] ?? args.keywords.get(second)?.value ?? args.keywords.get('other')?.value ?? args.keywords.get('batch2')?.value;
      push(knownGemm(known.api, known.kind, node, value(a), value(b)));
      continue;
    }
    // `a.matmul(b)`: only when `a` is known to be a tensor (a method of that name on anything else is not a GEMM).
    if (fn.type === 'attribute' && METHODS.has(field(fn, 'attribute')?.text ?? '')) {
      const self = value(field(fn, 'object'));
      if (self.kind === 'tensor') push(knownGemm(`Tensor.${field(fn, 'attribute')!.text}`, 'matmul', node, self, value(positional[0])));
    }
  }
  return calls;
}

/** The dimensions of a tensor value (null entries where a size does not fold), or null when its shape is unknown. */
function dimsOf(value: PyValue): Array<number | null> | null {
  if (value.kind !== 'tensor' || !value.shape) return null;
  return value.shape.map((d) => {
    const n = asInteger(d);
    return n !== null && n > 0 ? n : null;
  });
}

function product(dims: Array<number | null>): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

/**
 * The call's GEMM, or null when neither operand's shape is known: in model code most matmuls multiply
 * activations whose shapes only exist at run time, and a prediction at an assumed size for each would
 * bury the ones that are known.
 */
function knownGemm(api: string, kind: Kind, node: SyntaxNode, a: PyValue, b: PyValue): LibraryGemmCall | null {
  return dimsOf(a) || dimsOf(b) ? gemmCall(api, kind, node, a, b) : null;
}

/**
 * M, N, K and batch of `a op b` as PyTorch runs it: `matmul` of a batch of matrices by one matrix folds the
 * batch into M (one GEMM), two batches are a batched GEMM, a vector is a matrix of one row or column;
 * `linear(x, w)` is `x @ w.T` with the weight stored [N, K].
 */
function gemmCall(api: string, kind: Kind, node: SyntaxNode, a: PyValue, b: PyValue): LibraryGemmCall {
  const call: LibraryGemmCall = { api, range: rangeOf(node), m: null, n: null, k: null, batch: null, dtype: null, transA: false, transB: kind === 'linear' };
  const dtypeOf = (v: PyValue) => (v.kind === 'tensor' ? v.dtype : null);
  call.dtype = dtypeOf(a) ?? dtypeOf(b);
  const da = dimsOf(a);
  const db = dimsOf(b);
  if (da && da.length >= 1) {
    call.k = da[da.length - 1]!;
    if (da.length === 1) call.m = 1;
    else if (kind === 'linear' || !db || db.length <= 2) call.m = product(da.slice(0, -1));
    else {
      call.m = da[da.length - 2]!;
      call.batch = product(da.slice(0, -2));
    }
  }
  if (db && db.length >= 1) {
    if (kind === 'linear') {
      call.n = db.length === 2 ? db[0]! : null;
      call.k ??= db[db.length - 1]!;
    } else if (db.length === 1) {
      call.n = 1;
      call.k ??= db[0]!;
    } else {
      call.n = db[db.length - 1]!;
      call.k ??= db[db.length - 2]!;
      if (db.length > 2 && (!da || da.length <= 2)) call.batch = product(db.slice(0, -2));
    }
  }
  if (call.batch === 1) call.batch = null;
  return call;
}
