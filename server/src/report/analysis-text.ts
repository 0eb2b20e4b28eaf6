// Renders `tilecast analyze` results as human-readable text, from the same JSON-shaped data the
// `--json` output uses, so both outputs always agree. Pure: no I/O, no analysis.
import {
  ATTENTION_AS_GEMM,
  ATTENTION_BACKWARD_AS_GEMM,
  NAIVE_BLOCK_ASSUMED,
  TILE_FROM_CUTLASS_DEFAULT,
  TILE_FROM_HEURISTIC,
} from '../perf/workload-from-analysis';
import type { AnalyzeJsonFile, AnalyzeJsonIssue, AnalyzeJsonOutcomes, AnalyzeJsonProblem } from './analysis-json';
import type { PredictionJson } from './analysis-features';
import type { AttentionShape } from '../analysis/types';

function triple(value: [number, number, number] | null): string {
  return value ? `(${value.join(', ')})` : 'unknown';
}

function orUnknown(value: number | string | null): string {
  return value === null ? '?' : String(value);
}

/**
 * The limiter as words: the analytic model's on-chip term ('shared-memory') is shared-memory plus L1
 * traffic; a kernel that reads its operands straight from global memory (no shared arrays) is limited by
 * the L1 part, and calling it shared-memory-bound sent users looking for shared memory it does not have.
 */
export function limiterWords(timeLimiter: string, sharedMemTimeMs: number | null, l1TimeMs: number | null): string {
  return timeLimiter === 'shared-memory' && (l1TimeMs ?? 0) > (sharedMemTimeMs ?? 0) ? 'L1-cache' : timeLimiter;
}

export function renderAnalysisText(file: AnalyzeJsonFile): string {
  const out: string[] = [];
  out.push(`${file.path}${file.language ? ` [${file.language}]` : ''}`);
  if (file.kernels.length === 0 && file.launches.length === 0 && file.libraryCalls.length === 0 && !file.deviceGemms?.length) out.push('  no kernels found');
  for (const kernel of file.kernels) {
    const smem = kernel.staticSharedMemBytes === null ? '?' : `${kernel.staticSharedMemBytes} B`;
    out.push(
      `  kernel ${kernel.name} (line ${kernel.line}): ${kernel.kind}, dtype ${orUnknown(kernel.dtype)}, static smem ${smem}, tensor cores ${kernel.tensorCores}`,
    );
    if (kernel.kindReason) out.push(`    why: ${kernel.kindReason}`);
    kernel.configs.forEach((config, i) => {
      const params = Object.entries(config)
        .filter(([name]) => name !== 'line')
        .map(([name, value]) => `${name}=${orUnknown(value)}`);
      out.push(`    config #${i + 1} (line ${config.line}): ${params.join(' ')}`);
      out.push(...configLines(kernel.configResults?.[i]));
    });
  }
  for (const launch of file.launches) {
    out.push(
      // An autotuned launch's grid and block depend on the config: these are the first's, each pick's below.
      `  launch ${launch.kernel}${launch.kernelHeader ? ` (kernel in ${launch.kernelHeader})` : ''} (line ${launch.line}): grid ${triple(launch.grid)}, block ${triple(launch.block)}${launch.pickedConfig ? ' with config #1' : ''}, dynamic smem ${orUnknown(launch.dynamicSharedMemBytes)}`,
    );
    // A launch of a kernel this file shows is not a GEMM has no M, N, K to assume.
    const kernels = launch.kernelHeader ? [] : file.kernels.filter((kernel) => kernel.name === launch.kernel);
    if (kernels.length === 0 || kernels.some((kernel) => kernel.kind === 'gemm')) out.push(problemLine(launch.problem));
    const skipped = launch.notTaken;
    if (skipped) out.push(`    not run at this problem size: \`${skipped.condition}\` (line ${skipped.line}) is ${skipped.holds} here`);
    out.push(...featureLines(launch, launch.featuresReason, launch.pickedConfig, launch.dynamicSharedMemBytes));
  }
  for (const device of file.deviceGemms ?? []) {
    const t = device.tile;
    // Threads and stages when the source fixes them (a warp shape, NumStages); else each GPU's estimate picks them.
    const threads = t.threads !== null ? `, ${t.threads} threads` : '';
    const stages = t.stages !== null ? `, ${t.stages} stages` : '';
    out.push(`  ${device.label} (line ${device.line}): tile ${orUnknown(t.blockM)}×${orUnknown(t.blockN)}×${orUnknown(t.blockK)}${threads}${stages}`);
    out.push(problemLine(device.problem));
    out.push(...featureLines(device, undefined));
  }
  for (const call of file.libraryCalls) {
    const batch = call.batch !== null ? ` batch=${call.batch}` : '';
    // The sizes the predictions below assumed (the same on every GPU), as a launch's problem line says them.
    const assumed = Object.values(call.features ?? {})[0]?.assumed.filter((name) => ['m', 'n', 'k', 'batch', 'dtype'].includes(name)) ?? [];
    const assumedWords = assumed.length > 0 ? ` (assumed ${assumed.join(', ')} from the default)` : '';
    out.push(
      `  library ${call.api} (line ${call.line}): M=${orUnknown(call.m)} N=${orUnknown(call.n)} K=${orUnknown(call.k)}${batch} dtype=${orUnknown(call.dtype)}${assumedWords}`,
    );
    out.push(...featureLines(call, call.featuresReason));
  }
  // Triton configs' values are on their config lines above.
  const params = file.tileParams.filter((t) => t.origin !== 'triton-config');
  if (params.length > 0) out.push(`  tile parameters: ${params.map((t) => `${t.name}=${orUnknown(t.value)} (line ${t.line})`).join(', ')}`);
  for (const problem of file.problems) out.push(`  ${problem.severity} (line ${problem.line}): ${problem.message}`);
  return out.join('\n') + '\n';
}

