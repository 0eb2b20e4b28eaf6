// Unit tests of the Triton analysis below the fixture level: the Python expression evaluator's
// semantics (checked against Python's own rules), helper-function interpretation, annotations,
// UTF-16 ranges, and that broken or hostile input never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'web-tree-sitter';
import { loadGrammars } from '../server/src/platform/grammars';
import { SourceDocument } from '../server/src/analysis/document';
import { analyzeTritonTree } from '../server/src/analysis/triton/index';
import { Evaluator } from '../server/src/analysis/triton/evaluate';
import { collectImports, ScopeSet } from '../server/src/analysis/triton/scopes';
import type { PyValue } from '../server/src/analysis/triton/values';
import { DEFAULT_ANALYSIS_OPTIONS, type FileAnalysis } from '../server/src/analysis/types';

async function parser(): Promise<Parser> {
  const { python } = await loadGrammars();
  const result = new Parser();
  result.setLanguage(python);
  return result;
}

async function analyze(text: string): Promise<FileAnalysis> {
  const tree = (await parser()).parse(text)!;
  try {
    return analyzeTritonTree(tree.rootNode, text, DEFAULT_ANALYSIS_OPTIONS);
  } finally {
    tree.delete();
  }
}

/** Evaluates the module-level binding `name` of `source` (its last assignment). */
async function valueOf(source: string, name = 'x'): Promise<PyValue> {
  const tree = (await parser()).parse(source)!;
  const scopes = new ScopeSet(tree.rootNode, new Evaluator(collectImports(tree.rootNode)));
  const value = scopes.module.lookup(name, Number.MAX_SAFE_INTEGER);
  tree.delete();
  return value;
}

/** A plain JS rendering of a value for comparisons: numbers, strings, arrays, or 'unknown'. */
function plain(value: PyValue): unknown {
  switch (value.kind) {
    case 'number':
      return value.value;
    case 'bool':
      return value.value;
    case 'string':
      return value.value;
    case 'none':
      return null;
    case 'sequence':
      return value.items.map(plain);
    case 'dict':
      return Object.fromEntries([...value.entries].map(([key, item]) => [key, plain(item)]));
    case 'tensor':
      return { shape: value.shape?.map(plain) ?? null, dtype: value.dtype };
    case 'dtype':
      return `dtype:${value.dtype}`;
    default:
      return value.kind;
  }
}

test('arithmetic follows Python: floor division and modulo round toward negative infinity', async () => {
  assert.equal(plain(await valueOf('x = 7 // -2')), -4);
  assert.equal(plain(await valueOf('x = -7 % 3')), 2);
  assert.equal(plain(await valueOf('x = 7 % -3')), -2);
  assert.equal(plain(await valueOf('x = 2 ** 10 + 1_000')), 2024);
  assert.equal(plain(await valueOf('x = 7 / 2')), 3.5);
  assert.equal(plain(await valueOf('x = 0x10 + 0b11 + 0o7')), 16 + 3 + 7);
  assert.equal(plain(await valueOf('x = (1 << 5) | 3')), 35);
  assert.equal(plain(await valueOf('x = 1 // 0')), 'unknown');
});

test('cdiv, next_power_of_2, min and max fold', async () => {
  assert.equal(plain(await valueOf('import triton\nx = triton.cdiv(1000, 128)')), 8);
  assert.equal(plain(await valueOf('import triton.language as tl\nx = tl.cdiv(1024, 128)')), 8);
  assert.equal(plain(await valueOf('from triton import cdiv\nx = cdiv(1, 64)')), 1);
  assert.equal(plain(await valueOf('import triton\nx = triton.next_power_of_2(781)')), 1024);
  assert.equal(plain(await valueOf('import triton\nx = triton.next_power_of_2(1024)')), 1024);
  assert.equal(plain(await valueOf('x = min(3, 1, 2) + max([4, 9])')), 10);
  assert.equal(plain(await valueOf('x = min(M, 4)')), 'unknown');
});

