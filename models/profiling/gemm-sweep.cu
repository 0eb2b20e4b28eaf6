// The project's own GEMM measurements on one GPU: the fixture kernel families (naive; shared-memory
// tiled TILE 4/8/16/32; register-blocked over a BM/BN/BK/TM/TN grid; float4-vectorised; WMMA fp16 and
// bf16) at sizes 256..8192 including non-powers of two, each timed with CUDA events and measured for
// energy with NVML by the same support code as TileCast's generated harnesses (tilecast-harness-
// support.cuh, written from server/src/profile/cuda-support.ts). Prints tilecast-profile/1 lines.
// Stops starting new measurements after --budget-s seconds (default 270) so run-sweep.sh fits 8 minutes.
#include "tilecast-harness-support.cuh"
#include <mma.h>
#include <functional>

// ---- Kernels (correct for any size; the check verifies every measurement) ----
__global__ void naive_gemm(const float *A, const float *B, float *C, int M, int N, int K) {
  int row = blockIdx.y * blockDim.y + threadIdx.y, col = blockIdx.x * blockDim.x + threadIdx.x;
  if (row >= M || col >= N) return;
  float s = 0.f;
  for (int k = 0; k < K; k++) s += A[(size_t)row * K + k] * B[(size_t)k * N + col];
  C[(size_t)row * N + col] = s;
}

template <int TILE> __global__ void tiled_gemm(const float *A, const float *B, float *C, int M, int N, int K) {
  __shared__ float As[TILE][TILE];
  __shared__ float Bs[TILE][TILE];
  int tx = threadIdx.x, ty = threadIdx.y, row = blockIdx.y * TILE + ty, col = blockIdx.x * TILE + tx;
  float acc = 0.f;
  for (int t = 0; t < K; t += TILE) {
    As[ty][tx] = (row < M && t + tx < K) ? A[(size_t)row * K + t + tx] : 0.f;
    Bs[ty][tx] = (t + ty < K && col < N) ? B[(size_t)(t + ty) * N + col] : 0.f;
    __syncthreads();
    for (int k = 0; k < TILE; k++) acc += As[ty][k] * Bs[k][tx];
    __syncthreads();
  }
  if (row < M && col < N) C[(size_t)row * N + col] = acc;
}

// Register-blocked (Boehm's kernel 5 shape) with guarded loads; VEC loads A and B with float4 (K, N multiples of 4).
template <int BM, int BN, int BK, int TM, int TN, bool VEC>
__global__ void __launch_bounds__((BM * BN) / (TM * TN)) regblock_gemm(const float *A, const float *B, float *C, int M, int N, int K) {
  constexpr int THREADS = (BM * BN) / (TM * TN);
  __shared__ float As[BK][BM];
  __shared__ float Bs[BK][BN];
  const int tid = threadIdx.x, tRow = tid / (BN / TN), tCol = tid % (BN / TN);
  const int bRow = blockIdx.y * BM, bCol = blockIdx.x * BN;
  float acc[TM][TN] = {};
  float regM[TM], regN[TN];
  for (int k0 = 0; k0 < K; k0 += BK) {
    if (VEC) {
      for (int i = tid; i < BM * BK / 4; i += THREADS) {
        int r = i / (BK / 4), c = (i % (BK / 4)) * 4, gr = bRow + r, gc = k0 + c;
        float4 v = gr < M && gc < K ? *reinterpret_cast<const float4 *>(&A[(size_t)gr * K + gc]) : make_float4(0, 0, 0, 0);
        As[c][r] = v.x; As[c + 1][r] = v.y; As[c + 2][r] = v.z; As[c + 3][r] = v.w;
      }
      for (int i = tid; i < BK * BN / 4; i += THREADS) {
        int r = i / (BN / 4), c = (i % (BN / 4)) * 4, gr = k0 + r, gc = bCol + c;
        float4 v = gr < K && gc < N ? *reinterpret_cast<const float4 *>(&B[(size_t)gr * N + gc]) : make_float4(0, 0, 0, 0);
        *reinterpret_cast<float4 *>(&Bs[r][c]) = v;
      }
    } else {
      for (int i = tid; i < BM * BK; i += THREADS) {
        int r = i / BK, c = i % BK, gr = bRow + r, gc = k0 + c;
        As[c][r] = gr < M && gc < K ? A[(size_t)gr * K + gc] : 0.f;
      }
      for (int i = tid; i < BK * BN; i += THREADS) {
        int r = i / BN, c = i % BN, gr = k0 + r, gc = bCol + c;
        Bs[r][c] = gr < K && gc < N ? B[(size_t)gr * N + gc] : 0.f;
      }
    }
    __syncthreads();
    for (int d = 0; d < BK; d++) {
      for (int i = 0; i < TM; i++) regM[i] = As[d][tRow * TM + i];
      for (int j = 0; j < TN; j++) regN[j] = Bs[d][tCol * TN + j];
      for (int i = 0; i < TM; i++)
        for (int j = 0; j < TN; j++) acc[i][j] += regM[i] * regN[j];
    }
    __syncthreads();
  }
  for (int i = 0; i < TM; i++)
    for (int j = 0; j < TN; j++) {
      int r = bRow + tRow * TM + i, c = bCol + tCol * TN + j;
      if (r < M && c < N) C[(size_t)r * N + c] = acc[i][j];
    }
}

