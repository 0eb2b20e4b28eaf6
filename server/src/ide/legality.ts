// Whether a kernel configuration can run on a GPU, and what in it is close to a limit: threads per
// block, shared memory per block (with and without the opt-in), registers, and instructions the
// architecture lacks. Pure: reads the workload, its analytic estimate and the GPU's limits; no I/O. A
// verdict that rests on an element type the code does not give says which one it assumed.
import { INSTRUCTION_RULES, instructionSupport } from '../analysis/instruction-rules';
import type { InstructionUse, KernelInfo, Range } from '../analysis/types';
import type { AnalyticEstimate } from '../perf/analytic-model';
import { computeCapabilityNumber } from '../perf/dtype';
import type { GemmWorkload, GpuSpec } from '../perf/types';

/** One finding about a configuration on a GPU. `illegal`: it cannot launch or compile there. */
export interface ConfigIssue {
  code: 'smem-over-limit' | 'triton-smem-over-limit' | 'threads-over-limit' | 'registers-over-limit' | 'instruction-unsupported';
  illegal: boolean;
  message: string;
  /** Set for the static `__shared__` limit, which the kernel's definition decides (diagnosed there). */
  staticShared?: true;
  /** For an instruction the GPU lacks: its use site in the kernel (diagnosed there, from the analysis). */
  range?: Range;
}

export interface LegalityContext {
  kernel: KernelInfo | null;
  /** Static `__shared__` bytes of the kernel (counts against the 48 KiB static limit), when known. */
  staticSharedMemBytes: number | null;
  /** Registers per thread ptxas measured, when given (then demand = measured). */
  measuredRegistersPerThread?: number;
  /** Check the kernel's `__launch_bounds__` (true for the configuration in the source, false for candidates). */
  checkLaunchBounds: boolean;
  /** The workload's dtype is assumed (not in the code): findings that depend on it say so. */
  dtypeAssumed?: boolean;
}

/**
 * What a finding that depends on the element type adds when that type is assumed (a Triton kernel whose
 * pointers and loads name none, the default dtype): `, with fp16 assumed (the dtype is not in the code)`.
 * The verdict stands (it is the one for the dtype predicted with), but it is only as sure as the dtype.
 */
export function assumedDtypeNote(dtype: string, assumed: boolean | undefined): string {
  return assumed ? `, with ${dtype} assumed (the dtype is not in the code)` : '';
}

export const kib = (bytes: number): string => `${Number((bytes / 1024).toFixed(1))} KiB`;

/**
 * Compute capability each instruction family needs (CUDA C++ Programming Guide, "Warp Matrix
 * Functions" (wmma from 7.0; bf16 and tf32 fragments from 8.0; fp64 dmma 8.0; sub-byte and int8 7.2)
 * and PTX ISA "mma" (e4m3/e5m2 from sm_89; fp4 block-scaled from sm_100)).
 */
function tensorRequirement(dtype: string): { cc: number; what: string } {
  switch (dtype) {
    case 'bf16':
      return { cc: 8.0, what: 'bf16 tensor-core instructions' };
    case 'tf32':
      return { cc: 8.0, what: 'tf32 tensor-core instructions' };
    case 'fp64':
      return { cc: 8.0, what: 'fp64 tensor-core (DMMA) instructions' };
    case 'fp8':
      return { cc: 8.9, what: 'fp8 (e4m3/e5m2) tensor-core instructions' };
    case 'fp4':
      return { cc: 10.0, what: 'fp4 tensor-core instructions' };
    case 'int8':
      return { cc: 7.2, what: 'int8 tensor-core instructions' };
    default:
      return { cc: 7.0, what: 'tensor-core (wmma/mma) instructions' };
  }
}

