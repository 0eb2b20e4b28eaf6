// Ground truth for TileCast's occupancy calculator: asks the CUDA runtime
// (cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags) how many blocks of kernels with known
// register and shared-memory use fit on one SM of this GPU, and prints one JSON object per line for
// models/scripts/compare-occupancy.ts. It launches nothing and measures no time.
//
// Build and run on a machine with a GPU (see models/profiling/README.md):
//   nvcc -O2 -arch=native models/profiling/occupancy-check.cu -o occupancy-check
//   ./occupancy-check > occupancy.jsonl
//
// Register use is forced per kernel with __maxnreg__ (CUDA 12.4+) on a kernel whose register
// demand exceeds the cap, so ptxas uses exactly the cap; the program still reports what
// cudaFuncGetAttributes says, never what it asked for. Static shared memory is a __shared__ array.
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

#define CHECK(call)                                                                            \
  do {                                                                                         \
    cudaError_t err_ = (call);                                                                 \
    if (err_ != cudaSuccess) {                                                                 \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(err_)); \
      std::exit(1);                                                                            \
    }                                                                                          \
  } while (0)

// PRESSURE live accumulators make the compiler want more registers than REGS, so it uses REGS
// (spilling the rest). SMEM_BYTES of static shared memory are touched so they are kept.
template <int REGS, int SMEM_BYTES>
__global__ void __maxnreg__(REGS) pressure(const float* __restrict__ in, float* __restrict__ out, int n) {
  constexpr int PRESSURE = REGS + 16;
  float acc[PRESSURE];
#pragma unroll
  for (int i = 0; i < PRESSURE; i++) acc[i] = in[i * blockDim.x + threadIdx.x];
  for (int k = 0; k < n; k++) {
#pragma unroll
    for (int i = 0; i < PRESSURE; i++) acc[i] = fmaf(acc[i], acc[(i + 1) % PRESSURE], 1.0f);
  }
  float extra = 0.0f;
  if constexpr (SMEM_BYTES > 0) {
    __shared__ unsigned char buffer[SMEM_BYTES];
    for (int i = threadIdx.x; i < SMEM_BYTES; i += blockDim.x) buffer[i] = (unsigned char)(in[i] * 3.0f);
    __syncthreads();
    extra = buffer[(threadIdx.x * 7) % SMEM_BYTES];
  }
#pragma unroll
  for (int i = 0; i < PRESSURE; i++) out[i * blockDim.x + threadIdx.x] = acc[i] + extra;
}

struct KernelCase {
  const char* name;
  const void* function;
};

#define KERNEL(R, S) {"regs" #R "_smem" #S, reinterpret_cast<const void*>(&pressure<R, S>)}

// Register sweep (no shared memory) around the allocation-granularity edges, then a shared-memory
// sweep at 32 registers: 32563 B + 1 KB reserved is the 128-byte rounding edge on cc 8.0.
static const KernelCase kKernels[] = {
    KERNEL(24, 0),  KERNEL(32, 0),  KERNEL(33, 0),    KERNEL(40, 0),    KERNEL(48, 0),
    KERNEL(56, 0),  KERNEL(64, 0),  KERNEL(65, 0),    KERNEL(72, 0),    KERNEL(80, 0),
    KERNEL(96, 0),  KERNEL(128, 0), KERNEL(168, 0),   KERNEL(192, 0),   KERNEL(255, 0),
    KERNEL(32, 2048), KERNEL(32, 10000), KERNEL(32, 12288), KERNEL(32, 32563), KERNEL(32, 49152),
};

static const int kThreads[] = {32, 33, 64, 96, 128, 160, 192, 256, 320, 384, 512, 640, 768, 800, 864, 1024};
static const int kDynamicKiB[] = {0, 1, 20, 48, 64, 99, 100, 163, 227};
static const int kCarveouts[] = {-1, 0, 25, 50, 100};

int main() {
  int device = 0;
  CHECK(cudaGetDevice(&device));
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, device));
  char cc[16];
  std::snprintf(cc, sizeof cc, "%d.%d", prop.major, prop.minor);
  // Device line: lets the comparison also check the compute-capability table.
  std::printf(
      "{\"device\":\"%s\",\"cc\":\"%s\",\"multiProcessorCount\":%d,\"maxThreadsPerMultiProcessor\":%d,"
      "\"maxBlocksPerMultiProcessor\":%d,\"regsPerMultiprocessor\":%d,\"regsPerBlock\":%d,"
      "\"sharedMemPerMultiprocessor\":%zu,\"sharedMemPerBlock\":%zu,\"sharedMemPerBlockOptin\":%zu,"
      "\"reservedSharedMemPerBlock\":%zu,\"maxThreadsPerBlock\":%d}\n",
      prop.name, cc, prop.multiProcessorCount, prop.maxThreadsPerMultiProcessor, prop.maxBlocksPerMultiProcessor,
      prop.regsPerMultiprocessor, prop.regsPerBlock, prop.sharedMemPerMultiprocessor, prop.sharedMemPerBlock,
      prop.sharedMemPerBlockOptin, prop.reservedSharedMemPerBlock, prop.maxThreadsPerBlock);

  for (const KernelCase& kernel : kKernels) {
    cudaFuncAttributes attributes;
    CHECK(cudaFuncGetAttributes(&attributes, kernel.function));
    // Opt in to the largest dynamic shared memory this kernel can have, as a kernel needing more
    // than 48 KB must; TileCast's calculator assumes the opt-in is done.
    const int maxDynamic = static_cast<int>(prop.sharedMemPerBlockOptin - attributes.sharedSizeBytes);
    if (prop.major >= 7) {
      CHECK(cudaFuncSetAttribute(kernel.function, cudaFuncAttributeMaxDynamicSharedMemorySize, maxDynamic));
    }
    for (int carveout : kCarveouts) {
      if (prop.major < 7 && carveout != -1) continue;
      if (prop.major >= 7) {
        CHECK(cudaFuncSetAttribute(kernel.function, cudaFuncAttributePreferredSharedMemoryCarveout, carveout));
      }
      for (int threads : kThreads) {
        for (int dynamicKiB : kDynamicKiB) {
          const size_t dynamicBytes = static_cast<size_t>(dynamicKiB) * 1024;
          int blocks = -1;
          cudaError_t status = cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(
              &blocks, kernel.function, threads, dynamicBytes, cudaOccupancyDefault);
          if (status != cudaSuccess) (void)cudaGetLastError();  // clear it; report it below
          std::printf(
              "{\"case\":\"%s_t%d_d%d_c%d\",\"cc\":\"%s\",\"kernel\":\"%s\",\"threads\":%d,\"regs\":%d,"
              "\"smem\":%zu,\"dynamicSmem\":%zu,\"carveout\":%d,\"blocksPerSM\":%d,\"status\":\"%s\"}\n",
              kernel.name, threads, dynamicKiB, carveout, cc, kernel.name, threads, attributes.numRegs,
              attributes.sharedSizeBytes, dynamicBytes, carveout, status == cudaSuccess ? blocks : -1,
              cudaGetErrorName(status));
        }
      }
    }
    if (prop.major >= 7) {
      CHECK(cudaFuncSetAttribute(kernel.function, cudaFuncAttributePreferredSharedMemoryCarveout, -1));
    }
  }
  return 0;
}