test('containers, comprehensions, subscripts and lambdas', async () => {
  assert.deepEqual(plain(await valueOf('x = [v * 2 for v in range(4) if v != 1]')), [0, 4, 6]);
  assert.deepEqual(plain(await valueOf('x = [(a, b) for a in [1, 2] for b in "xy"]')), [
    [1, 'x'],
    [1, 'y'],
    [2, 'x'],
    [2, 'y'],
  ]);
  assert.deepEqual(plain(await valueOf('import itertools\nx = [a + b for a, b in itertools.product([10, 20], [1, 2])]')), [11, 12, 21, 22]);
  assert.deepEqual(plain(await valueOf('x = [a * b for a, b in zip([1, 2, 3], [4, 5])]')), [4, 10]);
  assert.equal(plain(await valueOf("META = {'BLOCK': 64}\nx = META['BLOCK'] * 2")), 128);
  assert.equal(plain(await valueOf('x = (lambda m, n=3: m * n)(5)')), 15);
  assert.equal(plain(await valueOf('f = lambda META: META["A"] + 1\nx = f({"A": 41})')), 42);
  assert.equal(plain(await valueOf('x = 1 if 2 > 3 else 5')), 5);
  assert.equal(plain(await valueOf('t = (4, 5, 6)\nx = t[-1] + len(t)')), 9);
  assert.equal(plain(await valueOf('a, (b, c) = 1, (2, 3)\nx = a + b + c')), 6);
  assert.equal(plain(await valueOf('x = 1 < 2 <= 2 and 3 not in [1, 2]')), true);
});

test('a dict keyed by dtypes or numbers is a table read by subscript and .get, and never iterated as strings', async () => {
  const table = [
    'import torch',
    'configs = {torch.float8_e4m3fn: {"BM": 128, "BK": 128}, torch.float16: {"BM": 128, "BK": 64}, 2: {"BM": 32}}',
    'a = torch.randn((64, 64), device="cuda", dtype=torch.float16)',
  ].join('\n');
  assert.equal(plain(await valueOf(`${table}\nx = configs[a.dtype]["BK"]`)), 64);
  assert.equal(plain(await valueOf(`${table}\nx = configs[torch.float8_e4m3fn]["BK"]`)), 128);
  assert.equal(plain(await valueOf(`${table}\nx = configs[1 + 1]["BM"] + configs.get(3, {"BM": 1})["BM"]`)), 33);
  assert.equal(plain(await valueOf(`${table}\nx = configs[torch.bfloat16]`)), 'unknown');
  // Not a string-keyed dict: iterating it, or spreading it into keywords, stays unknown.
  assert.equal(plain(await valueOf(`${table}\nx = [k for k in configs]`)), 'unknown');
  assert.equal(plain(await valueOf(`${table}\nx = dict(**configs)`)), 'unknown');
  // The Triton persistent-matmul tutorial picks its launch keywords from such a table by the input's dtype.
  const analysis = await analyze(
    [
      'import torch',
      'import triton',
      'import triton.language as tl',
      '@triton.jit',
      'def mm(a_ptr, b_ptr, c_ptr, M, N, K, BLOCK_SIZE_M: tl.constexpr, BLOCK_SIZE_K: tl.constexpr):',
      '    acc = tl.zeros((BLOCK_SIZE_M, BLOCK_SIZE_M), dtype=tl.float32)',
      '    for k in range(0, K, BLOCK_SIZE_K):',
      '        acc = tl.dot(tl.load(a_ptr), tl.load(b_ptr), acc)',
      'def run(a, b):',
      '    configs = {torch.float8_e4m3fn: {"BLOCK_SIZE_M": 128, "BLOCK_SIZE_K": 128, "num_warps": 8}, torch.float16: {"BLOCK_SIZE_M": 64, "BLOCK_SIZE_K": 32, "num_warps": 4}}',
      '    M, K = a.shape',
      '    K, N = b.shape',
      '    c = torch.empty((M, N), device=a.device, dtype=a.dtype)',
      '    mm[(triton.cdiv(M, configs[a.dtype]["BLOCK_SIZE_M"]), )](a, b, c, M, N, K,',
      '        BLOCK_SIZE_M=configs[a.dtype]["BLOCK_SIZE_M"], BLOCK_SIZE_K=configs[a.dtype]["BLOCK_SIZE_K"], num_warps=configs[a.dtype]["num_warps"])',
      'x = torch.randn((4096, 1024), device="cuda", dtype=torch.float16)',
      'y = torch.randn((1024, 2048), device="cuda", dtype=torch.float16)',
      'run(x, y)',
    ].join('\n'),
  );
  const launch = analysis.launches[0]!;
  assert.deepEqual(launch.metaParams, { BLOCK_SIZE_M: 64, BLOCK_SIZE_K: 32 });
  assert.deepEqual(launch.grid, [64, 1, 1]);
  assert.deepEqual(launch.block, [128, 1, 1]);
});

