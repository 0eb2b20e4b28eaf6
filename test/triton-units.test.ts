// A Python file parsed unit by unit (server/src/analysis/triton/units.ts, tree.ts): the assembled module is
// the whole-file tree-sitter tree node for node on every Python file of the repository and on tricky
// layouts; a syntax error stays inside its unit; an edit re-parses only the unit it lands in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'web-tree-sitter';
import { loadGrammars } from '../server/src/platform/grammars';
import { SourceDocument } from '../server/src/analysis/document';
import { analyzeSource } from '../server/src/analysis/index';
import { OVER_BUDGET } from '../server/src/analysis/document';
import { copyTree, type SyntaxNode } from '../server/src/analysis/triton/tree';
import { UnitTrees, unitStarts } from '../server/src/analysis/triton/units';
import { generateTritonBenchFile } from '../bench/lsp-workload-triton';

const ROOT = join(__dirname, '..');

function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...pythonFiles(path));
    else if (name.endsWith('.py')) out.push(path);
  }
  return out;
}

/** The first difference between two trees (type, range, flags, field of each child), or null. */
function difference(a: SyntaxNode, b: SyntaxNode, fieldsOf: (node: SyntaxNode, i: number) => string | null): string | null {
  const describe = (n: SyntaxNode) => `${n.type}@${n.startIndex}-${n.endIndex} named=${n.isNamed} missing=${n.isMissing} error=${n.hasError}`;
  if (describe(a) !== describe(b)) return `${describe(a)} vs ${describe(b)}`;
  if (a.children.length !== b.children.length) return `${describe(a)}: ${a.children.length} vs ${b.children.length} children`;
  for (let i = 0; i < a.children.length; i++) {
    const field = (a as { fields?: Array<string | null> | null }).fields?.[i];
    if ((field ?? null) !== fieldsOf(b, i)) return `${describe(a)}: child ${i} field ${field} vs ${fieldsOf(b, i)}`;
    const inner = difference(a.children[i]!, b.children[i]!, fieldsOf);
    if (inner) return inner;
  }
  return null;
}

const wasmField = (node: SyntaxNode, i: number) => (node as unknown as { fieldNameForChild(i: number): string | null }).fieldNameForChild(i) ?? null;

async function pythonParser(): Promise<Parser> {
  const { python } = await loadGrammars();
  const parser = new Parser();
  parser.setLanguage(python);
  return parser;
}

/** Unit-assembled module vs the whole-file parse of `text`. */
function compare(parser: Parser, text: string): string | null {
  const whole = parser.parse(text)!;
  try {
    const units = new UnitTrees().update(text, (unit) => parser.parse(unit))!;
    return difference(units, whole.rootNode, wasmField);
  } finally {
    whole.delete();
  }
}

/** A class long enough to be parsed method by method (class-units.ts), with what its body may hold. */
function bigClass(decorated: boolean): string {
  let text = `import torch\n\n\n${decorated ? '@dataclass\n' : ''}class Model(torch.nn.Module):\n    # a comment before the first statement\n    """Docstring."""\n\n`;
  for (let i = 0; i < 40; i++) {
    text += `    @staticmethod\n    def layer_${i}(x, w):\n        y = torch.matmul(x, w)\n        if y.sum() > ${i}:\n            return y\n        else:\n            return x @ w\n\n`;
    if (i % 7 === 3) text += `##    def disabled_${i}(self):\n##        pass\n\n`;
    if (i === 20) text += `    class Inner:\n        value = (1,\n2)\n\n`;
  }
  return `${text}    # trailing comment in the class\n# a comment after it\n\nx = Model()\n`;
}

/** A function long enough to be parsed statement by statement, with what a function body may hold. */
function bigFunction(asynchronous: boolean): string {
  let text = `import torch\n\n\n@torch.no_grad()\n${asynchronous ? 'async ' : ''}def run(a, b, *, steps: int = 3) -> None:\n    # before the first statement\n    """Docstring."""\n    total = 0\n`;
  for (let i = 0; i < 60; i++) {
    text += `    if steps > ${i}:\n        total += torch.matmul(a, b).sum()\n    elif steps < 0:\n        return None\n    else:\n        pass\n`;
    if (i % 9 === 4)
      text += `# a column-0 comment inside the body\n    try:\n        x = (1,\n2)\n    except ValueError:\n        raise\n    finally:\n        nonlocal_value = ${asynchronous ? 'await b' : 'yield a'}\n`;
    if (i === 30) text += `    @staticmethod\n    def inner(x):\n        return x\n\n`;
  }
  return `${text}    return total\n\n\nrun(1, 2)\n`;
}

