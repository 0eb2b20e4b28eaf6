// `tilecast occupancy`: blocks per SM, occupancy and the limiting resource for a kernel's launch
// shape on a GPU or compute capability. Thin: argument parsing and formatting only; the
// arithmetic is perf/occupancy.ts.
import { limitsFor } from '../../perf/compute-capabilities';
import { resolveGpu } from '../../perf/gpu-catalogue';
import { computeOccupancy, type OccupancyResult } from '../../perf/occupancy';
import type { ComputeCapabilityLimits } from '../../perf/types';
import { argumentError, formatFlags, parseArgs, type FlagSpec } from '../args';
import type { CliCommand } from '../command';

const flags: Record<string, FlagSpec> = {
  gpu: { type: 'string', description: 'GPU id or name from the catalogue (e.g. a100-sxm4-80gb, "RTX 4090")' },
  cc: { type: 'string', description: 'compute capability (e.g. 8.0 or sm_80) instead of, or to check, --gpu' },
  threads: { type: 'string', description: 'threads per block (1..1024)' },
  regs: { type: 'string', description: 'registers per thread, as ptxas -v reports them (0..255)' },
  smem: { type: 'string', description: 'static shared memory per block in bytes (K/KB/KiB suffix = x1024); default 0' },
  'dynamic-smem': { type: 'string', description: 'dynamic shared memory per block in bytes (K/KB/KiB suffix = x1024); default 0' },
  carveout: { type: 'string', description: 'preferred shared-memory carve-out, 0..100 percent (default: none set)' },
  json: { type: 'boolean', description: 'print JSON: { blocksPerSM, occupancy (0..1), limiter, ... }' },
  help: { type: 'boolean', description: 'show this help' },
};

const help = `usage: tilecast occupancy (--gpu ID | --cc X.Y) --threads N --regs R [--smem BYTES] [--dynamic-smem BYTES] [--carveout PCT] [--json]

Resident blocks per SM, occupancy and the limiting resource (warps, registers, shared-memory or
blocks), by the rules of cudaOccupancyMaxActiveBlocksPerMultiprocessor (docs/occupancy.md).

${formatFlags(flags)}
`;

function parseCount(value: string | undefined, name: string, allowSuffix: boolean): { ok: true; value: number | undefined } | { ok: false; error: string } {
  if (value === undefined) return { ok: true, value: undefined };
  const match = (allowSuffix ? /^(\d+)\s*(k|kb|kib)?$/i : /^(\d+)$/).exec(value.trim());
  if (!match) return { ok: false, error: `--${name} must be a whole number${allowSuffix ? ' of bytes' : ''} >= 0, got '${value}'` };
  const parsed = Number(match[1]) * (match[2] ? 1024 : 1);
  if (!Number.isSafeInteger(parsed)) return { ok: false, error: `--${name} is too large: '${value}'` };
  return { ok: true, value: parsed };
}

function limitText(blocks: number): string {
  return Number.isFinite(blocks) ? String(blocks) : 'unlimited';
}