test('a launch inside a torch.autograd.Function forward takes its sizes from Cls.apply calls and their aliases', async () => {
  const source = (call: string) =>
    [
      'import torch',
      'import triton',
      'import triton.language as tl',
      '@triton.jit',
      'def mm(a_ptr, b_ptr, c_ptr, M, N, K, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):',
      '    acc = tl.zeros((BLOCK_M, BLOCK_M), dtype=tl.float32)',
      '    for k in range(0, K, BLOCK_K):',
      '        acc = tl.dot(tl.load(a_ptr), tl.load(b_ptr), acc)',
      'class _matmul(torch.autograd.Function):',
      '    @staticmethod',
      '    def forward(ctx, a, b):',
      '        M, K = a.shape',
      '        _, N = b.shape',
      '        c = torch.empty((M, N), device=a.device, dtype=a.dtype)',
      '        mm[(triton.cdiv(M, 64) * triton.cdiv(N, 64), )](a, b, c, M, N, K, BLOCK_M=64, BLOCK_K=32)',
      '        return c',
      'x = torch.randn((2048, 4096), device="cuda", dtype=torch.bfloat16)',
      'w = torch.randn((4096, 1024), device="cuda", dtype=torch.bfloat16)',
      call,
    ].join('\n');
  for (const call of ['y = _matmul.apply(x, w)', 'matmul = _matmul.apply\ny = matmul(x, w)']) {
    const launch = (await analyze(source(call))).launches[0]!;
    assert.deepEqual([launch.problem.m, launch.problem.n, launch.problem.k, launch.problem.dtype], [2048, 1024, 4096, 'bf16'], call);
    assert.deepEqual(launch.grid, [32 * 16, 1, 1], call);
  }
  // A plain call of forward's name does not bind it (ctx would take the first argument).
  const launch = (await analyze(source('y = forward(x, w)'))).launches[0]!;
  assert.equal(launch.problem.source === 'code' && launch.problem.m === 2048, false);
});

test('a module-level config list grown by loops (configs.append in for/if at module level) is the autotune list', async () => {
  const source = (grow: string) =>
    [
      'import triton',
      'import triton.language as tl',
      'configs = []',
      grow,
      '@triton.autotune(configs=configs, key=["M"])',
      '@triton.jit',
      'def mm(a_ptr, M, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):',
      '    acc = tl.zeros((BLOCK_M, BLOCK_M), dtype=tl.float32)',
      '    for k in range(0, M, BLOCK_K):',
      '        acc += tl.dot(tl.load(a_ptr), tl.load(a_ptr))',
      'configs.append(triton.Config({"BLOCK_M": 16, "BLOCK_K": 16}))',
    ].join('\n');
  const grown = await analyze(
    source(
      [
        'for BM in [64, 128]:',
        '    for s in [3, 4]:',
        '        configs.append(triton.Config({"BLOCK_M": BM, "BLOCK_K": 32}, num_stages=s, num_warps=4 if BM == 64 else 8))',
        'if True:',
        '    configs += [triton.Config({"BLOCK_M": 256, "BLOCK_K": 64}, num_stages=2, num_warps=8)]',
      ].join('\n'),
    ),
  );
  const configs = grown.kernels[0]!.configs;
  // The append after the kernel's decorator is not part of its list.
  assert.deepEqual(
    configs.map((c) => [c.params.BLOCK_M, c.numStages, c.numWarps]),
    [
      [64, 3, 4],
      [64, 4, 4],
      [128, 3, 8],
      [128, 4, 8],
      [256, 2, 8],
    ],
  );
  // Augmenting anything but a list stays unknown.
  assert.equal(plain(await valueOf('total = 1\ntotal += 2\nx = total')), 'unknown');
  // A loop the interpreter does not run leaves the list unknown, not empty-and-wrong.
  const unknown = await analyze(source('while len(configs) < 2:\n    configs.append(triton.Config({"BLOCK_M": 32, "BLOCK_K": 32}))'));
  assert.equal(unknown.kernels[0]!.configs.length, 0);
});

