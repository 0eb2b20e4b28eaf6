// The shape every `tilecast` sub-command implements. Commands write to the given streams and
// return an exit code; they never call process.exit, so tests can run them in-process.
export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CliCommand {
  name: string;
  summary: string;
  run(args: string[], streams: CliStreams): Promise<number>;
}
