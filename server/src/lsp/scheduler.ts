// When analysis runs (the analysis itself runs on the analysis thread, platform/analysis-thread.ts):
// how long a request waits for it (REQUEST_WAIT_MS), and two pieces:
// - Inbox sees every message as it is read from the client, before the connection dispatches it, so a
//   request whose document already has a newer change waiting is answered "content modified" at once
//   instead of analysing a version that is already outdated;
// - DiagnosticsTimer publishes diagnostics for a document only after its edits pause (debounce), and
//   skips the run when a newer change is waiting; the pause is longer for a file that is slow to analyse.
// It must not analyse anything itself: callers pass the work in.
import type { Message, NotificationMessage } from 'vscode-languageserver/node';

/**
 * Document changes read from the client but not yet applied, counted per document: observe() runs as
 * each message is read, applied() when the connection dispatches a didOpen/didChange (whether or not
 * applying it succeeds, so a malformed change cannot leave a document looking outdated forever).
 */
export class Inbox {
  private readonly pending = new Map<string, number>();

  observe(message: Message): void {
    const notification = message as NotificationMessage;
    if (notification.method !== 'textDocument/didChange' && notification.method !== 'textDocument/didOpen') return;
    const uri = (notification.params as { textDocument?: { uri?: unknown } } | undefined)?.textDocument?.uri;
    if (typeof uri === 'string') this.pending.set(uri, (this.pending.get(uri) ?? 0) + 1);
  }

  applied(uri: unknown): void {
    if (typeof uri !== 'string') return;
    const count = this.pending.get(uri) ?? 0;
    if (count > 1) this.pending.set(uri, count - 1);
    else this.pending.delete(uri);
  }

  /** Whether a change of `uri` has been read but not yet applied: work on its current version would be outdated. */
  hasPendingChange(uri: string): boolean {
    return this.pending.has(uri);
  }
}

/**
 * How long a request waits for the analysis of its document's version before it is answered without it
 * (issue 8: every request answered within 100 ms of the edit, whatever the parser is doing). The rest of
 * the 100 ms goes to moving the edit itself: after a pasted 1 MB line, the client's send and the server's
 * read, JSON parse, splice and copy to the thread took 25-45 ms before the wait began (2-core VM,
 * `LSP_BENCH=random npm run bench -- lsp`, the '1 MB line' rows), so a 60 ms wait answered those in
 * 80-105 ms. A 5,000-line file's analysis after a keystroke takes under 35 ms (edit -> hover p99, same
 * bench), so ordinary edits still get the fresh analysis (docs/architecture.md, "Scheduling").
 */
export const REQUEST_WAIT_MS = 45;

/**
 * Characters inserted since the analysed version past which a request does not wait at all: the analysis
 * thread needs about 0.9 ms per 1,000 characters of pasted code (an edit inserting 64 K characters of the
 * bench's generated CUDA into examples/tiled_matmul.cu, then its analysis: 58-81 ms; 32 K: 20-44 ms, 4 runs
 * each), and more for junk (a 1 MB `a+a+...` line: its parse is cut at the 1 s budget). Waiting for a
 * paste this large only spends the 45 ms before the stale answer comes anyway; the client is asked to
 * refresh once the analysis is in, as after any early answer.
 */
export const NO_WAIT_INSERTED_CHARS = 65_536;

/** How long a request waits for the analysis of its version after edits that inserted `insertedChars` characters since the analysed one. */
export function requestWaitMs(insertedChars: number): number {
  return insertedChars > NO_WAIT_INSERTED_CHARS ? 0 : REQUEST_WAIT_MS;
}

/** Delay between the last edit of a document and its diagnostics: long enough to coalesce a burst of keystrokes. */
export const DIAGNOSTICS_DEBOUNCE_MS = 150;

/**
 * The delay for a document whose last analysis took `lastComputeMs`: a file that takes long to analyse
 * (broken code the parser struggles with, a huge file) waits for a longer pause, so that typing in it
 * does not keep the one thread busy with diagnostics that the next keystroke makes stale.
 */
export function diagnosticsDelayMs(lastComputeMs: number): number {
  return Math.min(2000, Math.max(DIAGNOSTICS_DEBOUNCE_MS, 2 * lastComputeMs));
}

/** One pending diagnostics run per document; a new edit restarts its delay. */
export class DiagnosticsTimer {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly run: (uri: string) => void) {}

  schedule(uri: string, delayMs = DIAGNOSTICS_DEBOUNCE_MS): void {
    this.cancel(uri);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      this.run(uri);
    }, delayMs);
    this.timers.set(uri, timer);
  }

  cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

/** Quiet time after the last message before the server collects its garbage (see IdleCollector). */
export const IDLE_COLLECT_MS = 2000;

/**
 * Runs `collect` (a full garbage collection) once the server has read no message for `quietMs`, as
 * browsers collect in idle time: typing leaves short-lived garbage (reports of outdated versions,
 * prediction records) that V8 would otherwise keep in the heap until the next pressure, about 12 MB of
 * RSS with 20 open files (`npm run bench -- lsp`). Nothing waits on it: a message that arrives during a
 * collection waits at most its pause (a few ms at these heap sizes), and a busy server never collects here.
 */
export class IdleCollector {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly collect: () => void,
    private readonly quietMs = IDLE_COLLECT_MS,
  ) {}

  /** A message was read: postpone the collection. */
  activity(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.collect();
    }, this.quietMs);
    this.timer.unref();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
