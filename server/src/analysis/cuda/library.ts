// Finds cuBLAS / cuBLASLt / cuBLASXt GEMM calls and reads m, n, k, batch, dtype and transposes from
// their arguments (cuBLAS API reference, sections 2.7.1 gemm, 2.7.2 gemm3m, 2.8.12 gemmEx, 2.7.x
// batched, 3.4.x Lt, cuBLASXt gemm); complex ones say how many real GEMMs they run. Pure; values that
// do not fold stay null.
import type { Node } from 'web-tree-sitter';
import { foldExpr, parseCExpression } from '../folding';
import type { Dtype, LibraryGemmCall, Problem } from '../types';
import { splitTopLevel } from './kernels';
import { scopeAt, type ScopeCache } from './scopes';
import { ancestorOfType } from './syntax';

interface Signature {
  /** Argument positions (0-based); batch/type positions are absent when the API has none. */
  m: number;
  n: number;
  k: number;
  transA: number;
  transB: number;
  batch?: number;
  aType?: number;
  computeType?: number;
  /** Fixed dtype from the function name (S/D/H/C/Z prefix). */
  dtype?: Dtype;
  /** Complex data (C/Z prefix): the real GEMMs of m×n×k one call runs (LibraryGemmCall.realGemms). */
  realGemms?: number;
}

const CLASSIC = { transA: 1, transB: 2, m: 3, n: 4, k: 5 };
const PREFIX_DTYPE: Record<string, Dtype> = { S: 'fp32', D: 'fp64', H: 'fp16', C: 'fp32', Z: 'fp64' };

/**
 * Real GEMMs of m×n×k per complex one. A complex multiply-add is 4 real ones, so cublas[CZ]gemm runs 4
 * real GEMMs' work (the conventional 8mnk FLOPs); the 3M variants (cublas[CZ]gemm3m*) use Gauss's trick,
 * 3 real products and some additions: 3. The prediction is for the work run, so 3m counts 3, not 4.
 */
const REAL_GEMMS = { C: 4, Z: 4, gemm3m: 3 } as const;

function typed(prefix: string, threeM = false): Pick<Signature, 'dtype' | 'realGemms'> {
  const dtype = PREFIX_DTYPE[prefix];
  if (prefix !== 'C' && prefix !== 'Z') return { dtype };
  return { dtype, realGemms: threeM ? REAL_GEMMS.gemm3m : REAL_GEMMS[prefix] };
}

function signatureOf(api: string): Signature | null {
  const name = api.replace(/_v2$|_64$/, '');
  // cublasXt<t>gemm (cublasXt.h) has cublas<t>gemm's argument order, its sizes size_t; it splits the GEMM
  // over the handle's GPUs, and the prediction is for the whole GEMM on one of them.
  let match = /^cublas(?:Xt)?([SDHCZ])gemm$/.exec(name);
  if (match) return { ...CLASSIC, ...typed(match[1]!) };
  match = /^cublas([CZ])gemm3m$/.exec(name);
  if (match) return { ...CLASSIC, ...typed(match[1]!, true) };
  match = /^cublas([SDHCZ])gemm(3m)?StridedBatched$/.exec(name);
  if (match) return { ...CLASSIC, batch: 17, ...typed(match[1]!, !!match[2]) };
  match = /^cublas([SDHCZ])gemm(3m)?Batched$/.exec(name);
  if (match) return { ...CLASSIC, batch: 14, ...typed(match[1]!, !!match[2]) };
  if (name === 'cublasGemmEx') return { ...CLASSIC, aType: 8, computeType: 17 };
  if (name === 'cublasSgemmEx') return { ...CLASSIC, aType: 8 };
  if (name === 'cublasGemmStridedBatchedEx') return { ...CLASSIC, aType: 8, batch: 20, computeType: 21 };
  if (name === 'cublasGemmBatchedEx') return { ...CLASSIC, aType: 8, batch: 17, computeType: 18 };
  return null;
}

