// Analysis speed: cold analysis of a generated 5,000-line CUDA file and incremental re-analysis after
// a one-character edit (medians, after grammar load), plus peak memory. Prints figures; asserts nothing.
import { loadGrammars } from '../server/src/platform/grammars';
import { cpus, loadavg } from 'node:os';
import { SourceDocument } from '../server/src/analysis/index';

/** ~50 lines per unit: a tiled GEMM kernel, a constant block and a launcher with a launch. */
function unit(i: number): string {
  return `#define TILE_${i} ${8 << (i % 3)}
constexpr int BK_${i} = 8;
// tilecast: M=${1024 + i} N=1024 K=512
template <int BM, int BN>
__global__ void __launch_bounds__(256) gemm_${i}(const float *__restrict__ A, const float *__restrict__ B, float *C, int M, int N, int K) {
    __shared__ float As[TILE_${i}][TILE_${i}];
    __shared__ float Bs[TILE_${i}][TILE_${i} + 1];
    int row = blockIdx.y * TILE_${i} + threadIdx.y;
    int col = blockIdx.x * TILE_${i} + threadIdx.x;
    float acc = 0.0f;
    for (int t = 0; t < K; t += TILE_${i}) {
        As[threadIdx.y][threadIdx.x] = A[row * K + t + threadIdx.x];
        Bs[threadIdx.y][threadIdx.x] = B[(t + threadIdx.y) * N + col];
        __syncthreads();
#pragma unroll
        for (int k = 0; k < TILE_${i}; ++k) {
            acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
        }
        __syncthreads();
    }
    if (row < M && col < N) {
        C[row * N + col] = acc;
    }
}

__global__ void scale_${i}(float *x, float s, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        x[i] = x[i] * s + ${i}.0f;
    }
}

void launch_${i}(const float *A, const float *B, float *C, int M, int N, int K, cudaStream_t stream) {
    dim3 block(TILE_${i}, TILE_${i});
    dim3 grid((N + TILE_${i} - 1) / TILE_${i}, (M + TILE_${i} - 1) / TILE_${i});
    gemm_${i}<64, 64><<<grid, block, 0, stream>>>(A, B, C, M, N, K);
    scale_${i}<<<(M * N + 255) / 256, 256>>>(C, 0.5f, M * N);
}

static void run_${i}() {
    const int M = ${512 + i}, N = 512, K = 256;
    float *A = nullptr, *B = nullptr, *C = nullptr;
    cudaMalloc(&A, M * K * sizeof(float));
    launch_${i}(A, B, C, M, N, K, 0);
    cudaFree(A);
}

`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const loadStart = performance.now();
  const grammars = await loadGrammars();
  const loadMs = performance.now() - loadStart;

  let text = '#include <cuda_runtime.h>\n';
  for (let i = 0; text.split('\n').length < 5000; i++) text += unit(i);
  const lines = text.split('\n').length;
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };

  // Cold: parse + analyse a fresh document each time (first run warms the JIT and is not counted).
  const cold: number[] = [];
  let kernels = 0;
  let launches = 0;
  for (let run = 0; run < 10; run++) {
    const started = performance.now();
    const document = new SourceDocument(grammars, 'cuda', text);
    const result = document.analyze();
    const elapsed = performance.now() - started;
    if (run > 0) cold.push(elapsed);
    kernels = result.kernels.length;
    launches = result.launches.length;
    document.dispose();
    sample();
  }

  // Incremental: flip one digit inside a kernel body in the middle of the file, re-analyse.
  const document = new SourceDocument(grammars, 'cuda', text);
  document.analyze();
  const target = document.text.indexOf('acc = 0.0f', Math.floor(text.length / 2)) + 'acc = '.length;
  const incremental: number[] = [];
  for (let run = 0; run < 41; run++) {
    const digit = run % 2 === 0 ? '1' : '0';
    const started = performance.now();
    document.applyEdit({ start: target, end: target + 1, newText: digit });
    document.analyze();
    const elapsed = performance.now() - started;
    if (run > 0) incremental.push(elapsed);
    sample();
  }
  // Typing in a launch line (changes a launch, not a kernel).
  const launchTarget = document.text.indexOf('0.5f', Math.floor(text.length / 2)) + 2;
  const incrementalLaunch: number[] = [];
  for (let run = 0; run < 41; run++) {
    const started = performance.now();
    document.applyEdit({ start: launchTarget, end: launchTarget + 1, newText: run % 2 === 0 ? '7' : '5' });
    document.analyze();
    if (run > 0) incrementalLaunch.push(performance.now() - started);
  }
  document.dispose();
  (globalThis as { gc?: () => void }).gc?.();
  sample();

  console.log(`grammar load: ${loadMs.toFixed(1)} ms`);
  console.log(`generated file: ${lines} lines, ${text.length} chars, ${kernels} kernels, ${launches} launches`);
  console.log(`cold analysis (parse + analyse), median of ${cold.length}: ${median(cold).toFixed(1)} ms (min ${Math.min(...cold).toFixed(1)}, max ${Math.max(...cold).toFixed(1)})`);
  console.log(`incremental after a 1-character edit in a kernel body, median of ${incremental.length}: ${median(incremental).toFixed(2)} ms (min ${Math.min(...incremental).toFixed(2)}, max ${Math.max(...incremental).toFixed(2)})`);
  console.log(`incremental after a 1-character edit in a launch line, median of ${incrementalLaunch.length}: ${median(incrementalLaunch).toFixed(2)} ms (min ${Math.min(...incrementalLaunch).toFixed(2)})`);
  // Other processes share these 2 cores; the load average says how much the figures are disturbed.
  console.log(`load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`);
  console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, peak JS heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
