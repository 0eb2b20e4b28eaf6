// SourceDocument.applyEdit re-parses incrementally; its analysis must equal a cold analysis of the
// edited text, including edits that change the CUDA rewrite away from the edited span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource, SourceDocument } from '../server/src/analysis/index';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'cuda', name), 'utf8');

async function checkEdits(original: string, edits: Array<{ find: string; replace: string } | { at: number; remove: number; insert: string }>) {
  const grammars = await loadGrammars();
  const document = new SourceDocument(grammars, 'cuda', original);
  document.analyze();
  let text = original;
  for (const edit of edits) {
    let start: number;
    let end: number;
    let newText: string;
    if ('find' in edit) {
      start = text.indexOf(edit.find);
      assert.ok(start >= 0, `edit target ${edit.find} not found`);
      end = start + edit.find.length;
      newText = edit.replace;
    } else {
      start = edit.at;
      end = edit.at + edit.remove;
      newText = edit.insert;
    }
    text = text.slice(0, start) + newText + text.slice(end);
    document.applyEdit({ start, end, newText });
    assert.equal(document.text, text);
    assert.deepEqual(document.analyze(), analyzeSource(grammars, 'cuda', text), `after replacing [${start}, ${end}) with ${JSON.stringify(newText)}`);
  }
  document.dispose();
}

test('one-character edits: a tile size, a launch size, a kernel name', async () => {
  await checkEdits(fixture('tiled-16.cu'), [
    { find: '#define TILE 16', replace: '#define TILE 32' },
    { find: 'const int M = 1024', replace: 'const int M = 2024' },
    { find: 'matmul_tiled(const', replace: 'matmul_tiledx(const' },
  ]);
});

test('opening and closing a block comment changes the rewrite far from the edit', async () => {
  const text = fixture('multi-launch.cu');
  const kernelAt = text.indexOf('__global__ void gemm_tiled');
  await checkEdits(text, [
    { at: kernelAt, remove: 0, insert: '/*' },
    { at: text.indexOf('int main()') + 2, remove: 0, insert: '*/' },
    { at: kernelAt, remove: 2, insert: '' },
  ]);
});

test('typing a launch character by character', async () => {
  const base = fixture('elementwise.cu');
  const at = base.indexOf('    return') >= 0 ? base.indexOf('    return') : base.lastIndexOf('}');
  const typed = '    vector_add<<<dim3(8), 128>>>(nullptr, nullptr, nullptr, 1024);\n';
  const edits = [...typed].map((ch, i) => ({ at: at + i, remove: 0, insert: ch }));
  await checkEdits(base, edits);
});

test('deleting and restoring large spans, and edits at both ends', async () => {
  const text = fixture('register-blocked.cu');
  const bodyStart = text.indexOf('{', text.indexOf('sgemm2DBlocktiling(int'));
  await checkEdits(text, [
    { at: bodyStart, remove: 400, insert: '' },
    { at: bodyStart, remove: 0, insert: text.slice(bodyStart, bodyStart + 400) },
    { at: 0, remove: 0, insert: '#define EXTRA_TILE 4\n' },
    { find: '// expect:', replace: '//expect:' },
  ]);
});

test('comparisons first misread as template arguments: edits near and far keep the cold result', async () => {
  const text = fixture('comparisons-not-templates.cu');
  const condition = text.indexOf('t * TILE + threadIdx.x < K');
  await checkEdits(text, [
    // Far from the misread `<`: the rewrites carry over.
    { find: '#define TILE 16', replace: '#define TILE 32' },
    // Inside the statement: `< K` becomes `<= K` and back, `<` is typed and deleted.
    { at: condition + 't * TILE + threadIdx.x <'.length, remove: 0, insert: '=' },
    { at: condition + 't * TILE + threadIdx.x <'.length, remove: 1, insert: '' },
    { at: condition + 't * TILE + threadIdx.x '.length, remove: 1, insert: '' },
    { at: condition + 't * TILE + threadIdx.x '.length, remove: 0, insert: '<' },
    { find: 'bool inside = threadIdx.x < 32', replace: 'bool inside = threadIdx.x 32' },
    { find: 'bool inside = threadIdx.x 32', replace: 'bool inside = threadIdx.x < 32' },
    // A member template that really is one, then broken and repaired.
    { at: text.indexOf('int main()'), remove: 0, insert: 'template <int V> struct Box { template <int W> static int get() { return V + W; } };\n' },
    { find: 'int p = pick(', replace: 'int q = Box<1>::get<2>() + s.get<float(); int p = pick(' },
    { find: 's.get<float();', replace: 's.get<float>();' },
  ]);
});

