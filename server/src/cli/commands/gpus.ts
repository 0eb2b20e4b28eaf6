// `tilecast gpus [ID] [--json] [--local]`: lists the GPU catalogue, shows one GPU with the source of
// every value, or matches this machine's GPUs to it. Thin: formatting only; the catalogue is in perf/.
import { listGpus, resolveGpu } from '../../perf/gpu-catalogue';
import type { GpuSpec, PeakThroughput, Sourced } from '../../perf/types';
import { localGpuSpecs } from '../../platform/device-query';
import { sustainedClock, type GemmLoad } from '../../perf/sustained-clock';
import { argumentError, formatFlags, parseArgs, type FlagSpec } from '../args';
import type { CliCommand } from '../command';

const flags: Record<string, FlagSpec> = {
  json: { type: 'boolean', description: 'print JSON: an array of GPUs (or one GPU) with numbers, plus a `sources` object per GPU' },
  local: { type: 'boolean', description: 'match the GPUs nvidia-smi reports on this machine to the catalogue, with measured values applied' },
  help: { type: 'boolean', description: 'show this help' },
};

const help = `usage: tilecast gpus [ID] [--json] [--local]\n\nLists the GPU catalogue (models/gpus.json). With ID (a catalogue id or a name as nvidia-smi prints it),\nshows that GPU with the source of every value. See docs/gpu-catalogue.md.\n\n${formatFlags(flags)}\n`;

const PEAK_KEYS: Array<keyof PeakThroughput> = ['fp64', 'fp32', 'fp16', 'tf32Tensor', 'fp16Tensor', 'bf16Tensor', 'fp8Tensor', 'int8Tensor', 'fp4Tensor'];
const SOURCED_FIELDS = [
  'smCount',
  'baseClockMHz',
  'boostClockMHz',
  'memorySizeGB',
  'memoryBusWidthBits',
  'memoryBandwidthGBps',
  'memoryDataRateGbps',
  'l2CacheMB',
  'boardPowerW',
] as const;

export interface GpuJson {
  id: string;
  name: string;
  aliases: string[];
  vendor: string;
  architecture: string;
  computeCapability: string;
  formFactor: string;
  fp32LanesPerSM: number;
  memoryType: string;
  [field: string]: unknown;
  /** Dense peak TFLOP/s (TOPS for int8) per precision. */
  peak: Partial<Record<keyof PeakThroughput, number>>;
  /** Field path ("smCount", "peak.fp16Tensor") -> the document and place the value comes from. */
  sources: Record<string, string>;
  /** Field paths whose values are computed rather than read from a document. */
  derived: string[];
  notes: string[];
}

/** The kinds of GEMM main loop the chip runs: tensor cores from compute capability 7.0, SIMT always. */
function gemmLoads(gpu: GpuSpec): GemmLoad[] {
  return Number.parseFloat(gpu.computeCapability) >= 7 ? ['tensor', 'simt'] : ['simt'];
}

