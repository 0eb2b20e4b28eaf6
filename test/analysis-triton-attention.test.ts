// Fused attention in Triton: which kernels are attention (two or more tl.dot, an exponential and a running
// maximum in one loop over KV blocks, also inside a jit helper as tutorial 06 writes it; not a backward pass,
// not a dual GEMM with its activation after the K loop), the shape a launch gives (Q and K by name, named
// arguments, packed varlen and decode layouts, the grid, arguments after a `*splat`), its dtype, and the
// GEMM-equivalent workload it is predicted as (tile, FLOPs, traffic with P kept on chip).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { ATTENTION_AS_GEMM, ATTENTION_BACKWARD_AS_GEMM, workloadFromLaunch } from '../server/src/perf/workload-from-analysis';
import { analyticEstimate } from '../server/src/perf/analytic-model';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const HEADER = 'import torch\nimport triton\nimport triton.language as tl\n\n';

// Tutorial 06's shape: the KV loop lives in a jit helper; Z and H are arguments; STAGE=3 is causal.
const TUTORIAL = `${HEADER}@triton.jit
def _attn_fwd_inner(acc, l_i, m_i, q, K, V, start_m, qk_scale, BLOCK_M: tl.constexpr, HEAD_DIM: tl.constexpr, BLOCK_N: tl.constexpr, N_CTX: tl.constexpr):
    for start_n in tl.range(0, N_CTX, BLOCK_N):
        k = tl.load(K + start_n)
        qk = tl.dot(q, k)
        m_ij = tl.maximum(m_i, tl.max(qk, 1) * qk_scale)
        p = tl.math.exp2(qk * qk_scale - m_ij[:, None])
        l_i = l_i * tl.math.exp2(m_i - m_ij) + tl.sum(p, 1)
        v = tl.load(V + start_n)
        acc = tl.dot(p.to(tl.float16), v, acc)
        m_i = m_ij
    return acc, l_i, m_i


@triton.jit
def _attn_fwd(sm_scale, M, Z, H, Q, K, V, Out, N_CTX, HEAD_DIM: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, STAGE: tl.constexpr):
    start_m = tl.program_id(0)
    q = tl.load(Q + start_m)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    m_i = tl.zeros([BLOCK_M], dtype=tl.float32) - float("inf")
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32) + 1.0
    acc, l_i, m_i = _attn_fwd_inner(acc, l_i, m_i, q, K, V, start_m, sm_scale, BLOCK_M, HEAD_DIM, BLOCK_N, N_CTX)
    tl.store(Out + start_m, acc.to(tl.float16))


def attention(q, k, v, causal, sm_scale):
    o = torch.empty_like(q)
    M = torch.empty((q.shape[0], q.shape[1], q.shape[2]), device=q.device, dtype=torch.float32)
    grid = (triton.cdiv(q.shape[2], 128), q.shape[0] * q.shape[1], 1)
    _attn_fwd[grid](sm_scale, M, q.shape[0], q.shape[1], q, k, v, o, N_CTX=q.shape[2], HEAD_DIM=q.shape[-1], BLOCK_M=128, BLOCK_N=64, STAGE=3 if causal else 1, num_warps=8, num_stages=3)
    return o


q = torch.randn((4, 32, 2048, 128), device="cuda", dtype=torch.float16)
attention(q, q, q, CAUSAL, 0.1)
`;

async function analyze(source: string) {
  return analyzeSource(await loadGrammars(), 'triton', source);
}

test('tutorial 06: the KV loop in a jit helper makes the kernel attention; Z, H, N_CTX and HEAD_DIM give the shape, STAGE=3 is causal', async () => {
  for (const [flag, causal] of [
    ['True', true],
    ['False', false],
  ] as const) {
    const analysis = await analyze(TUTORIAL.replace('CAUSAL', flag));
    const kernel = analysis.kernels.find((k) => k.name === '_attn_fwd');
    assert.equal(kernel?.attention, true);
    assert.match(kernel!.kindReason, /flash attention/);
    const problem = analysis.launches[0].problem;
    assert.deepEqual(problem.attention, { batchHeads: 128, seqQ: 2048, seqKv: 2048, headDim: 128, causal });
    assert.deepEqual([problem.m, problem.n, problem.k, problem.batch], [2048, 128, causal ? 2048 : 4096, 128]);
    assert.deepEqual(problem.assumed, []);
  }
});

