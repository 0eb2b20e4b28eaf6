// The predict input rules: header mapping, row -> GemmWorkload (config columns, CLBlast tunables) and
// the message for each kind of bad row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapColumns, parseWholeNumber, RowInterpreter, MAX_DIMENSION } from './predict-rows';

function interpreter(header: string[]) {
  const mapped = mapColumns(header);
  assert.ok(mapped.ok, mapped.ok ? '' : mapped.error);
  return new RowInterpreter(mapped.columns);
}

test('predict rows: header mapping is case- and space-insensitive; missing and repeated columns fail', () => {
  const ok = mapColumns([' GPU', 'dtype', 'M', 'n', 'k', 'note', 'mwg']);
  assert.ok(ok.ok);
  assert.deepEqual([ok.columns.gpu, ok.columns.m, ok.columns.batch, ok.columns.kernel], [0, 2, -1, -1]);
  assert.deepEqual(ok.columns.ignored, ['note']);
  assert.deepEqual(ok.columns.clblast, [{ index: 6, name: 'MWG' }]);
  const missing = mapColumns(['gpu', 'm', 'n']);
  assert.ok(!missing.ok);
  assert.match(missing.error, /missing required columns 'dtype', 'k'/);
  const twice = mapColumns(['gpu', 'dtype', 'm', 'n', 'k', 'M']);
  assert.ok(!twice.ok);
  assert.match(twice.error, /'M' appears more than once/);
});

test('predict rows: a good row becomes a workload with defaults batch=1, kernel=library', () => {
  const rows = interpreter(['gpu', 'dtype', 'm', 'n', 'k']);
  const r = rows.interpret(['NVIDIA H100 80GB HBM3', 'BF16', '4096', ' 1024 ', '+512']);
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(r.gpu.id, 'h100-sxm');
  assert.deepEqual(r.workload, { m: 4096, n: 1024, k: 512, batch: 1, dtype: 'bf16', kernel: 'library' });
});

test('predict rows: a quantization column names the scheme (case-insensitive); empty is plain; unknown or dtype-mismatched schemes are refused', () => {
  const rows = interpreter(['gpu', 'dtype', 'm', 'n', 'k', 'Quantization']);
  const block = rows.interpret(['b200', 'fp8', '16', '4096', '4096', ' FP8_Block ']);
  assert.ok(block.ok, block.ok ? '' : block.error);
  assert.equal(block.workload.quantization, 'fp8_block');
  const plain = rows.interpret(['b200', 'fp8', '16', '4096', '4096', '']);
  assert.ok(plain.ok);
  assert.equal('quantization' in plain.workload, false);
  const weightOnly = rows.interpret(['h100', 'bf16', '16', '4096', '4096', 'int4_wo']);
  assert.ok(weightOnly.ok && weightOnly.workload.quantization === 'int4_wo');
  const unknown = rows.interpret(['b200', 'fp8', '16', '4096', '4096', 'fp8_magic']);
  assert.ok(!unknown.ok);
  assert.match(unknown.error, /unknown quantization 'fp8_magic'; use one of fp8, fp8_static, fp8_block, nvfp4/);
  const mismatch = rows.interpret(['b200', 'bf16', '16', '4096', '4096', 'nvfp4']);
  assert.ok(!mismatch.ok);
  assert.match(mismatch.error, /quantization 'nvfp4' runs in fp4, not bf16/);
  const proto = rows.interpret(['b200', 'fp8', '16', '4096', '4096', '__proto__']);
  assert.ok(!proto.ok, 'object keys are not schemes');
});

test('predict rows: a quant_wrapper column names the framework op around a quantised GEMM; empty or none is the kernel alone', () => {
  const rows = interpreter(['gpu', 'dtype', 'm', 'n', 'k', 'quantization', 'Quant_Wrapper']);
  const sglang = rows.interpret(['b200', 'fp8', '16', '4096', '4096', 'fp8_block', ' SGLang ']);
  assert.ok(sglang.ok, sglang.ok ? '' : sglang.error);
  assert.equal(sglang.workload.quantWrapper, 'sglang');
  for (const alone of ['', 'none']) {
    const r = rows.interpret(['b200', 'fp8', '16', '4096', '4096', 'fp8', alone]);
    assert.ok(r.ok && !('quantWrapper' in r.workload), alone);
  }
  const unknown = rows.interpret(['b200', 'fp8', '16', '4096', '4096', 'fp8', 'vllm']);
  assert.ok(!unknown.ok);
  assert.match(unknown.error, /unknown quant_wrapper 'vllm'; use one of sglang, trtllm-torch, trtllm-plugin/);
  const plain = rows.interpret(['b200', 'bf16', '16', '4096', '4096', '', 'trtllm-torch']);
  assert.ok(!plain.ok);
  assert.match(plain.error, /quant_wrapper 'trtllm-torch' wraps a quantised GEMM; give the row a quantization scheme/);
});

