// Later steps of test/e2e/vscode.e2e.ts (registered there, in order, after the charts): Select Target GPUs,
// Export Predictions to CSV, the chart panel in a high-contrast theme, and the tilecast.gpus setting in
// VS Code's settings UI. Each drives the editor as a user would and waits on conditions, never on sleeps.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { CSV_HEADER } from '../../server/src/ide/chart-data';
import { chartFrame, editor, goToLine, lap, openFile, runCommand, settledUserSettings, shot, text, until, userSettingsNow } from './editor-session';

/** tilecast.gpus in settings.json once the file is whole (undefined: the setting is not there). */
async function userGpus(): Promise<string[] | undefined> {
  return (await settledUserSettings())['tilecast.gpus'] as string[] | undefined;
}

/** A poll for `until`: the value of `key` when settings.json is whole and `accept` takes it. */
function settingWhen<T>(key: string, accept: (value: T | undefined) => boolean): () => { value: T | undefined } | undefined {
  return () => {
    const settings = userSettingsNow();
    if (settings === undefined) return undefined;
    const value = settings[key] as T | undefined;
    return accept(value) ? { value } : undefined;
  };
}

/** In the open quick pick: filters by `filter`, then ticks or unticks the row whose text matches `row`. */
async function setChecked(filter: string, row: RegExp, checked: boolean): Promise<void> {
  const { page } = editor();
  await page.locator('.quick-input-widget input').fill(filter);
  const item = page.locator('.quick-input-list .monaco-list-row', { hasText: row }).first();
  await item.waitFor();
  const box = item.locator('.monaco-checkbox').first(); // VS Code 1.100: a custom toggle with role=checkbox
  if ((await box.isChecked()) !== checked) await box.click();
  assert.equal(await box.isChecked(), checked, `${row} ${checked ? 'ticked' : 'unticked'}`);
}

/** Settings start as ['h100-sxm', 'rtx-4090'] (the status-bar pick before): untick H100, tick A100 80 GB SXM and L4. */
export async function selectTargetGpus(): Promise<void> {
  const { page } = editor();
  const before = await userGpus();
  assert.deepEqual(before, ['h100-sxm', 'rtx-4090']);
  await openFile('tiled_matmul.cu');
  await runCommand('TileCast: Select Target GPUs');
  await page.locator('.quick-input-widget', { hasText: 'target GPUs' }).waitFor();
  await setChecked('h100 sxm', /h100-sxm ·/, false);
  await setChecked('a100 sxm4 80', /a100-sxm4-80gb ·/, true);
  await setChecked('nvidia l4', /l4 · Ada/, true); // the row's text runs label into description: "NVIDIA L4l4 · Ada…"
  await shot('10-target-gpus');
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  const { value: gpus } = await until(
    settingWhen<string[]>('tilecast.gpus', (value) => value?.[0] === 'rtx-4090'),
    15000,
    'tilecast.gpus to start with rtx-4090',
  );
  // The primary stays first when still chosen; the new ones follow in catalogue order.
  assert.deepEqual(gpus, ['rtx-4090', 'a100-sxm4-80gb', 'l4']);
  const status = page.locator('.statusbar-item', { hasText: 'GeForce RTX 4090 +2' });
  await status.waitFor();
  lap(`Select Target GPUs: tilecast.gpus ${JSON.stringify(before)} -> ${JSON.stringify(gpus)}; status bar "${text(await status.innerText())}"`);
}

