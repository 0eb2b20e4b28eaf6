// Generates the language-server benchmark's Python file: about 5,000 lines with 50 launch sites (25
// autotuned Triton GEMM kernels, each with its wrapper launching it and an elementwise kernel), a
// benchmark section calling each wrapper with tensors of known shape, and plain Python between them.
// The Triton counterpart of lsp-workload.ts; text only, it times nothing.
import type { BenchFile } from './lsp-workload';

/** An autotuned GEMM kernel, a scale kernel and a wrapper launching both (about 75 lines). */
function tritonUnit(i: number): string {
  const bk = 32 << (i % 2);
  return `def configs_${i}():
    return [
        triton.Config({'BLOCK_M': 128, 'BLOCK_N': 128, 'BLOCK_K': ${bk}, 'GROUP_M': 8}, num_stages=3, num_warps=8),
        triton.Config({'BLOCK_M': 64, 'BLOCK_N': 128, 'BLOCK_K': ${bk}, 'GROUP_M': 8}, num_stages=4, num_warps=4),
        triton.Config({'BLOCK_M': 128, 'BLOCK_N': 64, 'BLOCK_K': 32, 'GROUP_M': 8}, num_stages=4, num_warps=4),
        triton.Config({'BLOCK_M': 64, 'BLOCK_N': 64, 'BLOCK_K': 64, 'GROUP_M': 8}, num_stages=3, num_warps=4),
    ]


@triton.autotune(configs=configs_${i}(), key=['M', 'N', 'K'])
@triton.jit
def gemm_${i}(a_ptr, b_ptr, c_ptr, M, N, K,
              stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
              BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr):
    pid = tl.program_id(axis=0)
    num_pid_m = tl.cdiv(M, BLOCK_M)
    num_pid_n = tl.cdiv(N, BLOCK_N)
    num_pid_in_group = GROUP_M * num_pid_n
    group_id = pid // num_pid_in_group
    first_pid_m = group_id * GROUP_M
    group_size_m = min(num_pid_m - first_pid_m, GROUP_M)
    pid_m = first_pid_m + ((pid % num_pid_in_group) % group_size_m)
    pid_n = (pid % num_pid_in_group) // group_size_m
    offs_m = (pid_m * BLOCK_M + tl.arange(0, BLOCK_M)) % M
    offs_n = (pid_n * BLOCK_N + tl.arange(0, BLOCK_N)) % N
    offs_k = tl.arange(0, BLOCK_K)
    a_ptrs = a_ptr + (offs_m[:, None] * stride_am + offs_k[None, :] * stride_ak)
    b_ptrs = b_ptr + (offs_k[:, None] * stride_bk + offs_n[None, :] * stride_bn)
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, tl.cdiv(K, BLOCK_K)):
        a = tl.load(a_ptrs, mask=offs_k[None, :] < K - k * BLOCK_K, other=0.0)
        b = tl.load(b_ptrs, mask=offs_k[:, None] < K - k * BLOCK_K, other=0.0)
        acc = tl.dot(a, b, acc)
        a_ptrs += BLOCK_K * stride_ak
        b_ptrs += BLOCK_K * stride_bk
    c = (acc * ${i + 1}.0).to(tl.float16)
    offs_cm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_cn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    c_ptrs = c_ptr + stride_cm * offs_cm[:, None] + stride_cn * offs_cn[None, :]
    tl.store(c_ptrs, c, mask=(offs_cm[:, None] < M) & (offs_cn[None, :] < N))


@triton.jit
def scale_${i}(x_ptr, s, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask)
    tl.store(x_ptr + offs, x * s, mask=mask)


def matmul_${i}(a, b):
    M, K = a.shape
    K, N = b.shape
    c = torch.empty((M, N), device=a.device, dtype=torch.float16)
    grid = lambda META: (triton.cdiv(M, META['BLOCK_M']) * triton.cdiv(N, META['BLOCK_N']),)
    gemm_${i}[grid](a, b, c, M, N, K,
                  a.stride(0), a.stride(1), b.stride(0), b.stride(1), c.stride(0), c.stride(1))
    scale_${i}[(triton.cdiv(M * N, 1024),)](c, 0.5, M * N, BLOCK=1024)
    return c


`;
}

/** Plain Python with no kernels or launches (about 20 lines). */
function plainUnit(i: number, j: number): string {
  return `def summarize_${i}_${j}(values, threshold=${j}.0):
    total = 0.0
    for index, value in enumerate(values):
        if value > threshold:
            total += value * 0.5
        else:
            total -= value
    return total


def parse_flag_${i}_${j}(argv, name, fallback=${j}):
    for index in range(1, len(argv) - 1):
        if argv[index] == name:
            return int(argv[index + 1])
    return fallback


`;
}

/** The file, and where to hover and edit: the GEMM launches and, per unit, the `* N.0` scale in the kernel body. */
export function generateTritonBenchFile(targetLines = 5000, launchUnits = 25): BenchFile {
  const plainPerUnit = Math.max(0, Math.round((targetLines / launchUnits - 80) / 17));
  let text = 'import torch\n\nimport triton\nimport triton.language as tl\n\n\n';
  for (let i = 0; i < launchUnits; i++) {
    text += tritonUnit(i);
    for (let j = 0; j < plainPerUnit; j++) text += plainUnit(i, j);
  }
  text += 'def bench():\n';
  for (let i = 0; i < launchUnits; i++) {
    text += `    a_${i} = torch.randn((${1024 + 64 * i}, 1024), device='cuda', dtype=torch.float16)\n`;
    text += `    b_${i} = torch.randn((1024, ${2048 - 32 * i}), device='cuda', dtype=torch.float16)\n`;
    text += `    matmul_${i}(a_${i}, b_${i})\n`;
  }
  text += '\n\n';
  for (let j = 0; text.split('\n').length < targetLines; j++) text += plainUnit(launchUnits, j);
  const launchOffsets: number[] = [];
  for (const match of text.matchAll(/^ {4}(\w+)\[/gm)) launchOffsets.push(match.index + 4 + 1);
  const gemmLaunchOffsets = launchOffsets.filter((offset) => text.startsWith('gemm_', offset - 1));
  const editOffsets: number[] = [];
  for (const match of text.matchAll(/c = \(acc \* \d+\.0\)/g)) editOffsets.push(match.index + match[0].length - 3);
  return { text, lines: text.split('\n').length, launchOffsets, gemmLaunchOffsets, editOffsets };
}
