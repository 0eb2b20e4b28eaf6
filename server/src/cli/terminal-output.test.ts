// The terminal-safe output boundary: control characters (ESC sequences included) come out as visible
// \u00XX escapes, tab and newline stay, JSON stays valid and equal, and the stream keeps write order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { CaptureStream } from './run-in-process';
import { escapeControlCharacters, TerminalSafeStream } from './terminal-output';

test('terminal: C0 (but tab and newline), DEL and C1 become visible escapes; other text is unchanged', () => {
  assert.equal(escapeControlCharacters('clear\u001b[2Jscreen'), 'clear\\u001b[2Jscreen');
  assert.equal(escapeControlCharacters('title\u001b]0;pwned\u0007'), 'title\\u001b]0;pwned\\u0007');
  assert.equal(escapeControlCharacters('a\rb\bc\u0000d\u007fe\u009b31mf\u0085'), 'a\\u000db\\u0008c\\u0000d\\u007fe\\u009b31mf\\u0085');
  assert.equal(escapeControlCharacters('tab\tnew\nline é ✓ \u{1F600} \u00a0'), 'tab\tnew\nline é ✓ \u{1F600} \u00a0');
  const plain = 'nothing to escape';
  assert.equal(escapeControlCharacters(plain), plain);
  // Called twice in a row (the global regex keeps state between calls): same answer.
  assert.equal(escapeControlCharacters('\u001b'), '\\u001b');
  assert.equal(escapeControlCharacters('\u001b'), '\\u001b');
});

test('terminal: JSON through the escape parses to the same value', () => {
  const value = { path: 'evil\u001b[2J\u009b.cu', note: 'del\u007f', list: ['\t', '\n', 'ok'] };
  const escaped = escapeControlCharacters(JSON.stringify(value, null, 2));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters in the output.
  assert.doesNotMatch(escaped, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  assert.deepEqual(JSON.parse(escaped), value);
});

test('terminal: the stream escapes strings and buffers (a character split across buffers too), in order', async () => {
  const target = new CaptureStream();
  const stream = new TerminalSafeStream(target);
  stream.write('one\u001b[2J\n');
  const bytes = Buffer.from('é\u001b[31m\n', 'utf8');
  stream.write(bytes.subarray(0, 1));
  stream.write(bytes.subarray(1));
  stream.write('three\n');
  await stream.flushed();
  assert.equal(target.text, 'one\\u001b[2J\né\\u001b[31m\nthree\n');
});

test('terminal: a reader that went away (EPIPE) drops the rest quietly; other write errors are errors', async () => {
  const failing = (code: string) =>
    new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error(`write ${code}`), { code }));
      },
    });
  const gone = new TerminalSafeStream(failing('EPIPE'));
  const errors: Error[] = [];
  gone.on('error', (error) => errors.push(error));
  gone.write('first\n');
  gone.write('second\n');
  await gone.flushed();
  assert.deepEqual(errors, []);
  const broken = new TerminalSafeStream(failing('EIO'));
  const failed = new Promise<Error>((resolve) => broken.once('error', resolve));
  broken.write('x\n');
  assert.match((await failed).message, /EIO/);
});
