// Number formatting of predictions (fast path against toPrecision over random values) and the appended
// CSV cells for predicted and refused rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatValue, predictionCsvCells, roundValue } from './prediction';

test('formatValue: 6 significant digits, no exponent noise, empty for NaN and infinities', () => {
  assert.equal(formatValue(68.719476736), '68.7195');
  assert.equal(formatValue(0.000123456789), '0.000123457');
  assert.equal(formatValue(24051.8168576), '24051.8');
  assert.equal(formatValue(123456789), '123457000');
  assert.equal(formatValue(700), '700');
  assert.equal(formatValue(-2.5), '-2.5');
  assert.equal(formatValue(0), '0');
  assert.equal(formatValue(1e-9), '1e-9');
  assert.equal(formatValue(9.9999996), '10');
  for (const v of [NaN, Infinity, -Infinity]) assert.equal(formatValue(v), '');
  let seed = 5;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < 200000; i++) {
    const x = Math.exp((random() - 0.5) * 60) * (random() < 0.1 ? -1 : 1);
    assert.equal(formatValue(x), String(Number(x.toPrecision(6))), String(x));
  }
  assert.equal(roundValue(NaN), null);
  assert.equal(roundValue(1 / 3), 0.333333);
});

test('predictionCsvCells: seven numbers, the error, analytic_ms, extrapolating; refused rows keep the column count', () => {
  const values = { runtimeMs: 1.5, runtimeLoMs: 1, runtimeHiMs: 2, powerW: 300, powerLoW: 250, powerHiW: 350, energyMj: 450, energyLoMj: 250, energyHiMj: 700 };
  assert.equal(predictionCsvCells(values, undefined), ',1.5,1,2,300,250,350,450,,,');
  assert.equal(predictionCsvCells({ ...values, analyticMs: 1.25, extrapolating: true }, undefined), ',1.5,1,2,300,250,350,450,,1.25,true');
  assert.equal(predictionCsvCells({ ...values, analyticMs: 1.25, extrapolating: false }, undefined), ',1.5,1,2,300,250,350,450,,1.25,false');
  assert.equal(predictionCsvCells(null, 'unknown GPU \'x\', try "y"'), ',,,,,,,,"unknown GPU \'x\', try ""y""",,');
  // No runtime: no extrapolating verdict, but the analytic time is still given when known.
  assert.equal(
    predictionCsvCells({ ...values, runtimeMs: NaN, error: 'no peak', analyticMs: 2, extrapolating: false }, undefined),
    ',,1,2,300,250,350,450,no peak,2,',
  );
});
