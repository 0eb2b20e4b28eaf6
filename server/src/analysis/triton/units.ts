// A Python file parsed unit by unit: a unit is a top-level statement (with the lines after it up to the next
// one), found by a light scan of the text (unitStarts), parsed alone and copied (tree.ts), and kept while its
// text is unchanged, so a keystroke re-parses and re-copies only the unit it lands in. For valid code the
// module this assembles is the tree a whole-file parse gives (test/triton-units.test.ts compares them on every
// fixture); a syntax error stays inside its unit instead of swallowing the statements after it, and the tree
// depends on the text alone, never on the edits that led to it. It must not analyse.
import type { Tree } from 'web-tree-sitter';
import { copyTree, PyNode, type UnitText } from './tree';

/** Statements that continue the compound statement before them (`else:` of a module-level `if`). */
const CONTINUATION = /^(else|elif|except|finally)\b/;
/** Definitions: a line at column 0 that starts one begins a unit even inside an unclosed bracket (broken code). */
const DEFINITION = /^(def|class|async[ \t]+def)[ \t]/;

/**
 * Offsets where the file's units begin, the first 0: each line at column 0 that begins a statement, outside
 * brackets, strings and backslash continuations, except an `else`/`elif`/`except`/`finally` and the
 * definition under a decorator. A `def` or `class` at column 0 also ends an unclosed bracket before it.
 */
export function unitStarts(text: string): number[] {
  const starts = [0];
  const state = { depth: 0, continued: false };
  let afterDecorator = false;
  for (let i = 0; i < text.length; ) {
    // At the start of a line outside strings (a triple-quoted string is skipped whole by scanLine).
    const c = text.charCodeAt(i);
    if (!state.continued && c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 35) {
      const line = text.slice(i, i + 16);
      if (state.depth > 0 && DEFINITION.test(line)) {
        // Broken code: the definition (with the decorators right above it) starts a unit.
        state.depth = 0;
        const from = decoratorsAbove(text, i);
        if (from > starts[starts.length - 1]!) starts.push(from);
        afterDecorator = false;
      } else if (state.depth === 0) {
        if (i > 0 && !afterDecorator && !CONTINUATION.test(line)) starts.push(i);
        afterDecorator = c === 64; // '@'
      }
    }
    i = scanLine(text, i, state);
  }
  return starts;
}

/** The start of the run of column-0 decorator lines (blank and comment lines between them allowed) ending right above `at`, else `at`. */
function decoratorsAbove(text: string, at: number): number {
  let from = at;
  for (let end = at - 1; end > 0; ) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const c = text.charCodeAt(start);
    if (c === 64) from = start;
    else if (text.slice(start, end).trim() !== '' && c !== 35) break;
    end = start - 1;
  }
  return from;
}

/** Reads one line's tokens from `i`: bracket depth, strings, a comment, a trailing backslash; returns the next line's start. */
function scanLine(text: string, i: number, state: { depth: number; continued: boolean }): number {
  state.continued = false;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 10) return i + 1;
    if (ch === 35) {
      const end = text.indexOf('\n', i);
      return end < 0 ? text.length : end + 1;
    }
    if (ch === 34 || ch === 39) {
      i = skipString(text, i);
      continue;
    }
    if (ch === 40 || ch === 91 || ch === 123) state.depth++;
    else if ((ch === 41 || ch === 93 || ch === 125) && state.depth > 0) state.depth--;
    else if (ch === 92 && (text.charCodeAt(i + 1) === 10 || (text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10))) state.continued = true;
    i++;
  }
  return i;
}

/**
 * The offset after the string starting at `at` (its opening quote; a prefix such as `r` or `f` before it
 * does not change where it ends). A one-line string ends at its line's end when unclosed, as Python's
 * tokenizer gives up there; a triple-quoted one runs to its closing quotes or the end of the text.
 */
function skipString(text: string, at: number): number {
  const quote = text.charCodeAt(at);
  const triple = text.charCodeAt(at + 1) === quote && text.charCodeAt(at + 2) === quote;
  let i = at + (triple ? 3 : 1);
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 92) {
      i += 2;
      continue;
    }
    if (ch === quote && (!triple || (text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote))) return i + (triple ? 3 : 1);
    if (ch === 10 && !triple) return i;
    i++;
  }
  return text.length;
}

interface Unit extends UnitText {
  /** The top-level nodes of the unit's own parse (statements and comments), offsets relative to its text. */
  nodes: PyNode[];
  /** Its index in the last assembly. */
  index: number;
}

/** A copy of `text` that does not keep the string it was sliced from alive (a unit outlives its file's versions). */
function ownCopy(text: string): string {
  return `_${text}`.slice(1);
}

/**
 * The units of the last text, by their text, and the module node over them. `parse` parses one unit's text
 * from scratch (null when it was stopped or ran out of time); the tree it returns is copied and deleted here.
 */
export class UnitTrees {
  private units = new Map<string, Unit[]>();
  /** Counts assemblies: each unit of the latest holds its number (UnitText.generation). */
  private generation = 0;
  /** Counts the assemblies in which kept units changed order (a statement cut and pasted elsewhere). */
  private layout = 0;

  /** The module node of `text`, or null when a unit's parse was stopped (nothing is kept from this call then). */
  update(text: string, parse: (unitText: string) => Tree | null): PyNode | null {
    const starts = unitStarts(text);
    const generation = ++this.generation;
    const next = new Map<string, Unit[]>();
    const nodes: PyNode[] = [];
    let lastKept = -1;
    let reordered = false;
    for (let index = 0; index < starts.length; index++) {
      const start = starts[index]!;
      const end = index + 1 < starts.length ? starts[index + 1]! : text.length;
      const slice = text.slice(start, end);
      let unit = this.units.get(slice)?.shift();
      if (!unit) {
        const own = ownCopy(slice);
        const tree = parse(own);
        if (!tree) {
          // Stopped: the units taken for this text go back, so the next try finds them.
          for (const [key, list] of next) this.units.set(key, [...(this.units.get(key) ?? []), ...list]);
          return null;
        }
        try {
          const unitText: UnitText = { text: own, base: start, generation };
          unit = { ...unitText, nodes: [], index };
          // The unit object itself is what the copied nodes read their base from.
          unit.nodes = copyTree(tree, unit).children.slice();
        } finally {
          tree.delete();
        }
      } else {
        if (unit.index < lastKept) reordered = true;
        lastKept = unit.index;
      }
      unit.base = start;
      unit.generation = generation;
      unit.index = index;
      const kept = next.get(slice);
      if (kept) kept.push(unit);
      else next.set(slice, [unit]);
      for (const node of unit.nodes) nodes.push(node);
    }
    this.units = next;
    if (reordered) this.layout++;
    // tree-sitter's module starts at its first node (after leading blank lines), or at the end when empty.
    const first = nodes.length > 0 ? nodes[0]!.startIndex : text.length;
    return PyNode.module({ text, base: 0, generation }, first, text.length, nodes, this.layout);
  }

  /** Forgets every unit (their trees are plain objects: nothing to free). */
  clear(): void {
    this.units = new Map();
  }
}
