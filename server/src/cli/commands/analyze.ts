// `tilecast analyze FILE... [--json]`: reads each file, runs the analysis core and prints what it
// found. Thin: reading files and formatting flags only; analysis and rendering live in the core.
import { analyzeSource, languageForPath } from '../../analysis/index';
import { databaseIncludeDirs } from '../../platform/compile-commands';
import { readIncludes } from '../../platform/includes';
import { readImports } from '../../platform/python-imports';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../analysis/types';
import { loadGrammars } from '../../platform/grammars';
import { ANALYZE_JSON_VERSION, fileAnalysisToJson, unreadableFileJson, type AnalyzeJsonFile } from '../../report/analysis-json';
import { renderAnalysisText } from '../../report/analysis-text';
import { archOf, type ArchResources } from '../../report/analysis-features';
import { attachReports } from '../analyze-reports';
import { isMeasurementMethod, MEASUREMENT_METHODS } from '../../data/timing-overhead';
import type { GemmPredictor } from '../../report/prediction';
import { resolveGpu } from '../../perf/gpu-catalogue';
import type { GpuSpec } from '../../perf/types';
import { argumentError, formatFlags, parseArgs, type FlagSpec } from '../args';
import type { CliCommand } from '../command';
import { readSourceFile } from '../read-source';
import { dirname, resolve } from 'node:path';

const flags: Record<string, FlagSpec> = {
  json: { type: 'boolean', description: 'print the versioned JSON contract (docs/cli.md) instead of text' },
  gpu: { type: 'list', description: 'GPU (catalogue id or name) to compute features and predictions for; repeatable' },
  ptxas: {
    type: 'boolean',
    description: "with --gpu: compile CUDA files with nvcc/ptxas for each GPU's architecture to measure registers and shared memory (default: estimate)",
  },
  models: { type: 'string', description: 'directory holding runtime.tcmf and power.tcmf (default: the shipped models)' },
  include: {
    type: 'list',
    description:
      "folder searched for #include headers after the including file's own, like -I (also for <...> includes), and for a Triton file's absolute imports; repeatable",
  },
  'compile-commands-dir': {
    type: 'string',
    description:
      'folder whose compile_commands.json gives the include folders (like clangd); default: the nearest one at or above each file, or in a build/ folder there',
  },
  method: { type: 'string', description: `with --gpu: how the runtime is measured: ${MEASUREMENT_METHODS.join(' | ')} (default kernel: CUDA events / graphs)` },
  help: { type: 'boolean', description: 'show this help' },
};

const help = `usage: tilecast analyze FILE... [--json] [--gpu ID]... [--ptxas] [--method M] [--include DIR]... [--compile-commands-dir DIR]\n\nFinds kernels, launch sites, tile parameters and library GEMM calls in CUDA (.cu, .cuh) and Triton (.py) files.\n\n${formatFlags(flags)}\n`;

