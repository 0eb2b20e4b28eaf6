// The CUDA rewrite for the C++ grammar: same length, same line breaks, keywords blanked, chevrons
// turned into parentheses only when they pair, and nothing touched inside comments or strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareCudaText } from '../server/src/analysis/cuda/prepare';
import { preparedEditsAgree } from './support/prepare-edits';

test('keywords are blanked and chevrons become braces, offsets unchanged', () => {
  const text = '__global__ void __launch_bounds__(256, 2) k(float *__restrict__ x) {}\nint main() { k<<<g, b, 0, s>>>(p); }\n';
  const prepared = prepareCudaText(text);
  assert.equal(prepared.parseText.length, text.length);
  const blank = (word: string) => ' '.repeat(word.length);
  const expected =
    `${blank('__global__')} void ${blank('__launch_bounds__(256, 2)')} k(float *${blank('__restrict__')} x) {}\n` + 'int main() { k{  g, b, 0, s  }(p); }\n';
  assert.equal(prepared.parseText, expected);
  const bounds = prepared.keywords.find((k) => k.keyword === '__launch_bounds__')!;
  assert.equal(bounds.args!.text, '256, 2');
  assert.equal(text.slice(bounds.args!.start, bounds.args!.end), '256, 2');
  assert.deepEqual(prepared.launches, [{ open: text.indexOf('<<<'), close: text.indexOf('>>>') }]);
});

test('chevrons become parentheses where braces could change the statement', () => {
  const cases: Array<[string, string]> = [
    ['k<<<dim3{4, 4}, 256>>>(p);', 'k(  dim3{4, 4}, 256  )(p);'], // braces inside the configuration
    ['k<<<n /* rows */, 256>>>(p);', 'k(  n /* rows */, 256  )(p);'], // a comment inside
    ['(*fn)<<<1, 1>>>(p);', '(*fn)(  1, 1  )(p);'], // no name before the chevrons
    ['mm<64, 64><<<g, b>>>(p);', 'mm<64, 64>{  g, b  }(p);'], // template arguments: braces
  ];
  for (const [text, expected] of cases) assert.equal(prepareCudaText(text).parseText, expected, text);
});

test('nested template closers stay, comments and strings are not rewritten', () => {
  const text = 'std::vector<std::vector<std::pair<int,int>>> v; // __global__ <<<\nconst char *s = "__shared__ >>>"; /* <<< */\n';
  const prepared = prepareCudaText(text);
  assert.equal(prepared.parseText, text);
  assert.deepEqual(prepared.launches, []);
  assert.deepEqual(prepared.keywords, []);
});

test('an unmatched <<< is left as written and listed', () => {
  const text = 'void f() { k<<<1, 2(x); }';
  const prepared = prepareCudaText(text);
  assert.equal(prepared.parseText, text);
  assert.deepEqual(prepared.unmatchedLaunches, [text.indexOf('<<<')]);
});

test('keywords inside __launch_bounds__ arguments do not make overlapping edits (length is kept)', () => {
  const text = 'void k(int *__launch_bounds__(1, __global__ <<< A) {}\n__launch_bounds__(\n  128) void g();';
  const prepared = prepareCudaText(text);
  assert.equal(prepared.parseText.length, text.length);
  assert.equal(prepared.parseText.split('\n').length, text.split('\n').length);
});

test('a // comment continued by a backslash hides the next line too', () => {
  const text = '// note \\\n__global__ void hidden();\n__global__ void seen();\n';
  const prepared = prepareCudaText(text);
  assert.equal(prepared.keywords.length, 1);
  assert.equal(prepared.keywords[0]!.start, text.lastIndexOf('__global__'));
});

test('annotations are read with their value ranges', () => {
  const text = 'x;\n  // tilecast: M=4096 n=128, K=64 dtype=bf16\n';
  const [annotation] = prepareCudaText(text).annotations;
  assert.deepEqual(annotation!.fields, { M: '4096', N: '128', K: '64', DTYPE: 'bf16' });
  const range = annotation!.valueRanges.K!;
  assert.equal(text.slice(range.start, range.end), '64');
});

test('incremental preparation equals a full scan whenever it answers', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = join(__dirname, 'fixtures', 'cuda');
  const pieces = [
    'a',
    '1',
    ' ',
    '_',
    '(',
    ')',
    ';',
    '{',
    '}',
    '<',
    '>',
    '<<<',
    '>>>',
    '/',
    '*',
    '/*',
    '*/',
    '//',
    '"',
    "'",
    '\n',
    '\\',
    '#',
    'const ',
    'for (',
    '__global__',
    '__launch_bounds__(',
    'cublasSgemm(',
    '// tilecast: M=8\n',
    'define',
  ];
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) / 4294967296;
  let answered = 0;
  let total = 0;
  for (const name of readdirSync(dir)) {
    answered += preparedEditsAgree(readFileSync(join(dir, name), 'utf8'), pieces, 60, next, `${name}: `);
    total += 60;
  }
  assert.ok(answered > total / 2, `answered ${answered} of ${total}`);
});
