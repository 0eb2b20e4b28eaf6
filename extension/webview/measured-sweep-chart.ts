// Draws the measured-vs-predicted heatmap beside the predicted tile sweep (issue 10): one cell per
// configuration the user measured, coloured by how far the measurement is from the prediction
// (diverging: red slower than predicted, blue faster), labelled with the signed percentage.
import * as Plot from '@observablehq/plot';
import type { TileSweepResult } from '../../server/src/ide/protocol';
import { formatNumber, type ChartTheme } from './theme';

export interface MeasuredCell {
  x: number;
  y: number;
  measuredMs: number;
  predictedMs: number;
  /** (measured - predicted) / predicted, percent. */
  deltaPct: number;
}

/** The measured cells that have a legal predicted cell on the same axes. */
export function measuredCells(data: TileSweepResult): MeasuredCell[] {
  const cells: MeasuredCell[] = [];
  for (const m of data.measured ?? []) {
    const predicted = data.cells.find((c) => c.x === m.x && c.y === m.y)?.timeMs?.value;
    if (predicted === undefined || !(predicted > 0)) continue;
    cells.push({ x: m.x, y: m.y, measuredMs: m.timeMs, predictedMs: predicted, deltaPct: ((m.timeMs - predicted) / predicted) * 100 });
  }
  return cells;
}

export function measuredSweepChart(data: TileSweepResult, theme: ChartTheme, width: number): SVGSVGElement | HTMLElement {
  const cells = measuredCells(data);
  const extent = Math.max(10, ...cells.map((c) => Math.abs(c.deltaPct)));
  const signed = (pct: number) => `${pct >= 0 ? '+' : ''}${pct.toFixed(0)}%`;
  return Plot.plot({
    width: Math.min(width, 120 + 56 * Math.max(data.xValues.length, 1)),
    height: Math.max(240, 80 + 44 * Math.max(data.yValues.length, 1)),
    marginLeft: 70,
    marginBottom: 45,
    padding: 0.04,
    style: { background: theme.background, color: theme.foreground, fontFamily: theme.font, fontSize: '12px' },
    x: { type: 'band', domain: data.xValues, label: `${data.xName} →` },
    y: { type: 'band', domain: data.yValues, label: `↑ ${data.yName}`, reverse: true, axis: data.yName === '' ? null : 'left' },
    color: { type: 'diverging', scheme: 'rdbu', reverse: true, domain: [-extent, extent], legend: true, label: 'measured vs predicted, %' },
    marks: [
      Plot.cell(cells, {
        x: 'x',
        y: 'y',
        fill: 'deltaPct',
        title: (c: MeasuredCell) =>
          `${data.yName === '' ? `${data.xName}=${c.x}` : `${data.xName}=${c.x}, ${data.yName}=${c.y}`}\nmeasured ${formatNumber(c.measuredMs)} ms vs predicted ${formatNumber(c.predictedMs)} ms, ${signed(c.deltaPct)}`,
        tip: true,
      }),
      Plot.text(cells, {
        x: 'x',
        y: 'y',
        text: (c: MeasuredCell) => signed(c.deltaPct),
        fill: 'white',
        stroke: 'black',
        strokeWidth: 2,
        paintOrder: 'stroke',
        fontSize: 10,
      }),
      Plot.cell(data.current ? [data.current] : [], { x: 'x', y: 'y', fill: 'none', stroke: theme.foreground, strokeWidth: 3, strokeDasharray: '4,3' }),
    ],
  });
}