const TRICKY: Record<string, string> = {
  'a long function': bigFunction(false),
  'a long async function': bigFunction(true),
  'a long class': bigClass(false),
  'a long decorated class': bigClass(true),
  decorators: '@triton.autotune(configs=[],\n  key=[])\n@triton.jit\ndef k(x):\n    pass\n',
  'else at column 0': 'if A:\n    x = 1\n# between\nelif B:\n    x = 2\nelse:\n    x = 3\ntry:\n    y = 1\nexcept E:\n    pass\nfinally:\n    pass\n',
  'brackets over lines': 'configs = [\ntriton.Config({}),\n]\nx = (1 +\n2)\n',
  'strings with column-0 lines': 'doc = """\ndef not_code():\n"""\ns = \'a\\\'b\' ; t = "it\'s"\nu = r"\\\\"\nv = f"{x}"\n',
  'backslash continuation': 'x = 1 + \\\n2\ny = 3\n',
  'comments and blank lines': '\n\n# header\n\n\nimport triton\n    # indented comment\n\n# above\ndef f():\n    return 1\n    # trailing\n\n\n',
  crlf: 'import triton\r\n\r\n@triton.jit\r\ndef k(x):\r\n    pass\r\n',
  'classes and nested defs': 'class A:\n    def f(self):\n        def g():\n            pass\n\n    x = 1\nasync def h():\n    await z\n',
};

test('the unit-assembled module is the whole-file tree node for node: every Python file of the repository, the LSP bench file, tricky layouts', async () => {
  const parser = await pythonParser();
  const files = pythonFiles(ROOT);
  assert.ok(files.length >= 30, `Python files found (${files.length})`);
  const texts: Array<[string, string]> = [...files.map((f): [string, string] => [f, readFileSync(f, 'utf8')]), ['bench', generateTritonBenchFile().text]];
  for (const [name, text] of Object.entries(TRICKY)) texts.push([name, text]);
  for (const [name, text] of texts) assert.equal(compare(parser, text), null, name);
});

test('the copy of a tree-sitter tree has its nodes, ranges, fields and error flags, broken code included', async () => {
  const parser = await pythonParser();
  for (const text of ['def f(:\n    x = [1, 2\n', 'x = 1\n  y = 2\n', 'print("unclosed\n', readFileSync(join(ROOT, 'examples', 'triton_matmul.py'), 'utf8')]) {
    const tree = parser.parse(text)!;
    assert.equal(difference(copyTree(tree, { text, base: 0, generation: 0 })!, tree.rootNode, wasmField), null, text.slice(0, 20));
    tree.delete();
  }
});

test('a pasted 1 MB junk line is too complex while typing: its unit is not copied (a million nodes), and removing it analyses again', async () => {
  const grammars = await loadGrammars();
  const bench = generateTritonBenchFile(600, 3).text;
  const junk = `x = ${'a+'.repeat(500_000)}1\n`;
  const document = new SourceDocument(grammars, 'triton', bench);
  const kernels = document.analyze().kernels.length;
  for (let i = 0; i < 2; i++) {
    document.applyEdit({ start: bench.length, end: bench.length + (i === 0 ? 0 : junk.length), newText: junk });
    assert.ok(
      document.analyze().problems.some((p) => p.message === OVER_BUDGET),
      `try ${i}`,
    );
  }
  const parse = new Parser();
  parse.setLanguage(grammars.python);
  const tree = parse.parse(junk)!;
  assert.equal(copyTree(tree, { text: junk, base: 0, generation: 0 }), null, 'more than MAX_COPIED_NODES');
  tree.delete();
  document.applyEdit({ start: bench.length, end: bench.length + junk.length, newText: '' });
  assert.equal(document.analyze().kernels.length, kernels);
  document.dispose();
});

