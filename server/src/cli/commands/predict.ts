// `tilecast predict`: runtime, power and energy (with intervals) of one GEMM given by flags, or of every
// row of a CSV (--batch IN.csv --out OUT.csv). Thin: flags and files here; rules in report/, streaming in predict/.
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CLBLAST_TUNABLES } from '../../perf/library-tiles';
import { analyticEstimate } from '../../perf/analytic-model';
import { CONFIG_COLUMNS, mapColumns, parseWholeNumber, QUANTIZATION_SCHEMES, RowInterpreter } from '../../report/predict-rows';
import { renderSinglePredictionText, singlePredictionJson, type GemmPredictor } from '../../report/prediction';
import { argumentError, formatFlags, parseArgs, type FlagSpec } from '../args';
import type { CliCommand, CliStreams } from '../command';
import { predictCsvStream } from '../predict/batch-csv';
import { workerPool } from '../predict/predict-pool';
import { predictTopK } from '../predict/top-k';
import { isMeasurementMethod, MEASUREMENT_METHODS, type MeasurementMethod } from '../../data/timing-overhead';
import { QUANT_WRAPPERS } from '../../perf/types';

/** `modelsDir`: where the models came from, so worker threads can load the same files (absent for fakes). */
export type PredictorLoad = { ok: true; predictor: GemmPredictor; modelsDir?: string } | { ok: false; error: string };

export interface PredictDeps {
  /** Loads the shipped models (or a test fake); `modelsDir` from --models. */
  loadPredictor(modelsDir: string | undefined): Promise<PredictorLoad>;
  /** Standard input for `--batch -`. */
  stdin?: Readable;
}

const configFlag = (column: string) => column.replace(/_/g, '-');

const flags: Record<string, FlagSpec> = {
  gpu: { type: 'string', description: 'GPU: catalogue id or any alias, e.g. h100-sxm, "NVIDIA A100-SXM4-80GB" (see `tilecast gpus`)' },
  dtype: { type: 'string', description: 'fp32 | tf32 | fp16 | bf16 | fp8 | int8 | fp4' },
  m: { type: 'string', description: 'rows of A and C' },
  n: { type: 'string', description: 'columns of B and C' },
  k: { type: 'string', description: 'reduction dimension' },
  batch: { type: 'string', description: 'batch count (default 1); or a CSV file to predict row by row (`-` = stdin)' },
  kernel: { type: 'string', description: 'library (default) | tiled | triton | clblast-xgemm | cutlass | naive' },
  quantization: {
    type: 'string',
    description: `quantisation scheme of a low-precision GEMM: ${Object.keys(QUANTIZATION_SCHEMES).join(' | ')} (default none: a plain GEMM)`,
  },
  'quant-wrapper': {
    type: 'string',
    description: `the framework op timed around a quantised GEMM: ${QUANT_WRAPPERS.join(' | ')} (default none: the GEMM kernel timed alone)`,
  },
  ...Object.fromEntries(
    CONFIG_COLUMNS.map(([column]) => [configFlag(column), { type: 'string', description: `tile config: ${column} (not for clblast-xgemm)` } as FlagSpec]),
  ),
  ...Object.fromEntries(
    CLBLAST_TUNABLES.map((name) => [name, { type: 'string', description: `CLBlast Xgemm tunable ${name} (kernel clblast-xgemm)` } as FlagSpec]),
  ),
  out: { type: 'string', description: 'with --batch FILE: write the result CSV here (default or `-`: stdout)' },
  models: { type: 'string', description: 'directory holding runtime.tcmf and power.tcmf (default: the shipped models)' },
  workers: { type: 'string', description: 'with --batch: prediction threads (default: one per CPU, at most 8; 0 = predict on the main thread)' },
  method: {
    type: 'string',
    description: `how the runtime is measured: ${MEASUREMENT_METHODS.join(' | ')} (default kernel: CUDA events / graphs); a CSV's method column overrides it per row`,
  },
  top: {
    type: 'string',
    description: 'with --batch CONFIGS.csv: write only the K predicted fastest candidates of each problem, ranked (columns rank, near_tie)',
  },
  json: { type: 'boolean', description: 'single prediction as JSON' },
  help: { type: 'boolean', description: 'show this help' },
};

const help = `usage: tilecast predict --gpu ID --dtype DTYPE --m M --n N --k K [--batch B] [--kernel FAMILY] [--quantization Q [--quant-wrapper W]] [config flags] [--method M] [--json]
       tilecast predict --batch IN.csv [--out OUT.csv] [--workers N] [--method M]
       tilecast predict --batch CONFIGS.csv --top K [--out OUT.csv] [--method M]

Predicts runtime (ms), power (W) and energy (mJ) of a GEMM C[m,n] = A[m,k] x B[k,n] on a GPU, with
intervals, from the shipped random-forest models; the analytic estimate is shown for reference.
IN.csv needs columns gpu, dtype, m, n, k; optional batch, kernel, method, quantization, quant_wrapper and config columns (block_m ...
vector_width, or the 14 CLBlast tunables MWG ... SB). OUT.csv repeats every input column and adds
runtime_ms, runtime_lo_ms, runtime_hi_ms, power_w, power_lo_w, power_hi_w, energy_mj, error, analytic_ms,
extrapolating. See docs/cli.md.

${formatFlags(flags)}
`;