test("flash-attn's (batch, seq, heads, head_dim) layout: the sequence is the longer middle dimension; the grid gives batch×heads when no shape does", async () => {
  const kernel = `${HEADER}@triton.jit
def fwd(Q, K, V, O, seqlen, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_HEADDIM: tl.constexpr):
    q = tl.load(Q)
    acc = tl.zeros([BLOCK_M, BLOCK_HEADDIM], dtype=tl.float32)
    m_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    for start_n in range(0, seqlen, BLOCK_N):
        qk = tl.dot(q, tl.trans(tl.load(K + start_n)))
        m_i = tl.maximum(m_i, tl.max(qk, 1))
        p = tl.exp(qk - m_i[:, None])
        acc += tl.dot(p.to(tl.float16), tl.load(V + start_n))
    tl.store(O, acc)
`;
  const withTensors = await analyze(
    `${kernel}\nq = torch.randn((2, 4096, 16, 64), device="cuda", dtype=torch.bfloat16)\nfwd[(32, 32)](q, q, q, q, 4096, BLOCK_M=128, BLOCK_N=64, BLOCK_HEADDIM=64)\n`,
  );
  assert.deepEqual(withTensors.launches[0].problem.attention, { batchHeads: 32, seqQ: 4096, seqKv: 4096, headDim: 64, causal: false });
  assert.equal(withTensors.launches[0].problem.dtype, 'bf16');
  // No tensor shapes: seqlen and BLOCK_HEADDIM are arguments, and 256 programs over 4096 / 128 query blocks are 8 heads.
  const fromGrid = await analyze(`${kernel}\ndef run(q, k, v, o):\n    fwd[(32, 8)](q, k, v, o, 4096, BLOCK_M=128, BLOCK_N=64, BLOCK_HEADDIM=64)\n`);
  assert.deepEqual(fromGrid.launches[0].problem.attention, { batchHeads: 8, seqQ: 4096, seqKv: 4096, headDim: 64, causal: false });
  // What the code does not give is assumed and said: the sequence from the default problem, head_dim 128, one head.
  const unknown = await analyze(`${kernel}\ndef run(q, k, v, o, n, grid):\n    fwd[grid](q, k, v, o, n, BLOCK_M=128, BLOCK_N=64, BLOCK_HEADDIM=d)\n`);
  const problem = unknown.launches[0].problem;
  assert.deepEqual(problem.attention, { batchHeads: 1, seqQ: 4096, seqKv: 4096, headDim: 128, causal: false });
  assert.deepEqual([problem.m, problem.n, problem.k, problem.batch], [4096, 128, 8192, 1]);
  assert.deepEqual(problem.assumed.slice(0, 3), ['seq', 'head_dim', 'batch×heads']);
  assert.equal(problem.source, 'default');
  // An annotation gives what the code does not; the code's own values (BLOCK_HEADDIM=64 here) win.
  const annotated = await analyze(
    `${kernel}\ndef run(q, k, v, o, n, grid):\n    # tilecast: seq=8192 batch=2 heads=16 head_dim=256 causal=true\n    fwd[grid](q, k, v, o, n, BLOCK_M=128, BLOCK_N=64, BLOCK_HEADDIM=64)\n`,
  );
  const fromAnnotation = annotated.launches[0].problem;
  assert.deepEqual(fromAnnotation.attention, { batchHeads: 32, seqQ: 8192, seqKv: 8192, headDim: 64, causal: true });
  assert.deepEqual([fromAnnotation.m, fromAnnotation.n, fromAnnotation.k, fromAnnotation.batch], [8192, 64, 8192, 32]);
  assert.deepEqual(fromAnnotation.assumed.slice(0, 2), ['seq', 'batch×heads']);
  assert.equal(fromAnnotation.source, 'annotation');
  const bad = await analyze(
    `${kernel}\ndef run(q, k, v, o, n, grid):\n    # tilecast: seq=8192 causal=maybe\n    fwd[grid](q, k, v, o, n, BLOCK_M=128, BLOCK_N=64)\n`,
  );
  assert.ok(bad.problems.some((p) => /causal must be true or false/.test(p.message)));
});

