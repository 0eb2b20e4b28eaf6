// Tests the TextMate injection grammars in syntaxes/ with the engine VS Code uses (vscode-textmate +
// vscode-oniguruma), injected into the real base grammars VS Code 1.100.3 ships (base-grammars/).
// The cases are data: each fixture line of carets names the scopes expected under it (`- scope`: absent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar } from 'vscode-textmate';

const syntaxes = join(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(syntaxes, '..', 'package.json'), 'utf8')) as {
  contributes: { grammars: Array<{ scopeName: string; path: string; injectTo: string[] }> };
};
const files: Record<string, string> = {
  'source.cuda-cpp': join(__dirname, 'base-grammars', 'cuda-cpp.tmLanguage.json'),
  'source.python': join(__dirname, 'base-grammars', 'MagicPython.tmLanguage.json'),
};
for (const grammar of manifest.contributes.grammars) files[grammar.scopeName] = join(syntaxes, '..', grammar.path);

async function registry(): Promise<Registry> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  return new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => (files[scopeName] ? parseRawGrammar(readFileSync(files[scopeName], 'utf8'), files[scopeName]) : null),
    // As VS Code does from the manifest's `injectTo`.
    getInjections: (scopeName) => manifest.contributes.grammars.filter((g) => g.injectTo.includes(scopeName)).map((g) => g.scopeName),
  });
}

interface Assertion {
  sourceLine: number;
  column: number;
  present: string[];
  absent: string[];
}

/** Caret lines: a comment marker, spaces, carets under the checked columns, then `scope ... - scope ...`. */
function assertionsOf(lines: string[], commentMarker: string): { sourceLines: number[]; assertions: Assertion[] } {
  const caretLine = new RegExp(`^\\s*${commentMarker.replace(/[/#]/g, '\\$&')}\\s*\\^`);
  const sourceLines: number[] = [];
  const assertions: Assertion[] = [];
  lines.forEach((line, index) => {
    if (!caretLine.test(line)) {
      sourceLines.push(index);
      return;
    }
    const start = line.indexOf('^');
    const end = line.lastIndexOf('^') + 1;
    const [present, absent = ''] = line.slice(end).split(' - ');
    for (let column = start; column < end; column++) {
      assertions.push({
        sourceLine: sourceLines.at(-1)!,
        column,
        present: present.trim().split(/\s+/).filter(Boolean),
        absent: absent.trim().split(/\s+/).filter(Boolean),
      });
    }
  });
  return { sourceLines, assertions };
}

function scopesByLine(grammar: IGrammar, lines: string[], sourceLines: number[]): Map<number, Array<{ start: number; end: number; scopes: string[] }>> {
  const result = new Map<number, Array<{ start: number; end: number; scopes: string[] }>>();
  let state = INITIAL;
  for (const index of sourceLines) {
    const tokenized = grammar.tokenizeLine(lines[index], state);
    result.set(
      index,
      tokenized.tokens.map((t) => ({ start: t.startIndex, end: t.endIndex, scopes: t.scopes })),
    );
    state = tokenized.ruleStack;
  }
  return result;
}

async function checkFixture(name: string, scopeName: string, commentMarker: string): Promise<void> {
  const lines = readFileSync(join(__dirname, name), 'utf8').split('\n');
  const grammar = await (await registry()).loadGrammar(scopeName);
  assert.ok(grammar, `grammar ${scopeName} loads`);
  const { sourceLines, assertions } = assertionsOf(lines, commentMarker);
  assert.ok(assertions.length > 10, 'the fixture has assertions');
  const tokens = scopesByLine(grammar, lines, sourceLines);
  const failures: string[] = [];
  for (const a of assertions) {
    const token = tokens.get(a.sourceLine)!.find((t) => t.start <= a.column && a.column < t.end);
    const scopes = token?.scopes ?? [];
    const missing = a.present.filter((s) => !scopes.includes(s));
    const unexpected = a.absent.filter((s) => scopes.includes(s));
    if (missing.length > 0 || unexpected.length > 0) {
      failures.push(
        `${name}:${a.sourceLine + 1}:${a.column + 1} "${lines[a.sourceLine].slice(a.column, a.column + 8)}…" has [${scopes.join(' ')}]; missing [${missing.join(' ')}] unexpected [${unexpected.join(' ')}]`,
      );
    }
  }
  assert.deepEqual(failures, []);
}

test('CUDA: launch configurations and // tilecast: annotations', () => checkFixture('launch-configurations.cu', 'source.cuda-cpp', '//'));
test('Python: # tilecast: annotations', () => checkFixture('annotations.py', 'source.python', '#'));

test('the manifest injects each grammar into the languages the fixtures cover', () => {
  const injectTo = Object.fromEntries(manifest.contributes.grammars.map((g) => [g.scopeName, g.injectTo]));
  assert.deepEqual(injectTo, { 'tilecast.cuda.injection': ['source.cuda-cpp', 'source.cpp'], 'tilecast.python.injection': ['source.python'] });
});