test('unit starts: decorated definitions, else/except, brackets, strings and continuations do not split a statement', () => {
  const starts = (text: string) => unitStarts(text).map((offset) => text.slice(offset, offset + 6));
  assert.deepEqual(starts(TRICKY.decorators!), ['@trito']);
  assert.deepEqual(starts(TRICKY['else at column 0']!), ['if A:\n', 'try:\n ']);
  assert.deepEqual(starts(TRICKY['brackets over lines']!), ['config', 'x = (1']);
  assert.deepEqual(starts(TRICKY['strings with column-0 lines']!), ['doc = ', "s = 'a", 'u = r"', 'v = f"']);
  assert.deepEqual(starts(TRICKY['backslash continuation']!), ['x = 1 ', 'y = 3\n']);
  // An unclosed bracket ends at the next definition at column 0 (broken code while typing).
  assert.deepEqual(starts('x = foo(\ndef f():\n    pass\n'), ['x = fo', 'def f(']);
});

test('a syntax error stays in its unit: an unclosed call in one kernel of the bench file loses no kernel or launch', async () => {
  const grammars = await loadGrammars();
  const bench = generateTritonBenchFile();
  const valid = analyzeSource(grammars, 'triton', bench.text);
  const at = bench.text.indexOf('    pid = tl.program_id') + 4;
  const broken = analyzeSource(grammars, 'triton', `${bench.text.slice(0, at)}foo(${bench.text.slice(at)}`);
  const syntax = broken.problems.filter((p) => /syntax error/.test(p.message));
  assert.ok(syntax.length > 0);
  // The error is reported inside the kernel it is in, and no other kernel or launch is lost.
  const kernel = valid.kernels.find((k) => k.range.start <= at && at < k.range.end)!;
  const unitEnd = bench.text.indexOf('\n@triton.jit', at);
  for (const problem of syntax) assert.ok(problem.range.start >= kernel.range.start && problem.range.end <= unitEnd + 4, JSON.stringify(problem));
  assert.deepEqual(
    broken.kernels.map((k) => k.name),
    valid.kernels.map((k) => k.name),
  );
  assert.deepEqual(
    broken.launches.map((l) => l.kernel),
    valid.launches.map((l) => l.kernel),
  );
});

test('an edit re-parses only its unit: the other units keep their node objects, moved to their new offsets', async () => {
  const parser = await pythonParser();
  const text = generateTritonBenchFile(600, 3).text;
  const units = new UnitTrees();
  let parsed = 0;
  const parse = (unit: string) => {
    parsed++;
    return parser.parse(unit);
  };
  const before = units.update(text, parse)!;
  const count = parsed;
  assert.equal(count, unitStarts(text).length);
  const at = text.indexOf('c = (acc * 2.0)');
  const edited = `${text.slice(0, at)}# typed\n    ${text.slice(at)}`;
  parsed = 0;
  const after = units.update(edited, parse)!;
  assert.equal(parsed, 1, 'one unit parsed');
  const first = before.namedChildren[0]!;
  const last = before.namedChildren[before.namedChildren.length - 1]!;
  assert.equal(after.namedChildren[0], first, 'a unit before the edit keeps its nodes');
  assert.equal(after.namedChildren[after.namedChildren.length - 1], last, 'a unit after the edit keeps its nodes');
  assert.equal(last.text, edited.slice(last.startIndex, last.endIndex), 'and reads its text at its new offset');
  assert.equal(compare(parser, edited), null);
});

