// Estimates registers per thread and static shared memory of a tiled GEMM kernel from its tile
// shape, for when ptxas cannot be run. A documented heuristic (docs/occupancy.md), never a
// measurement; pure arithmetic that never throws.

export interface ResourceEstimateInput {
  threadsPerBlock: number;
  /** Block tile (output rows x columns per block) and its reduction depth per main-loop step. */
  tileM?: number;
  tileN?: number;
  tileK?: number;
  /** Outputs per thread in a SIMT outer-product kernel. */
  threadTileM?: number;
  threadTileN?: number;
  /** Bytes per input element: 8 fp64, 4 fp32/tf32, 2 fp16/bf16, 1 int8/fp8. */
  dtypeBytes: number;
  /** Known static shared memory (e.g. counted from `__shared__` arrays); estimated if absent. */
  staticSharedMemBytes?: number;
  usesTensorCores?: boolean;
}

export interface ResourceEstimate {
  registersPerThread: number;
  /** Registers the tile needs before the 16..255 clamp (above 255 the compiler spills the rest). */
  registersDemand: number;
  /**
   * Registers any compiler must keep live without spilling: the accumulators, one k step's operands and
   * MIN_LIVE_OVERHEAD_REGISTERS. Unlike the estimate, never above ptxas's count on the Kernel Tuner
   * configurations that did not spill (models/data/kerneltuner-ptxas.csv, docs/occupancy.md).
   */
  registersLowerBound: number;
  staticSharedMemBytes: number;
  source: 'estimate';
  reasoning: string;
}

/** Addresses, loop counters, indices and predicates every tiled kernel keeps live. */
const OVERHEAD_REGISTERS = 24;
const MIN_REGISTERS = 16;
/**
 * Registers beyond accumulators and one k step's operands that every non-spilling configuration needed:
 * the fewest ptxas used (registers − accumulators − TM − TN) over the 17,952 of 18,456 CLBlast Xgemm
 * configurations that did not spill, sm_75 and sm_86 (8 at 64 accumulators; median 25–59 by band).
 */
const MIN_LIVE_OVERHEAD_REGISTERS = 8;
const MAX_REGISTERS = 255;

