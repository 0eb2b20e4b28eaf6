// The one edit that brings the parser's text up to date after a burst of changes, and the view that
// serves an older version's reports against the current text while its analysis is still running, and
// how much the edits since the analysed version inserted (a request does not wait after a large paste).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { differingSpan } from '../text/differing-span';
import { staleView } from './documents';

const apply = (before: string, edit: { start: number; end: number; newText: string } | null) =>
  edit ? before.slice(0, edit.start) + edit.newText + before.slice(edit.end) : before;

test('differingSpan turns the old text into the new one, covering only what changed', () => {
  const cases: Array<[string, string]> = [
    ['abc', 'abc'],
    ['', 'x'],
    ['x', ''],
    ['abcdef', 'abXdef'],
    ['aaaa', 'aaaaa'],
    ['aaaa', 'aaa'],
    ['#define TILE 16\nk<<<1,1>>>();', '#define TILE 32\nk<<<1,1>>>(); // x'],
    ['ab', 'ba'],
  ];
  for (const [before, after] of cases) {
    const edit = differingSpan(before, after);
    assert.equal(apply(before, edit), after, `${before} -> ${after}`);
  }
  assert.equal(differingSpan('same', 'same'), null);
  assert.deepEqual(differingSpan('abcdef', 'abXdef'), { start: 2, end: 3, newText: 'X' });
});

test('differingSpan on random pairs reproduces the new text', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const word = () => Array.from({ length: Math.floor(random() * 12) }, () => 'ab\n<'[Math.floor(random() * 4)]).join('');
  for (let i = 0; i < 2000; i++) {
    const before = word();
    const after = word();
    assert.equal(apply(before, differingSpan(before, after)), after);
  }
});

test('staleView translates offsets of the older text to positions of the current one, and back, around the changed span', () => {
  const before = 'int a;\nkernel<<<1, 2>>>();\nint b;\n';
  const current = TextDocument.create('file:///x.cu', 'cuda-cpp', 2, 'int a;\n// one\n// two\nkernel<<<1, 2>>>();\nint b;\n');
  const view = staleView(current, before);
  const launch = before.indexOf('kernel');
  // After the change: the same characters, two lines further down.
  assert.deepEqual(view.positionAt(launch), { line: 3, character: 0 });
  assert.equal(view.offsetAt({ line: 3, character: 0 }), launch);
  // Before the change: unchanged.
  assert.deepEqual(view.positionAt(2), { line: 0, character: 2 });
  assert.equal(view.offsetAt({ line: 0, character: 2 }), 2);
  // Inside the inserted text the older version has nothing to say.
  assert.equal(view.offsetAt({ line: 1, character: 3 }), -1);
  // Everything else is the current document's.
  assert.equal(view.getText(), current.getText());
  assert.equal(view.version, 2);
  assert.equal(staleView(current, current.getText()), current);
});

test('staleView round-trips every offset outside the change, for random edits', () => {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < 300; i++) {
    const before = Array.from({ length: 1 + Math.floor(random() * 40) }, () => 'ab\n'[Math.floor(random() * 3)]).join('');
    const start = Math.floor(random() * before.length);
    const end = start + Math.floor(random() * (before.length - start));
    const inserted = Array.from({ length: Math.floor(random() * 5) }, () => 'xy\n'[Math.floor(random() * 3)]).join('');
    const after = before.slice(0, start) + inserted + before.slice(end);
    const view = staleView(TextDocument.create('file:///r.cu', 'cuda-cpp', 1, after), before);
    const span = differingSpan(before, after);
    for (let offset = 0; offset <= before.length; offset++) {
      if (span && offset >= span.start && offset < span.end) continue;
      const position = view.positionAt(offset);
      assert.equal(view.offsetAt(position), offset, `${JSON.stringify(before)} -> ${JSON.stringify(after)} at ${offset}`);
      assert.equal(after[TextDocument.create('file:///r.cu', 'cuda-cpp', 1, after).offsetAt(position)], before[offset]);
    }
  }
});