/** The CSV has the documented header and a row per launch and target GPU. */
export async function exportCsv(): Promise<void> {
  const { page, workspace } = editor();
  const target = join(workspace, 'tiled_matmul.tilecast.csv');
  assert.equal(existsSync(target), false);
  await openFile('tiled_matmul.cu');
  await runCommand('File: Save'); // the problem-size annotation added above: the disk copy is what the rows are checked against
  await runCommand('TileCast: Export Predictions to CSV');
  // code-server's save dialog is VS Code's own (a quick input holding the path): the default name is offered.
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  // The dialog fills in the folder first, then the suggested name.
  await page.waitForFunction(() =>
    (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value.endsWith('/tiled_matmul.tilecast.csv'),
  );
  await shot('11-export-csv');
  await page.keyboard.press('Enter');
  // The file is whole once it ends in the last row's newline (a poll can meet the write half done).
  const whole = () => {
    const now = existsSync(target) ? readFileSync(target, 'utf8') : '';
    return now.endsWith('\n') ? now : undefined;
  };
  const csv = await until(whole, 15000, `${target} to be written`);
  const [header, ...rows] = csv.trimEnd().split('\n');
  assert.equal(header, CSV_HEADER.join(','));
  assert.match(header, /^line,subject,label,gpu,m,n,k,batch,dtype,source,runtime_ms,/);
  const source = readFileSync(join(workspace, 'tiled_matmul.cu'), 'utf8').split('\n');
  const launchLines = source.flatMap((line, index) => (line.includes('<<<') ? [String(index + 1)] : []));
  const gpus = (await userGpus()) ?? [];
  const cells = rows.map((row) => row.split(','));
  // One row per launch and target GPU, on the launch's line, with a runtime.
  assert.deepEqual(cells.map((c) => `${c[0]} ${c[1]} ${c[3]}`).sort(), launchLines.flatMap((line) => gpus.map((gpu) => `${line} launch ${gpu}`)).sort());
  for (const c of cells) assert.match(c[CSV_HEADER.indexOf('runtime_ms')], /^\d[\d.e+-]*$/);
  await page
    .locator('.notifications-toasts .notification-toast', { hasText: `exported ${rows.length} rows` })
    .first()
    .waitFor();
  lap(`Export CSV: ${rows.length} rows (${launchLines.length} launch x ${gpus.length} GPUs): ${rows[0]}`);
}

interface ChartColours {
  themeClass: string;
  color: string;
  background: string;
  firstSeries: string;
}

async function chartColours(frame: Frame): Promise<ChartColours> {
  return frame.evaluate(() => {
    const svg = document.querySelector('#chart svg') as SVGSVGElement;
    const series = svg.querySelector('path[stroke]:not([stroke="currentColor"])');
    return {
      themeClass: [...document.body.classList].find((c) => c.startsWith('vscode-')) ?? '',
      color: getComputedStyle(svg).color,
      background: getComputedStyle(svg).backgroundColor,
      firstSeries: series ? getComputedStyle(series).stroke : '',
    };
  });
}

/** Picks a colour theme from the palette as a user would (Preferences: Color Theme); returns the one it replaced. */
async function pickColourTheme(label: string): Promise<string> {
  const { page } = editor();
  await runCommand('Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  const focused = page.locator('.quick-input-list .monaco-list-row.focused .label-name').filter({ visible: true }).first();
  const previous = text(await focused.innerText()); // the picker opens on the current theme
  await input.fill(label);
  await page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: label }).first().waitFor();
  for (let step = 0; text(await focused.innerText()) !== label; step++) {
    assert.ok(step < 10, `${label} is listed`);
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  return previous;
}

/** The host's last "<chart>: first paint N ms after the command (panel reused…)" line in the output panel (open at the bottom). */
async function lastPaintLogged(chart: string): Promise<string | undefined> {
  // View lines render spaces as U+00A0, which \s matches.
  const pattern = new RegExp(`${chart.replace(/ /g, '\\s')}:\\sfirst\\spaint\\s\\d+\\sms\\safter\\sthe\\scommand\\s\\(panel\\sreused`);
  const output = editor().page.locator('.output-view, .part.panel').locator('.view-lines').filter({ hasText: pattern }).first();
  await output.waitFor();
  return [...text(await output.innerText()).matchAll(new RegExp(`${chart}: first paint \\d+ ms after the command \\([^)]*\\)`, 'g'))].at(-1)?.[0];
}

/** The chart panel (kept loaded behind other tabs) shows the roofline again, then follows a switch to high contrast. */
export async function highContrastChart(): Promise<void> {
  await openFile('tiled_matmul.cu');
  await goToLine('34:5'); // the launch (the annotation above it is line 33 now)
  const t0 = Date.now();
  await runCommand('TileCast: Show Roofline');
  const frame = await chartFrame('circle');
  lap(`roofline in the kept panel visible ${Date.now() - t0} ms after the command; output: ${await lastPaintLogged('Roofline')}`);
  const initial = await chartColours(frame);
  assert.notEqual(initial.themeClass, 'vscode-high-contrast');
  // VS Code 1.100 lists "Default High Contrast" (the setting's value) as "Dark High Contrast".
  const initialTheme = await pickColourTheme('Dark High Contrast');
  await until(
    settingWhen('workbench.colorTheme', (value) => value === 'Default High Contrast'),
    15000,
    'workbench.colorTheme',
  );
  await frame.waitForFunction(() => document.body.classList.contains('vscode-high-contrast'));
  // The page redraws when VS Code swaps the theme class: wait for the chart's own colours to follow.
  await frame.waitForFunction((previous) => getComputedStyle(document.querySelector('#chart svg')!).color !== previous, initial.color);
  const contrast = await chartColours(frame);
  assert.equal(contrast.themeClass, 'vscode-high-contrast');
  assert.equal(contrast.background, 'rgb(0, 0, 0)', 'the high-contrast editor background');
  assert.notEqual(contrast.color, initial.color);
  assert.notEqual(contrast.background, initial.background);
  await shot('12-high-contrast');
  lap(`chart colours in "${initialTheme}" ${JSON.stringify(initial)} -> "Dark High Contrast" ${JSON.stringify(contrast)}`);
  await pickColourTheme(initialTheme); // back, for the steps after this one
  await frame.waitForFunction((themeClass) => document.body.classList.contains(themeClass), initial.themeClass);
}

/** Save SVG and Save PNG in the chart panel: the editor's save dialog offers the chart's name; the files are written. */
export async function saveChart(): Promise<void> {
  const { page, workspace } = editor();
  const frame = await chartFrame('circle'); // the roofline, shown by the step before
  for (const [button, name] of [
    ['#save-svg', 'tilecast-roofline.svg'],
    ['#save-png', 'tilecast-roofline.png'],
  ] as const) {
    await frame.locator(button).click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await page.waitForFunction(
      (suffix) => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value.endsWith(suffix),
      `/${name}`,
    );
    await page.keyboard.press('Enter');
    const target = join(workspace, name);
    await until(() => (whole(target) ? true : undefined), 15000, `${target} to be written`);
  }
  const svg = readFileSync(join(workspace, 'tilecast-roofline.svg'), 'utf8');
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /NVIDIA GeForce RTX 4090/);
  const png = readFileSync(join(workspace, 'tilecast-roofline.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  lap(`saved tilecast-roofline.svg (${svg.length} B) and tilecast-roofline.png (${png.length} B) from the chart panel`);
}

/** Whether a saved chart is all there: an SVG through its closing tag, a PNG through its IEND chunk (VS Code truncates, then writes). */
function whole(path: string): boolean {
  if (!existsSync(path)) return false;
  const bytes = readFileSync(path);
  if (path.endsWith('.svg')) return bytes.toString('utf8').trimEnd().endsWith('</svg>');
  const iend = Buffer.from([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  return bytes.length > 8 && bytes.subarray(bytes.length - 8).equals(iend);
}

/** VS Code's settings editor lists tilecast.gpus as strings with no error: reset to the default, then a name as nvidia-smi prints it added. */
export async function gpusSettingInSettingsEditor(): Promise<void> {
  const { page } = editor();
  await runCommand('Preferences: Open Settings (UI)');
  const search = page.locator('.settings-editor .search-container textarea, .settings-editor .suggest-input-container textarea').first();
  await search.waitFor();
  await search.fill('tilecast.gpus');
  const item = page.locator('.settings-editor .setting-item-contents', { hasText: 'GPUs to predict for' }).first();
  await item.waitFor();
  const rows = item.locator('.setting-list-widget .setting-list-row');
  const error = item.locator('.setting-item-validation-message');
  const listed = async () => (await rows.allInnerTexts()).map(text).filter((row) => row !== '');
  await rows.first().waitFor();
  // Reset Setting (the gear menu) gives the default.
  await item.hover();
  await item.locator('.setting-toolbar-container .codicon-settings-gear, .setting-toolbar-container .action-label').first().click();
  await shot('13-settings-ui-menu');
  await page.locator('.context-view .action-label, .monaco-menu .action-label', { hasText: 'Reset Setting' }).first().click();
  await until(
    settingWhen('tilecast.gpus', (value) => value === undefined),
    15000,
    'tilecast.gpus to be reset',
  );
  await page.locator('.statusbar-item', { hasText: 'GeForce RTX 4090', hasNotText: /\+\d/ }).waitFor();
  assert.deepEqual(await listed(), ['rtx-4090']);
  assert.equal(await error.isVisible(), false, `no validation error: ${await error.innerText().catch(() => '')}`);
  await shot('13-settings-ui-default');
  // Add Item: a name as nvidia-smi prints it is taken, saved and resolved by the server.
  await item.getByRole('button', { name: 'Add Item' }).click();
  const field = item.locator('.setting-list-edit-row input').first();
  await field.fill('NVIDIA H100 80GB HBM3');
  await page.keyboard.press('Enter');
  const { value: saved } = await until(
    settingWhen<string[]>('tilecast.gpus', (value) => value !== undefined),
    15000,
    'tilecast.gpus to be written',
  );
  assert.deepEqual(saved, ['rtx-4090', 'NVIDIA H100 80GB HBM3']);
  await page.locator('.statusbar-item', { hasText: 'GeForce RTX 4090 +1' }).waitFor();
  assert.equal(await error.isVisible(), false, `no validation error: ${await error.innerText().catch(() => '')}`);
  await shot('14-settings-ui-nvidia-smi-name');
  lap(`settings UI: default ${JSON.stringify(['rtx-4090'])} listed with no error; added "NVIDIA H100 80GB HBM3": tilecast.gpus ${JSON.stringify(saved)}`);
}

/** The chart panel hidden behind another editor in its group still holds its page: the next chart paints at once. */
export async function hiddenChartPanel(): Promise<void> {
  const { page } = editor();
  // The settings editor's list keeps the keyboard: pick the source file's tab with the mouse.
  await page.locator('.tabs-container .tab', { hasText: 'tiled_matmul.cu' }).first().click();
  await page.locator('.monaco-editor.focused .view-lines').first().waitFor();
  await runCommand('View: Move Editor into Next Group'); // the source file goes in front of the chart panel
  await page.locator('.monaco-editor.focused .view-lines').first().waitFor();
  const activeTabs = page.locator('.tabs-container .tab.active');
  assert.ok(!(await activeTabs.allInnerTexts()).some((tab) => tab.includes('TileCast: Roofline')), 'the chart panel is behind the source file');
  await goToLine('34:5');
  const t0 = Date.now();
  await runCommand('TileCast: Compare GPUs');
  await chartFrame('g[aria-label="bar"]');
  const visibleMs = Date.now() - t0;
  const logged = await lastPaintLogged('Compare GPUs');
  await shot('15-hidden-panel');
  lap(`hidden chart panel: comparison visible ${visibleMs} ms after the command; output: ${logged}`);
}

/**
 * The chart panel left open comes back with the window: after Developer: Reload Window its page draws the
 * charts it kept, and the next chart command reuses it (the host says "panel restored with the window").
 */
export async function restoredChartPanel(): Promise<void> {
  const { page } = editor();
  await page.locator('.tabs-container .tab', { hasText: 'TileCast:' }).first().click(); // in front, as a user leaves it
  await chartFrame('g[aria-label="bar"]');
  await runCommand('Developer: Reload Window');
  await page.waitForLoadState('load');
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
  // Drawn from the page's saved state, before any command: the comparison was the chart shown.
  await chartFrame('g[aria-label="bar"]');
  await shot('16-restored-panel');
  // The settings editor of the step before came back too and keeps the keyboard: pick the source file's tab.
  await page.locator('.tabs-container .tab', { hasText: 'tiled_matmul.cu' }).first().click();
  await page.locator('.monaco-editor.focused .view-lines').first().waitFor();
  await page
    .locator('.monaco-editor .view-line span[class*="dyn-rule-"]', { hasText: /\d\s+ms/ })
    .first()
    .waitFor({ timeout: 60000 });
  await goToLine('34:5');
  const t0 = Date.now();
  await runCommand('TileCast: Show Roofline');
  await chartFrame('circle');
  const visibleMs = Date.now() - t0;
  await runCommand('TileCast: Show Output');
  const pattern = /Roofline:\sfirst\spaint\s\d+\sms\safter\sthe\scommand\s\(panel\srestored\swith\sthe\swindow/;
  const output = page.locator('.output-view, .part.panel').locator('.view-lines').filter({ hasText: pattern }).first();
  await output.waitFor();
  const logged = text(await output.innerText()).match(/Roofline: first paint \d+ ms after the command \([^)]*\)/)?.[0];
  assert.equal(await page.locator('.tabs-container .tab', { hasText: 'TileCast:' }).count(), 1, 'one chart panel');
  lap(`restored chart panel: roofline visible ${visibleMs} ms after the command; output: ${logged}`);
}
