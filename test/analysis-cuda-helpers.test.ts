// Code the CUDA analysis reads outside the line it analyses: instruction families a kernel reaches through
// its `__device__` helpers and macros (cuda/helper-instructions.ts: the kernel's `instructions`, and the
// instruction-unsupported diagnostic on a GPU without them, placed at the kernel's call), and the file's
// single-`return` functions folded at their calls (cuda/user-functions.ts: a grid over `ceil_div(N, 128)`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { SourceDocument } from '../server/src/analysis/document';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import * as api from '../server/src/ide/api';
import { DEFAULT_SETTINGS } from '../server/src/ide/protocol';

const HELPERS = `
__device__ __forceinline__ void mma_bf16(float* c, const unsigned* a, const unsigned* b) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
    : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3]) : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
__device__ void tile_step(float* c, const unsigned* a, const unsigned* b) { mma_bf16(c, a, b); mma_bf16(c + 4, a, b); }
#define WGMMA(x) asm volatile("wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {%0}, %1, %2;" : "+f"(x))
#define WMMA_STEP(c, a, b) wmma::mma_sync(c, a, b, c)

__global__ void gemm(float* C, const unsigned* A, int K) {
  float acc[4] = {0, 0, 0, 0};
  unsigned af[4], bf[2];
  for (int k = 0; k < K; k += 16) mma_bf16(acc, af, bf);
  C[threadIdx.x] = __shfl_sync(0xffffffff, acc[0], 1);
}
__global__ void two_deep(float* C, const unsigned* A, int K) {
  float acc[8] = {};
  unsigned af[4], bf[2];
  for (int k = 0; k < K; k += 16) tile_step(acc, af, bf);
  C[threadIdx.x] = acc[0];
}
__global__ void hopper(float* C, int K) {
  float x = 0;
  for (int k = 0; k < K; k += 16) WGMMA(x);
  C[0] = x;
}
__global__ void volta(float* C, int K) {
  for (int k = 0; k < K; k += 16) WMMA_STEP(c, a, b);
}
`;

test("instructions reached through helper functions and macros are the kernel's, at its call", async () => {
  const analysis = analyzeSource(await loadGrammars(), 'cuda', HELPERS);
  const uses = (name: string) =>
    analysis.kernels.find((k) => k.name === name)!.instructions?.map((u) => [u.rule, u.minComputeCapability, HELPERS.slice(u.range.start, u.range.end)]);
  const callIn = (kernel: string, call: string) => HELPERS.indexOf(call, HELPERS.indexOf(`void ${kernel}(`));
  // The kernel's own __shfl_sync still counts; the helper's bf16 mma sits on the kernel's call of mma_bf16.
  assert.deepEqual(uses('gemm'), [
    ['ptx-mma-sm80', 8, 'mma_bf16'],
    ['shfl', 3, '__shfl_sync'],
  ]);
  const gemm = analysis.kernels.find((k) => k.name === 'gemm')!;
  assert.equal(gemm.instructions![0]!.range.start, callIn('gemm', 'mma_bf16(acc'));
  assert.match(gemm.instructions![0]!.what, /^mma_bf16: mma\.sync\.aligned\.m16n8k16/);
  assert.deepEqual(uses('two_deep'), [['ptx-mma-sm80', 8, 'tile_step']]);
  assert.deepEqual(uses('hopper'), [['wgmma', 9, 'WGMMA']]);
  assert.deepEqual(uses('volta'), [['wmma', 7, 'WMMA_STEP']]);

  // On a Turing GPU (cc 7.5) the bf16 mma cannot run: the diagnostic is on the kernel's call.
  const t4 = findGpu('t4')!;
  const reports = api.buildReports({ text: HELPERS, analysis, gpus: [t4], settings: DEFAULT_SETTINGS, predictor: null, modelError: null });
  const unsupported = api.diagnosticsOf(reports).filter((d) => d.code === 'instruction-unsupported');
  const at = (kernel: string, call: string) => unsupported.find((d) => d.range.start === callIn(kernel, call));
  assert.match(at('gemm', 'mma_bf16(acc')?.message ?? '', /^`mma_bf16: mma\.sync.*` needs cc ≥ 8\.0 .*: gemm cannot run on .*T4/);
  assert.ok(at('two_deep', 'tile_step('), 'two calls deep');
  assert.ok(at('hopper', 'WGMMA('), 'through a macro');
  assert.equal(at('volta', 'WMMA_STEP('), undefined, 'wmma runs on cc 7.5');
});

