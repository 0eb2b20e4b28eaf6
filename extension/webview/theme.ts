// Colours for the charts, read from the theme's CSS variables at render time so light, dark and high
// contrast themes all read; Plot gets literal colours, so a saved SVG keeps them. No data handling here.

export interface ChartTheme {
  foreground: string;
  background: string;
  grid: string;
  /** Categorical colours (one per GPU), from VS Code's chart palette. */
  series: string[];
  highlight: string;
  good: string;
  font: string;
}

function cssVariable(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const value = style.getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  const foreground = cssVariable(style, '--vscode-charts-foreground', cssVariable(style, '--vscode-editor-foreground', '#333333'));
  return {
    foreground,
    background: cssVariable(style, '--vscode-editor-background', '#ffffff'),
    grid: cssVariable(style, '--vscode-charts-lines', 'rgba(128,128,128,0.5)'),
    series: [
      cssVariable(style, '--vscode-charts-blue', '#1a85ff'),
      cssVariable(style, '--vscode-charts-orange', '#d18616'),
      cssVariable(style, '--vscode-charts-green', '#388a34'),
      cssVariable(style, '--vscode-charts-purple', '#652d90'),
      cssVariable(style, '--vscode-charts-red', '#e51400'),
      cssVariable(style, '--vscode-charts-yellow', '#bf8803'),
    ],
    highlight: cssVariable(style, '--vscode-focusBorder', foreground),
    good: cssVariable(style, '--vscode-charts-green', '#388a34'),
    font: cssVariable(style, '--vscode-font-family', 'system-ui, sans-serif'),
  };
}

/** Plot puts <style> elements in what it draws; the page's CSP admits them only with the page nonce. */
export function adoptPlotStyles(element: Element, nonce: string): void {
  for (const style of element.querySelectorAll('style')) style.nonce = nonce;
}

/** Numbers as the hovers print them: three significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}
