// Macros the C++ grammar cannot read as written (specifier macros on their own line, statement macros
// used without `;`) give no false syntax errors, real errors next to them are still reported, and the
// incremental preparation agrees with a full one around them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { prepareCudaText } from '../server/src/analysis/cuda/prepare';
import { preparedEditsAgree } from './support/prepare-edits';
import type { FileAnalysis } from '../server/src/analysis/types';

async function analyze(text: string): Promise<FileAnalysis> {
  return analyzeSource(await loadGrammars(), 'cuda', text);
}

function syntaxProblems(result: FileAnalysis, text: string): string[] {
  return result.problems
    .filter((p) => /syntax error/.test(p.message))
    .map((p) => `${p.message} at ${JSON.stringify(text.slice(p.range.start, p.range.end + 12))}`);
}

const SPECIFIER_CASES: Record<string, string> = {
  'specifier macro on its own line': `#define HOST_DEVICE_INLINE __host__ __device__ __forceinline__

HOST_DEVICE_INLINE
int f(int x) { return x + 1; }
HOST_DEVICE_INLINE int g(int x) { return x; }
`,
  'CUDA keywords spread over lines': `__device__
__forceinline__
int h(int x) { return x; }
`,
  'after a template header': `#define HOST_DEVICE_INLINE __host__ __device__ __forceinline__
template <typename T>
HOST_DEVICE_INLINE
T g(T a) { return a; }
`,
  'CUTLASS macros in a struct, from its headers': `struct S {
  /// Constructs.
  CUTLASS_HOST_DEVICE
  S() {}
  CUTLASS_DEVICE
  int get() const { return 1; }
};
#ifdef CUTLASS_HOST_DEVICE
#endif
CUTLASS_HOST_DEVICE
float g(float a) { return a; }
`,
  'a specifier macro defined empty for other compilers': `#ifdef __CUDACC__
#define HD __host__ __device__
#else
#define HD
#endif
#define EXTRA
#if defined(HD) && \\
    defined(EXTRA)
#endif
HD
float twice(float a) { return 2 * a; }
`,
  'a pragma macro before a loop': `#define UNROLL _Pragma("unroll")
#define NO_UNROLL #pragma unroll 1
__global__ void k(float *x) {
  UNROLL
  for (int i = 0; i < 4; ++i) x[i] = 0;
  NO_UNROLL
  for (int i = 0; i < 4; ++i) x[i] += 1;
  CUTLASS_PRAGMA_UNROLL
  for (int i = 0; i < 4; ++i) x[i] = 1;
}
`,
};

for (const [name, text] of Object.entries(SPECIFIER_CASES)) {
  test(`no syntax error: ${name}`, async () => {
    assert.deepEqual(syntaxProblems(await analyze(text), text), []);
  });
}

test('a #define of CUDA keywords does not swallow the next line (the kernel after it is found)', async () => {
  const text = '#define HD __host__ __device__\n__global__ void k(float *x) { x[0] = 1; }\nint main() { k<<<1, 1>>>(0); }\n';
  const result = await analyze(text);
  assert.deepEqual(
    result.kernels.map((k) => k.name),
    ['k'],
  );
  assert.deepEqual(result.problems, []);
});

const STATEMENT_CASES: Record<string, string> = {
  'a block macro without `;`, its arguments over two lines': `#define CUDA_CHECK(call) { cudaError_t e = (call); if (e != cudaSuccess) { abort(); } }
__global__ void k(float *x) { x[0] = 1; }
int main() {
  float *p;
  CUDA_CHECK(cudaMalloc(&p,
                        16))  // allocate
  CUDA_CHECK(cudaMemset(p, 0, 16))
  CUDA_CHECK(cudaFree(p));
  k<<<1, 1>>>(p);
  return 0;
}
`,
  'barrier macros ending in `;`': `#define SYNC __syncthreads();
#define SYNC_ALL() __syncthreads();
__global__ void k(float *x) {
  x[0] = 1;
  SYNC
  SYNC_ALL()
  x[1] = 2;
}
`,
  'loop-head macros before a block and a statement': `#define KERNEL_LOOP(i, n) for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)
#define LOOP(i, n) for (int i = 0; i < (n); ++i)
__global__ void k(float *x, int n) {
  KERNEL_LOOP(i, n) {
    x[i] = 0;
  }
  KERNEL_LOOP(i, n)
    x[i] = 1;
  LOOP(j, n) x[j] = 2;
}
`,
};

