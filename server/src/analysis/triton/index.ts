// Entry point of the Triton (Python) analysis: from a tree-sitter Python module to kernels, autotune
// configs, launches, tile parameters and problems. Pure and total: it never throws on bad input; a
// failure inside becomes a problem and whatever was found so far is returned.
import type { SyntaxNode } from './tree';
import type { AnalysisOptions, FileAnalysis } from '../types';
import { attachedAnnotations, collectAnnotations, type Annotation } from './annotations';
import { readConfigs } from './configs';
import { Evaluator } from './evaluate';
import { findKernels, type TritonKernel } from './kernels';
import { findLaunchCalls, readLaunch } from './launches';
import { importedTarget, moduleKernel, type TritonModuleContext } from './modules';
import { resolveProblem } from './problem-size';
import { collectImports, ScopeSet, starImports } from './scopes';
import { enclosing, LineIndex } from './syntax';
import { syntaxProblems } from './syntax-problems';
import { constexprDefaults, moduleConstants } from './tile-params';
import { torchGemmCalls } from './torch-calls';

/** `modules`: the Python modules the file imports, whose kernels its launches may name (modules.ts). */
export function analyzeTritonTree(root: SyntaxNode, text: string, options: AnalysisOptions, modules: readonly TritonModuleContext[] = []): FileAnalysis {
  const result: FileAnalysis = { language: 'triton', kernels: [], launches: [], tileParams: [], libraryCalls: [], problems: [] };
  try {
    analyze(root, text, options, result, modules);
  } catch (error) {
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

function analyze(root: SyntaxNode, text: string, options: AnalysisOptions, result: FileAnalysis, modules: readonly TritonModuleContext[]): void {
  const lines = new LineIndex(text);
  result.problems.push(...syntaxProblems(root, lines));
  const imports = collectImports(root);
  const scopes = new ScopeSet(root, new Evaluator(imports));
  const annotations = collectAnnotations(root, lines, result.problems);

  const { kernels } = findKernels(root, scopes, lines, annotations, result.problems);
  result.tileParams.push(...moduleConstants(root, scopes));
  const seenConfigTiles = new Set<string>();
  for (const kernel of kernels) {
    readConfigs(kernel, scopes, result.tileParams, result.problems, seenConfigTiles);
    result.tileParams.push(...constexprDefaults(kernel, scopes));
    result.kernels.push(kernel.info);
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
  const launches = found.map(({ call, name, kernel }) =>
    readLaunch(call, name, kernel ?? visibleKernel(kernels, name, call), scopes, result.tileParams, result.problems),
  );
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
  const kernelAnnotations = new Map<string, Annotation[]>();
  for (const kernel of kernels) {
    const own = [
      ...attachedAnnotations(annotations, kernel.outer, lines),
      ...annotations.filter((annotation) => annotation.range.start >= kernel.definition.startIndex && annotation.range.end <= kernel.definition.endIndex),
    ];
    own.forEach((annotation) => attached.add(annotation));
    kernelAnnotations.set(kernel.info.name, own);
  }
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
      : (kernelAnnotations.get(launch.site.kernel) ?? []);
    const chain = [...launchAnnotations[index], ...kernelChain, ...fileLevel];
    launch.site.problem = resolveProblem(launch, chain, options);
    result.launches.push(launch.site);
  });
  result.libraryCalls.push(...torchGemmCalls(root, text, scopes));
}
