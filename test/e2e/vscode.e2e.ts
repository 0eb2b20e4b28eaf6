// End-to-end in a real VS Code (code-server 4.100.3 = VS Code 1.100.3) driven by playwright-core and
// Debian's Chromium: installs the packaged .vsix, opens examples/tiled_matmul.cu and checks what a user
// sees: the status-bar GPU, inlay hint, hover, a tile code action that changes the file on disk, the
// roofline webview's chart (with its first paint), the output channel; and the Triton example's hints. Waits on conditions, never sleeps.
// Run: npm run test:e2e (needs test/e2e/install-code-server.sh once; recipe in docs/webviews.md); the
// editor itself is started by editor-session.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import {
  exportCsv,
  gpusSettingInSettingsEditor,
  hiddenChartPanel,
  highContrastChart,
  restoredChartPanel,
  saveChart,
  selectTargetGpus,
} from './vscode-settings-steps';
import { editor, goToLine, lap, openFile, runCommand, shot, startEditor, stopEditor, text, until, userSettingsNow } from './editor-session';

let page: Page;
let workspace: string;

before(async () => {
  await startEditor();
  ({ page, workspace } = editor());
});

after(stopEditor);

test('opening tiled_matmul.cu shows the primary GPU in the status bar and a prediction as an inlay hint', async () => {
  await openFile('tiled_matmul.cu');
  // The server's name for the GPU replaces the configured id once its status arrives.
  const status = page.locator('.statusbar-item', { hasText: 'GeForce RTX 4090 +1' });
  await status.waitFor({ timeout: 60000 });
  lap(`status bar: "${text(await status.innerText())}"`);
  // View lines render spaces as U+00A0, which \s matches.
  const hint = page.locator('.monaco-editor .view-line span[class*="dyn-rule-"]', { hasText: /\d\s+ms/ });
  await hint.first().waitFor({ timeout: 60000 });
  const hintText = text(await hint.first().innerText());
  // ' (extrap.)' marks a prediction outside the model's training domain (the shipped model on this hand-written kernel).
  assert.match(hintText, /^\d[\d.]* ms · \d[\d.]* W · \d[\d.]* (m?J)( \(extrap\.\))?$/);
  const line = text(await page.locator('.monaco-editor .view-line', { hasText: 'matmul_tiled<<<' }).innerText());
  assert.ok(line.includes(hintText), `the hint sits on the launch line: ${line}`);
  await shot('1-inlay-hint');
  lap(`inlay hint: "${hintText}"`);
});

test('hovering the kernel name shows the predicted runtime with its interval, power and energy', async () => {
  const name = page.locator('.monaco-editor .view-line span span', { hasText: /^matmul_tiled$/ }).first();
  const hover = page.locator('.monaco-resizable-hover .monaco-hover:not(.hidden) .monaco-hover-content');
  // A mouse-move that lands while the editor is still laying out (or under a toast) can be dropped, and
  // VS Code shows a hover only on a new move: up to three moves onto the name, each waited on.
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(1, 1);
    await name.hover();
    const shown = await hover.waitFor({ state: 'visible', timeout: 10000 }).then(
      () => true,
      () => false,
    );
    if (shown) break;
    assert.ok(attempt < 3, 'a hover appears over the kernel name');
  }
  await hover.filter({ hasText: /\d\s+ms/ }).waitFor();
  const hoverText = text(await hover.innerText());
  assert.match(hoverText, /\d[\d.]* ms/);
  assert.match(hoverText, /\d[\d.]* W/);
  assert.match(hoverText, /RTX 4090/);
  await shot('2-hover');
  lap(`hover: "${hoverText.slice(0, 160)}…"`);
  await page.mouse.move(1, 1);
  await page.keyboard.press('Escape');
  await hover.waitFor({ state: 'hidden' });
});

