// Constant folding: C integer semantics, ceiling-division idioms, sizeof, macros, and the guards
// (overflow, 2^70 literals, division by zero, recursion, very deep nesting) that must yield null plus a problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldCText, foldExpr, MapEnv, MAX_EXPRESSION_CHARS, parseCExpression, sizeOfType, type Expr } from '../server/src/analysis/folding';
import type { Problem } from '../server/src/analysis/types';

function fold(text: string, env = new MapEnv()): { value: number | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const { value } = foldCText(text, 0, env, problems);
  return { value, problems };
}

test('C integer arithmetic truncates toward zero; floats do not', () => {
  assert.equal(fold('7 / 2').value, 3);
  assert.equal(fold('-7 / 2').value, -3);
  assert.equal(fold('-7 % 2').value, -1);
  assert.equal(fold('7.0 / 2').value, 3.5);
  assert.equal(fold('7 / 2.f').value, 3.5);
  assert.equal(fold('1 + 2 * 3').value, 7);
  assert.equal(fold('(1 + 2) * 3').value, 9);
  assert.equal(fold('1 << 10 | 3').value, 1027);
  assert.equal(fold('0xff & ~0x0f ^ 1').value, 0xf1);
  assert.equal(fold('-(3 - 5)').value, 2);
  assert.equal(fold('!0 + !5').value, 1);
  assert.equal(fold('3 > 2 ? 10 : 20').value, 10);
  assert.equal(fold('1 == 2 || 4 >= 4').value, 1);
});

test('literals: hex, octal, binary, suffixes, digit separators, bool', () => {
  assert.equal(fold('0x10').value, 16);
  assert.equal(fold('010').value, 8);
  assert.equal(fold('0b101').value, 5);
  assert.equal(fold('16u + 2UL + 3ll').value, 21);
  assert.equal(fold("1'024").value, 1024);
  assert.equal(fold('1e3').value, 1000);
  assert.equal(fold('true + true').value, 2);
});

test('min/max, std::min, ceil-division idioms and helpers', () => {
  const env = new MapEnv().set('N', { kind: 'value', value: 1000 }).set('T', { kind: 'value', value: 64 });
  assert.equal(fold('(N + T - 1) / T', env).value, 16);
  assert.equal(fold('cdiv(N, T)', env).value, 16);
  assert.equal(fold('div_up(N, T)', env).value, 16);
  assert.equal(fold('cutlass::ceil_div(N, T)', env).value, 16);
  assert.equal(fold('ceil((float)N / T)', env).value, 16);
  assert.equal(fold('std::min(N, T)', env).value, 64);
  assert.equal(fold('std::max<int>(N, T)', env).value, 1000);
  assert.equal(fold('max(3, min(7, 5))').value, 5);
  assert.equal(fold('static_cast<int>(N / 3.0)', env).value, 333);
});

test('sizeof of the element types GEMMs use', () => {
  assert.equal(fold('sizeof(float)').value, 4);
  assert.equal(fold('sizeof(double)').value, 8);
  assert.equal(fold('sizeof(half) + sizeof(__half) + sizeof(__nv_bfloat16)').value, 6);
  assert.equal(fold('sizeof(int8_t) + sizeof(char)').value, 2);
  assert.equal(fold('sizeof(float4)').value, 16);
  assert.equal(fold('2 * 32 * 32 * sizeof(float)').value, 8192);
  assert.equal(sizeOfType('const float *'), 8);
  assert.equal(sizeOfType('MyStruct'), null);
});

test('sizeof of a name that Object.prototype carries is unknown, not a crash', () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.equal(sizeOfType(name), null);
    assert.equal(fold(`sizeof(${name}) * 2`).value, null);
    assert.equal(fold(`sizeof(${name}) << 1`).value, null);
  }
});

test('object-like and function-like macros, enum-like chains', () => {
  const env = new MapEnv()
    .set('TILE', { kind: 'macro', params: null, body: '(BASE * 2)', bodyOffset: 0 })
    .set('BASE', { kind: 'macro', params: null, body: '8', bodyOffset: 0 })
    .set('CEIL_DIV', { kind: 'macro', params: ['a', 'b'], body: '(((a) + (b) - 1) / (b))', bodyOffset: 0 })
    .set('MAX', { kind: 'macro', params: ['x', 'y'], body: '((x) > (y) ? (x) : (y))', bodyOffset: 0 });
  assert.equal(fold('TILE * TILE', env).value, 256);
  assert.equal(fold('CEIL_DIV(1000, TILE)', env).value, 63);
  assert.equal(fold('MAX(TILE, 3)', env).value, 16);
  assert.equal(fold('UNKNOWN + 1', env).value, null);
});

test('2^70 literal, overflowing products and huge shifts fold to null with a problem', () => {
  const literal = fold('1180591620717411303424');
  assert.equal(literal.value, null);
  assert.match(literal.problems[0]!.message, /too large/);
  const product = fold('4503599627370496 * 4');
  assert.equal(product.value, null);
  assert.match(product.problems[0]!.message, /overflow/);
  const shift = fold('1 << 70');
  assert.equal(shift.value, null);
  assert.match(shift.problems[0]!.message, /shift/);
  // Just below the limit still folds exactly.
  assert.equal(fold('4503599627370495 * 2 + 1').value, 2 ** 53 - 1);
});

