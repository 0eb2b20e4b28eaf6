// Draws the tile-sweep heatmap: predicted runtime over two tile dimensions, illegal cells crossed out,
// the current configuration outlined and the suggested one starred; each cell's interval on hover.
import * as Plot from '@observablehq/plot';
import type { TileSweepResult } from '../../server/src/ide/protocol';
import { formatNumber, type ChartTheme } from './theme';

export function tileSweepChart(data: TileSweepResult, theme: ChartTheme, width: number): SVGSVGElement | HTMLElement {
  const legal = data.cells.filter((c) => c.timeMs !== null).map((c) => ({ x: c.x, y: c.y, timeMs: c.timeMs!.value, lo: c.timeMs!.lo, hi: c.timeMs!.hi }));
  const illegal = data.cells.filter((c) => c.timeMs === null).map((c) => ({ x: c.x, y: c.y, reason: c.illegalReason ?? 'not legal on this GPU' }));
  const cellName = (c: { x: number; y: number }) => (data.yName === '' ? `${data.xName}=${c.x}` : `${data.xName}=${c.x}, ${data.yName}=${c.y}`);
  const marked = (where: { x: number; y: number } | null) => (where ? [where] : []);
  const size = Math.min(width, 120 + 56 * Math.max(data.xValues.length, 1));
  return Plot.plot({
    width: size,
    height: Math.max(240, 80 + 44 * Math.max(data.yValues.length, 1)),
    marginLeft: 70,
    marginBottom: 45,
    padding: 0.04,
    style: { background: theme.background, color: theme.foreground, fontFamily: theme.font, fontSize: '12px' },
    x: { type: 'band', domain: data.xValues, label: `${data.xName} →` },
    // A one-parameter sweep has a single row and no y parameter: no y axis then.
    y: { type: 'band', domain: data.yValues, label: `↑ ${data.yName}`, reverse: true, axis: data.yName === '' ? null : 'left' },
    color: { type: 'log', scheme: 'viridis', reverse: true, legend: true, label: 'predicted ms' },
    marks: [
      Plot.cell(legal, {
        x: 'x',
        y: 'y',
        fill: 'timeMs',
        title: (c: (typeof legal)[number]) => `${cellName(c)}\n${formatNumber(c.timeMs)} ms (${formatNumber(c.lo)}..${formatNumber(c.hi)})`,
        tip: true,
      }),
      Plot.text(legal, {
        x: 'x',
        y: 'y',
        text: (c: (typeof legal)[number]) => formatNumber(c.timeMs),
        fill: 'white',
        stroke: 'black',
        strokeWidth: 2,
        paintOrder: 'stroke',
        fontSize: 10,
      }),
      Plot.cell(illegal, {
        x: 'x',
        y: 'y',
        fill: theme.grid,
        fillOpacity: 0.3,
        title: (c: (typeof illegal)[number]) => `${cellName(c)}\n${c.reason}`,
        tip: true,
      }),
      Plot.text(illegal, { x: 'x', y: 'y', text: () => '✕', fill: theme.foreground, fontSize: 14 }),
      Plot.cell(marked(data.current), { x: 'x', y: 'y', fill: 'none', stroke: theme.foreground, strokeWidth: 3, strokeDasharray: '4,3' }),
      Plot.cell(marked(data.suggested), { x: 'x', y: 'y', fill: 'none', stroke: theme.highlight, strokeWidth: 3 }),
      Plot.text(marked(data.suggested), { x: 'x', y: 'y', text: () => '★', dy: -12, fill: theme.highlight, fontSize: 14 }),
      Plot.dot(data.measured ?? [], {
        x: 'x',
        y: 'y',
        dx: 14,
        dy: 10,
        r: 3,
        fill: theme.foreground,
        title: (m: { timeMs: number }) => `measured ${formatNumber(m.timeMs)} ms`,
      }),
    ],
  });
}