// WMMA (CUDA Programming Guide, "Warp Matrix Functions"): one warp per 16x16 tile of C; sizes multiples of 16.
template <typename T> __global__ void wmma_gemm(const T *A, const T *B, float *C, int M, int N, int K) {
  using namespace nvcuda;
  int warp = (blockIdx.x * blockDim.x + threadIdx.x) / 32, tilesN = N / 16;
  int tileRow = warp / tilesN, tileCol = warp % tilesN;
  if (tileRow * 16 >= M) return;
  wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
  wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> b;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> c;
  wmma::fill_fragment(c, 0.f);
  for (int k = 0; k < K; k += 16) {
    wmma::load_matrix_sync(a, A + (size_t)tileRow * 16 * K + k, K);
    wmma::load_matrix_sync(b, B + (size_t)k * N + tileCol * 16, N);
    wmma::mma_sync(c, a, b, c);
  }
  wmma::store_matrix_sync(C + (size_t)tileRow * 16 * N + tileCol * 16, c, N, wmma::mem_row_major);
}

// ---- The sweep ----
struct Sweep {
  TcHarnessOptions options;
  TcNvml nvml;
  cudaDeviceProp prop;
  double started = tc_now_ms(), budgetMs = 270000;
  int measured = 0, skipped = 0;
  float *fA = nullptr, *fB = nullptr, *fC = nullptr;
  __half *hA = nullptr, *hB = nullptr;
  __nv_bfloat16 *bA = nullptr, *bB = nullptr;
};

template <typename T>
static void run(Sweep &s, const char *family, const char *kernelName, const char *dtype, const std::string &params, int m, int n, int k,
                dim3 grid, dim3 block, const T *A, const T *B, float *C, std::function<void()> launch) {
  if (tc_now_ms() - s.started > s.budgetMs) {
    fprintf(stderr, "tilecast-harness: skipped %s %s %dx%dx%d: over the time budget\n", kernelName, params.c_str(), m, n, k);
    s.skipped++;
    return;
  }
  TC_CHECK(cudaMemset(C, 0, (size_t)m * n * sizeof(float)));
  launch();
  TC_CHECK(cudaGetLastError());
  TC_CHECK(cudaDeviceSynchronize());
  TcCheck check = tc_check(tc_download(A, (size_t)m * k), tc_download(B, (size_t)k * n), tc_download(C, (size_t)m * n), m, n, k,
                           strcmp(dtype, "fp32") == 0 ? 1e-4 : 2e-2);
  TcMeasurement r = tc_measure(launch, s.nvml, s.options.warmupMs, s.options.timedMs, s.options.sustainMs);
  TcRecordInfo info = { "", dtype, family, kernelName, params.c_str(), "tilecast-gemm-sweep 0.1.0", m, n, k, 1, { grid.x, grid.y, grid.z }, { block.x, block.y, block.z } };
  tc_print_record(info, s.prop, s.nvml, r, check, s.options);
  s.measured++;
}

template <int TILE> static void tiled(Sweep &s, int size) {
  dim3 block(TILE, TILE), grid((size + TILE - 1) / TILE, (size + TILE - 1) / TILE);
  run<float>(s, "tiled", "tiled_gemm", "fp32", "{\"TILE\":" + std::to_string(TILE) + "}", size, size, size, grid, block, s.fA, s.fB, s.fC,
             [&]() { tiled_gemm<TILE><<<grid, block>>>(s.fA, s.fB, s.fC, size, size, size); });
}

template <int BM, int BN, int BK, int TM, int TN, bool VEC> static void regblock(Sweep &s, int m, int n, int k) {
  dim3 block((BM * BN) / (TM * TN)), grid((n + BN - 1) / BN, (m + BM - 1) / BM);
  char params[160];
  snprintf(params, sizeof params, "{\"BM\":%d,\"BN\":%d,\"BK\":%d,\"TM\":%d,\"TN\":%d}", BM, BN, BK, TM, TN);
  run<float>(s, "tiled", VEC ? "regblock_gemm_float4" : "regblock_gemm", "fp32", params, m, n, k, grid, block, s.fA, s.fB, s.fC,
             [&]() { regblock_gemm<BM, BN, BK, TM, TN, VEC><<<grid, block>>>(s.fA, s.fB, s.fC, m, n, k); });
}

