// The text readers (analysis/cuda/*-text.ts) must give the tree's answer whenever they answer. This
// runs them over every CUDA fixture and the bundled example (every file whose tree has no syntax
// errors) and compares each answer with the tree-sitter nodes: `for` loops, kernel and host function
// heads, launcher call sites and file-scope declarations. A reader may decline (null, 'unsure'); it may never disagree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, type Node } from 'web-tree-sitter';
import { loadGrammars } from '../server/src/platform/grammars';
import { prepareCudaText } from '../server/src/analysis/cuda/prepare';
import { readForLoopText } from '../server/src/analysis/cuda/loops-text';
import { readKernelHead } from '../server/src/analysis/cuda/kernel-text';
import { classifyCallSite, readFunctionHeader } from '../server/src/analysis/cuda/functions-text';
import { readDeclarationFromText } from '../server/src/analysis/cuda/host-locals-text';
import { fileScope, outlineTopLevel } from '../server/src/analysis/cuda/scopes';
import { MapEnv } from '../server/src/analysis/folding';

function sources(): Array<{ name: string; text: string }> {
  const dir = join(__dirname, 'fixtures', 'cuda');
  const files = readdirSync(dir).filter((name) => /\.cuh?$/.test(name)).sort().map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
  files.push({ name: 'examples/tiled_matmul.cu', text: readFileSync(join(__dirname, '..', 'examples', 'tiled_matmul.cu'), 'utf8') });
  return files;
}

const span = (node: Node | null) => (node ? [node.startIndex, node.endIndex] : null);

test('text readers agree with the tree on every fixture', async (t) => {
  const grammars = await loadGrammars();
  const parser = new Parser();
  parser.setLanguage(grammars.cpp);
  const answered = { loops: 0, kernelHeads: 0, functionHeaders: 0, callSites: 0, fileDeclarations: 0 };
  let cleanFiles = 0;
  for (const { name, text } of sources()) {
    const prepared = prepareCudaText(text);
    const tree = parser.parse(prepared.parseText)!;
    try {
      if (tree.rootNode.hasError) continue;
      cleanFiles++;
      const root = tree.rootNode;
      for (const at of prepared.forKeywords) {
        const loop = readForLoopText(prepared.parseText, prepared.regions, at, text.length);
        if (!loop) continue;
        answered.loops++;
        const node = root.descendantForIndex(at)?.parent ?? null;
        const where = `${name}: for at ${at}`;
        assert.equal(node?.type, 'for_statement', where);
        assert.deepEqual([loop.start, loop.end], span(node), where);
        assert.deepEqual(loop.condition && [loop.condition.start, loop.condition.end], span(node!.childForFieldName('condition')), where);
        assert.deepEqual(loop.update && [loop.update.start, loop.update.end], span(node!.childForFieldName('update')), where);
        assert.deepEqual([loop.body.start, loop.body.end], span(node!.childForFieldName('body')), where);
        assert.equal(loop.initializer?.start ?? null, node!.childForFieldName('initializer')?.startIndex ?? null, where);
      }
      for (const fn of root.descendantsOfType('function_definition')) {
        if (!fn) continue;
        const declarator = fn.childForFieldName('declarator');
        const where = `${name}: function at ${fn.startIndex}`;
        const head = readKernelHead(prepared.parseText, fn.startIndex, fn.endIndex);
        if (head) {
          answered.kernelHeads++;
          assert.equal(declarator?.type, 'function_declarator', where);
          assert.equal(head.name, declarator!.childForFieldName('declarator')!.text, where);
          assert.deepEqual([head.parameters.start, head.parameters.end], span(declarator!.childForFieldName('parameters')), where);
          assert.deepEqual([head.body.start, head.body.end], span(fn.childForFieldName('body')), where);
        }
        const header = readFunctionHeader(text, fn.startIndex, fn.endIndex);
        if (header) {
          answered.functionHeaders++;
          assert.equal(declarator?.type, 'function_declarator', where);
          assert.equal(header.name, declarator!.childForFieldName('declarator')!.text, where);
          assert.deepEqual([header.paramsStart, header.paramsEnd], span(declarator!.childForFieldName('parameters')), where);
          assert.deepEqual([header.bodyStart, fn.endIndex], span(fn.childForFieldName('body')), where);
        }
      }
      // scopes.ts classifies the call sites of functions defined in the file (never `if (`, `for (`, ...).
      const defined = new Set(root.descendantsOfType('function_declarator').map((d) => d?.childForFieldName('declarator')?.text));
      for (const [callee, sites] of prepared.callSites) {
        if (!defined.has(callee)) continue;
        for (const at of sites) {
          const site = classifyCallSite(text, at, callee);
          if (site.kind === 'unsure') continue;
          answered.callSites++;
          let node: Node | null = root.descendantForIndex(at, at + 1);
          for (let step = 0; node && node.type !== 'call_expression' && step < 3; step++) node = node.parent;
          const isCall = node?.type === 'call_expression' && node.childForFieldName('function')?.text === callee;
          const where = `${name}: ${callee}( at ${at}`;
          // Sites outside function bodies are never classified by scopes.ts; only calls must match there.
          if (site.kind === 'call' || isCall) assert.equal(site.kind === 'call', isCall, where);
          if (site.kind === 'call') assert.deepEqual([site.argsStart, site.argsEnd], span(node!.childForFieldName('arguments')), where);
        }
      }
      // File-scope declarations: the scope read from their text equals the scope read from the tree.
      const outline = outlineTopLevel(root);
      const ranges = outline.declarationRanges;
      for (let i = 0; i < ranges.length; i += 2) if (readDeclarationFromText(text, ranges[i]!, ranges[i + 1]!)) answered.fileDeclarations++;
      const env = new MapEnv();
      const fromText = fileScope(outline, text, env, null, true);
      const fromTree = fileScope(outline, text, env, null, false);
      assert.deepEqual([...fromText.env.bindings], [...fromTree.env.bindings], `${name}: file scope`);
      assert.deepEqual([...fromText.dim3], [...fromTree.dim3], `${name}: file-scope dim3`);
    } finally {
      tree.delete();
    }
  }
  parser.delete();
  // The comparison is only worth something if the readers answered often.
  assert.ok(cleanFiles >= 30, `clean fixtures: ${cleanFiles}`);
  const minimum: Record<string, number> = { loops: 20, kernelHeads: 20, functionHeaders: 20, callSites: 5, fileDeclarations: 3 };
  for (const [reader, count] of Object.entries(answered)) assert.ok(count >= minimum[reader]!, `${reader} answered ${count} times`);
  t.diagnostic(`answers compared with the tree: ${JSON.stringify(answered)} in ${cleanFiles} files`);
});
