// The GPU catalogue: loads models/gpus.json into GpuSpec records, finds GPUs by id or by the names
// nvidia-smi and data sets use, and applies values measured on a real device. Pure: no I/O, never throws.
import catalogueJson from '../../../models/gpus.json';
import { limitsFor } from './compute-capabilities';
import type { GpuSpec, PeakThroughput, Sourced } from './types';

/** Values read from a real device (nvidia-smi / NVML) that override the catalogue. */
export interface MeasuredDevice {
  smCount?: number;
  boostClockMHz?: number;
  /** Maximum memory clock as nvidia-smi reports it (clocks.max.mem): half the per-pin data rate. */
  memoryClockMHz?: number;
  powerLimitW?: number;
  name?: string;
}

export type ResolveResult = { ok: true; gpu: GpuSpec } | { ok: false; error: string; suggestions: string[] };

export interface ParsedCatalogue {
  gpus: GpuSpec[];
  /** Entries or fields that could not be read; empty for a healthy catalogue. */
  problems: string[];
}

const PEAK_KEYS: Array<keyof PeakThroughput> = ['fp64', 'fp32', 'fp16', 'tf32Tensor', 'fp16Tensor', 'bf16Tensor', 'fp8Tensor', 'int8Tensor', 'fp4Tensor'];
const SOURCED_FIELDS = [
  'smCount',
  'baseClockMHz',
  'boostClockMHz',
  'memorySizeGB',
  'memoryBusWidthBits',
  'memoryBandwidthGBps',
  'l2CacheMB',
  'boardPowerW',
] as const;
const STRING_FIELDS = ['id', 'name', 'architecture', 'computeCapability', 'formFactor', 'memoryType'] as const;
export const MEASURED_SOURCE = 'measured on this device (nvidia-smi)';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** Reads one `{ value, source, derived? }`; `source` may be a key of the catalogue's `sources` table. */
function readSourced(raw: unknown, sources: Record<string, string>, where: string, problems: string[]): Sourced<number> | undefined {
  if (!isRecord(raw) || !isPositive(raw.value) || typeof raw.source !== 'string' || raw.source === '') {
    problems.push(`${where}: expected { value: positive number, source: string }`);
    return undefined;
  }
  const source = sources[raw.source] ?? raw.source;
  const derived = raw.derived === true || source.startsWith('derived');
  return derived ? { value: raw.value, source, derived: true } : { value: raw.value, source };
}

