// Worker-thread entry of the language server's parsing and analysis (started by analysis-thread.ts):
// loads the tree-sitter grammars, keeps one SourceDocument (text, tree, caches) per open file, and
// answers each job "analyse this text of this file" with the file's FileAnalysis (plain data), given the
// texts of the headers a CUDA file includes or the modules a Triton file imports (parsed here too, once
// per version). A job
// the server has since superseded is skipped, or stopped mid-parse once it has run a while. Nothing
// else runs here: reports, predictions and the protocol stay on the server's main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { SourceDocument, type IncludedContext } from '../analysis/document';
import { differingSpan } from '../text/differing-span';
import { analyzeSource } from '../analysis/index';
import type { AnalysisOptions, FileAnalysis, SourceLanguage } from '../analysis/types';
import { loadGrammars, type Grammars } from './grammars';
import { cancelSlot, type AnalysisJob, type WorkerReply } from './analysis-thread';

/** A superseded job still gets this long to finish: its tree is the base the next edit re-parses incrementally. */
const SUPERSEDED_GRACE_MS = 200;
/**
 * Growth of this thread's external memory (the WebAssembly heap of tree-sitter, which never shrinks)
 * past which the server is asked to replace the thread: a pasted 1 MB line grows it by tens of MB.
 */
const RECYCLE_GROWTH_BYTES = 16 * 1024 * 1024;
/**
 * Plus this much per character of the texts the thread keeps parsed (open documents and included headers):
 * their trees live in the same heap. Without it, a file including 16 headers of 60 kB (about 40 bytes per
 * character of trees, 63 MB in all) had its thread replaced after every analysis, and every replacement
 * parsed the file and its headers again (bench/lsp.bench.ts, LSP_BENCH=headers).
 */
const RECYCLE_BYTES_PER_CHAR = 96;

/** Characters of the texts the thread keeps parsed now. */
function liveChars(): number {
  let chars = 0;
  for (const document of documents.values()) chars += document.text.length;
  for (const entry of headerDocuments.values()) chars += entry.document.text.length;
  return chars;
}

/**
 * Parsed once before the thread says it is ready: WebAssembly runs on V8's baseline compiler, which
 * compiles each function of a grammar at its first call, so the first document's parse (and its error
 * recovery) would pay for compiling them. CUDA only: Triton files are small, and most users open none.
 */
const WARM_UP_CUDA = `#define TILE 16
template <int N> __global__ void k(const float *a, float *c, int n) {
  __shared__ float s[TILE][TILE + 1];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n && n > 1) { c[i] = a[i] < 0 ? 0.0f : s[0][0]; }
  foo(
}
void launch(float *a, float *c, int n) { dim3 grid((n + 255) / 256); k<4><<<grid, 256, 0>>>(a, c, n); }
`;
const cancelled = new Int32Array(workerData.cancel as SharedArrayBuffer);
const documents = new Map<string, SourceDocument>();
/** Included headers (cuda/headers.ts), parsed once per path and re-parsed incrementally when their text changes. */
const headerDocuments = new Map<string, { document: SourceDocument; stamp: string; usedAt: number }>();
/** At most this many header documents are kept; the least recently used beyond it are freed. */
const MAX_HEADER_DOCUMENTS = 32;
/** The header contexts each document was last analysed with: the same array while they are unchanged (analyze's cache compares it). */
const lastHeaders = new Map<string, readonly IncludedContext[]>();
let options: { id: number; value: AnalysisOptions } | null = null;

function run(grammars: Grammars, job: AnalysisJob): { analysis: FileAnalysis | null; skipped: boolean; needHeaders?: boolean } {
  const stop = () => Atomics.load(cancelled, cancelSlot(job.job)) === job.job;
  if (stop()) return { analysis: null, skipped: true };
  const headers = headersFor(grammars, job);
  if (!headers) return { analysis: null, skipped: false, needHeaders: true };
  // Options travel with each job; the same id keeps the same object, so a document's cached analysis is reused.
  if (!options || options.id !== job.optionsId) options = { id: job.optionsId, value: job.options };
  let document = documents.get(job.uri);
  if (document && document.language !== job.language) {
    document.dispose();
    document = undefined;
  }
  const started = performance.now();
  const stopAfterGrace = () => performance.now() - started > SUPERSEDED_GRACE_MS && stop();
  if (!document) {
    document = new SourceDocument(grammars, job.language as SourceLanguage, job.text, stopAfterGrace);
    documents.set(job.uri, document);
  } else {
    document.shouldStop = stopAfterGrace;
    const edit = differingSpan(document.text, job.text);
    if (edit) document.applyEdit(edit);
  }
  // Stopped because a newer version is waiting: its "over budget" analysis (no tree) is not this text's;
  // adopting it would blank the file's hovers and hints until the next analysis came in.
  if (document.wasStopped) {
    document.shouldStop = null;
    return { analysis: null, skipped: true };
  }
  const analysis = document.analyze(options.value, headers);
  document.shouldStop = null;
  return { analysis, skipped: false };
}

