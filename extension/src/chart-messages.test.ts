// The host accepts only well-formed messages from the chart page (isWebviewMessage): a paint report names
// a chart kind and, if any, a numeric request id; 'showing' names a chart kind the panel knows. A restored
// page draws only a saved state of the shape it writes (parsePageState).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWebviewMessage, parsePageState } from '../webview/messages';

test('paint reports and chart switches are accepted only with a known chart kind and a numeric request id', () => {
  assert.equal(isWebviewMessage({ type: 'rendered', kind: 'tileSweep', requestId: 3, sinceLoadMs: 120, renderMs: 9 }), true);
  assert.equal(isWebviewMessage({ type: 'rendered', kind: 'roofline', sinceLoadMs: 120, renderMs: 9 }), true, 'no request: a paint not asked for');
  assert.equal(isWebviewMessage({ type: 'rendered', kind: 'roofline', requestId: '3', sinceLoadMs: 120, renderMs: 9 }), false);
  assert.equal(isWebviewMessage({ type: 'rendered', kind: 'pie', requestId: 3, sinceLoadMs: 120, renderMs: 9 }), false);
  assert.equal(isWebviewMessage({ type: 'showing', kind: 'compare' }), true);
  assert.equal(isWebviewMessage({ type: 'showing', kind: 'toString' }), false, 'not an inherited property name');
  assert.equal(isWebviewMessage({ type: 'showing' }), false);
  assert.equal(isWebviewMessage({ type: 'unknown' }), false);
  assert.equal(isWebviewMessage(null), false);
});

test('a restored page takes a saved state only in the shape it writes, keeping the charts it can show', () => {
  const roofline = { type: 'roofline', data: { title: 'r' } };
  const compare = { type: 'compare', data: { title: 'c' } };
  assert.deepEqual(parsePageState({ version: 1, shown: 'compare', charts: [roofline, compare] }), {
    version: 1,
    shown: 'compare',
    charts: [roofline, compare],
  });
  assert.deepEqual(
    parsePageState({ version: 1, shown: 'roofline', charts: [roofline, { type: 'pie', data: {} }, { type: 'compare' }] })?.charts,
    [roofline],
    'unknown or empty entries dropped',
  );
  assert.equal(parsePageState({ version: 1, shown: 'tileSweep', charts: [roofline] }), null, 'the chart shown is not among them');
  assert.equal(parsePageState({ version: 2, shown: 'roofline', charts: [roofline] }), null, 'another version');
  assert.equal(parsePageState({ version: 1, shown: 'toString', charts: [roofline] }), null);
  assert.equal(parsePageState({ version: 1, shown: 'roofline', charts: 'x' }), null);
  assert.equal(parsePageState(undefined), null, 'a new panel has no state');
  assert.equal(parsePageState('{"version":1}'), null);
});