test('a dual GEMM with its activation after the K loop (SwiGLU) is a GEMM, not attention', async () => {
  const analysis = await analyze(`${HEADER}@triton.jit
def swiglu(A, W1, W2, C, M, N, K, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    gate = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    up = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, K, BLOCK_K):
        a = tl.load(A + k)
        gate += tl.dot(a, tl.load(W1 + k))
        up += tl.dot(a, tl.load(W2 + k))
    out = gate / (1.0 + tl.exp(-gate)) * up
    tl.store(C, out.to(tl.float16))
`);
  assert.equal(analysis.kernels[0].kind, 'gemm');
  assert.equal(analysis.kernels[0].attention, undefined);
});

test("tritonbench's layering (kernel -> compute helper -> KV loop calling an iteration helper) is attention; a backward pass (three products in its loop, P from the saved statistics) is attention's backward", async () => {
  const analysis = await analyze(`${HEADER}@triton.jit
def _iteration(q, k, v, acc, m_i):
    qk = tl.dot(q, k)
    m_ij = tl.maximum(m_i, tl.max(qk, 1))
    p = tl.math.exp2(qk - m_ij[:, None])
    return tl.dot(p.to(tl.bfloat16), v, acc)


@triton.jit
def _inner(acc, q, K, V, m_i, N_CTX: tl.constexpr, BLOCK_N: tl.constexpr):
    for start_n in tl.range(0, N_CTX, BLOCK_N):
        acc = _iteration(q, tl.load(K + start_n), tl.load(V + start_n), acc, m_i)
    return acc


@triton.jit
def _compute(Q, K, V, Out, N_CTX, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, HEAD_DIM: tl.constexpr):
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    acc = _inner(acc, tl.load(Q), K, V, 0.0, N_CTX, BLOCK_N)
    tl.store(Out, acc)


@triton.jit
def fwd(Q, K, V, Out, N_CTX, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, HEAD_DIM: tl.constexpr):
    _compute(Q, K, V, Out, N_CTX, BLOCK_M, BLOCK_N, HEAD_DIM)


@triton.jit
def bwd_dq(dq, q, K, V, do, m, N_CTX, BLOCK_N: tl.constexpr):
    for start_n in range(0, N_CTX, BLOCK_N):
        kT = tl.load(K + start_n)
        p = tl.math.exp2(tl.dot(q, kT) - m)
        ds = p * tl.dot(do, tl.load(V + start_n))
        dq += tl.dot(ds.to(tl.bfloat16), tl.trans(kT))
    tl.store(q, dq)
`);
  const kernel = (name: string) => analysis.kernels.find((k) => k.name === name);
  assert.equal(kernel('fwd')?.attention, true);
  assert.equal(kernel('bwd_dq')?.kind, 'gemm');
  assert.deepEqual(kernel('bwd_dq')?.attentionBackward, { products: 3, softmaxPasses: 1 });
  assert.equal(kernel('fwd')?.attentionBackward, undefined);
});

