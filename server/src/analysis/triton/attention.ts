// Fused attention kernels in Triton: how flash attention's forward pass is recognised (two or more tl.dot
// in one loop over KV blocks with the online softmax's exponential and running maximum in that loop, in
// the kernel or in jit helpers it calls, as tutorial 06 and tritonbench write it), and its backward pass
// (the output gradient taken, P recomputed from the saved statistics: attentionBackward), and a launch's
// attention shape (batch × heads, query and KV sequence lengths, head dimension) from its Q and K tensors
// (found by name), its arguments and its grid, and its element type's fallback. Pure; it predicts
// nothing: perf/workload-from-analysis.ts turns the shape into a workload.
import type { SyntaxNode } from './tree';
import type { AttentionShape } from '../types';
import type { Evaluator } from './evaluate';
import type { FoundLaunch } from './launches';
import { bodyNodes, bodyOf, field } from './syntax';
import { asInteger, type PyValue } from './values';

const DOT = /^triton\.language\.(dot|dot_scaled)$/;
const EXP = /^triton\.language\.(math\.)?(exp|exp2)$/;
const MAX = /^triton\.language\.(math\.)?(max|maximum)$/;

/**
 * Whether `body` (a kernel's, or a jit helper's it calls, `helpers` by name) has a loop holding two or more
 * tl.dot (or `@`), an exponential and a running maximum, directly or in helpers it calls: QKᵀ, the online
 * softmax, P·V (a third product is MLA's rotary part, SGLang's `qpe·kpe`). A backward pass recomputes P
 * from the saved log-sum-exp, with no maximum in its loop; a GEMM that fuses two products and applies an
 * activation after its K loop (SwiGLU) has no exponential in it.
 */
export function isAttention(body: SyntaxNode, evaluator: Evaluator, helpers: Map<string, SyntaxNode>, seen = new Set<string>()): boolean {
  const nodes = bodyNodes(body);
  const counts = new Map<string, Counts>();
  for (const loop of nodes.loops) {
    const inLoop = countWithin(body, evaluator, helpers, counts, loop);
    if (inLoop.products >= 2 && inLoop.exponentials > 0 && inLoop.maxima > 0) return true;
  }
  for (const call of nodes.calls) {
    const callee = field(call, 'function');
    if (callee?.type !== 'identifier' || !helpers.has(callee.text) || seen.has(callee.text)) continue;
    seen.add(callee.text);
    const helperBody = bodyOf(helpers.get(callee.text)!);
    if (helperBody && isAttention(helperBody, evaluator, helpers, seen)) return true;
  }
  return false;
}

/** The output gradient a backward kernel takes (tutorial 06's `DO`, flash-attn's `DO`, `do_ptr`, `dout`, `grad_output`). */
const OUTPUT_GRADIENT_NAMES = /^(do|d_o|do_ptr|dout|d_out|grad_out|grad_output)$/i;

/** A flash attention backward kernel's work: its loops' products per KV step in all, and how many of its loops recompute P. */
export interface AttentionBackward {
  products: number;
  softmaxPasses: number;
}

/**
 * Whether a kernel is flash attention's backward pass: it takes the output gradient (by name), and its
 * loops (in the kernel or in jit helpers it calls outside its own loops) hold two or more tl.dot with an
 * exponential and no running maximum: P recomputed from the saved log-sum-exp, then dV += Pᵀ·dO, dS, dK,
 * dQ. Tutorial 06's `_attn_bwd` loops twice (dK and dV: 4 products; dQ: 3 products), recomputing P in both.
 */
export function attentionBackward(
  body: SyntaxNode,
  parameterNames: readonly string[],
  evaluator: Evaluator,
  helpers: Map<string, SyntaxNode>,
): AttentionBackward | null {
  if (!parameterNames.some((name) => OUTPUT_GRADIENT_NAMES.test(name))) return null;
  const total = { products: 0, softmaxPasses: 0, maxima: 0 };
  const seen = new Set<string>();
  const visit = (fn: SyntaxNode, depth: number): void => {
    const nodes = bodyNodes(fn);
    const counts = new Map<string, Counts>();
    for (const loop of nodes.loops) {
      // An inner loop is counted with the loop around it.
      if (nodes.loops.some((outer) => outer !== loop && outer.startIndex <= loop.startIndex && loop.endIndex <= outer.endIndex)) continue;
      const inLoop = countWithin(fn, evaluator, helpers, counts, loop);
      total.products += inLoop.products;
      total.maxima += inLoop.maxima;
      if (inLoop.products > 0 && inLoop.exponentials > 0) total.softmaxPasses++;
    }
    if (depth >= 3) return;
    for (const call of nodes.calls) {
      const callee = field(call, 'function');
      if (callee?.type !== 'identifier' || !helpers.has(callee.text) || seen.has(callee.text)) continue;
      if (nodes.loops.some((loop) => loop.startIndex <= call.startIndex && call.endIndex <= loop.endIndex)) continue;
      seen.add(callee.text);
      const helperBody = bodyOf(helpers.get(callee.text)!);
      if (helperBody) visit(helperBody, depth + 1);
    }
  };
  visit(body, 0);
  return total.products >= 2 && total.softmaxPasses > 0 && total.maxima === 0 ? { products: total.products, softmaxPasses: total.softmaxPasses } : null;
}

