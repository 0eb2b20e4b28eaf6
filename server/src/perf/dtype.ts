// Element sizes per dtype and which of a GPU's peak throughputs applies to a GEMM in that dtype, with
// the fallback precision named when the chip lacks it. Pure functions over plain data; never throws.
import { QUANT_WRAPPERS, type Dtype, type GemmWorkload, type GpuSpec, type PeakThroughput } from './types';

/** Bytes per stored element of A and B. fp4 packs two values per byte (NVFP4/MXFP4 scales not counted). */
export function dtypeBytes(dtype: Dtype): number {
  switch (dtype) {
    case 'fp64':
      return 8;
    case 'fp32':
      return 4;
    case 'tf32':
      return 4; // tf32 is fp32 storage run on tensor cores
    case 'fp16':
      return 2;
    case 'bf16':
      return 2;
    case 'fp8':
      return 1;
    case 'int8':
      return 1;
    case 'fp4':
      return 0.5;
    default:
      return NaN;
  }
}

/**
 * Bytes per element of the output C. Low-precision GEMMs in inference libraries (fp8, fp4, int8
 * weight GEMMs as aiconfigurator measures them) write bf16 output; fp16/bf16 write their own type.
 */
export function outputBytes(dtype: Dtype): number {
  switch (dtype) {
    case 'fp64':
      return 8;
    case 'fp32':
    case 'tf32':
      return 4;
    case 'fp16':
    case 'bf16':
    case 'fp8':
    case 'int8':
    case 'fp4':
      return 2;
    default:
      return NaN;
  }
}

/** Whether tensor cores can run this dtype at all (fp64 tensor cores are not in GpuSpec). */
export function dtypeHasTensorPath(dtype: Dtype): boolean {
  return dtype !== 'fp64';
}

export type PeakKind = keyof PeakThroughput;

export interface PeakChoice {
  /** Dense peak in TFLOP/s (TOPS for int8); NaN when the GPU lists none of the candidates. */
  tflops: number;
  /** Which entry of GpuSpec.peak was used, or null when none was found. */
  peak: PeakKind | null;
  /** The precision the GEMM is assumed to run in (e.g. 'fp16' for fp8 on an A100). */
  runsAs: Dtype;
  /** True when the requested precision was missing and a fallback was used. */
  fallback: boolean;
  /** Human-readable explanation for hovers and reports. */
  reason: string;
}

/** Candidate peaks in order of preference, with the precision each means. */
function candidates(dtype: Dtype, tensor: boolean): Array<[PeakKind, Dtype]> {
  const simt16: Array<[PeakKind, Dtype]> = [
    ['fp16', 'fp16'],
    ['fp32', 'fp32'],
  ];
  if (!tensor) {
    switch (dtype) {
      case 'fp64':
        return [['fp64', 'fp64']];
      case 'fp32':
      case 'tf32':
        return [['fp32', 'fp32']];
      // SIMT kernels in 16-bit or narrower types compute in fp16 (half2) at best, usually fp32.
      case 'fp16':
      case 'bf16':
        return simt16;
      default:
        return [['fp32', 'fp32']];
    }
  }
  switch (dtype) {
    case 'fp64':
      return [['fp64', 'fp64']];
    // fp32 on tensor cores only as tf32 (Ampere and later); otherwise SIMT fp32.
    case 'fp32':
    case 'tf32':
      return [
        ['tf32Tensor', 'tf32'],
        ['fp32', 'fp32'],
      ];
    case 'fp16':
      return [['fp16Tensor', 'fp16'], ['bf16Tensor', 'bf16'], ...simt16];
    case 'bf16':
      return [['bf16Tensor', 'bf16'], ['fp16Tensor', 'fp16'], ...simt16];
    case 'fp8':
      return [['fp8Tensor', 'fp8'], ['fp16Tensor', 'fp16'], ['bf16Tensor', 'bf16'], ...simt16];
    case 'int8':
      return [['int8Tensor', 'int8'], ['fp16Tensor', 'fp16'], ...simt16];
    case 'fp4':
      return [['fp4Tensor', 'fp4'], ['fp8Tensor', 'fp8'], ['fp16Tensor', 'fp16'], ['bf16Tensor', 'bf16'], ...simt16];
    default:
      return [['fp32', 'fp32']];
  }
}

