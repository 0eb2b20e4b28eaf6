// The data each chart draws, shaped from the server's answers: shared by the Plot charts and the first-paint
// charts (static-charts.ts), so both draw the same samples, rows and order. Plot-free and DOM-free.
import type { CompareGpusResult, CompareGpusRow, Interval, RooflineResult, TileSweepResult } from '../../server/src/ide/protocol';

export type CompareMetric = 'timeMs' | 'powerW' | 'energyMj';
export const METRIC_LABELS: Record<CompareMetric, string> = { timeMs: 'Runtime (ms)', powerW: 'Power (W)', energyMj: 'Energy (mJ)' };

interface RoofSample {
  gpu: string;
  intensity: number;
  tflops: number;
}

/** Samples each roof over a log range that covers the points and every ridge point, so the bend shows. */
export function roofSamples(data: RooflineResult): RoofSample[] {
  const ridges = data.roofs.filter((r) => r.bandwidthGBps > 0).map((r) => (r.peakTflops * 1000) / r.bandwidthGBps);
  const intensities = [...ridges, ...data.points.map((p) => p.arithmeticIntensity)].filter((x) => x > 0 && Number.isFinite(x));
  const lo = Math.log10(Math.min(...intensities, 1)) - 1;
  const hi = Math.log10(Math.max(...intensities, 10)) + 1;
  const samples: RoofSample[] = [];
  const steps = 80;
  for (const roof of data.roofs) {
    const ridge = (roof.peakTflops * 1000) / roof.bandwidthGBps;
    const xs = Array.from({ length: steps + 1 }, (_, i) => 10 ** (lo + ((hi - lo) * i) / steps));
    if (ridge > 10 ** lo && ridge < 10 ** hi) xs.push(ridge);
    xs.sort((a, b) => a - b);
    for (const intensity of xs) samples.push({ gpu: roof.gpuName, intensity, tflops: Math.min(roof.peakTflops, (intensity * roof.bandwidthGBps) / 1000) });
  }
  return samples;
}

/** The kernel's predicted point per GPU, named as its roof is. */
export function rooflinePoints(data: RooflineResult) {
  const nameOf = new Map(data.roofs.map((r) => [r.gpuId, r.gpuName]));
  return data.points.map((p) => ({
    gpu: nameOf.get(p.gpuId) ?? p.gpuId,
    label: p.label,
    intensity: p.arithmeticIntensity,
    tflops: p.tflops.value,
    lo: p.tflops.lo,
    hi: p.tflops.hi,
  }));
}

/** The GPUs with a value for the metric (bars, fastest first), those without (listed with the reason) and the order of both. */
export function compareRows(data: CompareGpusResult, metric: CompareMetric) {
  const rows = data.rows
    .filter((row): row is CompareGpusRow & Record<CompareMetric, Interval> => row[metric] !== null)
    .map((row) => ({ gpu: row.gpuName + (row.extrapolating ? ' *' : ''), value: row[metric].value, lo: row[metric].lo, hi: row[metric].hi }));
  const illegal = data.rows.filter((row) => row[metric] === null).map((row) => ({ gpu: row.gpuName, reason: row.illegalReason ?? 'no prediction' }));
  const order = [...rows]
    .sort((a, b) => a.value - b.value)
    .map((r) => r.gpu)
    .concat(illegal.map((r) => r.gpu));
  return { rows, illegal, order };
}

/** The compare chart's left margin: room for the longest GPU name. */
export const compareMarginLeft = (order: string[]) => Math.min(260, 12 + 7 * Math.max(...order.map((g) => g.length), 8));

/** The line under a chart. */
export function chartNote(
  chart: { type: 'roofline'; data: RooflineResult } | { type: 'tileSweep'; data: TileSweepResult } | { type: 'compare'; data: CompareGpusResult },
): string {
  switch (chart.type) {
    case 'roofline':
      return `Roofs for ${chart.data.dtype}; whiskers are the prediction's interval.`;
    case 'tileSweep':
      return 'Dashed outline: the current configuration. ★: the suggested one. ✕: cannot run on this GPU. Hover a cell for its interval.';
    case 'compare':
      return chart.data.rows.some((r) => r.extrapolating) ? '* outside the GPUs the model was trained on: the interval is wider.' : '';
  }
}
