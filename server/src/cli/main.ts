// The `tilecast` command line: parses the sub-command and hands over to one module per command
// under commands/. It holds no analysis or prediction logic of its own.
import type { CliCommand } from './command';

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
    '',
    'commands:',
    ...names.map((name) => `  ${name}`),
    '',
    'A file path as the first argument means `tilecast analyze FILE...`.',
    'Run `tilecast <command> --help` for a command\'s options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (!(name in commandLoaders) && commandLoaders.analyze && !name.startsWith('-')) {
    // `tilecast FILE...` is short for `tilecast analyze FILE...`.
    rest = [name, ...rest];
    name = 'analyze';
  }
  const load = commandLoaders[name];
  if (!load) {
    process.stderr.write(`tilecast: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const { command } = await load();
  return command.run(rest, { stdout: process.stdout, stderr: process.stderr });
}

if (require.main === module || process.env.TILECAST_CLI_MAIN === '1' || /cli\.js$/.test(process.argv[1] ?? '') || /tilecast(\.js)?$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      process.stderr.write(`tilecast: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
