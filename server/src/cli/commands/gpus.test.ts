// Runs `tilecast gpus` in-process: the table, the JSON list and single-GPU views with sources,
// NVML names given as several words, and exit code 2 with suggestions for unknown GPUs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInProcess } from '../run-in-process';
import { command, gpuToJson } from './gpus';
import { findGpu, listGpus } from '../../perf/gpu-catalogue';

const run = (...args: string[]) => runInProcess(command, args);

test('gpus: the table lists every catalogue GPU with its key figures', async () => {
  const { code, stdout, stderr } = await run();
  assert.equal(code, 0, stderr);
  const lines = stdout.split('\n');
  assert.match(lines[0], /^id\s+name\s+CC\s+SMs\s+boost MHz\s+GB\/s\s+fp32 TFLOP\/s\s+fp16-TC TFLOP\/s\s+power W$/);
  for (const gpu of listGpus())
    assert.ok(
      lines.some((l) => l.startsWith(gpu.id + ' ')),
      gpu.id,
    );
  const h100 = lines.find((l) => l.startsWith('h100-sxm '))!;
  assert.match(h100, /NVIDIA H100 SXM5 80 GB\s+9\.0\s+132\s+1980\s+3352\s+66\.9\s+989\s+700$/);
  const gtx680 = lines.find((l) => l.startsWith('gtx-680 '))!;
  assert.match(gtx680, /\s-\s+195$/, 'no tensor cores shows as -');
  assert.match(stdout, new RegExp(`${listGpus().length} GPUs`));
});

test('gpus --json: an array with ids, aliases, numbers and a sources object', async () => {
  const { code, stdout } = await run('--json');
  assert.equal(code, 0);
  const list = JSON.parse(stdout);
  assert.ok(Array.isArray(list));
  assert.equal(list.length, listGpus().length);
  for (const gpu of list) {
    assert.equal(typeof gpu.id, 'string');
    assert.equal(typeof gpu.name, 'string');
    assert.ok(Array.isArray(gpu.aliases) && gpu.aliases.every((a: unknown) => typeof a === 'string'));
    assert.match(gpu.computeCapability, /^\d+\.\d$/);
    for (const field of ['smCount', 'boostClockMHz', 'baseClockMHz', 'memoryBandwidthGBps', 'memorySizeGB', 'l2CacheMB', 'boardPowerW']) {
      assert.equal(typeof gpu[field], 'number', `${gpu.id}.${field}`);
      assert.equal(typeof gpu.sources[field], 'string', `${gpu.id}.sources.${field}`);
    }
    assert.equal(typeof gpu.peak.fp32, 'number');
    assert.equal(typeof gpu.sources['peak.fp32'], 'string');
    assert.ok(Array.isArray(gpu.derived));
  }
  const rtx4090 = list.find((g: { id: string }) => g.id === 'rtx-4090');
  assert.equal(rtx4090.peak.fp16Tensor, 165.2);
  assert.equal(rtx4090.peakFp16Accumulate.fp16Tensor, 330.3);
  assert.ok(rtx4090.aliases.includes('NVIDIA GeForce RTX 4090'));
  assert.equal(rtx4090.limits.computeCapability, '8.9');
  const gtx680 = list.find((g: { id: string }) => g.id === 'gtx-680');
  assert.ok(gtx680.derived.includes('peak.fp32'));
  assert.match(gtx680.sources['peak.fp32'], /^derived: SMs x FP32 lanes/);
});

test('gpus ID: one GPU with every field and its source, found by id or NVML name', async () => {
  const { code, stdout } = await run('a100-sxm4-80gb');
  assert.equal(code, 0);
  assert.match(stdout, /^a100-sxm4-80gb: NVIDIA A100 SXM4 80 GB/);
  assert.match(stdout, /aliases: .*NVIDIA A100-SXM4-80GB/);
  assert.match(stdout, /SMs\s+108\s+NVIDIA A100 Tensor Core GPU Architecture whitepaper/);
  assert.match(stdout, /bandwidth \(GB\/s\)\s+2039\s+NVIDIA A100 Tensor Core GPU datasheet/);
  assert.match(stdout, /peak tf32Tensor \(TFLOP\/s\)\s+156\s/);
  assert.match(stdout, /limits \(compute capability 8\.0\): 2048 threads/);
  assert.match(stdout, /notes:\n {2}- FP64 tensor-core peak/);
  // An nvidia-smi name arrives as several shell words.
  const byName = await run('NVIDIA', 'H100', '80GB', 'HBM3');
  assert.equal(byName.code, 0);
  assert.match(byName.stdout, /^h100-sxm: /);
  const derived = await run('gtx-680');
  assert.match(derived.stdout, /peak fp32 \(TFLOP\/s\)\s+3\.25\*\s+derived: SMs x FP32 lanes/);
});

test('gpus ID --json: the same object as in the list', async () => {
  const { code, stdout } = await run('Tesla T4', '--json');
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout), JSON.parse(JSON.stringify(gpuToJson(findGpu('t4')!))));
});

test('gpus: unknown GPU -> exit 2, error with suggestions on stderr', async () => {
  const { code, stdout, stderr } = await run('RTX 4090 Super');
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.match(stderr, /unknown GPU 'RTX 4090 Super'.*'rtx-4090'/);
});

test('gpus: bad options -> exit 2 with one line and a --help hint; --help -> 0', async () => {
  const bad = await run('--frobnicate');
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "tilecast gpus: unknown option --frobnicate (see 'tilecast gpus --help')\n");
  const local = await run('--local', 'h100');
  assert.equal(local.code, 2);
  const help = await run('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: tilecast gpus \[ID\] \[--json\] \[--local\]/);
});

test('gpus --local: answers whether or not this machine has nvidia-smi', async () => {
  const text = await run('--local');
  assert.equal(text.code, 0);
  assert.match(text.stdout, /No GPU found|^GPU 0: /m);
  const json = await run('--local', '--json');
  assert.equal(json.code, 0);
  assert.ok(Array.isArray(JSON.parse(json.stdout)));
});