/** Findings for `workload` (estimate `a`) on `gpu`, illegal ones first. */
export function configIssues(workload: GemmWorkload, a: AnalyticEstimate, gpu: GpuSpec, ctx: LegalityContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const limits = gpu.limits;
  if (!limits) return issues;
  // A library picks its own kernel (and opts in to shared memory itself): only missing instructions apply.
  if (workload.kernel === 'library') return instructionIssues(workload, gpu, null, issues, ctx.dtypeAssumed);
  const threads = a.threadsPerBlock;
  if (threads > limits.maxThreadsPerBlock) {
    issues.push({
      code: 'threads-over-limit',
      illegal: true,
      message: `${threads} threads per block > ${limits.maxThreadsPerBlock} (cc ${gpu.computeCapability} limit)`,
    });
  }
  const bound = ctx.kernel?.launchBounds?.maxThreadsPerBlock;
  if (ctx.checkLaunchBounds && bound && threads > bound) {
    issues.push({ code: 'threads-over-limit', illegal: true, message: `${threads} threads per block > __launch_bounds__ ${bound}: the launch fails` });
  }

  const triton = workload.kernel === 'triton';
  const smem = a.sharedMemPerBlockBytes;
  const smemCode = triton ? 'triton-smem-over-limit' : 'smem-over-limit';
  // Shared memory computed from the tile counts the element's bytes; a size the workload gives does not.
  const smemNote = triton || a.sharedMemSource === 'tile' ? assumedDtypeNote(workload.dtype, ctx.dtypeAssumed) : '';
  if (smem > limits.sharedMemPerBlockOptinBytes) {
    const what = triton ? `pipelined shared memory (BM + BN) × BK × stages × bytes = ${kib(smem)}` : `shared memory ${kib(smem)} per block`;
    issues.push({
      code: smemCode,
      illegal: true,
      message: `${what} > ${kib(limits.sharedMemPerBlockOptinBytes)} (${gpu.name} per-block maximum)${smemNote}`,
    });
  } else if (!triton && ctx.staticSharedMemBytes !== null && ctx.staticSharedMemBytes > limits.sharedMemPerBlockBytes) {
    issues.push({
      code: 'smem-over-limit',
      illegal: true,
      staticShared: true,
      message: `static __shared__ arrays of ${kib(ctx.staticSharedMemBytes)} > ${kib(limits.sharedMemPerBlockBytes)}: static shared memory cannot use the opt-in; use extern __shared__ with cudaFuncSetAttribute`,
    });
  } else if (!triton && smem > limits.sharedMemPerBlockBytes) {
    // The file's cudaFuncSetAttribute for this kernel, if any: it covers the launch's dynamic part, or
    // the launch fails; a value that does not fold is taken to cover it.
    const optIn = ctx.kernel?.dynamicSmemOptInBytes;
    const dynamic = smem - (ctx.staticSharedMemBytes ?? 0);
    // CUTLASS's device adapters set the attribute themselves (GemmUniversalAdapter::initialize, device::Gemm::initialize).
    if (optIn === undefined && workload.kernel !== 'cutlass') {
      issues.push({
        code: 'smem-over-limit',
        illegal: false,
        message: `shared memory ${kib(smem)} per block > ${kib(limits.sharedMemPerBlockBytes)}: needs cudaFuncSetAttribute(cudaFuncAttributeMaxDynamicSharedMemorySize) on ${gpu.name}`,
      });
    } else if (optIn !== undefined && optIn !== null && optIn < dynamic) {
      issues.push({
        code: 'smem-over-limit',
        illegal: true,
        message: `dynamic shared memory ${kib(dynamic)} per block > the ${kib(optIn)} cudaFuncSetAttribute(cudaFuncAttributeMaxDynamicSharedMemorySize) allows: the launch fails`,
      });
    }
  }

  // Triton allocates registers itself (and our estimate of its kernels is rough): no register findings.
  if (triton) return instructionIssues(workload, gpu, ctx.kernel, issues, ctx.dtypeAssumed).sort((x, y) => Number(y.illegal) - Number(x.illegal));
  const registers = ctx.measuredRegistersPerThread ?? a.registersPerThread;
  const allocatedPerWarp = Math.ceil((registers * 32) / limits.registerAllocationUnitSize) * limits.registerAllocationUnitSize;
  const perBlock = allocatedPerWarp * Math.ceil(threads / 32);
  // With too many threads the thread limit is the finding; the register file would be its echo.
  // CUTLASS kernels declare their block size (__launch_bounds__), so ptxas fits the register file
  // (and 3.x warp-specialised kernels move registers from the producer to the consumers with
  // setmaxnreg): an estimate over it is not a launch failure there.
  const fitsByConstruction = workload.kernel === 'cutlass' && ctx.measuredRegistersPerThread === undefined;
  if (perBlock > limits.maxRegistersPerBlock && threads <= limits.maxThreadsPerBlock && !fitsByConstruction) {
    issues.push({
      code: 'registers-over-limit',
      illegal: true,
      message: `${registers} registers × ${threads} threads = ${perBlock} registers per block > ${limits.maxRegistersPerBlock}: too many resources requested for launch`,
    });
  } else if (ctx.measuredRegistersPerThread === undefined && a.registersLowerBound > limits.maxRegistersPerThread) {
    // Only what no compiler can avoid: the estimate runs 50–90 registers above ptxas at 33–128
    // accumulators and would flag kernels that do not spill (docs/diagnostics.md).
    const given = a.registersSource === 'workload';
    issues.push({
      code: 'registers-over-limit',
      illegal: false,
      message: `${given ? '' : 'at least '}${a.registersLowerBound} registers per thread${given ? '' : ' (accumulators, one k step of operands, addresses)'} > ${limits.maxRegistersPerThread} (cc ${gpu.computeCapability}): the compiler caps at ${limits.maxRegistersPerThread} and spills`,
    });
  }

  return finish(instructionIssues(workload, gpu, ctx.kernel, issues, ctx.dtypeAssumed), a, gpu, smemNote);
}

