// The shape every `tilecast` sub-command implements. Commands write to the given streams and
// return an exit code; they never call process.exit, so tests can run them in-process.
export interface CliStreams {
  /** Text and JSON for the user; control characters are escaped on the way to a terminal (terminal-output.ts). */
  stdout: NodeJS.WritableStream;
  /** Messages; control characters are escaped (terminal-output.ts). */
  stderr: NodeJS.WritableStream;
  /**
   * Standard output for data that must stay byte for byte (CSV): the raw stdout when it is a file or a pipe,
   * the escaping `stdout` when it is a terminal. Absent in tests: use `stdout`.
   */
  dataOut?: NodeJS.WritableStream;
}

export interface CliCommand {
  name: string;
  summary: string;
  run(args: string[], streams: CliStreams): Promise<number>;
}
