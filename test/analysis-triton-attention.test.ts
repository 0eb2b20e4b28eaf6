// Fused attention in Triton: which kernels are attention (two tl.dot and an exponential in one loop over
// KV blocks, also inside a jit helper as tutorial 06 writes it; not a dual GEMM with its activation after
// the K loop), the shape a launch gives (Q's layout, named arguments, the grid), and the GEMM-equivalent
// workload it is predicted as (tile, FLOPs, traffic with P kept on chip).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { ATTENTION_AS_GEMM, workloadFromLaunch } from '../server/src/perf/workload-from-analysis';
import { analyticEstimate } from '../server/src/perf/analytic-model';
import { findGpu } from '../server/src/perf/gpu-catalogue';

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
    for start_n in range(0, seqlen, BLOCK_N):
        qk = tl.dot(q, tl.trans(tl.load(K + start_n)))
        p = tl.exp(qk)
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

test("tritonbench's layering (kernel -> compute helper -> KV loop calling an iteration helper) is attention; a backward pass (three products in its loop) is not", async () => {
  const analysis = await analyze(`${HEADER}@triton.jit
def _iteration(q, k, v, acc, m_i):
    qk = tl.dot(q, k)
    p = tl.math.exp2(qk - m_i)
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
  assert.equal(kernel('bwd_dq')?.attention, undefined);
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
  // The same GEMM read as a plain one would stream a 2048 × 4096 panel of A per head from memory.
  assert.ok(fused.dramBytes < plain.dramBytes / 2, `${fused.dramBytes} vs ${plain.dramBytes}`);
  assert.equal(fused.tiles, 16 * 128);
});
