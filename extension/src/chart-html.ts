// The chart webview's page: static HTML with a strict Content-Security-Policy and a per-load nonce.
// No data goes in here (it arrives by postMessage); no VS Code API, so the page test can build it too.

/** `asset(name)` is the webview URI of dist/webview/<name>; `cspSource` is the webview's own origin. */
export function chartHtml(cspSource: string, asset: (name: string) => string, nonce: string): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // Plot's own <style> elements get the nonce (theme.ts adoptPlotStyles); no 'unsafe-inline'.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    // blob: and data: only for turning the chart's own SVG into a PNG.
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('charts.css')}">
<title>TileCast chart</title>
</head>
<body>
<script nonce="${nonce}" src="${asset('charts.js')}"></script>
</body>
</html>`;
}
