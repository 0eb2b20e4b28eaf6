// A Python file parsed unit by unit: a unit is a top-level statement (with the lines after it up to the next
// one), found by a light scan of the text (unitStarts), parsed alone and copied (tree.ts), and kept while its
// text is unchanged, so a keystroke re-parses and re-copies only the unit it lands in. For valid code the
// module this assembles is the tree a whole-file parse gives (test/triton-units.test.ts compares them on every
// fixture); a syntax error stays inside its unit instead of swallowing the statements after it, and the tree
// depends on the text alone, never on the edits that led to it. It must not analyse.
import type { Tree } from 'web-tree-sitter';
import { CONTINUATION, DEFINITION, decoratorsAbove, scanLine } from './scan';
import { assembleDefinition, bodyChunks, type Chunk, parseChunk, SPLIT_CHARS } from './class-units';
import { copyTree, PyNode, type UnitText } from './tree';

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

interface Unit {
  /** Its top-level nodes (statements and comments). */
  nodes: PyNode[];
  /** Its index in the last assembly. */
  index: number;
  /** The texts its nodes were parsed from, each at `offset` from the unit's start (a class's header and chunks). */
  texts: Array<{ unit: UnitText; offset: number }>;
  /** A split class's chunks by their text (kept while the class is). */
  chunks: Array<{ key: string; chunk: Chunk }>;
}

/** A copy of `text` that does not keep the string it was sliced from alive (a unit outlives its file's versions). */
function ownCopy(text: string): string {
  return `_${text}`.slice(1);
}

type Parse = (unitText: string) => Tree | null;

/**
 * The units of the last text, by their text, and the module node over them. `parse` parses one unit's text
 * from scratch (null when it was stopped or ran out of time); the tree it returns is copied and deleted here.
 */
export class UnitTrees {
  private units = new Map<string, Unit[]>();
  /** The chunks of split classes (class-units.ts), by text: an edit in one method re-parses that method. */
  private chunks = new Map<string, Chunk[]>();
  /** Asked while a copy runs (copyTree): the update's time budget. */
  private shouldStop: () => boolean = () => false;
  /** Counts assemblies: each unit of the latest holds its number (UnitText.generation). */
  private generation = 0;
  /** Counts the assemblies in which kept units changed order (a statement cut and pasted elsewhere). */
  private layout = 0;

  /** The module node of `text`, or null when a unit's parse was stopped (nothing is kept from this call then). */
  update(text: string, parse: Parse, shouldStop: () => boolean = () => false): PyNode | null {
    this.shouldStop = shouldStop;
    const starts = unitStarts(text);
    const generation = ++this.generation;
    const slices = starts.map((start, index) => text.slice(start, index + 1 < starts.length ? starts[index + 1] : text.length));
    // Units whose text is unchanged first, so that a class kept whole keeps its chunks from a class rebuilt before it.
    const kept = slices.map((slice) => this.units.get(slice)?.shift());
    for (const unit of kept) for (const { key, chunk } of unit?.chunks ?? []) take(this.chunks, key, chunk);
    const next = new Map<string, Unit[]>();
    const nextChunks = new Map<string, Chunk[]>();
    const nodes: PyNode[] = [];
    let lastKept = -1;
    let reordered = false;
    for (let index = 0; index < starts.length; index++) {
      const start = starts[index]!;
      const slice = slices[index]!;
      let unit = kept[index];
      if (unit) {
        if (unit.index < lastKept) reordered = true;
        lastKept = unit.index;
      } else {
        const built = this.build(slice, start, parse);
        if (!built) {
          // Stopped: what was taken for this text goes back, so the next try finds it.
          for (const [key, list] of next) this.units.set(key, [...(this.units.get(key) ?? []), ...list]);
          for (const [key, list] of nextChunks) this.chunks.set(key, [...(this.chunks.get(key) ?? []), ...list]);
          return null;
        }
        unit = built;
      }
      for (const { unit: part, offset } of unit.texts) {
        part.base = start + offset;
        part.generation = generation;
      }
      unit.index = index;
      add(next, slice, unit);
      for (const { key, chunk } of unit.chunks) add(nextChunks, key, chunk);
      for (const node of unit.nodes) nodes.push(node);
    }
    this.units = next;
    this.chunks = nextChunks;
    if (reordered) this.layout++;
    // tree-sitter's module starts at its first node (after leading blank lines), or at the end when empty.
    const first = nodes.length > 0 ? nodes[0]!.startIndex : text.length;
    return PyNode.module({ text, base: 0, generation }, first, text.length, nodes, this.layout);
  }

  /** A unit parsed now: a large class or function statement by statement (class-units.ts), anything else whole; null when stopped. */
  private build(slice: string, start: number, parse: Parse): Unit | null {
    const split = slice.length >= SPLIT_CHARS ? bodyChunks(slice) : null;
    if (split) {
      const unit = this.buildDefinition(ownCopy(slice), start, split, parse);
      if (unit !== 'shape') return unit;
    }
    const own = ownCopy(slice);
    const tree = parse(own);
    if (!tree) return null;
    try {
      const text: UnitText = { text: own, base: start, generation: this.generation };
      const copy = copyTree(tree, text, this.shouldStop);
      return copy ? { nodes: copy.children.slice(), index: 0, texts: [{ unit: text, offset: 0 }], chunks: [] } : null;
    } finally {
      tree.delete();
    }
  }

  private buildDefinition(own: string, start: number, split: NonNullable<ReturnType<typeof bodyChunks>>, parse: Parse): Unit | null | 'shape' {
    const headerTree = parse(`${own.slice(0, split.headerEnd)}${split.indent}pass\n`);
    if (!headerTree) return null;
    const headerText: UnitText = { text: own, base: start, generation: this.generation };
    let header: PyNode | null;
    try {
      header = copyTree(headerTree, headerText, this.shouldStop);
    } finally {
      headerTree.delete();
    }
    if (!header) return null;
    const chunks: Unit['chunks'] = [];
    const texts: Unit['texts'] = [{ unit: headerText, offset: 0 }];
    for (let i = 0; i < split.starts.length; i++) {
      const from = split.starts[i]!;
      const text = own.slice(from, i + 1 < split.starts.length ? split.starts[i + 1] : own.length);
      // Keyed with the stub: the same statements parse as a class's or a function's body.
      const key = `${split.stub}${text}`;
      let chunk: Chunk | null | 'shape' | undefined = this.chunks.get(key)?.shift();
      if (!chunk) chunk = parseChunk(text, split.stub, parse, this.shouldStop);
      if (chunk === null || chunk === 'shape') return chunk;
      const offset = from - split.stub.length;
      chunk.unit.base = start + offset;
      chunks.push({ key, chunk });
      texts.push({ unit: chunk.unit, offset });
    }
    const nodes = assembleDefinition(
      header,
      chunks.map(({ chunk }) => chunk),
      start,
    );
    return nodes ? { nodes, index: 0, texts, chunks } : 'shape';
  }

  /** Forgets every unit (their trees are plain objects: nothing to free). */
  clear(): void {
    this.units = new Map();
    this.chunks = new Map();
  }
}

function add<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

/** Removes `item` from the list of `key` (a kept class claims its chunks before others are rebuilt). */
function take<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  const at = list ? list.indexOf(item) : -1;
  if (at >= 0) list!.splice(at, 1);
}