interface Counts {
  products: number;
  exponentials: number;
  maxima: number;
}

/** Products and exponentials in `body` (within `range` when given), a called helper's counted where it is called. */
function countWithin(
  body: SyntaxNode,
  evaluator: Evaluator,
  helpers: Map<string, SyntaxNode>,
  memo: Map<string, Counts>,
  range?: SyntaxNode,
  depth = 0,
): Counts {
  const nodes = bodyNodes(body);
  const within = (node: SyntaxNode) => !range || (node.startIndex >= range.startIndex && node.endIndex <= range.endIndex);
  const counts: Counts = { products: 0, exponentials: 0, maxima: 0 };
  for (const node of nodes.binaryOperators) if (within(node) && field(node, 'operator')?.type === '@') counts.products++;
  for (const call of nodes.calls) {
    if (!within(call)) continue;
    const callee = field(call, 'function');
    if (!callee) continue;
    const name = evaluator.canonicalOf(callee);
    if (name !== null && DOT.test(name)) counts.products++;
    else if (name !== null && EXP.test(name)) counts.exponentials++;
    else if (name !== null && MAX.test(name)) counts.maxima++;
    else if (callee.type === 'identifier' && helpers.has(callee.text) && depth < 3) {
      let inner = memo.get(callee.text);
      if (!inner) {
        const helperBody = bodyOf(helpers.get(callee.text)!);
        memo.set(callee.text, { products: 0, exponentials: 0, maxima: 0 });
        inner = helperBody ? countWithin(helperBody, evaluator, helpers, memo, undefined, depth + 1) : { products: 0, exponentials: 0, maxima: 0 };
        memo.set(callee.text, inner);
      }
      counts.products += inner.products;
      counts.exponentials += inner.exponentials;
      counts.maxima += inner.maxima;
    }
  }
  return counts;
}

const SEQ_NAMES = /^(n_ctx|n_ctx_q|seq_len|seqlen|seq_len_q|seqlen_q|max_seqlen_q|seqlen_q_rounded)$/i;
const SEQ_KV_NAMES = /^(n_ctx_kv|n_ctx_k|seq_len_kv|seqlen_k|seq_len_k|max_seqlen_k|seqlen_kv)$/i;
const HEAD_DIM_NAMES = /^(head_dim|headdim|d_head|head_size|d_model)$/i;
/** Tiles as wide as the head, often padded to a power of two (vLLM's decode: 1024 for MLA's 576): after Q's shape. */
const HEAD_TILE_NAMES = /^(block_dmodel|block_headdim|block_d)$/i;
const HEADS_NAMES = /^(h|heads|num_heads|n_heads|nheads|h_q)$/i;
const BATCH_NAMES = /^(z|b|batch|batch_size|bs)$/i;
const BLOCK_M_NAMES = /^(block_m|block_size_m|bm)$/i;
const CAUSAL_NAMES = /^(causal|is_causal|causal_mask)$/i;
const KV_GROUP_NAMES = /^(kv_group_num|num_queries_per_kv|queries_per_kv|gqa_group_size|num_kv_groups|kv_group_size)$/i;
const VARLEN_NAMES = /^(b_seq_?len|b_start_loc|cu_seqlens(_q|_k)?|cu_seq_lens(_q|_k)?|seq_lens|seqused_k|qo_indptr|kv_indptr|query_start_loc)$/i;

/** What the code gives of an attention launch's shape: null where it does not say. */
export interface PartialAttentionShape {
  /** Query heads per K/V head when the code says (a group-size argument, or Q's and K's head counts); else null. */
  kvGroup?: number | null;
  batchHeads: number | null;
  seqQ: number | null;
  seqKv: number | null;
  headDim: number | null;
  causal: boolean;
}

