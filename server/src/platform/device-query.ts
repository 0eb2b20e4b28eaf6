// Asks nvidia-smi what GPUs this machine has (name, compute capability, max clocks, power limits) and
// matches them to the catalogue. It runs nvidia-smi with an argument array and a timeout, never a shell
// string, and returns an empty list (never throws) when there is no nvidia-smi or no GPU.
import { execFile } from 'node:child_process';
import { applyDeviceOverrides, findGpu } from '../perf/gpu-catalogue';
import type { GpuSpec } from '../perf/types';

/** One GPU as nvidia-smi reports it. A field nvidia-smi cannot report ("[N/A]") is undefined. */
export interface LocalGpu {
  name: string;
  /** "8.9"; undefined on drivers too old to report compute_cap. */
  computeCapability: string | undefined;
  /** nvidia-smi does not report the SM count; set only where another source provides it. */
  smCount?: number;
  /** clocks.max.sm: the highest SM clock the board allows. On GeForce cards this is well above the rated boost clock. */
  boostClockMHz: number | undefined;
  /** clocks.max.mem: half the effective per-pin data rate. */
  memoryClockMHz: number | undefined;
  powerLimitW: number | undefined;
  powerDefaultLimitW: number | undefined;
}

export const QUERY_FIELDS = ['name', 'compute_cap', 'clocks.max.sm', 'clocks.max.mem', 'power.limit', 'power.default_limit'];
/** Drivers before compute_cap existed (about R510) reject the whole query; ask again without it. */
const FIELDS_WITHOUT_CC = QUERY_FIELDS.filter((f) => f !== 'compute_cap');

export function nvidiaSmiArgs(fields: string[] = QUERY_FIELDS): string[] {
  return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
}

function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('[')) return undefined; // [N/A], [Not Supported], [Unknown Error]
  const value = Number(trimmed.replace(/\s*(MHz|W)$/i, ''));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Parses the output of `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits`, one GPU per line.
 * `fields` says which columns were asked for (default: QUERY_FIELDS). Lines that do not have one value
 * per field are skipped. GPU names contain no commas, so a plain split is enough.
 */
export function parseNvidiaSmiCsv(text: string, fields: string[] = QUERY_FIELDS): LocalGpu[] {
  if (typeof text !== 'string') return [];
  const gpus: LocalGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== fields.length) continue;
    const cell = (field: string) => {
      const at = fields.indexOf(field);
      return at >= 0 ? cells[at] : undefined;
    };
    const name = cell('name');
    if (!name || name.startsWith('[')) continue;
    const cc = cell('compute_cap');
    gpus.push({
      name,
      computeCapability: cc !== undefined && /^\d+\.\d+$/.test(cc) ? cc : undefined,
      boostClockMHz: parseNumber(cell('clocks.max.sm')),
      memoryClockMHz: parseNumber(cell('clocks.max.mem')),
      powerLimitW: parseNumber(cell('power.limit')),
      powerDefaultLimitW: parseNumber(cell('power.default_limit')),
    });
  }
  return gpus;
}

export interface CommandResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a program with an argument array and a timeout; never rejects. */
export type RunProgram = (file: string, args: string[], timeoutMs: number) => Promise<CommandResult>;

const runWithExecFile: RunProgram = (file, args, timeoutMs) =>
  new Promise((resolve) => {
    try {
      execFile(file, args, { timeout: timeoutMs, windowsHide: true, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
        resolve({ ok: !error, stdout: String(stdout ?? ''), stderr: String(stderr ?? '') + (error ? `\n${error.message}` : '') });
      });
    } catch (error) {
      resolve({ ok: false, stdout: '', stderr: error instanceof Error ? error.message : String(error) });
    }
  });

export interface QueryOptions {
  /** Default 5000 ms: nvidia-smi can hang for seconds when a driver is wedged. */
  timeoutMs?: number;
  /** Program to run; default "nvidia-smi" from PATH. */
  program?: string;
  /** Injected runner for tests; default execFile. */
  run?: RunProgram;
}

/** The GPUs nvidia-smi reports on this machine; [] when nvidia-smi is absent, fails or times out. */
export async function queryLocalGpus(options: QueryOptions = {}): Promise<LocalGpu[]> {
  const run = options.run ?? runWithExecFile;
  const program = options.program ?? 'nvidia-smi';
  const timeoutMs = options.timeoutMs ?? 5000;
  const first = await run(program, nvidiaSmiArgs(QUERY_FIELDS), timeoutMs);
  if (first.ok) return parseNvidiaSmiCsv(first.stdout, QUERY_FIELDS);
  if (/compute_cap/i.test(first.stderr + first.stdout) && /not a valid field|invalid/i.test(first.stderr + first.stdout)) {
    const second = await run(program, nvidiaSmiArgs(FIELDS_WITHOUT_CC), timeoutMs);
    if (second.ok) return parseNvidiaSmiCsv(second.stdout, FIELDS_WITHOUT_CC);
  }
  return [];
}

export interface LocalGpuSpec {
  local: LocalGpu;
  /** The catalogue entry with this device's measurements applied; undefined when the name is not catalogued. */
  gpu: GpuSpec | undefined;
}

/**
 * Catalogue specs for the GPUs on this machine, with measured clocks and power limits in place of the
 * catalogue's. The SM clock is overridden only with `useMaxClock`, because clocks.max.sm on GeForce boards
 * is far above the clock they sustain; the power limit and memory clock always are.
 */
export async function localGpuSpecs(options: QueryOptions & { useMaxClock?: boolean } = {}): Promise<LocalGpuSpec[]> {
  const locals = await queryLocalGpus(options);
  return locals.map((local) => {
    const catalogued = findGpu(local.name);
    if (!catalogued) return { local, gpu: undefined };
    const gpu = applyDeviceOverrides(catalogued, {
      name: local.name,
      smCount: local.smCount,
      boostClockMHz: options.useMaxClock ? local.boostClockMHz : undefined,
      memoryClockMHz: local.memoryClockMHz,
      powerLimitW: local.powerLimitW,
    });
    return { local, gpu };
  });
}
