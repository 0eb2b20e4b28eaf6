// Reuse of a Triton file's per-kernel and per-launch results between analyses (server/src/analysis/triton/
// reuse.ts): after any edit the document's analysis equals a cold analysis of the same text, whatever the
// edit touched (a kernel, a helper it calls, a module constant, the configs it is tuned over, the caller
// that sizes its launch, an annotation, the order of statements); and results nothing read are reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { SourceDocument } from '../server/src/analysis/document';
import { analyzeSource } from '../server/src/analysis/index';
import { generateTritonBenchFile } from '../bench/lsp-workload-triton';

/** A file whose kernels and launches read across statements: each edit below changes one thing they read. */
const CONNECTED = `import torch
import triton
import triton.language as tl

BLOCK = 64
DEFAULT_K = 32

configs = [triton.Config({'BLOCK_M': 128, 'BLOCK_N': 128}, num_warps=8)]
configs.append(triton.Config({'BLOCK_M': 64, 'BLOCK_N': 64}, num_warps=4))


@triton.jit
def dot_helper(a, b, acc):
    return tl.dot(a, b, acc)


# tilecast: dtype=fp16
@triton.autotune(configs=configs, key=['M'])
@triton.jit
def tuned(a_ptr, b_ptr, c_ptr, M, N, K, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr = DEFAULT_K):
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, tl.cdiv(K, BLOCK_K)):
        a = tl.load(a_ptr)
        b = tl.load(b_ptr)
        acc = dot_helper(a, b, acc)
    tl.store(c_ptr, acc)


@triton.jit
def plain(a_ptr, b_ptr, c_ptr, M, N, K, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, tl.cdiv(K, BLOCK_K)):
        acc += tl.dot(tl.load(a_ptr), tl.load(b_ptr))
    tl.store(c_ptr, acc)


def run_tuned(a, b):
    M, K = a.shape
    K, N = b.shape
    c = torch.empty((M, N), device=a.device, dtype=torch.float16)
    grid = lambda META: (triton.cdiv(M, META['BLOCK_M']) * triton.cdiv(N, META['BLOCK_N']),)
    tuned[grid](a, b, c, M, N, K)
    return c


def run_plain(a, b):
    M, K = a.shape
    K, N = b.shape
    c = torch.empty((M, N), device=a.device, dtype=torch.float16)
    plain[(triton.cdiv(M, BLOCK) * triton.cdiv(N, BLOCK),)](a, b, c, M, N, K, BLOCK_M=BLOCK, BLOCK_N=BLOCK, BLOCK_K=DEFAULT_K)
    return c


def main():
    a = torch.randn((1024, 512), device='cuda', dtype=torch.float16)
    b = torch.randn((512, 2048), device='cuda', dtype=torch.float16)
    run_tuned(a, b)
    run_plain(a, b)
`;

/** Edits of CONNECTED, each of something a kernel or launch elsewhere reads: [what, find, replace]. */
const EDITS: Array<[string, string, string]> = [
  ['a module constant a launch folds', 'BLOCK = 64', 'BLOCK = 128'],
  ['a module constant a constexpr default reads', 'DEFAULT_K = 32', 'DEFAULT_K = 16'],
  ['the configs list', "'BLOCK_M': 128, 'BLOCK_N': 128}, num_warps=8", "'BLOCK_M': 256, 'BLOCK_N': 128}, num_warps=8"],
  ['a statement growing the configs list', "configs.append(triton.Config({'BLOCK_M': 64", "configs.append(triton.Config({'BLOCK_M': 32"],
  ['the helper holding the tl.dot', '    return tl.dot(a, b, acc)', '    return acc'],
  ['the annotation above a kernel', '# tilecast: dtype=fp16', '# tilecast: dtype=bf16'],
  ['the caller that sizes the launches', 'torch.randn((1024, 512)', 'torch.randn((4096, 512)'],
  ['a caller of the wrapper', '    run_plain(a, b)\n', ''],
  ['the name of a launched kernel', 'def plain(', 'def plain2('],
  ['a new binding of a constant later in the file', 'def main():', 'BLOCK = 32\n\n\ndef main():'],
];

