// The tree-derived layout of a file that the analysis reads before anything else: the ranges of
// top-level functions (scopes.ts outlineTopLevel) and what each `__global__` keyword belongs to
// (kernels.ts findKernelDefinitions). After an edit it is carried over from the previous analysis
// instead of walking the tree again, when the edit and every range tree-sitter reports as changed lie
// strictly inside one function: characters outside tree-sitter's changed ranges keep identical
// ancestor nodes, so every node reaching outside that function is the same node, moved by the edit.
// Pure data and node lookups by offset; it never walks the tree, and answers null when unsure.
import type { Node } from 'web-tree-sitter';
import type { TextChange } from './cache';
import type { KernelSpan } from './kernels';
import type { CudaKeyword } from './prepare';
import type { TopLevelOutline } from './scopes';
import { ancestorOfType, skipSpaces } from './syntax';

/** What the tree has at one `__global__` keyword (findKernelDefinitions). */
export type KernelSite =
  /** `name`: the kernel's name once analyze.ts read it (undefined: not read in this analysis). */
  | { kind: 'kernel'; definitionStart: number; definitionEnd: number; start: number; isTemplate: boolean; name?: string | null }
  /** Inside a `#define`. */
  | { kind: 'macro' }
  /** A declaration, or nothing found. */
  | { kind: 'other' };
export type KernelDefinitionSite = Extract<KernelSite, { kind: 'kernel' }>;

/**
 * The layout of one analysed text, filed in the document's cache. Also for trees with syntax errors:
 * the argument for carrying it over (nodes outside tree-sitter's changed ranges are the same nodes)
 * does not depend on the tree being valid, and the document adds the changed ranges of the re-parses
 * that resolve `<` and contain runaway errors to those of the edit.
 */
export interface FileStructure {
  source: string;
  functionRanges: Array<{ start: number; end: number }>;
  /** By keyword start. */
  kernelSites: Map<number, KernelSite>;
}

/** The previous layout moved through `change`, and the region of the new text whose layout must be read again. */
export interface CarriedStructure {
  functionRanges: Array<{ start: number; end: number }>;
  previous: FileStructure;
  change: TextChange;
  /** [start, end) in the new text: the inside of the edited function, where nothing is carried over. */
  fresh: { start: number; end: number };
}

/**
 * The previous layout, when `change` (with tree-sitter's ranges) stays strictly inside one of its functions
 * and the new tree still has that function, moved by the edit (`isOutlinedFunction`, a lookup by offset);
 * else null. tree-sitter's changed ranges can lie wholly inside a function whose extent changed: a `}`
 * typed into its body closes it early and what followed becomes new top-level items (found by the fuzz
 * test), so the edited function's new extent is checked in the tree, not assumed.
 */
export function carryStructure(
  previous: FileStructure | null,
  change: TextChange | null,
  isOutlinedFunction: (start: number, end: number) => boolean,
): CarriedStructure | null {
  if (!previous || !change || change.source !== previous.source || !change.treeChanges) return null;
  const ranges = previous.functionRanges;
  // The function holding the edit (functions do not overlap and are sorted).
  let low = 0;
  let high = ranges.length - 1;
  let edited = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const range = ranges[mid]!;
    if (change.start < range.start) high = mid - 1;
    else if (change.start >= range.end) low = mid + 1;
    else {
      edited = mid;
      break;
    }
  }
  if (edited < 0) return null;
  const fn = ranges[edited]!;
  const delta = change.newEnd - change.oldEnd;
  // Its first and last characters (and all outside it) must be untouched by the text and by the tree.
  const fresh = { start: fn.start + 1, end: fn.end + delta - 1 };
  if (change.start < fresh.start || change.oldEnd > fn.end - 1 || fresh.end <= fresh.start) return null;
  const changes = change.treeChanges;
  for (let i = 0; i < changes.length; i += 2) if (changes[i]! < fresh.start || changes[i + 1]! > fresh.end) return null;
  if (!isOutlinedFunction(fn.start, fn.end + delta)) return null;
  const functionRanges = new Array<{ start: number; end: number }>(ranges.length);
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!;
    functionRanges[i] =
      i < edited ? range : i === edited ? { start: range.start, end: range.end + delta } : { start: range.start + delta, end: range.end + delta };
  }
  return { functionRanges, previous, change, fresh };
}

/**
 * The kernel definitions of the file, as findKernelDefinitions finds them: carried over for keywords
 * outside the fresh region (nodes looked up only when read), looked up in the tree for the others.
 * `outline` (this tree's, given only when it has no syntax errors) answers the common lookup without
 * the tree. Fills `sites` with what each keyword found, for the next analysis.
 */
