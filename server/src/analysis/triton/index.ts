// Entry point of the Triton (Python) analysis: from a Python module to kernels, autotune configs, launches,
// tile parameters and problems. Pure and total: it never throws on bad input; a failure inside becomes a
// problem and whatever was found so far is returned. Each kernel and each launch is read with its own
// scopes, its reads recorded, and reused from the document's cache while they hold (reuse.ts).
import type { AnalysisOptions, FileAnalysis, Problem, TileParam } from '../types';
import { attachedAnnotations, collectAnnotations, type Annotation } from './annotations';
import { onceEach } from './configs';
import { Evaluator } from './evaluate';
import { discoverKernels, kernelAnnotations, type KernelReading, readKernelWhole, type TritonKernel } from './kernels';
import { type FoundLaunch, findLaunchCalls, readLaunch } from './launches';
import { importedTarget, moduleKernel, type TritonModuleContext } from './modules';
import { resolveProblem } from './problem-size';
import { computed, type Computed, generationOf, rebased, sameContext, type SharedContext, stillValid, type TritonAnalysisCache } from './reuse';
import { collectImports, ModuleIndex, ScopeSet, starImports } from './scopes';
import { enclosing, LineIndex } from './syntax';
import { syntaxProblems } from './syntax-problems';
import { moduleConstants } from './tile-params';
import { torchGemmCalls } from './torch-calls';
import { ModuleNode, type SyntaxNode } from './tree';

/**
 * `modules`: the Python modules the file imports, whose kernels its launches may name (modules.ts).
 * `cache`: the document's results of its previous analysis (reuse.ts), updated here; none for a tree
 * not assembled from units (a test's tree-sitter tree).
 */
export function analyzeTritonTree(
  root: SyntaxNode,
  text: string,
  options: AnalysisOptions,
  modules: readonly TritonModuleContext[] = [],
  cache?: TritonAnalysisCache,
): FileAnalysis {
  const result: FileAnalysis = { language: 'triton', kernels: [], launches: [], tileParams: [], libraryCalls: [], problems: [] };
  try {
    analyze(root, text, options, result, modules, cache);
  } catch (error) {
    if (cache) cache.context = null;
    result.problems.push({ range: { start: 0, end: 0 }, message: `internal error in Triton analysis: ${String(error).slice(0, 200)}`, severity: 'error' });
  }
  return result;
}

/**
 * The kernel a launch by `name` refers to: one defined in the same function as the launch (kernels
 * nested in wrapper functions often share a name such as `kernel`), else a module-level one.
 */
function visibleKernel(kernels: TritonKernel[], name: string, call: SyntaxNode): TritonKernel | null {
  const candidates = kernels.filter((kernel) => kernel.info.name === name);
  if (candidates.length <= 1) return candidates[0] ?? null;
  const home = (node: SyntaxNode) => enclosing(node, ['function_definition'])?.id ?? null;
  const launchHome = home(call);
  return candidates.find((kernel) => home(kernel.definition) === launchHome) ?? candidates.find((kernel) => home(kernel.definition) === null) ?? candidates[0];
}

interface LaunchReading {
  found: FoundLaunch;
  tileParams: TileParam[];
  problems: Problem[];
}

