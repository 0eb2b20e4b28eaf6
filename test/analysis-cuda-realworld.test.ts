// Faults found by opening real public CUDA files (llm.c's dev/cuda launchers, cuda-samples' tensor-core
// GEMMs, ggml-cuda's mmvq.cu), each reproduced here in a few self-written lines: a member of a class
// template instance read as the name itself, a #define taken from the #if branch the preprocessor skips,
// sizes passed down a dispatcher called twice, and a GEMM whose parameters are not named M, N, K.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource, SourceDocument } from '../server/src/analysis/index';
import { foldExpr, MapEnv, parseCExpression } from '../server/src/analysis/folding';

async function analyze(text: string) {
  return analyzeSource(await loadGrammars(), 'cuda', text);
}

test('a member of a class template instance is not the name itself (no false recursive definition)', async () => {
  // ggml-cuda: `constexpr int qk = ggml_cuda_type_traits<type>::qk;` read as `(traits < type) > ::qk`.
  const analysis = await analyze(`template <int T> struct traits { static constexpr int qk = 32; };
template <int T, int C>
__global__ void dequant(float *dst, int n) {
    constexpr int qk = traits<T>::qk;
    constexpr int qi = traits<T>::template inner<2>::qi;
    dst[threadIdx.x] = qk + qi;
}
void run(float *d, int n) { dequant<1, 2><<<1, 32>>>(d, n); }
`);
  assert.deepEqual(
    analysis.problems.map((p) => p.message),
    [],
  );
  const expr = parseCExpression('traits<T>::qk', 0);
  assert.equal(expr.kind, 'unknown');
  assert.equal(foldExpr(expr, new MapEnv(), []).value, null);
  // A comparison chain without `::` after it still folds.
  assert.equal(foldExpr(parseCExpression('(1 < 2) > 0', 0), new MapEnv(), []).value, 1);
});

const BRANCHES = `#define LIMIT_64K 0
#if LIMIT_64K
#define CHUNK_K 4
#else
#define CHUNK_K 8
#endif
#ifdef USE_WIDE
#define WIDE 2
#else
#define WIDE 3
#endif
__global__ void gemm(float *d) { extern __shared__ float s[]; d[0] = s[0]; }
int main() {
    gemm<<<1, 256, CHUNK_K * 1024>>>(0);
    gemm<<<1, 256, WIDE>>>(0);
}
`;

test('a #define in an #if branch the preprocessor skips is not read (cuda-samples CHUNK_K)', async () => {
  const analysis = await analyze(BRANCHES);
  const smem = analysis.launches.map((l) => l.dynamicSharedMemBytes?.value ?? null);
  // CHUNK_K is 8 (#else): the #if LIMIT_64K branch is not taken. #ifdef depends on flags: the first stays.
  assert.deepEqual(smem, [8192, 2]);
  // Editing a condition, not a definition, changes the environment: the incremental analysis follows.
  const grammars = await loadGrammars();
  const document = new SourceDocument(grammars, 'cuda', BRANCHES);
  document.analyze();
  const at = BRANCHES.indexOf('#if LIMIT_64K') + '#if '.length;
  document.applyEdit({ start: at, end: at, newText: '!' });
  const edited = document.analyze();
  assert.deepEqual(
    edited.launches.map((l) => l.dynamicSharedMemBytes?.value ?? null),
    [4096, 2],
  );
  assert.deepEqual(edited, analyzeSource(grammars, 'cuda', document.text));
  document.dispose();
});

const DISPATCH = `#include <cublas_v2.h>
__global__ void bias_add(float *out, const float *bias, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] += bias[i % 64];
}
void forward_cublas(cublasHandle_t h, float *out, const float *inp, const float *w, int B, int T, int C, int OC) {
    const float alpha = 1.0f, beta = 0.0f;
    cublasSgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, OC, B * T, C, &alpha, w, C, inp, C, &beta, out, OC);
    bias_add<<<(B * T * OC + 255) / 256, 256>>>(out, w, B * T * OC);
}
void forward(int version, cublasHandle_t h, float *out, const float *inp, const float *w, int B, int T, int C, int OC, int block) {
    switch (version) {
        case 1: forward_cublas(h, out, inp, w, B, T, C, OC); break;
        default: break;
    }
}
int main(int argc, char **argv) {
    int B = 8;
    int T = 1024;
    int C = 768;
    int OC = 4 * C;
    cublasHandle_t h;
    int sizes[] = {64, 128};
    for (int j = 0; j < 2; j++) {
        int block = sizes[j];
        forward(1, h, 0, 0, 0, B, T, C, OC, block);
    }
    forward(1, h, 0, 0, 0, B, T, C, OC, 256);
    return 0;
}
`;