test('the workload: BLOCK_M × head_dim output tiles stepping BLOCK_N along K, 4·seq²·d FLOPs per head, Q read instead of a K-long panel', async () => {
  const analysis = await analyze(TUTORIAL.replace('CAUSAL', 'False'));
  const kernel = analysis.kernels.find((k) => k.name === '_attn_fwd')!;
  const { workload, assumed } = workloadFromLaunch(kernel, analysis.launches[0], analysis.tileParams);
  assert.ok(workload);
  assert.deepEqual([workload.tile?.blockM, workload.tile?.blockN, workload.tile?.blockK], [128, 128, 64]);
  assert.ok(assumed.includes(ATTENTION_AS_GEMM));
  const gpu = findGpu('h100-sxm')!;
  const fused = analyticEstimate(workload, gpu);
  const plain = analyticEstimate({ ...workload, attention: undefined }, gpu);
  assert.equal(fused.flops, 4 * 128 * 2048 * 2048 * 128);
  // The softmax: one exponential per score on the special-function units (16 per clock per SM), serial with the MMAs.
  const exponentials = fused.tilesPerSM * 128 * 2048;
  const clockHz = fused.sustainedClockMHz * 1e6;
  const mmaOnly = analyticEstimate({ ...workload, attention: undefined }, gpu).computeTimeMs;
  assert.ok(Math.abs(fused.computeTimeMs - mmaOnly - (exponentials / (16 * clockHz)) * 1e3) < 1e-9, `${fused.computeTimeMs} vs ${mmaOnly}`);
  // The same GEMM read as a plain one would stream a 2048 × 4096 panel of A per head from memory.
  assert.ok(fused.dramBytes < plain.dramBytes / 2, `${fused.dramBytes} vs ${plain.dramBytes}`);
  assert.equal(fused.tiles, 16 * 128);
});

/** flash-attn's Triton forward kernel's signature: `*bias_strides` between the tensors and the lengths. */
const FLASH_KERNEL = `@triton.jit
def fwd(Q, K, V, Out, stride_b0, stride_b1, stride_b2, nheads, seqlen_q, seqlen_k, headdim, IS_CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    q = tl.load(Q)
    m_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, 64], dtype=tl.float32)
    for start_n in range(0, seqlen_k, BLOCK_N):
        qk = tl.dot(q, tl.trans(tl.load(K + start_n)))
        m_ij = tl.maximum(tl.max(qk, 1), m_i)
        p = tl.exp(qk - m_ij[:, None])
        acc += tl.dot(p.to(tl.float16), tl.load(V + start_n))
        m_i = m_ij
    tl.store(Out, acc)


def forward(q, k, v, bias=None, causal=False):
    batch, seqlen_q, nheads, d = q.shape
    _, seqlen_k, _, _ = k.shape
    strides = (bias.stride(0), bias.stride(1), bias.stride(2)) if bias is not None else (0, 0, 0)
    o = torch.empty_like(q)
    fwd[(32, batch * nheads)](q, k, v, o, *strides, nheads, seqlen_q, seqlen_k, d, causal, BLOCK_M=128, BLOCK_N=128)

`;

test('positional arguments after a `*strides` of known length land on their own parameters (flash-attn passes `*bias_strides` before the lengths)', async () => {
  const analysis = await analyze(`${HEADER}${FLASH_KERNEL}

q = torch.randn((2, 4096, 16, 64), device="cuda", dtype=torch.bfloat16)
k = torch.randn((2, 1024, 16, 64), device="cuda", dtype=torch.bfloat16)
forward(q, k, k, None, True)
`);
  // Fewer queries than keys (a prefill after a cached prefix): each query sees 4096 − 512 + i + 1 keys,
  // 4096 − 256 on average, so K = 2 × 4096 − 512.
  const prefix = await analyze(
    `${HEADER}${FLASH_KERNEL}\nq = torch.randn((2, 512, 16, 64), device="cuda", dtype=torch.bfloat16)\nk = torch.randn((2, 4096, 16, 64), device="cuda", dtype=torch.bfloat16)\nforward(q, k, k, None, True)\n`,
  );
  assert.equal(prefix.launches[0].problem.k, 2 * 4096 - 512);
  assert.deepEqual(analysis.launches[0].problem.attention, { batchHeads: 32, seqQ: 4096, seqKv: 1024, headDim: 64, causal: true });
  // Causal, the mask aligned to the keys' end. More queries than keys: the last 1024 queries see 1..1024 keys,
  // the others none, 1024² / 2 / 4096 = 128 keys on average, and the GEMM's K is twice that.
  assert.equal(analysis.launches[0].problem.k, 256);
  // A splat of unknown length: what follows it is at no known parameter, so nothing is read from it.
  const unknown = await analyze(
    `${HEADER}@triton.jit
def kern(A, B, n, BLOCK: tl.constexpr):
    pass


def run(a, extra):
    kern[(1,)](a, *extra, 4096, BLOCK=64)
`,
  );
  assert.equal(unknown.launches[0].problem.m, 4096);
  assert.ok(unknown.launches[0].problem.assumed.includes('m'));
});

