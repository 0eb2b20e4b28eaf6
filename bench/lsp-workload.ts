// Generates the language-server benchmark's CUDA file: about 5,000 lines with 50 launch sites (25 tiled
// GEMM kernels, each with its launcher, like bench/analysis.bench.ts's units) and plain host code
// between them, the proportions of a real project file. Text only; it times nothing.

/** A tiled GEMM kernel, a scale kernel and a launcher with two launches (about 45 lines). */
function gemmUnit(i: number): string {
  return `#define TILE_${i} ${8 << (i % 3)}
// tilecast: M=${1024 + i} N=1024 K=512
__global__ void gemm_${i}(const float *__restrict__ A, const float *__restrict__ B, float *C, int M, int N, int K) {
    __shared__ float As[TILE_${i}][TILE_${i}];
    __shared__ float Bs[TILE_${i}][TILE_${i} + 1];
    int row = blockIdx.y * TILE_${i} + threadIdx.y;
    int col = blockIdx.x * TILE_${i} + threadIdx.x;
    float acc = 0.0f;
    for (int t = 0; t < K; t += TILE_${i}) {
        As[threadIdx.y][threadIdx.x] = A[row * K + t + threadIdx.x];
        Bs[threadIdx.y][threadIdx.x] = B[(t + threadIdx.y) * N + col];
        __syncthreads();
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
    gemm_${i}<<<grid, block, 0, stream>>>(A, B, C, M, N, K);
    scale_${i}<<<(M * N + 255) / 256, 256>>>(C, 0.5f, M * N);
}

`;
}

/** Host code with no kernels or launches (about 20 lines). */
function hostUnit(i: number, j: number): string {
  return `static double checksum_${i}_${j}(const float *values, int count) {
    double sum = 0.0;
    for (int index = 0; index < count; ++index) {
        if (values[index] > ${j}.0f) {
            sum += values[index] * 0.5;
        } else {
            sum -= values[index];
        }
    }
    return sum;
}

static int parse_flag_${i}_${j}(int argc, char **argv, const char *name, int fallback) {
    for (int index = 1; index + 1 < argc; ++index) {
        if (strcmp(argv[index], name) == 0) return atoi(argv[index + 1]);
    }
    return fallback;
}

`;
}

export interface BenchFile {
  text: string;
  lines: number;
  /** Offsets of the 50 launch sites (the kernel name of each `<<<` launch), for hovers. */
  launchOffsets: number[];
  /** Offsets of the 25 GEMM launches among them (the others launch an elementwise kernel). */
  gemmLaunchOffsets: number[];
  /** Offsets inside a kernel body, one per unit, where an edit keeps the code valid. */
  editOffsets: number[];
}

export function generateBenchFile(targetLines = 5000, launchUnits = 25): BenchFile {
  const hostPerUnit = Math.max(0, Math.round((targetLines / launchUnits - 45) / 20));
  let text = '#include <cuda_runtime.h>\n#include <cstring>\n#include <cstdlib>\n\n';
  for (let i = 0; i < launchUnits; i++) {
    text += gemmUnit(i);
    for (let j = 0; j < hostPerUnit; j++) text += hostUnit(i, j);
  }
  for (let j = 0; text.split('\n').length < targetLines; j++) text += hostUnit(launchUnits, j);
  const launchOffsets: number[] = [];
  for (const match of text.matchAll(/^\s+(\w+)<<</gm)) launchOffsets.push(match.index + match[0].indexOf(match[1]!) + 1);
  const gemmLaunchOffsets = launchOffsets.filter((offset) => text.startsWith('gemm_', offset - 1));
  const editOffsets: number[] = [];
  for (const match of text.matchAll(/float acc = 0\.0f;/g)) editOffsets.push(match.index + 'float acc = '.length);
  return { text, lines: text.split('\n').length, launchOffsets, gemmLaunchOffsets, editOffsets };
}
