// The language server's analysis thread (platform/analysis-thread.ts): a job's analysis is the one the
// analysis core gives in this thread, edits of the same document are analysed incrementally there with
// the same result as a cold analysis, a job superseded before it starts is skipped, and one superseded
// while it parses junk ends without harming the job after it; a thread whose heap grew is replaced by one
// started at once; a thread started early is adopted with its replies.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnalysisThread, prestartAnalysisThread } from '../server/src/platform/analysis-thread';
import { loadGrammars } from '../server/src/platform/grammars';
import { analyzeSource } from '../server/src/analysis/index';
import { DEFAULT_ANALYSIS_OPTIONS } from '../server/src/analysis/types';

const example = readFileSync(join(__dirname, '..', 'examples', 'tiled_matmul.cu'), 'utf8');
const logged: string[] = [];
const thread = new AnalysisThread((_level, message) => logged.push(message));
after(() => thread.dispose());

test('jobs give the analysis of their text, also after edits of the same document', async () => {
  const grammars = await loadGrammars();
  const uri = 'file:///t/a.cu';
  const first = await thread.analyze(uri, 'cuda', example, 0, DEFAULT_ANALYSIS_OPTIONS).result;
  assert.deepEqual(first.analysis, analyzeSource(grammars, 'cuda', example));
  const edited = example.replace('#define TILE 16', '#define TILE 32');
  assert.notEqual(edited, example);
  const second = await thread.analyze(uri, 'cuda', edited, 0, DEFAULT_ANALYSIS_OPTIONS).result;
  assert.deepEqual(second.analysis, analyzeSource(grammars, 'cuda', edited));
  assert.deepEqual(logged, []);
});

test('a job superseded before the thread starts it is skipped', async () => {
  const job = thread.analyze('file:///t/c.cu', 'cuda', example, 0, DEFAULT_ANALYSIS_OPTIONS);
  thread.supersede(job.id);
  const result = await job.result;
  assert.equal(result.skipped, true);
  assert.equal(result.analysis, null);
  const again = await thread.analyze('file:///t/c.cu', 'cuda', example, 0, DEFAULT_ANALYSIS_OPTIONS).result;
  assert.equal(again.skipped, false);
  assert.ok(again.analysis && again.analysis.kernels.length > 0);
});

test('a job superseded while it parses a 1 MB a+a+... line ends without an analysis (not an empty one the server would adopt); the next job is analysed as a cold one', async () => {
  const grammars = await loadGrammars();
  const uri = 'file:///t/b.cu';
  await thread.analyze(uri, 'cuda', example, 0, DEFAULT_ANALYSIS_OPTIONS).result;
  const at = example.indexOf('{', example.indexOf('__global__')) + 1;
  const junk = `${example.slice(0, at)}\n${'a+'.repeat(500_000)}\n${example.slice(at)}`;
  const slow = thread.analyze(uri, 'cuda', junk, 0, DEFAULT_ANALYSIS_OPTIONS);
  const edited = example.replace('#define TILE 16', '#define TILE 8');
  const next = thread.analyze(uri, 'cuda', edited, 0, DEFAULT_ANALYSIS_OPTIONS);
  thread.supersede(slow.id);
  const stopped = await slow.result;
  assert.equal(stopped.analysis, null, JSON.stringify(stopped.analysis?.problems));
  assert.equal(stopped.skipped, true);
  assert.deepEqual((await next.result).analysis, analyzeSource(grammars, 'cuda', edited));
});

