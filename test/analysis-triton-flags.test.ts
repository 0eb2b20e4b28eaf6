// Triton values that are not what they first look like: constexpr flags, strings and dtypes are not tile
// parameters; a helper's `if` whose condition does not fold gives what both branches give (not the
// first's); a legality verdict that rests on an assumed dtype says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parser } from 'web-tree-sitter';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { Evaluator } from '../server/src/analysis/triton/evaluate';
import { collectImports, ScopeSet } from '../server/src/analysis/triton/scopes';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions, type FileAnalysis } from '../server/src/analysis/types';
import { findGpu } from '../server/src/perf/gpu-catalogue';
import * as api from '../server/src/ide/api';
import { DEFAULT_SETTINGS } from '../server/src/ide/protocol';
import { fakePredictor } from './ide-harness';

async function analyze(text: string, options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS): Promise<FileAnalysis> {
  return analyzeSource(await loadGrammars(), 'triton', text, options);
}

/** A GEMM kernel `name` with the given constexpr parameters (after the tile sizes) and `loads` reading A and B. */
const kernel = (name: string, extra = '', loads = 'a = tl.load(a_ptr)\n        b = tl.load(b_ptr)', decorators = '') => `
${decorators}@triton.jit
def ${name}(a_ptr, b_ptr, c_ptr, M, N, K, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr${extra}):
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, K, BLOCK_K):
        ${loads}
        acc += tl.dot(a, b)
    tl.store(c_ptr, acc)
`;

const HEADER = 'import torch\nimport triton\nimport triton.language as tl\n';

const tileNames = (analysis: FileAnalysis) => analysis.tileParams.map((p) => `${p.name}:${p.origin}`).sort();

test('flags, strings and dtypes set at configs, defaults and launches are not tile parameters; numeric constexprs are', async () => {
  const source = `${HEADER}
FLAG = torch.cuda.is_available()
${kernel(
  'mm',
  ', EVEN_K: tl.constexpr, ACT: tl.constexpr, HAS_BIAS: tl.constexpr = False, DTYPE: tl.constexpr = tl.float16, USE_TMA: tl.constexpr = FLAG, IS_SPLIT: tl.constexpr = 1, GROUP_M: tl.constexpr = 8',
  undefined,
  `@triton.autotune(configs=[triton.Config({'BLOCK_M': 128, 'BLOCK_N': 64, 'BLOCK_K': 32, 'EVEN_K': True, 'ACT': "leaky_relu", 'USE_TMA': 0}, num_warps=4, num_stages=3)], key=['M'])\n`,
)}
${kernel('mm2', ', EVEN_K: tl.constexpr, USE_TMA: tl.constexpr, HAS_BIAS: tl.constexpr, ACTIVATION: tl.constexpr')}

def run(a, b, c, bias, use_tma, activation):
    M, K = a.shape
    N = b.shape[1]
    mm[(triton.cdiv(M, 128),)](a, b, c, M, N, K)
    mm2[(triton.cdiv(M, 64),)](a, b, c, M, N, K, BLOCK_M=64, BLOCK_N=64, BLOCK_K=32, EVEN_K=K % 32 == 0, USE_TMA=use_tma,
                               HAS_BIAS=(bias is not None), ACTIVATION=activation, num_warps=4)
`;
  const analysis = await analyze(source);
  assert.deepEqual(tileNames(analysis), [
    'BLOCK_K:launch-kwarg',
    'BLOCK_K:triton-config',
    'BLOCK_M:launch-kwarg',
    'BLOCK_M:triton-config',
    'BLOCK_N:launch-kwarg',
    'BLOCK_N:triton-config',
    'GROUP_M:triton-constexpr',
    'num_stages:triton-config',
    'num_warps:launch-kwarg',
    'num_warps:triton-config',
  ]);
  // The launch still passes the flags to the kernel (META for the grid); they are only not tiles.
  assert.ok('EVEN_K' in analysis.launches[1]!.metaParams && 'HAS_BIAS' in analysis.launches[1]!.metaParams);
  // An `activation` the code does not fold is still not offered as a tile in the editor.
  const reports = api.buildReports({
    text: source,
    analysis,
    gpus: [findGpu('rtx-4090')!],
    settings: DEFAULT_SETTINGS,
    predictor: fakePredictor({ centre: 128 }),
    modelError: null,
  });
  const at = source.indexOf('USE_TMA=use_tma');
  const titles = api.codeActionsAt(reports, { start: at, end: at + 'USE_TMA=use_tma'.length }, []).map((action) => action.title);
  assert.ok(!titles.some((title) => /USE_TMA|EVEN_K|HAS_BIAS|ACTIVATION/.test(title)), titles.join('\n'));
});

