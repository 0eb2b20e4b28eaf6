// `<` in expressions that tree-sitter's C++ grammar first reads as a template argument list
// (cuda/template-ambiguity.ts): valid comparisons give no syntax warning; genuine errors still do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';

const inKernel = (statement: string) => `__global__ void k(float* a, int n, int M, int K) {\n  ${statement}\n}\n`;

async function problemsOf(text: string) {
  const grammars = await loadGrammars();
  return analyzeSource(grammars, 'cuda', text).problems.map((p) => p.message);
}

const VALID = [
  'float x = (n < M && 1 + threadIdx.x < K) ? a[0] : 0.0f;',
  'if (n < M && K > n) a[0] = 1;',
  'bool b = n < M && K < M;',
  'int z = n < M ? 1 : 2;',
  'bool w = (n < M && K < n);',
  'if (threadIdx.x < K) a[0] = 1;',
  'if (blockIdx.x < gridDim.x && blockIdx.y > 0) a[0] = 1;',
  'bool ok = threadIdx.x < 32 && threadIdx.y > 2;',
  'for (int i = 0; blockDim.x * i + threadIdx.x < n; ++i) a[i] = 0;',
  'a[threadIdx.x < K ? 1 : 0] = 1;',
  'float v = threadIdx.x < n ? a[threadIdx.y > 1] : (threadIdx.z < 2) + (blockDim.x > 3);',
  'float2 p; if (p.x < p.y && p.y > 0.0f) a[0] = p.x;',
  'int q = min(threadIdx.x < 4, threadIdx.y > 4);',
  'int4 *r = nullptr; if (r->x < r->y) a[0] = 1;',
];

test('valid comparisons after members and names give no syntax warning', async () => {
  for (const statement of VALID) {
    assert.deepEqual(await problemsOf(inKernel(statement)), [], statement);
  }
});

test('all the valid comparisons in one kernel, and templates next to them', async () => {
  const text = `template <int T> __device__ int twice() { return 2 * T; }\n${inKernel(VALID.join('\n  ') + '\n  int t = twice<4>() + static_cast<int>(threadIdx.x < 3);')}`;
  assert.deepEqual(await problemsOf(text), []);
});

test('genuine errors are still reported', async () => {
  const broken = [
    'a[0] = 1\n}\n__global__ void g() {',
    'if (threadIdx.x < n { a[0] = 1; }',
    'std::vector<int v;',
    // A member template named as one (`template`): its `<` opens template arguments and is never re-read.
    'int t = s.template twice<int();',
    // A template of this file's (`twice` is declared as one) with an unclosed argument list.
    'int t = twice<int(), 1;',
  ];
  for (const statement of broken) {
    const text = `template <int T> __device__ int twice() { return 2 * T; }\n${inKernel(statement)}`;
    assert.ok(
      (await problemsOf(text)).some((m) => m.startsWith('syntax error')),
      statement,
    );
  }
});