test('a thread whose heap grew (a 1 MB a+a+... line, then removed) is replaced once idle by one started at once, which the next job adopts', async () => {
  const grammars = await loadGrammars();
  const ownLog: string[] = [];
  const own = new AnalysisThread((_level, message) => ownLog.push(message));
  try {
    const uri = 'file:///t/grown.cu';
    await own.analyze(uri, 'cuda', example, 0, DEFAULT_ANALYSIS_OPTIONS).result;
    assert.equal(own.startedAhead, false);
    const at = example.indexOf('matmul_tiled<<<');
    const junk = `${example.slice(0, at)}${'a+'.repeat(500_000)}a;\n${example.slice(at)}`;
    await own.analyze(uri, 'cuda', junk, 0, DEFAULT_ANALYSIS_OPTIONS).result;
    await own.analyze(uri, 'cuda', example, 0, DEFAULT_ANALYSIS_OPTIONS).result;
    assert.equal(own.recycled, 1, 'the thread that parsed the 1 MB line was replaced');
    assert.match(ownLog.join('\n'), /memory grew to \d+ MB: it is replaced once idle/);
    // The worker reports its growth after the 1 MB job or after the next one, as its heap and GC stand
    // then; either way its successor starts when it is replaced, and the job after that takes it over.
    const edited = example.replace('#define TILE 16', '#define TILE 8');
    const next = await own.analyze(uri, 'cuda', edited, 0, DEFAULT_ANALYSIS_OPTIONS).result;
    assert.deepEqual(next.analysis, analyzeSource(grammars, 'cuda', edited));
    assert.equal(own.adoptedAhead, 1, 'its successor started at once, and a job took it over');
    assert.equal(own.startedAhead, false, 'adopted by the next job');
  } finally {
    own.dispose();
  }
});

test('a thread started before the server loads (prestartAnalysisThread) is the one the first AnalysisThread uses, with its ready reply kept', async () => {
  prestartAnalysisThread();
  // Its grammars load while nothing listens: the 'ready' it sends meanwhile must not be lost.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const adopted = new AnalysisThread((_level, message) => logged.push(message));
  try {
    const started = performance.now();
    await adopted.ready();
    assert.ok(performance.now() - started < 1000, 'ready already: no second thread was started');
    const result = await adopted.analyze('file:///t/early.cu', 'cuda', example, 0, DEFAULT_ANALYSIS_OPTIONS).result;
    assert.ok(result.analysis && result.analysis.kernels.length > 0);
    // Taken once: the next AnalysisThread starts its own.
    const other = new AnalysisThread(() => undefined);
    const own = await other.analyze('file:///t/own.cu', 'cuda', example, 0, DEFAULT_ANALYSIS_OPTIONS).result;
    assert.ok(own.analysis && own.analysis.kernels.length > 0);
    other.dispose();
  } finally {
    adopted.dispose();
  }
});

test("headers: the thread analyses with them, and a header it has freed since is sent again (the job's result is unchanged)", async () => {
  const grammars = await loadGrammars();
  const header = {
    name: 'k.cuh',
    path: '/t/k.cuh',
    stamp: '1',
    text: '#define TILE 32\n__global__ void from_header(const float *A, float *C, int N) {\n  __shared__ float s[TILE][TILE];\n  C[0] = A[0] + s[0][0];\n}\n',
  };
  const main = '#include "k.cuh"\nvoid go(const float *A, float *C) { from_header<<<dim3(4, 4), dim3(TILE, TILE)>>>(A, C, 128); }\n';
  const expected = analyzeSource(grammars, 'cuda', main, DEFAULT_ANALYSIS_OPTIONS, [header]);
  assert.deepEqual(expected.launches[0]!.block, [32, 32, 1]);
  const first = await thread.analyze('file:///t/inc.cu', 'cuda', main, 0, DEFAULT_ANALYSIS_OPTIONS, [header]).result;
  assert.deepEqual(first.analysis, expected);
  // Another file with 40 headers: the thread keeps 32, so k.cuh is freed there.
  const many = Array.from({ length: 40 }, (_, i) => ({ name: `m${i}.cuh`, path: `/t/m${i}.cuh`, stamp: '1', text: `#define M${i} ${i}\n` }));
  const other = await thread.analyze('file:///t/other.cu', 'cuda', example, 0, DEFAULT_ANALYSIS_OPTIONS, many).result;
  assert.ok(other.analysis);
  // The same header at the same stamp is not sent again; the thread asks for it, and the result is the same.
  const edited = `${main}// edited\n`;
  const again = await thread.analyze('file:///t/inc.cu', 'cuda', edited, 0, DEFAULT_ANALYSIS_OPTIONS, [header]).result;
  assert.deepEqual(again.analysis, analyzeSource(grammars, 'cuda', edited, DEFAULT_ANALYSIS_OPTIONS, [header]));
  assert.deepEqual(logged, []);
});
