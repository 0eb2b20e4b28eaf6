// Analysis speed: cold analysis of a generated 5,000-line CUDA file and incremental re-analysis after
// a one-character edit (replacing one, and inserting/deleting one), plus tree-sitter's own parse
// time (the floor under both), peak memory, and a 20,000-line file to show the cost grows linearly.
// Then the error path and the size limit: one-character edits while an unclosed `foo(` sits elsewhere
// in the file, and valid ~450 kB and ~2 MB files full of comparisons the grammar first misreads as
// template arguments (cold, edits, and how many syntax warnings they get: valid code must get none).
// Last, typing in a file that includes 16 headers of ~60 kB, with and without them.
// Each figure is given as wall time and as this process's CPU time (process.cpuUsage), median and
// minimum: the machine is shared, and CPU time and minima are what other jobs disturb least. The CPU
// time is the whole process's, so V8's background threads (garbage collection, optimising compiler)
// count too: a CPU median above the wall median means work ran beside the analysis, not in it.
// The analysis is bundled with the shipped esbuild options first (bench/bundle.ts), so the figures
// are those of the code the language server runs.
// Prints figures; asserts nothing.
import { cpus, loadavg } from 'node:os';
import type { Edit } from 'web-tree-sitter';
import { loadBundled } from './bundle';
import type { SourceDocument } from '../server/src/analysis/index';

type AnalysisEntry = typeof import('./analysis-entry');

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

/**
 * ~30 lines of valid code with comparisons that tree-sitter's C++ grammar first misreads as template
 * argument lists (`threadIdx.x < K && ... >`): cuda/template-ambiguity.ts must resolve each of them.
 */
function comparisonUnit(i: number): string {
  return `#define TILE_C${i} 16
__global__ void guarded_${i}(const float* A, const float* B, float* C, int M, int N, int K) {
    __shared__ float As[TILE_C${i}][TILE_C${i}];
    __shared__ float Bs[TILE_C${i}][TILE_C${i}];
    int row = blockIdx.y * TILE_C${i} + threadIdx.y;
    int col = blockIdx.x * TILE_C${i} + threadIdx.x;
    float acc = 0.0f;
    for (int t = 0; t < (K + TILE_C${i} - 1) / TILE_C${i}; ++t) {
        As[threadIdx.y][threadIdx.x] = (row < M && t * TILE_C${i} + threadIdx.x < K) ? A[row * K + t * TILE_C${i} + threadIdx.x] : 0.0f;
        Bs[threadIdx.y][threadIdx.x] = (col < N && t * TILE_C${i} + threadIdx.y < K) ? B[(t * TILE_C${i} + threadIdx.y) * N + col] : 0.0f;
        __syncthreads();
        for (int k = 0; k < TILE_C${i}; ++k) acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
        __syncthreads();
    }
    bool inside = threadIdx.x < 32 && threadIdx.y > 2;
    if (blockIdx.x < gridDim.x && blockIdx.y > 0) acc += 1.0f;
    if (row < M && col < N) C[row * N + col] = acc + inside;
}

void run_guarded_${i}(const float* A, const float* B, float* C) {
    const int M = ${1000 + i}, N = 1000, K = 1000;
    dim3 block(TILE_C${i}, TILE_C${i});
    int gridX = block.x < N ? (N + block.x - 1) / block.x : 1;
    int gridY = block.y < M ? (M + block.y - 1) / block.y : 1;
    guarded_${i}<<<dim3(gridX, gridY), block>>>(A, B, C, M, N, K);
}

`;
}

