// Test helper: runs a `tilecast` sub-command in-process with capturing streams and returns its exit
// code and output. For tests only; commands themselves never import it.
import { Writable } from 'node:stream';
import type { CliCommand } from './command';

export class CaptureStream extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export async function runInProcess(command: CliCommand, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const code = await command.run(args, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