test('predict rows: config columns set the tile; CLBlast rows take the 14 native tunables', () => {
  const rows = interpreter([
    'gpu',
    'dtype',
    'm',
    'n',
    'k',
    'batch',
    'kernel',
    'block_m',
    'block_n',
    'block_k',
    'warps',
    'stages',
    'MWG',
    'NWG',
    'KWG',
    'MDIMC',
    'NDIMC',
    'SA',
    'SB',
    'VWM',
  ]);
  const triton = rows.interpret([
    'a100-sxm4-80gb',
    'fp16',
    '2048',
    '2048',
    '2048',
    '4',
    'triton',
    '128',
    '256',
    '64',
    '8',
    '3',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
  ]);
  assert.ok(triton.ok);
  assert.deepEqual(triton.workload.tile, { blockM: 128, blockN: 256, blockK: 64, warps: 8, stages: 3 });
  assert.equal(triton.workload.batch, 4);
  const clblast = rows.interpret([
    'rtx-4090',
    'fp32',
    '1024',
    '1024',
    '1024',
    '',
    'clblast-xgemm',
    '',
    '',
    '',
    '',
    '',
    '64',
    '128',
    '16',
    '16',
    '8',
    '1',
    '0',
    '4',
  ]);
  assert.ok(clblast.ok, clblast.ok ? '' : clblast.error);
  const tile = clblast.workload.tile!;
  assert.deepEqual(tile.native, { MWG: 64, NWG: 128, KWG: 16, MDIMC: 16, NDIMC: 8, SA: 1, SB: 0, VWM: 4 });
  assert.equal(tile.blockM, 64);
  assert.equal(tile.threads, 128);
  assert.equal(tile.threadN, 16);
  // A library row ignores tile columns of other families.
  const library = rows.interpret(['rtx-4090', 'fp32', '64', '64', '64', '', '', '', '', '', '', '', '64', '', '', '', '', '', '', '']);
  assert.ok(library.ok);
  assert.equal(library.workload.tile, undefined);
});

test('predict rows: each bad value gets its own message', () => {
  const rows = interpreter(['gpu', 'dtype', 'm', 'n', 'k', 'batch', 'kernel', 'block_m', 'SA']);
  const error = (cells: string[]) => {
    const r = rows.interpret(cells);
    assert.ok(!r.ok, `expected an error for ${cells.join(',')}`);
    return r.error;
  };
  const good = ['h100-sxm', 'fp16', '1024', '1024', '1024', '1', 'library', '', ''];
  const withCell = (i: number, v: string) => good.map((c, j) => (j === i ? v : c));
  assert.match(error(withCell(0, 'RTX 4090 Super')), /unknown GPU 'RTX 4090 Super'.*'rtx-4090'/);
  assert.match(error(withCell(0, '')), /no GPU name given/);
  assert.match(error(withCell(1, 'fp17')), /unknown dtype 'fp17'; use one of fp32, tf32, fp16, bf16, fp8, int8, fp4/);
  assert.match(error(withCell(1, 'fp64')), /unknown dtype 'fp64'/);
  assert.match(error(withCell(2, '')), /^m is empty$/);
  assert.match(error(withCell(2, '-4')), /m must be a positive whole number, got '-4'/);
  assert.match(error(withCell(3, '0')), /n must be at least 1/);
  assert.match(error(withCell(4, 'NaN')), /k must be a positive whole number, got 'NaN'/);
  assert.match(error(withCell(4, '12.5')), /k must be a positive whole number/);
  assert.match(error(withCell(4, '1e3')), /k must be a positive whole number/);
  assert.match(error(withCell(2, '99999999999')), /m '99999999999' is too large/);
  assert.match(error(withCell(2, '1' + '0'.repeat(30))), /too large/);
  assert.match(error(withCell(5, 'two')), /batch must be a positive whole number/);
  assert.match(error(withCell(6, 'cublas')), /unknown kernel 'cublas'; use one of library, tiled/);
  assert.match(error(withCell(7, '0')), /block_m must be a positive whole number/);
  assert.match(error(withCell(0, 'h100-sxm').slice(0, 3)), /row has 3 fields, the header has 9/);
  // Sizes that fit the int limit but not the GPU's memory.
  assert.match(error(['h100-sxm', 'fp32', '1000000', '1000000', '1000', '1', '', '', '']), /need 4\.01e\+3 GB; NVIDIA H100 SXM5 80 GB has 80 GB/);
  // SA is a 0/1 switch, checked only for CLBlast rows.
  assert.match(error(['h100-sxm', 'fp32', '64', '64', '64', '1', 'clblast-xgemm', '', '2']), /SA must be 0 or 1, got '2'/);
  assert.ok(rows.interpret(withCell(2, '4096.0')).ok, 'spreadsheet whole numbers are fine');
});

test('predict rows: parseWholeNumber is strict', () => {
  assert.equal(parseWholeNumber('42'), 42);
  assert.equal(parseWholeNumber(' +7 '), 7);
  assert.equal(parseWholeNumber('8.00'), 8);
  for (const bad of ['', ' ', '-1', '1.5', '1e3', '0x10', 'Infinity', '.', '1.', '4 096']) {
    const v = parseWholeNumber(bad);
    assert.ok(Number.isNaN(v) || (bad === '1.' && v === 1), `'${bad}' -> ${v}`);
  }
  assert.equal(parseWholeNumber(String(MAX_DIMENSION)), MAX_DIMENSION);
});
