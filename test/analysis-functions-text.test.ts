// The text readers for host functions (cuda/functions-text.ts) must agree with the tree wherever
// they answer: a header read from text has the tree's name, parameter list and body, and a call
// site classified from text is a call exactly when the tree has a call_expression of that name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'web-tree-sitter';
import { Parser } from 'web-tree-sitter';
import { loadGrammars } from '../server/src/platform/grammars';
import { prepareCudaText } from '../server/src/analysis/cuda/prepare';
import { classifyCallSite, readFunctionHeader } from '../server/src/analysis/cuda/functions-text';

async function parse(text: string): Promise<Node> {
  const grammars = await loadGrammars();
  const parser = new Parser();
  parser.setLanguage(grammars.cpp);
  const tree = parser.parse(prepareCudaText(text).parseText)!;
  parser.delete();
  assert.equal(tree.rootNode.hasError, false, 'the sample parses cleanly');
  return tree.rootNode;
}

const HEADERS = `
static void launch(const float *A, int M, cudaStream_t s) { run(A); }
void
two_lines(int n,
          int k) { }
std::vector<int> templated(int n) { return {}; }
float *pointer_return(int n) { return nullptr; }
int &reference_return(int n) { static int x; return x; }
void Launcher::qualified(int n) { }
void with_default(int n = 4) { }
void commented(int n /* rows */) { }
[[nodiscard]] int attributed(int n) { return n; }
int trailing(int n) noexcept { return n; }
__host__ void host_only(int n) { }
void no_params() { }
`;

test('function headers read from text match the tree, or are left to it', async () => {
  const root = await parse(HEADERS);
  const read: string[] = [];
  const left: string[] = [];
  for (const fn of root.descendantsOfType('function_definition')) {
    if (!fn) continue;
    const header = readFunctionHeader(HEADERS, fn.startIndex, fn.endIndex);
    const declarator = fn.childForFieldName('declarator')!;
    const treeName = declarator.childForFieldName('declarator')?.text ?? declarator.text;
    if (!header) {
      left.push(treeName);
      continue;
    }
    read.push(header.name);
    assert.equal(declarator.type, 'function_declarator', `${header.name}: only plain function declarators are read from text`);
    assert.equal(header.name, treeName);
    const params = declarator.childForFieldName('parameters')!;
    assert.deepEqual([header.paramsStart, header.paramsEnd], [params.startIndex, params.endIndex], header.name);
    const body = fn.childForFieldName('body')!;
    assert.deepEqual([header.bodyStart, fn.endIndex], [body.startIndex, body.endIndex], header.name);
  }
  assert.deepEqual(read, ['launch', 'two_lines', 'templated', 'host_only', 'no_params']);
  assert.deepEqual(left.map((name) => /\w+(?=\()|\w+$/.exec(name)?.[0]), ['pointer_return', 'reference_return', 'qualified', 'with_default', 'commented', 'attributed', 'trailing']);
});

const CALLS = `
void run(int a, int b) { }
void user(int x, int y) {
    run(x, y);
    int r = (run(1, 2), 3);
    if (x) run(x, 2); else run(2, y);
    obj.run(1, 2);
    ptr->run(1, 2);
    ns::run(1, 2);
    other(run(1, 2), 3);
    run(x);
    Launcher run(x, y);
    x = x * run(1, 2);
}
`;

test('call sites classified from text match the tree, or are left to it', async () => {
  const root = await parse(CALLS);
  const kinds: string[] = [];
  const body = CALLS.indexOf('void user');
  for (let at = CALLS.indexOf('run', body); at >= 0; at = CALLS.indexOf('run', at + 1)) {
    const site = classifyCallSite(CALLS, at, 'run');
    kinds.push(site.kind);
    if (site.kind === 'unsure') continue;
    let node: Node | null = root.descendantForIndex(at, at + 1);
    for (let step = 0; node && node.type !== 'call_expression' && step < 3; step++) node = node.parent;
    const treeCall = node?.type === 'call_expression' && node.childForFieldName('function')?.text === 'run';
    assert.equal(site.kind === 'call', treeCall, `site at ${at}: ${CALLS.slice(at - 10, at + 12)}`);
    if (site.kind === 'call') {
      const args = node!.childForFieldName('arguments')!;
      assert.deepEqual([site.argsStart, site.argsEnd], [args.startIndex, args.endIndex]);
    }
  }
  assert.deepEqual(kinds, ['call', 'call', 'unsure', 'call', 'not-call', 'not-call', 'not-call', 'call', 'unsure', 'unsure', 'unsure']);
});
