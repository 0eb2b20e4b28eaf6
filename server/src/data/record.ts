// The normalised GEMM measurement record every data source is parsed into, and the issue type parsers
// report instead of throwing. Plain types and tiny helpers only: no I/O, no parsing here.
import type { Dtype } from '../analysis/types';
import type { KernelFamily, TileConfig } from '../perf/types';

export type { Dtype, KernelFamily };

export type GemmSource = 'aiconfigurator' | 'neusight' | 'kerneltuner' | 'profile';
export const GEMM_SOURCES: readonly GemmSource[] = ['aiconfigurator', 'neusight', 'kerneltuner', 'profile'];

/** How the measurement was taken. aiconfigurator's power-measuring runs are 7–15% slower (power cap). */
export type MeasurementCondition = 'plain' | 'power-run';

/** One measured GEMM: C[m,n] = A[m,k] x B[k,n], `batch` times. `k` is always the reduction dimension. */
export interface GemmRecord {
  /** Catalogue id (server/src/perf/gpu-catalogue.ts), e.g. "h100-sxm"; '' when the name is unknown. */
  gpu: string;
  /** Device name verbatim from the source, e.g. "NVIDIA H100 80GB HBM3". */
  gpuName: string;
  dtype: Dtype;
  /** Quantization scheme verbatim from the source: 'fp8_block', 'fp8_static', 'nvfp4', 'sq', ... */
  quantization?: string;
  m: number;
  n: number;
  /** Reduction dimension, always. */
  k: number;
  batch: number;
  kernel: KernelFamily;
  /** Launched kernel or kernel source, e.g. "ampere_sgemm_128x64_tn". */
  kernelName?: string;
  /** Numeric configuration: CLBlast's 14 tunables; NeuSight's tile from the kernel name; etc. */
  params: Record<string, number>;
  grid?: [number, number, number];
  block?: [number, number, number];
  /** The model's tile for this configuration where the source gives it (TileCast's harness records); else params are read. */
  tile?: TileConfig;
  sharedMemPerBlockBytes?: number;
  usesTensorCores?: boolean;
  runtimeMs: number;
  powerW?: number;
  powerLimitW?: number;
  source: GemmSource;
  /** Path of the file the record came from, relative to the datasets root (e.g. "neusight/test/bmm.csv"). */
  sourceFile: string;
  framework?: string;
  frameworkVersion?: string;
  condition: MeasurementCondition;
  /** NeuSight's own train/test folders. */
  split?: 'train' | 'test';
  /** 'bmm' | 'linear' | 'gemm'. */
  op?: string;
}

/** A row a parser could not turn into a record, with where and why. Parsers collect these, never throw. */
export interface ParseIssue {
  sourceFile: string;
  /** 1-based line (CSV, JSONL) or row index (parquet), or a key (Kernel Tuner cache). */
  where: string | number;
  reason: string;
}

export interface ParseResult {
  records: GemmRecord[];
  issues: ParseIssue[];
}

/** Floating-point operations of the record's GEMM (2·m·n·k per batch). */
export function gemmFlops(r: Pick<GemmRecord, 'm' | 'n' | 'k' | 'batch'>): number {
  return 2 * r.m * r.n * r.k * r.batch;
}

/** Energy per call in millijoules where power is known (W · ms = mJ). */
export function energyMj(r: Pick<GemmRecord, 'runtimeMs' | 'powerW'>): number | undefined {
  return r.powerW === undefined ? undefined : r.powerW * r.runtimeMs;
}
