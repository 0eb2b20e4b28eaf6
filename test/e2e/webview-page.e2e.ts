// Loads the chart webview page (extension/src/chart-html.ts with dist/webview/ inlined) in headless Chromium
// under its real Content-Security-Policy, feeds it the host's messages and checks: each chart draws, the page
// fetches nothing and nothing breaks the CSP, the theme's colours are used (light, dark, high contrast), Save
// SVG/PNG send valid files, and the first paint time with the messages delivered as VS Code delivers those
// posted while a page loads (on its load event). Needs `npm run build` and /usr/bin/chromium (or CHROMIUM=path).
// Run: node --import tsx --test test/e2e/webview-page.e2e.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { chartHtml } from '../../extension/src/chart-html';
import type { HostMessage, PaintMarks, WebviewMessage } from '../../extension/webview/messages';
import { COMPARE, ROOFLINE, TILE_SWEEP } from './chart-samples';

const root = join(__dirname, '..', '..');
const THEMES = {
  light: {
    className: 'vscode-light',
    vars: {
      '--vscode-editor-background': '#ffffff',
      '--vscode-editor-foreground': '#333333',
      '--vscode-charts-foreground': '#616161',
      '--vscode-charts-blue': '#1a85ff',
    },
  },
  dark: {
    className: 'vscode-dark',
    vars: {
      '--vscode-editor-background': '#1e1e1e',
      '--vscode-editor-foreground': '#d4d4d4',
      '--vscode-charts-foreground': '#cccccc',
      '--vscode-charts-blue': '#3794ff',
    },
  },
  'high contrast': {
    className: 'vscode-high-contrast',
    vars: {
      '--vscode-editor-background': '#000000',
      '--vscode-editor-foreground': '#ffffff',
      '--vscode-charts-foreground': '#ffffff',
      '--vscode-charts-blue': '#3794ff',
    },
  },
} as const;

let server: Server;
let origin: string;
let browser: Browser;
/** The first chart of each page load, as the page reports it (ms since the document started). */
const paints: Array<{ paintMs: number; marks: PaintMarks }> = [];
/** Requests for anything but the page itself: the page must fetch nothing. */
const fetches: string[] = [];

before(async () => {
  const assets = {
    boot: readFileSync(join(root, 'dist', 'webview', 'boot.js'), 'utf8'),
    script: readFileSync(join(root, 'dist', 'webview', 'charts.js'), 'utf8'),
    style: readFileSync(join(root, 'dist', 'webview', 'charts.css'), 'utf8'),
  };
  server = createServer((request, response) => {
    const name = (request.url ?? '/').replace(/^\/+/, '');
    if (name === 'page.html') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(chartHtml(assets, 'test0nonce123'));
      return;
    }
    fetches.push(name);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (paints.length > 0) {
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)].toFixed(0);
    const all = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
    console.log(
      `# webview first paint (page start -> chart painted, messages delivered on load), ${paints.length} loads: ${all(paints.map((p) => p.paintMs))} ms (median ${median(paints.map((p) => p.paintMs))}); ` +
        `first-paint script started ${all(paints.map((p) => p.marks.scriptMs))}, ran ${all(paints.map((p) => p.marks.listeningMs))}, data ${all(paints.map((p) => p.marks.dataMs))} ms`,
    );
  }
});

let nextRequestId = 1;
const withId = (message: HostMessage): HostMessage => ({ requestId: nextRequestId++, ...message });

/**
 * Opens the page as VS Code would: acquireVsCodeApi, theme variables, a record of posts and CSP violations.
 * `queued` are messages the host posted while the page loaded: VS Code keeps them and posts them to the page
 * on its load event (pre/index.html, onLoad), so this does the same.
 */
async function openPage(theme: keyof typeof THEMES = 'dark', queued: HostMessage[] = [], savedState: unknown = undefined): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  page.setDefaultTimeout(15000);
  // A string, not a function: tsx's transform would put helpers into a serialised function.
  await page.addInitScript(`(() => {
    const theme = ${JSON.stringify(THEMES[theme])};
    window.posted = [];
    window.violations = [];
    // The webview state VS Code keeps for the panel (and hands back when it restores the panel).
    window.savedState = ${JSON.stringify(savedState ?? null)};
    window.acquireVsCodeApi = () => ({
      // With what the chart showed when the page posted (a paint report: the static first chart or Plot's).
      postMessage: (message) => {
        const chart = document.getElementById('chart');
        const shown = { drawn: chart?.dataset.drawn, circles: chart?.querySelectorAll('svg circle').length, text: chart?.textContent };
        window.posted.push({ ...message, at: performance.now(), shown });
      },
      getState: () => window.savedState ?? undefined,
      setState: (state) => { window.savedState = JSON.parse(JSON.stringify(state)); },
    });
    document.addEventListener('securitypolicyviolation', (event) => window.violations.push(event.violatedDirective + ': ' + event.blockedURI));
    // As VS Code does: the theme's variables on <html>, its kind as a class on <body>.
    document.addEventListener('DOMContentLoaded', () => {
      for (const [name, value] of Object.entries(theme.vars)) document.documentElement.style.setProperty(name, value);
      document.body.classList.add(theme.className);
    });
    const queued = ${JSON.stringify(queued.map(withId))};
    window.addEventListener('load', () => { for (const message of queued) window.postMessage(message, '*'); });
  })()`);
  await page.goto(`${origin}/page.html`); // returns after the load event: the page's script has run
  return page;
}

