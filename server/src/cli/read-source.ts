// Reads a source file for the CLI: size-capped, decoded as UTF-8 with replacement characters, so
// that binary or huge files reach the analysis as a clear problem instead of an exception.
import { readFile, stat } from 'node:fs/promises';

/** Files above this size are not read at all; the analysis core has its own, smaller cap. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

export type ReadResult = { ok: true; text: string } | { ok: false; error: string };

export async function readSourceFile(path: string): Promise<ReadResult> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { ok: false, error: `${path} is a directory` };
    if (info.size > MAX_READ_BYTES) return { ok: false, error: `${path} is ${info.size} bytes; files over ${MAX_READ_BYTES} bytes are not analysed` };
    const bytes = await readFile(path);
    return { ok: true, text: new TextDecoder('utf-8', { fatal: false }).decode(bytes) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, error: `${path}: no such file` };
    if (code === 'EACCES') return { ok: false, error: `${path}: permission denied` };
    return { ok: false, error: `${path}: ${error instanceof Error ? error.message : String(error)}` };
  }
}