/** The configs of `source`'s first kernel as `BLOCK_M×BLOCK_N×BLOCK_K/warps/stages` strings. */
async function configsOf(source: string): Promise<string[]> {
  const analysis = await analyze(source);
  return analysis.kernels[0]!.configs.map((c) => `${c.params.BLOCK_M}×${c.params.BLOCK_N}×${c.params.BLOCK_K}/${c.numWarps}/${c.numStages}`);
}

const autotuned = (configs: string) => kernel('mm', '', undefined, `@triton.autotune(configs=${configs}, key=['M'])\n`);
const BIG = "triton.Config({'BLOCK_M': 128, 'BLOCK_N': 256, 'BLOCK_K': 64}, num_stages=3, num_warps=8)";
const SMALL = "triton.Config({'BLOCK_M': 64, 'BLOCK_N': 64, 'BLOCK_K': 32}, num_stages=4, num_warps=4)";

test("a helper's condition that does not fold gives both branches' configs, not the first branch's", async () => {
  const ifElse = `${HEADER}
def get_configs():
    if torch.cuda.get_device_capability()[0] >= 9:
        return [${BIG}]
    else:
        return [${SMALL}]
${autotuned('get_configs()')}`;
  assert.deepEqual(await configsOf(ifElse), ['128×256×64/8/3', '64×64×32/4/4']);

  // An early return, then the rest of the function: either may be the result.
  const earlyReturn = `${HEADER}
def get_configs():
    major, _ = torch.cuda.get_device_capability()
    if major >= 9:
        return [${BIG}]
    return [${SMALL}]
${autotuned('get_configs()')}`;
  assert.deepEqual(await configsOf(earlyReturn), ['128×256×64/8/3', '64×64×32/4/4']);

  // Lists built on both paths (assignments in the branches, appends after): the union, each config once.
  const built = `${HEADER}
def get_configs():
    configs = [${SMALL}]
    if torch.cuda.get_device_capability()[0] < 9:
        configs = configs + []
    else:
        configs.append(${BIG})
    return configs
${autotuned('get_configs()')}`;
  assert.deepEqual(await configsOf(built), ['64×64×32/4/4', '128×256×64/8/3']);

  // A branch that raises gives nothing: the other branch's configs.
  const raises = `${HEADER}
def get_configs():
    if torch.cuda.get_device_capability()[0] >= 8:
        return [${BIG}]
    raise RuntimeError("needs Ampere")
${autotuned('get_configs()')}`;
  assert.deepEqual(await configsOf(raises), ['128×256×64/8/3']);
});

test("backend checks are decided for NVIDIA: the tutorial's is_cuda() takes the CUDA configs, != and not turn the wording", async () => {
  const tutorial = (condition: string) => `${HEADER}
def is_cuda():
    return triton.runtime.driver.active.get_current_target().backend == "cuda"


def is_hip():
    return triton.runtime.driver.active.get_current_target().backend == "hip"


def get_configs():
    if ${condition}:
        return [${BIG}]
    else:
        return [${SMALL}]
${autotuned('get_configs()')}`;
  assert.deepEqual(await configsOf(tutorial('is_cuda()')), ['128×256×64/8/3']);
  assert.deepEqual(await configsOf(tutorial('not is_hip()')), ['128×256×64/8/3']);
  assert.deepEqual(await configsOf(tutorial('is_hip()')), ['64×64×32/4/4']);
  assert.deepEqual(await configsOf(tutorial('triton.runtime.driver.active.get_current_target().backend != "cuda"')), ['64×64×32/4/4']);
  // A backend check and an unknown one: `and` is as unknown as its unknown part; a false part decides.
  assert.deepEqual(await configsOf(tutorial('is_cuda() and torch.cuda.get_device_capability()[0] >= 9')), ['128×256×64/8/3', '64×64×32/4/4']);
  assert.deepEqual(await configsOf(tutorial('is_hip() and torch.cuda.get_device_capability()[0] >= 9')), ['64×64×32/4/4']);
});

