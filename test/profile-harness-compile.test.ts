// Generated harnesses compile: the CUDA harness of several fixtures (and a tile sweep) with
// `nvcc -arch=sm_90` (and sm_80 for one), the Triton harness through python3's ast parser, and the
// harness's own JSON writer and result check run on the CPU (no GPU needed) and round-trip through the
// tilecast-profile/1 reader. Skips with a message where nvcc or python3 is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { analyzeSource } from '../server/src/analysis/index';
import type { FileAnalysis, SourceLanguage } from '../server/src/analysis/types';
import { loadGrammars } from '../server/src/platform/grammars';
import { generateHarness, type HarnessBundle } from '../server/src/profile/index';
import { CUDA_SUPPORT_MEASURE, CUDA_SUPPORT_PRELUDE } from '../server/src/profile/cuda-support';
import { parseProfileJsonl } from '../server/src/data/profile-record';
import { main } from '../server/src/cli/main';
import { CaptureStream } from '../server/src/cli/run-in-process';

const run = promisify(execFile);
const fixtures = join(__dirname, 'fixtures');

function has(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 20000 });
    return true;
  } catch {
    return false;
  }
}
const haveNvcc = has('nvcc', ['--version']);
const havePython = has('python3', ['--version']);

async function harnessFor(language: SourceLanguage, file: string, sweep = false): Promise<{ bundle: HarnessBundle; analysis: FileAnalysis; text: string }> {
  const grammars = await loadGrammars();
  const text = readFileSync(join(fixtures, language === 'cuda' ? 'cuda' : 'triton', file), 'utf8');
  const analyze = (t: string): FileAnalysis => analyzeSource(grammars, language, t);
  const analysis = analyze(text);
  const offset = analysis.launches[0]?.range.start ?? 0;
  const result = generateHarness({ language, fileName: file, text, analysis, offset, arch: 'sm_90', sweep, analyze });
  if (!result.ok) throw new Error(`${file}: ${result.reason}`);
  return { bundle: result.bundle, analysis, text };
}

function writeBundle(bundle: HarnessBundle, dir: string): void {
  for (const f of bundle.files) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
}

async function compile(dir: string, source: string, arch = 'sm_90'): Promise<void> {
  await run('nvcc', ['-O0', '-std=c++17', `-arch=${arch}`, '-I', '.', '-o', source.replace(/\.cu$/, ''), source, '-ldl'], { cwd: dir, timeout: 120000 });
}

// tiled-16 is compiled by the sweep test below.
const CUDA_FIXTURES = ['naive.cu', 'register-blocked.cu', 'wmma-fp16.cu', 'templated.cu', 'dynamic-smem.cu'];