/** The contexts of the job's headers, reusing the parse of each header and the array itself when nothing changed. */
function headersFor(grammars: Grammars, job: AnalysisJob): readonly IncludedContext[] | null {
  const contexts: IncludedContext[] = [];
  for (const header of job.headers) {
    let entry = headerDocuments.get(header.path);
    if (entry && entry.document.language !== job.language) {
      entry.document.dispose();
      headerDocuments.delete(header.path);
      entry = undefined;
    }
    // Left out by the server as already sent: gone since (freed below) or changed means it must be sent again.
    if (header.text === undefined && (!entry || entry.stamp !== header.stamp)) return null;
    const text = header.text ?? entry!.document.text;
    if (!entry) {
      entry = { document: new SourceDocument(grammars, job.language as SourceLanguage, text), stamp: header.stamp, usedAt: job.job };
      headerDocuments.set(header.path, entry);
    } else {
      // The same stamp is the same text (a file's modification time and size, an editor's version): no compare.
      if (entry.stamp !== header.stamp) {
        const edit = differingSpan(entry.document.text, text);
        if (edit) entry.document.applyEdit(edit);
        entry.stamp = header.stamp;
      }
      entry.usedAt = job.job;
    }
    // A header that cannot be read as one is left out; the file is still analysed (test/analysis-headers.test.ts).
    let context: IncludedContext | null = null;
    try {
      context = entry.document.asIncluded(header.name);
    } catch {
      context = null;
    }
    if (context) contexts.push(context);
  }
  if (headerDocuments.size > MAX_HEADER_DOCUMENTS) {
    const oldest = [...headerDocuments].filter(([, e]) => e.usedAt !== job.job).sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [path, entry] of oldest.slice(0, headerDocuments.size - MAX_HEADER_DOCUMENTS)) {
      entry.document.dispose();
      headerDocuments.delete(path);
    }
  }
  const previous = lastHeaders.get(job.uri);
  if (previous && previous.length === contexts.length && previous.every((c, i) => c === contexts[i])) return previous;
  lastHeaders.set(job.uri, contexts);
  return contexts;
}

async function main(): Promise<void> {
  const port = parentPort!;
  let grammars: Grammars;
  try {
    grammars = await loadGrammars();
  } catch (error) {
    port.postMessage({ kind: 'failed', error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
    return;
  }
  analyzeSource(grammars, 'cuda', WARM_UP_CUDA);
  port.on('message', (message: AnalysisJob | { kind: 'close'; uri: string }) => {
    if (message.kind === 'close') {
      documents.get(message.uri)?.dispose();
      documents.delete(message.uri);
      lastHeaders.delete(message.uri);
      return;
    }
    const started = performance.now();
    try {
      const { analysis, skipped, needHeaders } = run(grammars, message);
      const externalBytes = process.memoryUsage().external;
      const recycle = externalBytes > baselineExternal + RECYCLE_GROWTH_BYTES + RECYCLE_BYTES_PER_CHAR * liveChars();
      port.postMessage({
        kind: 'analysis',
        job: message.job,
        analysis,
        skipped,
        computeMs: performance.now() - started,
        recycle,
        externalBytes,
        ...(needHeaders ? { needHeaders } : {}),
      } satisfies WorkerReply);
    } catch (error) {
      // The document's state is unknown after a failure: it starts afresh with the next job.
      documents.get(message.uri)?.dispose();
      documents.delete(message.uri);
      // The headers' too: one of them may be what failed.
      for (const entry of headerDocuments.values()) entry.document.dispose();
      headerDocuments.clear();
      lastHeaders.clear();
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      port.postMessage({
        kind: 'analysis',
        job: message.job,
        analysis: null,
        skipped: false,
        computeMs: performance.now() - started,
        recycle: false,
        error: text,
      } satisfies WorkerReply);
    }
  });
  const baselineExternal = process.memoryUsage().external;
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

void main();