test('a number that differs between the branches of an unknown condition is unknown, one they agree on is kept', async () => {
  const valueOf = async (source: string, name: string) => {
    const { python } = await loadGrammars();
    const parser = new Parser();
    parser.setLanguage(python);
    const tree = parser.parse(source)!;
    const scopes = new ScopeSet(tree.rootNode, new Evaluator(collectImports(tree.rootNode)));
    const value = scopes.module.lookup(name, Number.MAX_SAFE_INTEGER);
    tree.delete();
    return value.kind === 'number' ? value.value : value.kind;
  };
  const helper = (other: number) => `${HEADER}
def block_m():
    if torch.cuda.get_device_capability()[0] >= 9:
        return 128
    return ${other}

x = block_m()
`;
  assert.equal(await valueOf(helper(64), 'x'), 'unknown');
  assert.equal(await valueOf(helper(128), 'x'), 128);
});

test("sizes unpacked from a shape's slice (`a.shape[-2:]`, `q.shape[:3]`) or around a starred target (`*batch, M, K = a.shape`) fold", async () => {
  const launcher = (unpack: string) => `${HEADER}
@triton.jit
def mm(a_ptr, b_ptr, c_ptr, M, N, K, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    acc = tl.dot(tl.load(a_ptr), tl.load(b_ptr))
    tl.store(c_ptr, acc)


def run(a, b, c):
    ${unpack}
    N = b.shape[-1]
    mm[(triton.cdiv(M, 64), triton.cdiv(N, 64))](a, b, c, M, N, K, BLOCK_M=64, BLOCK_N=64, BLOCK_K=32)


a = torch.randn((2, 8, 512, 256), device="cuda", dtype=torch.float16)
b = torch.randn((256, 384), device="cuda", dtype=torch.float16)
run(a, b, a)
`;
  for (const unpack of ['M, K = a.shape[-2:]', '*batch, M, K = a.shape', '_, _, M, K = a.shape[::1]', 'M, K = a.shape[2:4]', 'K, M = a.shape[:-3:-1]']) {
    const problem = (await analyze(launcher(unpack))).launches[0]!.problem;
    assert.deepEqual([problem.m, problem.n, problem.k], [512, 384, 256], unpack);
  }
});

/** Editor reports of `source` on `gpus` (fake predictor). */
async function reportsOf(source: string, gpus: string[], options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS) {
  const analysis = await analyze(source, options);
  return api.buildReports({
    text: source,
    analysis,
    gpus: gpus.map((id) => findGpu(id)!),
    settings: DEFAULT_SETTINGS,
    predictor: fakePredictor({ centre: 128 }),
    modelError: null,
  });
}

const ASSUMED = /assumed \(the dtype is not in the code\)/;

test('an illegal verdict that rests on an assumed dtype says so; one on a dtype in the code does not', async () => {
  const launch = (loads?: string) => `${HEADER}${kernel('mm', '', loads)}

def run(a, b, c, M, N, K):
    mm[(triton.cdiv(M, 256), triton.cdiv(N, 256))](a, b, c, M, N, K, BLOCK_M=256, BLOCK_N=256, BLOCK_K=128, num_stages=5, num_warps=8)
`;
  const smem = (reports: api.DocumentReports) => api.diagnosticsOf(reports).filter((d) => d.code === 'triton-smem-over-limit');

  const unknown = await reportsOf(launch(), ['rtx-4090']);
  assert.ok(unknown.reports[0]!.assumed.includes('dtype'));
  const found = smem(unknown);
  assert.equal(found.length, 1, 'the verdict stands');
  assert.match(found[0]!.message, /pipelined shared memory .* > 99 KiB \(per-block maximum\), with fp32 assumed \(the dtype is not in the code\)/);
  assert.match(unknown.reports[0]!.on(findGpu('rtx-4090')!)!.issues[0]!.message, ASSUMED, 'the hover and chart read the same message');

  const fp16 = await reportsOf(launch('a = tl.load(a_ptr).to(tl.float16)\n        b = tl.load(b_ptr).to(tl.float16)'), ['rtx-4090']);
  assert.ok(!fp16.reports[0]!.assumed.includes('dtype'));
  const known = smem(fp16);
  assert.equal(known.length, 1);
  assert.doesNotMatch(known[0]!.message, /assumed/);
});