test('an edit in one method of a long class re-parses that method and the class line: the other methods keep their nodes', async () => {
  const parser = await pythonParser();
  const text = bigClass(false);
  const units = new UnitTrees();
  let parsed: string[] = [];
  const parse = (unit: string) => {
    parsed.push(unit);
    return parser.parse(unit);
  };
  const before = units.update(text, parse)!;
  const block = (root: SyntaxNode) => root.namedChildren.find((n) => n?.type === 'class_definition')!.childForFieldName('body')!;
  const methodsBefore = block(before).namedChildren;
  const at = text.indexOf('return y', text.indexOf('def layer_30'));
  const edited = `${text.slice(0, at)}y = y + 1\n            ${text.slice(at)}`;
  parsed = [];
  const after = units.update(edited, parse)!;
  assert.equal(parsed.length, 2, 'the class line and one method');
  assert.ok(parsed.some((unit) => unit.includes('def layer_30')));
  const methodsAfter = block(after).namedChildren;
  assert.equal(methodsAfter.length, methodsBefore.length);
  const edited30 = methodsBefore.findIndex((n) => n?.text.includes('def layer_30'));
  methodsBefore.forEach((node, i) => (i === edited30 ? assert.notEqual(methodsAfter[i], node) : assert.equal(methodsAfter[i], node)));
  assert.equal(compare(parser, edited), null);
  // Breaking a method keeps the error in it: the class still holds every method, and typing there parses that method.
  const broken = `${text.slice(0, at)}foo(${text.slice(at)}`;
  assert.equal(block(units.update(broken, parse)!).namedChildren.filter((n) => n?.type === 'decorated_definition').length, 40);
  parsed = [];
  units.update(`${broken.slice(0, at + 4)}x${broken.slice(at + 4)}`, parse);
  assert.deepEqual(
    parsed.map((unit) => unit.length < 400),
    [true, true],
    'the class line and the broken method, not the methods after it',
  );
});

test('random edits of a long class: every text assembles, and a valid one is the whole-file tree', async () => {
  const parser = await pythonParser();
  let seed = 20261208;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pieces = ['(', ')', '[', '"', "'''", '\\\n', '\n', '    ', '\n    def g(self):\n        pass\n', '@staticmethod\n', 'else:\n', '#', 'x', '\t'];
  const units = new UnitTrees();
  const original = bigClass(true);
  let text = original;
  let valid = 0;
  for (let k = 0; k < 150; k++) {
    // Two edits in a row, from the class as written: most texts are broken, some valid.
    if (k % 2 === 0) text = original;
    const at = Math.floor(random() * (text.length + 1));
    const end = Math.min(text.length, at + (random() < 0.3 ? Math.floor(random() * 30) : 0));
    text = text.slice(0, at) + pieces[Math.floor(random() * pieces.length)]! + text.slice(end);
    const root = units.update(text, (unit) => parser.parse(unit));
    assert.ok(root, `edit ${k}`);
    const whole = parser.parse(text)!;
    if (!whole.rootNode.hasError) {
      valid++;
      assert.equal(difference(root, whole.rootNode, wasmField), null, `edit ${k}`);
    }
    whole.delete();
  }
  assert.ok(valid > 5, `valid texts compared (${valid})`);
});

test('an edit in a long function re-parses one of its statements and its header line', async () => {
  const parser = await pythonParser();
  const text = bigFunction(false);
  const units = new UnitTrees();
  let parsed: string[] = [];
  const parse = (unit: string) => {
    parsed.push(unit);
    return parser.parse(unit);
  };
  units.update(text, parse);
  const at = text.indexOf('steps > 40:') + 'steps > 4'.length;
  const edited = `${text.slice(0, at)}1${text.slice(at)}`;
  parsed = [];
  units.update(edited, parse);
  assert.equal(parsed.length, 2, 'the header line and one statement');
  assert.ok(parsed.some((unit) => unit.startsWith('def _():') && unit.includes('steps > 410:')));
  assert.equal(compare(parser, edited), null);
});

test('a document read as units analyses like a cold one after edits that break and mend it', async () => {
  const grammars = await loadGrammars();
  const text = readFileSync(join(ROOT, 'examples', 'triton_matmul.py'), 'utf8');
  const document = new SourceDocument(grammars, 'triton', text);
  const at = text.indexOf('@triton.jit');
  let current = text;
  for (const insert of ['def broken(:\n', 'x = (\n', '"""\n']) {
    document.applyEdit({ start: at, end: at, newText: insert });
    current = current.slice(0, at) + insert + current.slice(at);
    assert.deepEqual(document.analyze(), analyzeSource(grammars, 'triton', current), JSON.stringify(insert));
  }
  document.applyEdit({ start: at, end: at + current.length - text.length, newText: '' });
  assert.deepEqual(document.analyze(), analyzeSource(grammars, 'triton', text));
  document.dispose();
});