function readPeak(raw: unknown, sources: Record<string, string>, where: string, problems: string[]): PeakThroughput | undefined {
  if (!isRecord(raw)) {
    problems.push(`${where}: expected an object`);
    return undefined;
  }
  const peak: PeakThroughput = {};
  for (const key of PEAK_KEYS) {
    if (raw[key] === undefined) continue;
    const value = readSourced(raw[key], sources, `${where}.${key}`, problems);
    if (value) peak[key] = value;
  }
  return peak;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

/** Turns the catalogue JSON into GpuSpec records. Malformed entries are skipped and reported, never thrown. */
export function parseCatalogue(raw: unknown): ParsedCatalogue {
  const problems: string[] = [];
  if (!isRecord(raw) || !Array.isArray(raw.gpus)) return { gpus: [], problems: ['catalogue: expected { sources, gpus: [...] }'] };
  const sources: Record<string, string> = {};
  if (isRecord(raw.sources)) for (const [key, text] of Object.entries(raw.sources)) if (typeof text === 'string') sources[key] = text;
  const gpus: GpuSpec[] = [];
  const seen = new Set<string>();
  raw.gpus.forEach((entry: unknown, index: number) => {
    const where = isRecord(entry) && typeof entry.id === 'string' ? entry.id : `gpus[${index}]`;
    if (!isRecord(entry)) {
      problems.push(`${where}: not an object`);
      return;
    }
    const before = problems.length;
    for (const field of STRING_FIELDS)
      if (typeof entry[field] !== 'string' || entry[field] === '') problems.push(`${where}.${field}: expected a non-empty string`);
    const aliases = Array.isArray(entry.aliases) ? entry.aliases.filter((a): a is string => typeof a === 'string' && a.trim() !== '') : [];
    const fp32LanesPerSM = entry.fp32LanesPerSM;
    if (!isPositive(fp32LanesPerSM)) problems.push(`${where}.fp32LanesPerSM: expected a positive number`);
    const sourced: Partial<Record<(typeof SOURCED_FIELDS)[number], Sourced<number>>> = {};
    for (const field of SOURCED_FIELDS) sourced[field] = readSourced(entry[field], sources, `${where}.${field}`, problems);
    const peak = readPeak(entry.peak, sources, `${where}.peak`, problems);
    const limits = typeof entry.computeCapability === 'string' ? limitsFor(entry.computeCapability) : undefined;
    if (!limits) problems.push(`${where}: no compute-capability limits for '${String(entry.computeCapability)}'`);
    if (typeof entry.id === 'string' && seen.has(entry.id)) problems.push(`${where}: duplicate id`);
    if (problems.length > before || !peak || !limits) return;
    seen.add(entry.id as string);
    const gpu: GpuSpec = {
      id: entry.id as string,
      name: entry.name as string,
      aliases,
      vendor: 'nvidia',
      architecture: entry.architecture as string,
      computeCapability: entry.computeCapability as string,
      formFactor: entry.formFactor as string,
      smCount: sourced.smCount!,
      fp32LanesPerSM: fp32LanesPerSM as number,
      baseClockMHz: sourced.baseClockMHz!,
      boostClockMHz: sourced.boostClockMHz!,
      memoryType: entry.memoryType as string,
      memorySizeGB: sourced.memorySizeGB!,
      memoryBusWidthBits: sourced.memoryBusWidthBits!,
      memoryBandwidthGBps: sourced.memoryBandwidthGBps!,
      l2CacheMB: sourced.l2CacheMB!,
      boardPowerW: sourced.boardPowerW!,
      peak,
      limits,
    };
    if (entry.memoryDataRateGbps !== undefined) {
      const rate = readSourced(entry.memoryDataRateGbps, sources, `${where}.memoryDataRateGbps`, problems);
      if (rate) gpu.memoryDataRateGbps = rate;
    }
    if (entry.sustainedClockMHz !== undefined) {
      const clock = readSourced(entry.sustainedClockMHz, sources, `${where}.sustainedClockMHz`, problems);
      if (clock) gpu.sustainedClockMHz = clock;
    }
    if (entry.l2Partitions !== undefined) {
      const parts = readSourced(entry.l2Partitions, sources, `${where}.l2Partitions`, problems);
      if (parts) gpu.l2Partitions = parts;
    }
    if (entry.peakFp16Accumulate !== undefined) {
      const accumulate = readPeak(entry.peakFp16Accumulate, sources, `${where}.peakFp16Accumulate`, problems);
      if (accumulate) gpu.peakFp16Accumulate = accumulate;
    }
    if (Array.isArray(entry.notes)) gpu.notes = entry.notes.filter((n): n is string => typeof n === 'string');
    gpus.push(deepFreeze(gpu));
  });
  return { gpus, problems };
}

// ---- names -------------------------------------------------------------------------------------

/** Words that vendors and tools prepend or append and that never tell two catalogue GPUs apart. */
const NOISE_TOKENS = new Set(['nvidia', 'geforce', 'tesla', 'quadro', 'gpu', 'graphics', 'card']);

/** Lower-case alphanumeric tokens of a GPU name, without vendor words; "80 GB" becomes "80gb". */
export function nameTokens(name: string): string[] {
  const raw = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== '');
  const tokens: string[] = [];
  for (const token of raw) {
    if ((token === 'gb' || token === 'g') && tokens.length > 0 && /^\d+$/.test(tokens[tokens.length - 1])) tokens[tokens.length - 1] += 'gb';
    else if (!NOISE_TOKENS.has(token)) tokens.push(token);
  }
  return tokens;
}

/** Keys under which a name is indexed: tokens run together, and tokens in sorted order. */
export function nameKeys(name: string): string[] {
  const tokens = nameTokens(name);
  if (tokens.length === 0) return [];
  return [`c:${tokens.join('')}`, `s:${[...tokens].sort().join(' ')}`];
}

interface NameIndex {
  byKey: Map<string, GpuSpec>;
  /** Keys that two different GPUs claim; they match neither. */
  ambiguous: Map<string, string[]>;
}

