// `npm run bench -- predict-batch`: writes a 1,000,000-row CSV of GEMMs (mixed GPUs incl. NVML names,
// dtypes, kernels, 1% bad rows) to a temp dir, streams it through `tilecast predict --batch`, and prints
// rows/s and peak RSS. Uses the shipped models when present, else says so and uses the analytic stand-in.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runPredict, type PredictorLoad } from '../server/src/cli/commands/predict';
import { loadShippedPredictor } from '../server/src/platform/models';
import { computeFeatures } from '../server/src/perf/features';
import type { GemmPredictor } from '../server/src/report/prediction';

/** Stand-in when no models are shipped: computes the feature vector per row (the predictor's per-row work before the forests) and reports the analytic time. */
function analyticStandIn(): GemmPredictor {
  return {
    predict(workload, gpu) {
      const { analytic } = computeFeatures(workload, gpu);
      const t = analytic.timeMs;
      const p = gpu.boardPowerW.value * 0.7;
      return { runtimeMs: t, runtimeLoMs: t, runtimeHiMs: t, powerW: p, powerLoW: p, powerHiW: p, energyMj: t * p, energyLoMj: NaN, energyHiMj: NaN };
    },
  };
}

const ROWS = Number(process.env.TILECAST_BENCH_ROWS ?? 1_000_000);
const GPUS = ['h100-sxm', 'NVIDIA A100-SXM4-80GB', 'rtx-4090', 'NVIDIA GeForce RTX 3090', 'l4', 'Tesla T4', 'v100-sxm2-32gb', 'NVIDIA H200'];
const DTYPES = ['fp16', 'bf16', 'fp32', 'fp8', 'int8', 'tf32'];
const KERNELS = ['library', 'library', 'library', 'triton', 'tiled'];

/** xorshift32: the same file every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
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

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _e: BufferEncoding, cb: () => void): void { this.text += chunk.toString(); cb(); }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-bench-'));
  try {
    const input = join(dir, 'in.csv');
    const output = join(dir, 'out.csv');
    const t0 = performance.now();
    await writeInput(input);
    console.log(`generated ${ROWS} rows (${(statSync(input).size / 1e6).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const shipped = await loadShippedPredictor(undefined).catch((error: unknown) => ({ ok: false as const, error: String(error) }));
    const load: PredictorLoad = shipped.ok ? shipped : { ok: true, predictor: analyticStandIn() };
    console.log(shipped.ok ? 'predictor: shipped models' : `predictor: analytic stand-in (no shipped models: ${shipped.error})`);
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
    const stderr = new Sink();
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    const code = await runPredict(['--batch', input, '--out', output], { stdout: new Sink(), stderr }, { loadPredictor: async () => load });
    const seconds = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(stderr.text.trim());
    console.log(`exit ${code}; ${ROWS} rows in ${seconds.toFixed(2)} s wall = ${Math.round(ROWS / seconds)} rows/s; ` +
      `${cpuSeconds.toFixed(2)} s CPU = ${Math.round(ROWS / cpuSeconds)} rows per CPU-second (less sensitive to a busy machine); output ${(statSync(output).size / 1e6).toFixed(1)} MB`);
    console.log(`RSS before ${(rssBefore / 2 ** 20).toFixed(0)} MiB, peak sampled ${(peakRss / 2 ** 20).toFixed(0)} MiB, process max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