test('division and modulo by zero fold to null with a problem at the operation', () => {
  const division = fold('16 / (4 - 4)');
  assert.equal(division.value, null);
  assert.equal(division.problems.length, 1);
  assert.match(division.problems[0]!.message, /division by zero/);
  assert.deepEqual(division.problems[0]!.range, { start: 0, end: 12 });
  assert.equal(fold('5 % 0').value, null);
  assert.equal(fold('cdiv(5, 0)').value, null);
});

test('recursive and mutually recursive macros are detected, not expanded forever', () => {
  const env = new MapEnv()
    .set('A', { kind: 'macro', params: null, body: 'A + 1', bodyOffset: 100 })
    .set('P', { kind: 'macro', params: null, body: 'Q', bodyOffset: 200 })
    .set('Q', { kind: 'macro', params: null, body: 'P * 2', bodyOffset: 300 })
    .set('F', { kind: 'macro', params: ['x'], body: 'F(x) + 1', bodyOffset: 400 });
  const a = fold('A', env);
  assert.equal(a.value, null);
  assert.ok(a.problems.some((p) => /recursive definition of A/.test(p.message) && p.range.start === 100));
  const p = fold('P', env);
  assert.equal(p.value, null);
  assert.ok(p.problems.some((problem) => /recursive/.test(problem.message)));
  assert.equal(fold('F(3)', env).value, null);
});

test('8,000 nested parentheses neither overflow the stack nor fold', () => {
  const deep = '('.repeat(8_000) + '1' + ')'.repeat(8_000);
  assert.ok(deep.length <= MAX_EXPRESSION_CHARS, 'within the length cap, so the depth guard is what stops it');
  const problems: Problem[] = [];
  const expr = parseCExpression(deep, 0);
  const result = foldExpr(expr, new MapEnv(), problems);
  assert.equal(result.value, null);
  assert.ok(problems.some((p) => /nested too deeply/.test(p.message)));
  // Moderate nesting (below the cap) folds normally.
  assert.equal(fold('('.repeat(150) + '2 * 21' + ')'.repeat(150)).value, 42);
  // A long flat chain (not nested) is fine too.
  assert.equal(fold(Array.from({ length: 4000 }, () => '1').join(' + ')).value, 4000);
});

test('an expression longer than MAX_EXPRESSION_CHARS is unknown, unread, with its length as the reason', () => {
  // A pasted 1 MB `a+a+...` line that tree-sitter makes a `dim3` initialiser: tokenizing it held the analysis thread ~1 s.
  const junk = `  ${'a+'.repeat(500_000)}a `;
  const expr = parseCExpression(junk, 100);
  assert.equal(expr.kind, 'unknown');
  assert.match((expr.kind === 'unknown' && expr.reason) || '', /too long to fold \(1000004 characters\)/);
  assert.deepEqual(expr.range, { start: 102, end: 102 + 1_000_001 });
  // Just under the cap it is still read and folded.
  const terms = Math.floor((MAX_EXPRESSION_CHARS + 3) / 4);
  const chain = Array.from({ length: terms }, () => '1').join(' + ');
  assert.ok(chain.length <= MAX_EXPRESSION_CHARS);
  assert.equal(fold(chain).value, terms);
  const problems: Problem[] = [];
  assert.equal(foldCText(`${chain} + 1`, 0, new MapEnv(), problems).value, null, 'one term more is over the cap');
  assert.deepEqual(
    problems.map((p) => p.message),
    [`expression too long to fold (${chain.length + 4} characters)`],
  );
});

test('Python floor division and power on hand-built trees (for the Triton analysis)', () => {
  const range = { start: 0, end: 0 };
  const num = (value: number): Expr => ({ kind: 'number', value, isFloat: false, range });
  assert.equal(foldExpr({ kind: 'binary', op: '//', left: num(-7), right: num(2), range }).value, -4);
  assert.equal(foldExpr({ kind: 'binary', op: '//', left: num(7), right: num(2), range }).value, 3);
  assert.equal(foldExpr({ kind: 'binary', op: '**', left: num(2), right: num(10), range }).value, 1024);
  assert.equal(foldExpr({ kind: 'call', callee: 'triton.cdiv', args: [num(1000), num(128)], range }).value, 8);
});

test('names used while folding are reported, and trailing junk is not folded', () => {
  const env = new MapEnv().set('BM', { kind: 'value', value: 128 }).set('BK', { kind: 'value', value: 8 });
  assert.deepEqual(foldCText('BM * BK', 0, env).namesUsed, ['BM', 'BK']);
  assert.equal(fold('16; int x').value, null);
  assert.equal(fold('').value, null);
  assert.equal(fold('"string"').value, null);
});

test("C++'s alternative tokens fold as the operators they spell", () => {
  const env = new MapEnv();
  env.set('M', { kind: 'expr', expr: { kind: 'number', value: 4096, isFloat: false, range: { start: 0, end: 0 } } });
  env.set('N', { kind: 'expr', expr: { kind: 'number', value: 64, isFloat: false, range: { start: 0, end: 0 } } });
  assert.equal(foldCText('M >= 128 and N >= 128', 0, env).value, 0);
  assert.equal(foldCText('M >= 128 or N >= 128', 0, env).value, 1);
  assert.equal(foldCText('not (N >= 128)', 0, env).value, 1);
  assert.equal(foldCText('M not_eq N', 0, env).value, 1);
  assert.equal(foldCText('(M bitand 4095) == 0', 0, env).value, 1);
});
