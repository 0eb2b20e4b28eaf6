// The `tilecast` command line: parses the sub-command and hands over to one module per command
// under commands/, with every stream behind the terminal-safe output boundary. It holds no analysis
// or prediction logic of its own.
import { existsSync } from 'node:fs';
import type { CliCommand, CliStreams } from './command';
import { escapeControlCharacters, TerminalSafeStream } from './terminal-output';

// One entry per sub-command; each module exports `command: CliCommand`.
const commandLoaders: Record<string, () => Promise<{ command: CliCommand }>> = {
  analyze: () => import('./commands/analyze'),
  occupancy: () => import('./commands/occupancy'),
  gpus: () => import('./commands/gpus'),
  predict: () => import('./commands/predict'),
  harness: () => import('./commands/harness'),
  profile: () => import('./commands/profile'),
};

function usage(): string {
  const names = Object.keys(commandLoaders).sort();
  return [
    'usage: tilecast <command> [options]',
    '       tilecast [analyze options] FILE...',
    '',
    'commands:',
    ...names.map((name) => `  ${name}`),
    '',
    'A file path or an option as the first argument means `tilecast analyze ...`.',
    "Run `tilecast <command> --help` for a command's options.",
  ].join('\n');
}

/** The process's real output streams, and whether stdout is a terminal. */
export interface ProcessOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdoutIsTerminal: boolean;
}

function processOutput(): ProcessOutput {
  return { stdout: process.stdout, stderr: process.stderr, stdoutIsTerminal: process.stdout.isTTY === true };
}

/** A word that is neither a command nor an existing path, and looks like neither a path nor a source file. */
function looksLikeCommand(word: string): boolean {
  return /^[a-z][a-z-]*$/i.test(word) && !existsSync(word);
}

async function dispatch(argv: string[], streams: CliStreams): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    streams.stderr.write(`${usage()}\n`);
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    // `tilecast help CMD` is `tilecast CMD --help`.
    if (first === 'help' && rest.length > 0 && rest[0] in commandLoaders) return dispatch([rest[0], '--help'], streams);
    streams.stdout.write(`${usage()}\n`);
    return 0;
  }
  let name = first;
  let args = rest;
  if (!(first in commandLoaders)) {
    if (looksLikeCommand(first)) {
      streams.stderr.write(
        `tilecast: unknown command '${first}' (and no such file); commands: ${Object.keys(commandLoaders).sort().join(', ')} (see 'tilecast --help')\n`,
      );
      return 2;
    }
    // `tilecast [OPTIONS] FILE...` is short for `tilecast analyze [OPTIONS] FILE...`, options first or last.
    name = 'analyze';
    args = argv;
  }
  const { command } = await commandLoaders[name]();
  return command.run(args, streams);
}

/**
 * Runs `tilecast` with `argv` (without node and the script) and returns the exit code. Whatever the
 * commands print goes through TerminalSafeStream; CSV on stdout stays byte for byte unless stdout is a terminal.
 */
export async function main(argv: string[], output: ProcessOutput = processOutput()): Promise<number> {
  const stdout = new TerminalSafeStream(output.stdout);
  const stderr = new TerminalSafeStream(output.stderr);
  const streams: CliStreams = { stdout, stderr, dataOut: output.stdoutIsTerminal ? stdout : output.stdout };
  try {
    return await dispatch(argv, streams);
  } catch (error) {
    stderr.write(`tilecast: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await Promise.all([stdout.flushed(), stderr.flushed()]);
  }
}

if (
  require.main === module ||
  process.env.TILECAST_CLI_MAIN === '1' ||
  /cli\.js$/.test(process.argv[1] ?? '') ||
  /tilecast(\.js)?$/.test(process.argv[1] ?? '')
) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(escapeControlCharacters(`tilecast: ${error instanceof Error ? error.message : String(error)}\n`));
      process.exitCode = 1;
    },
  );
}
