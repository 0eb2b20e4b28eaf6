// Runs `tilecast predict` in-process against a fake predictor (numbers follow from the inputs, not from a
// trained model): the single-GEMM output, and the batch CSV contract (columns, order, per-row errors, exit codes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CaptureStream as Capture } from '../run-in-process';
import { runPredict, type PredictDeps } from './predict';
import type { GemmPredictor, PredictionValues } from '../../report/prediction';
import { CsvRecordSplitter } from '../../report/csv-stream';
import type { GemmWorkload, GpuSpec } from '../../perf/types';

/**
 * runtime = m·n·k·batch / 1e9 ms (+ 1 ms for the pytorch-eager method); analytic = half of it; power = half
 * the board power; energy = runtime x power; extrapolating on T4 only.
 */
function fakeValues(w: GemmWorkload, gpu: GpuSpec, method?: string): PredictionValues {
  const runtimeMs = (w.m * w.n * w.k * w.batch) / 1e9 + (method === 'pytorch-eager' ? 1 : 0);
  const powerW = gpu.boardPowerW.value / 2;
  return {
    runtimeMs,
    runtimeLoMs: runtimeMs * 0.5,
    runtimeHiMs: runtimeMs * 2,
    powerW,
    powerLoW: powerW - 10,
    powerHiW: powerW + 10,
    energyMj: runtimeMs * powerW,
    energyLoMj: NaN,
    energyHiMj: NaN,
    analyticMs: runtimeMs / 2,
    extrapolating: gpu.id === 't4',
    method: (method ?? 'kernel') as PredictionValues['method'],
  };
}

function fakePredictor(calls: { batches: number[]; groups?: Array<string | number | undefined> } = { batches: [] }): GemmPredictor {
  return {
    predict: (w, gpu, options) => fakeValues(w, gpu, options?.method),
    predictBatch(items) {
      calls.batches.push(items.length);
      calls.groups?.push(...items.map((i) => i.group));
      return items.map((i) => fakeValues(i.workload, i.gpu, i.method));
    },
    models: {
      runtime: { target: 'runtime', transform: 'log-ratio-to-analytic', featureVersion: 'test-v1', intervalLevel: 0.8 },
      power: { target: 'power', transform: 'fraction-of-power-limit', featureVersion: 'test-v1' },
    },
  };
}

