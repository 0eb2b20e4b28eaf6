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

/** The layout of one analysed text, filed in the document's cache (only for trees without errors). */
export interface FileStructure {
  source: string;
  /** KernelContext.textReadable of that analysis: kernel names are read differently without it. */
  textReadable: boolean;
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

/** The previous layout, when `change` (with tree-sitter's ranges) stays strictly inside one of its functions; else null. */
export function carryStructure(previous: FileStructure | null, change: TextChange | null, treeHasError: boolean, textReadable: boolean): CarriedStructure | null {
  if (!previous || !change || treeHasError || change.source !== previous.source || !change.treeChanges || previous.textReadable !== textReadable) return null;
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
  const functionRanges = new Array<{ start: number; end: number }>(ranges.length);
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!;
    functionRanges[i] = i < edited ? range : i === edited ? { start: range.start, end: range.end + delta } : { start: range.start + delta, end: range.end + delta };
  }
  return { functionRanges, previous, change, fresh };
}

/** The offset in the previous text of `offset` in the new one, outside the carried structure's fresh region. */
function previousOffset(carried: CarriedStructure, offset: number): number {
  return offset < carried.change.start ? offset : offset - (carried.change.newEnd - carried.change.oldEnd);
}

/** The new offset of `offset` of the previous text, which lies outside the change. */
function movedOffset(carried: CarriedStructure, offset: number): number {
  return offset < carried.change.start ? offset : offset + (carried.change.newEnd - carried.change.oldEnd);
}

/**
 * The kernel definitions of the file, as findKernelDefinitions finds them: carried over for keywords
 * outside the fresh region (nodes looked up only when read), looked up in the tree for the others.
 * Fills `sites` with what each keyword found, for the next analysis.
 */
export function kernelSpansOf(
  root: Node,
  parseText: string,
  keywords: CudaKeyword[],
  carried: CarriedStructure | null,
  sites: Map<number, KernelSite>,
): { spans: Array<KernelSpan & { site: KernelDefinitionSite }>; inMacros: CudaKeyword[] } {
  const spans: Array<KernelSpan & { site: KernelDefinitionSite }> = [];
  const inMacros: CudaKeyword[] = [];
  const seen = new Set<number>();
  for (const keyword of keywords) {
    if (keyword.keyword !== '__global__') continue;
    const at = skipSpaces(parseText, keyword.end);
    const lookUp = () => ancestorOfType(root.descendantForIndex(at), ['function_definition', 'preproc_def', 'preproc_function_def', 'declaration', 'translation_unit'], 64);
    // What the tree has at `at` (its ancestors) is unchanged outside the fresh region.
    const outside = carried !== null && (at < carried.fresh.start || keyword.start >= carried.fresh.end);
    const old = outside ? carried.previous.kernelSites.get(previousOffset(carried, keyword.start)) : undefined;
    let site: KernelSite;
    let node: Node | null = null;
    if (old) {
      if (old.kind !== 'kernel') site = old;
      else {
        const moved = { kind: 'kernel' as const, definitionStart: movedOffset(carried!, old.definitionStart), definitionEnd: movedOffset(carried!, old.definitionEnd), start: movedOffset(carried!, old.start), isTemplate: old.isTemplate };
        // The edited function's own name may have changed; only kernels clear of the edit keep theirs.
        const clear = moved.definitionEnd <= carried!.fresh.start || moved.definitionStart >= carried!.fresh.end;
        site = clear && old.name !== undefined ? { ...moved, name: old.name } : moved;
      }
    } else {
      node = lookUp();
      if (!node) site = { kind: 'other' };
      else if (node.type === 'preproc_def' || node.type === 'preproc_function_def') site = { kind: 'macro' };
      else if (node.type !== 'function_definition') site = { kind: 'other' };
      else {
        const parent = node.parent;
        const isTemplate = parent?.type === 'template_declaration';
        site = { kind: 'kernel', definitionStart: node.startIndex, definitionEnd: node.endIndex, start: isTemplate ? parent!.startIndex : node.startIndex, isTemplate };
      }
    }
    sites.set(keyword.start, site);
    if (site.kind === 'macro') inMacros.push(keyword);
    if (site.kind !== 'kernel' || seen.has(site.definitionStart)) continue;
    seen.add(site.definitionStart);
    spans.push(lazySpan(site, node, lookUp, root));
  }
  return { spans, inMacros };
}

/** A KernelSpan whose node is looked up only when something reads it (a cache miss, an unusual head). */
function lazySpan(site: KernelDefinitionSite, known: Node | null, lookUp: () => Node | null, root: Node): KernelSpan & { site: KernelDefinitionSite } {
  let node = known;
  return {
    definitionStart: site.definitionStart,
    definitionEnd: site.definitionEnd,
    start: site.start,
    isTemplate: site.isTemplate,
    site,
    get node(): Node {
      if (!node) {
        const found = ancestorOfType(root.descendantForIndex(site.definitionStart), ['function_definition'], 64);
        node = found && found.startIndex === site.definitionStart && found.endIndex === site.definitionEnd ? found : lookUp()!;
      }
      return node;
    },
  };
}
