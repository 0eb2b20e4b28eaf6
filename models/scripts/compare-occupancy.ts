// Compares TileCast's occupancy calculator with the CUDA runtime's answers recorded on a GPU by
// models/profiling/occupancy-check.cu, and the compute-capability table with the device's own
// properties. Run: node --import tsx models/scripts/compare-occupancy.ts occupancy.jsonl (or stdin).
// Reads only the given JSON lines and prints; it never changes the table or the calculator.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { limitsFor } from '../../server/src/perf/compute-capabilities';
import { computeOccupancy } from '../../server/src/perf/occupancy';

export interface DeviceLine {
  device: string;
  cc: string;
  maxThreadsPerMultiProcessor: number;
  maxBlocksPerMultiProcessor: number;
  regsPerMultiprocessor: number;
  regsPerBlock: number;
  sharedMemPerMultiprocessor: number;
  sharedMemPerBlock: number;
  sharedMemPerBlockOptin: number;
  reservedSharedMemPerBlock: number;
  maxThreadsPerBlock: number;
}

export interface CaseLine {
  case: string;
  cc: string;
  threads: number;
  regs: number;
  smem: number;
  dynamicSmem: number;
  carveout: number;
  blocksPerSM: number;
  status: string;
}

export interface Comparison {
  devices: string[];
  /** "cc 8.0 sharedMemPerSMBytes: table 167936, device 167936"-style lines where they differ. */
  limitMismatches: string[];
  compared: number;
  mismatches: string[];
  /** Cases the runtime itself refused (status other than cudaSuccess). */
  runtimeErrors: string[];
  unknownCc: string[];
}

export function emptyComparison(): Comparison {
  return { devices: [], limitMismatches: [], compared: 0, mismatches: [], runtimeErrors: [], unknownCc: [] };
}

/** Pure: JSON-lines text in, comparison out. Malformed lines are counted as unknown, not thrown. */
export function compareOccupancy(jsonLines: string): Comparison {
  const out = emptyComparison();
  for (const line of jsonLines.split(/\r?\n/)) addLine(out, line);
  return out;
}

/** Adds one JSON line (device or case) to a comparison. */
export function addLine(out: Comparison, raw: string): void {
  const line = raw.trim();
  if (line === '') return;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    out.unknownCc.push(`unparsable line: ${line.slice(0, 80)}`);
    return;
  }
  const limits = limitsFor(String(record.cc));
  if (!limits) {
    out.unknownCc.push(`cc ${String(record.cc)} not in the table`);
    return;
  }
  if (typeof record.device === 'string') {
    const device = record as unknown as DeviceLine;
    out.devices.push(`${device.device} (cc ${device.cc})`);
    const pairs: Array<[string, number, number]> = [
      ['maxThreadsPerSM', limits.maxThreadsPerSM, device.maxThreadsPerMultiProcessor],
      ['maxBlocksPerSM', limits.maxBlocksPerSM, device.maxBlocksPerMultiProcessor],
      ['registersPerSM', limits.registersPerSM, device.regsPerMultiprocessor],
      ['maxRegistersPerBlock', limits.maxRegistersPerBlock, device.regsPerBlock],
      ['sharedMemPerSMBytes', limits.sharedMemPerSMBytes, device.sharedMemPerMultiprocessor],
      ['sharedMemPerBlockBytes', limits.sharedMemPerBlockBytes, device.sharedMemPerBlock],
      ['sharedMemPerBlockOptinBytes', limits.sharedMemPerBlockOptinBytes, device.sharedMemPerBlockOptin],
      ['reservedSharedMemPerBlockBytes', limits.reservedSharedMemPerBlockBytes, device.reservedSharedMemPerBlock],
      ['maxThreadsPerBlock', limits.maxThreadsPerBlock, device.maxThreadsPerBlock],
    ];
    for (const [name, table, measured] of pairs) {
      if (table !== measured) out.limitMismatches.push(`cc ${device.cc} ${name}: table ${table}, device ${measured}`);
    }
    return;
  }
  const c = record as unknown as CaseLine;
  if (c.status !== 'cudaSuccess') {
    out.runtimeErrors.push(`${c.case}: ${c.status}`);
    return;
  }
  const result = computeOccupancy({
    limits,
    threadsPerBlock: c.threads,
    registersPerThread: c.regs,
    staticSharedMemBytes: c.smem,
    dynamicSharedMemBytes: c.dynamicSmem,
    carveoutPreferencePercent: c.carveout < 0 ? undefined : c.carveout,
  });
  out.compared++;
  if (result.blocksPerSM !== c.blocksPerSM) {
    out.mismatches.push(
      `${c.case} (cc ${c.cc}, ${c.threads} threads, ${c.regs} regs, ${c.smem} B static + ${c.dynamicSmem} B dynamic, carve-out ${c.carveout}): ` +
        `CUDA ${c.blocksPerSM}, TileCast ${result.blocksPerSM} (${result.limiter}${result.error ? `: ${result.error}` : ''})`,
    );
  }
}

async function main(): Promise<number> {
  const path = process.argv[2];
  const input = path && path !== '-' ? createReadStream(path, 'utf8') : process.stdin;
  const result = emptyComparison();
  // Line by line: a full sweep can be larger than one string may be.
  for await (const line of createInterface({ input, crlfDelay: Infinity })) addLine(result, line);
  console.log(`devices: ${result.devices.join(', ') || '(no device line)'}`);
  for (const line of result.limitMismatches) console.log(`LIMIT   ${line}`);
  for (const line of result.unknownCc) console.log(`SKIPPED ${line}`);
  for (const line of result.runtimeErrors) console.log(`RUNTIME ${line}`);
  for (const line of result.mismatches) console.log(`MISMATCH ${line}`);
  console.log(
    `${result.compared} cases compared, ${result.mismatches.length} mismatches, ${result.limitMismatches.length} limit differences, ${result.runtimeErrors.length} runtime errors`,
  );
  return result.mismatches.length > 0 || result.limitMismatches.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 2;
    },
  );
}
