// The host accepts only well-formed messages from the chart page (isWebviewMessage): a paint report names
// a chart kind and, if any, a numeric request id; 'showing' names a chart kind the panel knows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWebviewMessage } from '../webview/messages';

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