template <int BM, int BN, int BK> static void regblockThreads(Sweep &s, int size) {
  regblock<BM, BN, BK, 4, 4, false>(s, size, size, size);
  regblock<BM, BN, BK, 4, 8, false>(s, size, size, size);
  regblock<BM, BN, BK, 8, 4, false>(s, size, size, size);
  regblock<BM, BN, BK, 8, 8, false>(s, size, size, size);
}

template <typename T> static void wmma(Sweep &s, const char *dtype, const T *A, const T *B, int size) {
  dim3 block(128), grid((unsigned)(((size_t)(size / 16) * (size / 16) + 3) / 4));
  run<T>(s, "tiled", dtype[1] == 'p' ? "wmma_gemm_fp16" : "wmma_gemm_bf16", dtype, "{\"WMMA_M\":16,\"WMMA_N\":16,\"WMMA_K\":16}", size, size, size, grid, block, A, B, s.fC,
         [&]() { wmma_gemm<T><<<grid, block>>>(A, B, s.fC, size, size, size); });
}

int main(int argc, char **argv) {
  Sweep s;
  // --budget-s is ours; the rest are the harness options (--device, --timed-ms, --sustain-ms, --clock-policy).
  std::vector<char *> rest = { argv[0] };
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--budget-s") == 0 && i + 1 < argc) s.budgetMs = atof(argv[++i]) * 1000;
    else rest.push_back(argv[i]);
  }
  s.options = tc_parse_options((int)rest.size(), rest.data());
  if (s.options.timedMs == 500) s.options.timedMs = 200;
  if (s.options.warmupMs == 200) s.options.warmupMs = 100;
  TC_CHECK(cudaSetDevice(s.options.device));
  TC_CHECK(cudaGetDeviceProperties(&s.prop, s.options.device));
  char bus[32];
  TC_CHECK(cudaDeviceGetPCIBusId(bus, sizeof bus, s.options.device));
  tc_nvml_open(s.nvml, bus);
  const size_t maxElems = (size_t)8192 * 8192;
  s.fA = tc_alloc_normal<float>(maxElems, 1); s.fB = tc_alloc_normal<float>(maxElems, 2); s.fC = tc_alloc_zero<float>(maxElems);
  s.hA = tc_alloc_normal<__half>(maxElems, 3); s.hB = tc_alloc_normal<__half>(maxElems, 4);
  s.bA = tc_alloc_normal<__nv_bfloat16>(maxElems, 5); s.bB = tc_alloc_normal<__nv_bfloat16>(maxElems, 6);
  TC_CHECK(cudaDeviceSynchronize());

  for (int size : { 256, 1000, 2048 }) {
    dim3 block(16, 16), grid((size + 15) / 16, (size + 15) / 16);
    run<float>(s, "naive", "naive_gemm", "fp32", "{}", size, size, size, grid, block, s.fA, s.fB, s.fC,
               [&]() { naive_gemm<<<grid, block>>>(s.fA, s.fB, s.fC, size, size, size); });
  }
  for (int size : { 512, 1000 }) tiled<4>(s, size);
  for (int size : { 512, 1000, 2048, 4096 }) { tiled<8>(s, size); tiled<16>(s, size); tiled<32>(s, size); }
  for (int size : { 1024, 3000 }) {
    regblockThreads<64, 64, 8>(s, size); regblockThreads<64, 64, 16>(s, size);
    regblockThreads<128, 64, 8>(s, size); regblockThreads<64, 128, 8>(s, size);
    regblockThreads<128, 128, 8>(s, size); regblockThreads<128, 128, 16>(s, size);
  }
  for (int size : { 256, 2048, 4096, 6144, 8192 }) regblock<128, 128, 8, 8, 8, false>(s, size, size, size);
  regblock<128, 128, 8, 8, 8, false>(s, 4096, 1024, 8192);
  regblock<128, 128, 8, 8, 8, false>(s, 1000, 3000, 2000);
  for (int size : { 1024, 2048, 4096, 8192 }) regblock<128, 128, 8, 8, 8, true>(s, size, size, size);
  for (int size : { 1024, 2048, 4096, 8192 }) { wmma<__half>(s, "fp16", s.hA, s.hB, size); wmma<__nv_bfloat16>(s, "bf16", s.bA, s.bB, size); }

  fprintf(stderr, "tilecast-harness: gemm-sweep measured %d configurations, skipped %d, in %.0f s\n", s.measured, s.skipped, (tc_now_ms() - s.started) / 1000);
  for (void *p : { (void *)s.fA, (void *)s.fB, (void *)s.fC, (void *)s.hA, (void *)s.hB, (void *)s.bA, (void *)s.bB }) TC_CHECK(cudaFree(p));
  if (s.nvml.ok) tc_nvml_ok(s.nvml, s.nvml.shutdown(), "shutdown");
  return 0;
}
