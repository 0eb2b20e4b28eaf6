// The chart webview's page: static HTML with a strict Content-Security-Policy and a per-load nonce. Our
// own bundled code (dist/webview/, built from extension/webview/) is inlined, so the page fetches nothing
// (docs/webviews.md, First paint): the stylesheet and the first-paint script (boot.js) as nonce'd <style> and
// <script>, the full script (charts.js: Plot, the controls) as an inert <script type="text/plain"> that boot.js
// runs, with the nonce, once the first chart is on screen. No data goes in here (it arrives by postMessage);
// no VS Code API or I/O, so the page test can build it too.

/** The page's bundled code, as the host read it from dist/webview/. */
export interface ChartAssets {
  /** The first-paint script (extension/webview/boot.ts). */
  boot: string;
  /** The full script (extension/webview/main.ts), run by boot.js. */
  script: string;
  style: string;
}

/**
 * Text that would end (or, for a script, change how the HTML parser reads) its raw-text element early.
 * esbuild escapes `</script` and `</style` in strings; a license comment or a hand-edited bundle could
 * still hold one, so the page refuses it rather than escape it in a way that might change the code.
 */
const SCRIPT_BREAKERS = /<\/script|<!--/i;
const STYLE_BREAKERS = /<\/style/i;

export function chartHtml(assets: ChartAssets, nonce: string): string {
  for (const [name, code] of [
    ['boot.js', assets.boot],
    ['charts.js', assets.script],
  ]) {
    const scriptBreak = SCRIPT_BREAKERS.exec(code);
    if (scriptBreak) throw new Error(`${name} cannot be inlined: it holds "${scriptBreak[0]}" at ${scriptBreak.index}`);
  }
  const styleBreak = STYLE_BREAKERS.exec(assets.style);
  if (styleBreak) throw new Error(`charts.css cannot be inlined: it holds "${styleBreak[0]}" at ${styleBreak.index}`);
  if (!/^[A-Za-z0-9+/=]+$/.test(nonce)) throw new Error('the nonce must be base64 text');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // Our stylesheet and Plot's own <style> elements carry the nonce (theme.ts adoptPlotStyles); no 'unsafe-inline'.
    `style-src 'nonce-${nonce}'`,
    // data: and blob: only for turning the chart's own SVG into a PNG. Nothing is loaded from anywhere else.
    'img-src data: blob:',
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">${assets.style}</style>
<title>TileCast chart</title>
</head>
<body>
<nav id="charts" class="charts" aria-label="charts"></nav>
<header><h1 id="title">TileCast</h1><div id="controls" class="controls"></div><div class="actions"><vscode-button id="save-svg" secondary>Save SVG</vscode-button><vscode-button id="save-png" secondary>Save PNG</vscode-button></div></header>
<p id="status" role="status"></p>
<div id="chart" class="chart"></div>
<p id="note" class="note"></p>
<script nonce="${nonce}">${assets.boot}</script>
<script type="text/plain" id="tilecast-main">${assets.script}</script>
</body>
</html>`;
}
