// Size bands of the power interval: short GEMMs' power labels are noisy (same shape, runtimes within 5%,
// power differing by a third between measurement series), long ones agree within 2%, so the power
// model's interval is scaled per band of problem size by factors calibrated on GPUs held out of training.
// Pure arithmetic; no I/O, never throws.

/** Band edges in GFLOP (2·m·n·k·batch / 1e9): < 1, 1–10, 10–100, ≥ 100. */
export const POWER_BAND_EDGES_GFLOP: readonly number[] = [1, 10, 100];
export const POWER_BAND_LABELS: readonly string[] = ['< 1 GFLOP', '1–10 GFLOP', '10–100 GFLOP', '≥ 100 GFLOP'];

/** Band index (0..3) of a GEMM of `flops` floating-point operations; the largest band for NaN. */
export function powerBandOf(flops: number): number {
  return bandIndex(POWER_BAND_EDGES_GFLOP, flops);
}

/** Per-band interval scales stored in the power artifact's training metadata (`training.powerBandScales`). */
export interface PowerBandScales {
  edgesGflop: number[];
  /** One factor per band on the raw forest interval (target space), fitted on held-out GPUs. */
  scales: number[];
}

/** Reads `training.powerBandScales` from an artifact's metadata; null when absent or malformed. */
export function parsePowerBandScales(v: unknown): PowerBandScales | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const edges = o.edgesGflop,
    scales = o.scales;
  if (!Array.isArray(edges) || !Array.isArray(scales)) return null;
  if (scales.length !== edges.length + 1) return null;
  if (!edges.every((e, i) => typeof e === 'number' && e > 0 && (i === 0 || e > (edges[i - 1] as number)))) return null;
  if (!scales.every((s) => typeof s === 'number' && Number.isFinite(s) && s >= 0)) return null;
  return { edgesGflop: edges as number[], scales: scales as number[] };
}

/** Band index of `flops` against stored edges. */
export function bandIndex(edgesGflop: readonly number[], flops: number): number {
  const gflop = flops / 1e9;
  let b = 0;
  while (b < edgesGflop.length && !(gflop < edgesGflop[b])) b++;
  return b;
}

/**
 * Rescales an interval that was scaled by `pooledScale` (the artifact's calibration) to the band's scale:
 * each side's distance from the mean becomes (bandScale / pooledScale) of what it was.
 */
export function rescaleInterval(mean: number, lo: number, hi: number, pooledScale: number, bandScale: number): [number, number] {
  if (!(pooledScale > 0) || !Number.isFinite(bandScale)) return [lo, hi];
  const f = bandScale / pooledScale;
  return [mean - f * Math.max(0, mean - lo), mean + f * Math.max(0, hi - mean)];
}
