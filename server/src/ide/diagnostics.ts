// Diagnostics: every code of protocol.ts DIAGNOSTIC_CODES, from the reports (limits on each target GPU,
// waves and occupancy on the primary one, ptxas spills when given) and from the analysis alone for
// kernels that are not GEMMs (static shared memory, threads per block). Severities come from the
// settings; each item links its section of docs/diagnostics.md. Pure; never throws on broken code.
import type { Range } from '../analysis/types';
import type { DiagnosticItem, DocumentReports } from './api';
import type { DiagnosticCode, RuleSeverity } from './protocol';
import { instructionSupport } from '../analysis/instruction-rules';
import { computeCapabilityNumber } from '../perf/dtype';
import { instructionNeed, kib } from './legality';
import { formatPercent, tailIdleFraction } from './render';
import type { KernelReport } from './reports';
import { hasBoundsCheck } from './tile-candidates';

/** Severity of each rule unless `tilecast.diagnostics` says otherwise. */
export const DEFAULT_SEVERITIES: Record<DiagnosticCode, Exclude<RuleSeverity, 'off'>> = {
  'smem-over-limit': 'error',
  'threads-over-limit': 'error',
  'registers-over-limit': 'warning',
  'tail-wave-idle': 'information',
  'low-occupancy': 'information',
  'register-spills': 'warning',
  'triton-smem-over-limit': 'error',
  'tile-does-not-divide': 'warning',
  'model-unavailable': 'warning',
  'instruction-unsupported': 'error',
};

/** A last wave idler than this is reported (issue 8). */
export const TAIL_IDLE_LIMIT = 0.3;
/** ... and when the idle slots of the tail are at least this fraction of all slot-time (1 − wave efficiency). */
export const TAIL_COST_LIMIT = 0.05;
/** Occupancy below this is reported with its limiter. */
export const LOW_OCCUPANCY_LIMIT = 0.25;

/** `soft`: the kernel still runs (e.g. after the opt-in); `hard`: it cannot launch or compile there. */
interface Finding {
  code: DiagnosticCode;
  range: Range;
  message: string;
  gpus: string[];
  soft?: boolean;
  hard?: boolean;
}

export function diagnostics(reports: DocumentReports): DiagnosticItem[] {
  const { input } = reports;
  const findings: Finding[] = [];
  const add = (f: Finding) => {
    const same = findings.find((x) => x.code === f.code && x.range.start === f.range.start && x.range.end === f.range.end && x.message === f.message);
    if (same) {
      for (const g of f.gpus) if (!same.gpus.includes(g)) same.gpus.push(g);
    } else findings.push(f);
  };
  analysisFindings(reports, add);
  for (const report of reports.reports) reportFindings(reports, report, add);
  if (!input.predictor && reports.reports.length > 0) {
    add({
      code: 'model-unavailable',
      range: reports.reports[0]!.range,
      gpus: [],
      message: `TileCast's model is unavailable (${input.modelError ?? 'not loaded'}): hovers and hints show analytic estimates only, without power, energy or intervals`,
    });
  }
  const out: DiagnosticItem[] = [];
  for (const f of findings) {
    const configured = input.settings.diagnostics?.[f.code];
    if (configured === 'off') continue;
    // A finding that does not stop the kernel (e.g. shared memory that needs the opt-in) is a warning
    // under an 'error' rule unless the user configured the rule.
    // A register file the launch cannot get is an error even though spilling (the rule's usual case) is not.
    const severity = configured ?? (f.hard ? 'error' : f.soft && DEFAULT_SEVERITIES[f.code] === 'error' ? 'warning' : DEFAULT_SEVERITIES[f.code]);
    const on = f.gpus.length > 0 && f.gpus.length < input.gpus.length ? ` (on ${f.gpus.join(', ')})` : '';
    out.push({ range: f.range, message: f.message + on, code: f.code, severity, docPath: `docs/diagnostics.md#${f.code}` });
  }
  return out.sort((a, b) => a.range.start - b.range.start || a.code.localeCompare(b.code));
}

/** Checks that need no workload: static shared memory of any kernel, threads per block of any launch. */
function analysisFindings(reports: DocumentReports, add: (f: Finding) => void): void {
  const { analysis, gpus } = reports.input;
  for (const kernel of analysis.kernels) {
    const bytes = kernel.staticSharedMemBytes;
    if (bytes === null || kernel.sharedArrays.length === 0) continue;
    const over = gpus.filter((g) => g.limits && bytes > g.limits.sharedMemPerBlockBytes);
    if (over.length === 0) continue;
    const largest = kernel.sharedArrays.filter((a) => !a.dynamic).sort((a, b) => (b.sizeBytes ?? 0) - (a.sizeBytes ?? 0))[0];
    const limit = Math.min(...over.map((g) => g.limits.sharedMemPerBlockBytes));
    add({
      code: 'smem-over-limit',
      range: largest?.range ?? kernel.nameRange,
      gpus: over.map((g) => g.name),
      message: `${kernel.name} declares ${kib(bytes)} of static __shared__ memory; the per-block limit for static shared memory is ${kib(limit)} (larger needs extern __shared__ and cudaFuncSetAttribute)`,
    });
  }
  // Instructions a target GPU lacks, on their use site, for every kernel (GEMM or not, launched or not).
  for (const kernel of analysis.kernels) {
    for (const use of kernel.instructions ?? []) {
      for (const kind of ['unsupported', 'emulated'] as const) {
        const lacking = gpus.filter((g) => instructionSupport(use, computeCapabilityNumber(g.computeCapability)) === kind);
        if (lacking.length === 0) continue;
        const cc = computeCapabilityNumber(lacking[0]!.computeCapability);
        const names = lacking.map((g) => `${g.name} (cc ${g.computeCapability})`).join(', ');
        add({
          code: 'instruction-unsupported',
          range: use.range,
          gpus: [],
          message:
            kind === 'unsupported'
              ? `${instructionNeed(use, kind, cc)}: ${kernel.name} cannot run on ${names}`
              : `${instructionNeed(use, kind, cc)}: ${kernel.name} runs slower on ${names}`,
          soft: kind === 'emulated',
          hard: kind === 'unsupported',
        });
      }
    }
  }
  for (const launch of analysis.launches) {
    if (!launch.block) continue;
    const threads = launch.block[0] * launch.block[1] * launch.block[2];
    const over = gpus.filter((g) => g.limits && threads > g.limits.maxThreadsPerBlock);
    if (over.length === 0) continue;
    add({
      code: 'threads-over-limit',
      range: launch.blockExpr?.range ?? launch.range,
      gpus: over.map((g) => g.name),
      message: `${threads} threads per block (${launch.block.join(' × ')}) > ${over[0]!.limits.maxThreadsPerBlock}: the launch fails with cudaErrorInvalidConfiguration`,
    });
  }
}

