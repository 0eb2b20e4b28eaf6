// The project's sweep (models/profiling/) is ready to run on a GPU: its support header is the harness
// support code of today, gemm-sweep.cu compiles for sm_80 and sm_90 (one nvcc call), the Python part
// parses, and run-sweep.sh passes `sh -n`. Nothing here runs on a GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { supportHeader } from '../models/profiling/write-support';

const run = promisify(execFile);
const dir = join(__dirname, '..', 'models', 'profiling');
const have = (cmd: string): boolean => {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

test('tilecast-harness-support.cuh is current (node --import tsx models/profiling/write-support.ts)', () => {
  assert.equal(readFileSync(join(dir, 'tilecast-harness-support.cuh'), 'utf8'), supportHeader());
});

test('gemm-sweep.cu compiles for sm_80 and sm_90', { skip: have('nvcc') ? false : 'nvcc not found on PATH' }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'tilecast-sweep-build-'));
  try {
    await run(
      'nvcc',
      [
        '-O0',
        '-std=c++17',
        '-gencode',
        'arch=compute_80,code=sm_80',
        '-gencode',
        'arch=compute_90,code=sm_90',
        '-o',
        join(out, 'gemm-sweep'),
        join(dir, 'gemm-sweep.cu'),
        '-ldl',
      ],
      { timeout: 300_000 },
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the Python part parses and run-sweep.sh is valid sh', { skip: have('python3') ? false : 'python3 not found' }, async () => {
  await run('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])', join(dir, 'sweep_library_triton.py')]);
  await run('sh', ['-n', join(dir, 'run-sweep.sh')]);
});
