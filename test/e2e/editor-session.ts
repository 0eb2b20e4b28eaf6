// The real-editor harness of test/e2e/vscode.e2e.ts: starts code-server 4.100.3 (VS Code 1.100.3) with the
// packaged .vsix and a fresh workspace, drives it with playwright-core and Debian's Chromium, and gives
// the tests condition-waiting helpers (palette commands, quick open, go to line, webview frames). No sleeps.
// Env: CODE_SERVER_ENTRY, EXT_VSIX (default ./tilecast-<version>.vsix), E2E_ARTIFACTS (default ./.e2e/artifacts).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

const repo = join(__dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
const ENTRY = process.env.CODE_SERVER_ENTRY ?? join(repo, '.e2e', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const VSIX = process.env.EXT_VSIX ?? join(repo, `tilecast-${version}.vsix`);
export const ART = process.env.E2E_ARTIFACTS ?? join(repo, '.e2e', 'artifacts');

const started = Date.now();
export const lap = (message: string) => console.log(`# [${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
export const text = (raw: string) =>
  raw
    .replace(/\u00a0/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

let root: string;
let workspace: string;
let userSettings: string;
let server: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitHttpOk(url: string, timeoutMs: number, log: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (server?.exitCode !== null) throw new Error(`code-server exited (${server?.exitCode}); see ${log}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // a poll interval, not a wait for the answer
  }
  throw new Error(`timeout waiting for ${url}`);
}

/** Polls a condition on this machine (the file system) until it holds. */
export async function until<T>(condition: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a poll interval
  }
}

/**
 * The user's settings.json as VS Code last finished writing it, or undefined while a write is under way:
 * VS Code truncates the file and then writes it, so a read in between sees an empty or partial file.
 * Callers poll it through `until`, which asks again.
 */
export function userSettingsNow(): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(userSettings, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** settings.json once it parses (a read that meets a write in progress waits for the write to end). */
export function settledUserSettings(): Promise<Record<string, unknown>> {
  return until(userSettingsNow, 5000, 'settings.json to be whole');
}

/** The webview frame whose chart has `selector` drawn in it (webviews are nested iframes). */
export async function chartFrame(selector: string, timeoutMs = 60000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const found = await frame.evaluate((inChart) => document.querySelector(`#chart svg ${inChart}`) !== null, selector).catch(() => false);
      if (found) return frame;
    }
    if (Date.now() > end) throw new Error(`timeout waiting for a chart with ${selector}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a poll interval
  }
}

export async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ART, `${name}.png`) });
}

/** Runs a command from the palette by its title. */
export async function runCommand(title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // The palette can close again right after it opened (focus returning from a dialog or a webview that just
  // closed; seen once in CI after the save dialogs): then it is opened again, at most three times.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    try {
      await input.fill(`>${title}`, { timeout: 5000 });
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  // Enter runs the focused row, and fuzzy matches can be listed above the command: move the focus onto it.
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.locator('.label-name', { hasText: title }).first().waitFor();
  const focused = page.locator('.quick-input-list .monaco-list-row.focused .label-name').filter({ visible: true }).first(); // a hidden earlier list may keep a focused row
  for (let step = 0; text(await focused.innerText()) !== title; step++) {
    if (step > 20) throw new Error(`"${title}" is not in the palette: ${(await rows.allInnerTexts()).map(text).join(' | ')}`);
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
}

export async function goToLine(lineColumn: string): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.type(lineColumn);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Quick Open: opens (or focuses) a workspace file in the editor. */
export async function openFile(name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.type(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await page.locator('.monaco-editor.focused .view-lines').first().waitFor();
}

/** Installs the .vsix into a fresh code-server, starts it and opens the workspace in Chromium. */
export async function startEditor(): Promise<void> {
  mkdirSync(ART, { recursive: true });
  for (const old of readdirSync(ART)) if (old.endsWith('.png')) rmSync(join(ART, old)); // this run's screenshots only
  root = mkdtempSync(join(tmpdir(), 'tilecast-e2e-'));
  const userData = join(root, 'user-data');
  const extensions = join(root, 'extensions');
  workspace = join(root, 'workspace');
  for (const dir of [join(userData, 'User'), extensions, workspace]) mkdirSync(dir, { recursive: true });
  copyFileSync(join(repo, 'examples', 'tiled_matmul.cu'), join(workspace, 'tiled_matmul.cu'));
  copyFileSync(join(repo, 'examples', 'triton_matmul.py'), join(workspace, 'triton_matmul.py'));
  userSettings = join(userData, 'User', 'settings.json');
  writeFileSync(
    userSettings,
    JSON.stringify(
      {
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'workbench.enableExperiments': false,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        'editor.inlayHints.enabled': 'on',
        'editor.hover.delay': 100,
        'git.enabled': false,
        'tilecast.gpus': ['rtx-4090', 'h100-sxm'],
      },
      null,
      2,
    ),
  );
  const port = await freePort();
  const config = join(root, 'config.yaml'); // keeps code-server away from ~/.config/code-server
  writeFileSync(
    config,
    [
      `bind-addr: 127.0.0.1:${port}`,
      'auth: none',
      'cert: false',
      'disable-telemetry: true',
      'disable-update-check: true',
      'disable-workspace-trust: true',
      'disable-getting-started-override: true',
      '',
    ].join('\n'),
  );
  const args = [ENTRY, '--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
  execFileSync(process.execPath, [...args, '--install-extension', VSIX], { stdio: 'inherit' });
  lap(`installed ${VSIX}`);

  const log = join(ART, 'code-server.log');
  const logFd = openSync(log, 'w');
  // Its own process group, so teardown ends the extension host and the language server with it.
  server = spawn(process.execPath, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  await waitHttpOk(`http://127.0.0.1:${port}/healthz`, 30000, log);
  lap('code-server up');

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.setDefaultTimeout(30000);
  page.on('pageerror', (error) => console.log('# [pageerror]', error.message.slice(0, 200)));
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
  lap('workbench loaded');
}

/** Screenshot, then ends the browser, code-server (its process group) and the temporary folders. */
export async function stopEditor(): Promise<void> {
  if (page) await page.screenshot({ path: join(ART, 'final.png') }).catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (server?.pid && server.exitCode === null) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (root) rmSync(root, { recursive: true, force: true });
  lap('teardown done');
}

/** The session's page and folders, once startEditor has run. */
export function editor(): { page: Page; workspace: string; userSettings: string } {
  return { page, workspace, userSettings };
}