/** cudaDataType names (library_types.h) → Dtype. */
export function dtypeOfCudaDataType(text: string): Dtype | null {
  const t = text.trim();
  if (/CUDA_R_16F\b/.test(t)) return 'fp16';
  if (/CUDA_R_16BF\b/.test(t)) return 'bf16';
  if (/CUDA_R_32F\b/.test(t)) return 'fp32';
  if (/CUDA_R_64F\b/.test(t)) return 'fp64';
  if (/CUDA_R_8I\b|CUDA_R_8U\b/.test(t)) return 'int8';
  if (/CUDA_R_8F_E4M3\b|CUDA_R_8F_E5M2\b/.test(t)) return 'fp8';
  if (/CUDA_R_4F_E2M1\b/.test(t)) return 'fp4';
  return null;
}

function transposeOf(text: string | undefined): boolean | null {
  if (!text) return null;
  if (/CUBLAS_OP_[TC]\b|CUBLAS_OP_HERMITAN/.test(text)) return true;
  if (/CUBLAS_OP_N\b/.test(text)) return false;
  return null;
}

/** Arguments of the call whose name starts at `nameStart`: parts with offsets, and the call end. */
function callArgs(text: string, nameStart: number, name: string): { parts: ReturnType<typeof splitTopLevel>; end: number } | null {
  let i = nameStart + name.length;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  if (text[i] !== '(') return null;
  let level = 0;
  let j = i;
  for (; j < text.length && j - i < 100000; j++) {
    if (text[j] === '(') level++;
    else if (text[j] === ')' && --level === 0) break;
  }
  return { parts: splitTopLevel(text.slice(i + 1, Math.min(j, text.length)), i + 1), end: Math.min(text.length, j + 1) };
}