function buildIndex(gpus: GpuSpec[]): NameIndex {
  const byKey = new Map<string, GpuSpec>();
  const ambiguous = new Map<string, string[]>();
  for (const gpu of gpus) {
    for (const name of [gpu.id, gpu.name, ...gpu.aliases]) {
      for (const key of nameKeys(name)) {
        const other = byKey.get(key);
        if (ambiguous.has(key)) ambiguous.get(key)!.push(gpu.id);
        else if (other && other.id !== gpu.id) {
          ambiguous.set(key, [other.id, gpu.id]);
          byKey.delete(key);
        } else byKey.set(key, gpu);
      }
    }
  }
  return { byKey, ambiguous };
}

const parsed = parseCatalogue(catalogueJson as unknown);
const index = buildIndex(parsed.gpus);

/** Problems found while loading the catalogue and indexing its names (empty when healthy). */
export function catalogueProblems(): string[] {
  const clashes = [...index.ambiguous].map(([key, ids]) => `name key '${key.slice(2)}' is claimed by ${[...new Set(ids)].join(', ')}`);
  return [...parsed.problems, ...clashes];
}

/** Every catalogued GPU, in catalogue order (architecture generation, then product). */
export function listGpus(): GpuSpec[] {
  return [...parsed.gpus];
}

/** Finds a GPU by id, name or alias: case-insensitive, ignoring vendor words and punctuation. */
export function findGpu(nameOrId: string): GpuSpec | undefined {
  if (typeof nameOrId !== 'string') return undefined;
  for (const key of nameKeys(nameOrId)) {
    const gpu = index.byKey.get(key);
    if (gpu) return gpu;
  }
  return undefined;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** "4090", "a100", "h100": tokens that name a chip or board, unlike "sxm5", "pcie", "80gb", "hbm3". */
function isModelNumber(token: string): boolean {
  return /\d/.test(token) && !/^(sxm\d*|pcie|gen\d+|\d+gb|hbm\d*e?|gddr\d*x?|\d{1,2})$/.test(token);
}

/** Similarity between two names: the better of edit-distance and token-overlap similarity, 2 for the same name. */
function similarity(query: string[], candidate: string[]): number {
  const a = query.join('');
  const b = candidate.join('');
  if (a === '' || b === '') return 0;
  if (a === b) return 2;
  const edit = 1 - levenshtein(a, b) / Math.max(a.length, b.length);
  const setA = new Set(query);
  const setB = new Set(candidate);
  let shared = 0;
  for (const token of setA) if (setB.has(token)) shared++;
  const overlap = shared / (setA.size + setB.size - shared);
  // A shared model number ("4090", "a100") is strong evidence even when the rest differs.
  const modelNumberBonus = [...setA].some((t) => isModelNumber(t) && setB.has(t)) ? 0.25 : 0;
  return Math.min(1.5, Math.max(edit, overlap) + modelNumberBonus);
}

/** The catalogue ids nearest to a name, best first. */
export function suggestGpus(nameOrId: string, limit = 5): string[] {
  const query = nameTokens(typeof nameOrId === 'string' ? nameOrId : '');
  if (query.length === 0) return [];
  const scored = parsed.gpus.map((gpu) => ({
    id: gpu.id,
    score: Math.max(...[gpu.id, gpu.name, ...gpu.aliases].map((name) => similarity(query, nameTokens(name)))),
  }));
  return scored
    .filter((s) => s.score >= 0.4)
    .sort((x, y) => y.score - x.score || x.id.localeCompare(y.id))
    .slice(0, limit)
    .map((s) => s.id);
}

/** Like findGpu, but an unknown name gives an error that names the nearest catalogue GPUs. */
export function resolveGpu(nameOrId: string): ResolveResult {
  const text = typeof nameOrId === 'string' ? nameOrId.trim() : '';
  if (text === '') return { ok: false, error: 'no GPU name given', suggestions: [] };
  const gpu = findGpu(text);
  if (gpu) return { ok: true, gpu };
  const suggestions = suggestGpus(text);
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((id) => `'${id}'`).join(', ')}?` : '';
  return { ok: false, error: `unknown GPU '${text}'.${hint} Run \`tilecast gpus\` for the catalogue.`, suggestions };
}

// ---- device overrides --------------------------------------------------------------------------

function scalePeak(peak: PeakThroughput, factor: number, why: string): PeakThroughput {
  const scaled: PeakThroughput = {};
  for (const key of PEAK_KEYS) {
    const value = peak[key];
    if (!value) continue;
    scaled[key] = { value: Math.round(value.value * factor * 1000) / 1000, source: `${value.source}; scaled by ${why}, ${MEASURED_SOURCE}`, derived: true };
  }
  return scaled;
}