/** A valid file of about `chars` characters mixing both units. */
function largeFile(chars: number): string {
  const parts = ['#include <cuda_runtime.h>\n'];
  let length = parts[0]!.length;
  for (let i = 0; ; i++) {
    const next = i % 2 === 0 ? unit(i) : comparisonUnit(i);
    if (length + next.length > chars) break;
    parts.push(next);
    length += next.length;
  }
  return parts.join('');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall and CPU milliseconds of each run of `work`. */
class Timings {
  readonly wall: number[] = [];
  readonly cpu: number[] = [];
  measure<T>(work: () => T, keep = true): T {
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    const result = work();
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    if (keep) {
      this.wall.push(wall);
      this.cpu.push((cpu.user + cpu.system) / 1000);
    }
    return result;
  }
  format(digits: number): string {
    const f = (v: number) => v.toFixed(digits);
    return `wall median ${f(median(this.wall))} ms (min ${f(Math.min(...this.wall))}), CPU median ${f(median(this.cpu))} ms (min ${f(Math.min(...this.cpu))}), n=${this.wall.length}`;
  }
}

async function main(): Promise<void> {
  const { loadGrammars, SourceDocument, prepareCudaText, Parser } = await loadBundled<AnalysisEntry>('bench/analysis-entry.ts', 'analysis');
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

  // Cold: parse + analyse a fresh document each time. The very first analysis in the process is
  // timed on its own: V8 runs the 4.6 MB C++ grammar on its baseline compiler (Liftoff) and the
  // JavaScript unoptimised until the optimising compiler catches up in the background, which takes
  // about a second (a dozen analyses of this file). A language server lives long, so the counted runs
  // start after that warm-up, as for the incremental figures below: opening a file in a running server
  // is what they measure.
  const first = new Timings();
  const warmUpCold = new Timings();
  const cold = new Timings();
  let kernels = 0;
  let launches = 0;
  const collect = () => (globalThis as { gc?: () => void }).gc?.();
  const COLD_WARM_UP_RUNS = 15;
  for (let run = 0; run < COLD_WARM_UP_RUNS + 21; run++) {
    let document: SourceDocument | null = null;
    const timings = run === 0 ? first : run < COLD_WARM_UP_RUNS ? warmUpCold : cold;
    const result = timings.measure(() => {
      document = new SourceDocument(grammars, 'cuda', text);
      return document.analyze();
    });
    // Freeing the tree (about 4 ms of tree-sitter's own work) is not part of the figure.
    (document as SourceDocument | null)?.dispose();
    kernels = result.kernels.length;
    launches = result.launches.length;
    sample();
  }

  // Tree-sitter alone: a fresh parse of the prepared text, and an incremental parse after one edit.
  const parser = new Parser();
  parser.setLanguage(grammars.cpp);
  const prepared = prepareCudaText(text);
  const parseCold = new Timings();
  for (let run = 0; run < 23; run++) parseCold.measure(() => parser.parse(prepared.parseText)?.delete(), run >= 3);
  const prepareCold = new Timings();
  for (let run = 0; run < 23; run++) prepareCold.measure(() => prepareCudaText(text), run >= 3);
  const parseIncremental = new Timings();
  {
    const at = prepared.parseText.indexOf('acc = 0.0f', Math.floor(text.length / 2)) + 'acc = '.length;
    let tree = parser.parse(prepared.parseText)!;
    let current = prepared.parseText;
    let row = 0;
    for (let i = current.indexOf('\n'); i >= 0 && i < at; i = current.indexOf('\n', i + 1)) row++;
    const column = at - current.lastIndexOf('\n', at - 1) - 1;
    for (let run = 0; run < 43; run++) {
      const next = current.slice(0, at) + (run % 2 === 0 ? '1' : '0') + current.slice(at + 1);
      const edit = {
        startIndex: at,
        oldEndIndex: at + 1,
        newEndIndex: at + 1,
        startPosition: { row, column },
        oldEndPosition: { row, column: column + 1 },
        newEndPosition: { row, column: column + 1 },
      } as Edit;
      tree = parseIncremental.measure(() => {
        tree.edit(edit);
        const parsed = parser.parse(next, tree)!;
        tree.delete();
        return parsed;
      }, run >= 3);
      current = next;
    }
    tree.delete();
  }
  parser.delete();

  // Incremental: flip one digit inside a kernel body in the middle of the file, re-analyse. In a fresh
  // process the first hundred or so edits run about twice as slow (V8 still compiling and collecting
  // in the background), so 200 warm-up edits are timed apart from the 200 counted ones: a language
  // server lives long, and the steady state is what typing meets.
  const document = new SourceDocument(grammars, 'cuda', text);
  document.analyze();
  collect();
  const target = document.text.indexOf('acc = 0.0f', Math.floor(text.length / 2)) + 'acc = '.length;
  const warmUp = new Timings();
  const incremental = new Timings();
  for (let run = 0; run < 400; run++) {
    const digit = run % 2 === 0 ? '1' : '0';
    (run < 200 ? warmUp : incremental).measure(() => {
      document.applyEdit({ start: target, end: target + 1, newText: digit });
      document.analyze();
    });
    sample();
  }
  // Typing in a launch line (changes a launch, not a kernel).
  const launchTarget = document.text.indexOf('0.5f', Math.floor(text.length / 2)) + 2;
  const incrementalLaunch = new Timings();
  for (let run = 0; run < 220; run++) {
    incrementalLaunch.measure(() => {
      document.applyEdit({ start: launchTarget, end: launchTarget + 1, newText: run % 2 === 0 ? '7' : '5' });
      document.analyze();
    }, run >= 20);
  }
  // Typing: a digit inserted (`acc = 10.0f`), then deleted: every later offset moves by one each time.
  const typingTarget = document.text.indexOf('acc = 0.0f', Math.floor(text.length / 3)) + 'acc = '.length;
  const typing = new Timings();
  for (let run = 0; run < 220; run++) {
    typing.measure(() => {
      if (run % 2 === 0) document.applyEdit({ start: typingTarget, end: typingTarget, newText: '1' });
      else document.applyEdit({ start: typingTarget, end: typingTarget + 1, newText: '' });
      document.analyze();
    }, run >= 20);
  }
  // A syntax error elsewhere: an unclosed `foo(` in a launcher near the top of the file, then the
  // same digit flips in a kernel body in the middle. Typing meets this state all the time.
  const brokenAt = document.text.indexOf('    dim3 block(', 2000);
  document.applyEdit({ start: brokenAt, end: brokenAt, newText: '    foo(\n' });
  const brokenResult = document.analyze();
  const brokenTarget = document.text.indexOf('acc = 0.0f', Math.floor(text.length / 2)) + 'acc = '.length;
  const broken = new Timings();
  for (let run = 0; run < 60; run++) {
    broken.measure(() => {
      document.applyEdit({ start: brokenTarget, end: brokenTarget + 1, newText: run % 2 === 0 ? '1' : '0' });
      document.analyze();
    }, run >= 10);
  }
  const brokenFinal = document.analyze();
  document.dispose();
  (globalThis as { gc?: () => void }).gc?.();
  sample();

  // Included headers (cuda/headers.ts): the same typing in a file that launches kernels of 16 included
  // headers of ~60 kB each (their constants and kernels read through the file), and in the same file
  // without them. The headers are parsed once, as the language server's analysis thread keeps them.
  const headerDocuments = Array.from({ length: 16 }, (_, h) => {
    let header = '#pragma once\n';
    for (let i = 0; header.length < 60_000; i++) header += unit(1000 * (h + 1) + i);
    return new SourceDocument(grammars, 'cuda', header);
  });
  const headersStart = performance.now();
  const headers = headerDocuments.map((d, h) => d.asIncluded(`h${h}.cuh`)!);
  const headersMs = performance.now() - headersStart;
  let includer = headers.map((_, h) => `#include "h${h}.cuh"\n`).join('');
  for (let h = 0; h < 16; h++)
    includer += `void go_${h}(const float *A, const float *B, float *C) {\n  gemm_${1000 * (h + 1)}<64, 64><<<dim3(64, 64), dim3(TILE_${1000 * (h + 1)}, TILE_${1000 * (h + 1)})>>>(A, B, C, 1024, 1024, 512);\n}\n`;
  const withHeaders = new Timings();
  const withoutHeaders = new Timings();
  let includedKernels = 0;
  for (const [timings, used] of [
    [withoutHeaders, []],
    [withHeaders, headers],
  ] as const) {
    const includerDocument = new SourceDocument(grammars, 'cuda', includer);
    includedKernels = includerDocument.analyze(undefined, used).includedKernels?.length ?? 0;
    const at = includer.indexOf('1024, 512') + 1;
    for (let run = 0; run < 220; run++) {
      timings.measure(() => {
        includerDocument.applyEdit(run % 2 === 0 ? { start: at, end: at, newText: '1' } : { start: at, end: at + 1, newText: '' });
        includerDocument.analyze(undefined, used);
      }, run >= 20);
    }
    includerDocument.dispose();
  }
  for (const d of headerDocuments) d.dispose();

  // Valid files near the size limit, with comparisons the grammar first misreads: cold, then edits.
  const bigFigures: string[] = [];
  for (const chars of [450_000, 1_990_000]) {
    const big = largeFile(chars);
    const bigCold = new Timings();
    const documents: SourceDocument[] = [];
    let bigResult: ReturnType<SourceDocument['analyze']> | null = null;
    for (let run = 0; run < 3; run++) {
      documents.pop()?.dispose();
      bigResult = bigCold.measure(() => {
        const created = new SourceDocument(grammars, 'cuda', big);
        documents.push(created);
        return created.analyze();
      });
    }
    const doc = documents.pop()!;
    const syntaxWarnings = bigResult!.problems.filter((p) => p.message.startsWith('syntax error') || p.message.includes('more syntax errors')).length;
    const bigTarget = doc.text.indexOf('acc = 0.0f', Math.floor(big.length / 2)) + 'acc = '.length;
    const bigEdit = new Timings();
    for (let run = 0; run < 12; run++) {
      bigEdit.measure(() => {
        doc.applyEdit({ start: bigTarget, end: bigTarget + 1, newText: run % 2 === 0 ? '1' : '0' });
        doc.analyze();
      }, run >= 2);
    }
    doc.dispose();
    bigFigures.push(
      `valid ${(big.length / 1000).toFixed(0)} kB file (${big.split('\n').length} lines, ${bigResult!.kernels.length} kernels, ${bigResult!.launches.length} launches, ` +
        `${syntaxWarnings} syntax warnings): cold ${bigCold.format(0)}; 1-character edit ${bigEdit.format(1)}`,
    );
    (globalThis as { gc?: () => void }).gc?.();
  }

  // Scaling: the same kind of file four times as long (20,000 lines, distinct names). Analysis time
  // should grow about four times too; much more means a search that runs on to the end of the file.
  // Run last, after the peak memory above was sampled, so that figure stays the 5,000-line file's.
  let large = '#include <cuda_runtime.h>\n';
  for (let i = 0; large.split('\n').length < 20000; i++) large += unit(i);
  const coldLarge = new Timings();
  for (let run = 0; run < 9; run++) {
    let document: SourceDocument | null = null;
    coldLarge.measure(() => {
      document = new SourceDocument(grammars, 'cuda', large);
      return document.analyze();
    }, run >= 2);
    (document as SourceDocument | null)?.dispose();
  }

  console.log(`grammar load: ${loadMs.toFixed(1)} ms`);
  console.log(`generated file: ${lines} lines, ${text.length} chars, ${kernels} kernels, ${launches} launches`);
  console.log(`first analysis in this process (V8 still compiling the grammar and this code): ${first.format(1)}`);
  console.log(`cold analysis, next ${warmUpCold.wall.length} runs (warm-up, not counted below): ${warmUpCold.format(1)}`);
  console.log(`cold analysis (prepare + parse + analyse): ${cold.format(1)}`);
  console.log(`  of which tree-sitter fresh parse alone: ${parseCold.format(1)}`);
  const largeLines = large.split('\n').length;
  console.log(
    `cold analysis of a ${largeLines}-line file (${(large.length / text.length).toFixed(1)}x the characters): ${coldLarge.format(1)}; ` +
      `${(median(coldLarge.wall) / median(cold.wall)).toFixed(1)}x the time`,
  );
  console.log(`  of which CUDA prepare (one text scan) alone: ${prepareCold.format(1)}`);
  console.log(`incremental, first 200 edits of a fresh document (warm-up, not counted below): ${warmUp.format(2)}`);
  console.log(`incremental after a 1-character edit in a kernel body: ${incremental.format(2)}`);
  console.log(`  of which tree-sitter incremental parse alone (tree.edit + parse): ${parseIncremental.format(2)}`);
  console.log(`incremental after a 1-character edit in a launch line: ${incrementalLaunch.format(2)}`);
  console.log(`incremental after typing or deleting a character (offsets after it move): ${typing.format(2)}`);
  console.log(`incremental after a 1-character edit while an unclosed \`foo(\` sits elsewhere: ${broken.format(2)}`);
  console.log(
    `  with the unclosed call: ${brokenResult.kernels.length} kernels, ${brokenResult.launches.length} launches found at first, ${brokenFinal.kernels.length} and ${brokenFinal.launches.length} after the edits`,
  );
  for (const line of bigFigures) console.log(line);
  console.log(`16 included headers of ~60 kB: read as headers once ${headersMs.toFixed(1)} ms; ${includedKernels} kernels launched from them`);
  console.log(`  typing a digit in the including file, with the headers: ${withHeaders.format(2)}`);
  console.log(`  the same edits without the headers: ${withoutHeaders.format(2)}`);
  // Other processes share these cores; the load average says how much the figures are disturbed.
  console.log(`load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`);
  console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, peak JS heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