test('a tile code action rewrites TILE and the file changes on disk', async () => {
  const file = join(workspace, 'tiled_matmul.cu');
  const before = readFileSync(file, 'utf8');
  assert.match(before, /#define TILE 16\b/);
  await goToLine('6:14'); // on the 16 of `#define TILE 16`
  await page.keyboard.press('Control+.');
  const action = page.locator('.action-widget .monaco-list-row', { hasText: /Use TILE = \d+/ }).first();
  try {
    await action.waitFor();
  } catch (error) {
    await shot('3-code-action-missing');
    throw new Error(`no tile action; the menu lists: ${(await page.locator('.action-widget .monaco-list-row').allInnerTexts()).map(text).join(' | ')}`, {
      cause: error,
    });
  }
  const title = text(await action.innerText());
  await shot('3-code-action');
  // The list takes keys (a pointer blocker covers it from the mouse): move the focus to the action, then Enter.
  const focused = page.locator('.action-widget .monaco-list-row.focused');
  for (let step = 0; step < 20 && !/Use TILE = \d+/.test(await focused.innerText().catch(() => '')); step++) await page.keyboard.press('ArrowDown');
  assert.match(text(await focused.innerText()), /Use TILE = \d+/);
  await page.keyboard.press('Enter');
  const tile = /Use TILE = (\d+)/.exec(title)![1];
  await page.locator('.monaco-editor .view-line', { hasText: `#define TILE ${tile}` }).waitFor();
  await runCommand('File: Save');
  const after = await until(
    () => {
      const now = readFileSync(file, 'utf8');
      // Only once the saved text is whole: VS Code truncates the file, then writes it.
      return now !== before && now.includes(`#define TILE ${tile}`) && now.length >= before.length - 2 ? now : undefined;
    },
    15000,
    'the file to change on disk',
  );
  assert.match(after, new RegExp(`#define TILE ${tile}\\b`));
  assert.equal(after.replace(`#define TILE ${tile}`, '#define TILE 16'), before, 'only the value changed');
  lap(`code action "${title}" applied and saved`);
});

/** The chart panel's page (one webview is open while the chart tests run). */
const chartPage = (): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

/** Runs a chart command and waits for `selector` in the chart; returns the time from the command to the chart being visible. */
async function timedChart(command: string, selector: string): Promise<number> {
  await goToLine('33:5'); // the launch
  const t0 = Date.now();
  await runCommand(command);
  await chartPage().locator(`#chart svg ${selector}`).first().waitFor({ state: 'visible', timeout: 60000 });
  return Date.now() - t0;
}

const chartPaints: string[] = [];

test('Show Roofline opens the chart panel and draws the roofline (first paint timed from the command)', async () => {
  const paintMs = await timedChart('TileCast: Show Roofline', 'circle');
  const chart = chartPage().locator('#chart svg').last();
  assert.match(await chart.innerHTML(), /GeForce RTX 4090/);
  assert.ok((await chart.locator('circle').count()) >= 1, 'the kernel point is drawn');
  await shot('4-roofline');
  chartPaints.push(`roofline ${paintMs} ms`);
  lap(`roofline chart visible ${paintMs} ms after the command was run`);
});

test('Show Tile Sweep and Compare GPUs draw their charts in the same panel', async () => {
  const sweepMs = await timedChart('TileCast: Show Tile Sweep', 'g[aria-label="cell"]');
  // TILE is one dimension: a row of cells, the legal ones coloured (first cell mark), the others crossed out.
  const cells = await chartPage().locator('#chart svg g[aria-label="cell"]').first().locator('rect').count();
  assert.ok(cells >= 2, `${cells} legal cells`);
  await shot('5-tile-sweep');
  const compareMs = await timedChart('TileCast: Compare GPUs', 'g[aria-label="bar"]');
  const bars = await chartPage().locator('#chart svg g[aria-label="bar"] rect').count();
  assert.ok(bars >= 2, `${bars} bars (RTX 4090 and H100 are configured)`);
  // One chart panel, re-titled, holding the three charts (its buttons switch between them).
  const tabs = page.locator('.tabs-container .tab', { hasText: /TileCast: (Roofline|Tile Sweep|Compare GPUs|Charts)/ });
  assert.deepEqual((await tabs.allInnerTexts()).map(text), ['TileCast: Compare GPUs']);
  assert.deepEqual((await chartPage().locator('nav.charts vscode-button').allInnerTexts()).map(text), ['Roofline', 'Tile Sweep', 'Compare GPUs']);
  await shot('6-compare-gpus');
  chartPaints.push(`tile sweep ${sweepMs} ms`, `comparison ${compareMs} ms`);
  lap(`tile sweep: ${cells} cells, visible ${sweepMs} ms after the command; comparison: ${bars} bars, visible ${compareMs} ms after the command`);
});

test("the TileCast output channel has the server start line and each chart's first paint", async () => {
  await runCommand('TileCast: Show Output');
  const output = page.locator('.output-view, .part.panel').locator('.view-lines');
  await output.filter({ hasText: 'TileCast server' }).first().waitFor();
  await output.filter({ hasText: 'Compare GPUs: first paint' }).first().waitFor();
  const lines = text(await output.first().innerText());
  const start = /TileCast server \S+ · model runtime \w+, power \w+ \([^)]*\) · GPUs: NVIDIA GeForce RTX 4090 \[rtx-4090\]/.exec(lines);
  assert.ok(start, lines.slice(0, 400));
  // The host times each chart from the command's invocation to the page's report that it painted it.
  const paints = [...lines.matchAll(/(Roofline|Tile Sweep|Compare GPUs): first paint (\d+) ms after the command \((new panel|panel reused)[^)]*\)/g)];
  assert.deepEqual(
    paints.map((m) => `${m[1]} ${m[3]}`),
    ['Roofline new panel', 'Tile Sweep panel reused', 'Compare GPUs panel reused'],
    lines.slice(0, 800),
  );
  await shot('7-output');
  for (const paint of paints) lap(`output: ${paint[0]}`);
  lap(`command -> chart visible (test side): ${chartPaints.join(', ')}`);
  lap(`output: "${start[0].slice(0, 160)}"`);
  // The server's own start figure in the real editor (asserted in test/protocol/features.test.ts; printed here).
  const ready = /ready \d+ ms after the server process started \(parsers \d+ ms, model \d+ ms\)/.exec(lines);
  lap(`output: ${ready ? ready[0] : 'the ready line is not in view'}`);
});