export const command: CliCommand = {
  name: 'analyze',
  summary: 'find kernels, launches and tile parameters in source files',
  async run(argv, { stdout, stderr }) {
    const parsed = parseArgs(argv, flags);
    if (!parsed.ok) {
      stderr.write(argumentError('analyze', parsed.error));
      return 2;
    }
    if (parsed.args.flags.help) {
      stdout.write(help);
      return 0;
    }
    const paths = parsed.args.positional;
    if (paths.length === 0) {
      stderr.write(argumentError('analyze', 'no files given'));
      return 2;
    }
    const gpus: GpuSpec[] = [];
    for (const name of (parsed.args.flags.gpu as string[] | undefined) ?? []) {
      const resolved = resolveGpu(name);
      if (!resolved.ok) {
        stderr.write(`tilecast analyze: ${resolved.error}\n`);
        return 2;
      }
      if (!gpus.some((g) => g.id === resolved.gpu.id)) gpus.push(resolved.gpu);
    }
    const method = parsed.args.flags.method as string | undefined;
    if (method !== undefined && !isMeasurementMethod(method)) {
      stderr.write(argumentError('analyze', `--method must be one of ${MEASUREMENT_METHODS.join(', ')}, got '${method}'`));
      return 2;
    }
    if (parsed.args.flags.ptxas && gpus.length === 0) {
      stderr.write(argumentError('analyze', '--ptxas needs --gpu ID (the architecture to compile for)'));
      return 2;
    }
    const predictor = gpus.length > 0 ? await loadPredictorQuietly(parsed.args.flags.models as string | undefined, stderr) : undefined;
    const includeDirs = ((parsed.args.flags.include as string[] | undefined) ?? []).map((dir) => resolve(dir));
    const databaseDir = (parsed.args.flags['compile-commands-dir'] as string | undefined) ?? null;
    const grammars = await loadGrammars();
    const files: AnalyzeJsonFile[] = [];
    const failures: string[] = [];
    let somethingToPredict = false;
    for (const path of paths) {
      const read = await readSourceFile(path);
      if (!read.ok) {
        failures.push(read.error);
        files.push(unreadableFileJson(path, read.error));
        continue;
      }
      const language = languageForPath(path, read.text);
      if (!language) {
        const error = `${path}: not a CUDA (.cu, .cuh) file, nor Python with Triton or with PyTorch GEMMs on tensors it creates`;
        failures.push(error);
        files.push(unreadableFileJson(path, error));
        continue;
      }
      // The user's own headers (`#include "..."`, beside the file) lend it their constants and kernels.
      // Include folders: --include, then those compile_commands.json gives this file (platform/compile-commands.ts).
      // A Triton file's local imported modules lend it their kernels (--include: folders for absolute imports).
      const dirs = language === 'cuda' ? [...includeDirs, ...databaseIncludeDirs(path, null, databaseDir)] : includeDirs;
      const headers = language === 'cuda' ? readIncludes(path, read.text, { includeDirs: dirs }) : readImports(path, read.text, { searchDirs: dirs });
      const analysis = analyzeSource(grammars, language, read.text, DEFAULT_ANALYSIS_OPTIONS, headers);
      const json = fileAnalysisToJson(path, read.text, analysis);
      somethingToPredict ||= analysis.kernels.length + analysis.launches.length + analysis.libraryCalls.length > 0;
      if (gpus.length > 0) {
        const measured = parsed.args.flags.ptxas && language === 'cuda' ? await measureAll(read.text, path, gpus, dirs) : undefined;
        attachReports(json, read.text, analysis, { gpus, measured, predictor, defaultProblem: DEFAULT_ANALYSIS_OPTIONS.defaultProblem, method });
      }
      files.push(json);
    }
    if (parsed.args.flags.json) stdout.write(JSON.stringify({ version: ANALYZE_JSON_VERSION, files }, null, 2) + '\n');
    else for (const file of files) stdout.write(renderAnalysisText(file));
    // Every file that could not be analysed is named on stderr too (stdout may be JSON read by a program),
    // and makes the exit code 1, as with cat or grep; the other files are still analysed. Analysis problems
    // (code that does not parse, values that do not fold) are results, not failures.
    for (const failure of failures) stderr.write(`tilecast analyze: ${failure}\n`);
    // A newcomer's first run (`tilecast kernel.cu`) says how to get the predictions the tool is for.
    if (gpus.length === 0 && somethingToPredict && !parsed.args.flags.json)
      stderr.write('tilecast analyze: no GPU given, so no predictions: add --gpu ID (e.g. --gpu rtx-4090; `tilecast gpus` lists them)\n');
    return failures.length > 0 ? 1 : 0;
  },
};

/** The shipped models, or undefined (with a note on stderr) when they cannot be loaded: features still print. */
async function loadPredictorQuietly(modelsDir: string | undefined, stderr: NodeJS.WritableStream): Promise<GemmPredictor | undefined> {
  let loaded: { ok: true; predictor: GemmPredictor } | { ok: false; error: string };
  try {
    const { loadShippedPredictor } = await import('../../platform/models');
    loaded = await loadShippedPredictor(modelsDir);
  } catch (error) {
    loaded = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (loaded.ok) return loaded.predictor;
  stderr.write(`tilecast analyze: no predictions (${loaded.error})\n`);
  return undefined;
}

/** ptxas results per distinct architecture of the selected GPUs (the user asked for them with --ptxas). */
async function measureAll(text: string, path: string, gpus: readonly GpuSpec[], includeDirs: readonly string[]): Promise<Map<string, ArchResources>> {
  const { measureKernelResources } = await import('../../platform/ptxas');
  const out = new Map<string, ArchResources>();
  for (const gpu of gpus) {
    const arch = archOf(gpu.computeCapability);
    if (!arch || out.has(arch)) continue;
    const result = await measureKernelResources(text, { arch, includeDirs: [dirname(resolve(path)), ...includeDirs] });
    out.set(arch, result.ok ? { ok: true, kernels: result.kernels } : { ok: false, error: result.error.split('\n')[0].slice(0, 300) });
  }
  return out;
}
