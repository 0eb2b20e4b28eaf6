// Start-up A/B of two builds: `node --import tsx bench/startup-ab.ts DIR_A DIR_B` (each a copy of dist/,
// e.g. `cp -r dist /tmp/a` before a change and `cp -r dist /tmp/b` after). Runs them alternately (N=10
// each by default), each run a fresh server through the protocol: initialize, open examples/tiled_matmul.cu,
// hover on its launch; prints the median first hover as the client sees it and the server's own start line
// (ready, parsers, model; ms after its process started). Start-up moves by 50-100 ms between runs on a
// shared 2-core machine, so single runs compare nothing. Prints figures; asserts nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LspTestClient, type Message } from '../test/protocol/lsp-client';
const root = join(__dirname, '..');
async function once(dir: string) {
  const example = readFileSync(join(root, 'examples', 'tiled_matmul.cu'), 'utf8');
  const started = performance.now();
  const client = new LspTestClient(join(dir, 'server.js'));
  await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  client.notify('initialized', {});
  const uri = `file:///bench/startup.cu`;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'cuda-cpp', version: 1, text: example } });
  const hover = (await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 32, character: 4 } })) as {
    result?: { contents?: { value?: string } } | null;
  };
  const ms = performance.now() - started;
  if (!/\d (ms|µs|s)\b/.test(hover.result?.contents?.value ?? '')) throw new Error('no prediction in hover');
  const logLine = (m: Message) => String((m as { params?: { message?: unknown } }).params?.message ?? '');
  const ready = await client.waitFor((m) => m.method === 'window/logMessage' && /ready \d+/.test(logLine(m)), 5000);
  const r = /ready (\d+) ms.*parsers (\d+) ms, model (\d+) ms/.exec(logLine(ready));
  if (!r) throw new Error(`no start line: ${logLine(ready)}`);
  await client.shutdown();
  return { hover: ms, ready: +r[1], parsers: +r[2], model: +r[3] };
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
async function main() {
  const dirs = process.argv.slice(2);
  const n = Number(process.env.N ?? 10);
  const res: Record<string, Array<Awaited<ReturnType<typeof once>>>> = {};
  for (let i = 0; i < n; i++) for (const d of i % 2 ? [...dirs].reverse() : dirs) (res[d] ??= []).push(await once(d));
  for (const d of dirs) {
    const r = res[d];
    console.log(
      `${d}: hover median ${med(r.map((x) => x.hover)).toFixed(0)} ms (min ${Math.min(...r.map((x) => x.hover)).toFixed(0)}), ready ${med(r.map((x) => x.ready))}, parsers ${med(r.map((x) => x.parsers))}, model ${med(r.map((x) => x.model))} (n=${r.length})`,
    );
  }
}
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