for (const [name, text] of Object.entries(STATEMENT_CASES)) {
  test(`no syntax error: ${name}`, async () => {
    assert.deepEqual(syntaxProblems(await analyze(text), text), []);
  });
}

test('a launch and a cuBLAS call after or inside statement macros are still read', async () => {
  const text = `${STATEMENT_CASES['a block macro without `;`, its arguments over two lines']}
#define CUBLAS_CHECK(call) { cublasStatus_t s = (call); if (s != CUBLAS_STATUS_SUCCESS) abort(); }
void gemm(cublasHandle_t h, const float *A, const float *B, float *C) {
  float alpha = 1, beta = 0;
  CUBLAS_CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, 1024, 512, 256, &alpha, A, 1024, B, 256, &beta, C, 1024))
}
`;
  const result = await analyze(text);
  assert.deepEqual(syntaxProblems(result, text), []);
  assert.equal(result.launches.length, 1);
  assert.equal(result.libraryCalls.length, 1);
  // The rewrite keeps the inner call where it is written: `CUDA_CHECK(x)` reads as `x;`.
  const prepared = prepareCudaText(text);
  const at = text.indexOf('CUDA_CHECK(cudaMemset');
  assert.equal(prepared.parseText.slice(at, text.indexOf('\n', at)), `${' '.repeat('CUDA_CHECK('.length)}cudaMemset(p, 0, 16);`);
});

test('real syntax errors next to macros are still reported', async () => {
  const cases = [
    // An unclosed call.
    '__global__ void k(float *x) {\n  foo(\n  x[0] = 1;\n}\n',
    // A call missing its `;` (`foo` is no macro).
    '__global__ void k(float *x) {\n  foo(x)\n  x[1] = 2;\n}\n',
    // A macro whose body is an expression needs the `;` the use lacks.
    '#define SYNC() __syncthreads()\n__global__ void k(float *x) {\n  SYNC()\n  x[1] = 2;\n}\n',
    // `do { ... } while (0)` needs its `;` too: nvcc rejects the use without one.
    '#define SWAP(a, b) do { float t = a; a = b; b = t; } while (0)\n__global__ void k(float *x) {\n  float a = x[0], b = x[1];\n  SWAP(a, b)\n  x[0] = a;\n}\n',
    // A statement macro whose use runs into the next statement.
    '#define CHECK(x) { if (!(x)) abort(); }\n__global__ void k(float *x) {\n  CHECK(x[0] > 0\n  x[1] = 2;\n}\n',
  ];
  for (const text of cases) assert.notDeepEqual(syntaxProblems(await analyze(text), text), [], text);
});

test('incremental preparation equals a full scan around macro definitions and uses', () => {
  // Without launches: an edit that leaves a `<<<` unmatched makes every later edit a full scan.
  const text = `${Object.values(SPECIFIER_CASES).join('\n')}\n${Object.values(STATEMENT_CASES).join('\n')}`.replaceAll('<<<1, 1>>>', '');
  const pieces = [
    'CUDA_CHECK(',
    'KERNEL_LOOP(i, n)',
    'SYNC',
    'HOST_DEVICE_INLINE',
    '#define HD __host__\n',
    '#define ',
    ')',
    '(',
    ';',
    '\n',
    '\\\n',
    '//',
    '{',
    '}',
    'x',
    ' ',
  ];
  let state = 2024;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) / 4294967296;
  const total = 600;
  const answered = preparedEditsAgree(text, pieces, total, next);
  assert.ok(answered > total / 2, `answered ${answered} of ${total}`);
});