test("the stale view follows the client's edits exactly: two distant changes in one didChange leave the text between them mapped", async () => {
  const { DocumentStore } = await import('./documents');
  const { analyzeSource } = await import('../analysis/index');
  const { loadGrammars } = await import('../platform/grammars');
  const { findGpu } = await import('../perf/gpu-catalogue');
  const { DEFAULT_SETTINGS } = await import('../ide/protocol');
  const launch = (name: string) => `void run_${name}(float *A, float *B, float *C) {\n  mm<<<dim3(64, 64), dim3(16, 16)>>>(A, B, C, 1024, 1024, 1024);\n}\n`;
  const kernel =
    '__global__ void mm(const float *A, const float *B, float *C, int M, int N, int K) {\n  __shared__ float As[16][16];\n  float acc = 0;\n  for (int t = 0; t < K; t += 16) { As[threadIdx.y][threadIdx.x] = A[t]; __syncthreads(); acc += As[0][0]; }\n  C[0] = acc;\n}\n';
  const before = `// top\n${kernel}${launch('a')}${launch('b')}${launch('c')}// bottom\n`;
  const thread = { close() {}, supersede() {} } as unknown as ConstructorParameters<typeof DocumentStore>[0];
  const store = new DocumentStore(thread);
  const uri = 'file:///stale.cu';
  const file = store.open(uri, 'cuda-cpp', 1, before);
  const analysis = analyzeSource(await loadGrammars(), 'cuda', before);
  file.analysed = { version: 1, optionsId: 0, headersKey: '', headers: [], text: before, analysis };
  // Multi-cursor typing: one change on the first line, one on the last, in one notification.
  const lines = before.split('\n').length;
  store.change(uri, 2, [
    { range: { start: { line: 0, character: 6 }, end: { line: 0, character: 6 } }, text: ' edited' },
    { range: { start: { line: lines - 2, character: 9 }, end: { line: lines - 2, character: 9 } }, text: ' also' },
  ]);
  const context = {
    generation: 0,
    options: { defaultProblem: { m: 4096, n: 4096, k: 4096, dtype: 'fp32' as const } },
    optionsId: 0,
    includeDirs: [],
    compileCommandsDir: null,
    input: { gpus: [findGpu('rtx-4090')!], settings: DEFAULT_SETTINGS, predictor: null, modelError: null },
  };
  const stale = store.staleReportsFor(file, context)!;
  const middle = before.indexOf('mm<<<', before.indexOf('run_b'));
  const current = file.document.getText();
  const now = file.document.positionAt(current.indexOf('mm<<<', current.indexOf('run_b')));
  assert.deepEqual(stale.document.positionAt(middle), now);
  assert.equal(stale.document.offsetAt(now), middle, 'the launch between the two edits maps back to the analysed text');
  assert.equal(stale.document.offsetAt({ line: 0, character: 8 }), -1, 'inside the inserted text');
  // Comparing the texts instead finds one span from the first edit to the last: the launch is inside it.
  assert.equal(staleView(file.document, before).offsetAt(now), -1);
  assert.equal(stale.reports.text, before, "the reports are the analysed version's");
});

test('insertedSinceAnalysis counts the characters the edits since the analysed version inserted', async () => {
  const { DocumentStore } = await import('./documents');
  const thread = { close() {}, supersede() {} } as unknown as ConstructorParameters<typeof DocumentStore>[0];
  const store = new DocumentStore(thread);
  const uri = 'file:///inserted.cu';
  const text = 'int a;\nint b;\n';
  const file = store.open(uri, 'cuda-cpp', 1, text);
  assert.equal(store.insertedSinceAnalysis(file), text.length, 'nothing analysed: the whole text');
  file.analysed = {
    version: 1,
    optionsId: 0,
    headersKey: '',
    headers: [],
    text,
    analysis: { language: 'cuda', kernels: [], launches: [], tileParams: [], libraryCalls: [], problems: [] },
  };
  assert.equal(store.insertedSinceAnalysis(file), 0);
  const paste = 'x'.repeat(100_000);
  store.change(uri, 2, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: paste }]);
  // A replacement counts what it inserts, not what it removes.
  store.change(uri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 6 } }, text: 'long a;' }]);
  assert.equal(store.insertedSinceAnalysis(file), paste.length + 'long a;'.length);
  // A whole-document change counts the span that differs, not the whole text.
  const before = file.document.getText();
  store.change(uri, 4, [{ text: `${before.slice(0, 10)}Z${before.slice(10)}` }]);
  assert.equal(store.insertedSinceAnalysis(file), paste.length + 'long a;'.length + 1);
  // Past the edit log (as after more than its 1,000 edits): the growth of the text.
  file.edits = null;
  assert.equal(store.insertedSinceAnalysis(file), file.document.getText().length - text.length);
});
