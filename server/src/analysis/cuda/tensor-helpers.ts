// Tensor-core instructions a kernel issues through code outside its body: a `#define` macro it uses
// (`HMMA16816(...)` over `asm volatile("mma.sync...")`) or a function it calls, up to two calls deep
// (`mma16816(RC, RA, RB)`, a `__device__` helper holding the `asm`). Found from what prepare.ts recorded
// (call sites, `#define` tokens) and the outline's function ranges, with a few node reads per helper and
// no walk of the tree. A kernel's reading then depends on its helpers' text: their spans join the
// kernel's cache spans (analyze.ts), and macros are part of the environment key already. The kernel's
// tensor-core use, dtype and tile loops read their text; its instruction uses, their tree and macro
// bodies (helper-instructions.ts). Pure.
import type { Node } from 'web-tree-sitter';
import type { InstructionUse, TensorCoreUse } from '../types';
import type { PreparedCuda } from './prepare';
import { ancestorOfType, blankComments, declaredName, firstAtOrAfter, rangeAt } from './syntax';

/** Tensor-core use in a body's text (comments blanked), with the evidence for the kernel's kind reason. */
export function tensorCoreUse(body: string): { use: TensorCoreUse; evidence: string } {
  if (/\bmma_sync\s*\(/.test(body)) return { use: 'wmma', evidence: 'wmma::mma_sync' };
  if (/\b(w?mma)\.(sync|m\d)|\bwgmma\./.test(body)) return { use: 'mma-ptx', evidence: 'inline PTX mma.sync' };
  if (/\bcute::gemm\b|\bTiledMMA\b|\bMMA_Atom\b|\bmake_tiled_mma\b|\bSM[789]0_\d+x\d+x\d+/.test(body)) return { use: 'cute', evidence: 'CuTe MMA atoms' };
  return { use: 'none', evidence: '' };
}

/** A macro or function whose text issues tensor-core instructions (itself or through one it uses). */
export interface Helper {
  /** [start, end) pairs of the functions whose text the helper's reading uses (none for a macro). */
  spans: number[];
  /** Bodies of the macros it uses (a macro's own first), comments blanked. */
  macroTexts: string[];
}

/** What a kernel's reading sees of its helpers. */
export interface KernelHelpers {
  /** Names of the macros and functions the kernel uses that issue tensor-core instructions. */
  names: string[];
  /** Their text, comments blanked, joined (empty without helpers). */
  text: string;
  /** The offset of the kernel's first call of each (`names`' order). */
  firstCalls: number[];
  /** A call of one of them (`name(`), or null without helpers. */
  call: RegExp | null;
  /** [start, end) pairs of the helper functions' text, for the kernel's cache entry. */
  spans: number[];
}

/** The file's tensor-core helpers, found once per analysis; each kernel's are looked up by its calls. */
export interface TensorHelpers {
  root: Node;
  text: string;
  byName: Map<string, Helper[]>;
  /** Call sites of the helpers' names, sorted by offset. */
  calls: Array<{ at: number; name: string }>;
  /** KernelHelpers by the start of the kernel's definition, for this analysis. */
  byKernel: Map<number, KernelHelpers>;
  /** Instruction uses of each helper function, by its start, for this analysis (helper-instructions.ts). */
  instructionsAt: Map<number, InstructionUse[]>;
}

const NO_HELPERS: KernelHelpers = { names: [], text: '', firstCalls: [], call: null, spans: [] };
/** Call-like words that start a tensor-core instruction in a function's body (`asm volatile("mma.sync...`, `wmma::mma_sync(`). */
const EVIDENCE_CALLS = ['asm', '__asm__', '__asm', 'volatile', '__volatile__', 'mma_sync'];
/** Characters after an `asm` (within its function) where its instruction is looked for. */
const ASM_WINDOW = 300;
/** At most this many functions are read as helpers (each costs a node lookup for its name). */
const MAX_HELPERS = 2000;

/**
 * Finds the tensor-core macros (their text matches tensorCoreUse, or uses such a macro; the first
 * `#define` of a name) and the functions, kernels aside, that issue tensor-core instructions themselves
 * (an `asm` whose instruction is an `mma`, a `mma_sync` call) or through such a macro (level 1), or call a
 * level-1 function (level 2). Each test reads a few hundred characters at a recorded offset, never a
 * whole function. `functionRanges`: the outline's, sorted and disjoint.
 */
export function findTensorHelpers(
  root: Node,
  text: string,
  prepared: Pick<PreparedCuda, 'callSites' | 'definitionTokens' | 'keywords' | 'parseText'>,
  functionRanges: ReadonlyArray<{ start: number; end: number }>,
): TensorHelpers {
  const { callSites } = prepared;
  const byName = new Map<string, Helper[]>();
  const add = (name: string, helper: Helper) => {
    const list = byName.get(name);
    if (list) list.push(helper);
    else byName.set(name, [helper]);
  };

  // Macros: a `#define` whose text issues the instructions, or (one level) uses such a macro. The text of
  // each `#define` is tested before its node is read.
  const defines = prepared.definitionTokens.filter((token) => token.token === 'define');
  const macros = new Map<string, string[]>();
  const read = new Set<string>();
  for (const token of defines) {
    if (!/mma|MMA|SM[789]0_|gemm/.test(text.slice(token.from, token.end))) continue;
    const macro = macroAt(root, text, token.start);
    if (!macro || read.has(macro.name)) continue;
    read.add(macro.name);
    if (tensorCoreUse(macro.text).use !== 'none') macros.set(macro.name, [macro.text]);
  }
  if (macros.size > 0) {
    const direct = [...macros.keys()];
    const usesOne = new RegExp(`\\b(?:${direct.join('|')})\\b`);
    const through = new Set<string>();
    for (const token of defines) {
      if (!usesOne.test(text.slice(token.from, token.end))) continue;
      const macro = macroAt(root, text, token.start);
      if (!macro || macros.has(macro.name) || through.has(macro.name)) continue;
      through.add(macro.name);
      const used = direct.filter((name) => new RegExp(`\\b${name}\\b`).test(macro.text));
      if (used.length > 0) macros.set(macro.name, [macro.text, ...used.flatMap((name) => macros.get(name)!)]);
    }
  }
  for (const [name, macroTexts] of macros) add(name, { spans: [], macroTexts });

  // Level 1: functions with a tensor-core `asm` or `mma_sync`, or a call of a tensor-core macro.
  const helperAt = new Map<number, Helper | null>();
  const level1: Array<{ name: string; start: number; helper: Helper }> = [];
  // A function read once: a kernel, or one without a name, is recorded as null.
  const functionHelper = (range: { start: number; end: number }): { name: string; helper: Helper } | null => {
    if (helperAt.has(range.start) || helperAt.size >= MAX_HELPERS) return null;
    const name = isKernelAt(prepared, range.start) ? null : functionName(root, range.start);
    const helper: Helper | null = name ? { spans: [range.start, range.end], macroTexts: [] } : null;
    helperAt.set(range.start, helper);
    return name && helper ? { name, helper } : null;
  };
  for (const word of [...EVIDENCE_CALLS, ...macros.keys()]) {
    const macroTexts = macros.get(word);
    for (const offset of callSites.get(word) ?? []) {
      const range = rangeAt(functionRanges, offset);
      if (!range) continue;
      const known = helperAt.get(range.start);
      if (known && macroTexts) for (const macroText of macroTexts) if (!known.macroTexts.includes(macroText)) known.macroTexts.push(macroText);
      if (helperAt.has(range.start)) continue;
      if (!macroTexts && word !== 'mma_sync' && tensorCoreUse(blankComments(text.slice(offset, Math.min(range.end, offset + ASM_WINDOW)))).use === 'none')
        continue;
      const found = functionHelper(range);
      if (!found) continue;
      if (macroTexts) found.helper.macroTexts.push(...macroTexts);
      level1.push({ ...found, start: range.start });
    }
  }
  for (const { name, helper } of level1) add(name, helper);

  // Level 2: functions calling a level-1 function.
  for (const callee of level1) {
    for (const offset of callSites.get(callee.name) ?? []) {
      const range = rangeAt(functionRanges, offset);
      if (!range || range.start === callee.start) continue;
      const found = functionHelper(range);
      if (!found) continue;
      found.helper.spans.push(...callee.helper.spans);
      found.helper.macroTexts.push(...callee.helper.macroTexts);
      add(found.name, found.helper);
    }
  }

  const calls: TensorHelpers['calls'] = [];
  for (const name of byName.keys()) for (const at of callSites.get(name) ?? []) calls.push({ at, name });
  calls.sort((a, b) => a.at - b.at);
  return { root, text, byName, calls, byKernel: new Map(), instructionsAt: new Map() };
}

/**
 * The helpers a kernel's definition calls (a call site of a helper's name inside it), memoised per analysis.
 * A function overlapping the kernel is never its own helper.
 */
export function kernelHelpers(helpers: TensorHelpers | undefined, kernel: { definitionStart: number; definitionEnd: number }): KernelHelpers {
  if (!helpers || helpers.calls.length === 0) return NO_HELPERS;
  const { definitionStart: start, definitionEnd: end } = kernel;
  const known = helpers.byKernel.get(start);
  if (known) return known;
  const { calls } = helpers;
  const low = firstAtOrAfter(calls, start, (call) => call.at);
  const names: string[] = [];
  const firstCalls: number[] = [];
  const texts: string[] = [];
  const spans: number[] = [];
  for (let k = low; k < calls.length && calls[k]!.at < end; k++) {
    const { name } = calls[k]!;
    if (names.includes(name)) continue;
    names.push(name);
    firstCalls.push(calls[k]!.at);
    for (const helper of helpers.byName.get(name)!) {
      for (let i = 0; i < helper.spans.length; i += 2) {
        const [a, b] = [helper.spans[i]!, helper.spans[i + 1]!];
        if ((a < end && b > start) || spans.some((s, j) => j % 2 === 0 && s === a)) continue;
        spans.push(a, b);
        texts.push(blankComments(helpers.text.slice(a, b)));
      }
      for (const macroText of helper.macroTexts) if (!texts.includes(macroText)) texts.push(macroText);
    }
  }
  const result = names.length > 0 ? { names, text: texts.join('\n'), firstCalls, call: new RegExp(`\\b(?:${names.join('|')})\\s*\\(`), spans } : NO_HELPERS;
  helpers.byKernel.set(start, result);
  return result;
}

/**
 * Whether the function defined at `start` is a kernel: a `__global__` keyword before it with only blanks
 * (and blanked keywords: `__launch_bounds__(...)`) between them in the parsed text.
 */
function isKernelAt(prepared: Pick<PreparedCuda, 'keywords' | 'parseText'>, start: number): boolean {
  const { keywords, parseText } = prepared;
  const low = firstAtOrAfter(keywords, start, (keyword) => keyword.start);
  for (let k = low - 1; k >= 0; k--) {
    const keyword = keywords[k]!;
    for (let i = keyword.end; i < start; i++) if (!/\s/.test(parseText[i]!)) return false;
    if (keyword.keyword === '__global__') return true;
    start = keyword.start;
  }
  return false;
}

/** The unqualified name of the function defined at `start` (`ns::f` → `f`), read from its declarator. */
function functionName(root: Node, start: number): string | null {
  let node: Node | null = root.descendantForIndex(start);
  for (let step = 0; node && step < 64; step++) {
    if (node.type === 'function_definition' && node.startIndex === start) break;
    node = node.parent;
  }
  if (!node || node.type !== 'function_definition') return null;
  const name = declaredName(node.childForFieldName('declarator'));
  return name ? (name.text.split('::').pop() ?? null) : null;
}

/** The name and body (comments blanked) of the `#define` whose `#` is at `hash`, read from the tree. */
function macroAt(root: Node, text: string, hash: number): { name: string; text: string } | null {
  const node = ancestorOfType(root.descendantForIndex(hash, hash + 1), ['preproc_def', 'preproc_function_def'], 3);
  const name = node?.childForFieldName('name')?.text;
  const value = node?.childForFieldName('value');
  if (!name || !value) return null;
  return { name, text: blankComments(text.slice(value.startIndex, value.endIndex)) };
}
