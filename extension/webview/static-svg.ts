// Small SVG helpers for the first-paint charts (static-charts.ts): elements, band/linear/log scales with
// ticks laid out as Observable Plot lays them out (rounded bands, d3's nice steps, log decades) and axes.
// No chart library and no Intl: this runs before Plot has loaded (boot.ts, docs/webviews.md, First paint).

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svgNode<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export interface Scale {
  (value: number): number;
  ticks: Array<{ value: number; label: string }>;
}

/** A band scale as Plot makes one (d3 scaleBand, rounded): the start of each value's band and its width. */
export function bandScale<T>(domain: T[], from: number, to: number, padding: number): { at: (value: T) => number; width: number } {
  const n = Math.max(domain.length, 1);
  const step = Math.floor((to - from) / Math.max(1, n - padding + padding * 2));
  const start = from + Math.round((to - from - step * (n - padding)) / 2);
  const index = new Map(domain.map((value, i) => [value, i]));
  return { at: (value) => start + step * (index.get(value) ?? 0), width: Math.round(step * (1 - padding)) };
}

/** d3's tick step for a span and a tick count (1, 2 or 5 times a power of ten). */
function tickStep(span: number, count: number): number {
  const raw = span / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  return power * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1);
}

/** Tick text with no more digits than the step needs (d3's default format). */
function stepLabel(value: number, step: number): string {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return (Math.abs(value) < step / 2 ? 0 : value).toFixed(digits);
}

/** A linear scale over [lo, hi] made nice (as Plot's `nice: true`), with about `count` ticks. */
export function linearScale(lo: number, hi: number, from: number, to: number, count: number): Scale {
  const step = tickStep(hi - lo || 1, count);
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step || step;
  const scale = ((value: number) => from + ((value - min) / (max - min)) * (to - from)) as Scale;
  scale.ticks = [];
  for (let i = 0; min + i * step <= max + step / 1e6; i++) scale.ticks.push({ value: min + i * step, label: stepLabel(min + i * step, step) });
  return scale;
}

/** d3's "~s" for the log axes' labels: 100m, 2, 10, 20k. */
function siLabel(value: number): string {
  const prefixes: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
    [1, ''],
    [1e-3, 'm'],
    [1e-6, 'µ'],
  ];
  const [unit, prefix] = prefixes.find(([u]) => value >= u * 0.9999) ?? [1e-6, 'µ'];
  return `${Number((value / unit).toPrecision(3))}${prefix}`;
}

/**
 * A log scale over the data's extent (Plot's default: not made nice), with a grid line at every 1..9 times a
 * power of ten and labels on the multiples d3's log tickFormat keeps for `count` ticks (Plot asks for one per
 * 80 px across, one per 35 px up): 1..5 where a decade is tall, 1 and 2 where it is narrower.
 */
export function logScale(lo: number, hi: number, from: number, to: number, count: number): Scale {
  const l0 = Math.log10(lo);
  const l1 = Math.log10(hi > lo ? hi : lo * 10);
  const scale = ((value: number) => from + ((Math.log10(value) - l0) / (l1 - l0)) * (to - from)) as Scale;
  const multiples: Array<[number, number]> = [];
  for (let power = Math.floor(l0); power <= Math.ceil(l1); power++)
    for (let m = 1; m <= 9; m++) {
      const value = m * 10 ** power;
      if (value >= lo * 0.9999 && value <= hi * 1.0001) multiples.push([m, value]);
    }
  const keep = Math.max(1, (10 * count) / Math.max(multiples.length, 1));
  scale.ticks = multiples.map(([m, value]) => ({ value, label: m <= keep ? siLabel(value) : '' }));
  return scale;
}

/** A bottom axis (tick marks, labels, label at the right end) and, with `grid`, vertical grid lines. */
export function bottomAxis(x: Scale, y0: number, y1: number, right: number, label: string, grid: boolean): SVGGElement {
  const group = svgNode('g', { 'aria-hidden': 'true' });
  for (const tick of x.ticks) {
    const at = x(tick.value) + 0.5;
    if (grid) group.append(svgNode('line', { x1: at, x2: at, y1: y1, y2: y0, stroke: 'currentColor', 'stroke-opacity': 0.1 }));
    group.append(svgNode('line', { x1: at, x2: at, y1: y0, y2: y0 + 6, stroke: 'currentColor' }));
    if (tick.label !== '') group.append(svgNode('text', { x: at, y: y0 + 9.5, dy: '0.71em', 'font-variant': 'tabular-nums' }, tick.label));
  }
  group.append(svgNode('text', { x: right, y: y0 + 27.5, dy: '0.71em', 'text-anchor': 'end' }, label));
  return group;
}

/** A left axis (tick marks, labels, label above at the left) and, with `grid`, horizontal grid lines. */
export function leftAxis(y: Scale, x0: number, x1: number, top: number, label: string, grid: boolean): SVGGElement {
  const group = svgNode('g', { 'aria-hidden': 'true' });
  for (const tick of y.ticks) {
    const at = y(tick.value) + 0.5;
    if (grid) group.append(svgNode('line', { x1: x0, x2: x1, y1: at, y2: at, stroke: 'currentColor', 'stroke-opacity': 0.1 }));
    group.append(svgNode('line', { x1: x0 - 6, x2: x0, y1: at, y2: at, stroke: 'currentColor' }));
    if (tick.label !== '')
      group.append(svgNode('text', { x: x0 - 8.5, y: at, dy: '0.32em', 'text-anchor': 'end', 'font-variant': 'tabular-nums' }, tick.label));
  }
  group.append(svgNode('text', { x: 3.5, y: top - 16.5, dy: '0.71em', 'text-anchor': 'start' }, label));
  return group;
}

/** The chart's root <svg>, styled as Plot styles its own (theme colours as literals). */
export function chartSvg(width: number, height: number, style: { background: string; foreground: string; font: string }): SVGSVGElement {
  const svg = svgNode('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    fill: 'currentColor',
    'text-anchor': 'middle',
    'font-family': 'system-ui, sans-serif',
  });
  svg.style.background = style.background;
  svg.style.color = style.foreground;
  svg.style.fontFamily = style.font;
  svg.style.fontSize = '12px';
  svg.style.display = 'block';
  svg.style.maxWidth = '100%';
  return svg;
}