/** Posts a host message to a loaded page as the panel does: each with its own request id, which `rendered` sends back. */
const send = (page: Page, message: HostMessage) => page.evaluate((m) => window.postMessage(m, '*'), withId(message));
const posted = (page: Page) => page.evaluate(() => (window as unknown as { posted: WebviewMessage[] }).posted);
const violations = (page: Page) => page.evaluate(() => (window as unknown as { violations: string[] }).violations);

/** Moves the mouse to the middle of an element (the cell's label sits on top of it, so no actionability check). */
async function hoverCentre(page: Page, target: Locator): Promise<void> {
  const box = await target.boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}

/** The text of Plot's pointer tip once it shows. */
async function tipText(page: Page): Promise<string> {
  const tip = page.locator('#chart g[aria-label="tip"] text tspan');
  await tip.first().waitFor();
  return (await tip.allTextContents()).join(' ').replace(/\u200b/g, '');
}

async function rendered(page: Page): Promise<Extract<WebviewMessage, { type: 'rendered' }>> {
  await page.waitForFunction(() => (window as unknown as { posted: Array<{ type: string }> }).posted.some((m) => m.type === 'rendered'));
  const messages = await posted(page);
  const message = messages.find((m) => m.type === 'rendered');
  assert.ok(message && message.type === 'rendered');
  return message;
}

/** The page's first chart, drawn from messages posted while it loaded: its paint time and marks. */
async function firstPaint(page: Page): Promise<Extract<WebviewMessage, { type: 'rendered' }>> {
  const paint = await rendered(page);
  assert.ok(paint.marks, 'the first chart of a page carries its load marks');
  assert.ok(paint.marks.listeningMs <= paint.marks.firstMessageMs, 'the waiting messages arrived after the script had run');
  paints.push({ paintMs: paint.sinceLoadMs, marks: paint.marks });
  return paint;
}

/** What the chart showed when the page sent a message (the test's postMessage records it). */
const painted = (message: WebviewMessage) => (message as { shown?: { drawn?: string; circles?: number; text?: string } }).shown ?? {};

/** The first chart is painted as plain SVG (boot.ts); the Plot chart that replaces it is the one with tips and controls. */
async function plotChart(page: Page): Promise<void> {
  await page.locator('#chart[data-drawn="plot"]').waitFor({ state: 'attached' });
}

