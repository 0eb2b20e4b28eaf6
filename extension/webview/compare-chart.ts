// Draws the GPU comparison: one bar per GPU for the chosen metric, its interval as a whisker, and the
// GPUs where the configuration cannot run listed with the reason. Data in, an element out.
import * as Plot from '@observablehq/plot';
import type { CompareGpusResult } from '../../server/src/ide/protocol';
import { compareMarginLeft, compareRows, METRIC_LABELS, type CompareMetric } from './chart-data';
import { formatNumber, type ChartTheme } from './theme';

export { METRIC_LABELS, type CompareMetric } from './chart-data';

export function compareChart(data: CompareGpusResult, metric: CompareMetric, theme: ChartTheme, width: number): SVGSVGElement | HTMLElement {
  const { rows, illegal, order } = compareRows(data, metric);
  return Plot.plot({
    width,
    height: 60 + 30 * Math.max(order.length, 1),
    marginLeft: compareMarginLeft(order),
    marginRight: 40,
    style: { background: theme.background, color: theme.foreground, fontFamily: theme.font, fontSize: '12px' },
    x: { label: METRIC_LABELS[metric], grid: true, nice: true }, // Plot adds the →
    y: { domain: order, label: null },
    marks: [
      Plot.barX(rows, {
        y: 'gpu',
        x: 'value',
        fill: theme.series[0],
        title: (r: (typeof rows)[number]) => `${r.gpu}: ${formatNumber(r.value)} (${formatNumber(r.lo)}..${formatNumber(r.hi)})`,
        tip: true,
      }),
      Plot.ruleY(rows, { y: 'gpu', x1: 'lo', x2: 'hi', stroke: theme.foreground, strokeWidth: 2 }),
      Plot.tickX(rows, { y: 'gpu', x: 'lo', stroke: theme.foreground }),
      Plot.tickX(rows, { y: 'gpu', x: 'hi', stroke: theme.foreground }),
      Plot.text(illegal, { y: 'gpu', frameAnchor: 'left', dx: 4, text: (r: (typeof illegal)[number]) => `cannot run: ${r.reason}`, fill: theme.foreground }),
      Plot.ruleX([0], { stroke: theme.foreground }),
    ],
  });
}
