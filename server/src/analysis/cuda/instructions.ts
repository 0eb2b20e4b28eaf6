// Finds, in a kernel's body tree, the uses of instruction families that not every GPU architecture has
// (WMMA, bf16/fp16 intrinsics, fp8 types, async copies, inline-PTX mma/cp.async/wgmma/tcgen05, CuTe
// atoms, CUTLASS arch tags, warp intrinsics, double atomics): one InstructionUse per rule, the first use
// (the highest requirement for CuTe atoms and arch tags). Reads the tree: identifiers, template
// arguments and the strings of `asm` statements; and the text of `#define` bodies, which the grammar does
// not parse (macroInstructionUses). Pure; never throws on odd trees.
import type { Node } from 'web-tree-sitter';
import { instructionUse } from '../instruction-rules';
import type { InstructionUse, KernelParameter, Range } from '../types';
import { namedChildrenOf, sourceText } from './syntax';

/** Identifiers whose name alone says the rule. */
const NAMED_RULES: Record<string, string> = {};
const name = (rule: string, names: string[]) => {
  for (const n of names) NAMED_RULES[n] = rule;
};
name('shfl', ['__shfl_sync', '__shfl_up_sync', '__shfl_down_sync', '__shfl_xor_sync', '__ballot_sync', '__any_sync', '__all_sync', '__activemask']);
name('shfl-legacy', ['__shfl', '__shfl_up', '__shfl_down', '__shfl_xor', '__any', '__all', '__ballot']);
name('wmma', ['mma_sync', 'load_matrix_sync', 'store_matrix_sync', 'fill_fragment']);
name('warp-match', ['__match_any_sync', '__match_all_sync', '__nanosleep']);
name('warp-reduce', ['__reduce_add_sync', '__reduce_min_sync', '__reduce_max_sync', '__reduce_and_sync', '__reduce_or_sync', '__reduce_xor_sync']);
name('pipeline-primitives', ['__pipeline_memcpy_async', 'memcpy_async']);
name('cluster', ['this_cluster', 'cluster_group']);

/** fp16/bf16 arithmetic intrinsics (overloaded for __half and __nv_bfloat16 alike). */
const HALF_ARITHMETIC = new Set([
  '__hadd',
  '__hsub',
  '__hmul',
  '__hdiv',
  '__hfma',
  '__hneg',
  '__hmax',
  '__hmin',
  '__hadd2',
  '__hsub2',
  '__hmul2',
  '__h2div',
  '__hfma2',
  '__hneg2',
  '__hmax2',
  '__hmin2',
  '__hfma_relu',
  '__hfma2_relu',
]);
const BF16_TYPES = new Set(['__nv_bfloat16', '__nv_bfloat162', 'nv_bfloat16', 'nv_bfloat162']);
const HALF_TYPES = new Set(['__half', '__half2', 'half', 'half2']);
const FP8_TYPE = /^__nv_fp8(?:x[24])?_e[45]m[23]$/;
const CUTE_ATOM = /^SM(\d{2,3})_\w+/;
const CUTLASS_ARCH = /^Sm(\d{2,3})$/;

/** Inline PTX mnemonics, most demanding first: [pattern, rule]. `mma.sync` is classified by shape and types. */
const PTX_RULES: Array<[RegExp, string]> = [
  [/\btcgen05\.[\w.:]+/g, 'tcgen05'],
  [/\bwgmma\.[\w.:]+/g, 'wgmma'],
  [/\bcp\.async\.bulk[\w.:]*|\bstmatrix[\w.:]*|\bsetmaxnreg[\w.:]*/g, 'cp-async-bulk'],
  [/\bcp\.async(?!\.bulk)[\w.:]*|\bmbarrier\.[\w.:]+|\bredux\.sync[\w.:]*/g, 'cp-async'],
  [/\bldmatrix[\w.]*/g, 'ptx-mma-sm75'],
];

/** The rule of an inline-PTX `mma.sync.aligned.<shape>.<types>` (PTX ISA "mma": shapes and types per target). */
function mmaRule(shape: string, types: string): string {
  if (/\.e[45]m[23]\b/.test(types)) return 'ptx-mma-fp8';
  if (/\.(bf16|tf32|f64)\b/.test(types)) return 'ptx-mma-sm80';
  if (/^m16n8k(16|32|64|256)$/.test(shape) || shape === 'm16n8k4') return 'ptx-mma-sm80';
  if (shape === 'm16n8k8' || shape === 'm8n8k16' || shape === 'm8n8k32' || shape === 'm8n8k128') return 'ptx-mma-sm75';
  return 'ptx-mma-sm70';
}

const ptxCc = (digits: string): number => Number(digits) / 10;