/** Where a problem size's assumed values came from (ProblemSize.source), in words. */
export function problemSourceWords(source: string): string {
  const words: Record<string, string> = {
    code: 'the code',
    annotation: 'a tilecast annotation',
    default: 'the default',
    mixed: 'a tilecast annotation and the default',
  };
  return words[source] ?? source;
}

/** What an attention launch is: `attention`, or `attention backward (7 products per KV block)`. */
export function attentionLabel(a: AttentionShape): string {
  return a.backward ? `attention backward (${a.backward.products} products per KV block)` : 'attention';
}

/** An attention launch's shape in words (CLI text and hovers): `64 batch×heads, seq 2048, head_dim 64, causal`. */
export function attentionWords(a: AttentionShape): string {
  return `${a.batchHeads} batch×heads, seq ${a.seqQ}${a.seqKv !== a.seqQ ? `×${a.seqKv}` : ''}, head_dim ${a.headDim}${a.kvGroup ? `, ${a.kvGroup} query heads per KV head` : ''}${a.causal ? ', causal' : ''}`;
}

/** `problem: M=… N=… K=… [batch=…] dtype=… (assumed … from …)` under a launch or device GEMM. */
function problemLine(p: AnalyzeJsonProblem): string {
  const assumed = p.assumed.length > 0 ? ` (assumed ${p.assumed.join(', ')} from ${problemSourceWords(p.source)})` : '';
  const batch = p.batch !== null ? ` batch=${p.batch}` : '';
  const shape = p.attention ? `${attentionLabel(p.attention)} ${attentionWords(p.attention)}, as ` : '';
  return `    problem: ${shape}M=${orUnknown(p.m)} N=${orUnknown(p.n)} K=${orUnknown(p.k)}${batch} dtype=${orUnknown(p.dtype)}${assumed}`;
}

function sig(value: number | null, digits = 3): string {
  return value === null ? '?' : String(Number(value.toPrecision(digits)));
}

/** The one wording of an extrapolating prediction (issue 9), shared by the CLI text and the editor's hover. */
export function extrapolationText(notes: readonly string[] | undefined): string {
  const why = notes && notes.length > 0 ? notes.slice(0, 3).join('; ') : 'outside the training data';
  return `extrapolating: ${why}; the learned correction is shrunk toward the analytic model, interval widened`;
}

/** A legality finding: `illegal:` when the configuration cannot launch or compile there, else `warning:`. */
function issueLines(issues: readonly AnalyzeJsonIssue[] | undefined, indent: string): string[] {
  return (issues ?? []).map((i) => `${indent}${i.illegal ? 'illegal' : 'warning'}: ${i.message}`);
}