function kib(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} B`;
}

interface Target {
  limits: ComputeCapabilityLimits;
  gpuId?: string;
  gpuName?: string;
}

function resolveTarget(gpu: string | undefined, cc: string | undefined): { ok: true; target: Target } | { ok: false; error: string } {
  if (gpu === undefined && cc === undefined) return { ok: false, error: 'give --gpu ID or --cc X.Y' };
  let ccLimits: ComputeCapabilityLimits | undefined;
  if (cc !== undefined) {
    ccLimits = limitsFor(cc);
    if (!ccLimits) return { ok: false, error: `unknown compute capability '${cc}'` };
  }
  if (gpu === undefined) return { ok: true, target: { limits: ccLimits! } };
  const resolved = resolveGpu(gpu);
  if (!resolved.ok) return { ok: false, error: resolved.error };
  if (ccLimits && ccLimits.computeCapability !== resolved.gpu.computeCapability) {
    return { ok: false, error: `--cc ${ccLimits.computeCapability} contradicts ${resolved.gpu.name} (compute capability ${resolved.gpu.computeCapability})` };
  }
  const limits = resolved.gpu.limits ?? limitsFor(resolved.gpu.computeCapability);
  if (!limits) return { ok: false, error: `no limits known for ${resolved.gpu.name} (compute capability ${resolved.gpu.computeCapability})` };
  return { ok: true, target: { limits, gpuId: resolved.gpu.id, gpuName: resolved.gpu.name } };
}

function toJson(result: OccupancyResult, target: Target, input: Record<string, number | undefined>): Record<string, unknown> {
  const finiteOrNull = (blocks: number) => (Number.isFinite(blocks) ? blocks : null);
  return {
    blocksPerSM: result.blocksPerSM,
    occupancy: result.occupancy,
    limiter: result.limiter,
    activeWarpsPerSM: result.activeWarpsPerSM,
    maxWarpsPerSM: target.limits.maxWarpsPerSM,
    // null: the resource sets no limit.
    blocksByLimit: {
      warps: finiteOrNull(result.blocksByLimit.warps),
      registers: finiteOrNull(result.blocksByLimit.registers),
      sharedMemory: finiteOrNull(result.blocksByLimit.sharedMemory),
      blocks: finiteOrNull(result.blocksByLimit.blocks),
    },
    sharedMemCarveoutBytes: result.sharedMemCarveoutBytes,
    warpsPerBlock: result.warpsPerBlock,
    allocatedRegistersPerBlock: result.allocatedRegistersPerBlock,
    allocatedSharedMemPerBlockBytes: result.allocatedSharedMemPerBlockBytes,
    computeCapability: target.limits.computeCapability,
    gpu: target.gpuId ?? null,
    input,
    ...(result.error ? { error: result.error } : {}),
  };
}

function toText(result: OccupancyResult, target: Target, threads: number, regs: number, smem: number, dynamicSmem: number): string {
  const where = target.gpuName ? `${target.gpuName} (cc ${target.limits.computeCapability})` : `cc ${target.limits.computeCapability}`;
  const lines = [
    `${where}: ${threads} threads/block, ${regs} registers/thread, ${smem} B static + ${dynamicSmem} B dynamic shared memory`,
    `blocks per SM: ${result.blocksPerSM} (limited by ${result.limiter})`,
    `occupancy:     ${(result.occupancy * 100).toFixed(1)}% (${result.activeWarpsPerSM} of ${target.limits.maxWarpsPerSM} warps)`,
    `per-resource:  warps ${limitText(result.blocksByLimit.warps)}, registers ${limitText(result.blocksByLimit.registers)}, ` +
      `shared memory ${limitText(result.blocksByLimit.sharedMemory)}, blocks ${limitText(result.blocksByLimit.blocks)}`,
    `allocated:     ${result.allocatedRegistersPerBlock} registers and ${result.allocatedSharedMemPerBlockBytes} B shared memory per block; carve-out ${kib(result.sharedMemCarveoutBytes)}`,
  ];
  if (result.error) lines.push(`note:          ${result.error}`);
  return lines.join('\n') + '\n';
}

export const command: CliCommand = {
  name: 'occupancy',
  summary: 'blocks per SM, occupancy and the limiting resource for a launch shape',
  async run(argv, { stdout, stderr }) {
    const fail = (message: string) => {
      stderr.write(argumentError('occupancy', message));
      return 2;
    };
    const parsed = parseArgs(argv, flags);
    if (!parsed.ok) return fail(parsed.error);
    const f = parsed.args.flags;
    if (f.help) {
      stdout.write(help);
      return 0;
    }
    if (parsed.args.positional.length > 0) return fail(`unexpected argument '${parsed.args.positional[0]}'`);
    const threads = parseCount(f.threads as string | undefined, 'threads', false);
    if (!threads.ok) return fail(threads.error);
    if (threads.value === undefined) return fail('--threads is required');
    const regs = parseCount(f.regs as string | undefined, 'regs', false);
    if (!regs.ok) return fail(regs.error);
    if (regs.value === undefined) return fail('--regs is required');
    const smem = parseCount(f.smem as string | undefined, 'smem', true);
    if (!smem.ok) return fail(smem.error);
    const dynamicSmem = parseCount(f['dynamic-smem'] as string | undefined, 'dynamic-smem', true);
    if (!dynamicSmem.ok) return fail(dynamicSmem.error);
    const carveout = parseCount(f.carveout as string | undefined, 'carveout', false);
    if (!carveout.ok) return fail(carveout.error);
    const target = resolveTarget(f.gpu as string | undefined, f.cc as string | undefined);
    if (!target.ok) return fail(target.error);

    const input = {
      threadsPerBlock: threads.value,
      registersPerThread: regs.value,
      staticSharedMemBytes: smem.value ?? 0,
      dynamicSharedMemBytes: dynamicSmem.value ?? 0,
      carveoutPreferencePercent: carveout.value,
    };
    const result = computeOccupancy({ limits: target.target.limits, ...input });
    // Input the calculator rejects (e.g. 2048 threads, 300 registers) is a bad argument; a valid
    // kernel of which no block fits is an answer (0 blocks), printed like any other.
    if (result.invalidInput) return fail(result.error ?? 'invalid input');
    if (f.json) stdout.write(JSON.stringify(toJson(result, target.target, input), null, 2) + '\n');
    else stdout.write(toText(result, target.target, input.threadsPerBlock, input.registersPerThread, input.staticSharedMemBytes, input.dynamicSharedMemBytes));
    return 0;
  },
};