/** Base variable of an address expression: `&x[i]` → x, `p + i` → p, `(q)` → q. */
function baseIdentifier(node: Node | null): string | null {
  let current = node;
  for (let step = 0; current && step < 16; step++) {
    if (current.type === 'identifier') return current.text;
    current = current.childForFieldName('argument') ?? current.childForFieldName('left') ?? namedChildrenOf(current)[0] ?? null;
  }
  return null;
}

/** Instruction uses in the kernel defined by `body` (its definition node; parameters give operand types). */
export function instructionUses(body: Node, text: string, parameters: readonly KernelParameter[]): InstructionUse[] {
  const uses = new Map<string, InstructionUse>();
  const add = (use: InstructionUse, prefer = false) => {
    const known = uses.get(use.rule);
    if (!known || prefer || use.minComputeCapability > known.minComputeCapability) uses.set(use.rule, use);
  };
  const types = new Map<string, string>();
  for (const p of parameters) if (p.name) types.set(p.name, p.type);
  let sawBf16 = parameters.some((p) => /\b(__)?nv_bfloat162?\b/.test(p.type));
  let sawHalf = parameters.some((p) => /\b(__half2?|half2?)\b/.test(p.type));
  let halfArithmetic: { what: string; range: Range } | null = null;
  let preferredWmma = false;

  const cursor = body.walk();
  let visited = 0;
  // Pre-order walk; `asm` strings are read whole and their subtrees skipped.
  for (let more = true; more && visited < 200_000; visited++) {
    const type = cursor.nodeType;
    let descend = true;
    if (type === 'identifier' || type === 'type_identifier' || type === 'namespace_identifier' || type === 'field_identifier') {
      const node = cursor.currentNode;
      const word = node.text;
      // The site (and its text) only for names that match a rule: most identifiers match none.
      let cached: { what: string; range: Range } | null = null;
      const site = () => (cached ??= qualifiedSite(node, text));
      const rule = NAMED_RULES[word];
      if (rule === 'wmma') {
        // The site is the first mma_sync when there is one (the instruction), else the first WMMA name.
        if (word === 'mma_sync' && !preferredWmma) add(instructionUse('wmma', site().what, site().range), true);
        else add(instructionUse('wmma', site().what, site().range));
        preferredWmma = preferredWmma || word === 'mma_sync';
      } else if (rule) add(instructionUse(rule, site().what, site().range));
      else if (word === 'wmma' && type === 'namespace_identifier') {
        add(instructionUse('wmma', 'nvcuda::wmma', site().range));
      } else if (BF16_TYPES.has(word)) sawBf16 = true;
      else if (HALF_TYPES.has(word)) sawHalf = true;
      else if (HALF_ARITHMETIC.has(word)) halfArithmetic ??= site();
      else if (FP8_TYPE.test(word)) add(instructionUse('fp8-convert', word, site().range));
      else if (word === 'atomicAdd' && node.parent?.type === 'call_expression') {
        const first = namedChildrenOf(node.parent.childForFieldName('arguments') ?? node.parent)[0] ?? null;
        const base = baseIdentifier(first);
        if (base && /\bdouble\b/.test(types.get(base) ?? '')) add(instructionUse('atomic-add-double', `atomicAdd(double *)`, site().range));
      } else {
        const atom = CUTE_ATOM.exec(word);
        const arch = CUTLASS_ARCH.exec(word);
        if (atom && type === 'type_identifier') add(instructionUse('cute-atom', site().what, site().range, ptxCc(atom[1]!)));
        else if (arch && node.parent?.type === 'qualified_identifier' && /\barch$/.test(node.parent.childForFieldName('scope')?.text ?? ''))
          add(instructionUse('cutlass-arch', site().what, site().range, ptxCc(arch[1]!)));
      }
    } else if (type === 'declaration' || type === 'parameter_declaration') {
      const node = cursor.currentNode;
      const typeText = node.childForFieldName('type')?.text ?? '';
      for (const declarator of node.childrenForFieldName('declarator')) {
        if (!declarator) continue;
        const pointer = declarator.type === 'pointer_declarator' || declarator.text.startsWith('*');
        const id = baseIdentifier(declarator);
        if (id) types.set(id, `${typeText}${pointer ? ' *' : ''}`);
      }
    } else if (type === 'template_type') {
      const node = cursor.currentNode;
      if (node.childForFieldName('name')?.text === 'fragment') fragmentUses(node, text, add);
    } else if (type === 'gnu_asm_expression') {
      const code = cursor.currentNode.childForFieldName('assembly_code');
      if (code) ptxUses(code, text, add);
      descend = false;
    }
    more = descend && cursor.gotoFirstChild() ? true : nextSibling(cursor, body);
  }
  cursor.delete();
  if (halfArithmetic) {
    // The intrinsics are overloaded: bf16 operands when the kernel names bf16 types and no fp16 ones.
    add(instructionUse(sawBf16 && !sawHalf ? 'bf16-arithmetic' : 'half-arithmetic', halfArithmetic.what, halfArithmetic.range));
  }
  return [...uses.values()].sort((a, b) => a.range.start - b.range.start);
}

