// toCodeAction with edits in included headers: each edit goes to its document, a closed header's edit
// names no version, and an action with an edit that has nowhere to go is dropped rather than misapplied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentEdit } from 'vscode-languageserver/node';
import { toCodeAction } from './conversions';

const file = TextDocument.create('file:///w/main.cu', 'cuda-cpp', 7, '#include "t.cuh"\nint x = 8;\n');
const header = TextDocument.create('file:///w/t.cuh', 'cuda-cpp', 0, '#pragma once\n#define TILE 32\n');
const action = {
  title: 'Use TILE = 16 in t.cuh, X = 4',
  kind: 'refactor.rewrite' as const,
  edits: [
    { range: { start: 25, end: 26 }, newText: '4' },
    { range: { start: 26, end: 28 }, newText: '16', header: 't.cuh' },
  ],
};

test('edits of the file and of a closed header go to their own documents, the header unversioned', () => {
  const converted = toCodeAction(file, action, [], true, (name) => (name === 't.cuh' ? { document: header, version: null } : null));
  const changes = converted?.edit?.documentChanges as TextDocumentEdit[];
  assert.deepEqual(
    changes.map((c) => [c.textDocument.uri, c.textDocument.version, c.edits.map((e) => [e.range.start.line, e.range.start.character, e.newText])]),
    [
      ['file:///w/main.cu', 7, [[1, 8, '4']]],
      ['file:///w/t.cuh', null, [[1, 13, '16']]],
    ],
  );
  const unversioned = toCodeAction(file, action, [], false, () => ({ document: header, version: null }));
  assert.deepEqual(Object.keys(unversioned?.edit?.changes ?? {}), ['file:///w/main.cu', 'file:///w/t.cuh']);
});

test('an action whose header edit has no target (the header changed since the analysis) is dropped', () => {
  assert.equal(
    toCodeAction(file, action, [], true, () => null),
    null,
  );
});
