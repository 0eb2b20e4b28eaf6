// What a Triton GEMM launch is predicted with. Its element type: the operands', not the output's (an
// int32 accumulator means int8 operands whatever the output is cast to; a launch's first tensor decides
// over later ones, often the output; a first tensor of unknown type leaves the kernel's own reading).
// A persistent kernel's grid: how many programs share the tiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource, languageForPath } from '../server/src/analysis/index';
import { workloadFromLaunch } from '../server/src/perf/workload-from-analysis';

const kernel = (accumulator: string, cast: string) => `import torch
import triton
import triton.language as tl


@triton.jit
def mm(a_ptr, b_ptr, c_ptr, M, N, K, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.${accumulator})
    for k in range(0, K, BLOCK_K):
        a = tl.load(a_ptr + tl.arange(0, BLOCK_M)[:, None] * K + tl.arange(0, BLOCK_K)[None, :])
        b = tl.load(b_ptr + tl.arange(0, BLOCK_K)[:, None] * N + tl.arange(0, BLOCK_N)[None, :])
        acc += tl.dot(a, b)
    tl.store(c_ptr + tl.arange(0, BLOCK_M)[:, None] * N + tl.arange(0, BLOCK_N)[None, :], acc.to(tl.${cast}))
`;

async function launchDtype(source: string): Promise<{ kernel: string | null; launch: string | null; assumed: string[] }> {
  const analysis = analyzeSource(await loadGrammars(), 'triton', source);
  const problem = analysis.launches[0]?.problem;
  return { kernel: analysis.kernels[0]?.dtype ?? null, launch: problem?.dtype ?? null, assumed: problem?.assumed ?? [] };
}

test('an int32 accumulator makes the operands int8, also when the output tensor is fp16', async () => {
  const source = `${kernel('int32', 'float16')}

def int8_matmul(a, b):
    M, K = a.shape
    _, N = b.shape
    c = torch.empty((M, N), device=a.device, dtype=torch.float16)
    mm[(triton.cdiv(M, 128), triton.cdiv(N, 128))](a, b, c, M, N, K, BLOCK_M=128, BLOCK_N=128, BLOCK_K=64)
    return c
`;
  assert.deepEqual(await launchDtype(source), { kernel: 'int8', launch: 'int8', assumed: ['m', 'n', 'k'] });
});

test("a launch's first tensor gives the dtype; a later one (the output) does not when the kernel's code says otherwise", async () => {
  const launch = (aDtype: string) => `${kernel('float32', 'float16')}

a = torch.randn((1024, 512), device="cuda", dtype=${aDtype})
b = torch.randn((512, 256), device="cuda", dtype=torch.bfloat16)
c = torch.empty((1024, 256), device="cuda", dtype=torch.float32)
mm[(8, 4)](a, b, c, 1024, 256, 512, BLOCK_M=128, BLOCK_N=64, BLOCK_K=32)
`;
  assert.equal((await launchDtype(launch('torch.bfloat16'))).launch, 'bf16');
  // `a`'s type does not fold: the output's fp32 is not taken; the kernel's own cast (fp16) is.
  assert.equal((await launchDtype(launch('some_dtype'))).launch, 'fp16');
});