test('roofline: roofs and points are drawn, labelled by GPU, within the CSP', async () => {
  const page = await openPage('dark', [
    { type: 'loading', kind: 'roofline', title: 'Roofline' },
    { type: 'roofline', data: ROOFLINE },
  ]);
  const paint = await firstPaint(page);
  assert.equal(paint.kind, 'roofline');
  assert.equal(painted(paint).drawn, 'static', 'painted before Plot has loaded');
  assert.equal(painted(paint).circles, 2, 'one point per GPU at first paint');
  await plotChart(page);
  const chart = page.locator('#chart svg').last();
  await chart.waitFor();
  assert.equal(await page.locator('#title').innerText(), ROOFLINE.title);
  const text = await chart.innerHTML();
  assert.match(text, /NVIDIA GeForce RTX 4090/);
  assert.match(text, /NVIDIA H100 SXM5/);
  assert.equal(await chart.locator('circle').count(), 2, 'one point per GPU');
  assert.equal((await chart.locator('path[stroke]').count()) >= 2, true, 'one roof per GPU');
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test('tile sweep: a cell per configuration, illegal ones crossed out, current and suggested marked, interval on hover', async () => {
  const page = await openPage('dark', [
    {
      type: 'tileSweep',
      data: TILE_SWEEP,
      gpus: [
        { id: 'rtx-4090', name: 'RTX 4090' },
        { id: 'h100-sxm', name: 'H100 SXM5' },
      ],
    },
  ]);
  const paint = await firstPaint(page);
  assert.equal(painted(paint).drawn, 'static');
  assert.match(painted(paint).text ?? '', /★/, 'the suggested cell is starred at first paint');
  await plotChart(page);
  const chart = page.locator('#chart svg').last();
  const legal = TILE_SWEEP.cells.filter((c) => c.timeMs !== null).length;
  const cells = chart.locator('g[aria-label="cell"]');
  assert.equal(await cells.nth(0).locator('rect').count(), legal, 'a coloured cell per legal configuration');
  await hoverCentre(page, cells.nth(0).locator('rect').first());
  assert.match(await tipText(page), /TILE_X=\d+, TILE_Y=\d+\s*[\d.]+ ms \([\d.]+\.\.[\d.]+\)/, 'hover shows the interval');
  await hoverCentre(page, cells.nth(1).locator('rect').first());
  assert.match(await tipText(page), /threads per block/, 'an illegal cell says why');
  assert.equal(await chart.locator('text', { hasText: '★' }).count(), 1);
  assert.equal(await chart.locator('text', { hasText: '✕' }).count(), TILE_SWEEP.cells.length - legal);
  // Switching GPU asks the host for a new sweep.
  await page.locator('vscode-single-select#gpu').evaluate((select) => {
    (select as unknown as { value: string }).value = 'h100-sxm';
    select.dispatchEvent(new Event('change'));
  });
  assert.ok((await posted(page)).some((m) => m.type === 'selectGpu' && m.gpuId === 'h100-sxm'));
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test('compare: one bar per GPU that can run it, the others listed with the reason; metric switch', async () => {
  const page = await openPage('dark', [{ type: 'compare', data: COMPARE }]);
  const paint = await firstPaint(page);
  assert.equal(painted(paint).drawn, 'static');
  assert.match(painted(paint).text ?? '', /cannot run: needs compute capability 3\.5/, 'at first paint');
  await plotChart(page);
  const chart = page.locator('#chart svg').last();
  assert.equal(await chart.locator('rect').count(), 3);
  assert.match(await chart.innerHTML(), /cannot run: needs compute capability 3\.5/);
  await page.locator('vscode-single-select#metric').evaluate((select) => {
    (select as unknown as { value: string }).value = 'powerW';
    select.dispatchEvent(new Event('change'));
  });
  await page.locator('#chart svg', { hasText: 'Power (W)' }).waitFor();
  await page.locator('#chart svg g[aria-label="bar"] rect').first().hover();
  assert.match(await tipText(page), /: \d+ \(\d+\.\.\d+\)/, 'hover shows the power and its interval');
  assert.deepEqual(await violations(page), []);
  await page.close();
});

for (const theme of Object.keys(THEMES) as Array<keyof typeof THEMES>) {
  test(`${theme} theme: the chart takes the theme's foreground and background`, async () => {
    const page = await openPage(theme);
    await send(page, { type: 'compare', data: COMPARE });
    await rendered(page);
    const colours = await page
      .locator('#chart svg')
      .last()
      .evaluate((svg) => ({ color: getComputedStyle(svg).color, background: getComputedStyle(svg).backgroundColor }));
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
    assert.equal(colours.color, rgb(THEMES[theme].vars['--vscode-charts-foreground']));
    assert.equal(colours.background, rgb(THEMES[theme].vars['--vscode-editor-background']));
    await page.close();
  });
}

test('Save SVG and Save PNG send a standalone SVG and a PNG to the host', async () => {
  const page = await openPage('light');
  await send(page, { type: 'roofline', data: ROOFLINE });
  await rendered(page);
  await page.locator('#save-svg').click();
  await page.locator('#save-png').click();
  await page.waitForFunction(() => (window as unknown as { posted: Array<{ type: string }> }).posted.filter((m) => m.type === 'save').length === 2);
  const saves = (await posted(page)).filter((m): m is Extract<WebviewMessage, { type: 'save' }> => m.type === 'save');
  const svg = saves.find((m) => m.format === 'svg')!;
  assert.equal(svg.fileName, 'tilecast-roofline.svg');
  assert.match(svg.data, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg.data, /NVIDIA H100 SXM5/);
  assert.doesNotMatch(svg.data, /var\(--vscode/, 'colours are literal, so the file reads outside VS Code');
  const png = Buffer.from(saves.find((m) => m.format === 'png')!.data, 'base64');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 5000, `PNG of ${png.length} bytes`);
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test('one page shows every chart in turn: each is timed by its request, and the buttons switch back without the host', async () => {
  const page = await openPage();
  const switches: string[] = [];
  for (const message of [
    { type: 'roofline', data: ROOFLINE, requestId: 101 },
    { type: 'tileSweep', data: TILE_SWEEP, gpus: [{ id: 'rtx-4090', name: 'RTX 4090' }], requestId: 102 },
    { type: 'compare', data: COMPARE, requestId: 103 },
  ] satisfies HostMessage[]) {
    const sentAt = await page.evaluate(() => performance.now());
    await send(page, message);
    await page.waitForFunction(
      (id) => (window as unknown as { posted: Array<{ requestId?: number }> }).posted.some((m) => m.requestId === id),
      message.requestId,
    );
    const paint = (await posted(page)).find((m) => m.type === 'rendered' && m.requestId === message.requestId);
    assert.ok(paint && paint.type === 'rendered');
    assert.equal(paint.kind, message.type);
    assert.equal(paint.marks !== undefined, message.requestId === 101, 'the page-load marks come with the first chart only');
    switches.push(`${message.type} ${(paint.sinceLoadMs - sentAt).toFixed(0)} ms`);
  }
  console.log(`# one page, chart after chart (message -> painted): ${switches.join(', ')}`);
  const buttons = page.locator('nav.charts vscode-button');
  assert.deepEqual(await buttons.allInnerTexts(), ['Roofline', 'Tile Sweep', 'Compare GPUs']);
  await page.locator('#chart svg g[aria-label="bar"]').first().waitFor();
  await page.locator('nav.charts vscode-button[data-kind="roofline"]').click();
  await page.locator('#chart svg circle').first().waitFor();
  assert.equal(await page.locator('#title').innerText(), ROOFLINE.title);
  assert.ok((await posted(page)).some((m) => m.type === 'showing' && m.kind === 'roofline'));
  assert.equal((await posted(page)).filter((m) => m.type === 'rendered').length, 3, 'switching back is not a command: no new paint report');
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test('a restored panel draws the charts its state kept, shows the one that was shown, and takes new data as before', async () => {
  const first = await openPage();
  await send(first, { type: 'roofline', data: ROOFLINE });
  await send(first, { type: 'compare', data: COMPARE });
  await first.locator('#chart svg g[aria-label="bar"]').first().waitFor();
  await first.locator('nav.charts vscode-button[data-kind="roofline"]').click();
  await first.locator('#chart svg circle').first().waitFor();
  const state = await first.evaluate(() => (window as unknown as { savedState: unknown }).savedState);
  await first.close();

  // VS Code restores the panel with the window: a new page, the same state, no message from the host.
  const page = await openPage('dark', [], state);
  await page.locator('#chart svg circle').first().waitFor();
  assert.equal(await page.locator('#title').innerText(), ROOFLINE.title);
  assert.deepEqual(await page.locator('nav.charts vscode-button').allInnerTexts(), ['Roofline', 'Compare GPUs']);
  await page.locator('nav.charts vscode-button[data-kind="compare"]').click();
  await page.locator('#chart svg g[aria-label="bar"]').first().waitFor();
  assert.ok(!(await posted(page)).some((m) => m.type === 'rendered'), 'a restored chart answers no command');
  await send(page, { type: 'tileSweep', data: TILE_SWEEP, gpus: [{ id: 'rtx-4090', name: 'RTX 4090' }], requestId: 7 });
  const paint = await rendered(page);
  assert.equal(paint.requestId, 7);
  assert.deepEqual(await violations(page), []);
  await page.close();

  // A state the page did not write (another version, corrupt, a chart it cannot draw) starts an empty page.
  for (const bad of [
    { version: 2, shown: 'roofline', charts: [] },
    'garbage',
    { version: 1, shown: 'roofline', charts: [{ type: 'roofline', data: { title: 'x' } }] },
  ]) {
    const empty = await openPage('dark', [], bad);
    await send(empty, { type: 'roofline', data: ROOFLINE, requestId: 9 });
    await empty.locator('#chart svg circle').first().waitFor();
    assert.equal((await rendered(empty)).requestId, 9);
    await empty.close();
  }
});

test('an empty answer and a failed request show their message instead of a chart', async () => {
  const page = await openPage();
  await send(page, { type: 'roofline', data: { ...ROOFLINE, points: [], roofs: [], message: 'No kernel at the cursor.' } });
  await page.locator('#status', { hasText: 'No kernel at the cursor.' }).waitFor();
  await send(page, { type: 'failed', kind: 'roofline', message: 'The TileCast server could not answer: boom' });
  await page.locator('#status', { hasText: 'boom' }).waitFor();
  assert.equal(await page.locator('#chart svg').count(), 0);
  await page.close();
});

test('the pages fetched nothing: script and stylesheet are inline, data came by message', () => {
  assert.deepEqual(
    fetches.filter((name) => name !== 'favicon.ico'),
    [],
  );
});