test('Profile Kernel at Cursor on a machine without a GPU says what it looked for and how to profile elsewhere', async () => {
  // Back to the source editor (the output panel has the focus): quick open, as a user would.
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.type('tiled_matmul.cu');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'tiled_matmul.cu' }).first().waitFor();
  await page.keyboard.press('Enter');
  await goToLine('33:5');
  const t0 = Date.now();
  await runCommand('TileCast: Profile Kernel at Cursor');
  // This test machine has no nvidia-smi (CI neither): the CLI's own check answers, before anything is built.
  // The error toast, with its buttons: the progress notification can show the same text (with Cancel) first.
  // VS Code hides a warning toast after a while (and may not show it while a progress toast is up): if the
  // toast is not seen, the same notification is looked up in the notification center.
  const pattern = /No NVIDIA GPU on this machine/;
  const withButton = { has: page.locator('.monaco-button', { hasText: 'Set SSH Host' }) };
  let message = page.locator('.notifications-toasts .notification-toast', { hasText: pattern }).filter(withButton).first();
  let where = 'toast';
  const seen = await message
    .waitFor({ timeout: 20000 })
    .then(() => true)
    .catch(() => false);
  if (!seen) {
    where = 'notification center';
    await runCommand('Notifications: Show Notifications');
    message = page.locator('.notifications-center .notification-list-item', { hasText: pattern }).filter(withButton).first();
    await message.waitFor({ timeout: 20000 }).catch(async (error: unknown) => {
      await shot('profile-1-no-gpu-failed');
      throw error;
    });
  }
  const shown = text(await message.innerText());
  assert.match(shown, /nvidia-smi/);
  assert.match(shown, /tilecast\.profile\.host/);
  assert.match(shown, /Set SSH Host/);
  assert.match(shown, /SLURM Settings/);
  await shot('profile-1-no-gpu');
  lap(`profile without a GPU (${where}): "${shown.slice(0, 160)}" ${Date.now() - t0} ms after the command`);
  await message
    .locator('.codicon-notifications-clear, .codicon-close')
    .first()
    .click()
    .catch(() => page.keyboard.press('Escape'));
  if (!seen) await page.keyboard.press('Escape');
});