/**
 * Returns a copy of `gpu` with values measured on a real device in place of the catalogue's. Peaks
 * scale with the SM count and SM clock; bandwidth scales with the memory clock. Invalid measurements
 * (missing, non-positive, not finite) are ignored; a memory clock that would change bandwidth by more
 * than 2x is ignored too, as it more likely means a different clock convention than a different board.
 */
export function applyDeviceOverrides(gpu: GpuSpec, measured: MeasuredDevice): GpuSpec {
  const result: GpuSpec = { ...gpu, aliases: [...gpu.aliases], peak: { ...gpu.peak }, notes: [...(gpu.notes ?? [])] };
  const changed: string[] = [];
  let factor = 1;
  const why: string[] = [];
  if (measured && isPositive(measured.smCount) && measured.smCount !== gpu.smCount.value) {
    factor *= measured.smCount / gpu.smCount.value;
    why.push(`SM count ${gpu.smCount.value} -> ${measured.smCount}`);
    result.smCount = { value: measured.smCount, source: MEASURED_SOURCE };
    changed.push('smCount');
  }
  if (measured && isPositive(measured.boostClockMHz) && measured.boostClockMHz !== gpu.boostClockMHz.value) {
    factor *= measured.boostClockMHz / gpu.boostClockMHz.value;
    why.push(`SM clock ${gpu.boostClockMHz.value} -> ${measured.boostClockMHz} MHz`);
    result.boostClockMHz = { value: measured.boostClockMHz, source: MEASURED_SOURCE };
    changed.push('boostClockMHz');
  }
  if (factor !== 1) {
    result.peak = scalePeak(gpu.peak, factor, why.join(', '));
    if (gpu.peakFp16Accumulate) result.peakFp16Accumulate = scalePeak(gpu.peakFp16Accumulate, factor, why.join(', '));
  }
  if (measured && isPositive(measured.memoryClockMHz)) {
    // nvidia-smi reports half the effective per-pin data rate for GDDR5/5X/6/6X/7 and HBM alike.
    const rateGbps = (2 * measured.memoryClockMHz) / 1000;
    const catalogueRate = gpu.memoryDataRateGbps?.value;
    const bandwidthGBps = catalogueRate ? gpu.memoryBandwidthGBps.value * (rateGbps / catalogueRate) : (gpu.memoryBusWidthBits.value / 8) * rateGbps;
    const ratio = bandwidthGBps / gpu.memoryBandwidthGBps.value;
    if (ratio >= 0.5 && ratio <= 2) {
      result.memoryDataRateGbps = { value: rateGbps, source: `${MEASURED_SOURCE}: 2 x memory clock ${measured.memoryClockMHz} MHz` };
      result.memoryBandwidthGBps = {
        value: Math.round(bandwidthGBps * 10) / 10,
        source: catalogueRate
          ? `derived: catalogue bandwidth x data rate measured on this device (nvidia-smi) / catalogue data rate`
          : `derived: bus width / 8 x data rate measured on this device (nvidia-smi)`,
        derived: true,
      };
      if (Math.abs(ratio - 1) > 0.001) changed.push('memoryBandwidthGBps');
    } else {
      result.notes!.push(
        `Ignored the measured memory clock ${measured.memoryClockMHz} MHz: it implies ${Math.round(bandwidthGBps)} GB/s against the catalogue's ${gpu.memoryBandwidthGBps.value} GB/s.`,
      );
    }
  }
  if (measured && isPositive(measured.powerLimitW) && measured.powerLimitW !== gpu.boardPowerW.value) {
    result.boardPowerW = { value: measured.powerLimitW, source: `${MEASURED_SOURCE}: power limit` };
    changed.push('boardPowerW');
  }
  if (measured && typeof measured.name === 'string' && measured.name.trim() !== '' && measured.name.trim() !== gpu.name) {
    if (!result.aliases.includes(gpu.name)) result.aliases.push(gpu.name);
    result.name = measured.name.trim();
  }
  if (changed.length > 0) result.notes!.push(`Measured on this device: ${changed.join(', ')} override the catalogue.`);
  if (result.notes!.length === 0) delete result.notes;
  return result;
}
