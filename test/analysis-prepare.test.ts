// The CUDA rewrite for the C++ grammar: same length, same line breaks, keywords blanked, chevrons
// turned into parentheses only when they pair, and nothing touched inside comments or strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareCudaText } from '../server/src/analysis/cuda/prepare';

test('keywords are blanked and chevrons become parentheses, offsets unchanged', () => {
  const text = '__global__ void __launch_bounds__(256, 2) k(float *__restrict__ x) {}\nint main() { k<<<g, b, 0, s>>>(p); }\n';
  const prepared = prepareCudaText(text);
  assert.equal(prepared.parseText.length, text.length);
  const blank = (word: string) => ' '.repeat(word.length);
  const expected = `${blank('__global__')} void ${blank('__launch_bounds__(256, 2)')} k(float *${blank('__restrict__')} x) {}\n`
    + 'int main() { k(  g, b, 0, s  )(p); }\n';
  assert.equal(prepared.parseText, expected);
  const bounds = prepared.keywords.find((k) => k.keyword === '__launch_bounds__')!;
  assert.equal(bounds.args!.text, '256, 2');
  assert.equal(text.slice(bounds.args!.start, bounds.args!.end), '256, 2');
  assert.deepEqual(prepared.launches, [{ open: text.indexOf('<<<'), close: text.indexOf('>>>') }]);
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