/** A GpuSpec as plain JSON: Sourced values become numbers, their sources move to `sources`. */
export function gpuToJson(gpu: GpuSpec): GpuJson {
  const sources: Record<string, string> = {};
  const derived: string[] = [];
  const take = (path: string, value: Sourced<number> | undefined): number | undefined => {
    if (!value) return undefined;
    sources[path] = value.source;
    if (value.derived) derived.push(path);
    return value.value;
  };
  const peaks = (prefix: string, peak: PeakThroughput | undefined) => {
    const out: Partial<Record<keyof PeakThroughput, number>> = {};
    for (const key of PEAK_KEYS) {
      const value = take(`${prefix}.${key}`, peak?.[key]);
      if (value !== undefined) out[key] = value;
    }
    return out;
  };
  const json: GpuJson = {
    id: gpu.id,
    name: gpu.name,
    aliases: [...gpu.aliases],
    vendor: gpu.vendor,
    architecture: gpu.architecture,
    computeCapability: gpu.computeCapability,
    formFactor: gpu.formFactor,
    fp32LanesPerSM: gpu.fp32LanesPerSM,
    memoryType: gpu.memoryType,
  } as GpuJson;
  for (const field of SOURCED_FIELDS) {
    const value = take(field, gpu[field]);
    if (value !== undefined) json[field] = value;
  }
  json.peak = peaks('peak', gpu.peak);
  if (gpu.peakFp16Accumulate) json.peakFp16Accumulate = peaks('peakFp16Accumulate', gpu.peakFp16Accumulate);
  json.limits = { ...gpu.limits, sharedMemCarveoutsBytes: [...gpu.limits.sharedMemCarveoutsBytes] };
  json.notes = [...(gpu.notes ?? [])];
  // The clock long GEMMs sustain (perf/sustained-clock.ts), per kind of main loop, with where it came from.
  json.sustainedClock = Object.fromEntries(
    gemmLoads(gpu).map((load) => {
      const c = sustainedClock(gpu, load);
      return [load, { clockMHz: Math.round(c.clockMHz), fractionOfBoost: Number(c.fractionOfBoost.toFixed(3)), source: c.source, reason: c.reason }];
    }),
  );
  json.sources = sources;
  json.derived = derived;
  return json;
}

