// `npm run bench -- predict-batch`: writes a 1,000,000-row CSV of GEMMs (mixed GPUs incl. NVML names,
// dtypes, kernels, 1% bad rows) to a temp dir, streams it through `tilecast predict --batch` (the bundled
// CLI in a child process, as a user runs it: `node dist/cli.js`, rebuilt first), and prints rows/s, CPU
// and peak RSS. Uses the shipped models when present; else forests of the shipped size trained here
// on the bench's own feature vectors with made-up targets (same load and predict path, meaningless numbers).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadShippedPredictor } from '../server/src/platform/models';
import { computeFeatures, FEATURE_NAMES, FEATURE_VERSION } from '../server/src/perf/features';
import { encodeModel, MODEL_SCHEMA_VERSION } from '../server/src/model/artifact';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import type { Dtype, GemmWorkload, KernelFamily } from '../server/src/perf/types';
import { trainForest, type TrainOptions } from '../models/training/train-forest';

const ROWS = Number(process.env.TILECAST_BENCH_ROWS ?? 1_000_000);
const root = join(__dirname, '..');
const GPUS = ['h100-sxm', 'NVIDIA A100-SXM4-80GB', 'rtx-4090', 'NVIDIA GeForce RTX 3090', 'l4', 'Tesla T4', 'v100-sxm2-32gb', 'NVIDIA H200'];
const DTYPES = ['fp16', 'bf16', 'fp32', 'fp8', 'int8', 'tf32'];
const KERNELS = ['library', 'library', 'library', 'triton', 'tiled'];