/** Moves to the next node in pre-order that is not a descendant of the current one; false at the end of `root`. */
function nextSibling(cursor: ReturnType<Node['walk']>, root: Node): boolean {
  for (;;) {
    if (cursor.startIndex === root.startIndex && cursor.endIndex === root.endIndex && cursor.nodeType === root.type) return false;
    if (cursor.gotoNextSibling()) return true;
    if (!cursor.gotoParent()) return false;
  }
}

/** The use site of a name: the whole `a::b::name` when the name ends a qualified identifier. */
function qualifiedSite(node: Node, text: string): { what: string; range: Range } {
  let site = node;
  for (let step = 0; step < 8; step++) {
    const parent: Node | null = site.parent;
    if (parent?.type !== 'qualified_identifier' || parent.childForFieldName('name')?.startIndex !== site.startIndex) break;
    site = parent;
  }
  return { what: sourceText(text, site), range: { start: site.startIndex, end: site.endIndex } };
}

/** `wmma::fragment<use, m, n, k, T, layout>`: the element type T decides the architecture. */
function fragmentUses(node: Node, text: string, add: (use: InstructionUse) => void): void {
  const args = namedChildrenOf(node.childForFieldName('arguments') ?? node).filter((arg) => arg.type !== 'comment');
  const element = args[4];
  if (!element) return;
  const typeText = sourceText(text, element);
  const range = { start: element.startIndex, end: element.endIndex };
  if (/\b(tf32|__nv_bfloat16|nv_bfloat16|double)\b/.test(typeText)) add(instructionUse('wmma-ampere', `wmma::fragment<..., ${typeText}>`, range));
  else if (/\b(s4|u4|b1)\b/.test(typeText)) add(instructionUse('wmma-subbyte', `wmma::fragment<..., ${typeText}>`, range));
  else if (/\b(signed char|unsigned char|int8_t|uint8_t)\b/.test(typeText)) add(instructionUse('wmma-int8', `wmma::fragment<..., ${typeText}>`, range));
}

/** Uses in the string(s) of an `asm` statement, with the range of the mnemonic inside the string. */
function ptxUses(code: Node, text: string, add: (use: InstructionUse) => void): void {
  ptxTextUses(sourceText(text, code), code.startIndex, add);
}

/** Uses in PTX text sitting at `start`. */
function ptxTextUses(ptx: string, start: number, add: (use: InstructionUse) => void): void {
  for (const [pattern, rule] of PTX_RULES) {
    pattern.lastIndex = 0;
    const match = pattern.exec(ptx);
    if (match) add(instructionUse(rule, match[0], { start: start + match.index, end: start + match.index + match[0].length }));
  }
  const mma = /\bmma\.sync\.aligned\.(m\d+n\d+k\d+)((?:\.\w+)*)/.exec(ptx);
  if (mma) add(instructionUse(mmaRule(mma[1]!, mma[2]!), mma[0], { start: start + mma.index, end: start + mma.index + mma[0].length }));
}

/**
 * Uses in the body of a `#define` (text, comments blanked; the grammar does not parse macro bodies): the
 * mnemonics of inline PTX and the names that say their rule alone, fp8 types and CuTe atoms. Ranges are
 * offsets in `code`; the caller moves them to the macro's use.
 */
export function macroInstructionUses(code: string): InstructionUse[] {
  const uses = new Map<string, InstructionUse>();
  const add = (use: InstructionUse) => {
    const known = uses.get(use.rule);
    if (!known || use.minComputeCapability > known.minComputeCapability) uses.set(use.rule, use);
  };
  ptxTextUses(code, 0, add);
  for (const match of code.matchAll(/\b[A-Za-z_]\w*/g)) {
    const word = match[0];
    const range = { start: match.index, end: match.index + word.length };
    const rule = NAMED_RULES[word];
    const atom = CUTE_ATOM.exec(word);
    if (rule) add(instructionUse(rule, word, range));
    else if (FP8_TYPE.test(word)) add(instructionUse('fp8-convert', word, range));
    else if (atom) add(instructionUse('cute-atom', word, range, ptxCc(atom[1]!)));
  }
  return [...uses.values()];
}
