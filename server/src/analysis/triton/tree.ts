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
 * keep offsets relative to it, so a unit that moves (an edit above it) only changes `base`.
 */
export interface UnitText {
  readonly text: string;
  base: number;
}

let nextId = 1;
const NAMED = 1;
const MISSING = 2;
const ERROR = 4;

export class PyNode implements SyntaxNode {
  readonly id = nextId++;
  parent: PyNode | null = null;
  readonly children: PyNode[] = [];
  /** Field name of each child, parallel to children; null while no child has one. */
  fields: Array<string | null> | null = null;
  private named: PyNode[] | null = null;

  constructor(
    readonly type: string,
    private readonly unit: UnitText,
    private readonly start: number,
    private readonly end: number,
    private flags: number,
  ) {}

  get startIndex(): number {
    return this.unit.base + this.start;
  }
  get endIndex(): number {
    return this.unit.base + this.end;
  }
  get text(): string {
    return this.unit.text.slice(this.start, this.end);
  }
  get isNamed(): boolean {
    return (this.flags & NAMED) !== 0;
  }
  get isMissing(): boolean {
    return (this.flags & MISSING) !== 0;
  }
  /** Whether this node is, or contains, an ERROR or a MISSING node (tree-sitter's hasError). */
  get hasError(): boolean {
    return (this.flags & ERROR) !== 0;
  }
  get namedChildren(): PyNode[] {
    if (!this.named) this.named = this.children.filter((child) => child.isNamed);
    return this.named;
  }

  childForFieldName(name: string): PyNode | null {
    const fields = this.fields;
    if (!fields) return null;
    for (let i = 0; i < fields.length; i++) if (fields[i] === name) return this.children[i]!;
    return null;
  }

  childrenForFieldName(name: string): PyNode[] {
    const fields = this.fields;
    return fields ? this.children.filter((_, i) => fields[i] === name) : [];
  }

  /** Descendants of these types in document order, this node excluded (tree-sitter's order and exclusion). */
  descendantsOfType(types: string | string[]): PyNode[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const found: PyNode[] = [];
    const visit = (node: PyNode): void => {
      for (const child of node.children) {
        if (wanted.includes(child.type)) found.push(child);
        if (child.children.length > 0) visit(child);
      }
    };
    visit(this);
    return found;
  }

  /** Adds a child (building a tree); marks this node as containing an error when the child does. */
  append(child: PyNode, field: string | null): void {
    child.parent = this;
    if (field !== null && !this.fields) this.fields = this.children.map(() => null);
    this.children.push(child);
    this.fields?.push(field);
    this.named = null;
    if (child.hasError) this.flags |= ERROR;
  }

  /** Marks this node as containing an error (a descendant read after it was appended has one). */
  markError(): void {
    this.flags |= ERROR;
  }

  /** A node with the given children and no parent: the module node over the units' top-level nodes. */
  static module(unit: UnitText, start: number, end: number, children: readonly PyNode[]): PyNode {
    const root = new PyNode('module', unit, start, end, NAMED);
    for (const child of children) root.append(child, null);
    return root;
  }
}

/**
 * A copy of `tree` (parsed from `unit.text`, offsets relative to it): its root and every node below,
 * anonymous ones included (MISSING tokens are anonymous). One cursor walk; the tree may be deleted after.
 */
export function copyTree(tree: Tree, unit: UnitText): PyNode {
  const language = tree.language as Language & { types: string[]; fields: Array<string | null> };
  const cursor = tree.walk();
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
      const node = current();
      stack[stack.length - 1]!.append(node, language.fields[cursor.currentFieldId] ?? null);
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return root;
        const done = stack.pop()!;
        // append() ran before this node's children were read: pass their errors up now.
        if (done.hasError && stack.length > 0) stack[stack.length - 1]!.markError();
        if (stack.length === 0) return root;
      }
    }
  } finally {
    cursor.delete();
  }
}
