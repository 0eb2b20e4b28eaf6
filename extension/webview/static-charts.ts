// The first-paint charts: the roofline, the tile-sweep heatmap and the GPU comparison drawn as plain SVG
// with the sizes, margins, scales and colours of their Plot versions (roofline-chart.ts, tile-sweep-chart.ts,
// compare-chart.ts), so the page can paint before Plot has loaded; the Plot chart (pointer tips, legends'
// exact ticks) replaces it a moment later (boot.ts). No chart library, no Intl, no HTML strings.
import type { CompareGpusResult, RooflineResult, TileSweepResult } from '../../server/src/ide/protocol';
import { compareMarginLeft, compareRows, METRIC_LABELS, rooflinePoints, roofSamples } from './chart-data';
import { bandScale, bottomAxis, chartSvg, leftAxis, linearScale, logScale, svgNode } from './static-svg';
import { formatNumber, type ChartTheme } from './theme';

const extent = (values: number[]): [number, number] => [Math.min(...values), Math.max(...values)];

export function staticRoofline(data: RooflineResult, theme: ChartTheme, width: number): SVGSVGElement {
  const height = Math.round(Math.min(520, Math.max(320, width * 0.6)));
  const [top, right, bottom, left] = [20, width - 20, height - 45, 60];
  const samples = roofSamples(data);
  const points = rooflinePoints(data);
  const [x0, x1] = extent([...samples.map((s) => s.intensity), ...points.map((p) => p.intensity)]);
  const [y0, y1] = extent([...samples.map((s) => s.tflops), ...points.flatMap((p) => [p.tflops, p.lo, p.hi])]);
  const x = logScale(x0, x1, left, right, (right - left) / 80);
  const y = logScale(y0, y1, bottom, top, (bottom - top) / 35);
  const colour = new Map(data.roofs.map((r, i) => [r.gpuName, theme.series[i % theme.series.length]]));
  const svg = chartSvg(width, height, theme);
  svg.append(leftAxis(y, left, right, top, '↑ TFLOP/s', true), bottomAxis(x, bottom, top, right, 'Arithmetic intensity (FLOP/byte) →', true));
  for (const roof of data.roofs) {
    const line = samples.filter((s) => s.gpu === roof.gpuName);
    const last = line.at(-1);
    if (!last) continue;
    const d = line.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.intensity).toFixed(2)},${y(s.tflops).toFixed(2)}`).join('');
    svg.append(svgNode('path', { d, fill: 'none', stroke: colour.get(roof.gpuName) ?? theme.foreground, 'stroke-width': 2 }));
    svg.append(
      svgNode(
        'text',
        { x: x(last.intensity), y: y(last.tflops) - 8, dy: '0.32em', 'text-anchor': 'end', fill: colour.get(roof.gpuName) ?? theme.foreground },
        roof.gpuName,
      ),
    );
  }
  for (const p of points) {
    const stroke = colour.get(p.gpu) ?? theme.foreground;
    svg.append(svgNode('line', { x1: x(p.intensity), x2: x(p.intensity), y1: y(p.lo), y2: y(p.hi), stroke, 'stroke-width': 2 }));
  }
  for (const p of points)
    svg.append(svgNode('circle', { cx: x(p.intensity), cy: y(p.tflops), r: 5, fill: colour.get(p.gpu) ?? theme.foreground, stroke: theme.foreground }));
  return svg;
}

/** d3's viridis at nine stops (interpolated between them): 0 purple, 1 yellow. */
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'].map((hex) =>
  [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)),
);

function viridis(t: number): string {
  const at = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(at), VIRIDIS.length - 2);
  const f = at - i;
  const [r, g, b] = VIRIDIS[i].map((c, k) => Math.round(c + (VIRIDIS[i + 1][k] - c) * f));
  return `rgb(${r},${g},${b})`;
}

/** The heatmap in a <figure> under its colour ramp, as Plot lays out a chart with a legend. */
export function staticTileSweep(data: TileSweepResult, theme: ChartTheme, width: number): HTMLElement {
  const size = Math.min(width, 120 + 56 * Math.max(data.xValues.length, 1));
  const height = Math.max(240, 80 + 44 * Math.max(data.yValues.length, 1));
  const [top, right, bottom, left] = [20, size - 20, height - 45, 70];
  const legal = data.cells.filter((c) => c.timeMs !== null);
  const [t0, t1] = legal.length > 0 ? extent(legal.map((c) => c.timeMs!.value)) : [1, 10];
  // Log colour scale, reversed: the fastest configuration is yellow.
  const shade = (ms: number) => viridis(t1 > t0 ? 1 - (Math.log(ms) - Math.log(t0)) / (Math.log(t1) - Math.log(t0)) : 1);
  const x = bandScale(data.xValues, left, right, 0.04);
  const y = bandScale([...data.yValues].reverse(), top, bottom, 0.04);
  const figure = document.createElement('figure');
  figure.style.maxWidth = 'initial';
  const ramp = svgNode('svg', { width: 240, height: 50, viewBox: '0 0 240 50', 'font-family': 'system-ui, sans-serif', 'font-size': 10 });
  ramp.style.display = 'block';
  ramp.style.overflow = 'visible';
  for (let i = 0; i < 48; i++) ramp.append(svgNode('rect', { x: i * 5, y: 18, width: 5.5, height: 10, fill: viridis(1 - i / 47) }));
  ramp.append(svgNode('text', { x: 0, y: 12, fill: 'currentColor', 'font-weight': 'bold' }, 'predicted ms'));
  const svg = chartSvg(size, height, theme);
  const cell = (c: { x: number; y: number }, attributes: Record<string, string | number>) =>
    svgNode('rect', { x: x.at(c.x), y: y.at(c.y), width: x.width, height: y.width, ...attributes });
  const centre = (c: { x: number; y: number }, dy: number, text: string, attributes: Record<string, string | number>) =>
    svgNode('text', { x: x.at(c.x) + x.width / 2, y: y.at(c.y) + y.width / 2 + dy, dy: '0.32em', ...attributes }, text);
  for (const c of data.cells) {
    if (c.timeMs === null) {
      svg.append(cell(c, { fill: theme.grid, 'fill-opacity': 0.3 }), centre(c, 0, '✕', { fill: theme.foreground, 'font-size': 14 }));
      continue;
    }
    svg.append(cell(c, { fill: shade(c.timeMs.value) }));
    svg.append(centre(c, 0, formatNumber(c.timeMs.value), { fill: 'white', stroke: 'black', 'stroke-width': 2, 'paint-order': 'stroke', 'font-size': 10 }));
  }
  if (data.current) svg.append(cell(data.current, { fill: 'none', stroke: theme.foreground, 'stroke-width': 3, 'stroke-dasharray': '4,3' }));
  if (data.suggested) {
    svg.append(cell(data.suggested, { fill: 'none', stroke: theme.highlight, 'stroke-width': 3 }));
    svg.append(centre(data.suggested, -12, '★', { fill: theme.highlight, 'font-size': 14 }));
  }
  const axes = svgNode('g', { 'aria-hidden': 'true' });
  for (const value of data.xValues) {
    const at = x.at(value) + x.width / 2 + 0.5;
    axes.append(svgNode('line', { x1: at, x2: at, y1: bottom, y2: bottom + 6, stroke: 'currentColor' }));
    axes.append(svgNode('text', { x: at, y: bottom + 9.5, dy: '0.71em' }, String(value)));
  }
  axes.append(svgNode('text', { x: (left + right) / 2, y: bottom + 27.5, dy: '0.71em' }, `${data.xName} →`));
  if (data.yName !== '') {
    for (const value of data.yValues) {
      const at = y.at(value) + y.width / 2 + 0.5;
      axes.append(svgNode('line', { x1: left - 6, x2: left, y1: at, y2: at, stroke: 'currentColor' }));
      axes.append(svgNode('text', { x: left - 8.5, y: at, dy: '0.32em', 'text-anchor': 'end' }, String(value)));
    }
    axes.append(svgNode('text', { transform: `translate(${left - 66.5},${(top + bottom) / 2}) rotate(-90)`, dy: '0.71em' }, `↑ ${data.yName}`));
  }
  svg.append(axes);
  figure.append(ramp, svg);
  return figure;
}

export function staticCompare(data: CompareGpusResult, theme: ChartTheme, width: number): SVGSVGElement {
  const { rows, illegal, order } = compareRows(data, 'timeMs');
  const height = 60 + 30 * Math.max(order.length, 1);
  const [top, right, bottom, left] = [20, width - 40, height - 30, compareMarginLeft(order)];
  const x = linearScale(0, Math.max(0, ...rows.map((r) => Math.max(r.value, r.hi))), left, right, (right - left) / 80);
  const y = bandScale(order, top, bottom, 0.1);
  const svg = chartSvg(width, height, theme);
  svg.append(bottomAxis(x, bottom, top, right, `${METRIC_LABELS.timeMs} →`, true));
  for (const gpu of order) {
    const at = y.at(gpu) + y.width / 2 + 0.5;
    svg.append(svgNode('line', { x1: left - 6, x2: left, y1: at, y2: at, stroke: 'currentColor' }));
    svg.append(svgNode('text', { x: left - 8.5, y: at, dy: '0.32em', 'text-anchor': 'end' }, gpu));
  }
  for (const r of rows) {
    const [top_, mid] = [y.at(r.gpu), y.at(r.gpu) + y.width / 2];
    svg.append(svgNode('rect', { x: x(0), y: top_, width: Math.max(0, x(r.value) - x(0)), height: y.width, fill: theme.series[0] }));
    svg.append(svgNode('line', { x1: x(r.lo), x2: x(r.hi), y1: mid, y2: mid, stroke: theme.foreground, 'stroke-width': 2 }));
    for (const end of [r.lo, r.hi]) svg.append(svgNode('line', { x1: x(end), x2: x(end), y1: top_, y2: top_ + y.width, stroke: theme.foreground }));
  }
  for (const r of illegal)
    svg.append(
      svgNode('text', { x: left + 4, y: y.at(r.gpu) + y.width / 2, dy: '0.32em', 'text-anchor': 'start', fill: theme.foreground }, `cannot run: ${r.reason}`),
    );
  svg.append(svgNode('line', { x1: x(0), x2: x(0), y1: top, y2: bottom, stroke: theme.foreground }));
  return svg;
}