export function readLibraryCalls(
  cublasIdentifiers: Array<{ name: string; start: number }>,
  text: string,
  scopes: ScopeCache,
  problems: Problem[],
): LibraryGemmCall[] {
  const calls: LibraryGemmCall[] = [];
  // Descriptors and math modes belong to the function that sets them: two wrappers that both name their
  // layouts `Adesc` must not read each other's (keys are the enclosing function's start and the name).
  const functionOf = (offset: number) => ancestorOfType(scopes.root.descendantForIndex(offset), ['function_definition'], 256)?.startIndex ?? -1;
  const descriptor = (offset: number, argument: string | undefined) => `${functionOf(offset)}:${(argument ?? '').replace(/^&\s*/, '')}`;
  // cublasLtMatrixLayoutCreate(&desc, type, rows, cols, ld), and its batch count set as an attribute.
  const layouts = new Map<string, { type: Dtype | null; rows: number | null; cols: number | null; batch: number | null }>();
  // cublasSetMathMode(handle, CUBLAS_TF32_TENSOR_OP_MATH): fp32 GEMMs after it in the same function run as tf32.
  const tf32Modes: Array<{ fn: number; at: number; tf32: boolean }> = [];
  for (const id of cublasIdentifiers) {
    const layoutCall = id.name === 'cublasLtMatrixLayoutCreate' || id.name === 'cublasLtMatrixLayoutSetAttribute';
    if (!layoutCall && id.name !== 'cublasSetMathMode') continue;
    const args = callArgs(text, id.start, id.name);
    if (!args || args.parts.length < 2) continue;
    if (id.name === 'cublasSetMathMode') {
      tf32Modes.push({ fn: functionOf(id.start), at: id.start, tf32: /TF32/.test(args.parts[1]!.text) });
      continue;
    }
    const scope = scopeAt(scopes, id.start);
    const fold = (part: { text: string; start: number } | undefined) =>
      part ? foldExpr(parseCExpression(part.text, part.start), scope.env, problems).value : null;
    const key = descriptor(id.start, args.parts[0]?.text);
    if (id.name === 'cublasLtMatrixLayoutCreate' && args.parts.length >= 4) {
      layouts.set(key, { type: dtypeOfCudaDataType(args.parts[1]!.text), rows: fold(args.parts[2]), cols: fold(args.parts[3]), batch: null });
    } else if (id.name === 'cublasLtMatrixLayoutSetAttribute' && /BATCH_COUNT/.test(args.parts[1]!.text) && args.parts[2]) {
      const layout = layouts.get(key);
      // The value is passed by address: `&batchCount`.
      const value = args.parts[2].text.trim().startsWith('&') ? fold({ text: args.parts[2].text.replace(/^\s*&\s*/, ''), start: args.parts[2].start }) : null;
      if (layout && value !== null && Number.isInteger(value) && value > 0) layout.batch = value;
    }
  }
  const tf32ModeAt = (offset: number) => {
    const fn = functionOf(offset);
    const last = tf32Modes.filter((mode) => mode.fn === fn && mode.at < offset).pop();
    return last?.tf32 ?? false;
  };
  for (const id of cublasIdentifiers) {
    const base = { api: id.name, range: { start: id.start, end: id.start + id.name.length } };
    if (id.name === 'cublasLtMatmul') {
      const args = callArgs(text, id.start, id.name);
      if (!args) continue;
      const layout = (i: number) => layouts.get(descriptor(id.start, args.parts[i]?.text)) ?? null;
      const a = layout(4);
      const c = layout(9) ?? layout(11);
      const m = c?.rows ?? null;
      const n = c?.cols ?? null;
      // A is m×k (or k×m when transposed): k is the dimension of A that is not m.
      let k: number | null = null;
      if (a && m !== null) k = a.rows === m ? a.cols : a.cols === m ? a.rows : null;
      const batch = c?.batch ?? a?.batch ?? null;
      calls.push({ ...base, range: { start: id.start, end: args.end }, m, n, k, batch, dtype: a?.type ?? null, transA: null, transB: null });
      continue;
    }
    const signature = signatureOf(id.name);
    if (!signature) continue;
    // Only calls, not declarations or mentions in strings: the tree must see a call expression here.
    const node: Node | null = scopes.root.descendantForIndex(id.start);
    if (!ancestorOfType(node, ['call_expression'], 3)) continue;
    const args = callArgs(text, id.start, id.name);
    if (!args) continue;
    const scope = scopeAt(scopes, id.start);
    const fold = (i: number | undefined) => {
      if (i === undefined) return null;
      const p = args.parts[i];
      if (!p) return null;
      const value = foldExpr(parseCExpression(p.text, p.start), scope.env, problems).value;
      return value !== null && Number.isInteger(value) ? value : null;
    };
    let dtype: Dtype | null = signature.dtype ?? null;
    let realGemms = signature.realGemms;
    if (signature.aType !== undefined) {
      const aType = args.parts[signature.aType]?.text ?? '';
      dtype = dtypeOfCudaDataType(aType);
      // Complex data of an Ex call (CUDA_C_32F, ...): the real type's rate, 4 real GEMMs (REAL_GEMMS).
      if (dtype === null && /\bCUDA_C_/.test(aType)) {
        dtype = dtypeOfCudaDataType(aType.replace(/\bCUDA_C_/, 'CUDA_R_'));
        realGemms = REAL_GEMMS.C;
      }
    }
    // fp32 data computed on tensor cores runs at the rate of the compute type's inputs: tf32 (FAST_TF32,
    // or the handle's TF32 math mode), bf16 or fp16 (FAST_16BF, FAST_16F; cuBLAS converts the fp32 data
    // on the way in, so the operands' traffic is under-counted: the compute rate is what these are for).
    const computeType = signature.computeType !== undefined ? (args.parts[signature.computeType]?.text ?? '') : '';
    if (dtype === 'fp32') {
      if (/FAST_16BF/.test(computeType)) dtype = 'bf16';
      else if (/FAST_16F/.test(computeType)) dtype = 'fp16';
      else if (/TF32/.test(computeType) || tf32ModeAt(id.start)) dtype = 'tf32';
    }
    calls.push({
      ...base,
      range: { start: id.start, end: args.end },
      m: fold(signature.m),
      n: fold(signature.n),
      k: fold(signature.k),
      batch: signature.batch === undefined ? null : fold(signature.batch),
      dtype,
      transA: transposeOf(args.parts[signature.transA]?.text),
      transB: transposeOf(args.parts[signature.transB]?.text),
      ...(realGemms ? { realGemms } : {}),
    });
  }
  return calls;
}