function predictedText(p: PredictionJson): string {
  return p.runtimeMs === null
    ? `no prediction${p.error ? ` (${p.error})` : ''}`
    : `${sig(p.runtimeMs)} ms (${sig(p.runtimeLoMs)}..${sig(p.runtimeHiMs)}), ${sig(p.powerW)} W (${sig(p.powerLoW)}..${sig(p.powerHiW)}), ${sig(p.energyMj)} mJ`;
}

/** Under a Triton config: one short line per selected GPU (what the editor's inlay hint shows) and its findings. */
function configLines(results: AnalyzeJsonOutcomes | undefined): string[] {
  if (!results?.features) return [];
  const lines: string[] = [];
  for (const [gpu, f] of Object.entries(results.features)) {
    const p = results.prediction?.[gpu];
    lines.push(`      on ${gpu}: ${p ? `predicted ${predictedText(p)}` : `analytic ${sig(f.analytic.analyticTimeMs)} ms`}`);
    lines.push(...issueLines(results.issues?.[gpu], '        '));
  }
  return lines;
}

/** One line per selected GPU: analytic numbers, resources and their source, the prediction, the autotuner's pick and findings. */
function featureLines(
  results: AnalyzeJsonOutcomes,
  reason: string | undefined,
  picked?: AnalyzeJsonFile['launches'][number]['pickedConfig'],
  dynamicSmemBytes?: number | null,
): string[] {
  if (reason) return [`    no features: ${reason}`];
  if (!results.features) return [];
  const lines: string[] = [];
  for (const [gpu, f] of Object.entries(results.features)) {
    const a = f.analytic;
    const r = f.resources;
    const occupancy = a.occupancy === null ? '?' : `${Math.round(a.occupancy * 100)}%`;
    const pick = picked?.[gpu];
    if (pick) {
      lines.push(
        `    on ${gpu}: the autotuner's pick is config #${pick.config} (line ${pick.line}), the legal config predicted fastest: grid ${triple(pick.grid)}, block ${triple(pick.block)}`,
      );
    }
    lines.push(
      `    on ${gpu}: analytic ${sig(a.analyticTimeMs)} ms (${limiterWords(a.timeLimiter, a.sharedMemTimeMs, a.l1TimeMs)}-bound), ${a.tiles ?? '?'} tiles, ${sig(a.waves)} waves, ` +
        `occupancy ${occupancy} (${a.limiter === 'invalid' ? 'does not fit on an SM' : `${a.blocksPerSM ?? '?'} blocks/SM, ${a.limiter}`}), ` +
        `${r.registersPerThread ?? '?'} regs, ${r.staticSharedMemBytes ?? '?'} B ${dynamicSmemBytes ? 'static ' : ''}smem (${r.source}${r.arch ? ` ${r.arch}` : ''})` +
        // A CUDA launch's dynamic shared memory counts toward the block's too (occupancy, limits).
        (dynamicSmemBytes ? ` + ${dynamicSmemBytes} B dynamic` : ''),
    );
    if (r.note) lines.push(`      note: ${r.note}`);
    if (f.assumed.includes(TILE_FROM_HEURISTIC)) {
      const v = f.values;
      lines.push(`      tile assumed: ${v.tile_m ?? '?'}×${v.tile_n ?? '?'}×${v.tile_k ?? '?'}, the library heuristic's (the code does not show its tile)`);
    }
    if (f.assumed.includes(TILE_FROM_CUTLASS_DEFAULT)) {
      const v = f.values;
      lines.push(`      tile assumed: ${v.tile_m ?? '?'}×${v.tile_n ?? '?'}×${v.tile_k ?? '?'}, CUTLASS's default configuration (the Gemm names no shapes)`);
    }
    const modelled = f.assumed.filter((entry) => entry === NAIVE_BLOCK_ASSUMED || entry === ATTENTION_AS_GEMM || entry === ATTENTION_BACKWARD_AS_GEMM);
    if (modelled.length > 0) lines.push(`      assumed: ${modelled.join('; ')}`);
    const p = results.prediction?.[gpu];
    if (p) {
      lines.push(`      predicted: ${predictedText(p)}`);
      if (p.extrapolating) lines.push(`      ${extrapolationText(p.extrapolationNotes)}`);
    }
    lines.push(...issueLines(results.issues?.[gpu], '      '));
  }
  return lines;
}
