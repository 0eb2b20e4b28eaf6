// `tilecast harness FILE --line N --out DIR [--gpu ID] [--sweep]`: writes the benchmark harness of one
// launch (or a tile sweep) to DIR and prints the exact build and run commands, so it can be inspected
// and run by hand. Writes files only; builds and runs nothing (that is `tilecast profile`).
import { resolve } from 'node:path';
import { commandText } from '../../profile/index';
import { writeHarness } from '../../platform/profile-kernel';
import { formatFlags, parseArgs, type FlagSpec } from '../args';
import type { CliCommand } from '../command';
import { HARNESS_FLAGS, prepareHarness } from './harness-request';

const flags: Record<string, FlagSpec> = {
  out: { type: 'string', description: 'directory to write the harness to (created)' },
  ...HARNESS_FLAGS,
  help: { type: 'boolean', description: 'show this help' },
};

const help = `usage: tilecast harness FILE --line N --out DIR [--gpu ID] [--sweep]\n\nWrites a standalone benchmark of the launch at line N (CUDA: harness.cu + Makefile + run.sh; Triton: harness.py + run.sh)\nthat prints tilecast-profile/1 JSON lines, and prints how to build and run it.\n\n${formatFlags(flags)}\n`;

export const command: CliCommand = {
  name: 'harness',
  summary: 'write the benchmark harness of a kernel launch (or a tile sweep)',
  async run(argv, { stdout, stderr }) {
    const parsed = parseArgs(argv, flags);
    if (!parsed.ok) {
      stderr.write(`tilecast harness: ${parsed.error}\n\n${help}`);
      return 2;
    }
    if (parsed.args.flags.help) {
      stdout.write(help);
      return 0;
    }
    const out = parsed.args.flags.out as string | undefined;
    if (!out) {
      stderr.write(`tilecast harness: --out DIR is required\n\n${help}`);
      return 2;
    }
    const prepared = await prepareHarness(parsed.args);
    if (!prepared.ok) {
      stderr.write(`tilecast harness: ${prepared.error}\n${prepared.usage ? `\n${help}` : ''}`);
      return prepared.usage ? 2 : 1;
    }
    const { bundle, kernelName } = prepared.result;
    const dir = resolve(out);
    writeHarness(bundle, dir, prepared.path, prepared.included);
    const commands = commandText(bundle, dir);
    stdout.write(`wrote ${dir}: ${bundle.files.map((f) => f.path).join(', ')}\n`);
    stdout.write(
      `kernel ${kernelName} (line ${prepared.line}), ${bundle.configs.length} configuration${bundle.configs.length === 1 ? '' : 's'}${bundle.language === 'cuda' ? `, built for ${prepared.arch}` : ''}\n`,
    );
    for (const c of bundle.configs) if (bundle.configs.length > 1) stdout.write(`  ${c.dir}: ${c.label}\n`);
    for (const s of bundle.skipped) stdout.write(`  skipped ${s.label}: ${s.reason}\n`);
    if (commands.build) stdout.write(`build: ${commands.build}\n`);
    stdout.write(`run:   ${commands.run}\n`);
    return 0;
  },
};
