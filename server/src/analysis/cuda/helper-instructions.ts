// Instruction uses a kernel reaches through its tensor-core helpers (tensor-helpers.ts): a `__device__`
// function it calls, up to two calls deep, read from its tree as the kernel's own body is
// (instructions.ts), and a `#define` it uses, read from the macro's text. Each use is placed on the
// kernel's first call of the helper (the diagnostic belongs to the kernel, whose launch needs the
// instruction) and names the helper: `mma_bf16: mma.sync.aligned.m16n8k16…`. The kernel's own use of a
// rule wins, unless a helper's needs a higher compute capability. Pure.
import type { Node } from 'web-tree-sitter';
import type { InstructionUse } from '../types';
import { instructionUses, macroInstructionUses } from './instructions';
import { kernelHelpers, type TensorHelpers } from './tensor-helpers';

/** The kernel's uses (`own`, from its body) with those of the helpers it calls; one per rule, in text order. */
export function withHelperInstructions(
  own: InstructionUse[],
  helpers: TensorHelpers | undefined,
  kernel: { definitionStart: number; definitionEnd: number },
): InstructionUse[] {
  const reached = kernelHelpers(helpers, kernel);
  if (!helpers || reached.names.length === 0) return own;
  const byRule = new Map<string, InstructionUse>();
  for (const use of own) byRule.set(use.rule, use);
  reached.names.forEach((name, i) => {
    const at = reached.firstCalls[i]!;
    const range = { start: at, end: at + name.length };
    for (const use of helperUses(helpers, name, kernel)) {
      const known = byRule.get(use.rule);
      if (known && known.minComputeCapability >= use.minComputeCapability) continue;
      byRule.set(use.rule, { ...use, what: `${name}: ${use.what}`, range });
    }
  });
  return [...byRule.values()].sort((a, b) => a.range.start - b.range.start);
}

/** The uses of the helpers named `name`: the functions' trees (memoised per analysis) and the macros' text. */
function helperUses(helpers: TensorHelpers, name: string, kernel: { definitionStart: number; definitionEnd: number }): InstructionUse[] {
  const uses: InstructionUse[] = [];
  for (const helper of helpers.byName.get(name) ?? []) {
    for (let i = 0; i < helper.spans.length; i += 2) {
      const [start, end] = [helper.spans[i]!, helper.spans[i + 1]!];
      if (start < kernel.definitionEnd && end > kernel.definitionStart) continue; // never the kernel itself
      let found = helpers.instructionsAt.get(start);
      if (!found) {
        const definition = functionAt(helpers.root, start);
        found = definition ? instructionUses(definition, helpers.text, []) : [];
        helpers.instructionsAt.set(start, found);
      }
      uses.push(...found);
    }
    for (const macroText of helper.macroTexts) uses.push(...macroInstructionUses(macroText));
  }
  return uses;
}

/** The function_definition node that starts at `start`. */
function functionAt(root: Node, start: number): Node | null {
  let node: Node | null = root.descendantForIndex(start);
  for (let step = 0; node && step < 64; step++, node = node.parent) {
    if (node.type === 'function_definition' && node.startIndex === start) return node;
  }
  return null;
}
