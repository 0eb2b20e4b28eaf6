// When analysis runs. Two pieces, no threads:
// - Inbox sees every message as it is read from the client, before the connection dispatches it, so a
//   request whose document already has a newer change waiting is answered "content modified" at once
//   instead of analysing a version that is already outdated;
// - DiagnosticsTimer publishes diagnostics for a document only after its edits pause (debounce), and
//   skips the run when a newer change is waiting.
// It must not analyse anything itself: callers pass the work in.
import type { Message, NotificationMessage } from 'vscode-languageserver/node';

/** Latest document versions as received (read from the stream), ahead of those dispatched. */
export class Inbox {
  private readonly received = new Map<string, number>();

  observe(message: Message): void {
    const notification = message as NotificationMessage;
    if (typeof notification.method !== 'string') return;
    const params = notification.params as { textDocument?: { uri?: unknown; version?: unknown } } | undefined;
    const uri = params?.textDocument?.uri;
    const version = params?.textDocument?.version;
    if (typeof uri !== 'string') return;
    if (notification.method === 'textDocument/didClose') this.received.delete(uri);
    else if ((notification.method === 'textDocument/didChange' || notification.method === 'textDocument/didOpen') && typeof version === 'number') {
      this.received.set(uri, version);
    }
  }

  /** Whether a change of `uri` newer than `version` has been read but not yet applied. */
  hasNewerThan(uri: string, version: number): boolean {
    const received = this.received.get(uri);
    return received !== undefined && received !== version;
  }
}

/** Delay between the last edit of a document and its diagnostics: long enough to coalesce a burst of keystrokes. */
export const DIAGNOSTICS_DEBOUNCE_MS = 150;

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