/** Attention's element type when neither the code nor an annotation gives one and the default is fp32: flash attention runs in fp16/bf16. */
export const ATTENTION_DEFAULT_DTYPE = 'fp16' as const;

/** The most common head dimension of current models (Llama 3, Mistral, Qwen 2): taken when the code does not say. */
export const DEFAULT_HEAD_DIM = 128;

/**
 * The attention shape with what the code does not give filled in: the sequence from the default problem's
 * M, the head dimension DEFAULT_HEAD_DIM, batch × heads from the grid (else 1); `assumed` names them.
 */
export function completeAttentionShape(partial: PartialAttentionShape, defaultSeq: number, launch: FoundLaunch): { shape: AttentionShape; assumed: string[] } {
  const assumed: string[] = [];
  const or = (value: number | null, fallback: number, name: string): number => {
    if (value !== null) return value;
    assumed.push(name);
    return fallback;
  };
  const seqQ = or(partial.seqQ, defaultSeq, 'seq');
  // A decode launch (one query) whose KV length the code does not give: the default sequence.
  const seqKv = partial.seqKv ?? (seqQ === 1 ? or(null, defaultSeq, 'seq_kv') : seqQ);
  const headDim = or(partial.headDim, DEFAULT_HEAD_DIM, 'head_dim');
  const batchHeads = or(partial.batchHeads ?? batchHeadsFromGrid(launch, seqQ), 1, 'batch×heads');
  const kvGroup = partial.kvGroup !== undefined && partial.kvGroup !== null && partial.kvGroup > 1 ? { kvGroup: partial.kvGroup } : {};
  return { shape: { batchHeads, seqQ, seqKv, headDim, causal: partial.causal, ...kvGroup }, assumed };
}

/** Batch × heads from the grid: one program per query block and head, its size over cdiv(seq, BLOCK_M). */
function batchHeadsFromGrid(launch: FoundLaunch, seqQ: number): number | null {
  const grid = launch.site.grid;
  const blockM = namedValue(launch, BLOCK_M_NAMES);
  if (!grid || blockM === null) return null;
  const programs = grid[0] * grid[1] * grid[2];
  const queryBlocks = Math.ceil(seqQ / blockM);
  return programs % queryBlocks === 0 && programs >= queryBlocks ? programs / queryBlocks : null;
}

/** The first positive integer an argument named like `pattern` has at the launch (its value, else its meta-parameter). */
function namedValue(launch: FoundLaunch, pattern: RegExp): number | null {
  const values = launch.argumentValues;
  const order = launch.kernel?.parameters.map((parameter) => parameter.name) ?? [...values.keys()];
  for (const name of order) {
    if (!pattern.test(name)) continue;
    const value = asInteger(values.get(name) ?? { kind: 'unknown' }) ?? launch.site.metaParams[name] ?? null;
    if (value !== null && value > 0) return value;
  }
  return null;
}

type Tensor = PyValue & { kind: 'tensor' };
const Q_NAMES = /^(q|q_ptr|query|q_in|desc_q|q_desc)$/i;
const K_NAMES = /^(k|k_ptr|key|k_in|desc_k|k_desc|k_cache|k_buffer)$/i;

/**
 * Q and K at a launch: the tensors passed for parameters named for them (`Q`, `q_ptr`, `K`, `K_Buffer`),
 * else the first and second tensors. By name first: tutorial 06's TMA kernel takes the softmax
 * statistics `M` (Z, H, N, float32) before Q, which is a descriptor.
 */
export function attentionTensors(launch: FoundLaunch): { q: Tensor | undefined; k: Tensor | undefined } {
  const values = launch.argumentValues;
  const order = launch.kernel?.parameters.map((parameter) => parameter.name) ?? [...values.keys()];
  const tensorNamed = (pattern: RegExp) => {
    const name = order.find((candidate) => pattern.test(candidate));
    const value = name === undefined ? undefined : values.get(name);
    return { named: name !== undefined, tensor: value?.kind === 'tensor' ? value : undefined };
  };
  const q = tensorNamed(Q_NAMES);
  const k = tensorNamed(K_NAMES);
  const tensors = order.map((name) => values.get(name)).filter((value): value is Tensor => value?.kind === 'tensor');
  // A parameter named Q that is no tensor here (a TMA descriptor) leaves Q unknown rather than another tensor.
  return { q: q.named ? q.tensor : tensors[0], k: k.named ? k.tensor : q.named ? undefined : tensors[1] };
}