const SINGLE_FLAGS = [
  'gpu',
  'dtype',
  'm',
  'n',
  'k',
  'kernel',
  'quantization',
  'quant-wrapper',
  'json',
  ...CONFIG_COLUMNS.map(([c]) => configFlag(c)),
  ...CLBLAST_TUNABLES,
];

async function defaultLoadPredictor(modelsDir: string | undefined): Promise<PredictorLoad> {
  const { loadShippedPredictor } = await import('../../platform/models');
  const loaded = await loadShippedPredictor(modelsDir);
  return loaded.ok ? { ok: true, predictor: loaded.predictor, modelsDir: loaded.dir } : loaded;
}

function endStream(stream: Writable): Promise<void> {
  return new Promise((resolveEnd, reject) => {
    stream.once('error', reject);
    stream.end(() => resolveEnd());
  });
}

async function runBatch(
  path: string,
  out: string | undefined,
  modelsDir: string | undefined,
  workers: number,
  { stdout, stderr, dataOut }: CliStreams,
  deps: PredictDeps,
  how: { method?: MeasurementMethod; top?: number },
): Promise<number> {
  const toStdout = out === undefined || out === '-';
  if (!toStdout && path !== '-' && resolve(path) === resolve(out)) {
    stderr.write(`tilecast predict: --out would overwrite the input ${path}\n`);
    return 2;
  }
  let input: Readable;
  let closeInput = async () => {};
  if (path === '-') {
    if (!deps.stdin) {
      stderr.write('tilecast predict: no standard input to read\n');
      return 1;
    }
    input = deps.stdin;
  } else {
    try {
      const handle = await open(path, 'r');
      if ((await handle.stat()).isDirectory()) {
        await handle.close();
        stderr.write(`tilecast predict: ${path} is a directory\n`);
        return 1;
      }
      input = handle.createReadStream({ encoding: 'utf8', highWaterMark: 256 * 1024 });
      closeInput = async () => {
        input.destroy();
      };
    } catch (error) {
      stderr.write(`tilecast predict: cannot read ${path}: ${describeError(error)}\n`);
      return 1;
    }
  }
  const loaded = await deps.loadPredictor(modelsDir);
  if (!loaded.ok) {
    await closeInput();
    stderr.write(`tilecast predict: ${loaded.error}\n`);
    return 1;
  }
  let output: Writable = (dataOut ?? stdout) as Writable;
  if (!toStdout) {
    try {
      output = (await open(out!, 'w')).createWriteStream({ highWaterMark: 256 * 1024 });
    } catch (error) {
      await closeInput();
      stderr.write(`tilecast predict: cannot write ${out}: ${describeError(error)}\n`);
      return 1;
    }
  }
  if (how.top !== undefined) {
    try {
      const top = await predictTopK(input, output, loaded.predictor, how.top, { inputName: path === '-' ? 'standard input' : path, method: how.method });
      if (!toStdout) await endStream(output);
      if (!top.ok) {
        stderr.write(`tilecast predict: ${top.error}\n`);
        return 1;
      }
      for (const g of top.groups)
        stderr.write(
          `tilecast predict: ${g.group}: ${g.candidates} candidates, ${g.nearTies} within the interval of the predicted fastest; try the top ${Math.min(how.top, g.candidates)}\n`,
        );
      stderr.write(`tilecast predict: ${top.rows} rows, ${top.predicted} predicted, ${top.written} written\n`);
      return 0;
    } catch (error) {
      if (!toStdout) output.destroy();
      stderr.write(`tilecast predict: ${describeError(error)}\n`);
      return 1;
    } finally {
      await closeInput();
    }
  }
  const pool = workers > 0 && loaded.modelsDir ? workerPool(loaded.modelsDir, workers, undefined, how.method) : null;
  try {
    const result = await predictCsvStream(input, output, loaded.predictor, {
      inputName: path === '-' ? 'standard input' : path,
      runner: pool?.create,
      method: how.method,
    });
    if (!toStdout) await endStream(output);
    if (!result.ok) {
      stderr.write(`tilecast predict: ${result.error}\n`);
      return 1;
    }
    const s = result.summary;
    if (s.ignoredColumns.length > 0) stderr.write(`tilecast predict: columns not used (copied through): ${s.ignoredColumns.map((c) => `'${c}'`).join(', ')}\n`);
    stderr.write(`tilecast predict: ${s.rows} row${s.rows === 1 ? '' : 's'}, ${s.predicted} predicted, ${s.failed} not (see the error column)\n`);
    if (pool?.stats.fallback && s.rows > 8192)
      stderr.write(`tilecast predict: worker threads unavailable (${pool.stats.fallback}); predicted on the main thread\n`);
    return 0;
  } catch (error) {
    if (!toStdout) output.destroy();
    stderr.write(`tilecast predict: ${describeError(error)}\n`);
    return 1;
  } finally {
    await closeInput();
    await pool?.close();
  }
}

