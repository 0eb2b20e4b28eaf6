// The syntax tree the Triton analysis reads: the members of a tree-sitter node it uses (SyntaxNode, which
// tree-sitter's own nodes satisfy), and PyNode, a copy of a tree-sitter tree in plain JavaScript objects.
// Every member access of a tree-sitter node crosses into WebAssembly and allocates a node object; reading
// a 5,000-line file's analysis that way spent about 70% of its time in those crossings. A copy is read at
// JavaScript speed, and a unit's copy is kept while its text is unchanged (units.ts). It must not analyse.
import type { Language, Tree } from 'web-tree-sitter';

/** What the Triton analysis reads of a node: a tree-sitter node has all of it, a PyNode too. */
export interface SyntaxNode {
  readonly id: number;
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly parent: SyntaxNode | null;
  readonly children: ReadonlyArray<SyntaxNode | null>;
  readonly namedChildren: ReadonlyArray<SyntaxNode | null>;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  childForFieldName(name: string): SyntaxNode | null;
  childrenForFieldName(name: string): ReadonlyArray<SyntaxNode | null>;
  descendantsOfType(types: string | string[]): ReadonlyArray<SyntaxNode | null>;
}

/**
 * The text a copied tree was parsed from and where that text now starts in the file: a unit's nodes
 * keep offsets relative to it, so a unit that moves (an edit above it) only changes `base`. `generation`
 * is the last assembly (units.ts) that holds the unit: a unit of an older one is gone from the file.
 */
export interface UnitText {
  readonly text: string;
  base: number;
  generation: number;
  /** Characters at the start of `text` that are not the file's (class-units.ts parses a method under a stub `class _:` line). */
  skip?: number;
}

/**
 * What one computation read (reuse.ts): the units whose nodes it touched, and the file-wide lookups it made
 * (the calls to a name, the module's bindings of a name), each with the nodes it found.
 */
export class Reads {
  readonly units = new Set<UnitText>();
  readonly lookups: Array<{ key: string; nodes: readonly SyntaxNode[] }> = [];
}

/** The computation whose reads are being recorded, if any (a nested recording does not pass its reads to the outer one). */
let recording: Reads | null = null;

/** Runs `work`, recording the units it reads and the lookups it reports (lookedUp). */
export function recordReads<T>(work: () => T): { value: T; reads: Reads } {
  const outer = recording;
  const reads = new Reads();
  recording = reads;
  try {
    return { value: work(), reads };
  } finally {
    recording = outer;
  }
}

/** Runs `work` without recording (building a file-wide index that a lookup then reports as such). */
export function unrecorded<T>(work: () => T): T {
  const outer = recording;
  recording = null;
  try {
    return work();
  } finally {
    recording = outer;
  }
}

/** Whether a computation's reads are being recorded (a lookup need not list what it found otherwise). */
export function isRecording(): boolean {
  return recording !== null;
}

/** Reports a file-wide lookup to the computation being recorded: it depends on `nodes` being what `key` finds. */
export function lookedUp(key: string, nodes: readonly SyntaxNode[]): void {
  recording?.lookups.push({ key, nodes });
}

let nextId = 1;
const NAMED = 1;
const MISSING = 2;
const ERROR = 4;
/** The module node over the units: its kind is read without depending on them (see read). */
const MODULE = 8;
const NO_CHILDREN: PyNode[] = [];

export class PyNode implements SyntaxNode {
  readonly id = nextId++;
  parent: PyNode | null = null;
  /** Leaves share one empty list (most nodes are leaves: a 5,000-line file has about 60,000 nodes). */
  private childList: PyNode[] = NO_CHILDREN;
  /** Field name of each child, parallel to children; null while no child has one. */
  fields: Array<string | null> | null = null;
  private named: PyNode[] | null = null;

  constructor(
    readonly type: string,
    private readonly unit: UnitText,
    private start: number,
    private end: number,
    /** NAMED | MISSING | ERROR bits (copyTree reads a finished node's ERROR bit without recording a read). */
    public flags: number,
  ) {}

  /**
   * Records, for the computation being recorded, that it navigated from this node: the nodes a computation
   * holds come from navigating their own unit (or the module node, whose unit is never live again), from
   * where it started, or from a file-wide lookup it reports (lookedUp), so recording navigation alone
   * records every unit it read; a node's kind, text and offsets are read without a record (hot paths).
   */
  private read(): void {
    if (recording !== null) recording.units.add(this.unit);
  }

  /** The assembly (units.ts) this node's unit is in; the module node's is the file's latest. */
  get generation(): number {
    return this.unit.generation;
  }

  get startIndex(): number {
    return this.unit.base + this.start;
  }
  get endIndex(): number {
    return this.unit.base + this.end;
  }
  get text(): string {
    if ((this.flags & MODULE) === 0) return this.unit.text.slice(this.start, this.end);
    this.read();
    return this.unit.text;
  }
  get isNamed(): boolean {
    return (this.flags & NAMED) !== 0;
  }
  get isMissing(): boolean {
    return (this.flags & MISSING) !== 0;
  }
  /** Whether this node is, or contains, an ERROR or a MISSING node (tree-sitter's hasError). */
  get hasError(): boolean {
    if ((this.flags & MODULE) !== 0) this.read();
    return (this.flags & ERROR) !== 0;
  }
  get children(): PyNode[] {
    this.read();
    return this.childList;
  }
  get namedChildren(): PyNode[] {
    this.read();
    if (!this.named) this.named = this.childList.filter((child) => (child.flags & NAMED) !== 0);
    return this.named;
  }

