// Random edits of real fixtures, sent to a running server through the protocol, each followed by a
// request; used by the stress test (which checks every request is answered and nothing fails) and by
// bench/lsp.bench.ts (which prints the latencies). Seeded, so a failure replays. Edits are those a user,
// a paste or a broken tool makes: typing tokens, deleting spans, deleting or pasting half a file,
// binary bytes, lone surrogates, whole-document replacements; and every so often a 1 MB line, removed
// again by the next change (each costs the parser a second or more: a few are enough).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { LspTestClient, Message } from './lsp-client';

/** Small fast deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ';',
  '<',
  '>',
  '<<<',
  '>>>',
  ',',
  '\n',
  ' ',
  'TILE',
  '#define TILE 32\n',
  '__global__ void k(',
  'template <int N>',
  '__shared__ float s[1 << 20];',
  '// tilecast: M=0 N=-1 K=1e99\n',
  '/*',
  '*/',
  '"',
  "'",
  '\\',
  '1 / 0',
  '0x',
  '99999999999999999999',
  'dim3 b(4096, 4096);',
  'k<<<1, 2048>>>();',
  '@triton.jit\n',
  'tl.dot(',
  '    ',
  '\t',
  '\r',
  '\r\n',
];

interface Change {
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

/** One random change of `document` (offsets converted with the same TextDocument rules as the server). */
export function randomChange(random: () => number, document: TextDocument, pasteSources: string[]): { changes: Change[]; label: string } {
  const text = document.getText();
  const length = text.length;
  const at = () => Math.floor(random() * (length + 1));
  const replace = (start: number, end: number, newText: string): Change => ({
    range: { start: document.positionAt(start), end: document.positionAt(end) },
    text: newText,
  });
  const pick = random();
  if (pick < 0.45) {
    const offset = at();
    return { changes: [replace(offset, offset, TOKENS[Math.floor(random() * TOKENS.length)]!)], label: 'type' };
  }
  if (pick < 0.7) {
    const start = at();
    return { changes: [replace(start, Math.min(length, start + Math.floor(random() * 60)), '')], label: 'delete' };
  }
  if (pick < 0.76) {
    const half = Math.floor(length / 2);
    return random() < 0.5
      ? { changes: [replace(0, half, '')], label: 'delete first half' }
      : { changes: [replace(half, length, '')], label: 'delete second half' };
  }
  if (pick < 0.84) {
    const source = pasteSources[Math.floor(random() * pasteSources.length)] ?? text;
    const half = random() < 0.5 ? source.slice(0, source.length >> 1) : source.slice(source.length >> 1);
    const offset = at();
    return { changes: [replace(offset, offset, half)], label: 'paste half' };
  }
  if (pick < 0.9) {
    let bytes = '';
    for (let i = 0; i < 1 + Math.floor(random() * 16); i++) {
      const kind = random();
      bytes +=
        kind < 0.6
          ? String.fromCharCode(Math.floor(random() * 32))
          : kind < 0.8
            ? String.fromCharCode(0xd800 + Math.floor(random() * 0x800))
            : String.fromCharCode(0xfff0 + Math.floor(random() * 16));
    }
    const offset = at();
    return { changes: [replace(offset, offset, bytes)], label: 'binary bytes' };
  }
  if (pick < 0.93) {
    // Several changes in one notification, applied in order (each against the text the previous left).
    const first = at();
    const scratch = TextDocument.create(document.uri, document.languageId, document.version, text);
    const changes: Change[] = [replace(first, first, '(')];
    const afterFirst = TextDocument.update(scratch, changes, document.version + 1);
    const second = Math.floor(random() * (afterFirst.getText().length + 1));
    changes.push({ range: { start: afterFirst.positionAt(second), end: afterFirst.positionAt(second) }, text: '}' });
    return { changes, label: 'two changes' };
  }
  if (pick < 0.96) {
    const source = pasteSources[Math.floor(random() * pasteSources.length)] ?? '';
    return { changes: [{ text: source }], label: 'replace document' };
  }
  // Undo what grew the file: keep it from growing without bound.
  if (length > 200_000) return { changes: [{ text: pasteSources[0] ?? '' }], label: 'replace oversized document' };
  const start = at();
  return { changes: [replace(start, start, '')], label: 'empty change' };
}

/** 'blob': one 1 MB word, as minified or generated text; 'expression': a + a + ... over 1 MB (a parse tree 500,000 deep). */
export type MegaLineKind = 'blob' | 'expression';

/** A 1 MB line inserted at a random offset (a minified blob, or one long expression), and the change that removes it again. */
export function megaLine(random: () => number, document: TextDocument, kind: MegaLineKind): { insert: Change; remove: (after: TextDocument) => Change } {
  const offset = Math.floor(random() * (document.getText().length + 1));
  const line = `\n${kind === 'blob' ? 'x'.repeat(1_000_000) : 'a+'.repeat(500_000)}\n`;
  const start = document.positionAt(offset);
  return {
    insert: { range: { start, end: start }, text: line },
    remove: (after) => ({ range: { start, end: after.positionAt(offset + line.length) }, text: '' }),
  };
}

export interface StressFile {
  uri: string;
  languageId: string;
  text: string;
}

/** The fixtures the stress test and the bench edit: CUDA of several shapes and a Triton file. */
export const STRESS_FIXTURES = [
  'examples/tiled_matmul.cu',
  'test/fixtures/cuda/register-blocked.cu',
  'test/fixtures/cuda/templated.cu',
  'test/fixtures/cuda/cublas-sgemm.cu',
  'test/fixtures/triton/batched-matmul.py',
];

export function stressFiles(): StressFile[] {
  const root = join(__dirname, '..', '..');
  return STRESS_FIXTURES.map((path) => ({
    uri: `file:///tmp/tilecast-stress/${path.replace(/\//g, '_')}`,
    languageId: path.endsWith('.py') ? 'python' : 'cuda-cpp',
    text: readFileSync(join(root, path), 'utf8'),
  }));
}

export interface StressResult {
  edits: number;
  requests: number;
  /** Milliseconds from sending the change to the answer of the request after it, per request method (1 MB line changes apart). */
  latencyMs: Record<string, number[]>;
  /** The same latencies per kind of edit ('type', 'paste half', '1 MB line', ...). */
  latencyByEditMs: Record<string, number[]>;
  /** The requests answered in over 100 ms: edit kind, method, document length and milliseconds. */
  over100Ms: Array<{ edit: number; label: string; method: string; chars: number; ms: number }>;
  /** First lines of the server's log lines for handlers that threw (caught, logged and answered null). */
  handlerFailures: string[];
  /** Answers that were errors other than "content modified" / "cancelled". */
  errors: Array<{ method: string; label: string; error: unknown }>;
}

function collectFailures(messages: Message[], result: StressResult): void {
  for (const message of messages) {
    if (message.method === 'window/logMessage' && / failed: /.test(message.params?.message ?? ''))
      result.handlerFailures.push(message.params.message.split('\n')[0]);
  }
}

const REQUESTS = ['textDocument/hover', 'textDocument/inlayHint', 'textDocument/codeLens', 'textDocument/codeAction', 'tilecast/roofline'] as const;

/**
 * Opens `files`, then makes `edits` random changes across them; after each change it sends one request
 * about the changed file (cycling through hover, inlay hints, lenses, actions and a custom request) and
 * waits for its answer before the next change.
 */
export async function runRandomEdits(
  client: LspTestClient,
  files: StressFile[],
  edits: number,
  seed: number,
  megaLineEvery = 500,
  megaLineKinds: MegaLineKind[] = ['blob'],
  trace?: (line: string) => void,
  onRequest?: (document: TextDocument, method: string, params: unknown) => void,
): Promise<StressResult> {
  const random = seededRandom(seed);
  const documents = files.map((file) => TextDocument.create(file.uri, file.languageId, 1, file.text));
  const pasteSources = files.map((file) => file.text);
  for (const file of files)
    client.notify('textDocument/didOpen', { textDocument: { uri: file.uri, languageId: file.languageId, version: 1, text: file.text } });
  const result: StressResult = { edits: 0, requests: 0, latencyMs: {}, latencyByEditMs: {}, over100Ms: [], errors: [], handlerFailures: [] };
  let pendingRemoval: { index: number; remove: (after: TextDocument) => Change } | null = null;
  for (let i = 0; i < edits; i++) {
    let index = Math.floor(random() * documents.length);
    let changes: Change[];
    let label: string;
    if (pendingRemoval) {
      index = pendingRemoval.index;
      changes = [pendingRemoval.remove(documents[index]!)];
      label = 'remove 1 MB line';
      pendingRemoval = null;
    } else if (megaLineEvery > 0 && i % megaLineEvery === megaLineEvery - 1) {
      // Into a CUDA file: it is analysed whatever the edits did to it (a Python file stops being Triton without its import).
      const cuda = documents.map((d, k) => (d.uri.endsWith('.cu') ? k : -1)).filter((k) => k >= 0);
      if (cuda.length > 0) index = cuda[Math.floor(random() * cuda.length)]!;
      const mega = megaLine(random, documents[index]!, megaLineKinds[Math.floor(i / megaLineEvery) % megaLineKinds.length]!);
      changes = [mega.insert];
      label = '1 MB line';
      pendingRemoval = { index, remove: mega.remove };
    } else {
      ({ changes, label } = randomChange(random, documents[index]!, pasteSources));
    }
    const document = documents[index]!;
    const next = TextDocument.update(document, changes as never, document.version + 1);
    documents[index] = next;
    const started = performance.now();
    client.notify('textDocument/didChange', { textDocument: { uri: next.uri, version: next.version }, contentChanges: changes });
    result.edits++;
    const method = REQUESTS[i % REQUESTS.length]!;
    const offset = Math.floor(random() * (next.getText().length + 1));
    const position = next.positionAt(offset);
    const whole = { start: { line: 0, character: 0 }, end: next.positionAt(next.getText().length) };
    const params =
      method === 'textDocument/hover'
        ? { textDocument: { uri: next.uri }, position }
        : method === 'textDocument/inlayHint'
          ? { textDocument: { uri: next.uri }, range: whole }
          : method === 'textDocument/codeLens'
            ? { textDocument: { uri: next.uri } }
            : method === 'textDocument/codeAction'
              ? { textDocument: { uri: next.uri }, range: { start: position, end: position }, context: { diagnostics: [] } }
              : { uri: next.uri, position };
    onRequest?.(next, method, params);
    const answer: Message = await client.request(method, params);
    const elapsed = performance.now() - started;
    trace?.(`${i} ${label} ${method} ${next.uri.slice(-24)} ${next.getText().length} chars: ${elapsed.toFixed(1)} ms`);
    (result.latencyMs[label.includes('1 MB') ? label : method] ??= []).push(elapsed);
    (result.latencyByEditMs[label] ??= []).push(elapsed);
    if (elapsed > 100) result.over100Ms.push({ edit: i, label, method, chars: next.getText().length, ms: elapsed });
    result.requests++;
    if (answer.error && answer.error.code !== -32801 && answer.error.code !== -32800) result.errors.push({ method, label, error: answer.error });
    // Keep the client's memory flat over thousands of messages (requests wait on replies, not on this list).
    if (client.received.length > 500) collectFailures(client.received.splice(0), result);
  }
  collectFailures(client.received.splice(0), result);
  return result;
}