test("a persistent kernel's launch grid is its number of programs; a kernel with one program per tile has none", async () => {
  const persistent = `import torch
import triton
import triton.language as tl


@triton.jit
def mm(a_ptr, b_ptr, c_ptr, M, N, K, NUM_PROGS: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    tiles = tl.cdiv(M, BLOCK_M) * tl.cdiv(N, BLOCK_N)
    for tile in range(tl.program_id(0), tiles, NUM_PROGS):
        acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
        for k in range(0, K, BLOCK_K):
            acc += tl.dot(tl.load(a_ptr + tile + tl.arange(0, BLOCK_M)[:, None]), tl.load(b_ptr + tl.arange(0, BLOCK_N)[None, :]))
        tl.store(c_ptr + tile + tl.arange(0, BLOCK_M)[:, None], acc.to(tl.float16))


a = torch.randn((4096, 4096), device="cuda", dtype=torch.float16)
b = torch.randn((4096, 4096), device="cuda", dtype=torch.float16)
c = torch.empty((4096, 4096), device="cuda", dtype=torch.float16)
mm[(16,)](a, b, c, 4096, 4096, 4096, NUM_PROGS=16, BLOCK_M=128, BLOCK_N=128, BLOCK_K=64)
`;
  const analysis = analyzeSource(await loadGrammars(), 'triton', persistent);
  assert.equal(analysis.kernels[0]?.persistent, true);
  assert.equal(workloadFromLaunch(analysis.kernels[0]!, analysis.launches[0]!, analysis.tileParams).workload?.programs, 16);
  const plain = analyzeSource(
    await loadGrammars(),
    'triton',
    `${kernel('float32', 'float16')}
a = torch.randn((1024, 512), device="cuda", dtype=torch.float16)
b = torch.randn((512, 256), device="cuda", dtype=torch.float16)
c = torch.empty((1024, 256), device="cuda", dtype=torch.float16)
mm[(8, 4)](a, b, c, 1024, 256, 512, BLOCK_M=128, BLOCK_N=64, BLOCK_K=32)
`,
  );
  assert.equal(plain.kernels[0]?.persistent, undefined);
  assert.equal(workloadFromLaunch(plain.kernels[0]!, plain.launches[0]!, plain.tileParams).workload?.programs, undefined);
});

test('a jit function only other jit functions call is a device helper, not a kernel, also when it returns nothing; one the file launches stays a kernel', async () => {
  const source = `import triton
import triton.language as tl


@triton.jit
def write_zeros(c_ptr, BLOCK: tl.constexpr):
    tl.store(c_ptr + tl.arange(0, BLOCK), tl.zeros((BLOCK,), dtype=tl.float16))


@triton.jit
def clear(c_ptr, BLOCK: tl.constexpr):
    tl.store(c_ptr + tl.arange(0, BLOCK), tl.zeros((BLOCK,), dtype=tl.float16))


@triton.jit
def mm(a_ptr, b_ptr, c_ptr, skip, BLOCK: tl.constexpr):
    if skip:
        write_zeros(c_ptr, BLOCK)
        clear(c_ptr, BLOCK)
        return
    acc = tl.dot(tl.load(a_ptr + tl.arange(0, BLOCK)[:, None]), tl.load(b_ptr + tl.arange(0, BLOCK)[None, :]))
    tl.store(c_ptr + tl.arange(0, BLOCK)[:, None], acc)


def run(a, b, c):
    clear[(1,)](c, BLOCK=64)
    mm[(1,)](a, b, c, False, BLOCK=64)
`;
  const analysis = analyzeSource(await loadGrammars(), 'triton', source);
  assert.deepEqual(analysis.kernels.map((k) => k.name).sort(), ['clear', 'mm']);
});

test('a decorator after a closing parenthesis is not the @ operator; a Black-style continuation line opening with @ is', async () => {
  const grammars = await loadGrammars();
  const header = 'import torch\nx = torch.randn(64, 32)\ny = torch.randn(32, 16)\n';
  // A PyTorch file whose only `@` is a decorator holds no GEMM: it is not analysed on every keystroke.
  const decorated = `${header}z = torch.relu(x)\n\n\n@torch.no_grad()\ndef k(p):\n    return p\n`;
  assert.equal(languageForPath('model.py', decorated), null);
  const continued = `${header}z = (\n    x\n    @ y\n)\n`;
  assert.equal(languageForPath('model.py', continued), 'triton');
  const calls = analyzeSource(grammars, 'triton', continued).libraryCalls;
  assert.deepEqual(
    calls.map((call) => [call.m, call.n, call.k]),
    [[64, 16, 32]],
  );
});