test('a tensor-core instruction verdict from an assumed dtype says so; tile candidates refused by it too', async () => {
  const source = `${HEADER}${kernel('mm')}

def run(a, b, c, M, N, K):
    mm[(triton.cdiv(M, 64), triton.cdiv(N, 64))](a, b, c, M, N, K, BLOCK_M=64, BLOCK_N=64, BLOCK_K=32, num_stages=2, num_warps=4)
`;
  const bf16 = { defaultProblem: { ...DEFAULT_ANALYSIS_OPTIONS.defaultProblem, dtype: 'bf16' as const } };
  const reports = await reportsOf(source, ['t4'], bf16);
  const instruction = api.diagnosticsOf(reports).filter((d) => d.code === 'instruction-unsupported');
  assert.equal(instruction.length, 1);
  assert.match(instruction[0]!.message, /bf16 tensor-core instructions need cc ≥ 8\.0; .*, with bf16 assumed \(the dtype is not in the code\)/);

  // The hover's neighbouring BLOCK_K values: a larger one that no longer fits is refused with the same caveat.
  const large = `${HEADER}${kernel('mm')}

def run(a, b, c, M, N, K):
    mm[(triton.cdiv(M, 128), triton.cdiv(N, 128))](a, b, c, M, N, K, BLOCK_M=128, BLOCK_N=128, BLOCK_K=64, num_stages=4, num_warps=4)
`;
  const hover = api.hoverAt(await reportsOf(large, ['t4']), large.indexOf('BLOCK_K=64') + 'BLOCK_K='.length);
  const refused = (hover?.markdown ?? '').split('\n').filter((line) => line.includes('pipelined shared memory'));
  assert.ok(refused.length > 0, hover?.markdown);
  for (const line of refused) assert.match(line, ASSUMED);
});

test('a binding in an if branch counts when the branch runs: a backend check picks its branch at module level, an unknown one joins with the binding before it', async () => {
  const moduleLevel = (condition: string, elseBranch = `\nelse:\n    configs = [${SMALL}]`) => `${HEADER}
def is_cuda():
    return triton.runtime.driver.active.get_current_target().backend == "cuda"


if ${condition}:
    configs = [${BIG}]${elseBranch}
${autotuned('configs')}`;
  // The else branch is the last binding; it does not run on NVIDIA.
  assert.deepEqual(await configsOf(moduleLevel('is_cuda()')), ['128×256×64/8/3']);
  assert.deepEqual(await configsOf(moduleLevel('not is_cuda()')), ['64×64×32/4/4']);
  // Unknown: both branches' configs, the first branch's first, as the interpreter joins a helper's branches.
  assert.deepEqual(await configsOf(moduleLevel('HAS_TMA')), ['128×256×64/8/3', '64×64×32/4/4']);
  // Bound on one path only: that path's value.
  assert.deepEqual(await configsOf(moduleLevel('HAS_TMA', '')), ['128×256×64/8/3']);
  // A tensor cast under a benchmark's `if` keeps its shape and loses its dtype: not fp8 for every mode.
  const cast = await analyze(`${HEADER}${kernel('mm')}

def bench(provider):
    a = torch.randn((1024, 512), device="cuda", dtype=torch.float16)
    if provider == "fp8":
        a = a.to(torch.float8_e5m2)
    b = torch.randn((512, 256), device="cuda", dtype=torch.float16)
    c = torch.empty((1024, 256), device="cuda", dtype=torch.float16)
    mm[(8, 4)](a, b, c, 1024, 256, 512, BLOCK_M=128, BLOCK_N=64, BLOCK_K=32)
`);
  const problem = cast.launches[0]!.problem;
  assert.deepEqual([problem.m, problem.n, problem.k], [1024, 256, 512]);
  assert.notEqual(problem.dtype, 'fp8');
});
