// Decides M, N, K, batch and dtype for a Triton launch: from the code (arguments bound to the kernel's
// M/N/K parameters, tensor dtypes; an attention kernel's shape, triton/attention.ts), else from a `# tilecast:` annotation on or above the launch, the
// kernel or the file, else from the configured default; `assumed` names what did not come from code.
import type { AnalysisOptions, Dtype, ProblemSize } from '../types';
import type { Annotation } from './annotations';
import { ATTENTION_DEFAULT_DTYPE, attentionShape, attentionTensors, completeAttentionShape } from './attention';
import type { FoundLaunch } from './launches';
import { asInteger, type PyValue } from './values';

type Field = 'm' | 'n' | 'k' | 'dtype';
type Source = 'code' | 'annotation' | 'default';

const DIMENSION_NAMES: Record<'m' | 'n' | 'k', RegExp> = { m: /^m$/i, n: /^n$/i, k: /^k$/i };
const BATCH_NAMES = /^(b|batch|batch_size|bs|z|num_batches|n_batch|batch_count)$/i;

export function resolveProblem(launch: FoundLaunch, annotationChain: Annotation[], options: AnalysisOptions): ProblemSize {
  const values = launch.argumentValues;
  const parameterOrder = launch.kernel?.parameters.map((parameter) => parameter.name) ?? [...values.keys()];
  const fromCode = (pattern: RegExp): number | null => {
    for (const name of parameterOrder) {
      if (!pattern.test(name)) continue;
      const value = asInteger(values.get(name) ?? { kind: 'unknown' });
      if (value !== null && value > 0) return value;
    }
    return null;
  };
  const problem: ProblemSize = { m: null, n: null, k: null, batch: null, dtype: null, assumed: [], source: 'code' };
  const sources = new Map<Field, Source>();
  for (const field of ['m', 'n', 'k'] as const) {
    const code = fromCode(DIMENSION_NAMES[field]);
    if (code !== null) {
      problem[field] = code;
      sources.set(field, 'code');
      continue;
    }
    const annotated = annotationChain.find((annotation) => annotation[field] !== null);
    if (annotated) {
      problem[field] = annotated[field];
      sources.set(field, 'annotation');
    } else {
      problem[field] = options.defaultProblem[field];
      sources.set(field, 'default');
    }
  }
  problem.batch = fromCode(BATCH_NAMES) ?? annotationChain.find((annotation) => annotation.batch !== null)?.batch ?? null;
  // A fused attention launch: one GEMM-equivalent per batch × head, the same FLOPs as QKᵀ and P·V
  // (K = 2·seqKv; a causal mask skips half). What the code does not give is assumed (seq from the
  // default M, head_dim 128, batch × heads from the grid or 1), unless an annotation sizes the GEMM.
  const annotatedSize = annotationChain.some((annotation) => annotation.m !== null || annotation.n !== null || annotation.k !== null);
  const partial = launch.kernel?.info.attention ? attentionShape(launch) : null;
  const attentionAssumed: string[] = [];
  const attentionSources = new Map<string, Source>();
  if (partial && (!annotatedSize || (partial.seqQ !== null && partial.headDim !== null && partial.batchHeads !== null))) {
    // What the code does not give comes from a `# tilecast: seq=… heads=… head_dim=…` annotation, else the default.
    const annotated = <K extends keyof Annotation['attention']>(key: K): Annotation['attention'][K] | null =>
      annotationChain.find((annotation) => annotation.attention[key] !== null)?.attention[key] ?? null;
    const fromAnnotation = (name: string, code: number | null, value: number | null): number | null => {
      if (code !== null || value === null) return code;
      attentionAssumed.push(name);
      attentionSources.set(name, 'annotation');
      return value;
    };
    const heads = annotated('heads');
    const annotatedBatch = annotationChain.find((annotation) => annotation.batch !== null)?.batch ?? null;
    const seqQ = fromAnnotation('seq', partial.seqQ, annotated('seq'));
    const merged = {
      ...partial,
      seqQ,
      seqKv: fromAnnotation('seq_kv', partial.seqKv, annotated('seqKv')),
      headDim: fromAnnotation('head_dim', partial.headDim, annotated('headDim')),
      batchHeads: fromAnnotation('batch×heads', partial.batchHeads, heads !== null || annotatedBatch !== null ? (heads ?? 1) * (annotatedBatch ?? 1) : null),
      causal: partial.causal || annotated('causal') === true,
    };
    const { shape, assumed } = completeAttentionShape(merged, options.defaultProblem.m, launch);
    // The backward pass: its products per KV step instead of the forward's two (tutorial 06: 7, K = 7·seqKv).
    const backward = launch.kernel?.info.attentionBackward;
    if (backward) shape.backward = { ...backward };
    problem.attention = shape;
    problem.m = shape.seqQ;
    problem.n = shape.headDim;
    const forwardK = shape.causal ? causalK(shape.seqQ, shape.seqKv) : 2 * shape.seqKv;
    problem.k = backward ? Math.round((forwardK * backward.products) / 2) : forwardK;
    problem.batch = shape.batchHeads;
    for (const field of ['m', 'n', 'k'] as const) sources.set(field, 'code');
    attentionAssumed.push(...assumed);
  }

  const codeDtype = dtypeFromCode(launch, parameterOrder);
  if (codeDtype) {
    problem.dtype = codeDtype;
    sources.set('dtype', 'code');
  } else {
    const annotated = annotationChain.find((annotation) => annotation.dtype !== null);
    // Flash attention runs in half precision: an fp32 default would price it on the FP32 pipes.
    const fallback = problem.attention && /^(fp32|tf32)$/.test(options.defaultProblem.dtype) ? ATTENTION_DEFAULT_DTYPE : options.defaultProblem.dtype;
    problem.dtype = annotated?.dtype ?? fallback;
    sources.set('dtype', annotated ? 'annotation' : 'default');
  }

  problem.assumed = [...attentionAssumed, ...(['m', 'n', 'k', 'dtype'] as const).filter((field) => sources.get(field) !== 'code')];
  // As for CUDA (types.ts): where the *assumed* values came from; values read from code are not assumed.
  const origins = new Set(problem.assumed.map((field) => sources.get(field as Field) ?? attentionSources.get(field) ?? 'default'));
  problem.source = origins.size === 0 ? 'code' : origins.size === 1 ? [...origins][0]! : 'mixed';
  return problem;
}

