// Renders `tilecast analyze` results as human-readable text, from the same JSON-shaped data the
// `--json` output uses, so both outputs always agree. Pure: no I/O, no analysis.
import type { AnalyzeJsonFile } from './analysis-json';

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
    out.push(`  kernel ${kernel.name} (line ${kernel.line}): ${kernel.kind}, dtype ${orUnknown(kernel.dtype)}, static smem ${smem}, tensor cores ${kernel.tensorCores}`);
    if (kernel.kindReason) out.push(`    why: ${kernel.kindReason}`);
    for (const config of kernel.configs) {
      const params = Object.entries(config).filter(([name]) => name !== 'line').map(([name, value]) => `${name}=${orUnknown(value)}`);
      out.push(`    config (line ${config.line}): ${params.join(' ')}`);
    }
  }
  for (const launch of file.launches) {
    const p = launch.problem;
    const assumed = p.assumed.length > 0 ? ` (assumed ${p.assumed.join(', ')} from ${p.source})` : '';
    out.push(`  launch ${launch.kernel} (line ${launch.line}): grid ${triple(launch.grid)}, block ${triple(launch.block)}, dynamic smem ${orUnknown(launch.dynamicSharedMemBytes)}`);
    out.push(`    problem: M=${orUnknown(p.m)} N=${orUnknown(p.n)} K=${orUnknown(p.k)} dtype=${orUnknown(p.dtype)}${assumed}`);
  }
  for (const call of file.libraryCalls) {
    out.push(`  library ${call.api} (line ${call.line}): M=${orUnknown(call.m)} N=${orUnknown(call.n)} K=${orUnknown(call.k)} dtype=${orUnknown(call.dtype)}`);
  }
  if (file.tileParams.length > 0) {
    out.push(`  tile parameters: ${file.tileParams.map((t) => `${t.name}=${orUnknown(t.value)} (line ${t.line})`).join(', ')}`);
  }
  for (const problem of file.problems) out.push(`  ${problem.severity} (line ${problem.line}): ${problem.message}`);
  return out.join('\n') + '\n';
}