test('torch tensors carry shapes and dtypes through shape unpacking, .to and .T', async () => {
  const source = [
    'import torch',
    'a = torch.randn((512, 256), device="cuda", dtype=torch.float16)',
    'b = a.to(torch.float8_e5m2).T',
    'M, K = a.shape',
    'N = b.shape[1]',
    'x = (M, K, N)',
  ].join('\n');
  assert.deepEqual(plain(await valueOf(source)), [512, 256, 512]);
  assert.deepEqual(plain(await valueOf(source, 'b')), { shape: [256, 512], dtype: 'fp8' });
  // torch's default dtype is float32; randn(3, 4) takes the shape as varargs.
  assert.deepEqual(plain(await valueOf('import torch\nx = torch.randn(3, 4)')), { shape: [3, 4], dtype: 'fp32' });
  assert.deepEqual(plain(await valueOf('import torch\nx = torch.ones(8).bfloat16().numel()')), 8);
});

test('names resolve to the last binding before the use, and self-reference terminates', async () => {
  assert.equal(plain(await valueOf('y = 1\ny = y + 1\nx = y * 10')), 20);
  assert.equal(plain(await valueOf('x = x + 1')), 'unknown');
  assert.equal(plain(await valueOf('a = b\nb = a\nx = a')), 'unknown');
  assert.equal(plain(await valueOf('for x in [1, 2]:\n    pass')), 'unknown');
});

test('helper functions are interpreted: loops, continue, append, and backend branches', async () => {
  const source = [
    'def is_hip():',
    '    return torch.version.hip is not None',
    'def configs():',
    '    if is_hip():',
    '        return [0]',
    '    out = []',
    '    for a in [1, 2, 3]:',
    '        if a == 2:',
    '            continue',
    '        out.append(a * 10)',
    '    out += [99]',
    '    return out',
    'x = configs()',
  ].join('\n');
  // Runtime backend queries are decided for NVIDIA: the HIP branch is not taken.
  assert.deepEqual(plain(await valueOf(source)), [10, 30, 99]);
  assert.equal(plain(await valueOf('def f():\n    while True:\n        pass\nx = f()')), 'unknown');
  // Unbounded work stops: a huge range is not materialised.
  assert.equal(plain(await valueOf('x = len(list(range(10 ** 9)))')), 'unknown');
});

test('ranges are UTF-16 offsets even after non-ASCII text', async () => {
  const text = '# Ünïcödé 😀 comment\nimport triton\nimport triton.language as tl\n@triton.jit\ndef k(x_ptr, BLOCK: tl.constexpr = 128):\n    pass\n';
  const analysis = await analyze(text);
  assert.equal(analysis.kernels.length, 1);
  const kernel = analysis.kernels[0];
  assert.equal(text.slice(kernel.nameRange.start, kernel.nameRange.end), 'k');
  const tile = analysis.tileParams.find((param) => param.name === 'BLOCK');
  assert.ok(tile);
  assert.equal(text.slice(tile.valueRange.start, tile.valueRange.end), '128');
});

test('malformed tilecast annotations are reported, well-formed ones are not', async () => {
  const analysis = await analyze('import triton\n# tilecast: M=abc dtype=fp7 Q=3\n# tilecast: M=64 N=64 K=64 dtype=bf16\n');
  const messages = analysis.problems.map((problem) => problem.message);
  assert.equal(messages.length, 3, messages.join('; '));
  assert.ok(messages.some((message) => message.includes("'abc'")));
  assert.ok(messages.some((message) => message.includes("'fp7'")));
  assert.ok(messages.some((message) => message.includes("'Q=3'")));
});