test("flash-attn's maybe_contiguous (a conditional expression whose condition does not fold) keeps the tensors, so the shape still comes from the code", async () => {
  const wrapper = (body: string) => `${HEADER}${FLASH_KERNEL}
def maybe_contiguous(x):
    return ${body}


def attention(q, k, v):
    q, k, v = [maybe_contiguous(x) for x in (q, k, v)]
    return forward(q, k, v, None, True)


q = torch.randn((2, 2048, 16, 64), device="cuda", dtype=torch.bfloat16)
attention(q, q, q)
`;
  const read = await analyze(wrapper('x.contiguous() if x is not None and x.stride(-1) != 1 else x'));
  assert.deepEqual(read.launches[0].problem.attention, { batchHeads: 32, seqQ: 2048, seqKv: 2048, headDim: 64, causal: true });
  assert.equal(read.launches[0].problem.dtype, 'bf16');
  // Values that differ by branch stay unknown: a different tensor on each path has no known shape.
  const differ = await analyze(wrapper('x.contiguous() if x.stride(-1) != 1 else x.t()'));
  assert.notDeepEqual(differ.launches[0].problem.attention, read.launches[0].problem.attention);
});

test("Q and K are found by name (tutorial 06's TMA kernel takes the float32 softmax statistics first), and the dtype is Q's, never a softmax's fp32 cast", async () => {
  const kernel = `${HEADER}@triton.jit
def fwd(sm_scale, M, Z, H, Q, K, V, Out, N_CTX, HEAD_DIM: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    q = tl.load(Q)
    m_i = tl.zeros([BLOCK_M], dtype=tl.float32) - float("inf")
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    for start_n in range(0, N_CTX, BLOCK_N):
        qk = tl.dot(q, tl.load(K + start_n))
        bias = tl.load(Out + start_n).to(tl.float32)
        m_ij = tl.maximum(m_i, tl.max(qk + bias, 1))
        p = tl.exp(qk + bias - m_ij[:, None])
        acc += tl.dot(p.to(tl.load(V).dtype), tl.load(V + start_n))
        m_i = m_ij
    tl.store(M, m_i.to(tl.float32))
    tl.store(Out, acc)
`;
  const known = await analyze(`${kernel}
q = torch.randn((2, 8, 1024, 64), device="cuda", dtype=torch.float16)
stats = torch.empty((2, 8, 1024), device="cuda", dtype=torch.float32)
fwd[(8, 16)](0.1, stats, 2, 8, q, q, q, q, 1024, HEAD_DIM=64, BLOCK_M=128, BLOCK_N=64)
`);
  const problem = known.launches[0].problem;
  assert.deepEqual(problem.attention, { batchHeads: 16, seqQ: 1024, seqKv: 1024, headDim: 64, causal: false });
  assert.equal(problem.dtype, 'fp16');
  // Nothing known of the tensors: the kernel's float32 casts are the softmax's, so half precision is assumed, and said.
  const unknown = await analyze(`${kernel}
def run(stats, q, k, v, o):
    fwd[(8, 16)](0.1, stats, 2, 8, q, k, v, o, 1024, HEAD_DIM=64, BLOCK_M=128, BLOCK_N=64)
`);
  assert.equal(unknown.launches[0].problem.dtype, 'fp16');
  assert.ok(unknown.launches[0].problem.assumed.includes('dtype'));
});

