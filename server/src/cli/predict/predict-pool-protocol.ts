// Messages between `tilecast predict --batch` and its prediction workers. A chunk travels as the raw text
// of its records joined by '\n' (re-split by the worker: records are complete, so the split is the same)
// plus each record's line number; the reply is the chunk's rendered output lines. No I/O.

export interface WorkerSetup {
  modelsDir: string;
  /** The input's header cells (the worker maps columns itself). */
  header: string[];
  /** Measurement method of rows without a method column value (--method). */
  method?: 'kernel' | 'pytorch-eager' | 'triton-do-bench';
}

export interface ChunkRequest {
  id: number;
  text: string;
  /** 1-based input line of each record, for messages. */
  lines: Int32Array;
}

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'failed'; error: string }
  | { kind: 'result'; id: number; text: string; predicted: number; failed: number }
  | { kind: 'chunk-failed'; id: number; error: string };
