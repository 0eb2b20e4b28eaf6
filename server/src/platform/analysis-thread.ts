// The language server's side of the analysis worker (analysis-worker.ts): starts the thread, posts
// jobs ("analyse this text of this file"), resolves each with its FileAnalysis, and cancels jobs
// the caller supersedes through a shared array the worker reads while it parses, so no one waits for
// the parse of an outdated version. If the thread dies, pending jobs resolve with an error and the
// next job starts a fresh thread (each job carries the whole text, so nothing is lost); a thread whose
// WebAssembly heap has grown (tree-sitter's never shrinks) is replaced once it is idle, by a thread started
// at once so its grammars load before the next job. Thread I/O
// only; what is analysed is the analysis core's business, and what is done with it the server's.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisOptions, FileAnalysis, SourceLanguage } from '../analysis/types';

/** One job as the worker receives it. */
export interface AnalysisJob {
  kind: 'analyze';
  job: number;
  uri: string;
  language: SourceLanguage;
  text: string;
  /** Identifies `options`: the worker keeps one options object per id, so cached analyses are reused. */
  optionsId: number;
  options: AnalysisOptions;
  /**
   * The headers a CUDA file includes (platform/includes.ts), in include order, or the local modules a Triton
   * file imports (platform/python-imports.ts). `text` is left out when
   * this worker was already sent that path at that stamp (AnalysisThread.sentHeaders): a file including
   * 16 headers of 60 kB cost 5 ms of copying per keystroke otherwise.
   */
  headers: Array<{ name: string; path: string; text?: string; stamp: string }>;
}

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'failed'; error: string }
  | {
      kind: 'analysis';
      job: number;
      analysis: FileAnalysis | null;
      skipped: boolean;
      computeMs: number;
      recycle: boolean;
      externalBytes?: number;
      error?: string;
      /** The worker no longer has a header whose text the job left out: the job is sent again with every text. */
      needHeaders?: boolean;
    };

/** What a job resolves with: the analysis (null when it was skipped as superseded, or failed with `error`). */
export interface JobResult {
  analysis: FileAnalysis | null;
  /** Whether the thread skipped the job, superseded before it started or stopped while it parsed. */
  skipped?: boolean;
  computeMs: number;
  error?: string;
}

/** Slots of the shared cancellation array: job ids modulo its length (a slot holds the id of the job to stop). */
const CANCEL_SLOTS = 1024;
export const cancelSlot = (job: number): number => job % CANCEL_SLOTS;

/** How to start the worker from wherever this module runs (the bundle's dist/ or tsx source). */
function workerSource(): { file: string } | { code: string } {
  const bundled = join(__dirname, 'analysis-worker.js');
  if (existsSync(bundled)) return { file: bundled };
  const source = join(__dirname, 'analysis-worker.ts');
  // A variable, not a literal: bundlers must not try to resolve tsx (it exists only when running from source).
  const tsxHook = 'tsx/cjs';
  return { code: `require(${JSON.stringify(require.resolve(tsxHook))}); require(${JSON.stringify(source)});` };
}

function spawnWorker(cancel: Int32Array): Worker {
  const source = workerSource();
  const workerData = { cancel: cancel.buffer };
  const worker = 'file' in source ? new Worker(source.file, { workerData }) : new Worker(source.code, { eval: true, workerData });
  // The server's stdin keeps the process alive; the thread must not keep it running after the client goes.
  worker.unref();
  return worker;
}

/** A thread started before the server's modules loaded (prestartAnalysisThread), for the first AnalysisThread. */
let prestarted: Prestarted | null = null;

interface Prestarted {
  worker: Worker;
  cancel: Int32Array;
  /** Its replies so far. */
  replies: WorkerReply[];
  /** Why it stopped before it was adopted (then a fresh thread is started instead). */
  died: string | null;
  /** Removes the listeners that record the above. */
  detach: () => void;
}

/** Starts a worker that records its replies until an AnalysisThread adopts it (its ready() takes it over). */
function startAhead(cancel: Int32Array): Prestarted {
  const worker = spawnWorker(cancel);
  const onMessage = (reply: WorkerReply) => ahead.replies.push(reply);
  const onError = (error: Error) => (ahead.died ??= error.message);
  const onExit = (code: number) => (ahead.died ??= `exit code ${code}`);
  const ahead: Prestarted = {
    worker,
    cancel,
    replies: [],
    died: null,
    detach: () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    },
  };
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.on('exit', onExit);
  return ahead;
}

/**
 * Starts the analysis thread now, so its grammars compile while the rest of the server loads; the first
 * AnalysisThread takes it over (with the replies it sent meanwhile). dist/server.js calls it first thing.
 */
export function prestartAnalysisThread(): void {
  if (prestarted) return;
  prestarted = startAhead(new Int32Array(new SharedArrayBuffer(CANCEL_SLOTS * 4)));
}

export class AnalysisThread {
  private worker: Worker | null = null;
  private started: Promise<void> | null = null;
  private readonly cancel: Int32Array;
  /** The prestarted thread, until the first ready() adopts it. */
  private early: Prestarted | null = null;
  private readonly pending = new Map<number, (result: JobResult) => void>();
  private nextJob = 1;
  /** Header texts the current worker was sent, by path: their stamps (AnalysisJob.headers). */
  private readonly sentHeaders = new Map<string, string>();
  /** The worker `sentHeaders` describes. */
  private sentFor: Worker | null = null;
  /** How to send each pending job again (with every header's text), by job id. */
  private readonly resend = new Map<number, (done: (result: JobResult) => void) => void>();
  /** Set when the worker's memory has grown: it is replaced as soon as no job is pending. */
  private recycleWanted = false;
  /** How many times a grown worker was replaced (for tests and the bench). */
  recycled = 0;
  /** How many threads started ahead (at start, or to succeed a grown one) a job has taken over (tests). */
  adoptedAhead = 0;

