// One-off comparison of the charting libraries considered for the webviews (docs/webviews.md): bundles
// the same roofline with each (esbuild, minified), prints bundle sizes, then renders each page 7 times in
// headless Chromium under the webviews' CSP and prints the median render time and any CSP violation.
// The candidates are not project dependencies: install them in a scratch folder first, e.g.
//   mkdir /tmp/charts && cd /tmp/charts && npm init -y && npm install chart.js vega vega-lite vega-embed @observablehq/plot
//   CANDIDATES=/tmp/charts node bench/chart-libraries/measure.cjs
const { build } = require('esbuild');
const { chromium } = require('playwright-core');
const { mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { gzipSync } = require('node:zlib');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

const candidates = process.env.CANDIDATES;
if (!candidates) throw new Error('set CANDIDATES to a folder with chart.js, vega-embed and @observablehq/plot installed');
const out = mkdtempSync(join(tmpdir(), 'chart-libraries-'));
void (async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  for (const lib of ['plot', 'chartjs', 'vegalite']) {
    const outfile = join(out, `${lib}.js`);
    await build({
      entryPoints: [join(__dirname, `${lib}.js`)],
      bundle: true,
      minify: true,
      format: 'iife',
      outfile,
      nodePaths: [join(candidates, 'node_modules')],
      logLevel: 'warning',
    });
    const js = readFileSync(outfile, 'utf8');
    const html = join(out, `${lib}.html`);
    writeFileSync(
      html,
      `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-abc'; style-src 'nonce-abc'; img-src data:"></head><body><script nonce="abc">${js}</script></body></html>`,
    );
    const renders = [];
    const violations = new Set();
    for (let i = 0; i < 7; i++) {
      const page = await browser.newPage();
      page.on('console', (m) => {
        if (/Content Security Policy/.test(m.text())) violations.add(m.text().slice(0, 90));
      });
      page.on('pageerror', (e) => violations.add(e.message.slice(0, 90)));
      await page.goto(`file://${html}`);
      await page.waitForFunction(() => window.renderMs !== undefined, null, { timeout: 5000 }).catch(() => undefined);
      renders.push(await page.evaluate(() => window.renderMs));
      await page.close();
    }
    const done = renders.filter((r) => r !== undefined).sort((a, b) => a - b);
    const median = done.length ? `${done[Math.floor(done.length / 2)].toFixed(1)} ms` : 'did not render';
    console.log(
      `${lib}: ${js.length} B minified, ${gzipSync(js, { level: 9 }).length} B gzip; render median ${median}; CSP/errors: ${[...violations].join(' | ') || 'none'}`,
    );
  }
  await browser.close();
})();