/**
 * The peak that bounds a GEMM in `dtype` on `gpu`: tensor-core peaks when the kernel uses them and
 * the dtype allows (fp32 only as tf32), SIMT fp32/fp64 otherwise. When the chip lacks the precision
 * the next wider one it has is used (fp8 on A100 runs as fp16, fp4 on Hopper as fp8), and `fallback`
 * says so. Peaks are the datasheet dense figures stored in the catalogue.
 */
export function peakTflops(gpu: GpuSpec, dtype: Dtype, usesTensorCores: boolean): PeakChoice {
  const wantTensor = usesTensorCores && dtypeHasTensorPath(dtype);
  const list = candidates(dtype, wantTensor);
  for (let i = 0; i < list.length; i++) {
    const [kind, runsAs] = list[i];
    const entry = gpu.peak?.[kind];
    const value = entry?.value;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
      const fallback = i > 0;
      const where = kind.endsWith('Tensor') ? 'tensor cores' : 'SIMT cores';
      const reason = fallback
        ? `${gpu.name} has no ${list[0][0]} peak; ${dtype} assumed to run as ${runsAs} on ${where} (${value} TFLOP/s)`
        : `${dtype} on ${where}: ${kind} peak ${value} TFLOP/s`;
      return { tflops: value, peak: kind, runsAs, fallback, reason };
    }
  }
  return { tflops: NaN, peak: null, runsAs: dtype, fallback: true, reason: `${gpu?.name ?? 'GPU'} lists no peak usable for ${dtype}` };
}

/** Parse "9.0" → 9; NaN when absent or malformed. */
export function computeCapabilityMajor(cc: string | undefined): number {
  const major = Number.parseInt(String(cc ?? '').split('.')[0] ?? '', 10);
  return Number.isFinite(major) ? major : NaN;
}

/** Numeric compute capability, "8.6" → 8.6; NaN when malformed. */
export function computeCapabilityNumber(cc: string | undefined): number {
  const value = Number.parseFloat(String(cc ?? ''));
  return Number.isFinite(value) ? value : NaN;
}

/**
 * Whether a workload runs on tensor cores when the source does not say: libraries, CUTLASS and
 * Triton use them for 16-bit and narrower types; Triton's tl.dot also runs fp32 as tf32 on cc >= 8
 * (its default input precision); cuBLAS fp32 does not unless TF32 is enabled (NeuSight ran with it
 * off); hand-written tiled/naive CUDA and CLBlast kernels do not.
 */
export function defaultUsesTensorCores(kernel: string, dtype: Dtype, computeCapability: string | undefined): boolean {
  const cc = computeCapabilityNumber(computeCapability);
  if (dtype === 'fp64') return false;
  if (dtype === 'tf32') return !(cc < 8);
  const narrow = dtype !== 'fp32';
  if (kernel === 'library' || kernel === 'cutlass') return narrow && !(cc < 7);
  if (kernel === 'triton') return narrow ? !(cc < 7) : !(cc < 8);
  return false;
}

/**
 * Quantisation flags from the scheme name: activations quantised at run time (dynamic fp8, block
 * fp8, NVFP4/MX, SmoothQuant), per-block scale factors read with the operands (fp8_block, nvfp4,
 * mxfp*), weight-only schemes dequantised inside the GEMM (int8_wo, int4_wo). All 0 when absent.
 */
export function quantFlags(scheme: string | undefined): { dynamic: number; blockScaled: number; weightOnly: number } {
  const q = (scheme ?? '').toLowerCase();
  if (q === '') return { dynamic: 0, blockScaled: 0, weightOnly: 0 };
  const weightOnly = q.endsWith('_wo') || q.includes('weight') ? 1 : 0;
  const blockScaled = q.includes('block') || q.includes('fp4') || q.startsWith('mx') ? 1 : 0;
  const dynamic = weightOnly || q.includes('static') ? 0 : 1;
  return { dynamic, blockScaled, weightOnly };
}

/**
 * The forest's class of the op timed around a quantised GEMM: 0 for the kernel alone and for every
 * plain GEMM (a wrapper without a scheme means nothing), else 1 + its place in QUANT_WRAPPERS.
 */
export function quantWrapperClass(workload: Pick<GemmWorkload, 'quantization' | 'quantWrapper'> | undefined): number {
  if (!workload?.quantization || workload.quantWrapper === undefined) return 0;
  return QUANT_WRAPPERS.indexOf(workload.quantWrapper) + 1;
}
