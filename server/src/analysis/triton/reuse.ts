// Per-kernel and per-launch results of a Triton file's previous analysis, reused while what they read is
// unchanged. Each result is computed with its own scopes (ScopeSet) while its reads are recorded (tree.ts):
// the units whose nodes it navigated and the file-wide lookups it made with what they found. It is reused
// when every such unit is still in the file (its text unchanged) and every lookup finds the same nodes, and
// its ranges are moved with the units they lie in. Plain data; the owner (SourceDocument) keeps one cache
// per document. It must not analyse: index.ts computes, this file files and checks.
import type { AnalysisOptions } from '../types';
import type { TritonModuleContext } from './modules';
import type { ModuleIndex } from './scopes';
import { PyNode, recordReads, type Reads, type SyntaxNode, type UnitText } from './tree';

/** A result with what computing it read; `bases` are the read units' offsets then, ascending by where their own text starts. */
export interface Computed<T> {
  value: T;
  reads: Reads;
  bases: Array<{ unit: UnitText; base: number }>;
}

/** What every entry of one analysis shares; entries are dropped when any of it changes. */
export interface SharedContext {
  /** The module's imports, as text. */
  imports: string;
  options: AnalysisOptions;
  modules: readonly TritonModuleContext[];
  /** The jit helpers' definitions, in order (kernels follow their tl.dot). */
  helpers: SyntaxNode[];
  /** The units' order (units.ts): a unit moved past another changes what is visible where. */
  layout: number;
}

export interface TritonAnalysisCache {
  context: SharedContext | null;
  /** By a kernel's definition node: the annotated dtype it was read with, and the reading. */
  kernels: Map<SyntaxNode, { annotatedDtype: string | null; computed: Computed<unknown> }>;
  /** By a launch's call node: the kernel name and the kernel (its entry, or an imported kernel) it was read with. */
  launches: Map<SyntaxNode, { name: string; kernel: unknown; computed: Computed<unknown> }>;
}

export function createTritonCache(): TritonAnalysisCache {
  return { context: null, kernels: new Map(), launches: new Map() };
}

/** Whether `a` and `b` are the same context (entries of `a` may serve `b`). */
export function sameContext(a: SharedContext | null, b: SharedContext): boolean {
  if (!a || a.imports !== b.imports || a.options !== b.options || a.layout !== b.layout) return false;
  const same = (x: readonly unknown[], y: readonly unknown[]) => x.length === y.length && x.every((item, i) => item === y[i]);
  return same(a.modules, b.modules) && same(a.helpers, b.helpers);
}

/** Runs `work` with its reads recorded. */
export function computed<T>(work: () => T): Computed<T> {
  const { value, reads } = recordReads(work);
  const bases = [...reads.units].map((unit) => ({ unit, base: unit.base })).sort((a, b) => a.base + (a.unit.skip ?? 0) - b.base - (b.unit.skip ?? 0));
  return { value, reads, bases };
}

/**
 * Whether a result computed earlier holds now: every unit it read is in the file of `generation` (the
 * module node's), and every file-wide lookup it made finds the same nodes in `index`.
 */
export function stillValid(entry: Computed<unknown>, index: ModuleIndex, generation: number): boolean {
  for (const unit of entry.reads.units) if (unit.generation !== generation) return false;
  for (const { key, nodes } of entry.reads.lookups) {
    const now = index.lookup(key);
    if (now.length !== nodes.length) return false;
    for (let i = 0; i < now.length; i++) if (now[i] !== nodes[i]) return false;
  }
  return true;
}

/** The assembly number of the file `root` belongs to (units.ts), or null for a tree not assembled from units. */
export function generationOf(root: SyntaxNode): number | null {
  return root instanceof PyNode ? root.generation : null;
}

/**
 * `value` (plain data) with every `{ start, end }` range moved as the unit it lies in moved since `entry`
 * was computed; null when a range lies in no unit the entry read (it cannot be moved safely).
 */
export function rebased<T>(value: T, entry: Computed<unknown>): T | null {
  const { bases } = entry;
  if (bases.every(({ unit, base }) => unit.base === base)) return value;
  const delta = (offset: number): number | null => {
    let low = 0;
    let high = bases.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (bases[middle]!.base + (bases[middle]!.unit.skip ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    // A unit covers its text from `skip` on (a class method's chunk is parsed under a stub line).
    const found = bases[low];
    if (!found || found.base + (found.unit.skip ?? 0) > offset || offset > found.base + found.unit.text.length) return null;
    return found.unit.base - found.base;
  };
  let failed = false;
  const copy = (item: unknown): unknown => {
    if (failed || item === null || typeof item !== 'object') return item;
    if (Array.isArray(item)) return item.map(copy);
    if (item instanceof Map || item instanceof Set) return item;
    const record = item as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 2 && typeof record.start === 'number' && typeof record.end === 'number') {
      const start = delta(record.start);
      const end = record.end === record.start ? start : delta(Math.max(record.start, record.end - 1));
      if (start === null || end === null) {
        failed = true;
        return item;
      }
      return { start: record.start + start, end: record.end + end };
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = copy(record[key]);
    return out;
  };
  const result = copy(value) as T;
  return failed ? null : result;
}
