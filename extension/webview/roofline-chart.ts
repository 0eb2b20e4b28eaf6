// Draws the roofline: one roof per chosen GPU (min(peak, intensity x bandwidth)) and the kernel's
// predicted point(s) with their intervals, on log-log axes. Data in, an element out; no messaging.
import * as Plot from '@observablehq/plot';
import type { RooflineResult } from '../../server/src/ide/protocol';
import { formatNumber, type ChartTheme } from './theme';

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

export function rooflineChart(data: RooflineResult, theme: ChartTheme, width: number): SVGSVGElement | HTMLElement {
  const gpuNames = data.roofs.map((r) => r.gpuName);
  const nameOf = new Map(data.roofs.map((r) => [r.gpuId, r.gpuName]));
  const points = data.points.map((p) => ({
    gpu: nameOf.get(p.gpuId) ?? p.gpuId,
    label: p.label,
    intensity: p.arithmeticIntensity,
    tflops: p.tflops.value,
    lo: p.tflops.lo,
    hi: p.tflops.hi,
  }));
  const samples = roofSamples(data);
  return Plot.plot({
    width,
    height: Math.round(Math.min(520, Math.max(320, width * 0.6))),
    marginLeft: 60,
    marginBottom: 45,
    style: { background: theme.background, color: theme.foreground, fontFamily: theme.font, fontSize: '12px' },
    x: { type: 'log', label: 'Arithmetic intensity (FLOP/byte) →', grid: true },
    y: { type: 'log', label: '↑ TFLOP/s', grid: true },
    // Roofs are labelled where they end, so a saved SVG needs no separate legend.
    color: { domain: gpuNames, range: theme.series },
    marks: [
      Plot.line(samples, { x: 'intensity', y: 'tflops', stroke: 'gpu', strokeWidth: 2 }),
      Plot.text(samples, Plot.selectLast({ x: 'intensity', y: 'tflops', z: 'gpu', text: 'gpu', fill: 'gpu', textAnchor: 'end', dy: -8 })),
      Plot.ruleX(points, { x: 'intensity', y1: 'lo', y2: 'hi', stroke: 'gpu', strokeWidth: 2 }),
      Plot.dot(points, {
        x: 'intensity',
        y: 'tflops',
        fill: 'gpu',
        stroke: theme.foreground,
        r: 5,
        title: (p: (typeof points)[number]) =>
          `${p.label} on ${p.gpu}\n${formatNumber(p.tflops)} TFLOP/s (${formatNumber(p.lo)}..${formatNumber(p.hi)})\nintensity ${formatNumber(p.intensity)} FLOP/byte`,
        tip: true,
      }),
    ],
  });
}
