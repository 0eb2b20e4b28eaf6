// Renders `tilecast analyze` results as human-readable text, from the same JSON-shaped data the
// `--json` output uses, so both outputs always agree. Pure: no I/O, no analysis.
import type { AnalyzeJsonFile } from './analysis-json';
import type { FeaturesJson, PredictionJson } from './analysis-features';

function triple(value: [number, number, number] | null): string {
  return value ? `(${value.join(', ')})` : 'unknown';
}

function orUnknown(value: number | string | null): string {
  return value === null ? '?' : String(value);
}

export function renderAnalysisText(file: AnalyzeJsonFile): string {
  const out: string[] = [];
  out.push(`${file.path}${file.language ? ` [${file.language}]` : ''}`);
  if (file.kernels.length === 0 && file.launches.length === 0 && file.libraryCalls.length === 0) out.push('  no kernels found');
  for (const kernel of file.kernels) {
    const smem = kernel.staticSharedMemBytes === null ? '?' : `${kernel.staticSharedMemBytes} B`;
    out.push(
      `  kernel ${kernel.name} (line ${kernel.line}): ${kernel.kind}, dtype ${orUnknown(kernel.dtype)}, static smem ${smem}, tensor cores ${kernel.tensorCores}`,
    );
    if (kernel.kindReason) out.push(`    why: ${kernel.kindReason}`);
    for (const config of kernel.configs) {
      const params = Object.entries(config)
        .filter(([name]) => name !== 'line')
        .map(([name, value]) => `${name}=${orUnknown(value)}`);
      out.push(`    config (line ${config.line}): ${params.join(' ')}`);
    }
  }
  for (const launch of file.launches) {
    const p = launch.problem;
    const assumed = p.assumed.length > 0 ? ` (assumed ${p.assumed.join(', ')} from ${p.source})` : '';
    out.push(
      `  launch ${launch.kernel} (line ${launch.line}): grid ${triple(launch.grid)}, block ${triple(launch.block)}, dynamic smem ${orUnknown(launch.dynamicSharedMemBytes)}`,
    );
    out.push(`    problem: M=${orUnknown(p.m)} N=${orUnknown(p.n)} K=${orUnknown(p.k)} dtype=${orUnknown(p.dtype)}${assumed}`);
    out.push(...featureLines(launch.features, launch.prediction, launch.featuresReason));
  }
  for (const call of file.libraryCalls) {
    out.push(`  library ${call.api} (line ${call.line}): M=${orUnknown(call.m)} N=${orUnknown(call.n)} K=${orUnknown(call.k)} dtype=${orUnknown(call.dtype)}`);
    out.push(...featureLines(call.features, call.prediction, call.featuresReason));
  }
  if (file.tileParams.length > 0) {
    out.push(`  tile parameters: ${file.tileParams.map((t) => `${t.name}=${orUnknown(t.value)} (line ${t.line})`).join(', ')}`);
  }
  for (const problem of file.problems) out.push(`  ${problem.severity} (line ${problem.line}): ${problem.message}`);
  return out.join('\n') + '\n';
}

function sig(value: number | null, digits = 3): string {
  return value === null ? '?' : String(Number(value.toPrecision(digits)));
}

/** The one wording of an extrapolating prediction (issue 9), shared by the CLI text and the editor's hover. */
export function extrapolationText(notes: readonly string[] | undefined): string {
  const why = notes && notes.length > 0 ? notes.slice(0, 3).join('; ') : 'outside the training data';
  return `extrapolating: ${why}; the learned correction is shrunk toward the analytic model, interval widened`;
}

/** One line per selected GPU: analytic numbers, resources and their source, and the prediction if any. */
function featureLines(
  features: Record<string, FeaturesJson> | undefined,
  prediction: Record<string, PredictionJson> | undefined,
  reason: string | undefined,
): string[] {
  if (reason) return [`    no features: ${reason}`];
  if (!features) return [];
  const lines: string[] = [];
  for (const [gpu, f] of Object.entries(features)) {
    const a = f.analytic;
    const r = f.resources;
    const occupancy = a.occupancy === null ? '?' : `${Math.round(a.occupancy * 100)}%`;
    lines.push(
      `    on ${gpu}: analytic ${sig(a.analyticTimeMs)} ms (${a.timeLimiter}-bound), ${a.tiles ?? '?'} tiles, ${sig(a.waves)} waves, ` +
        `occupancy ${occupancy} (${a.blocksPerSM ?? '?'} blocks/SM, ${a.limiter}), ${r.registersPerThread ?? '?'} regs, ${r.staticSharedMemBytes ?? '?'} B smem (${r.source}${r.arch ? ` ${r.arch}` : ''})`,
    );
    if (r.note) lines.push(`      note: ${r.note}`);
    const p = prediction?.[gpu];
    if (p) {
      lines.push(
        p.runtimeMs === null
          ? `      predicted: no prediction${p.error ? ` (${p.error})` : ''}`
          : `      predicted: ${sig(p.runtimeMs)} ms (${sig(p.runtimeLoMs)}..${sig(p.runtimeHiMs)}), ${sig(p.powerW)} W (${sig(p.powerLoW)}..${sig(p.powerHiW)}), ${sig(p.energyMj)} mJ`,
      );
      if (p.extrapolating) lines.push(`      ${extrapolationText(p.extrapolationNotes)}`);
    }
  }
  return lines;
}