test("a third product beside the online softmax (MLA's rotary qpe·kpe) is still attention; a backward loop (P from the saved LSE, no running max) is its backward", async () => {
  const analysis = await analyze(`${HEADER}@triton.jit
def mla_fwd(Q, QPE, K, KPE, V, Out, N_CTX, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    q = tl.load(Q)
    qpe = tl.load(QPE)
    m_i = tl.zeros([BLOCK_M], dtype=tl.float32) - float("inf")
    acc = tl.zeros([BLOCK_M, 512], dtype=tl.float32)
    for start_n in range(0, N_CTX, BLOCK_N):
        qk = tl.dot(q, tl.load(K + start_n))
        qk += tl.dot(qpe, tl.load(KPE + start_n))
        m_ij = tl.maximum(m_i, tl.max(qk, 1))
        p = tl.exp(qk - m_ij[:, None])
        acc = acc * tl.exp(m_i - m_ij)[:, None] + tl.dot(p.to(tl.bfloat16), tl.load(V + start_n))
        m_i = m_ij
    tl.store(Out, acc)


@triton.jit
def bwd_dv(Q, K, DO, DV, LSE, N_CTX, BLOCK_M: tl.constexpr):
    k = tl.load(K)
    dv = tl.zeros([64, 64], dtype=tl.float32)
    for start_m in range(0, N_CTX, BLOCK_M):
        p = tl.math.exp2(tl.dot(k, tl.load(Q + start_m)) - tl.load(LSE + start_m))
        dv += tl.dot(p.to(tl.float16), tl.load(DO + start_m))
    tl.store(DV, dv)
`);
  const kernel = (name: string) => analysis.kernels.find((k) => k.name === name);
  assert.equal(kernel('mla_fwd')?.attention, true);
  assert.equal(kernel('bwd_dv')?.kind, 'gemm');
  assert.deepEqual(kernel('bwd_dv')?.attentionBackward, { products: 2, softmaxPasses: 1 });
});

// Tutorial 06's backward: one kernel whose jit helpers loop over Q blocks (dK and dV: 4 products) and over
// K/V blocks (dQ: 3 products), each recomputing P from the saved statistics M.
const BACKWARD = `${HEADER}@triton.jit
def _attn_bwd_dkdv(dk, dv, Q, k, v, DO, M, D, N_CTX, BLOCK_M1: tl.constexpr, HEAD_DIM: tl.constexpr):
    for start_m in range(0, N_CTX, BLOCK_M1):
        qT = tl.load(Q + start_m)
        m = tl.load(M + start_m)
        qkT = tl.dot(k, qT)
        pT = tl.math.exp2(qkT - m[None, :])
        do = tl.load(DO + start_m)
        dv += tl.dot(pT.to(tl.float16), do)
        dpT = tl.dot(v, tl.trans(do)).to(tl.float32)
        dsT = pT * (dpT - tl.load(D + start_m)[None, :])
        dk += tl.dot(dsT.to(tl.float16), tl.trans(qT))
    return dk, dv


@triton.jit
def _attn_bwd_dq(dq, q, K, V, do, m, D, N_CTX, BLOCK_N2: tl.constexpr, HEAD_DIM: tl.constexpr):
    for start_n in range(0, N_CTX, BLOCK_N2):
        kT = tl.load(K + start_n)
        vT = tl.load(V + start_n)
        p = tl.math.exp2(tl.dot(q, kT) - m)
        dp = tl.dot(do, vT).to(tl.float32)
        ds = p * (dp - D[:, None])
        dq += tl.dot(ds.to(tl.float16), tl.trans(kT))
    return dq


@triton.jit
def _attn_bwd(Q, K, V, sm_scale, DO, DQ, DK, DV, M, D, stride_z, stride_h, stride_tok, stride_d, H, N_CTX,
              BLOCK_M1: tl.constexpr, BLOCK_N1: tl.constexpr, BLOCK_M2: tl.constexpr, BLOCK_N2: tl.constexpr, HEAD_DIM: tl.constexpr):
    k = tl.load(K)
    v = tl.load(V)
    dk = tl.zeros([BLOCK_N1, HEAD_DIM], dtype=tl.float32)
    dv = tl.zeros([BLOCK_N1, HEAD_DIM], dtype=tl.float32)
    dk, dv = _attn_bwd_dkdv(dk, dv, Q, k, v, DO, M, D, N_CTX, BLOCK_M1, HEAD_DIM)
    tl.store(DK, dk)
    tl.store(DV, dv)
    dq = tl.zeros([BLOCK_M2, HEAD_DIM], dtype=tl.float32)
    dq = _attn_bwd_dq(dq, tl.load(Q), K, V, tl.load(DO), tl.load(M), D, N_CTX, BLOCK_N2, HEAD_DIM)
    tl.store(DQ, dq)


def backward(q, k, v, do, dq, dk, dv, M, delta, sm_scale):
    BATCH, N_HEAD, N_CTX = q.shape[:3]
    grid = (N_CTX // 128, 1, BATCH * N_HEAD)
    _attn_bwd[grid](q, k, v, sm_scale, do, dq, dk, dv, M, delta, q.stride(0), q.stride(1), q.stride(2), q.stride(3), N_HEAD, N_CTX,
                    BLOCK_M1=32, BLOCK_N1=128, BLOCK_M2=128, BLOCK_N2=32, HEAD_DIM=64, num_warps=4, num_stages=5)


q = torch.randn((4, 16, 2048, 64), device="cuda", dtype=torch.float16)
backward(q, q, q, q, q, q, q, q, q, 0.1)
`;

