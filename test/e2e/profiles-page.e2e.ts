// Loads the "Show my profiles" page (extension/src/profiles-html.ts + dist/webview/profiles.*) and the
// chart page with a measured tile sweep in headless Chromium under their real Content-Security-Policy:
// the table fills from the host's message, filters and sorting work, Export CSV asks the host with the
// filters, measured is shown against predicted; the measured-vs-predicted heatmap draws beside the
// predicted one. Needs `npm run build` and /usr/bin/chromium (or CHROMIUM=path).
// Run: node --import tsx --test test/e2e/profiles-page.e2e.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chartHtml } from '../../extension/src/chart-html';
import { profilesHtml } from '../../extension/src/profiles-html';
import { profileRow } from '../../extension/src/profiles-table';
import type { ProfilesHostMessage, ProfilesWebviewMessage, ProfileTableRow } from '../../extension/webview/profiles-messages';
import type { HostMessage } from '../../extension/webview/messages';
import type { ProfileRecord } from '../../server/src/data/profile-record';
import { TILE_SWEEP } from './chart-samples';

const root = join(__dirname, '..', '..');
let server: Server;
let origin: string;
let browser: Browser;

before(async () => {
  server = createServer((request, response) => {
    const name = (request.url ?? '/').replace(/^\/+/, '');
    const asset = (file: string) => `${origin}/dist/webview/${file}`;
    if (name === 'profiles.html' || name === 'charts.html') {
      response.writeHead(200, { 'content-type': 'text/html' });
      // The chart page inlines its bundle (chart-html.ts); the profiles page loads its files.
      const inline = (file: string) => readFileSync(join(root, 'dist', 'webview', file), 'utf8');
      response.end(
        name === 'profiles.html'
          ? profilesHtml(origin, asset, 'nonce-abc')
          : chartHtml({ boot: inline('boot.js'), script: inline('charts.js'), style: inline('charts.css') }, 'nonceabc'),
      );
      return;
    }
    if (!/^dist\/webview\/(profiles|charts)\.(js|css)$/.test(name)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/css' });
    response.end(readFileSync(join(root, name)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function openPage(file: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  page.setDefaultTimeout(15000);
  await page.addInitScript(`(() => {
    window.posted = [];
    window.violations = [];
    // As VS Code's: messages, and the webview state the chart page keeps its charts in.
    window.acquireVsCodeApi = () => ({ postMessage: (message) => window.posted.push(message), getState: () => undefined, setState: () => {} });
    document.addEventListener('securitypolicyviolation', (event) => window.violations.push(event.violatedDirective + ': ' + event.blockedURI));
    document.addEventListener('DOMContentLoaded', () => {
      document.documentElement.style.setProperty('--vscode-editor-background', '#1e1e1e');
      document.documentElement.style.setProperty('--vscode-foreground', '#d4d4d4');
      document.body.classList.add('vscode-dark');
    });
  })()`);
  await page.goto(`${origin}/${file}`); // after the load event: the chart page's inline script has run
  if (file === 'profiles.html')
    await page.waitForFunction(() => (window as unknown as { posted: Array<{ type: string }> }).posted.some((m) => m.type === 'ready'));
  return page;
}

const posted = (page: Page) => page.evaluate(() => (window as unknown as { posted: ProfilesWebviewMessage[] }).posted);
const violations = (page: Page) => page.evaluate(() => (window as unknown as { violations: string[] }).violations);

function record(overrides: Partial<ProfileRecord>): ProfileRecord {
  return {
    schema: 'tilecast-profile/1',
    gpu: 'rtx-4090',
    gpuName: 'NVIDIA GeForce RTX 4090',
    dtype: 'fp32',
    m: 1024,
    n: 1024,
    k: 1024,
    batch: 1,
    kernel: 'tiled',
    params: { TILE: 16 },
    grid: null,
    block: null,
    runtimeMs: 2.1,
    clockPolicy: 'default',
    timestamp: '2026-12-05T19:00:00Z',
    tool: 'tilecast-harness',
    kernelName: 'matmul_tiled',
    ...overrides,
  };
}

test('my profiles: rows, measured vs predicted, filters, sorting and CSV export request, within the CSP', async () => {
  const page = await openPage('profiles.html');
  const rows: ProfileTableRow[] = [
    { ...profileRow(record({})), predictedMs: 1.92 },
    { ...profileRow(record({ params: { TILE: 32 }, runtimeMs: 1.4, timestamp: '2026-12-05T19:05:00Z' })), predictedMs: 1.5 },
    {
      ...profileRow(record({ gpu: 'h100-sxm', gpuName: 'NVIDIA H100 80GB HBM3', dtype: 'fp16', kernelName: '<img src=x onerror=alert(1)>', runtimeMs: 0.5 })),
      predictedMs: null,
      predictionError: 'no model',
    },
  ];
  const message: ProfilesHostMessage = { type: 'profiles', store: '/w/.tilecast/profiles', rows, problems: ['batch-x.jsonl: line 3: batch y is incomplete'] };
  await page.evaluate((m) => window.postMessage(m, '*'), message);
  const body = page.locator('#profiles tbody tr');
  await body.first().waitFor();
  assert.equal(await body.count(), 3);
  assert.match(await page.locator('#status').innerText(), /3 of 3 record\(s\) in \/w\/\.tilecast\/profiles/);
  assert.match(await page.locator('.note').innerText(), /batch y is incomplete/);
  const text = await page.locator('#profiles').innerText();
  assert.match(text, /2\.10\s+1\.92 \(\+9%\)/, 'measured beside predicted with the signed difference');
  assert.match(text, /<img src=x onerror=alert\(1\)>/, 'text shows as text, not HTML');
  assert.equal(await page.locator('#profiles img').count(), 0);
  // Newest first by default; a click on "Measured ms" sorts ascending by runtime.
  assert.match(await body.first().innerText(), /19:05/);
  await page.locator('th', { hasText: 'Measured ms' }).click();
  assert.match(await body.first().innerText(), /0\.500/);
  await page.locator('#filter-dtype').selectOption('fp32');
  assert.equal(await body.count(), 2);
  await page.locator('#filter-text').fill('tile=32');
  assert.equal(await body.count(), 1);
  assert.match(await page.locator('#status').innerText(), /1 of 3/);
  await page.locator('#export-csv').click();
  await page.locator('#refresh').click();
  const sent = await posted(page);
  assert.deepEqual(
    sent.find((m) => m.type === 'exportCsv'),
    { type: 'exportCsv', filters: { dtype: 'fp32', text: 'tile=32' } },
  );
  assert.ok(sent.some((m) => m.type === 'refresh'));
  assert.ok(!sent.some((m) => m.type === 'scriptError'), JSON.stringify(sent));
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test('my profiles: an empty store says how to fill it', async () => {
  const page = await openPage('profiles.html');
  await page.evaluate((m) => window.postMessage(m, '*'), {
    type: 'profiles',
    store: '/w/.tilecast/profiles',
    rows: [],
    problems: [],
  } satisfies ProfilesHostMessage);
  await page.waitForFunction(() => /No profiles/.test(document.querySelector('#status')?.textContent ?? ''));
  assert.match(await page.locator('#status').innerText(), /Profile Kernel at Cursor.*import/);
  assert.equal(await page.locator('#export-csv').isDisabled(), true);
  await page.close();
});

test('tile sweep with measurements: the measured-vs-predicted heatmap draws beside the prediction', async () => {
  const page = await openPage('charts.html');
  const measured = [
    { x: 16, y: 16, timeMs: (40 / 16) * 1.09 },
    { x: 8, y: 32, timeMs: (40 / 16) * 0.8 },
  ];
  const message: HostMessage = { type: 'tileSweep', data: { ...TILE_SWEEP, measured }, gpus: [{ id: 'rtx-4090', name: 'RTX 4090' }] };
  await page.evaluate((m) => window.postMessage(m, '*'), message);
  const figures = page.locator('#chart .chart-pair > figure');
  await figures.nth(1).waitFor();
  assert.deepEqual(await figures.locator('figcaption').allInnerTexts(), ['Predicted', 'Measured vs predicted']);
  const labels = await figures.nth(1).locator('g[aria-label="text"] text').allTextContents();
  assert.deepEqual(labels.sort(), ['+9%', '-20%']);
  assert.match(await page.locator('#note').innerText(), /your measurements/);
  assert.deepEqual(await violations(page), []);
  await page.close();
});
