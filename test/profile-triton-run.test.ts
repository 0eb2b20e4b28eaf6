// The generated Triton harness runs end to end against CPU stand-ins for torch and triton
// (test/support/fake-python: a plain matmul, wall-clock timing, no GPU): it times each autotune config,
// skips the one that fails to compile with Triton's message, and prints records the profile reader accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { analyzeSource } from '../server/src/analysis/index';
import { loadGrammars } from '../server/src/platform/grammars';
import { generateHarness } from '../server/src/profile/index';
import { writeHarness } from '../server/src/platform/profile-kernel';
import { parseProfileJsonl } from '../server/src/data/profile-record';

const run = promisify(execFile);
const havePython = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const SOURCE = `import torch
import triton
import triton.language as tl


@triton.autotune(
    configs=[
        triton.Config({'BLOCK_SIZE_M': 16, 'BLOCK_SIZE_N': 16, 'BLOCK_SIZE_K': 16}, num_warps=4, num_stages=3),
        triton.Config({'BLOCK_SIZE_M': 32, 'BLOCK_SIZE_N': 16, 'BLOCK_SIZE_K': 32}, num_warps=8, num_stages=4),
        triton.Config({'BLOCK_SIZE_M': 32, 'BLOCK_SIZE_N': 32, 'BLOCK_SIZE_K': 128}, num_warps=8, num_stages=4),
    ],
    key=['M', 'N', 'K'],
)
@triton.jit
def matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K, stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
                  BLOCK_SIZE_M: tl.constexpr, BLOCK_SIZE_N: tl.constexpr, BLOCK_SIZE_K: tl.constexpr):
    pid = tl.program_id(axis=0)
    acc = tl.zeros((BLOCK_SIZE_M, BLOCK_SIZE_N), dtype=tl.float32)
    for k in range(0, tl.cdiv(K, BLOCK_SIZE_K)):
        acc = tl.dot(tl.load(a_ptr), tl.load(b_ptr), acc)


def matmul(a, b):
    M, K = a.shape
    K, N = b.shape
    c = torch.empty((M, N), device=a.device, dtype=torch.float16)
    grid = lambda META: (triton.cdiv(M, META['BLOCK_SIZE_M']) * triton.cdiv(N, META['BLOCK_SIZE_N']),)
    # tilecast: m=12 n=8 k=16 dtype=fp16
    matmul_kernel[grid](a, b, c, M, N, K, a.stride(0), a.stride(1), b.stride(0), b.stride(1), c.stride(0), c.stride(1))
    return c
`;

test('the Triton harness times each config, skips the illegal one, and its records parse', { skip: havePython ? false : 'python3 not found' }, async () => {
  const grammars = await loadGrammars();
  const analysis = analyzeSource(grammars, 'triton', SOURCE);
  const offset = SOURCE.indexOf('matmul_kernel[grid]');
  const result = generateHarness({ language: 'triton', fileName: 'my kernel.py', text: SOURCE, analysis, offset, arch: 'sm_90' });
  assert.ok(result.ok, !result.ok ? result.reason : '');
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-triton-run-'));
  try {
    writeHarness(result.bundle, dir);
    const { stdout, stderr } = await run('python3', ['harness.py', '--sustain-ms', '1000'], {
      cwd: dir,
      timeout: 60_000,
      env: { ...process.env, PYTHONPATH: join(__dirname, 'support', 'fake-python') },
    });
    const parsed = parseProfileJsonl(stdout, 'triton-harness', () => 'l4');
    assert.deepEqual(parsed.issues, []);
    assert.equal(parsed.profiles.length, 2);
    const [first, second] = parsed.profiles;
    assert.deepEqual([first.m, first.n, first.k, first.dtype, first.kernel], [12, 8, 16, 'fp16', 'triton']);
    assert.deepEqual(first.params, { BLOCK_SIZE_M: 16, BLOCK_SIZE_N: 16, BLOCK_SIZE_K: 16, num_warps: 4, num_stages: 3 });
    assert.deepEqual(first.grid, [1, 1, 1]);
    assert.deepEqual(second.block, [256, 1, 1]);
    assert.equal(first.check, 'passed');
    assert.ok(first.runtimeP10Ms! <= first.runtimeMs && first.runtimeMs <= first.runtimeP90Ms!);
    assert.ok(first.sustainedMs! >= 1000);
    assert.equal(parsed.records[0].gpu, 'l4');
    assert.match(stderr, /skipped BLOCK_SIZE_K=128,.*out of resource: shared memory/);
    assert.match(stderr, /no NVML/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
