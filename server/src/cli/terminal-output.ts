// The CLI's output boundary: everything `tilecast` prints to a terminal passes through here, so that
// bytes copied from input (CSV cells, --gpu values, file names, source text) cannot move the cursor,
// clear the screen or retitle the window. It changes text only; it must not decide what is printed.
import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';

/**
 * C0 controls except tab and line feed, DEL, and C1 controls. ESC (U+001B) is among them, so no escape
 * sequence survives: `ESC[2J` prints as the visible text `\u001b[2J`.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's job.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Replaces every control character (see above) by its `\u00XX` escape. The escape is also valid inside a
 * JSON string, and JSON.stringify leaves no raw C0 outside its strings, so JSON output stays valid and
 * parses to the same value.
 */
export function escapeControlCharacters(text: string): string {
  CONTROL_CHARACTERS.lastIndex = 0;
  if (!CONTROL_CHARACTERS.test(text)) return text;
  return text.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The reader went away (`tilecast gpus | head -1`): not an error of ours. */
function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/**
 * A writable stream that escapes control characters (escapeControlCharacters) on the way to `target`.
 * When the reader of `target` goes away (EPIPE), the rest of the output is dropped quietly, as other
 * command-line tools do; other write errors are this stream's errors.
 */
export class TerminalSafeStream extends Writable {
  private readonly decoder = new StringDecoder('utf8');
  private readerGone = false;

  constructor(private readonly target: NodeJS.WritableStream) {
    super({ decodeStrings: false });
    target.on('error', (error: Error) => {
      if (isBrokenPipe(error)) this.readerGone = true;
      else this.destroy(error);
    });
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (text.length === 0 || this.readerGone) {
      callback();
      return;
    }
    this.target.write(escapeControlCharacters(text), (error?: Error | null) => {
      if (error && isBrokenPipe(error)) this.readerGone = true;
      callback(this.readerGone ? null : error);
    });
  }

  /** Resolves once everything written so far has been handed to the target (writes complete in order). */
  flushed(): Promise<void> {
    if (this.writableEnded || this.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.write('', () => resolve()));
  }
}
