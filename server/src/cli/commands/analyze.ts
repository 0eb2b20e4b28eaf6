// `tilecast analyze FILE... [--json]`: reads each file, runs the analysis core and prints what it
// found. Thin: reading files and formatting flags only; analysis and rendering live in the core.
import { analyzeSource, languageForPath } from '../../analysis/index';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../analysis/types';
import { loadGrammars } from '../../platform/grammars';
import { ANALYZE_JSON_VERSION, fileAnalysisToJson, unreadableFileJson, type AnalyzeJsonFile } from '../../report/analysis-json';
import { renderAnalysisText } from '../../report/analysis-text';
import { formatFlags, parseArgs, type FlagSpec } from '../args';
import type { CliCommand } from '../command';
import { readSourceFile } from '../read-source';

const flags: Record<string, FlagSpec> = {
  json: { type: 'boolean', description: 'print the versioned JSON contract (docs/cli.md) instead of text' },
  help: { type: 'boolean', description: 'show this help' },
};

const help = `usage: tilecast analyze FILE... [--json]\n\nFinds kernels, launch sites, tile parameters and library GEMM calls in CUDA (.cu, .cuh) and Triton (.py) files.\n\n${formatFlags(flags)}\n`;

export const command: CliCommand = {
  name: 'analyze',
  summary: 'find kernels, launches and tile parameters in source files',
  async run(argv, { stdout, stderr }) {
    const parsed = parseArgs(argv, flags);
    if (!parsed.ok) {
      stderr.write(`tilecast analyze: ${parsed.error}\n\n${help}`);
      return 2;
    }
    if (parsed.args.flags.help) {
      stdout.write(help);
      return 0;
    }
    const paths = parsed.args.positional;
    if (paths.length === 0) {
      stderr.write(`tilecast analyze: no files given\n\n${help}`);
      return 2;
    }
    const grammars = await loadGrammars();
    const files: AnalyzeJsonFile[] = [];
    let unreadable = 0;
    for (const path of paths) {
      const read = await readSourceFile(path);
      if (!read.ok) {
        unreadable++;
        files.push(unreadableFileJson(path, read.error));
        continue;
      }
      const language = languageForPath(path, read.text);
      if (!language) {
        files.push(unreadableFileJson(path, `${path}: not a CUDA (.cu, .cuh) or Triton (.py importing triton) file`));
        continue;
      }
      const analysis = analyzeSource(grammars, language, read.text, DEFAULT_ANALYSIS_OPTIONS);
      files.push(fileAnalysisToJson(path, read.text, analysis));
    }
    if (parsed.args.flags.json) stdout.write(JSON.stringify({ version: ANALYZE_JSON_VERSION, files }, null, 2) + '\n');
    else for (const file of files) stdout.write(renderAnalysisText(file));
    // Exit 1 only when no file could be read at all; analysis problems are results, not failures.
    return unreadable === paths.length ? 1 : 0;
  },
};
