import * as Plot from '@observablehq/plot';
import { rooflineData } from './data.js';
const t0 = performance.now();
const { lines, points } = rooflineData();
const svg = Plot.plot({
  width: 640,
  height: 400,
  x: { type: 'log', label: 'FLOP/byte' },
  y: { type: 'log', label: 'TFLOP/s' },
  color: { legend: true },
  marks: [
    Plot.line(lines, { x: 'ai', y: 'tflops', stroke: 'gpu' }),
    Plot.ruleX(points, { x: 'ai', y1: 'lo', y2: 'hi', stroke: 'gpu' }),
    Plot.dot(points, { x: 'ai', y: 'tflops', fill: 'gpu', tip: true }),
  ],
});
document.body.append(svg);
window.renderMs = performance.now() - t0;