function formatNumber(value: number | undefined): string {
  if (value === undefined) return '-';
  if (Number.isInteger(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function table(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

export function renderGpuTable(gpus: GpuSpec[]): string {
  const header = ['id', 'name', 'CC', 'SMs', 'boost MHz', 'GB/s', 'fp32 TFLOP/s', 'fp16-TC TFLOP/s', 'power W'];
  const rows = gpus.map((g) => [
    g.id,
    g.name,
    g.computeCapability,
    formatNumber(g.smCount.value),
    formatNumber(g.boostClockMHz.value),
    formatNumber(g.memoryBandwidthGBps.value),
    formatNumber(g.peak.fp32?.value),
    formatNumber(g.peak.fp16Tensor?.value),
    formatNumber(g.boardPowerW.value),
  ]);
  return (
    table(header, rows, new Set([3, 4, 5, 6, 7, 8])) +
    `\n${gpus.length} GPUs. fp16-TC is the dense fp16 tensor-core peak with fp32 accumulate. \`tilecast gpus ID\` shows one GPU with sources.\n`
  );
}

const FIELD_LABELS: Record<(typeof SOURCED_FIELDS)[number], string> = {
  smCount: 'SMs',
  baseClockMHz: 'base clock (MHz)',
  boostClockMHz: 'boost clock (MHz)',
  memorySizeGB: 'memory (GB)',
  memoryBusWidthBits: 'memory bus (bits)',
  memoryBandwidthGBps: 'bandwidth (GB/s)',
  memoryDataRateGbps: 'data rate (Gbit/s/pin)',
  l2CacheMB: 'L2 cache (MB)',
  boardPowerW: 'board power (W)',
};

export function renderGpuDetail(gpu: GpuSpec): string {
  const rows: string[][] = [];
  const add = (label: string, value: Sourced<number> | undefined) => {
    if (value) rows.push([label, String(value.value) + (value.derived ? '*' : ''), value.source]);
  };
  for (const field of SOURCED_FIELDS) add(FIELD_LABELS[field], gpu[field]);
  for (const load of gemmLoads(gpu)) {
    const c = sustainedClock(gpu, load);
    rows.push([
      `sustained clock, ${load} GEMM (MHz)`,
      String(Math.round(c.clockMHz)),
      c.source === 'catalogue' ? c.reason.replace(/^sustained \S+ MHz \((.*)\)$/, '$1') : c.reason.replace(/^\d+ MHz = /, ''),
    ]);
  }
  for (const key of PEAK_KEYS) add(`peak ${key}${key === 'int8Tensor' ? ' (TOPS)' : ' (TFLOP/s)'}`, gpu.peak[key]);
  for (const key of PEAK_KEYS) add(`fp16-accumulate ${key} (TFLOP/s)`, gpu.peakFp16Accumulate?.[key]);
  const l = gpu.limits;
  const out = [
    `${gpu.id}: ${gpu.name}`,
    `aliases: ${gpu.aliases.join('; ')}`,
    `${gpu.architecture}, compute capability ${gpu.computeCapability}, ${gpu.formFactor}, ${gpu.memoryType}, ${gpu.fp32LanesPerSM} FP32 lanes per SM`,
    '',
    table(['field', 'value', 'source'], rows, new Set([1])).trimEnd(),
    '* derived (see the source for how)',
    '',
    `limits (compute capability ${l.computeCapability}): ${l.maxThreadsPerSM} threads, ${l.maxWarpsPerSM} warps, ${l.maxBlocksPerSM} blocks, ` +
      `${l.registersPerSM} registers, ${l.sharedMemPerSMBytes} B shared memory per SM; ${l.sharedMemPerBlockOptinBytes} B per block (opt-in). Source: ${l.source}`,
  ];
  if (gpu.notes?.length) out.push('', 'notes:', ...gpu.notes.map((n) => `  - ${n}`));
  return out.join('\n') + '\n';
}

async function runLocal(json: boolean, stdout: NodeJS.WritableStream): Promise<number> {
  const specs = await localGpuSpecs();
  if (json) {
    stdout.write(
      JSON.stringify(
        specs.map((s) => ({ nvidiaSmi: s.local, gpu: s.gpu ? gpuToJson(s.gpu) : null })),
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  if (specs.length === 0) {
    stdout.write('No GPU found: nvidia-smi is missing or reports none.\n');
    return 0;
  }
  for (const [i, { local, gpu }] of specs.entries()) {
    const measured = `max SM ${local.boostClockMHz ?? '?'} MHz, max memory ${local.memoryClockMHz ?? '?'} MHz, power limit ${local.powerLimitW ?? '?'} W`;
    if (gpu) stdout.write(`GPU ${i}: ${local.name} -> ${gpu.id} (${measured})\n`);
    else {
      const resolved = resolveGpu(local.name);
      stdout.write(`GPU ${i}: ${local.name} -> not in the catalogue (${measured})${resolved.ok ? '' : `; ${resolved.error}`}\n`);
    }
  }
  return 0;
}

export const command: CliCommand = {
  name: 'gpus',
  summary: 'list the GPU catalogue, or show one GPU with the source of every value',
  async run(argv, { stdout, stderr }) {
    const parsed = parseArgs(argv, flags);
    if (!parsed.ok) {
      stderr.write(argumentError('gpus', parsed.error));
      return 2;
    }
    const { flags: given, positional } = parsed.args;
    if (given.help) {
      stdout.write(help);
      return 0;
    }
    const json = given.json === true;
    if (given.local) {
      if (positional.length > 0) {
        stderr.write(argumentError('gpus', '--local takes no GPU name'));
        return 2;
      }
      return runLocal(json, stdout);
    }
    if (positional.length === 0) {
      const gpus = listGpus();
      stdout.write(json ? JSON.stringify(gpus.map(gpuToJson), null, 2) + '\n' : renderGpuTable(gpus));
      return 0;
    }
    // A name as nvidia-smi prints it may arrive as several words: `tilecast gpus NVIDIA H100 80GB HBM3`.
    const resolved = resolveGpu(positional.join(' '));
    if (!resolved.ok) {
      stderr.write(`tilecast gpus: ${resolved.error}\n`);
      return 2;
    }
    stdout.write(json ? JSON.stringify(gpuToJson(resolved.gpu), null, 2) + '\n' : renderGpuDetail(resolved.gpu));
    return 0;
  },
};