function analyze(
  root: SyntaxNode,
  text: string,
  options: AnalysisOptions,
  result: FileAnalysis,
  modules: readonly TritonModuleContext[],
  cache: TritonAnalysisCache | undefined,
): void {
  const lines = new LineIndex(text);
  result.problems.push(...syntaxProblems(root, lines));
  const imports = collectImports(root);
  // For the file-wide passes. Each kernel and launch below gets its own evaluator, so its step budget (300,000
  // evaluation steps; the fixtures and the bench file need at most about 6,400 per file) does not depend on
  // what was computed before it.
  const evaluator = new Evaluator(imports);
  const moduleIndex = new ModuleIndex(root);
  const scopes = new ScopeSet(root, evaluator, moduleIndex);
  const annotations = collectAnnotations(root, lines, result.problems);
  const { candidates, helpers } = discoverKernels(root, evaluator, result.problems);

  const generation = cache ? generationOf(root) : null;
  const context: SharedContext = {
    imports: JSON.stringify([...imports]),
    options,
    modules,
    helpers: [...helpers.values()],
    layout: root instanceof ModuleNode ? root.layout : 0,
  };
  const reuse = cache && generation !== null && sameContext(cache.context, context) ? cache : null;
  const kernelEntries: TritonAnalysisCache['kernels'] = new Map();
  const launchEntries: TritonAnalysisCache['launches'] = new Map();

  result.tileParams.push(...moduleConstants(root, scopes));
  const seenConfigTiles = new Set<string>();
  const kernels: TritonKernel[] = [];
  const entryOfKernel = new Map<TritonKernel, unknown>();
  const kernelAnnotationsByName = new Map<string, Annotation[]>();
  for (const candidate of candidates) {
    const own = kernelAnnotations(annotations, candidate, lines);
    const annotatedDtype = own.find((annotation) => annotation.dtype !== null)?.dtype ?? null;
    let entry = reuse?.kernels.get(candidate.definition);
    let reading =
      entry && entry.annotatedDtype === annotatedDtype && generation !== null
        ? reusedKernel(entry.computed as Computed<KernelReading>, moduleIndex, generation)
        : null;
    if (!reading) {
      const fresh = computed(() => readKernelWhole(candidate, new ScopeSet(root, new Evaluator(imports), moduleIndex), helpers, annotatedDtype));
      entry = { annotatedDtype, computed: fresh };
      reading = fresh.value;
    }
    kernelEntries.set(candidate.definition, entry!);
    entryOfKernel.set(reading.kernel, entry);
    kernels.push(reading.kernel);
    result.tileParams.push(...onceEach(reading.tileParams, seenConfigTiles));
    result.problems.push(...reading.problems);
    result.kernels.push(reading.kernel.info);
    kernelAnnotationsByName.set(reading.kernel.info.name, own);
  }

  const byName = new Map<string, TritonKernel>(kernels.map((kernel) => [kernel.info.name, kernel]));
  const imported = new Set<string>();
  for (const [local, target] of imports) {
    if (target !== local && !/^(triton|torch|numpy|typing|os|sys|math|functools|itertools|dataclasses)\b/.test(target)) imported.add(local);
  }
  // Kernels of imported modules the file launches, each once, and the modules they come from.
  const fromModules = new Map<TritonKernel, TritonModuleContext>();
  // A name no import binds may come from a star import (`from .kernels import *`): looked up in those modules.
  const stars = modules.length > 0 ? starImports(root) : [];
  const resolveImported = (target: SyntaxNode): TritonKernel | null => {
    const qualified = modules.length > 0 ? importedTarget(target, imports) : null;
    let found = qualified ? moduleKernel(modules, qualified) : null;
    if (!found && !qualified && target.type === 'identifier') for (const star of stars) if ((found = moduleKernel(modules, `${star}.${target.text}`))) break;
    if (found) fromModules.set(found.kernel, found.module);
    return found?.kernel ?? null;
  };
  const found = findLaunchCalls(root, byName, imported, resolveImported);
  const launches = found.map(({ call, name, kernel: named }): FoundLaunch => {
    const kernel = named ?? visibleKernel(kernels, name, call);
    const module = kernel ? fromModules.get(kernel) : undefined;
    // What the launch was read with: its kernel's entry (reused or not), or an imported kernel.
    const kernelRef = kernel ? (module ? kernel : entryOfKernel.get(kernel)) : null;
    let entry = reuse?.launches.get(call);
    let reading =
      entry && entry.name === name && entry.kernel === kernelRef && generation !== null
        ? reusedLaunch(entry.computed as Computed<LaunchReading>, moduleIndex, generation)
        : null;
    if (!reading) {
      const fresh = computed((): LaunchReading => {
        const own = new ScopeSet(root, new Evaluator(imports), moduleIndex);
        const tileParams: TileParam[] = [];
        const problems: Problem[] = [];
        return { found: readLaunch(call, name, kernel, own, module && kernel ? kernel.scopes : own, tileParams, problems), tileParams, problems };
      });
      entry = { name, kernel: kernelRef, computed: fresh };
      reading = fresh.value;
    }
    launchEntries.set(call, entry!);
    result.tileParams.push(...reading.tileParams);
    result.problems.push(...reading.problems);
    // The site gets its problem size below: a copy, so the cached one stays as read.
    return { ...reading.found, kernel, site: { ...reading.found.site } };
  });
  if (cache) {
    cache.context = generation !== null ? context : null;
    cache.kernels = kernelEntries;
    cache.launches = launchEntries;
  }
  if (fromModules.size > 0) {
    result.includedKernels = [...fromModules.keys()].map((kernel) => kernel.info);
    // The launched kernels' own tile parameters (constexpr defaults, config values), edited in their
    // module; the module's other constants do not join the file's.
    const within = (inner: { start: number; end: number }, outer: { start: number; end: number }) => inner.start >= outer.start && inner.end <= outer.end;
    const params = [...fromModules].flatMap(([kernel, module]) =>
      module.tileParams.filter((p) => within(p.range, kernel.info.range) || kernel.info.configs.some((c) => within(p.range, c.range))),
    );
    if (params.length > 0) result.includedTileParams = [...new Set(params)];
  }

  // Annotations attached to a kernel or a launch are theirs; the rest at module level apply file-wide.
  const attached = new Set<Annotation>();
  for (const own of kernelAnnotationsByName.values()) own.forEach((annotation) => attached.add(annotation));
  const launchAnnotations = launches.map((launch) => {
    const own = attachedAnnotations(annotations, launch.call, lines);
    own.forEach((annotation) => attached.add(annotation));
    return own;
  });
  const fileLevel = annotations.filter((annotation) => annotation.topLevel && !attached.has(annotation));
  launches.forEach((launch, index) => {
    const module = launch.kernel ? fromModules.get(launch.kernel) : undefined;
    const kernelChain = module
      ? [...(module.kernelAnnotations.get(launch.site.kernel) ?? []), ...module.moduleAnnotations]
      : (kernelAnnotationsByName.get(launch.site.kernel) ?? []);
    const chain = [...launchAnnotations[index], ...kernelChain, ...fileLevel];
    launch.site.problem = resolveProblem(launch, chain, options);
    result.launches.push(launch.site);
  });
  result.libraryCalls.push(...torchGemmCalls(root, text, scopes));
}

/** A kernel's earlier reading, still valid, with its ranges moved; null when it must be read again. */
function reusedKernel(entry: Computed<KernelReading>, index: ModuleIndex, generation: number): KernelReading | null {
  if (!stillValid(entry, index, generation)) return null;
  const old = entry.value;
  const moved = rebased({ info: old.kernel.info, tileParams: old.tileParams, problems: old.problems }, entry);
  if (!moved) return null;
  return moved.info === old.kernel.info ? old : { kernel: { ...old.kernel, info: moved.info }, tileParams: moved.tileParams, problems: moved.problems };
}

/** A launch's earlier reading, still valid, with its ranges moved; null when it must be read again. */
function reusedLaunch(entry: Computed<LaunchReading>, index: ModuleIndex, generation: number): LaunchReading | null {
  if (!stillValid(entry, index, generation)) return null;
  const old = entry.value;
  const moved = rebased({ site: old.found.site, tileParams: old.tileParams, problems: old.problems }, entry);
  if (!moved) return null;
  return { found: { ...old.found, site: moved.site }, tileParams: moved.tileParams, problems: moved.problems };
}