test("Show My Profiles lists the workspace store with the server's prediction beside each measurement", async () => {
  const store = join(workspace, '.tilecast', 'profiles');
  mkdirSync(store, { recursive: true });
  const record = (tile: number, runtimeMs: number) =>
    JSON.stringify({
      schema: 'tilecast-profile/1',
      gpu: 'rtx-4090',
      gpuName: 'NVIDIA GeForce RTX 4090',
      dtype: 'fp32',
      m: 4096,
      n: 4096,
      k: 4096,
      batch: 1,
      kernel: 'tiled',
      params: { TILE: tile },
      grid: [4096 / tile, 4096 / tile, 1],
      block: [tile, tile, 1],
      runtimeMs,
      clockPolicy: 'default',
      timestamp: '2026-12-05T19:00:00Z',
      tool: 'e2e-seed',
      kernelName: 'matmul_tiled',
    });
  writeFileSync(join(store, 'batch-e2e.jsonl'), `# tilecast-batch e2e 2\n${record(16, 61.5)}\n${record(32, 48.2)}\n# end e2e\n`);
  await runCommand('TileCast: Show My Profiles');
  // The frame that holds the table (the roofline webview is open too); polled, a webview loads in its own frames.
  let table: ReturnType<Page['locator']> | undefined;
  for (const end = Date.now() + 60000; !table && Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 100))) {
    for (const f of page.frames())
      if (
        (await f
          .locator('#profiles tbody tr')
          .count()
          .catch(() => 0)) >= 2
      )
        table = f.locator('#profiles');
  }
  assert.ok(table, 'a webview with the profiles table and both seeded rows');
  const rows = text(await table.innerText());
  assert.match(rows, /61\.5/);
  assert.match(rows, /48\.2/);
  assert.match(rows, /matmul_tiled/);
  // The prediction comes from the language server (tilecast/predictProfiles): a number and a signed difference.
  assert.match(rows, /\d[\d.]* \([+-]\d+%\)/, rows.slice(0, 400));
  await shot('profile-2-my-profiles');
  lap(`my profiles: "${rows.slice(0, 200)}"`);
});

test('the hover shows the measurement of the current configuration beside the prediction', async () => {
  // The store seeded above has TILE=16 and TILE=32 on the RTX 4090; the code action made TILE 32.
  // The webview has the keyboard focus now: open the file from the explorer.
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'tiled_matmul.cu' }).first().dblclick();
  const editor = page.locator('.editor-instance .monaco-editor', { hasText: '__global__ void matmul_tiled' }).first();
  await editor.waitFor();
  // The keyboard hover on the launch (the mouse can land on the sticky-scroll header after the scrolling above).
  await editor.locator('.view-lines').click();
  await goToLine('33:5');
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  const hover = page.locator('.monaco-resizable-hover .monaco-hover:not(.hidden) .monaco-hover-content');
  await hover.filter({ hasText: /Measured/ }).waitFor();
  const hoverText = text(await hover.innerText());
  assert.match(hoverText, /Measured on NVIDIA GeForce RTX 4090: 48\.2 ms vs predicted \d[\d.]* ms, [+-]\d+% \(your profile of 2026-12-05\)/);
  assert.doesNotMatch(hoverText, /61\.5 ms/, 'the TILE=16 measurement is not the current configuration');
  await shot('profile-3-hover-measured');
  lap(`hover with measurement: "${/Measured[^)]*\)/.exec(hoverText)?.[0]}"`);
  await page.keyboard.press('Escape');
  await hover.waitFor({ state: 'hidden' });
});