async function run(args: string[], deps: Partial<PredictDeps> = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runPredict(args, { stdout, stderr }, { loadPredictor: async () => ({ ok: true, predictor: fakePredictor() }), ...deps });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function parse(text: string): string[][] {
  const rows: string[][] = [];
  const s = new CsvRecordSplitter();
  s.push(text, (r) => rows.push(r.cells));
  s.end((r) => rows.push(r.cells));
  return rows;
}

const dir = mkdtempSync(join(tmpdir(), 'tilecast-predict-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const OUT_COLUMNS = [
  'runtime_ms',
  'runtime_lo_ms',
  'runtime_hi_ms',
  'power_w',
  'power_lo_w',
  'power_hi_w',
  'energy_mj',
  'error',
  'analytic_ms',
  'extrapolating',
];

test('predict: one GEMM from flags, text and JSON, with the models and the analytic reference', async () => {
  const text = await run(['--gpu', 'NVIDIA H100 80GB HBM3', '--dtype', 'bf16', '--m', '4096', '--n', '4096', '--k', '4096']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^NVIDIA H100 SXM5 80 GB \(h100-sxm\): bf16 GEMM M=4096 N=4096 K=4096 batch=1, kernel library/);
  assert.match(text.stdout, /runtime: {2}68\.7195 ms {2}\(34\.3597 \.\. 137\.439\) {2}\[model runtime: log-ratio-to-analytic, test-v1, 80% interval\]/);
  assert.match(text.stdout, /power: {4}350 W {2}\(340 \.\. 360\)/);
  assert.match(text.stdout, /energy: {3}24051\.8 mJ/);
  assert.match(text.stdout, /analytic: [\d.]+ ms, compute-bound/);
  const json = await run([
    '--gpu',
    'a100-sxm4-80gb',
    '--dtype',
    'fp16',
    '--m',
    '1024',
    '--n',
    '2048',
    '--k',
    '512',
    '--batch',
    '3',
    '--kernel',
    'triton',
    '--block-m',
    '128',
    '--warps',
    '8',
    '--json',
  ]);
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.equal(out.gpu.id, 'a100-sxm4-80gb');
  assert.deepEqual(out.workload, { m: 1024, n: 2048, k: 512, batch: 3, dtype: 'fp16', kernel: 'triton', tile: { blockM: 128, warps: 8 } });
  assert.equal(out.runtime.ms, Number(((1024 * 2048 * 512 * 3) / 1e9).toPrecision(6)));
  assert.equal(out.runtime.model.transform, 'log-ratio-to-analytic');
  assert.equal(out.power.w, 200);
  assert.equal(typeof out.analytic.timeMs, 'number');
  assert.ok(['compute', 'memory', 'latency'].includes(out.analytic.bound));
});

test('predict: CLBlast tunables as flags', async () => {
  const r = await run([
    '--gpu',
    'rtx-4090',
    '--dtype',
    'fp32',
    '--m',
    '1024',
    '--n',
    '1024',
    '--k',
    '1024',
    '--kernel',
    'clblast-xgemm',
    '--MWG',
    '64',
    '--NWG',
    '64',
    '--KWG',
    '16',
    '--MDIMC',
    '16',
    '--NDIMC',
    '16',
    '--SA',
    '1',
    '--SB',
    '1',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const tile = JSON.parse(r.stdout).workload.tile;
  assert.deepEqual(tile.native, { MWG: 64, NWG: 64, KWG: 16, MDIMC: 16, NDIMC: 16, SA: 1, SB: 1 });
  assert.equal(tile.threads, 256);
});

test('predict: bad single arguments exit 2 with the reason; a missing model exits 1', async () => {
  const unknown = await run(['--gpu', 'RTX 4090 Super', '--dtype', 'fp16', '--m', '1', '--n', '1', '--k', '1']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown GPU 'RTX 4090 Super'.*'rtx-4090'/);
  const missing = await run(['--gpu', 'h100', '--dtype', 'fp16', '--m', '1', '--n', '1']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--k is required/);
  const negative = await run(['--gpu', 'h100', '--dtype', 'fp16', '--m', '-5', '--n', '1', '--k', '1']);
  assert.equal(negative.code, 2);
  assert.match(negative.stderr, /m must be a positive whole number, got '-5'/);
  const noModel = await run(['--gpu', 'h100', '--dtype', 'fp16', '--m', '8', '--n', '8', '--k', '8'], {
    loadPredictor: async () => ({ ok: false, error: 'model file models/runtime.tcmf is missing: reinstall or run npm run train' }),
  });
  assert.equal(noModel.code, 1);
  assert.match(noModel.stderr, /models\/runtime\.tcmf is missing/);
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /tilecast predict --batch IN\.csv \[--out OUT\.csv\] \[--workers N\]/);
  const mixed = await run(['--batch', 'x.csv', '--out', 'y.csv', '--gpu', 'h100']);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /drop --gpu/);
  const workers = await run(['--batch', 'x.csv', '--workers', 'many']);
  assert.equal(workers.code, 2);
  assert.match(workers.stderr, /--workers must be a whole number 0\.\.64, got 'many'/);
});

/** The fake predictor, recording each workload it is asked about. */
function spyPredictor(): { seen: GemmWorkload[]; deps: PredictDeps } {
  const seen: GemmWorkload[] = [];
  const predictor = fakePredictor();
  const spy: GemmPredictor = {
    ...predictor,
    predict: (w, gpu, o) => {
      seen.push(w);
      return predictor.predict(w, gpu, o);
    },
  };
  return { seen, deps: { loadPredictor: async () => ({ ok: true, predictor: spy }) } };
}

test('predict --quantization: the scheme reaches the predictor and the text; a mismatched one exits 2', async () => {
  const { seen, deps } = spyPredictor();
  const ok = await run(['--gpu', 'b200', '--dtype', 'fp4', '--m', '16', '--n', '4096', '--k', '4096', '--quantization', 'NVFP4'], deps);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(seen[0]?.quantization, 'nvfp4');
  assert.match(ok.stdout, /fp4 \(nvfp4\) GEMM M=16/);
  const bad = await run(['--gpu', 'b200', '--dtype', 'bf16', '--m', '16', '--n', '4096', '--k', '4096', '--quantization', 'nvfp4']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /quantization 'nvfp4' runs in fp4, not bf16/);
});

test('predict --quant-wrapper: the wrapper reaches the predictor and the text; without --quantization it exits 2', async () => {
  const { seen, deps } = spyPredictor();
  const flags = ['--gpu', 'b200', '--dtype', 'fp8', '--m', '16', '--n', '4096', '--k', '4096'];
  const ok = await run([...flags, '--quantization', 'fp8_block', '--quant-wrapper', 'sglang'], deps);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(seen[0]?.quantWrapper, 'sglang');
  assert.match(ok.stdout, /fp8 \(fp8_block in sglang\) GEMM M=16/);
  const bare = await run([...flags, '--quant-wrapper', 'sglang'], deps);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /wraps a quantised GEMM; give the row a quantization scheme/);
});

test('predict --batch: every input column verbatim, predictions appended, one row per input row, errors per row', async () => {
  const input = file(
    'in.csv',
    [
      '\uFEFFid,gpu,dtype,m,n,k,batch,kernel,note',
      '1,h100-sxm,bf16,4096,4096,4096,,,"plain, with comma"',
      '2,NVIDIA A100-SXM4-80GB,fp16,1024,1024,1024,2,library,"say ""hi"""',
      '3,RTX 4090 Super,fp16,64,64,64,,,unknown gpu',
      '',
      '4,rtx-4090,fp64,64,64,64,,,bad dtype',
      '5,rtx-4090,fp16,-1,64,64,,,negative',
      '6,rtx-4090,fp16,,64,64,,,missing',
      '7,rtx-4090,fp16,64,64,NaN,,,nan',
      '8,rtx-4090,fp16,64,64,99999999999999,,,huge',
      '9,rtx-4090,fp32,64,64,64,1,triton,"multi',
      'line"',
      '10,t4,int8,128,128,128',
      '11,t4,fp8,128,128,128,1,library,x,extra',
    ].join('\r\n') + '\r\n',
  );
  const out = join(dir, 'out.csv');
  const r = await run(['--batch', input, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /columns not used \(copied through\): 'id', 'note'/);
  assert.match(r.stderr, /11 rows, 3 predicted, 8 not/);
  const text = readFileSync(out, 'utf8');
  const rows = parse(text);
  assert.deepEqual(rows[0], ['id', 'gpu', 'dtype', 'm', 'n', 'k', 'batch', 'kernel', 'note', ...OUT_COLUMNS]);
  assert.equal(rows.length, 12);
  assert.deepEqual(
    rows.slice(1).map((row) => row[0]),
    ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11'],
  );
  const byId = new Map(rows.slice(1).map((row) => [row[0], row]));
  const row1 = byId.get('1')!;
  assert.equal(row1[8], 'plain, with comma');
  assert.deepEqual(row1.slice(9), ['68.7195', '34.3597', '137.439', '350', '340', '360', '24051.8', '', '34.3597', 'false']);
  assert.ok(text.includes('2,NVIDIA A100-SXM4-80GB,fp16,1024,1024,1024,2,library,"say ""hi""",'), 'quoted input kept verbatim');
  assert.equal(byId.get('2')![9], String(Number(((1024 ** 3 * 2) / 1e9).toPrecision(6))));
  const errorOf = (id: string) => byId.get(id)![16];
  const emptyPredictions = (id: string) => assert.deepEqual(byId.get(id)!.slice(9, 16), ['', '', '', '', '', '', ''], id);
  for (const id of ['3', '4', '5', '6', '7', '8']) emptyPredictions(id);
  assert.match(errorOf('3'), /unknown GPU 'RTX 4090 Super'\. Did you mean 'rtx-4090'/);
  assert.match(errorOf('4'), /unknown dtype 'fp64'/);
  assert.match(errorOf('5'), /m must be a positive whole number, got '-1'/);
  assert.match(errorOf('6'), /^m is empty$/);
  assert.match(errorOf('7'), /k must be a positive whole number, got 'NaN'/);
  assert.match(errorOf('8'), /k '99999999999999' is too large/);
  assert.equal(byId.get('9')![8], 'multi\r\nline', 'quoted newline kept');
  assert.equal(errorOf('9'), '');
  // Short and long rows: padded / cut to the header, with a message.
  assert.equal(byId.get('10')!.length, 19);
  assert.deepEqual(byId.get('3')!.slice(17), ['', ''], 'no analytic_ms or extrapolating without a prediction');
  assert.match(errorOf('10'), /row has 6 fields, the header has 9/);
  assert.match(byId.get('11')![16], /row has 10 fields, the header has 9/);
  assert.ok(
    rows.every((row) => row.length === 19),
    'every output row has the header width',
  );
});

test('predict --batch: stdout when --out is - or absent; stdin with -; chunks go to predictBatch', async () => {
  const input = file('small.csv', 'gpu,dtype,m,n,k\nh100,fp16,64,64,64\nh100,fp16,128,128,128\n');
  const toStdout = await run(['--batch', input]);
  assert.equal(toStdout.code, 0);
  assert.equal(parse(toStdout.stdout).length, 3);
  const dash = await run(['--batch', input, '--out', '-']);
  assert.equal(dash.stdout, toStdout.stdout);
  const stdin = await run(['--batch', '-'], { stdin: Readable.from([Buffer.from('gpu,dtype,m,n,k\nh1'), Buffer.from('00,fp16,64,64,64\n')]) });
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.equal(parse(stdin.stdout)[1][5], String(64 ** 3 / 1e9));
  const calls = { batches: [] as number[] };
  const many = file('many.csv', 'gpu,dtype,m,n,k\n' + Array.from({ length: 10000 }, (_, i) => `l4,fp16,${i + 1},64,64\n`).join(''));
  const big = await run(['--batch', many], { loadPredictor: async () => ({ ok: true, predictor: fakePredictor(calls) }) });
  assert.equal(big.code, 0);
  const rows = parse(big.stdout);
  assert.equal(rows.length, 10001);
  assert.deepEqual(
    rows.slice(1).map((row) => Number(row[2])),
    Array.from({ length: 10000 }, (_, i) => i + 1),
    'order kept',
  );
  assert.equal(
    calls.batches.reduce((a, b) => a + b, 0),
    10000,
  );
  assert.ok(calls.batches.length >= 2 && Math.max(...calls.batches) <= 8192, `chunks ${calls.batches.join(',')}`);
});

test('predict --batch: the file itself unusable -> exit 1 with a clear message', async () => {
  const missing = await run(['--batch', join(dir, 'nope.csv')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.csv: no such file or directory/);
  const empty = await run(['--batch', file('empty.csv', '\n\n')]);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /empty\.csv is empty: expected a header line/);
  const noColumns = await run(['--batch', file('cols.csv', 'gpu,m,n,k\nh100,1,1,1\n')]);
  assert.equal(noColumns.code, 1);
  assert.match(noColumns.stderr, /missing required column 'dtype'/);
  mkdirSync(join(dir, 'adir'), { recursive: true });
  const directory = await run(['--batch', join(dir, 'adir')]);
  assert.equal(directory.code, 1);
  const same = await run(['--batch', file('same.csv', 'gpu,dtype,m,n,k\n'), '--out', join(dir, 'same.csv')]);
  assert.equal(same.code, 2);
  assert.match(same.stderr, /would overwrite the input/);
  const headerOnly = await run(['--batch', file('header.csv', 'gpu,dtype,m,n,k\r\n')]);
  assert.equal(headerOnly.code, 0);
  assert.equal(headerOnly.stdout, `gpu,dtype,m,n,k,${OUT_COLUMNS.join(',')}\n`);
  const badOut = await run(['--batch', file('ok.csv', 'gpu,dtype,m,n,k\n'), '--out', join(dir, 'no-such-dir', 'out.csv')]);
  assert.equal(badOut.code, 1);
  assert.match(badOut.stderr, /cannot write/);
});

test('predict --method and the method column: a row method wins over the flag; unknown methods are row errors', async () => {
  const input = file(
    'methods.csv',
    'gpu,dtype,m,n,k,method\nh100,fp16,1000,1000,1000,\nh100,fp16,1000,1000,1000,pytorch-eager\nh100,fp16,1000,1000,1000,kernel\nh100,fp16,1000,1000,1000,stopwatch\n',
  );
  const plain = parse((await run(['--batch', input])).stdout);
  assert.deepEqual(
    plain.slice(1).map((r) => r[6]),
    ['1', '2', '1', ''],
  );
  assert.match(plain[4][13], /unknown method 'stopwatch'/);
  const eager = parse((await run(['--batch', input, '--method', 'pytorch-eager'])).stdout);
  assert.deepEqual(
    eager.slice(1).map((r) => r[6]),
    ['2', '2', '1', ''],
  );
  const single = await run(['--gpu', 'h100', '--dtype', 'fp16', '--m', '1000', '--n', '1000', '--k', '1000', '--method', 'pytorch-eager', '--json']);
  assert.equal(JSON.parse(single.stdout).runtime.ms, 2);
  assert.equal(JSON.parse(single.stdout).method, 'pytorch-eager');
  const bad = await run(['--gpu', 'h100', '--dtype', 'fp16', '--m', '1', '--n', '1', '--k', '1', '--method', 'wallclock']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--method must be one of kernel, pytorch-eager, triton-do-bench/);
});

test('predict: an extrapolating prediction says so in text and JSON', async () => {
  const text = await run(['--gpu', 't4', '--dtype', 'fp16', '--m', '64', '--n', '64', '--k', '64']);
  assert.match(text.stdout, /extrapolating: outside the training data/);
  const json = await run(['--gpu', 't4', '--dtype', 'fp16', '--m', '64', '--n', '64', '--k', '64', '--json']);
  assert.equal(JSON.parse(json.stdout).extrapolating, true);
  const inside = await run(['--gpu', 'h100', '--dtype', 'fp16', '--m', '64', '--n', '64', '--k', '64']);
  assert.doesNotMatch(inside.stdout, /extrapolating/);
});

test('predict --top K: the K predicted fastest candidates of each problem, ranked, with near-ties', async () => {
  const input = file(
    'configs.csv',
    [
      'gpu,dtype,m,n,k,kernel,block_m,block_n',
      'h100,fp16,4000,1000,1000,tiled,64,64',
      'h100,fp16,1000,1000,1000,tiled,128,64',
      'h100,fp16,3000,1000,1000,tiled,64,128',
      'h100,fp16,1500,1000,1000,tiled,128,128',
      'h100,fp16,1000,1000,1000,tiled,bad,1',
    ].join('\n') + '\n',
  );
  const seen = { batches: [] as number[], groups: [] as Array<string | number | undefined> };
  const r = await run(['--batch', input, '--top', '2'], { loadPredictor: async () => ({ ok: true, predictor: fakePredictor(seen) }) });
  assert.equal(r.code, 0, r.stderr);
  // Each problem is one ranked group of the batch (model/keep-shape.ts): four problems, four groups.
  assert.equal(seen.groups.length, 4);
  assert.equal(new Set(seen.groups).size, 4);
  assert.ok(seen.groups.every((g) => typeof g === 'string'));
  const rows = parse(r.stdout);
  assert.deepEqual(rows[0].slice(-4), ['analytic_ms', 'extrapolating', 'rank', 'near_tie']);
  // Candidates are grouped by their problem (here m differs per row, so each is its own group).
  assert.equal(rows.length, 5);
  const same = file(
    'same-problem.csv',
    'gpu,dtype,m,n,k,kernel,block_m,note\n' +
      [
        [64, 'a'],
        [128, 'b'],
        [32, 'c'],
      ]
        .map(([b, note]) => `h100,fp16,1000,1000,1000,tiled,${b},${note}`)
        .join('\n') +
      '\n',
  );
  const calls = { batches: [] as number[], groups: [] as Array<string | number | undefined> };
  const ranked = await run(['--batch', same, '--top', '2'], { loadPredictor: async () => ({ ok: true, predictor: fakePredictor(calls) }) });
  assert.equal(new Set(calls.groups).size, 1, 'one problem: one group');
  const out = parse(ranked.stdout);
  assert.equal(out.length, 3);
  assert.deepEqual(
    out.slice(1).map((row) => [row[7], row[row.length - 2], row[row.length - 1]]),
    [
      ['a', '1', 'true'],
      ['b', '2', 'true'],
    ],
  );
  assert.match(ranked.stderr, /3 candidates, 3 within the interval of the predicted fastest; try the top 2/);
  const noBatch = await run(['--gpu', 'h100', '--dtype', 'fp16', '--m', '1', '--n', '1', '--k', '1', '--top', '3']);
  assert.equal(noBatch.code, 2);
  assert.match(noBatch.stderr, /--top needs --batch/);
  assert.equal((await run(['--batch', same, '--top', '0'])).code, 2);
});
