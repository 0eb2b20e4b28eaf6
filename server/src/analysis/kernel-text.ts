// The text of a kernel's definition, wherever it lies: in the analysed file, or in a header the file
// includes (KernelInfo.header). Readers of a kernel's body go through this so that an included kernel
// is never read at its header offsets in the file's text. Pure.
import type { KernelInfo } from './types';

/**
 * `kernel`'s text from `from` to `to` (default: its whole definition), read from `text` or from its header;
 * before the definition, at most as far back as the header's text was kept (HEAD_CHARS in cuda/headers.ts).
 */
export function kernelText(text: string, kernel: KernelInfo, from = kernel.range.start, to = kernel.range.end): string {
  if (!kernel.header) return text.slice(Math.max(0, from), to);
  const { text: source, offset } = kernel.header;
  return source.slice(Math.max(0, from - offset), Math.max(0, to - offset));
}