test('after each edit of something read across statements, the document analyses as a cold analysis of its text', async () => {
  const grammars = await loadGrammars();
  const document = new SourceDocument(grammars, 'triton', CONNECTED);
  const cold = analyzeSource(grammars, 'triton', CONNECTED);
  assert.deepEqual(document.analyze(), cold);
  assert.ok(cold.launches.length === 2 && cold.kernels.length === 2, 'both kernels and launches are read');
  let text = CONNECTED;
  for (const [what, find, replace] of EDITS) {
    const at = text.indexOf(find);
    assert.ok(at >= 0, what);
    for (const [start, end, newText] of [
      [at, at + find.length, replace],
      [at, at + replace.length, find],
    ] as const) {
      document.applyEdit({ start, end, newText });
      text = text.slice(0, start) + newText + text.slice(end);
      const expected = analyzeSource(grammars, 'triton', text);
      assert.deepEqual(document.analyze(), expected, `${what}: ${JSON.stringify(newText.slice(0, 40))}`);
    }
  }
  document.dispose();
});

test('moving a statement past another (cut and paste) analyses as a cold analysis', async () => {
  const grammars = await loadGrammars();
  const document = new SourceDocument(grammars, 'triton', CONNECTED);
  document.analyze();
  const statement = 'DEFAULT_K = 32\n';
  const at = CONNECTED.indexOf(statement);
  document.applyEdit({ start: at, end: at + statement.length, newText: '' });
  document.analyze();
  let text = CONNECTED.slice(0, at) + CONNECTED.slice(at + statement.length);
  const to = text.indexOf('def main():');
  document.applyEdit({ start: to, end: to, newText: statement });
  text = text.slice(0, to) + statement + text.slice(to);
  assert.deepEqual(document.analyze(), analyzeSource(grammars, 'triton', text));
  document.dispose();
});

test('random typing into Triton files analyses as cold after every keystroke', async () => {
  const grammars = await loadGrammars();
  const dir = join(__dirname, 'fixtures', 'triton');
  const texts = [
    CONNECTED,
    generateTritonBenchFile(700, 4).text,
    ...readdirSync(dir)
      .filter((n) => n.endsWith('.py'))
      .map((n) => readFileSync(join(dir, n), 'utf8')),
  ];
  let seed = 20261208;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pieces = ['x', '1', ' ', '\n', '(', ')', ':', 'BLOCK', '= 64', '    ', '#', 'tl.dot(a, b)', '\n\n@triton.jit\n', 'def f():\n    return 1\n'];
  let checks = 0;
  for (const original of texts) {
    const document = new SourceDocument(grammars, 'triton', original);
    document.analyze();
    let text = original;
    for (let k = 0; k < 12; k++) {
      const at = Math.floor(random() * (text.length + 1));
      const remove = random() < 0.3 ? Math.floor(random() * 40) : 0;
      const newText = remove > 0 && random() < 0.5 ? '' : pieces[Math.floor(random() * pieces.length)]!;
      const end = Math.min(text.length, at + remove);
      document.applyEdit({ start: at, end, newText });
      text = text.slice(0, at) + newText + text.slice(end);
      assert.deepEqual(document.analyze(), analyzeSource(grammars, 'triton', text), `edit ${k} at ${at}: ${JSON.stringify(newText)}`);
      checks++;
    }
    document.dispose();
  }
  assert.ok(checks >= 12 * texts.length);
});

test('an edit inside one kernel reuses the results of the kernels and launches it does not reach', async () => {
  const grammars = await loadGrammars();
  const bench = generateTritonBenchFile(2000, 10);
  const document = new SourceDocument(grammars, 'triton', bench.text);
  const before = document.analyze();
  const last = bench.editOffsets[bench.editOffsets.length - 1]!;
  document.applyEdit({ start: last, end: last, newText: '5' });
  const after = document.analyze();
  const edited = before.kernels.findIndex((k) => k.range.start <= last && last < k.range.end);
  // Kernels before the edit did not move: their results are the very objects of the last analysis.
  for (let i = 0; i < edited; i++) assert.equal(after.kernels[i], before.kernels[i], before.kernels[i]!.name);
  assert.notEqual(after.kernels[edited], before.kernels[edited]);
  const text = bench.text.slice(0, last) + '5' + bench.text.slice(last);
  assert.deepEqual(after, analyzeSource(grammars, 'triton', text));
  document.dispose();
});
