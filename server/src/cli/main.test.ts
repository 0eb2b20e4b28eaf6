// The `tilecast` entry point in-process: the analyze shorthand with options before the file, exit codes of
// files that cannot be analysed, one-line argument errors, and escaped control characters from input
// (--gpu values, CSV cells, file names) in what reaches a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from './main';
import { writeTestModels } from './predict/test-models';
import { CaptureStream } from './run-in-process';

const root = join(__dirname, '..', '..', '..');
const example = join(root, 'examples', 'tiled_matmul.cu');
const dir = mkdtempSync(join(tmpdir(), 'tilecast-main-'));
const ESC = '\u001b';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters in the output.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

async function tilecast(argv: string[], stdoutIsTerminal = true) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const code = await main(argv, { stdout, stderr, stdoutIsTerminal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

test('tilecast: options before the file are the analyze shorthand too', async () => {
  const before = await tilecast(['--json', example]);
  assert.equal(before.code, 0, before.stderr);
  const after = await tilecast(['analyze', example, '--json']);
  assert.equal(before.stdout, after.stdout);
  assert.equal(JSON.parse(before.stdout).files[0].kernels[0].name, 'matmul_tiled');
  const text = await tilecast([example]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /kernel matmul_tiled/);
});

test('tilecast FILE without --gpu says how to get predictions (on stderr, text output only)', async () => {
  const hint = /no GPU given, so no predictions: add --gpu ID \(e\.g\. --gpu rtx-4090; `tilecast gpus` lists them\)/;
  const bare = await tilecast([example]);
  assert.match(bare.stderr, hint);
  assert.doesNotMatch(bare.stdout, hint, 'stdout keeps the analysis only');
  assert.doesNotMatch((await tilecast([example, '--json'])).stderr, hint, 'JSON is for programs');
  const withGpu = await tilecast([example, '--gpu', 'rtx-4090']);
  assert.doesNotMatch(withGpu.stderr, hint);
  assert.match(withGpu.stdout, /predicted: /);
  const empty = join(dir, 'empty.cu');
  writeFileSync(empty, '// nothing to predict\nint main() { return 0; }\n');
  assert.doesNotMatch((await tilecast([empty])).stderr, hint, 'nothing found, nothing to predict');
});

test('tilecast analyze: a file that is not CUDA, Triton or PyTorch GEMM code, or cannot be read, exits 1 and says so on stderr', async () => {
  const notSource = join(dir, 'notes.txt');
  writeFileSync(notSource, 'just text\n');
  const one = await tilecast(['analyze', notSource]);
  assert.equal(one.code, 1);
  assert.match(one.stderr, /notes\.txt: not a CUDA \(\.cu, \.cuh\) file, nor Python with Triton or with PyTorch GEMMs/);
  const numpy = join(dir, 'plain.py');
  writeFileSync(numpy, 'import numpy as np\nc = np.ones((4, 4)) @ np.ones((4, 4))\n');
  assert.match((await tilecast(['analyze', numpy])).stderr, /plain\.py: not a CUDA/);
  // PyTorch code is analysed: its GEMMs are library calls with sizes from the tensors.
  const torchFile = join(dir, 'model.py');
  writeFileSync(
    torchFile,
    'import torch\na = torch.randn(256, 512)\nb = torch.randn(512, 128)\nc = a @ b\nd = torch.bmm(torch.randn(8, 64, 32), torch.randn(8, 32, 16))\n',
  );
  const torchRun = await tilecast(['analyze', torchFile]);
  assert.equal(torchRun.code, 0, torchRun.stderr);
  assert.match(torchRun.stdout, /library @ \(line 4\): M=256 N=128 K=512 dtype=fp32/);
  assert.match(torchRun.stdout, /library torch\.bmm \(line 5\): M=64 N=16 K=32 batch=8 dtype=fp32/, 'a batched call says its batch');
  const mixed = await tilecast(['analyze', '--json', example, join(dir, 'missing.cu')]);
  assert.equal(mixed.code, 1, 'one missing file among good ones still fails');
  assert.equal(JSON.parse(mixed.stdout).files[0].kernels[0].name, 'matmul_tiled', 'the good file is still analysed');
  assert.match(mixed.stderr, /missing\.cu: no such file/);
});

test('tilecast: each argument error is one line with a --help hint, not the usage', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['analyze', example, '--jsn'], /^tilecast analyze: unknown option --jsn; did you mean --json\? \(see 'tilecast analyze --help'\)$/],
    [['analyze'], /^tilecast analyze: no files given \(see 'tilecast analyze --help'\)$/],
    [['--frobnicate', example], /^tilecast analyze: unknown option --frobnicate \(see 'tilecast analyze --help'\)$/],
    [['gpus', '--local', 'h100'], /^tilecast gpus: --local takes no GPU name \(see 'tilecast gpus --help'\)$/],
    [['occupancy', '--gpu', 'h100', '--threads', '2048', '--regs', '32'], /^tilecast occupancy: .*\(see 'tilecast occupancy --help'\)$/],
    [['predict', '--gpu', 'h100', '--dtype', 'fp16', '--m', '1', '--n', '1'], /^tilecast predict: --k is required .*\(see 'tilecast predict --help'\)$/],
    [['predict', '--dtpe', 'fp16'], /^tilecast predict: unknown option --dtpe; did you mean --dtype\?/],
    [['analyse', example], /^tilecast: unknown command 'analyse' \(and no such file\); commands: analyze, gpus, harness, occupancy, predict, profile/],
  ];
  for (const [argv, expected] of cases) {
    const r = await tilecast(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.stderr.split('\n').length, 2, `one line for ${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trimEnd(), expected);
    assert.equal(r.stdout, '');
  }
  const help = await tilecast(['help', 'predict']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: tilecast predict/);
});

test('tilecast: ESC[2J in --gpu and in a file name reaches the terminal as visible text', async () => {
  const gpu = await tilecast(['analyze', example, '--gpu', `${ESC}[2Jh100`]);
  assert.equal(gpu.code, 2);
  assert.match(gpu.stderr, /unknown GPU '\\u001b\[2Jh100'/);
  assert.doesNotMatch(gpu.stderr, CONTROL);
  const predict = await tilecast(['predict', '--gpu', `${ESC}[2J`, '--dtype', 'fp16', '--m', '1', '--n', '1', '--k', '1']);
  assert.equal(predict.code, 2);
  assert.match(predict.stderr, /\\u001b\[2J/);
  assert.doesNotMatch(predict.stderr, CONTROL);
  const name = await tilecast(['analyze', join(dir, `${ESC}]0;pwned\u0007.cu`)]);
  assert.equal(name.code, 1);
  assert.match(name.stdout + name.stderr, /\\u001b\]0;pwned\\u0007\.cu/);
  assert.doesNotMatch(name.stdout + name.stderr, CONTROL);
});

test('tilecast predict --batch: ESC[2J in CSV cells is escaped on a terminal and kept byte for byte in a pipe', async () => {
  const models = mkdtempSync(join(tmpdir(), 'tilecast-main-models-'));
  await writeTestModels(models);
  const input = join(dir, 'escapes.csv');
  writeFileSync(input, `gpu,dtype,m,n,k,${ESC}[2Jnote\n${ESC}[2Jh100,fp16,64,64,64,x\nh100,fp16,64,64,64,${ESC}[2J\u009b31m\n`);
  const argv = ['predict', '--batch', input, '--models', models, '--workers', '0'];
  const terminal = await tilecast(argv, true);
  assert.equal(terminal.code, 0, terminal.stderr);
  assert.match(terminal.stderr, /columns not used \(copied through\): '\\u001b\[2Jnote'/);
  assert.match(terminal.stdout, /unknown GPU '\\u001b\[2Jh100'/);
  assert.match(terminal.stdout, /,\\u001b\[2J\\u009b31m,/);
  assert.doesNotMatch(terminal.stdout + terminal.stderr, CONTROL);
  const pipe = await tilecast(argv, false);
  assert.equal(pipe.code, 0, pipe.stderr);
  assert.doesNotMatch(pipe.stderr, CONTROL, 'messages are escaped wherever stderr goes');
  assert.ok(pipe.stdout.startsWith(`gpu,dtype,m,n,k,${ESC}[2Jnote,runtime_ms`), 'CSV data in a pipe is byte for byte');
  assert.ok(pipe.stdout.includes(`\nh100,fp16,64,64,64,${ESC}[2J\u009b31m,`));
});

test('tilecast analyze: a kernel defined in a header the file includes is predicted, and named with its header', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'tilecast-header-'));
  writeFileSync(
    join(folder, 'tiled.cuh'),
    `#define TILE 32
template <int BS>
__global__ void tiled_mm(const float *A, const float *B, float *C, int M, int N, int K) {
  __shared__ float As[BS][BS];
  __shared__ float Bs[BS][BS];
  float acc = 0.0f;
  for (int t = 0; t < K; t += BS) {
    As[threadIdx.y][threadIdx.x] = A[t];
    Bs[threadIdx.y][threadIdx.x] = B[t];
    __syncthreads();
    for (int k = 0; k < BS; ++k) acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
    __syncthreads();
  }
  C[0] = acc;
}
`,
  );
  const source = join(folder, 'main.cu');
  writeFileSync(
    source,
    '#include "tiled.cuh"\nvoid run(const float *A, const float *B, float *C) {\n  const int M = 4096, N = 4096, K = 1024;\n  tiled_mm<TILE><<<dim3(N / TILE, M / TILE), dim3(TILE, TILE)>>>(A, B, C, M, N, K);\n}\n',
  );
  const json = await tilecast(['analyze', source, '--json', '--gpu', 'rtx-4090']);
  assert.equal(json.code, 0, json.stderr);
  const launch = JSON.parse(json.stdout).files[0].launches[0];
  assert.equal(launch.kernelHeader, 'tiled.cuh');
  assert.deepEqual(launch.grid, [128, 128, 1]);
  assert.equal(launch.featuresReason, undefined);
  assert.ok(launch.prediction['rtx-4090'].runtimeMs > 0, JSON.stringify(launch).slice(0, 400));
  const text = await tilecast(['analyze', source, '--gpu', 'rtx-4090']);
  assert.match(text.stdout, /launch tiled_mm \(kernel in tiled\.cuh\)/);
  // `<tiled.cuh>` is looked up only in --include folders.
  const angled = join(mkdtempSync(join(tmpdir(), 'tilecast-header-')), 'main.cu');
  writeFileSync(angled, readFileSync(source, 'utf8').replace('"tiled.cuh"', '<tiled.cuh>'));
  const withInclude = JSON.parse((await tilecast(['analyze', angled, '--json', '--gpu', 'rtx-4090', '--include', folder])).stdout).files[0].launches[0];
  assert.equal(withInclude.kernelHeader, 'tiled.cuh');
  const withoutInclude = JSON.parse((await tilecast(['analyze', angled, '--json', '--gpu', 'rtx-4090'])).stdout).files[0].launches[0];
  assert.equal(withoutInclude.kernelHeader, undefined);
  // ... or in the folders compile_commands.json gives the file (here build/compile_commands.json beside it).
  mkdirSync(join(dirname(angled), 'build'));
  writeFileSync(
    join(dirname(angled), 'build', 'compile_commands.json'),
    JSON.stringify([{ directory: join(dirname(angled), 'build'), file: angled, command: `nvcc -I"${folder}" -c ${angled}` }]),
  );
  const fromDatabase = JSON.parse((await tilecast(['analyze', angled, '--json', '--gpu', 'rtx-4090'])).stdout).files[0].launches[0];
  assert.equal(fromDatabase.kernelHeader, 'tiled.cuh');
  // --compile-commands-dir names the database to read instead (clangd's flag): a folder without one gives none.
  const elsewhere = mkdtempSync(join(tmpdir(), 'tilecast-ccdb-'));
  const named = JSON.parse((await tilecast(['analyze', angled, '--json', '--gpu', 'rtx-4090', '--compile-commands-dir', elsewhere])).stdout).files[0]
    .launches[0];
  assert.equal(named.kernelHeader, undefined);
  writeFileSync(
    join(elsewhere, 'compile_commands.json'),
    JSON.stringify([{ directory: elsewhere, file: angled, arguments: ['nvcc', `-I${folder}`, '-c', angled] }]),
  );
  const fromNamed = JSON.parse((await tilecast(['analyze', angled, '--json', '--gpu', 'rtx-4090', '--compile-commands-dir', elsewhere])).stdout).files[0]
    .launches[0];
  assert.equal(fromNamed.kernelHeader, 'tiled.cuh');
  // Without the header beside it, the launch is what it was before: its kernel is not found.
  const alone = join(mkdtempSync(join(tmpdir(), 'tilecast-header-')), 'main.cu');
  writeFileSync(alone, readFileSync(source, 'utf8'));
  const missing = JSON.parse((await tilecast(['analyze', alone, '--json', '--gpu', 'rtx-4090'])).stdout).files[0].launches[0];
  assert.equal(missing.grid, null);
  assert.match(missing.featuresReason, /not defined in this file, a header it includes or a module it imports/);
});

test("tilecast analyze: a Triton file's launches of kernels from a local module it imports are predicted, and named with the module", async () => {
  const fixtures = join(root, 'test', 'fixtures', 'triton-modules');
  const json = await tilecast(['analyze', join(fixtures, 'ops.py'), '--json', '--gpu', 'rtx-4090']);
  assert.equal(json.code, 0, json.stderr);
  const launches = JSON.parse(json.stdout).files[0].launches;
  assert.deepEqual(
    launches.map((l: { kernel: string; kernelHeader?: string }) => [l.kernel, l.kernelHeader]),
    [
      ['tuned_matmul', '.kernels'],
      ['plain_matmul', '.kernels'],
      ['plain_matmul', '.kernels'],
    ],
  );
  assert.ok(launches.every((l: { prediction: Record<string, { runtimeMs: number }> }) => l.prediction['rtx-4090']!.runtimeMs > 0));
  // The same file elsewhere, without kernels.py beside it: its kernels are not found.
  const alone = join(mkdtempSync(join(tmpdir(), 'tilecast-module-')), 'ops.py');
  writeFileSync(alone, readFileSync(join(fixtures, 'ops.py'), 'utf8'));
  const missing = JSON.parse((await tilecast(['analyze', alone, '--json', '--gpu', 'rtx-4090'])).stdout).files[0].launches[0];
  assert.equal(missing.kernelHeader, undefined);
  assert.match(missing.featuresReason, /not defined in this file, a header it includes or a module it imports/);
});

test("tilecast analyze: a launch in a branch that does not run at the code's problem size says so, in JSON and text", async () => {
  const file = join(root, 'test', 'fixtures', 'ide', 'size-dispatch.cu');
  const json = JSON.parse((await tilecast(['analyze', file, '--json'])).stdout);
  const [taken, skipped] = json.files[0].launches;
  assert.equal(taken.notTaken, undefined, 'the branch that runs');
  assert.deepEqual(skipped.notTaken, { condition: 'M >= 128 and N >= 128', line: 25, holds: true });
  assert.match((await tilecast(['analyze', file])).stdout, /not run at this problem size: `M >= 128 and N >= 128` \(line 25\) is true here/);
});