function positive(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Splits `warps` into a wm x wn grid over a tileM x tileN tile, keeping warp tiles near square. */
function warpGrid(warps: number, tileM: number, tileN: number): [number, number] {
  let best: [number, number] = [warps, 1];
  let bestRatio = Number.POSITIVE_INFINITY;
  for (let wm = 1; wm <= warps; wm++) {
    if (warps % wm !== 0) continue;
    const wn = warps / wm;
    const ratio = Math.max(tileM / wm, tileN / wn) / Math.min(tileM / wm, tileN / wn);
    if (ratio < bestRatio) {
      best = [wm, wn];
      bestRatio = ratio;
    }
  }
  return best;
}

/**
 * Registers = accumulators + operand fragments (double-buffered) + global->shared staging + a
 * fixed overhead, clamped to 16..255. Accumulators are fp32 (fp64 for 8-byte inputs, 2 registers
 * each). SIMT: a thread holds threadTileM x threadTileN accumulators and threadTileM + threadTileN
 * operands per k step. Tensor cores: a thread holds tileM x tileN / threads accumulators; a warp
 * loads (warpTileM + warpTileN) x kStep operands per mma k step, kStep = 32 bytes of K (16 fp16
 * as in mma.m16n8k16), shared by its 32 lanes. Staging: the block copies (tileM + tileN) x tileK
 * elements through registers each k step. Shared memory, when not given: one stage of the A and
 * B tiles, (tileM + tileN) x tileK x dtypeBytes.
 */
export function estimateKernelResources(input: ResourceEstimateInput): ResourceEstimate {
  const notes: string[] = [];
  const threads = positive(input?.threadsPerBlock) ?? 256;
  if (positive(input?.threadsPerBlock) === undefined) notes.push('threads per block unknown: assumed 256');
  const dtypeBytes = positive(input?.dtypeBytes) ?? 4;
  const registersPerAccumulator = dtypeBytes >= 8 ? 2 : 1;
  const registersPerOperand = Math.max(dtypeBytes / 4, 0.25);
  const tileM = positive(input?.tileM);
  const tileN = positive(input?.tileN);
  const tileK = positive(input?.tileK);
  const threadTileM = positive(input?.threadTileM);
  const threadTileN = positive(input?.threadTileN);

  let accumulators = 1;
  let fragments = 2 * registersPerOperand;
  // Operand registers one k step needs (the fragments without double buffering).
  let operandsOneStep = registersPerOperand;
  if (input?.usesTensorCores && tileM && tileN) {
    accumulators = Math.ceil((tileM * tileN) / threads);
    const warps = Math.max(1, Math.floor(threads / 32));
    const [wm, wn] = warpGrid(warps, tileM, tileN);
    const kStepElements = 32 / dtypeBytes;
    const operandsPerLane = ((tileM / wm + tileN / wn) * kStepElements) / 32;
    fragments = 2 * Math.ceil(operandsPerLane * registersPerOperand);
    operandsOneStep = Math.ceil(operandsPerLane * registersPerOperand);
    notes.push(`tensor cores: ${accumulators} accumulators/thread over a ${wm}x${wn} warp grid, ${fragments} fragment registers (double-buffered)`);
  } else if (threadTileM && threadTileN) {
    accumulators = threadTileM * threadTileN;
    fragments = 2 * Math.ceil((threadTileM + threadTileN) * registersPerOperand);
    operandsOneStep = Math.ceil((threadTileM + threadTileN) * registersPerOperand);
    notes.push(`SIMT: ${threadTileM}x${threadTileN} accumulators/thread, ${fragments} fragment registers (double-buffered)`);
  } else if (tileM && tileN) {
    accumulators = Math.ceil((tileM * tileN) / threads);
    fragments = 2 * Math.ceil(2 * Math.sqrt(accumulators) * registersPerOperand);
    operandsOneStep = Math.ceil(2 * Math.sqrt(accumulators) * registersPerOperand);
    notes.push(`SIMT: ${accumulators} outputs/thread from the block tile, ${fragments} fragment registers`);
  } else {
    notes.push('no tile shape: one output per thread');
  }
  const accumulatorRegisters = accumulators * registersPerAccumulator;
  const staging = tileM && tileN && tileK ? Math.ceil(((tileM + tileN) * tileK * dtypeBytes) / 4 / threads) : 0;
  const raw = accumulatorRegisters + fragments + staging + OVERHEAD_REGISTERS;
  const registersPerThread = Math.min(MAX_REGISTERS, Math.max(MIN_REGISTERS, Math.ceil(raw)));
  notes.push(`${accumulatorRegisters} accumulator + ${fragments} fragment + ${staging} staging + ${OVERHEAD_REGISTERS} overhead = ${Math.ceil(raw)} registers`);
  if (raw > MAX_REGISTERS) notes.push('above 255: the compiler would cap at 255 and spill');

  let staticSharedMemBytes: number;
  const given = input?.staticSharedMemBytes;
  if (typeof given === 'number' && Number.isFinite(given) && given >= 0) {
    staticSharedMemBytes = Math.ceil(given);
    notes.push(`shared memory ${staticSharedMemBytes} B as given`);
  } else if (tileM && tileN && tileK) {
    staticSharedMemBytes = Math.ceil((tileM + tileN) * tileK * dtypeBytes);
    notes.push(`shared memory (${tileM} + ${tileN}) x ${tileK} x ${dtypeBytes} B = ${staticSharedMemBytes} B (one stage)`);
  } else {
    staticSharedMemBytes = 0;
    notes.push('no tile shape: no shared memory assumed');
  }
  const registersLowerBound = Math.ceil(accumulatorRegisters + operandsOneStep + MIN_LIVE_OVERHEAD_REGISTERS);
  return { registersPerThread, registersDemand: Math.ceil(raw), registersLowerBound, staticSharedMemBytes, source: 'estimate', reasoning: notes.join('; ') };
}