  /** Whether a thread started ahead (at start, or to succeed a grown one) is running and not yet adopted (tests). */
  get startedAhead(): boolean {
    return this.early !== null && this.early.died === null;
  }

  constructor(private readonly log: (level: 'info' | 'error', message: string) => void) {
    const taken = prestarted;
    prestarted = null;
    this.cancel = taken?.cancel ?? new Int32Array(new SharedArrayBuffer(CANCEL_SLOTS * 4));
    this.early = taken;
  }

  /** Starts the thread (once) and resolves when its grammars are loaded; rejects when they cannot be. */
  ready(): Promise<void> {
    this.started ??= new Promise<void>((resolve, reject) => {
      const early = this.early?.died === null ? this.early : null;
      if (this.early?.died) this.log('error', `the analysis thread started early stopped (${this.early.died}); starting another`);
      this.early?.detach();
      this.early = null;
      const worker = early?.worker ?? spawnWorker(this.cancel);
      if (early) this.adoptedAhead++;
      this.worker = worker;
      const onReply = (reply: WorkerReply) => {
        if (reply.kind === 'ready') resolve();
        else if (reply.kind === 'failed') reject(new Error(reply.error));
        else {
          const done = this.pending.get(reply.job);
          this.pending.delete(reply.job);
          const resend = this.resend.get(reply.job);
          this.resend.delete(reply.job);
          if (reply.needHeaders && resend && done) {
            this.sentHeaders.clear();
            resend(done);
            return;
          }
          if (reply.recycle && !this.recycleWanted)
            this.log('info', `the analysis thread's memory grew to ${((reply.externalBytes ?? 0) / 2 ** 20).toFixed(0)} MB: it is replaced once idle`);
          this.recycleWanted ||= reply.recycle;
          if (this.recycleWanted && this.pending.size === 0) this.replace();
          done?.({ analysis: reply.analysis, computeMs: reply.computeMs, skipped: reply.skipped, ...(reply.error ? { error: reply.error } : {}) });
        }
      };
      worker.on('message', onReply);
      // What a prestarted thread said before it was adopted ('ready', or 'failed').
      for (const reply of early?.replies ?? []) onReply(reply);
      const lost = (why: string) => {
        if (this.worker !== worker) return;
        this.log('error', `the analysis thread stopped (${why}); it restarts with the next request`);
        this.worker = null;
        this.started = null;
        reject(new Error(why));
        for (const done of this.pending.values()) done({ analysis: null, computeMs: 0, error: why });
        this.pending.clear();
      };
      worker.on('error', (error) => lost(error.message));
      worker.on('exit', (code) => lost(`exit code ${code}`));
    });
    return this.started;
  }

  /** Posts a job; `id` is set at once (for cancel), the promise resolves when the worker answers. */
  analyze(
    uri: string,
    language: SourceLanguage,
    text: string,
    optionsId: number,
    options: AnalysisOptions,
    headers: AnalysisJob['headers'] = [],
  ): { id: number; result: Promise<JobResult> } {
    const id = this.nextJob++;
    const result = new Promise<JobResult>((resolve) => {
      const send = (done: (result: JobResult) => void): void => {
        this.ready().then(
          () => {
            // Replaced between ready() and now (it grew, or died): start the next one.
            if (!this.worker) return send(done);
            if (this.sentFor !== this.worker) {
              this.sentHeaders.clear();
              this.sentFor = this.worker;
            }
            const posted = headers.map((header) => {
              if (header.text !== undefined && this.sentHeaders.get(header.path) === header.stamp)
                return { name: header.name, path: header.path, stamp: header.stamp };
              this.sentHeaders.set(header.path, header.stamp);
              return header;
            });
            this.pending.set(id, done);
            this.resend.set(id, send);
            this.worker.postMessage({ kind: 'analyze', job: id, uri, language, text, optionsId, options, headers: posted } satisfies AnalysisJob);
          },
          (error: unknown) => done({ analysis: null, computeMs: 0, error: error instanceof Error ? error.message : String(error) }),
        );
      };
      send(resolve);
    });
    return { id, result };
  }

  /** Asks the worker to skip job `id`, or to stop parsing it (after a grace period), when it is still to come or running. */
  supersede(id: number): void {
    Atomics.store(this.cancel, cancelSlot(id), id);
  }

  /**
   * Ends the idle worker and starts its successor at once, so its grammars load while the user is idle
   * rather than in the next job's wait (which then only parses each document afresh).
   */
  private replace(): void {
    this.recycleWanted = false;
    this.recycled++;
    const worker = this.worker;
    this.worker = null;
    this.started = null;
    void worker?.terminate();
    this.early = startAhead(this.cancel);
  }

  close(uri: string): void {
    this.worker?.postMessage({ kind: 'close', uri });
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = null;
    void worker?.terminate();
    // A prestarted thread never adopted (no job came) ends with it.
    this.early?.detach();
    void this.early?.worker.terminate();
    this.early = null;
  }
}