const FOLDING = `
#define THREADS 128
constexpr int ceil_div(int a, int b) { return (a + b - 1) / b; }
inline int round_up(int x, int m) { return ((x + m - 1) / m) * m; }
static __host__ __device__ int blocks_for(int n) { return ceil_div(n, THREADS); }
template <typename T> __host__ __device__ constexpr T half_of(T v) { return v / 2; }
template <int TILE = 32> constexpr int tiles(int n, int extra = 0) { return (n + TILE - 1) / TILE + extra; }
constexpr int pow2(int e) { return e == 0 ? 1 : 2 * pow2(e - 1); }
constexpr int forever(int e) { return forever(e + 1); }
constexpr int blocks_over(int n, int d) { return n / d; }
namespace detail { __device__ __host__ inline int cdiv2(int a, int b) { return (a + b - 1) / b; } }
int scaled(float f) { return f * 3; }

__global__ void k(float* C, int M, int N) { C[0] = 0; }

void launch() {
  const int N = 1000;
  const int M = 500;
  dim3 grid(blocks_for(N), round_up(M, 64) / 64);
  k<<<grid, THREADS>>>(nullptr, M, N);
  k<<<dim3(half_of(N), tiles(M), tiles<64>(M, 1)), 64>>>(nullptr, M, N);
  k<<<pow2(10), detail::cdiv2(N, 8)>>>(nullptr, M, N);
  k<<<scaled(2.5f), forever(1)>>>(nullptr, M, N);
  k<<<blocks_over(N, 0), 32>>>(nullptr, M, N);
}
`;

test("calls of the file's single-return functions fold", async () => {
  const analysis = analyzeSource(await loadGrammars(), 'cuda', FOLDING);
  // blocks_for(1000) = ceil_div(1000, THREADS), round_up(500, 64) / 64; a type template, a value template's
  // default (32) and explicit argument (64), a default argument; recursion that ends, a namespace's function
  // called qualified; an int result truncates (7.5), a recursion that never ends is unknown (not guessed);
  // division by zero inside a function.
  assert.deepEqual(
    analysis.launches.map((l) => [l.grid, l.block]),
    [
      [
        [8, 8, 1],
        [128, 1, 1],
      ],
      [
        [500, 16, 9],
        [64, 1, 1],
      ],
      [
        [1024, 1, 1],
        [125, 1, 1],
      ],
      [[7, 1, 1], null],
      [null, [32, 1, 1]],
    ],
  );
  assert.deepEqual(
    analysis.problems.map((p) => [p.message, FOLDING.slice(p.range.start, p.range.end)]),
    [['division by zero (in blocks_over)', 'blocks_over(N, 0)']],
  );
});

test('an edit of a folded function re-folds the launches that call it; elsewhere they are reused', async () => {
  const grammars = await loadGrammars();
  const document = new SourceDocument(grammars, 'cuda', FOLDING);
  assert.deepEqual(document.analyze().launches[0]!.grid, [8, 8, 1]);
  let text = FOLDING;
  const edit = (find: string, replace: string) => {
    const start = text.indexOf(find);
    text = text.slice(0, start) + replace + text.slice(start + find.length);
    document.applyEdit({ start, end: start + find.length, newText: replace });
    const analysis = document.analyze();
    assert.deepEqual(analysis, analyzeSource(grammars, 'cuda', text));
    return analysis;
  };
  assert.deepEqual(edit('(a + b - 1) / b;', '(a + b - 1) / b * 2;').launches[0]!.grid, [16, 8, 1]);
  assert.deepEqual(edit('C[0] = 0;', 'C[0] = 1;').launches[0]!.grid, [16, 8, 1]);
  // Two statements: no longer folded.
  assert.equal(edit('return ((x + m - 1) / m) * m;', 'int r = ((x + m - 1) / m) * m; return r;').launches[0]!.grid, null);
  document.dispose();
});
