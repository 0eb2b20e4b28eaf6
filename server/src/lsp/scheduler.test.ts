// The Inbox counts changes read but not applied; the debounce grows with the cost of the last analysis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnosticsDelayMs, DIAGNOSTICS_DEBOUNCE_MS, IdleCollector, Inbox, NO_WAIT_INSERTED_CHARS, REQUEST_WAIT_MS, requestWaitMs } from './scheduler';

const change = (uri: unknown, version: unknown) => ({
  jsonrpc: '2.0',
  method: 'textDocument/didChange',
  params: { textDocument: { uri, version }, contentChanges: [] },
});

test('a document has a pending change from when a change is read until every change read is applied', () => {
  const inbox = new Inbox();
  assert.equal(inbox.hasPendingChange('a'), false);
  inbox.observe(change('a', 2));
  inbox.observe(change('a', 3));
  inbox.observe(change('b', 9));
  assert.equal(inbox.hasPendingChange('a'), true);
  inbox.applied('a');
  assert.equal(inbox.hasPendingChange('a'), true, 'one of two applied');
  inbox.applied('a');
  assert.equal(inbox.hasPendingChange('a'), false);
  assert.equal(inbox.hasPendingChange('b'), true);
  // Applying more than was read (another transport, a duplicate) never goes negative.
  inbox.applied('a');
  inbox.observe(change('a', 4));
  assert.equal(inbox.hasPendingChange('a'), true);
});

test('requests, other notifications and malformed changes are not counted', () => {
  const inbox = new Inbox();
  inbox.observe({ jsonrpc: '2.0', id: 1, method: 'textDocument/hover', params: { textDocument: { uri: 'a' } } } as never);
  inbox.observe({ jsonrpc: '2.0', method: 'textDocument/didSave', params: { textDocument: { uri: 'a' } } } as never);
  inbox.observe(change(42, 1));
  inbox.observe({ jsonrpc: '2.0', method: 'textDocument/didChange' } as never);
  assert.equal(inbox.hasPendingChange('a'), false);
  assert.equal(inbox.hasPendingChange('42'), false);
});

test('the diagnostics delay is the debounce, twice the last analysis when slower, at most 2 s', () => {
  assert.equal(diagnosticsDelayMs(0), DIAGNOSTICS_DEBOUNCE_MS);
  assert.equal(diagnosticsDelayMs(400), 800);
  assert.equal(diagnosticsDelayMs(60_000), 2000);
});

test('the idle collection runs once after the last message, never while messages keep coming', async () => {
  let runs = 0;
  const idle = new IdleCollector(() => runs++, 40);
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  // Hold the event loop open: the collector's timer is unref'd.
  const keep = setInterval(() => {}, 10);
  try {
    for (let i = 0; i < 6; i++) {
      idle.activity();
      await wait(15);
    }
    assert.equal(runs, 0, 'messages every 15 ms postpone it');
    await wait(120);
    assert.equal(runs, 1, 'one collection after 40 ms of quiet');
    await wait(80);
    assert.equal(runs, 1, 'and not again without new messages');
    idle.activity();
    idle.dispose();
    await wait(80);
    assert.equal(runs, 1, 'dispose cancels a pending one');
  } finally {
    clearInterval(keep);
  }
});

test('a request waits REQUEST_WAIT_MS for the analysis, and not at all after a paste larger than NO_WAIT_INSERTED_CHARS', () => {
  assert.equal(requestWaitMs(0), REQUEST_WAIT_MS);
  assert.equal(requestWaitMs(1), REQUEST_WAIT_MS);
  assert.equal(requestWaitMs(NO_WAIT_INSERTED_CHARS), REQUEST_WAIT_MS);
  assert.equal(requestWaitMs(NO_WAIT_INSERTED_CHARS + 1), 0);
  assert.equal(requestWaitMs(1_000_001), 0);
});
