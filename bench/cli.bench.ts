// The `tilecast` command as a user runs it on one file: wall time from spawn to exit and the process's
// peak RSS, for `tilecast examples/tiled_matmul.cu --gpu rtx-4090` and for `tilecast analyze` of the
// 5,000-line bench file, each with TileCast's WebAssembly setting (Liftoff only, platform/wasm-tier.ts)
// and with V8's default tiering (TILECAST_V8_FLAGS=--no-liftoff-only), so the figure that setting
// moves stays checked. `npm run bench -- cli`. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBenchFile } from './lsp-workload';

const root = join(__dirname, '..');
const RUNS = 5;

function run(args: string[], v8Flags: string | undefined): { ms: number; rssMb: number } {
  const env = { ...process.env };
  if (v8Flags === undefined) delete env.TILECAST_V8_FLAGS;
  else env.TILECAST_V8_FLAGS = v8Flags;
  // The child reports its own peak RSS on exit (on stderr, after whatever the CLI wrote).
  const report = "process.on('exit',()=>process.stderr.write('\\nmaxRssKb='+process.resourceUsage().maxRSS+'\\n'))";
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(report)}`, join(root, 'dist', 'cli.js'), ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`tilecast ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  const kb = Number(/maxRssKb=(\d+)/.exec(child.stderr)?.[1] ?? NaN);
  return { ms, rssMb: kb / 1024 };
}

function figures(label: string, args: string[]): void {
  for (const [setting, flags] of [
    ['Liftoff only (shipped)', undefined],
    ['V8 default tiering', '--no-liftoff-only'],
  ] as const) {
    const runs = Array.from({ length: RUNS }, () => run(args, flags));
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
    const rss = Math.max(...runs.map((r) => r.rssMb));
    console.log(`${label}, ${setting}: wall median ${ms[RUNS >> 1]!.toFixed(0)} ms, min ${ms[0]!.toFixed(0)} ms; peak RSS ${rss.toFixed(0)} MB (n=${RUNS})`);
  }
}

function main(): void {
  const build = spawnSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
  figures('tilecast examples/tiled_matmul.cu --gpu rtx-4090', ['examples/tiled_matmul.cu', '--gpu', 'rtx-4090']);
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-cli-bench-'));
  try {
    const file = join(dir, 'bench.cu');
    const bench = generateBenchFile();
    writeFileSync(file, bench.text);
    figures(`tilecast analyze (${bench.lines}-line file, ${bench.launchOffsets.length} launches) --gpu rtx-4090`, ['analyze', file, '--gpu', 'rtx-4090']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
