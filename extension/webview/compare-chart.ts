// Draws the GPU comparison: one bar per GPU for the chosen metric, its interval as a whisker, and the
// GPUs where the configuration cannot run listed with the reason. Data in, an element out.
import * as Plot from '@observablehq/plot';
import type { CompareGpusResult, CompareGpusRow, Interval } from '../../server/src/ide/protocol';
import { formatNumber, type ChartTheme } from './theme';

export type CompareMetric = 'timeMs' | 'powerW' | 'energyMj';
export const METRIC_LABELS: Record<CompareMetric, string> = { timeMs: 'Runtime (ms)', powerW: 'Power (W)', energyMj: 'Energy (mJ)' };

export function compareChart(data: CompareGpusResult, metric: CompareMetric, theme: ChartTheme, width: number): SVGSVGElement | HTMLElement {
  const rows = data.rows
    .filter((row): row is CompareGpusRow & Record<CompareMetric, Interval> => row[metric] !== null)
    .map((row) => ({ gpu: row.gpuName + (row.extrapolating ? ' *' : ''), value: row[metric].value, lo: row[metric].lo, hi: row[metric].hi }));
  const illegal = data.rows.filter((row) => row[metric] === null).map((row) => ({ gpu: row.gpuName, reason: row.illegalReason ?? 'no prediction' }));
  const order = [...rows]
    .sort((a, b) => a.value - b.value)
    .map((r) => r.gpu)
    .concat(illegal.map((r) => r.gpu));
  return Plot.plot({
    width,
    height: 60 + 30 * Math.max(order.length, 1),
    marginLeft: Math.min(260, 12 + 7 * Math.max(...order.map((g) => g.length), 8)),
    marginRight: 40,
    style: { background: theme.background, color: theme.foreground, fontFamily: theme.font, fontSize: '12px' },
    x: { label: `${METRIC_LABELS[metric]} →`, grid: true, nice: true },
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