/** What the code gives of an attention launch's shape: named arguments, then Q's and K's shapes, then the grid. */
export function attentionShape(launch: FoundLaunch): PartialAttentionShape {
  const values = launch.argumentValues;
  const order = launch.kernel?.parameters.map((parameter) => parameter.name) ?? [...values.keys()];
  const byName = (pattern: RegExp) => namedValue(launch, pattern);
  const { q: qTensor, k: kTensor } = attentionTensors(launch);
  const sides = (tensor: Tensor | undefined) => tensor?.shape?.map((dim) => asInteger(dim)) ?? null;
  // (Z, H, N, D) as tutorial 06 lays Q and K out, (Z, N, H, D) as flash-attn does (the sequence is the
  // longer of the middle two), or (Z·H, N, D).
  // A kernel that takes per-sequence lengths or offsets (vLLM's B_Seqlen, cu_seqlens) packs the tokens
  // of all sequences: (tokens, heads, D), read as one sequence of all the tokens.
  const packed = order.some((name) => VARLEN_NAMES.test(name));
  // Packed with no query tile (no BLOCK_M): a decode kernel, one query token per sequence, each of the
  // tokens its own sequence; the KV cache's layout (pages) says nothing of each sequence's length.
  const decode = packed && !order.some((name) => BLOCK_M_NAMES.test(name));
  const read = (shape: (number | null)[] | null): { batchHeads: number | null; seq: number | null; headDim: number | null } => {
    if (!shape || shape.some((dim) => dim === null || dim <= 0)) return { batchHeads: null, seq: null, headDim: null };
    const dims = shape as number[];
    if (dims.length === 4) return { batchHeads: dims[0] * Math.min(dims[1], dims[2]), seq: Math.max(dims[1], dims[2]), headDim: dims[3] };
    if (dims.length === 3 && decode) return { batchHeads: dims[0] * dims[1], seq: 1, headDim: dims[2] };
    if (dims.length === 3 && packed) return { batchHeads: dims[1], seq: dims[0], headDim: dims[2] };
    if (dims.length === 3) return { batchHeads: dims[0], seq: dims[1], headDim: dims[2] };
    return { batchHeads: null, seq: null, headDim: null };
  };
  const q = read(sides(qTensor));
  const k = read(sides(kTensor));
  const seqQ = decode ? 1 : (byName(SEQ_NAMES) ?? q.seq);
  const headDim = byName(HEAD_DIM_NAMES) ?? q.headDim ?? byName(HEAD_TILE_NAMES);
  const seqKv = byName(SEQ_KV_NAMES) ?? (decode ? null : (k.seq ?? seqQ));
  const batch = byName(BATCH_NAMES);
  const heads = byName(HEADS_NAMES);
  const batchHeads = (batch !== null && heads !== null ? batch * heads : q.batchHeads) ?? (seqQ !== null ? batchHeadsFromGrid(launch, seqQ) : null);
  // Grouped-query / multi-latent attention: K and V have fewer heads than Q, each read by a group of query heads.
  const headsOf = (shape: (number | null)[] | null): number | null => {
    if (!shape || shape.some((dim) => dim === null || dim <= 0)) return null;
    const dims = shape as number[];
    if (dims.length === 4) return Math.min(dims[1], dims[2]);
    return dims.length === 3 && packed ? dims[1] : null;
  };
  const qHeads = headsOf(sides(qTensor));
  const kHeads = headsOf(sides(kTensor));
  const kvGroup = byName(KV_GROUP_NAMES) ?? (qHeads !== null && kHeads !== null && qHeads % kHeads === 0 ? qHeads / kHeads : null);
  return { batchHeads, seqQ, seqKv, headDim, causal: causal(launch, order), kvGroup };
}

/** A causal mask: a `causal`-named argument that is true, or tutorial 06's `STAGE=3`. */
function causal(launch: FoundLaunch, order: string[]): boolean {
  for (const name of order) {
    const value = launch.argumentValues.get(name);
    if (CAUSAL_NAMES.test(name) && (value?.kind === 'bool' ? value.value : asInteger(value ?? { kind: 'unknown' }) === 1)) return true;
    if (name === 'STAGE' && asInteger(value ?? { kind: 'unknown' }) === 3) return true;
  }
  return false;
}