test("tutorial 06's backward kernel: 7 products over two loops that each recompute P, predicted as one GEMM per head with K = 7·seq_kv", async () => {
  const analysis = await analyze(BACKWARD);
  const kernel = analysis.kernels.find((k) => k.name === '_attn_bwd')!;
  assert.equal(kernel.attention, true);
  assert.deepEqual(kernel.attentionBackward, { products: 7, softmaxPasses: 2 });
  assert.match(kernel.kindReason, /backward/);
  const problem = analysis.launches[0]!.problem;
  assert.deepEqual(problem.attention, { batchHeads: 64, seqQ: 2048, seqKv: 2048, headDim: 64, causal: false, backward: { products: 7, softmaxPasses: 2 } });
  assert.deepEqual([problem.m, problem.n, problem.k, problem.batch], [2048, 64, 7 * 2048, 64]);
  // The grid's sizes come from `BATCH, N_HEAD, N_CTX = q.shape[:3]`.
  assert.deepEqual(analysis.launches[0]!.grid, [16, 1, 64]);
  const { workload, assumed } = workloadFromLaunch(kernel, analysis.launches[0]!, analysis.tileParams);
  assert.ok(workload && assumed.includes(ATTENTION_BACKWARD_AS_GEMM));
  const gpu = findGpu('h100-sxm')!;
  const estimate = analyticEstimate(workload, gpu);
  assert.equal(estimate.flops, 2 * 64 * 2048 * 64 * 7 * 2048);
  // Exponentials in proportion to the softmax passes: two passes (2/7 per unit of K) cost twice one pass.
  const mmaOnly = analyticEstimate({ ...workload, attention: undefined }, gpu).computeTimeMs;
  const onePass = analyticEstimate({ ...workload, attention: { ...workload.attention!, backward: { products: 7, softmaxPasses: 1 } } }, gpu).computeTimeMs;
  assert.ok(onePass > mmaOnly);
  assert.ok(Math.abs(estimate.computeTimeMs - mmaOnly - 2 * (onePass - mmaOnly)) < 1e-9, `${estimate.computeTimeMs}, ${onePass}, ${mmaOnly}`);
  // The forward of the same shape: 2/7 of the products.
  assert.ok(estimate.timeMs > analyticEstimate({ ...workload, k: 2 * 2048, attention: { ...workload.attention!, backward: undefined } }, gpu).timeMs * 2);
});