/**
 * The element type of the first tensor passed to the kernel, else the kernel's own dtype from its code.
 * Only the first tensor, and only when it is the first argument or the kernel's code says nothing: a later
 * one is often the output (an int8 GEMM writing fp16, an fp8 GEMM writing bf16), whose type is not the
 * operands'. fp32 tensors into tl.dot run as tf32 unless the kernel asks for ieee precision (Triton's
 * default `input_precision` on NVIDIA is tf32).
 */
function dtypeFromCode(launch: FoundLaunch, parameterOrder: string[]): Dtype | null {
  const kernel = launch.kernel;
  if (kernel?.info.attention) return attentionDtype(launch);
  const fromKernelCode = kernel && kernel.info.dtype && !kernel.dtypeFromAnnotation ? kernel.info.dtype : null;
  let tensorDtype: Dtype | null = null;
  for (const [index, name] of parameterOrder.entries()) {
    const value: PyValue | undefined = launch.argumentValues.get(name);
    if (value?.kind === 'tensor') {
      tensorDtype = index === 0 || !fromKernelCode ? (value.dtype ?? null) : null;
      break;
    }
  }
  if (tensorDtype) {
    if (tensorDtype === 'fp32' && kernel?.info.tensorCores === 'tl-dot' && kernel.dotPrecision === 'tf32') return 'tf32';
    return tensorDtype;
  }
  return fromKernelCode;
}

/**
 * An attention launch's element type: Q's, else the kernel's own from its code unless that is fp32:
 * attention kernels cast the softmax and a bias to float32 (flash-attn's `.to(tl.float32)`), not their
 * operands, and the float32 tensor passed first is the softmax statistics (tutorial 06's `M`).
 */
function attentionDtype(launch: FoundLaunch): Dtype | null {
  const kernel = launch.kernel!;
  const q = attentionTensors(launch).q?.dtype ?? null;
  if (q) return q === 'fp32' && kernel.dotPrecision === 'tf32' ? 'tf32' : q;
  const fromKernelCode = kernel.info.dtype;
  return fromKernelCode && (kernel.dtypeFromAnnotation || (fromKernelCode !== 'fp32' && fromKernelCode !== 'tf32')) ? fromKernelCode : null;
}

/**
 * The GEMM-equivalent K of a causal launch: twice the keys a query sees on average, under a mask aligned to
 * the end of the keys (FlashAttention since 2.1, vLLM's prefix prefill): query i of seqQ sees
 * seqKv − seqQ + i + 1 of them, none below zero; equal lengths halve the work.
 */
function causalK(seqQ: number, seqKv: number): number {
  return seqQ <= seqKv ? 2 * seqKv - seqQ : Math.max(1, Math.round((seqKv * seqKv) / seqQ));
}