test('Triton defaults apply when a launch sets no num_warps: 4 warps, 3 stages', async () => {
  const text = 'import triton\nimport triton.language as tl\n@triton.jit\ndef k(x, BLOCK: tl.constexpr):\n    pass\nk[(2,)](1, BLOCK=8)\n';
  const [launch] = (await analyze(text)).launches;
  assert.equal(launch.numWarps, 4);
  assert.equal(launch.numStages, 3);
  assert.deepEqual(launch.block, [128, 1, 1]);
  assert.equal(launch.metaSource, 'launch-kwargs');
  assert.deepEqual(launch.metaParams, { BLOCK: 8 });
});

const fixtureDirectory = join(__dirname, 'fixtures', 'triton');

test('never throws and never reports an internal error on truncated or mangled fixtures', async () => {
  const p = await parser();
  const names = readdirSync(fixtureDirectory).filter((name) => name.endsWith('.py'));
  assert.ok(names.length >= 12);
  let runs = 0;
  for (const name of names) {
    const source = readFileSync(join(fixtureDirectory, name), 'utf8');
    const variants: string[] = [];
    for (let cut = 0; cut < source.length; cut += Math.max(1, Math.floor(source.length / 23))) variants.push(source.slice(0, cut));
    // Deterministic mangling: drop every 7th bracket, then every 5th colon.
    let seen = 0;
    variants.push(source.replace(/[()[\]]/g, (match) => (++seen % 7 === 0 ? '' : match)));
    variants.push(source.replace(/:/g, (match) => (++seen % 5 === 0 ? '' : match)));
    for (const text of variants) {
      const tree = p.parse(text)!;
      const analysis = analyzeTritonTree(tree.rootNode, text, DEFAULT_ANALYSIS_OPTIONS);
      tree.delete();
      runs++;
      const internal = analysis.problems.filter((problem) => problem.message.startsWith('internal error'));
      assert.deepEqual(internal, [], `${name}: ${internal.map((problem) => problem.message).join('; ')}`);
      for (const item of [
        ...analysis.kernels.map((kernel) => kernel.range),
        ...analysis.launches.map((launch) => launch.range),
        ...analysis.problems.map((problem) => problem.range),
      ]) {
        assert.ok(item.start >= 0 && item.end <= text.length && item.start <= item.end, `${name}: range out of bounds`);
      }
    }
  }
  assert.ok(runs > 200);
});