  childForFieldName(name: string): PyNode | null {
    this.read();
    const fields = this.fields;
    if (!fields) return null;
    for (let i = 0; i < fields.length; i++) if (fields[i] === name) return this.childList[i]!;
    return null;
  }

  childrenForFieldName(name: string): PyNode[] {
    this.read();
    const fields = this.fields;
    return fields ? this.childList.filter((_, i) => fields[i] === name) : [];
  }

  /** Descendants of these types in document order, this node excluded (tree-sitter's order and exclusion). */
  descendantsOfType(types: string | string[]): PyNode[] {
    this.read();
    const wanted = typeof types === 'string' ? [types] : types;
    const found: PyNode[] = [];
    const visit = (node: PyNode): void => {
      for (const child of node.childList) {
        if (wanted.includes(child.type)) found.push(child);
        if (child.childList.length > 0) visit(child);
      }
    };
    visit(this);
    return found;
  }

  /** Adds a child (building a tree); marks this node as containing an error when the child does. */
  append(child: PyNode, field: string | null): void {
    child.parent = this;
    if (field !== null && !this.fields) this.fields = this.childList.map(() => null);
    if (this.childList === NO_CHILDREN) this.childList = [];
    this.childList.push(child);
    this.fields?.push(field);
    this.named = null;
    if ((child.flags & ERROR) !== 0) this.flags |= ERROR;
  }

  /** Marks this node as containing an error (a descendant read after it was appended has one). */
  markError(): void {
    this.flags |= ERROR;
  }

  /**
   * Gives this node (a block assembled from separately parsed statements, class-units.ts) new children and
   * offsets relative to its unit; its error flag follows the children.
   */
  adopt(children: readonly PyNode[], start: number, end: number): void {
    this.childList = NO_CHILDREN;
    this.fields = null;
    this.named = null;
    this.flags &= ~ERROR;
    for (const child of children) this.append(child, null);
    this.seal();
    this.resize(start, end);
  }

  /** New offsets relative to this node's unit (an assembled class ends where its last method does). */
  resize(start: number, end: number): void {
    this.start = start;
    this.end = end;
  }

  /** Ends appending: the lists get their exact size (a pushed-to array keeps room for 17 items). */
  seal(): void {
    if (this.childList !== NO_CHILDREN) this.childList = this.childList.slice();
    if (this.fields) this.fields = this.fields.slice();
  }

  /** A node with the given children and no parent: the module node over the units' top-level nodes. */
  static module(unit: UnitText, start: number, end: number, children: readonly PyNode[], layout = 0): ModuleNode {
    const root = new ModuleNode('module', unit, start, end, NAMED | MODULE);
    root.layout = layout;
    for (const child of children) root.append(child, null);
    return root;
  }
}

/** The module node over a file's units (units.ts). */
export class ModuleNode extends PyNode {
  /** A number that changes when units change order (units.ts). */
  layout = 0;
}

/**
 * A copy of `tree` (parsed from `unit.text`, offsets relative to it): its root and every node below,
 * anonymous ones included (MISSING tokens are anonymous). One cursor walk; the tree may be deleted after.
 */
/** Nodes one unit's copy may have: a 5,000-line file has about 60,000 in all; a pasted 1 MB `a+a+...` line, a million. */
const MAX_COPIED_NODES = 250_000;

/**
 * `shouldStop` is asked every 4,096 nodes (the copy runs under the parse's time budget); null when it says
 * stop or the tree has more than MAX_COPIED_NODES nodes (junk: copying it would cost seconds and 150 MB).
 */
export function copyTree(tree: Tree, unit: UnitText, shouldStop: () => boolean = () => false): PyNode | null {
  const language = tree.language as Language & { types: string[]; fields: Array<string | null> };
  const cursor = tree.walk();
  let copied = 0;
  try {
    const current = (): PyNode => {
      const missing = cursor.nodeIsMissing;
      const type = language.types[cursor.nodeTypeId] || 'ERROR';
      const flags = (cursor.nodeIsNamed ? NAMED : 0) | (missing ? MISSING : 0) | (missing || type === 'ERROR' ? ERROR : 0);
      return new PyNode(type, unit, cursor.startIndex, cursor.endIndex, flags);
    };
    const root = current();
    // Depth-first with an explicit stack of the nodes whose children are being read.
    const stack: PyNode[] = [root];
    if (!cursor.gotoFirstChild()) return root;
    for (;;) {
      if (++copied % 4096 === 0 && (copied > MAX_COPIED_NODES || shouldStop())) return null;
      const node = current();
      stack[stack.length - 1]!.append(node, language.fields[cursor.currentFieldId] ?? null);
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return root;
        const done = stack.pop()!;
        done.seal();
        // append() ran before this node's children were read: pass their errors up now.
        if ((done.flags & ERROR) !== 0 && stack.length > 0) stack[stack.length - 1]!.markError();
        if (stack.length === 0) return root;
      }
    }
  } finally {
    cursor.delete();
  }
}