test('edits inside one function, analysed one by one: the carried file layout (cuda/structure.ts) keeps the cold result', async () => {
  // Each edit is analysed alone, so tree-sitter's changed ranges are used to carry function ranges and
  // kernel sites over; snippets include ones that change the structure inside a body (a local
  // `__global__` declaration, a lambda, a nested block, a `#define`) or break it (an unbalanced brace).
  const snippets = [
    '1',
    ' ',
    'x',
    ';',
    '{ int q = 2; }',
    '{',
    '}',
    'extern __global__ void late_kernel(int);',
    'auto f = [](int v) { return v; };',
    '\n#define LOCAL 3\n',
    'gemm_tiled<<<1, 1>>>(0, 0, 0, 1, 1, 1);',
    '/*',
    '*/',
    'struct S { int v; };',
  ];
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  for (const name of ['multi-launch.cu', 'launcher-function.cu', 'templated.cu', 'register-blocked.cu', 'macro-kernel.cu', 'launch-bounds.cu']) {
    const original = fixture(name);
    const edits: Array<{ at: number; remove: number; insert: string }> = [];
    let text = original;
    for (let i = 0; i < 28; i++) {
      let at: number;
      let remove = 0;
      let insert: string;
      // Ends of kernel names: `name(params) {` with a `__global__` since the last `}` or `;`.
      const kernelNames = [...text.matchAll(/(\w+)\s*\([^()]*\)\s*\{/g)]
        .filter((m) => text.lastIndexOf('__global__', m.index) > Math.max(text.lastIndexOf('}', m.index), text.lastIndexOf(';', m.index)))
        .map((m) => m.index + m[1]!.length);
      if (i % 7 === 6 && kernelNames.length > 0) {
        // Rename a kernel (the edit is inside its definition, after the keyword).
        at = kernelNames[Math.floor(next() * kernelNames.length)]!;
        insert = 'z';
      } else {
        // A place just inside some function body: after a `{` that follows a `)`.
        const bodies = [...text.matchAll(/\)\s*\{/g)].map((m) => m.index + m[0].length);
        const body = bodies[Math.floor(next() * bodies.length)]!;
        at = Math.min(text.length, body + Math.floor(next() * 40));
        remove = next() < 0.3 ? 1 : 0;
        insert = remove && next() < 0.5 ? '' : snippets[Math.floor(next() * snippets.length)]!;
      }
      edits.push({ at, remove, insert });
      text = text.slice(0, at) + insert + text.slice(at + remove);
    }
    await checkEdits(original, edits);
  }
});

test('renaming a template kernel by typing after its name: its launches no longer bind its template parameters', async () => {
  // The `__global__` keyword lies before the function's node, so the kernel's site is carried over
  // (cuda/structure.ts); its name must still be read again, or `mm<64, 64, 8>` would size `mmz`'s tiles.
  const text = fixture('templated.cu');
  const at = text.indexOf('mm(const') + 2;
  await checkEdits(text, [
    { at, remove: 0, insert: 'z' },
    { at: at + 1, remove: 0, insert: 'q' },
    { at, remove: 2, insert: '' },
  ]);
});

test('a `}` typed into a kernel body closes it early: the carried layout is checked against the tree, not assumed', async () => {
  // tree-sitter reports changed ranges inside the old function only, yet the kernel now ends at the new
  // `}` and what followed is a new top-level function (found by the fuzz test with another seed).
  const text = fixture('elementwise.cu');
  const at = text.indexOf('^^^^^^^^^^ kernel vector_add') + 6;
  await checkEdits(text, [{ at, remove: 36, insert: ' {\n//              ^^ kernel\n    int i = 0;\n}\n\nint main() {\n ' }]);
});

const instructionFixture = (name: string) => readFileSync(join(__dirname, 'fixtures', 'cuda-instructions', name), 'utf8');

test('edits outside a kernel that change how it reads: its tensor-core helpers, macros, type aliases, constants of other functions', async () => {
  // A kernel's cached reading depends on the functions it calls that issue tensor-core instructions (their
  // spans are part of its entry, cuda/tensor-helpers.ts) and on the file's macros and aliases (the
  // environment key): each edit here changes a kernel whose own text is unchanged.
  await checkEdits(instructionFixture('tensor-core-helpers.cu'), [
    { find: '"mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16', replace: '"mma.sync.aligned.m16n8k16.row.col.f32.f16.f16' },
    { find: '"mma.sync.aligned.m16n8k16.row.col.f32.f16.f16', replace: '"mov.sync.aligned.m16n8k16.row.col.f32.f16.f16' },
    { find: '"mov.sync', replace: '"mma.sync' },
    { find: 'wmma::mma_sync(c, fa, fb, c);', replace: '' },
    { find: 'warp_tile(c, a, b, ld);', replace: 'warp_tile(c, a, b, ld); mma16816(0, 0, 0);' },
    { find: '#define MMA_TILE(D, A, B) HMMA16816', replace: '#define MMA_TILE(D, A, B) HMMA1681' },
    { find: 'asm volatile("cp.async', replace: 'asm volatile("mma.sync.m8n8k4 cp.async' },
  ]);
  await checkEdits(instructionFixture('type-aliases.cu'), [
    { find: 'using DATATYPE = half;', replace: 'using DATATYPE = float;' },
    { find: 'typedef half DT;', replace: 'typedef double DT;' },
    { find: 'using Elem = DT;', replace: 'using Elem = BF;' },
  ]);
  await checkEdits(instructionFixture('kernel-local-constants.cu'), [
    { find: 'constexpr int BM = 8;', replace: 'constexpr int BM = 128;' },
    { find: 'constexpr int BM = 16;', replace: '' },
  ]);
});