function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file or directory';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}

async function runSingle(given: Record<string, string | boolean | string[] | undefined>, { stdout, stderr }: CliStreams, deps: PredictDeps): Promise<number> {
  const fail = (message: string) => {
    stderr.write(argumentError('predict', message));
    return 2;
  };
  for (const name of ['gpu', 'dtype', 'm', 'n', 'k']) if (given[name] === undefined) return fail(`--${name} is required (or --batch FILE.csv)`);
  // The flags become one CSV row, so a single prediction follows exactly the batch rules.
  const header = ['gpu', 'dtype', 'm', 'n', 'k', 'batch', 'kernel', 'quantization'];
  const cells = header.map((name) => (given[name] as string | undefined) ?? '');
  header.push('quant_wrapper');
  cells.push((given['quant-wrapper'] as string | undefined) ?? '');
  for (const [column] of CONFIG_COLUMNS) {
    header.push(column);
    cells.push((given[configFlag(column)] as string | undefined) ?? '');
  }
  for (const name of CLBLAST_TUNABLES) {
    header.push(name);
    cells.push((given[name] as string | undefined) ?? '');
  }
  const mapped = mapColumns(header);
  if (!mapped.ok) return fail(mapped.error);
  const row = new RowInterpreter(mapped.columns).interpret(cells);
  if (!row.ok) return fail(row.error);
  const loaded = await deps.loadPredictor(given.models as string | undefined);
  if (!loaded.ok) {
    stderr.write(`tilecast predict: ${loaded.error}\n`);
    return 1;
  }
  const method = given.method as MeasurementMethod | undefined;
  const values = loaded.predictor.predict(row.workload, row.gpu, method ? { method } : undefined);
  const json = singlePredictionJson(row.workload, row.gpu, values, analyticEstimate(row.workload, row.gpu), loaded.predictor.models);
  stdout.write(given.json ? JSON.stringify(json, null, 2) + '\n' : renderSinglePredictionText(json));
  return values.error || !Number.isFinite(values.runtimeMs) ? 1 : 0;
}

/** Runs the command with injectable dependencies (tests pass a fake predictor). */
export async function runPredict(argv: string[], streams: CliStreams, deps: PredictDeps): Promise<number> {
  const { stdout, stderr } = streams;
  const parsed = parseArgs(argv, flags);
  if (!parsed.ok) {
    stderr.write(argumentError('predict', parsed.error));
    return 2;
  }
  const given = parsed.args.flags;
  if (given.help) {
    stdout.write(help);
    return 0;
  }
  if (parsed.args.positional.length > 0) {
    stderr.write(argumentError('predict', `unexpected argument '${parsed.args.positional[0]}'`));
    return 2;
  }
  const batch = given.batch as string | undefined;
  if (given.method !== undefined && !isMeasurementMethod(given.method)) {
    stderr.write(argumentError('predict', `--method must be one of ${MEASUREMENT_METHODS.join(', ')}, got '${given.method}'`));
    return 2;
  }
  const method = given.method as MeasurementMethod | undefined;
  let top: number | undefined;
  if (given.top !== undefined) {
    top = parseWholeNumber(given.top as string);
    if (!(top >= 1 && top <= 100000)) {
      stderr.write(argumentError('predict', `--top must be a whole number 1..100000, got '${given.top}'`));
      return 2;
    }
  }
  const single = SINGLE_FLAGS.filter((name) => given[name] !== undefined);
  const batchIsFile = batch !== undefined && !/^\s*\+?\d+(\.0*)?\s*$/.test(batch) && (single.length === 0 || given.out !== undefined);
  if (batchIsFile || given.out !== undefined) {
    if (batch === undefined) {
      stderr.write(argumentError('predict', '--out needs --batch IN.csv'));
      return 2;
    }
    if (single.length > 0) {
      stderr.write(argumentError('predict', `--batch FILE reads every workload from the file; drop ${single.map((s) => `--${s}`).join(', ')}`));
      return 2;
    }
    const workers = given.workers === undefined ? Math.min(8, availableParallelism()) : parseWholeNumber(given.workers as string);
    if (!(workers >= 0 && workers <= 64)) {
      stderr.write(argumentError('predict', `--workers must be a whole number 0..64, got '${given.workers}'`));
      return 2;
    }
    return runBatch(batch, given.out as string | undefined, given.models as string | undefined, workers, streams, deps, { method, top });
  }
  if (top !== undefined) {
    stderr.write(argumentError('predict', '--top needs --batch CONFIGS.csv (one candidate configuration per row)'));
    return 2;
  }
  return runSingle(given, streams, deps);
}

export const command: CliCommand = {
  name: 'predict',
  summary: 'predict runtime, power and energy of a GEMM, or of every row of a CSV',
  run(argv, streams) {
    return runPredict(argv, streams, { loadPredictor: defaultLoadPredictor, stdin: process.stdin });
  },
};