const VARLEN_KERNEL = (name: string, tile: string) => `@triton.jit
def ${name}(Q, K_Buffer, V_Buffer, B_Seqlen, Out, BLOCK_DMODEL: tl.constexpr, ${tile}: tl.constexpr, BLOCK_N: tl.constexpr):
    q = tl.load(Q)
    n = tl.load(B_Seqlen)
    m_i = tl.zeros([${tile}], dtype=tl.float32) - float("inf")
    acc = tl.zeros([${tile}, BLOCK_DMODEL], dtype=tl.float32)
    for start_n in range(0, n, BLOCK_N):
        qk = tl.dot(q, tl.load(K_Buffer + start_n))
        m_ij = tl.maximum(m_i, tl.max(qk, 1))
        p = tl.exp(qk - m_ij[:, None])
        acc = acc * tl.exp(m_i - m_ij)[:, None] + tl.dot(p.to(tl.float16), tl.load(V_Buffer + start_n))
        m_i = m_ij
    tl.store(Out, acc)
`;

test('varlen kernels (per-sequence lengths) pack Q as (tokens, heads, D); without a query tile (no BLOCK_M) it is decode: one query per sequence, the KV length assumed', async () => {
  const analysis = await analyze(`${HEADER}${VARLEN_KERNEL('prefill', 'BLOCK_M')}

${VARLEN_KERNEL('decode', 'BLOCK_H')}

q = torch.randn((512, 32, 128), device="cuda", dtype=torch.float16)
kv = torch.randn((512, 8, 128), device="cuda", dtype=torch.float16)
prefill[(1, 32, 4)](q, kv, kv, None, q, BLOCK_DMODEL=128, BLOCK_M=128, BLOCK_N=64)
d = torch.randn((64, 128, 576), device="cuda", dtype=torch.bfloat16)
cache = torch.randn((65536, 1, 1, 576), device="cuda", dtype=torch.bfloat16)
decode[(64, 8, 8)](d, cache, cache, None, d, BLOCK_DMODEL=1024, BLOCK_H=16, BLOCK_N=32)
`);
  const [prefill, decode] = analysis.launches.map((launch) => launch.problem);
  // 32 query heads over 8 K/V heads: groups of 4 (grouped-query attention).
  assert.deepEqual(prefill.attention, { batchHeads: 32, seqQ: 512, seqKv: 512, headDim: 128, causal: false, kvGroup: 4 });
  // 64 sequences × 128 heads, one query each; the head is Q's 576, not the 1024-wide tile; one latent K/V head (MLA).
  assert.deepEqual(decode.attention, { batchHeads: 64 * 128, seqQ: 1, seqKv: 4096, headDim: 576, causal: false, kvGroup: 128 });
  assert.deepEqual(decode.assumed, ['seq_kv']);
  // Each K/V head is read once for its group: the decode's DRAM traffic is that of 64 K/V heads, not 8192.
  const kernel = analysis.kernels.find((k) => k.name === 'decode')!;
  const { workload } = workloadFromLaunch(kernel, analysis.launches[1], analysis.tileParams);
  const gpu = findGpu('h100-sxm')!;
  const grouped = analyticEstimate(workload!, gpu);
  const ungrouped = analyticEstimate({ ...workload!, attention: { ...workload!.attention!, kvGroup: undefined } }, gpu);
  assert.ok(grouped.dramBytes < ungrouped.dramBytes / 50, `${grouped.dramBytes} vs ${ungrouped.dramBytes}`);
  assert.ok(grouped.timeMs < ungrouped.timeMs / 20, `${grouped.timeMs} ms vs ${ungrouped.timeMs} ms`);
});

test('examples/triton_attention.py: a causal grouped-query launch read whole from the code', async () => {
  const source = readFileSync(join(__dirname, '..', 'examples', 'triton_attention.py'), 'utf8');
  const problem = (await analyze(source)).launches[0].problem;
  assert.deepEqual(problem.attention, { batchHeads: 128, seqQ: 4096, seqKv: 4096, headDim: 128, causal: true, kvGroup: 4 });
  assert.deepEqual(problem.assumed, []);
  assert.equal(problem.dtype, 'fp16');
});
