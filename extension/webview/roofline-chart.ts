// Draws the roofline: one roof per chosen GPU (min(peak, intensity x bandwidth)) and the kernel's
// predicted point(s) with their intervals, on log-log axes. Data in, an element out; no messaging.
import * as Plot from '@observablehq/plot';
import type { RooflineResult } from '../../server/src/ide/protocol';
import { rooflinePoints, roofSamples } from './chart-data';
import { formatNumber, type ChartTheme } from './theme';

export function rooflineChart(data: RooflineResult, theme: ChartTheme, width: number): SVGSVGElement | HTMLElement {
  const gpuNames = data.roofs.map((r) => r.gpuName);
  const points = rooflinePoints(data);
  const samples = roofSamples(data);
  return Plot.plot({
    width,
    height: Math.round(Math.min(520, Math.max(320, width * 0.6))),
    marginLeft: 60,
    marginBottom: 45,
    style: { background: theme.background, color: theme.foreground, fontFamily: theme.font, fontSize: '12px' },
    // Plot adds the arrows (→, ↑) to a continuous scale's label itself.
    x: { type: 'log', label: 'Arithmetic intensity (FLOP/byte)', grid: true },
    y: { type: 'log', label: 'TFLOP/s', grid: true },
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
