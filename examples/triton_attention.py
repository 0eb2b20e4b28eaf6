# A Triton flash-attention forward kernel (online softmax over KV blocks, causal mask) launched on
# grouped-query tensors: 32 query heads sharing 8 key/value heads. TileCast reads the shape at the launch
# (batch × heads, sequence, head dimension, causal, query heads per K/V head) and predicts the kernel as
# the GEMMs it runs: QKᵀ and P·V, with P kept on chip and each K/V head read once per group.
# Try: npx tilecast examples/triton_attention.py --gpu h100-sxm
import torch

import triton
import triton.language as tl


@triton.jit
def attention_fwd(Q, K, V, Out, sm_scale, N_CTX, GROUP: tl.constexpr, HEAD_DIM: tl.constexpr,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, CAUSAL: tl.constexpr):
    start_m = tl.program_id(0)
    off_hz = tl.program_id(1)
    q_base = off_hz * N_CTX * HEAD_DIM
    kv_base = (off_hz // GROUP) * N_CTX * HEAD_DIM
    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, HEAD_DIM)
    q = tl.load(Q + q_base + offs_m[:, None] * HEAD_DIM + offs_d[None, :])
    m_i = tl.zeros([BLOCK_M], dtype=tl.float32) - float("inf")
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    hi = (start_m + 1) * BLOCK_M if CAUSAL else N_CTX
    for start_n in range(0, hi, BLOCK_N):
        k = tl.load(K + kv_base + (start_n + offs_n)[:, None] * HEAD_DIM + offs_d[None, :])
        qk = tl.dot(q, tl.trans(k)) * sm_scale
        if CAUSAL:
            qk = tl.where(offs_m[:, None] >= start_n + offs_n[None, :], qk, float("-inf"))
        m_ij = tl.maximum(m_i, tl.max(qk, 1))
        p = tl.exp(qk - m_ij[:, None])
        alpha = tl.exp(m_i - m_ij)
        l_i = l_i * alpha + tl.sum(p, 1)
        v = tl.load(V + kv_base + (start_n + offs_n)[:, None] * HEAD_DIM + offs_d[None, :])
        acc = acc * alpha[:, None] + tl.dot(p.to(tl.float16), v)
        m_i = m_ij
    tl.store(Out + q_base + offs_m[:, None] * HEAD_DIM + offs_d[None, :], (acc / l_i[:, None]).to(tl.float16))


def attention(q, k, v, causal):
    batch, heads, seq, head_dim = q.shape
    kv_heads = k.shape[1]
    out = torch.empty_like(q)
    grid = (triton.cdiv(seq, 128), batch * heads)
    attention_fwd[grid](q, k, v, out, head_dim ** -0.5, seq, GROUP=heads // kv_heads, HEAD_DIM=head_dim,
                        BLOCK_M=128, BLOCK_N=64, CAUSAL=causal, num_warps=8, num_stages=3)
    return out


if __name__ == "__main__":
    q = torch.randn((4, 32, 4096, 128), device="cuda", dtype=torch.float16)
    k = torch.randn((4, 8, 4096, 128), device="cuda", dtype=torch.float16)
    v = torch.randn((4, 8, 4096, 128), device="cuda", dtype=torch.float16)
    attention(q, k, v, True)
