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