export function kernelSpansOf(
  root: Node,
  parseText: string,
  keywords: CudaKeyword[],
  carried: CarriedStructure | null,
  sites: Map<number, KernelSite>,
  outline: Pick<TopLevelOutline, 'functionRanges' | 'templateStarts'> | null,
): { spans: LazyKernelSpan[]; inMacros: CudaKeyword[] } {
  const spans: LazyKernelSpan[] = [];
  const inMacros: CudaKeyword[] = [];
  const seen = new Set<number>();
  const delta = carried ? carried.change.newEnd - carried.change.oldEnd : 0;
  for (const keyword of keywords) {
    if (keyword.keyword !== '__global__') continue;
    const at = skipSpaces(parseText, keyword.end);
    // What the tree has at `at` (its ancestors) is unchanged outside the fresh region.
    const outside = carried !== null && (at < carried.fresh.start || keyword.start >= carried.fresh.end);
    const old = outside ? carried.previous.kernelSites.get(keyword.start < carried.change.start ? keyword.start : keyword.start - delta) : undefined;
    let site: KernelSite;
    let node: Node | null = null;
    let fn: number;
    if (old) {
      if (old.kind !== 'kernel') site = old;
      else {
        const move = (offset: number) => (offset < carried!.change.start ? offset : offset + delta);
        const definitionStart = move(old.definitionStart);
        const definitionEnd = move(old.definitionEnd);
        // The edited function's own name may have changed; only kernels clear of the edit keep theirs.
        const clear = definitionEnd <= carried!.fresh.start || definitionStart >= carried!.fresh.end;
        site = { kind: 'kernel', definitionStart, definitionEnd, start: move(old.start), isTemplate: old.isTemplate, name: clear ? old.name : undefined };
      }
    } else if (outline && (fn = functionStartingAt(outline.functionRanges, at)) >= 0) {
      // The first leaf of a function definition has no declaration, macro or other function
      // definition between it and the definition (in a tree without errors), so kernelSiteNode
      // would find that definition; its parent is the template_declaration the outline saw, if any.
      const range = outline.functionRanges[fn]!;
      const templateStart = outline.templateStarts[fn]!;
      site = {
        kind: 'kernel',
        definitionStart: range.start,
        definitionEnd: range.end,
        start: templateStart >= 0 ? templateStart : range.start,
        isTemplate: templateStart >= 0,
        name: undefined,
      };
    } else {
      node = kernelSiteNode(root, at);
      if (!node) site = { kind: 'other' };
      else if (node.type === 'preproc_def' || node.type === 'preproc_function_def') site = { kind: 'macro' };
      else if (node.type !== 'function_definition') site = { kind: 'other' };
      else {
        const parent = node.parent;
        const isTemplate = parent?.type === 'template_declaration';
        site = {
          kind: 'kernel',
          definitionStart: node.startIndex,
          definitionEnd: node.endIndex,
          start: isTemplate ? parent!.startIndex : node.startIndex,
          isTemplate,
          name: undefined,
        };
      }
    }
    sites.set(keyword.start, site);
    if (site.kind === 'macro') inMacros.push(keyword);
    if (site.kind !== 'kernel' || seen.has(site.definitionStart)) continue;
    seen.add(site.definitionStart);
    spans.push(new LazyKernelSpan(site, node, at, root, keyword.start));
  }
  return { spans, inMacros };
}

/** The index of the range starting exactly at `offset` in sorted, disjoint `ranges`, or -1. */
function functionStartingAt(ranges: Array<{ start: number; end: number }>, offset: number): number {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const start = ranges[mid]!.start;
    if (offset < start) high = mid - 1;
    else if (offset > start) low = mid + 1;
    else return mid;
  }
  return -1;
}

/** What findKernelDefinitions looks up for a `__global__` keyword: the node around the first token after it. */
function kernelSiteNode(root: Node, at: number): Node | null {
  return ancestorOfType(root.descendantForIndex(at), ['function_definition', 'preproc_def', 'preproc_function_def', 'declaration', 'translation_unit'], 64);
}

/** A KernelSpan whose node is looked up only when something reads it (a cache miss, a kernel's name). */
export class LazyKernelSpan implements KernelSpan {
  readonly definitionStart: number;
  readonly definitionEnd: number;
  readonly start: number;
  readonly isTemplate: boolean;
  private known: Node | null;

  /**
   * `at`: the offset after the keyword, where the cold lookup starts. `keywordStart`: where the
   * `__global__` keyword is (it can lie before the definition's node, with `__launch_bounds__`).
   */
  constructor(
    readonly site: KernelDefinitionSite,
    node: Node | null,
    private readonly at: number,
    private readonly root: Node,
    readonly keywordStart: number,
  ) {
    this.definitionStart = site.definitionStart;
    this.definitionEnd = site.definitionEnd;
    this.start = site.start;
    this.isTemplate = site.isTemplate;
    this.known = node;
  }

  get node(): Node {
    if (!this.known) {
      const found = ancestorOfType(this.root.descendantForIndex(this.definitionStart), ['function_definition'], 64);
      this.known = found && found.startIndex === this.definitionStart && found.endIndex === this.definitionEnd ? found : kernelSiteNode(this.root, this.at)!;
    }
    return this.known;
  }
}