test('pathological input stays bounded: deep nesting and a large generated file', async () => {
  const deep = `import triton\nx = ${'('.repeat(400)}1${')'.repeat(400)}\n`;
  await analyze(deep);
  const kernels = Array.from({ length: 150 }, (_, i) =>
    [
      '@triton.jit',
      `def k${i}(a, b, c, K, BLOCK_K: tl.constexpr = ${16 * ((i % 4) + 1)}):`,
      '    acc = tl.zeros((16, 16), dtype=tl.float32)',
      '    for k in range(0, tl.cdiv(K, BLOCK_K)):',
      '        acc += tl.dot(tl.load(a), tl.load(b))',
      `k${i}[(triton.cdiv(4096, 64), 4)](1, 2, 3, 4096)`,
    ].join('\n'),
  ).join('\n');
  const started = Date.now();
  const analysis = await analyze(`import triton\nimport triton.language as tl\n${kernels}\n`);
  assert.equal(analysis.kernels.length, 150);
  assert.equal(analysis.launches.length, 150);
  assert.deepEqual(analysis.launches[0].grid, [64, 4, 1]);
  assert.equal(analysis.kernels[3].tileLoops[0].stride?.value, 64);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

test('after an incremental edit through SourceDocument, the grid follows the edited config', async () => {
  const grammars = await loadGrammars();
  const text = [
    'import torch, triton',
    'import triton.language as tl',
    "@triton.autotune(configs=[triton.Config({'BLOCK_M': 128}, num_warps=8)], key=['M'])",
    '@triton.jit',
    'def k(x_ptr, M, BLOCK_M: tl.constexpr):',
    '    pass',
    'def run():',
    '    x = torch.empty(1000, device="cuda")',
    "    k[lambda META: (triton.cdiv(1000, META['BLOCK_M']),)](x, 1000)",
    '',
  ].join('\n');
  const document = new SourceDocument(grammars, 'triton', text);
  try {
    // cdiv(1000, 128) = 8; after the edit, cdiv(1000, 64) = 16.
    assert.deepEqual(document.analyze(DEFAULT_ANALYSIS_OPTIONS).launches[0].grid, [8, 1, 1]);
    const at = text.indexOf("'BLOCK_M': 128") + "'BLOCK_M': ".length;
    document.applyEdit({ start: at, end: at + 3, newText: '64' });
    const analysis = document.analyze(DEFAULT_ANALYSIS_OPTIONS);
    assert.deepEqual(analysis.launches[0].grid, [16, 1, 1]);
    assert.equal(analysis.kernels[0].configs[0].params.BLOCK_M, 64);
    assert.deepEqual(analysis.launches[0].block, [256, 1, 1]);
  } finally {
    document.dispose();
  }
});

test('a launch refers to the kernel defined in its own function when names repeat', async () => {
  const text = [
    'import triton',
    'import triton.language as tl',
    'def widen(x):',
    '    @triton.jit',
    '    def kernel(Y, X, N, BLOCK_SIZE: tl.constexpr):',
    '        tl.store(Y, tl.load(X).to(tl.float16))',
    '    kernel[(1,)](x, x, 8, BLOCK_SIZE=1024)',
    'def narrow(x):',
    '    @triton.jit',
    '    def kernel(Y, X, N, BLOCK: tl.constexpr):',
    '        tl.store(Y, tl.load(X).to(tl.float8e5))',
    '    kernel[(2,)](x, x, 8, BLOCK=64)',
    '',
  ].join('\n');
  const analysis = await analyze(text);
  assert.equal(analysis.kernels.length, 2);
  // Each launch's keyword is a meta-parameter only of the kernel in its own function.
  assert.deepEqual(
    analysis.launches.map((launch) => launch.metaParams),
    [{ BLOCK_SIZE: 1024 }, { BLOCK: 64 }],
  );
  // Without tensors, the launch dtype is the dtype of the kernel it refers to.
  assert.deepEqual(
    analysis.launches.map((launch) => launch.problem.dtype),
    ['fp16', 'fp8'],
  );
});

test('the problem source says where the assumed values came from, not where the dtype did', async () => {
  const source = (annotation: string) =>
    [
      'import torch',
      'import triton',
      'import triton.language as tl',
      '@triton.jit',
      'def mm(a_ptr, b_ptr, c_ptr, M, N, K, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):',
      '    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)',
      '    for k in range(0, K, BLOCK_K):',
      '        acc += tl.dot(tl.load(a_ptr), tl.load(b_ptr))',
      'def run(a, b, M, N, K):',
      '    c = torch.empty((M, N), device="cuda", dtype=torch.float16)',
      annotation,
      '    mm[(triton.cdiv(M, 64) * triton.cdiv(N, 64), )](a, b, c, M, N, K, BLOCK_M=64, BLOCK_N=64, BLOCK_K=32)',
    ].join('\n');
  const cases: Array<[string, string, string[]]> = [
    ['    pass', 'default', ['m', 'n', 'k']],
    ['    # tilecast: M=512 N=256 K=128', 'annotation', ['m', 'n', 'k']],
    ['    # tilecast: M=512', 'mixed', ['m', 'n', 'k']],
  ];
  for (const [annotation, expected, assumed] of cases) {
    const problem = (await analyze(source(annotation))).launches[0]!.problem;
    assert.equal(problem.dtype, 'fp16', `${annotation}: dtype from the fp16 tensor passed in`);
    assert.deepEqual(problem.assumed, assumed, annotation);
    assert.equal(problem.source, expected, annotation);
  }
});

/** The values of the expressions marked «like this» in `marked`, each read where it stands (ScopeSet.scopeFor). */
async function valuesInPlace(marked: string): Promise<unknown[]> {
  const marks: Array<[number, number]> = [];
  // Each earlier mark took two characters out of the text before this one.
  const text = marked.replace(/«([^»]*)»/g, (_, inside: string, offset: number) => {
    const start = offset - 2 * marks.length;
    marks.push([start, start + inside.length]);
    return inside;
  });
  const tree = (await parser()).parse(text)!;
  const scopes = new ScopeSet(tree.rootNode, new Evaluator(collectImports(tree.rootNode)));
  const values = marks.map(([start, end]) => {
    const node = tree.rootNode.descendantForIndex(start, end - 1)!;
    return plain(scopes.evaluator.evaluate(node, scopes.scopeFor(node)));
  });
  tree.delete();
  return values;
}

const TRITON_GEMM_KERNEL = [
  '@triton.jit',
  'def mm(a_ptr, b_ptr, c_ptr, M, N, K, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):',
  '    acc = tl.zeros((BM, BN), dtype=tl.float32)',
  '    for k in range(0, K, BK):',
  '        acc += tl.dot(tl.load(a_ptr), tl.load(b_ptr))',
  '    tl.store(c_ptr, acc)',
].join('\n');

test('triton and tl re-exported by another package (vLLM: from vllm.triton_utils import tl, triton) are Triton', async () => {
  const analysis = await analyze(
    [
      'from vllm.triton_utils import tl, triton',
      TRITON_GEMM_KERNEL,
      'mm[(triton.cdiv(1024, 128), triton.cdiv(256, 64))](a, b, c, 1024, 256, 512, BM=128, BN=64, BK=32)',
    ].join('\n'),
  );
  assert.deepEqual(
    analysis.kernels.map((kernel) => `${kernel.name} ${kernel.tensorCores}`),
    ['mm tl-dot'],
  );
  assert.deepEqual(analysis.launches[0]?.grid, [8, 4, 1]);
  const tableOf = async (source: string) => {
    const tree = (await parser()).parse(source)!;
    const table = Object.fromEntries(collectImports(tree.rootNode));
    tree.delete();
    return table;
  };
  // Aliases and the other import forms follow the name the other module exports.
  assert.deepEqual(
    await tableOf(
      'from vllm.triton_utils import triton as tr, tl as language\nimport pkg.compat.triton as triton\nfrom .my_triton import tl\nimport triton.language as lang',
    ),
    { tr: 'triton', language: 'triton.language', triton: 'triton', tl: 'triton.language', lang: 'triton.language' },
  );
  // Kept narrow: `tl` from a module that does not mention triton, or a module merely named like triton, is not Triton.
  assert.deepEqual(await tableOf('from helpers import tl\nimport triton_shim as triton\nfrom vllm.triton_utils import language'), {
    tl: 'helpers.tl',
    triton: 'triton_shim',
    language: 'vllm.triton_utils.language',
  });
});

test('tensor.to(dtype) with a dtype that does not fold makes the dtype unknown; device arguments keep it', async () => {
  const prelude = [
    'import sys, torch',
    'dtype = torch.float8_e4m3fn if sys.argv[1] == "fp8" else torch.bfloat16',
    'a = torch.randn((64, 32), device="cuda", dtype=torch.float16)',
    'w = torch.randn((32, 16), device="cuda", dtype=torch.bfloat16)',
  ].join('\n');
  const cases: Array<[string, string | null]> = [
    ['a.to(dtype)', null],
    ['a.to(dtype=dtype)', null],
    ['a.to(a.device, dtype)', null],
    ['a.to(DEVICE)', 'fp16'],
    ['a.to(a.device)', 'fp16'],
    ['a.to("cuda", non_blocking=True)', 'fp16'],
    ['a.to(dtype=None)', 'fp16'],
    ['a.to("cuda", torch.float8_e5m2)', 'fp8'],
    ['a.to(w)', 'bf16'],
  ];
  for (const [call, dtype] of cases) assert.deepEqual(plain(await valueOf(`${prelude}\nx = ${call}`)), { shape: [64, 32], dtype }, call);
  // At a launch, the operands' run-time dtype is assumed, not read as the dtype they had before `.to`.
  const launch = (
    await analyze(
      [
        'import sys, torch, triton',
        'import triton.language as tl',
        TRITON_GEMM_KERNEL,
        'def run(dtype):',
        '    a = torch.randn((4096, 4096), device="cuda", dtype=torch.float16).to(dtype)',
        '    b = torch.randn((4096, 4096), device="cuda", dtype=torch.float16).to(dtype)',
        '    c = torch.empty_like(a)',
        '    mm[(32, 32)](a, b, c, 4096, 4096, 4096, BM=128, BN=128, BK=64)',
        'run(torch.float8_e4m3fn if sys.argv[1] == "fp8" else torch.bfloat16)',
      ].join('\n'),
    )
  ).launches[0]!;
  assert.deepEqual(launch.problem.assumed, ['dtype']);
});

test("a lambda's parameters hide the names around it where its body is read: unknown, or their default", async () => {
  assert.deepEqual(await valuesInPlace('a = 5\nb = 7\nf = lambda a, c=b: «(a, c, b)»\ng = lambda: «a»\nx = f(1)'), [['unknown', 7, 7], 5]);
  // A call the evaluator makes itself still binds the arguments.
  assert.equal(plain(await valueOf('a = 5\nf = lambda a: a * 2\nx = f(21)')), 42);
  // `bench(lambda a, b: matmul(a, b))` does not size the launch in matmul from the module's `a` and `b`.
  const launch = (
    await analyze(
      [
        'import torch, triton',
        'import triton.language as tl',
        TRITON_GEMM_KERNEL,
        'def matmul(a, b):',
        '    M, K = a.shape',
        '    K, N = b.shape',
        '    c = torch.empty((M, N), device=a.device, dtype=a.dtype)',
        '    mm[(triton.cdiv(M, 128), triton.cdiv(N, 128))](a, b, c, M, N, K, BM=128, BN=128, BK=64)',
        'def bench(fn): return fn(torch.randn((512, 512), device="cuda"), torch.randn((512, 512), device="cuda"))',
        'a = torch.randn((8192, 8192), device="cuda", dtype=torch.float16)',
        'b = torch.randn((8192, 8192), device="cuda", dtype=torch.float16)',
        'bench(lambda a, b: matmul(a, b))',
      ].join('\n'),
    )
  ).launches[0]!;
  assert.notEqual(launch.problem.m, 8192);
  assert.deepEqual(launch.problem.assumed, ['m', 'n', 'k', 'dtype']);
});

test('filter and map apply a lambda or a helper function to each item; a predicate that does not fold leaves the result unknown', async () => {
  assert.deepEqual(plain(await valueOf('x = list(filter(lambda v: v % 2 == 0, range(6)))')), [0, 2, 4]);
  assert.deepEqual(plain(await valueOf('def keep(v):\n    return v > 1\nx = list(filter(keep, [1, 2, 3]))')), [2, 3]);
  assert.deepEqual(plain(await valueOf('x = list(filter(None, [0, 1, "", "s"]))')), [1, 's']);
  assert.deepEqual(plain(await valueOf('x = list(map(lambda a, b: a * b, [1, 2, 3], (4, 5)))')), [4, 10]);
  assert.deepEqual(plain(await valueOf('def twice(v):\n    return 2 * v\nx = [v + 1 for v in map(twice, [1, 2])]')), [3, 5]);
  assert.equal(plain(await valueOf('x = list(filter(lambda v: v < M, [1, 2]))')), 'unknown');
  assert.equal(plain(await valueOf('x = list(filter(str.isdigit, ["1", "a"]))')), 'unknown');
  // Triton's fused-attention tutorial prunes its autotune list this way.
  const analysis = await analyze(
    [
      'import triton',
      'import triton.language as tl',
      "configs = [triton.Config({'BM': bm, 'BN': 64, 'BK': 32}, num_warps=w) for bm in [64, 128] for w in [4, 8]]",
      'def keep(conf):',
      '    return not (conf.kwargs["BM"] == 64 and conf.num_warps == 8)',
      '@triton.autotune(configs=list(filter(keep, configs)), key=["M"])',
      TRITON_GEMM_KERNEL,
    ].join('\n'),
  );
  assert.deepEqual(
    analysis.kernels[0]!.configs.map((config) => `BM=${config.params.BM} num_warps=${config.numWarps}`),
    ['BM=64 num_warps=4', 'BM=128 num_warps=4', 'BM=128 num_warps=8'],
  );
  assert.deepEqual(analysis.problems, []);
});