test('CUDA harnesses of the fixtures compile with nvcc -arch=sm_90, two at a time', { skip: haveNvcc ? false : 'nvcc not found on PATH' }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'tilecast-harness-'));
  try {
    const jobs: Array<Promise<void>> = [];
    for (const file of CUDA_FIXTURES) {
      const { bundle } = await harnessFor('cuda', file);
      assert.ok(bundle.files.some((f) => f.path === 'Makefile') && bundle.files.some((f) => f.path === 'run.sh'), `${file}: Makefile and run.sh`);
      assert.deepEqual(bundle.build?.slice(0, 1), ['nvcc']);
      const dir = join(root, file);
      writeBundle(bundle, dir);
      jobs.push(
        compile(dir, 'harness.cu').catch((e: { stderr?: string }) => {
          throw new Error(`${file}: ${e.stderr ?? e}`);
        }),
      );
    }
    // Two at a time: the machine's cores are shared.
    for (let i = 0; i < jobs.length; i += 2) await Promise.all(jobs.slice(i, i + 2));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a tile sweep of tiled-16 varies TILE, re-reads grid and block, and every configuration compiles', {
  skip: haveNvcc ? false : 'nvcc not found on PATH',
}, async () => {
  const { bundle } = await harnessFor('cuda', 'tiled-16.cu', true);
  const labels = bundle.configs.map((c) => c.label).sort();
  assert.deepEqual(labels, ['TILE=32', 'TILE=8', 'current']);
  const manifest = JSON.parse(bundle.files.find((f) => f.path === 'sweep.json')!.text);
  const t32 = manifest.configs.find((c: { label: string }) => c.label === 'TILE=32');
  assert.deepEqual(t32.block, [32, 32, 1]);
  assert.deepEqual(t32.grid, [32, 32, 1]);
  const kernel32 = bundle.files.find((f) => f.path === `${t32.dir}/kernel.cu`)!.text;
  assert.match(kernel32, /#define TILE 32/);
  const root = mkdtempSync(join(tmpdir(), 'tilecast-sweep-'));
  try {
    writeBundle(bundle, root);
    const dirs = bundle.configs.map((c) => c.dir);
    for (let i = 0; i < dirs.length; i += 2) await Promise.all(dirs.slice(i, i + 2).map((d) => compile(root, `${d}/harness.cu`)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a sweep skips illegal configurations with the reason (1024 threads per block)', async () => {
  const grammars = await loadGrammars();
  const text = readFileSync(join(fixtures, 'cuda', 'tiled-16.cu'), 'utf8').replace('#define TILE 16', '#define TILE 32');
  const analyze = (t: string): FileAnalysis => analyzeSource(grammars, 'cuda', t);
  const analysis = analyze(text);
  const result = generateHarness({
    language: 'cuda',
    fileName: 't.cu',
    text,
    analysis,
    offset: analysis.launches[0].range.start,
    arch: 'sm_90',
    sweep: true,
    analyze,
  });
  assert.ok(result.ok);
  const bundle = result.bundle;
  assert.deepEqual(bundle.configs.map((c) => c.label).sort(), ['TILE=16', 'current']);
  const skipped = bundle.skipped.find((s) => s.label === 'TILE=64');
  assert.ok(skipped, `TILE=64 skipped: ${JSON.stringify(bundle.skipped)}`);
  assert.match(skipped.reason, /4096 threads per block/);
});

test('the harness JSON writer and result check (built for sm_80), run on the CPU, round-trip through the profile reader', {
  skip: haveNvcc ? false : 'nvcc not found on PATH',
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-record-'));
  try {
    // A host-only program: the real support code, a fake measurement and a column-major C computed here.
    const program = `${CUDA_SUPPORT_PRELUDE}\n${CUDA_SUPPORT_MEASURE}
int main() {
  const long long M = 7, N = 5, K = 33;
  std::vector<float> A(M * K), B(K * N), C(M * N);
  for (size_t i = 0; i < A.size(); i++) A[i] = (float)((i * 37) % 11) - 5.0f;
  for (size_t i = 0; i < B.size(); i++) B[i] = (float)((i * 13) % 7) - 3.0f;
  for (long long i = 0; i < M; i++) for (long long j = 0; j < N; j++) { double s = 0; for (long long k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j]; C[i + j * M] = (float)s; }
  TcCheck good = tc_check(A, B, C, M, N, K, 1e-4);
  C[3] += 1.0f;
  TcCheck bad = tc_check(A, B, C, M, N, K, 1e-4);
  fprintf(stderr, "good %s %d bad %s\\n", good.result, good.layout, bad.result);
  TcMeasurement r;
  for (int i = 0; i < 30; i++) r.samplesMs.push_back(1.0 + 0.01 * i);
  r.sustainedMs = 1200; r.sustainedLaunches = 1000; r.energyMj = 300; r.energyMethod = "nvml-total-energy";
  r.powerW = {280.5, 290.25}; r.smClockMHz = {1980, 1975, 1980}; r.memClockMHz = {2619}; r.temperatureC = 61; r.powerLimitW = 700;
  cudaDeviceProp prop; memset(&prop, 0, sizeof prop); strcpy(prop.name, "NVIDIA H100 80GB \\"HBM3\\"");
  TcNvml nv;
  TcHarnessOptions o;
  TcRecordInfo info = { "", "fp32", "tiled", "matmul_tiled", "{\\"TILE\\":16}", "tilecast-harness 0.1.0", M, N, K, 1, { 1, 1, 1 }, { 16, 16, 1 } };
  tc_print_record(info, prop, nv, r, good, o);
  return strcmp(good.result, "passed") == 0 && good.layout == 4 && strcmp(bad.result, "failed") == 0 ? 0 : 5;
}
`;
    writeFileSync(join(dir, 'record.cu'), program);
    await compile(dir, 'record.cu', 'sm_80');
    const { stdout } = await run(join(dir, 'record'), [], { timeout: 20000 });
    const parsed = parseProfileJsonl(stdout, 'record.jsonl');
    assert.deepEqual(parsed.issues, []);
    assert.equal(parsed.profiles.length, 1);
    const p = parsed.profiles[0];
    assert.equal(p.gpuName, 'NVIDIA H100 80GB "HBM3"');
    assert.equal(p.runtimeMs, 1.145);
    assert.ok(Math.abs(p.runtimeP10Ms! - 1.029) < 1e-9 && Math.abs(p.runtimeP90Ms! - 1.261) < 1e-9);
    assert.equal(p.energyMj, 300);
    assert.equal(p.powerW, 250); // 300 mJ x 1000 launches / 1200 ms
    assert.equal(p.smClockMHz, 1980);
    assert.equal(p.check, 'passed');
    assert.deepEqual(p.params, { TILE: 16 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Triton harness of the tutorial matmul parses with python3 ast, with configs, args and grid from the analysis', {
  skip: havePython ? false : 'python3 not found',
}, async () => {
  for (const sweep of [false, true]) {
    const { bundle } = await harnessFor('triton', 'matmul-tutorial-autotune.py', sweep);
    const harness = bundle.files.find((f) => f.path === 'harness.py')!.text;
    assert.match(harness, /return \[a, b, c, M, N, K, a\.stride\(0\), a\.stride\(1\), b\.stride\(0\), b\.stride\(1\), c\.stride\(0\), c\.stride\(1\)\]/);
    assert.match(harness, /"gridAxes":1/);
    assert.match(harness, /"blockKeys":\{"m":"BLOCK_SIZE_M","n":"BLOCK_SIZE_N"\}/);
    const dir = mkdtempSync(join(tmpdir(), 'tilecast-triton-'));
    try {
      writeFileSync(join(dir, 'harness.py'), harness);
      await run('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])', join(dir, 'harness.py')], { timeout: 20000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a launch whose parameters cannot be guessed says which and how to give them', async () => {
  const grammars = await loadGrammars();
  const text =
    '__global__ void k(const float *A, const float *B, float *C, int M, int N, int K, int mystery) {}\n' +
    'int main() { k<<<dim3(4, 4), dim3(16, 16)>>>(0, 0, 0, 64, 64, 64, 3); }\n// tilecast: m=64 n=64 k=64\n';
  const analysis = analyzeSource(grammars, 'cuda', text);
  const result = generateHarness({ language: 'cuda', fileName: 'k.cu', text, analysis, offset: text.indexOf('k<<<'), arch: 'sm_90' });
  assert.equal(result.ok, false);
  assert.match((result as { reason: string }).reason, /--arg mystery=VALUE/);
  const given = generateHarness({
    language: 'cuda',
    fileName: 'k.cu',
    text,
    analysis,
    offset: text.indexOf('k<<<'),
    arch: 'sm_90',
    overrides: { args: { mystery: '3' } },
  });
  assert.ok(given.ok);
  assert.match(given.bundle.files.find((f) => f.path === 'harness.cu')!.text, /\(int\)\(3\)/);
});

test("the harness of a launch of a header's kernel carries the headers the analysis read, and compiles", {
  skip: haveNvcc ? false : 'nvcc not found on PATH',
}, async () => {
  // main.cu includes <cfg.cuh> (found with --include inc) and "kernels/tiled.cuh", which includes "common.cuh" beside it.
  const root = mkdtempSync(join(tmpdir(), 'tilecast-harness-headers-'));
  try {
    mkdirSync(join(root, 'src', 'kernels'), { recursive: true });
    mkdirSync(join(root, 'inc'));
    writeFileSync(join(root, 'inc', 'cfg.cuh'), '#pragma once\n#define TILE 16\n');
    writeFileSync(join(root, 'src', 'kernels', 'common.cuh'), '#pragma once\ntypedef float acc_t;\n');
    const tiled = readFileSync(join(fixtures, 'headers', 'tiled.cuh'), 'utf8')
      .replace('#define TILE 32', '#include "common.cuh"')
      .replace('float acc = 0.0f', 'acc_t acc = 0.0f');
    writeFileSync(join(root, 'src', 'kernels', 'tiled.cuh'), tiled);
    const source = join(root, 'src', 'main.cu');
    writeFileSync(
      source,
      '#include <cfg.cuh>\n#include "kernels/tiled.cuh"\nvoid run(const float *A, const float *B, float *C) {\n  const int M = 1024, N = 1024, K = 512;\n  tiled_mm<TILE><<<dim3(N / TILE, M / TILE), dim3(TILE, TILE)>>>(A, B, C, M, N, K);\n}\n',
    );
    const out = join(root, 'harness');
    const stdout = new CaptureStream();
    const stderr = new CaptureStream();
    const code = await main(['harness', source, '--line', '5', '--out', out, '--include', join(root, 'inc')], { stdout, stderr, stdoutIsTerminal: false });
    assert.equal(code, 0, stderr.text);
    assert.match(stdout.text, /kernel tiled_mm \(line 5\)/);
    for (const copied of ['kernel.cu', 'kernels/tiled.cuh', 'kernels/common.cuh', 'cfg.cuh'])
      assert.ok(existsSync(join(out, copied)), `${copied} beside the harness`);
    const harness = readFileSync(join(out, 'harness.cu'), 'utf8');
    assert.match(harness, /tiled_mm<TILE>/);
    await compile(out, 'harness.cu');
    // Without --include, <cfg.cuh> is not found: TILE does not fold, and the harness says what is missing.
    const again = await main(['harness', source, '--line', '5', '--out', join(root, 'h2')], { stdout: new CaptureStream(), stderr, stdoutIsTerminal: false });
    assert.equal(again, 1);
    assert.match(stderr.text, /grid .* does not fold|block .* does not fold/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the Triton harness of a kernel an imported module defines loads that module, and parses with python3 ast', {
  skip: havePython ? false : 'python3 not found',
}, async () => {
  const dir = join(fixtures, 'triton-modules');
  const out = mkdtempSync(join(tmpdir(), 'tilecast-triton-modules-'));
  try {
    const stderr = new CaptureStream();
    const line =
      readFileSync(join(dir, 'ops.py'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('tuned_matmul[grid]')) + 1;
    const code = await main(['harness', join(dir, 'ops.py'), '--line', String(line), '--out', out], {
      stdout: new CaptureStream(),
      stderr,
      stdoutIsTerminal: false,
    });
    assert.equal(code, 0, stderr.text);
    assert.equal(
      readFileSync(join(out, 'kernels.py'), 'utf8'),
      readFileSync(join(dir, 'kernels.py'), 'utf8'),
      'the module that defines the kernel, not ops.py',
    );
    assert.ok(!existsSync(join(out, 'ops.py')));
    const harness = readFileSync(join(out, 'harness.py'), 'utf8');
    assert.match(harness, /"module":"kernels\.py","kernel":"tuned_matmul"/);
    assert.match(harness, /"gridAxes":2/, "the kernel's program_id axes, read in kernels.py");
    await run('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])', join(out, 'harness.py')], { timeout: 20000 });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
