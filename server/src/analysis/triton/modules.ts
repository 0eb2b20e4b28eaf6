// Python modules a Triton file imports (`from .kernels import matmul_kernel`, `import kernels`), as context
// for the file's analysis: a launch of a kernel that only an imported module defines is read with that
// kernel's parameters, autotune configs, constexpr defaults and annotations, all folded in its own module.
// A module that only re-exports the kernel (`pkg/__init__.py`: `from .kernels import matmul_kernel`) leads
// to the module that defines it, when the caller supplied that one too.
// Pure: the caller (language server, command line) finds and reads the modules and parses them; nothing
// here does I/O, and nothing here reports problems in a module.
import type { SyntaxNode } from './tree';
import type { Problem, TileParam } from '../types';
import { collectAnnotations, type Annotation } from './annotations';
import { onceEach } from './configs';
import { Evaluator, type ImportTable } from './evaluate';
import { discoverKernels, kernelAnnotations, readKernelWhole, type TritonKernel } from './kernels';
import { collectImports, ScopeSet, starImports } from './scopes';
import { field, LineIndex } from './syntax';
import { moduleConstants } from './tile-params';

/** One imported module, read once per version of its text. Holds its tree's nodes: valid while its document lives. */
export interface TritonModuleContext {
  kind: 'triton-module';
  /** The module as the importing file's `import` writes it (`.kernels`, `kernels`, `pkg.ops`). */
  name: string;
  text: string;
  /** Differs between any two contexts made in one process: analysis caches compare these, not the texts. */
  id: number;
  /** The module's `@triton.jit` kernels by name (KernelInfo.header set: ranges are offsets in the module). */
  kernels: Map<string, TritonKernel>;
  /** `# tilecast:` annotations on or in each kernel, and those at module level attached to nothing. */
  kernelAnnotations: Map<string, Annotation[]>;
  moduleAnnotations: Annotation[];
  /** The module's tile constants, autotune config values and constexpr defaults (TileParam.header set). */
  tileParams: TileParam[];
  /** The module's own imports (`matmul_kernel` → `.kernels.matmul_kernel`, in the module's terms): its re-exports. */
  imports: ImportTable;
  /** The modules it star-imports (`from .kernels import *` → `.kernels`, in the module's terms): re-exports too. */
  starImports: string[];
}

let nextId = 1;

/** Reads an imported module's kernels from its tree (`root`, of `text`). */
export function moduleContext(name: string, root: SyntaxNode, text: string): TritonModuleContext {
  const lines = new LineIndex(text);
  const ignored: Problem[] = [];
  const imports = collectImports(root);
  const scopes = new ScopeSet(root, new Evaluator(imports));
  const annotations = collectAnnotations(root, lines, ignored);
  const { candidates, helpers } = discoverKernels(root, scopes.evaluator, ignored);
  const tileParams: TileParam[] = moduleConstants(root, scopes);
  const seen = new Set<string>();
  const byName = new Map<string, TritonKernel>();
  const kernelAnnotationsByName = new Map<string, Annotation[]>();
  const attached = new Set<Annotation>();
  for (const candidate of candidates) {
    const own = kernelAnnotations(annotations, candidate, lines);
    const { kernel, tileParams: kernelTiles } = readKernelWhole(candidate, scopes, helpers, own.find((a) => a.dtype !== null)?.dtype ?? null);
    tileParams.push(...onceEach(kernelTiles, seen));
    kernel.info.header = { name, text: text.slice(kernel.info.range.start, kernel.info.range.end), offset: kernel.info.range.start };
    if (!byName.has(kernel.info.name)) byName.set(kernel.info.name, kernel);
    own.forEach((a) => attached.add(a));
    kernelAnnotationsByName.set(kernel.info.name, own);
  }
  return {
    kind: 'triton-module',
    name,
    text,
    id: nextId++,
    kernels: byName,
    kernelAnnotations: kernelAnnotationsByName,
    moduleAnnotations: annotations.filter((a) => a.topLevel && !attached.has(a)),
    tileParams: tileParams.map((p) => ({ ...p, header: name })),
    imports,
    starImports: starImports(root),
  };
}

/**
 * The dotted name a launch's target refers to through the file's imports: `mk` → `.kernels.matmul_kernel`
 * for `from .kernels import matmul_kernel as mk`; `K.matmul_kernel` → `pkg.kernels.matmul_kernel` for
 * `import pkg.kernels as K`. Null for a name the file does not import.
 */
export function importedTarget(target: SyntaxNode, imports: ImportTable): string | null {
  if (target.type === 'identifier') return imports.get(target.text) ?? null;
  if (target.type !== 'attribute') return null;
  const object = field(target, 'object');
  const attribute = field(target, 'attribute');
  if (!object || !attribute) return null;
  const parts = object.text.split('.').map((p) => p.trim());
  const head = imports.get(parts[0] ?? '');
  if (!head || !parts.every((p) => /^\w+$/.test(p))) return null;
  return [head, ...parts.slice(1), attribute.text].join('.');
}

/** The module name one package level up: `.ops` → `.`, `.` → `..`, `pkg.ops` → `pkg`; null above an absolute top level. */
function parentModule(name: string): string | null {
  if (/^\.+$/.test(name)) return `${name}.`;
  const dot = name.lastIndexOf('.');
  if (dot < 0) return null;
  return dot === 0 || name[dot - 1] === '.' ? name.slice(0, dot + 1) : name.slice(0, dot);
}

/**
 * A name `imported` in module `moduleName` (the importing file's terms), in the importing file's terms:
 * absolute names stay; `.kernels.mm` in a package (`pkg/__init__.py`, `moduleName` `.pkg`) is
 * `.pkg.kernels.mm`, in a plain module (`ops.py`, `.ops`) `.kernels.mm`. Null when it climbs past the top.
 */
export function qualifyImported(moduleName: string, isPackage: boolean, imported: string): string | null {
  const dots = /^\.*/.exec(imported)![0].length;
  if (dots === 0) return imported;
  let base: string | null = isPackage ? moduleName : parentModule(moduleName);
  for (let i = 1; i < dots && base !== null; i++) base = parentModule(base);
  if (base === null) return null;
  const rest = imported.slice(dots);
  return base.endsWith('.') ? `${base}${rest}` : `${base}.${rest}`;
}

/**
 * The imported kernel a dotted target names (`.kernels.matmul_kernel`), from the module imported under that
 * name, or through that module's re-export of it, by name or by a star import (at most `depth` more modules). Whether a module is a
 * package is not recorded, so a relative re-export is tried as a package's first: both files cannot be
 * the module, and the caller reads only files that exist.
 */
export function moduleKernel(modules: readonly TritonModuleContext[], target: string, depth = 3): { module: TritonModuleContext; kernel: TritonKernel } | null {
  const dot = target.lastIndexOf('.');
  if (dot <= 0) return null;
  const moduleName = target.slice(0, dot);
  const kernelName = target.slice(dot + 1);
  for (const module of modules) {
    if (module.name !== moduleName) continue;
    const kernel = module.kernels.get(kernelName);
    if (kernel) return { module, kernel };
    if (depth <= 0) continue;
    const reexported = module.imports.get(kernelName);
    const from = reexported ? [reexported] : module.starImports.map((star) => `${star}.${kernelName}`);
    for (const imported of from)
      for (const isPackage of [true, false]) {
        const next = qualifyImported(moduleName, isPackage, imported);
        const found = next && next !== target ? moduleKernel(modules, next, depth - 1) : null;
        if (found) return found;
      }
  }
  return null;
}