function reportFindings(reports: DocumentReports, report: KernelReport, add: (f: Finding) => void): void {
  const { gpus } = reports.input;
  if (!report.workload) return;
  // A launch in a branch that does not run at this problem size would never meet these limits.
  if (report.launch?.notTaken) return;
  // An autotuned launch runs whichever config the autotuner picks; the configs carry their own limits.
  const autotuned = report.subject === 'launch' && (report.kernel?.configs.length ?? 0) > 0;
  for (const gpu of autotuned ? [] : gpus) {
    const outcome = report.on(gpu);
    if (!outcome) continue;
    for (const issue of outcome.issues) {
      // Instruction uses are diagnosed at their sites (analysisFindings); the dtype's tensor-core need here.
      if ((issue.code === 'instruction-unsupported' && issue.range) || issue.staticShared) continue;
      // The launch's folded block is checked from the analysis alone (analysisFindings), with its shape.
      if (issue.code === 'threads-over-limit' && report.launch?.block && !issue.message.includes('__launch_bounds__')) continue;
      const range = issue.code === 'threads-over-limit' && report.launch?.blockExpr ? report.launch.blockExpr.range : report.range;
      // Limits differ per GPU in numbers only: strip the GPU name so findings on several GPUs merge.
      add({
        code: issue.code,
        range,
        message: issue.message.replace(` (${gpu.name} per-block maximum)`, ' (per-block maximum)').replace(` on ${gpu.name}`, ''),
        gpus: [gpu.name],
        soft: !issue.illegal,
        hard: issue.illegal,
      });
    }
    if (outcome.spills && (outcome.spills.storesBytes > 0 || outcome.spills.loadsBytes > 0)) {
      add({
        code: 'register-spills',
        range: report.range,
        gpus: [gpu.name],
        message: `ptxas (${outcome.spills.arch}) reports ${outcome.spills.storesBytes} bytes of spill stores and ${outcome.spills.loadsBytes} bytes of spill loads per thread: registers spill to local memory`,
      });
    }
  }
  const primary = gpus[0] ? report.on(gpus[0]) : null;
  if (!primary || report.subject !== 'launch' || primary.issues.some((i) => i.illegal)) return;
  const a = primary.analytic;
  const idle = tailIdleFraction(a.waves);
  // The idle tail must also cost something overall: 85.3 waves lose under 1% however idle the last is.
  if (idle > TAIL_IDLE_LIMIT && 1 - a.waveEfficiency >= TAIL_COST_LIMIT) {
    const what =
      a.waves < 1
        ? `${a.tiles} blocks fill ${formatPercent(a.waves)} of one wave`
        : `${Number(a.waves.toFixed(2))} waves: the last wave leaves ${formatPercent(idle)} of the slots idle`;
    add({
      code: 'tail-wave-idle',
      range: report.range,
      gpus: [primary.gpu.name],
      message: `${what} (${a.blocksPerSM} blocks/SM × ${a.smCount} SMs on ${primary.gpu.name})`,
    });
  }
  if (a.occupancy < LOW_OCCUPANCY_LIMIT) {
    add({
      code: 'low-occupancy',
      range: report.range,
      gpus: [primary.gpu.name],
      message: `occupancy ${formatPercent(a.occupancy)} on ${primary.gpu.name}, limited by ${a.occupancyLimiter} (${a.blocksPerSM} blocks of ${a.threadsPerBlock} threads per SM)`,
    });
  }
  const t = report.workload.tile;
  if (report.kernel && t && !hasBoundsCheck(reports.text, report.kernel)) {
    const w = report.workload;
    const bad = [
      ['BM', t.blockM, 'M', w.m],
      ['BN', t.blockN, 'N', w.n],
      ['BK', t.blockK, 'K', w.k],
    ]
      .filter(([, tile, , size]) => typeof tile === 'number' && tile > 0 && (size as number) % (tile as number) !== 0)
      .filter(([name]) => !report.assumed.some((a) => a.startsWith(`block${(name as string)[1]}`)));
    if (bad.length > 0) {
      add({
        code: 'tile-does-not-divide',
        range: report.range,
        gpus: [],
        message: `${bad.map(([name, tile, dim, size]) => `${name} = ${tile} does not divide ${dim} = ${size}`).join('; ')}, and ${report.kernel.name} has no bounds check: the edge tiles read and write out of bounds`,
      });
    }
  }
}
