// Feature and GPU-descriptor values in words, for the applicability check's reasons (CLI, hover, JSON):
// `issue / compute time 3.16× (training 0.43–1.65×)` rather than `log2_issue_over_compute_time 1.66
// outside -1.23–0.722`. log2 features are shown as the quantity they are the log of. Pure formatting.

/** Label and unit of a feature or descriptor; `log` when the value is log2 of the quantity. */
const WORDS: Readonly<Record<string, { label: string; unit?: string; log?: true }>> = {
  compute_capability: { label: 'compute capability' },
  log2_bandwidth_gbps: { label: 'memory bandwidth', unit: ' GB/s', log: true },
  log2_fp32_tflops: { label: 'FP32 peak', unit: ' TFLOP/s', log: true },
  log2_sm_count: { label: 'SM count', log: true },
  log2_l2_mb: { label: 'L2 cache', unit: ' MB', log: true },
  log2_sustained_clock_fraction: { label: 'sustained clock over 85% of boost', unit: '×', log: true },
  log2_m: { label: 'M', log: true },
  log2_n: { label: 'N', log: true },
  log2_k: { label: 'K', log: true },
  log2_batch: { label: 'batch', log: true },
  log2_flops: { label: 'FLOPs', log: true },
  log2_intensity_over_ridge: { label: 'arithmetic intensity / ridge point', unit: '×', log: true },
  log2_dram_over_ideal_bytes: { label: 'DRAM bytes / compulsory bytes', unit: '×', log: true },
  log2_compute_over_memory_time: { label: 'compute time / memory time', unit: '×', log: true },
  log2_footprint_over_l2: { label: 'operand footprint / L2', unit: '×', log: true },
  log2_padded_over_useful_flops: { label: 'padded / useful FLOPs', unit: '×', log: true },
  latency_fraction: { label: 'latency share of the time' },
  log2_waves: { label: 'waves', log: true },
  log2_tiles_per_sm: { label: 'tiles per SM', log: true },
  log2_smem_over_compute_time: { label: 'shared-memory time / compute time', unit: '×', log: true },
  log2_issue_over_compute_time: { label: 'instruction-issue time / compute time', unit: '×', log: true },
  achieved_fraction: { label: 'latency-hiding fraction' },
  work_per_thread: { label: 'outputs per thread' },
  loads_per_fma: { label: 'operand loads per FMA' },
  smem_kib_per_block: { label: 'shared memory per block', unit: ' KiB' },
  threads_per_block: { label: 'threads per block' },
};

const sig = (v: number) => String(Number(v.toPrecision(3)));

/** A feature's or descriptor's name in words (`memory bandwidth` for log2_bandwidth_gbps). */
export function featureLabel(name: string): string {
  return WORDS[name]?.label ?? name.replace(/_/g, ' ');
}

/** `label value (training lo–hi)` for a feature or descriptor outside its training range; `where` qualifies the range. */
export function outsideInWords(name: string, value: number, lo: number, hi: number, where = 'training'): string {
  const words = WORDS[name];
  if (!words) return `${name.replace(/_/g, ' ')} ${sig(value)} (${where} ${sig(lo)}–${sig(hi)})`;
  // A size (2^v a whole number: M = 65536) is shown exactly, other values to 3 significant digits.
  const show = (v: number) => {
    const x = words.log ? 2 ** v : v;
    return Math.abs(x - Math.round(x)) < 1e-6 * Math.max(1, x) ? String(Math.round(x)) : sig(x);
  };
  const unit = words.unit ?? '';
  return `${words.label} ${show(value)}${unit} (${where} ${show(lo)}–${show(hi)}${unit})`;
}