test('sizes reach a cuBLAS call through a dispatcher that main calls twice with the same sizes (llm.c)', async () => {
  const analysis = await analyze(DISPATCH);
  const call = analysis.libraryCalls[0]!;
  assert.deepEqual([call.m, call.n, call.k], [3072, 8192, 768]);
  assert.deepEqual(analysis.launches[0]!.grid, [98304, 1, 1]);
  // Calls that disagree on a size leave it unknown: here OC differs between main's two calls.
  const disagreeing = await analyze(DISPATCH.replace('forward(1, h, 0, 0, 0, B, T, C, OC, 256);', 'forward(1, h, 0, 0, 0, B, T, C, 2 * OC, 256);'));
  const other = disagreeing.libraryCalls[0]!;
  assert.deepEqual([other.m, other.n, other.k], [null, 8192, 768]);
  // An edit in main (two calls up) reaches the call in the incremental analysis.
  const grammars = await loadGrammars();
  const document = new SourceDocument(grammars, 'cuda', DISPATCH);
  document.analyze();
  const at = DISPATCH.indexOf('int C = 768;') + 'int C = '.length;
  document.applyEdit({ start: at, end: at + 3, newText: '512' });
  const edited = document.analyze();
  assert.deepEqual([edited.libraryCalls[0]!.m, edited.libraryCalls[0]!.k], [2048, 512]);
  // The launch's cached result depends on main's text too (two calls up): its grid follows.
  assert.deepEqual(edited.launches[0]!.grid, [65536, 1, 1]);
  assert.deepEqual(edited, analyzeSource(grammars, 'cuda', document.text));
  document.dispose();
});

test("a GEMM kernel's M, N, K from how it uses parameters not named for them (llm.c BT, C, OC)", async () => {
  const analysis = await analyze(`__global__ void matmul_naive(float *out, const float *inp, const float *weight, int BT, int C, int OC) {
    int bt = blockIdx.x * blockDim.x + threadIdx.x;
    int oc = blockIdx.y * blockDim.y + threadIdx.y;
    if (bt < BT && oc < OC) {
        float val = 0.0f;
        for (int i = 0; i < C; i++) {
            val += inp[bt * C + i] * weight[oc * C + i];
        }
        out[bt * OC + oc] = val;
    }
}
void launch(float *out, const float *inp, const float *w, int B, int T, int C, int OC, int block) {
    dim3 grid((B * T + block - 1) / block, (OC + block - 1) / block);
    matmul_naive<<<grid, dim3(block, block)>>>(out, inp, w, B * T, C, OC);
}
int main() {
    launch(0, 0, 0, 4, 512, 1024, 3 * 1024, 16);
}
`);
  const launch = analysis.launches[0]!;
  assert.equal(analysis.kernels[0]!.kind, 'gemm');
  // M = BT (the row the store strides by OC), N = OC, K = C (the dot product's loop bound).
  assert.deepEqual([launch.problem.m, launch.problem.n, launch.problem.k, launch.problem.source], [2048, 3072, 1024, 'code']);
  assert.deepEqual(launch.grid, [128, 192, 1]);
});

test('a size set only when the program is given command-line input keeps its declared value (cuda-samples matrixMul)', async () => {
  const source = (override: string) => `__global__ void gemm(const float *A, const float *B, float *C, int M, int N, int K) {
    int row = blockIdx.y * blockDim.y + threadIdx.y, col = blockIdx.x * blockDim.x + threadIdx.x;
    float acc = 0.f;
    for (int k = 0; k < K; ++k) acc += A[row * K + k] * B[k * N + col];
    C[row * N + col] = acc;
}
int main(int argc, char **argv) {
    int M = 512, N = 256, K = 128;
    ${override}
    gemm<<<dim3(N / 16, M / 16), dim3(16, 16)>>>(0, 0, 0, M, N, K);
}
`;
  const sizes = async (override: string) => {
    const { problem } = (await analyze(source(override))).launches[0]!;
    return [problem.m, problem.n, problem.k, problem.source];
  };
  // The overrides run only with arguments on the command line: the declared sizes are the default run's.
  assert.deepEqual(
    await sizes(
      'if (argc > 1) M = atoi(argv[1]);\n    if (checkCmdLineFlag(argc, (const char **)argv, "K")) { K = getCmdLineArgumentInt(argc, (const char **)argv, "K"); }',
    ),
    [512, 256, 128, 'code'],
  );
  // An `else` branch, or a size read from the command line unconditionally, changes it: unknown.
  assert.deepEqual(await sizes('if (argc > 1) M = atoi(argv[1]); else M = 1024;'), [4096, 256, 128, 'default']);
  assert.deepEqual(await sizes('M = atoi(argv[1]);'), [4096, 256, 128, 'default']);
});