/** A configuration no block of which fits an SM says so when nothing more specific did; illegal first. */
function finish(issues: ConfigIssue[], a: AnalyticEstimate, gpu: GpuSpec, smemNote: string): ConfigIssue[] {
  if (!a.launchable && !issues.some((i) => i.illegal)) {
    issues.push({ code: 'smem-over-limit', illegal: true, message: `no block fits on an SM of ${gpu.name}${smemNote}` });
  }
  return issues.sort((x, y) => Number(y.illegal) - Number(x.illegal));
}

/** What an instruction use needs, GPU-independent: "`wmma::mma_sync` needs cc ≥ 7.0 (WMMA (warp matrix) instructions)". */
export function instructionNeed(use: InstructionUse, support: 'emulated' | 'unsupported', cc: number): string {
  const what = INSTRUCTION_RULES[use.rule]?.what ?? use.rule;
  const at = `\`${use.what.length > 60 ? `${use.what.slice(0, 57)}...` : use.what}\``;
  if (use.removedIn !== undefined && cc >= use.removedIn) return `${at} was removed in cc ${use.removedIn.toFixed(1)} (${what})`;
  if (support === 'emulated') return `${at} needs cc ≥ ${use.minComputeCapability.toFixed(1)} (${what}); below it, it is emulated (slower)`;
  return `${at} needs cc ≥ ${use.minComputeCapability.toFixed(1)} (${what})`;
}

/**
 * Instructions the kernel uses that `gpu` lacks (the analysis's use sites, rules in
 * analysis/instruction-rules.ts); without any found, the tensor-core instructions its dtype implies
 * (also for a library's fp8/fp4 GEMM). Emulated ones are findings that do not stop the kernel.
 */
function instructionIssues(workload: GemmWorkload, gpu: GpuSpec, kernel: KernelInfo | null, issues: ConfigIssue[], dtypeAssumed?: boolean): ConfigIssue[] {
  const cc = computeCapabilityNumber(gpu.computeCapability);
  const uses = kernel?.instructions ?? [];
  for (const use of uses) {
    const support = instructionSupport(use, cc);
    if (support === 'native') continue;
    issues.push({
      code: 'instruction-unsupported',
      illegal: support === 'unsupported',
      message: `${instructionNeed(use, support, cc)}; ${gpu.name} is cc ${gpu.computeCapability}`,
      range: use.range,
    });
  }
  if (uses.length > 0) return issues;
  const tensor = kernel ? kernel.tensorCores !== 'none' : false;
  const librarySpecial = workload.kernel === 'library' && (workload.dtype === 'fp8' || workload.dtype === 'fp4');
  if (tensor || librarySpecial) {
    const need = tensorRequirement(workload.dtype);
    if (cc < need.cc) {
      issues.push({
        code: 'instruction-unsupported',
        illegal: true,
        message: `${need.what} need cc ≥ ${need.cc.toFixed(1)}; ${gpu.name} is cc ${gpu.computeCapability}${assumedDtypeNote(workload.dtype, dtypeAssumed)}`,
      });
    }
  }
  return issues;
}
