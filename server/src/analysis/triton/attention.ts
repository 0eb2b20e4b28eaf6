// Fused attention kernels (flash attention's forward pass) in Triton: how one is recognised (two tl.dot
// in one loop over KV blocks with the online softmax's exponential in that loop, in the kernel or in
// jit helpers it calls, as tutorial 06 and tritonbench write it), and a launch's attention shape (batch × heads, query and
// KV sequence lengths, head dimension) from its Q and K tensors, its arguments and its grid. Pure; it
// predicts nothing: perf/workload-from-analysis.ts turns the shape into a workload.
import type { Node } from 'web-tree-sitter';
import type { AttentionShape } from '../types';
import type { Evaluator } from './evaluate';
import type { FoundLaunch } from './launches';
import { bodyNodes, bodyOf, field } from './syntax';
import { asInteger, type PyValue } from './values';

const DOT = /^triton\.language\.(dot|dot_scaled)$/;
const EXP = /^triton\.language\.(math\.)?(exp|exp2)$/;

/**
 * Whether `body` (a kernel's, or a jit helper's it calls, `helpers` by name) has a loop holding exactly
 * two tl.dot (or `@`) and an exponential, directly or in helpers it calls: QKᵀ, the online softmax, P·V.
 * A backward pass recomputes QKᵀ beside three more products (three or four in a loop: not this); a GEMM
 * that fuses two products and applies an activation after its K loop (SwiGLU) has no exponential in it.
 */
export function isAttention(body: Node, evaluator: Evaluator, helpers: Map<string, Node>, seen = new Set<string>()): boolean {
  const nodes = bodyNodes(body);
  const counts = new Map<string, Counts>();
  for (const loop of nodes.loops) {
    const inLoop = countWithin(body, evaluator, helpers, counts, loop);
    if (inLoop.products === 2 && inLoop.exponentials > 0) return true;
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

interface Counts {
  products: number;
  exponentials: number;
}

/** Products and exponentials in `body` (within `range` when given), a called helper's counted where it is called. */
function countWithin(body: Node, evaluator: Evaluator, helpers: Map<string, Node>, memo: Map<string, Counts>, range?: Node, depth = 0): Counts {
  const nodes = bodyNodes(body);
  const within = (node: Node) => !range || (node.startIndex >= range.startIndex && node.endIndex <= range.endIndex);
  const counts: Counts = { products: 0, exponentials: 0 };
  for (const node of nodes.binaryOperators) if (within(node) && field(node, 'operator')?.type === '@') counts.products++;
  for (const call of nodes.calls) {
    if (!within(call)) continue;
    const callee = field(call, 'function');
    if (!callee) continue;
    const name = evaluator.canonicalOf(callee);
    if (name !== null && DOT.test(name)) counts.products++;
    else if (name !== null && EXP.test(name)) counts.exponentials++;
    else if (callee.type === 'identifier' && helpers.has(callee.text) && depth < 3) {
      let inner = memo.get(callee.text);
      if (!inner) {
        const helperBody = bodyOf(helpers.get(callee.text)!);
        memo.set(callee.text, { products: 0, exponentials: 0 });
        inner = helperBody ? countWithin(helperBody, evaluator, helpers, memo, undefined, depth + 1) : { products: 0, exponentials: 0 };
        memo.set(callee.text, inner);
      }
      counts.products += inner.products;
      counts.exponentials += inner.exponentials;
    }
  }
  return counts;
}

const SEQ_NAMES = /^(n_ctx|n_ctx_q|seq_len|seqlen|seq_len_q|seqlen_q|max_seqlen_q|seqlen_q_rounded)$/i;
const SEQ_KV_NAMES = /^(n_ctx_kv|n_ctx_k|seq_len_kv|seqlen_k|seq_len_k|max_seqlen_k|seqlen_kv)$/i;
const HEAD_DIM_NAMES = /^(head_dim|headdim|d_head|block_dmodel|block_headdim|block_d|head_size|d_model)$/i;
const HEADS_NAMES = /^(h|heads|num_heads|n_heads|nheads|h_q)$/i;
const BATCH_NAMES = /^(z|b|batch|batch_size|bs)$/i;
const BLOCK_M_NAMES = /^(block_m|block_size_m|bm)$/i;
const CAUSAL_NAMES = /^(causal|is_causal|causal_mask)$/i;

/** An attention shape and, per field, whether it was read from the code (else it is absent: null). */
export function attentionShape(launch: FoundLaunch): AttentionShape | null {
  const values = launch.argumentValues;
  const order = launch.kernel?.parameters.map((parameter) => parameter.name) ?? [...values.keys()];
  const byName = (pattern: RegExp): number | null => {
    for (const name of order) {
      if (!pattern.test(name)) continue;
      const value = asInteger(values.get(name) ?? { kind: 'unknown' }) ?? launch.site.metaParams[name] ?? null;
      if (value !== null && value > 0) return value;
    }
    return null;
  };
  const tensors = order.map((name) => values.get(name)).filter((value): value is PyValue & { kind: 'tensor' } => value?.kind === 'tensor');
  const sides = (tensor: (PyValue & { kind: 'tensor' }) | undefined) => tensor?.shape?.map((dim) => asInteger(dim)) ?? null;
  // Q is the first tensor, K the second: (Z, H, N, D) as tutorial 06 lays them out, (Z, N, H, D) as
  // flash-attn does (the sequence is the longer of the middle two), or (Z·H, N, D).
  const read = (shape: (number | null)[] | null): { batchHeads: number | null; seq: number | null; headDim: number | null } => {
    if (!shape || shape.some((dim) => dim === null || dim <= 0)) return { batchHeads: null, seq: null, headDim: null };
    const dims = shape as number[];
    if (dims.length === 4) return { batchHeads: dims[0] * Math.min(dims[1], dims[2]), seq: Math.max(dims[1], dims[2]), headDim: dims[3] };
    if (dims.length === 3) return { batchHeads: dims[0], seq: dims[1], headDim: dims[2] };
    return { batchHeads: null, seq: null, headDim: null };
  };
  const q = read(sides(tensors[0]));
  const k = read(sides(tensors[1]));
  const seqQ = byName(SEQ_NAMES) ?? q.seq;
  const headDim = byName(HEAD_DIM_NAMES) ?? q.headDim;
  const seqKv = byName(SEQ_KV_NAMES) ?? k.seq ?? seqQ;
  const batch = byName(BATCH_NAMES);
  const heads = byName(HEADS_NAMES);
  let batchHeads = batch !== null && heads !== null ? batch * heads : q.batchHeads;
  // The grid runs one program per query block and head: its size over cdiv(seq, BLOCK_M).
  const blockM = byName(BLOCK_M_NAMES);
  const grid = launch.site.grid;
  if (batchHeads === null && grid && seqQ !== null && blockM !== null) {
    const programs = grid[0] * grid[1] * grid[2];
    const queryBlocks = Math.ceil(seqQ / blockM);
    if (programs % queryBlocks === 0) batchHeads = programs / queryBlocks;
  }
  if (seqQ === null || headDim === null || seqKv === null || batchHeads === null || batchHeads <= 0) return null;
  return { batchHeads, seqQ, seqKv, headDim, causal: causal(launch, order) };
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
