// Benchmark of the shipped predictor (models/runtime.tcmf + models/power.tcmf): model load time and
// end-to-end predictions per second (features + both forests) on a grid of GEMMs. Asserts nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { createPredictor } from '../server/src/model/predictor';
import { computeFeatures } from '../server/src/perf/features';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import type { GemmWorkload } from '../server/src/perf/types';

function main(): void {
  const dir = join(__dirname, '..', 'models');
  const files = { runtime: join(dir, 'runtime.tcmf'), power: join(dir, 'power.tcmf') };
  if (!existsSync(files.runtime) || !existsSync(files.power)) {
    console.log('models/runtime.tcmf or models/power.tcmf missing: run `npm run train` first');
    return;
  }
  const bytes = { runtime: readFileSync(files.runtime), power: readFileSync(files.power) };
  console.log(`artifacts: runtime ${(bytes.runtime.length / 1024).toFixed(0)} KiB, power ${(bytes.power.length / 1024).toFixed(0)} KiB`);
  console.log(
    `load average: ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')} (wall-clock figures; other load inflates them)`,
  );
  const loads: number[] = [];
  // The server's start pays the first, cold load (code not yet optimised): timed on its own.
  const coldStart = performance.now();
  const coldCpu = process.cpuUsage();
  let made = createPredictor(bytes);
  const coldMs = performance.now() - coldStart;
  const coldCpuMs = (process.cpuUsage(coldCpu).user + process.cpuUsage(coldCpu).system) / 1000;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    made = createPredictor(bytes);
    loads.push(performance.now() - t0);
  }
  if (!made.ok) {
    console.log(`cannot load models: ${made.error}`);
    return;
  }
  loads.sort((a, b) => a - b);
  console.log(`model load, first in the process (as at server start): ${coldMs.toFixed(1)} ms, CPU ${coldCpuMs.toFixed(0)} ms`);
  console.log(`model load (decode + validate both), warm: median ${loads[2].toFixed(1)} ms, min ${loads[0].toFixed(1)} ms`);
  const predictor = made.predictor;
  const gpus = ['h100-sxm', 'rtx-4090', 'a100-sxm4-80gb', 't4'].map((g) => findGpu(g)!).filter(Boolean);
  const sizes = [1, 16, 128, 1024, 4096, 16384];
  const workloads: GemmWorkload[] = [];
  for (const m of sizes)
    for (const n of [1024, 4096, 8192])
      for (const k of [1024, 4096, 8192])
        for (const dtype of ['bf16', 'fp32'] as const) {
          workloads.push({ m, n, k, batch: 1, dtype, kernel: 'library' });
        }
  const run = (fn: (w: GemmWorkload, g: (typeof gpus)[number]) => void): number => {
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 1500) {
      for (const g of gpus)
        for (const w of workloads) {
          fn(w, g);
          calls++;
        }
    }
    return calls / ((performance.now() - t0) / 1000);
  };
  run((w, g) => predictor.predict(w, g)); // warm-up
  const perSec = run((w, g) => predictor.predict(w, g));
  const featuresPerSec = run((w, g) => computeFeatures(w, g));
  console.log(`predict (features + runtime + power forests): ${perSec.toFixed(0)} predictions/s = ${(1e6 / perSec).toFixed(1)} µs each`);
  console.log(`  of which features + analytic model alone: ${(1e6 / featuresPerSec).toFixed(1)} µs`);
  const p = predictor.predict({ m: 4096, n: 4096, k: 4096, batch: 1, dtype: 'bf16', kernel: 'library' }, findGpu('h100-sxm')!);
  console.log(
    `example H100 SXM bf16 4096³: ${p.runtimeMs.toFixed(3)} ms [${p.runtimeLoMs.toFixed(3)}, ${p.runtimeHiMs.toFixed(3)}], ${p.powerW.toFixed(0)} W [${p.powerLoW.toFixed(0)}, ${p.powerHiW.toFixed(0)}], ${p.energyMj.toFixed(1)} mJ [${p.energyLoMj.toFixed(1)}, ${p.energyHiMj.toFixed(1)}] (analytic ${p.analyticMs.toFixed(3)} ms)`,
  );
}

main();