test('Set Problem Size writes a highlighted tilecast annotation above the launch', async () => {
  await openFile('tiled_matmul.cu'); // the output panel had the focus
  await goToLine('33:5');
  await runCommand('TileCast: Set Problem Size for the Kernel at the Cursor');
  // One input box after the other: wait for each one's own prompt before typing into it.
  for (const [prompt, value] of [
    ['M (rows of C)', '2048'],
    ['N (columns of C)', '1024'],
    ['K (reduction)', '512'],
  ]) {
    await page.locator('.quick-input-widget', { hasText: prompt }).waitFor();
    await page.locator('.quick-input-widget input').fill(value);
    await page.keyboard.press('Enter');
  }
  await page.locator('.quick-input-widget', { hasText: 'element type' }).waitFor();
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'fp16' }).waitFor();
  await page.locator('.quick-input-widget input').fill('fp16');
  await page.keyboard.press('Enter');
  const annotation = page.locator('.monaco-editor .view-line', { hasText: /tilecast:\sM=2048\sN=1024\sK=512\sdtype=fp16/ });
  try {
    await annotation.waitFor();
  } catch (error) {
    await shot('8-problem-size-missing');
    throw error;
  }
  // The injection grammar gives `tilecast` its own token, coloured unlike the comment text around it.
  const keyword = annotation.locator('span > span', { hasText: /^tilecast$/ });
  const key = annotation.locator('span > span', { hasText: /^M$/ });
  const marker = annotation.locator('span > span', { hasText: /^\s*\/\/\s*$/ });
  await keyword.first().waitFor();
  const [keywordClass, keyClass, markerClass] = await Promise.all([keyword, key, marker].map((l) => l.first().getAttribute('class')));
  assert.notEqual(keywordClass, markerClass, 'tilecast is not coloured as the comment');
  assert.notEqual(keyClass, markerClass, 'M is not coloured as the comment');
  await shot('8-problem-size');
  lap(`annotation: "${text(await annotation.innerText())}" (token classes ${markerClass} / ${keywordClass} / ${keyClass})`);
});

test('clicking the status bar picks the primary GPU from the catalogue and updates tilecast.gpus', async () => {
  await page.locator('.statusbar-item', { hasText: 'GeForce RTX 4090 +1' }).click();
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: / · sm_\d+/ })
    .first()
    .waitFor();
  await input.fill('h100 sxm');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'NVIDIA H100 SXM' }).first();
  await row.waitFor();
  assert.match(text(await row.innerText()), /h100-sxm · Hopper · sm_90.*\d+ GB · \d+ GB\/s · FP32 [\d.]+ TFLOP\/s/);
  await shot('9-gpu-pick');
  const focused = page.locator('.quick-input-list .monaco-list-row.focused');
  for (let step = 0; !/h100-sxm ·/.test(text(await focused.innerText())); step++) {
    assert.ok(step < 10, 'h100-sxm is listed');
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  const gpus = await until(
    () => {
      const listed = userSettingsNow()?.['tilecast.gpus'] as string[] | undefined; // undefined while VS Code is writing the file
      return listed?.[0] === 'h100-sxm' ? listed : undefined;
    },
    15000,
    'tilecast.gpus to start with h100-sxm',
  );
  assert.deepEqual(gpus, ['h100-sxm', 'rtx-4090']);
  await page.locator('.statusbar-item', { hasText: 'H100 SXM5 80 GB +1' }).waitFor();
  lap(`tilecast.gpus is now ${JSON.stringify(gpus)}; the status bar follows`);
});

test('Select Target GPUs: ticking and unticking in the catalogue quick pick rewrites tilecast.gpus; the status bar follows', selectTargetGpus);
test('Export Predictions to CSV writes the header and one row per launch and target GPU', exportCsv);
test('the chart panel takes the high-contrast theme when the user switches to it', highContrastChart);
test('Save SVG and Save PNG in the chart panel write the chart through the save dialog', saveChart);
test("VS Code's settings editor shows the default tilecast.gpus with no validation error", gpusSettingInSettingsEditor);
test('a chart panel hidden behind another editor shows the next chart at once', hiddenChartPanel);
test('a chart panel left open comes back with the window, its charts drawn, and the next chart reuses it', restoredChartPanel);

test('opening the Triton example shows predictions as inlay hints on its autotune configs', async () => {
  await openFile('triton_matmul.py');
  const configLine = page.locator('.monaco-editor .view-line', { hasText: 'triton.Config(' });
  const hint = configLine.locator('span[class*="dyn-rule-"]', { hasText: /\d\s+ms/ });
  await hint.first().waitFor({ timeout: 60000 });
  const hintText = text(await hint.first().innerText());
  assert.match(hintText, /^\d[\d.]* ms · \d[\d.]* W · \d[\d.]* (m?J)( \(extrap\.\))?$/);
  await shot('9-triton-inlay-hint');
  lap(`Triton inlay hint: "${hintText}"`);
});