/** xorshift32: the same file every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

async function writeInput(path: string): Promise<void> {
  const out = createWriteStream(path);
  const random = rng(20261128);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const size = () => 16 * (1 + Math.floor(random() * 512));
  out.write('gpu,dtype,m,n,k,batch,kernel,block_m,block_n,block_k,warps,stages\n');
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const kernel = pick(KERNELS);
    const tile = kernel === 'library' ? ',,,,' : `${pick([64, 128])},${pick([64, 128, 256])},${pick([32, 64])},${pick([4, 8])},${pick([2, 3, 4])}`;
    const bad = random() < 0.01;
    const gpu = bad && random() < 0.5 ? 'RTX 9090' : pick(GPUS);
    const m = bad ? '-1' : String(size());
    chunk += `${gpu},${pick(DTYPES)},${m},${size()},${size()},${random() < 0.1 ? 1 + Math.floor(random() * 8) : 1},${kernel},${tile}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((r) => out.once('finish', () => r()));
}

/** Forests with the shipped settings (models/scripts/pipeline.ts) on real feature vectors and synthetic targets, written as .tcmf files. */
async function writeStandInModels(dir: string): Promise<void> {
  const random = rng(7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const nRows = 40000;
  const nF = FEATURE_NAMES.length;
  const x = new Float32Array(nRows * nF);
  const yRuntime = new Float64Array(nRows);
  const yPower = new Float64Array(nRows);
  const gpus = GPUS.map((g) => findGpu(g)!);
  for (let r = 0; r < nRows; r++) {
    const w: GemmWorkload = {
      m: 16 * (1 + Math.floor(random() * 512)),
      n: 16 * (1 + Math.floor(random() * 512)),
      k: 16 * (1 + Math.floor(random() * 512)),
      batch: 1,
      dtype: pick(DTYPES) as Dtype,
      kernel: pick(KERNELS) as KernelFamily,
    };
    const { values, analytic } = computeFeatures(w, pick(gpus));
    x.set(values, r * nF);
    const noise = random() - 0.5;
    yRuntime[r] = 0.3 * Math.sin(Math.log2(analytic.timeMs + 1e-6)) + 0.2 * noise;
    yPower[r] = Math.min(1, Math.max(0.05, 0.6 + 0.1 * Math.cos(values[0]) + 0.2 * noise));
  }
  const train = (y: Float64Array, o: Omit<TrainOptions, 'seed'>) => trainForest({ x, y, nRows, nFeatures: nF }, { ...o, seed: 1 });
  const runtime = await train(yRuntime, { trees: 64, maxDepth: 24, minSamplesLeaf: 8, featureFraction: 0.5, sampleFraction: 0.5, bootstrap: false });
  const power = await train(yPower, { trees: 48, maxDepth: 20, minSamplesLeaf: 10, featureFraction: 0.5, sampleFraction: 0.5, bootstrap: false });
  const artifact = (name: string, transform: string, forest: typeof runtime.forest) =>
    encodeModel({
      schemaVersion: MODEL_SCHEMA_VERSION,
      featureNames: [...FEATURE_NAMES],
      featureVersion: FEATURE_VERSION,
      target: { name, transform },
      dataFingerprint: 'bench stand-in',
      metrics: {},
      calibration: [],
      forest,
    });
  writeFileSync(join(dir, 'runtime.tcmf'), artifact('runtime', 'log-ratio-to-analytic', runtime.forest));
  writeFileSync(join(dir, 'power.tcmf'), artifact('power', 'fraction-of-power-limit', power.forest));
  console.log(
    `stand-in forests: runtime ${runtime.stats.nodes} nodes (max depth ${runtime.stats.maxDepth}), power ${power.stats.nodes} nodes (max depth ${power.stats.maxDepth})`,
  );
}

/** CPU seconds (user + system, all threads) and peak RSS of process `pid` so far, from /proc; null where there is none. */
function procUsage(pid: number | undefined): { cpuSeconds: number; peakMiB: number } | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    // An exited child not yet reaped keeps its stat but no memory figures: that sample is skipped.
    return Number.isFinite(peakKb) ? { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100, peakMiB: peakKb / 1024 } : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-bench-'));
  try {
    const input = join(dir, 'in.csv');
    const output = join(dir, 'out.csv');
    const t0 = performance.now();
    await writeInput(input);
    console.log(`generated ${ROWS} rows (${(statSync(input).size / 1e6).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // What a user runs: the bundled CLI (dist/cli.js and its dist/predict-worker.js), rebuilt first.
    const built = spawnSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0) throw new Error('build failed');
    const load = await loadShippedPredictor(undefined);
    let models: string[] = [];
    if (load.ok) console.log(`predictor: shipped models (${load.dir})`);
    else {
      console.log(`no shipped models (${load.error}); training stand-in forests of the shipped size`);
      await writeStandInModels(dir);
      models = ['--models', dir];
    }
    const settings = (process.env.TILECAST_BENCH_WORKERS ?? `0,${Math.min(8, availableParallelism())}`).split(',').map(Number);
    for (const workers of settings) {
      const t1 = performance.now();
      const child = spawn(
        process.execPath,
        [join(root, 'dist', 'cli.js'), 'predict', '--batch', input, '--out', output, '--workers', String(workers), ...models],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // The process's CPU (all its threads) and peak RSS, read from /proc while it runs (Linux; else wall time only).
      let usage: { cpuSeconds: number; peakMiB: number } | null = null;
      const sampler = setInterval(() => (usage = procUsage(child.pid) ?? usage), 20);
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      const seconds = (performance.now() - t1) / 1000;
      clearInterval(sampler);
      const sampled = usage as { cpuSeconds: number; peakMiB: number } | null;
      console.log(`--workers ${workers}: ${stderr.trim().split('\n').pop()}`);
      console.log(
        `  exit ${code}; ${ROWS} rows in ${seconds.toFixed(2)} s wall = ${Math.round(ROWS / seconds)} rows/s [>= 50,000]` +
          (sampled ? `; ${sampled.cpuSeconds.toFixed(2)} s CPU (all threads, sampled) = ${Math.round(ROWS / sampled.cpuSeconds)} rows per CPU-second` : '') +
          `; output ${(statSync(output).size / 1e6).toFixed(1)} MB`,
      );
      if (sampled) console.log(`  peak RSS ${sampled.peakMiB.toFixed(0)} MiB (the process, workers included; sampled every 20 ms)`);
    }
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${availableParallelism()} CPUs`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
