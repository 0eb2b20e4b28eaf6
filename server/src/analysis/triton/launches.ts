// Finds Triton launches (`kernel[grid](args..., BLOCK_SIZE_M=128, num_warps=4)`) and folds what it
// can: meta-parameters, num_warps/num_stages, the grid (tuples, lambdas over META, grid variables)
// and the problem size. Values that do not fold stay null; nothing is invented.
import type { SyntaxNode } from './tree';
import type { FoldedValue, LaunchSite, Problem, TileParam } from '../types';
import { TRITON_DEFAULT_NUM_STAGES, TRITON_DEFAULT_NUM_WARPS } from './configs';
import { mayBeTile, TILE_NAME } from './tile-params';
import type { ScopeSet } from './scopes';
import { callArguments, calleeOf, field, moduleNodes, rangeOf } from './syntax';
import type { TritonKernel } from './kernels';
import { asInteger, asNumber, iterate, numberValue, UNKNOWN, type PyValue } from './values';

/** Keywords the Triton launcher consumes itself rather than passing to the kernel. */
const LAUNCH_OPTIONS = new Set(['num_warps', 'num_stages', 'num_ctas', 'maxnreg', 'enable_fp_fusion', 'grid', 'stream', 'warmup', 'launch_cooperative_grid']);

export interface FoundLaunch {
  site: LaunchSite;
  call: SyntaxNode;
  kernel: TritonKernel | null;
  /** Values of the kernel's parameters at this launch, by parameter name. */
  argumentValues: Map<string, PyValue>;
}

/**
 * Calls of the form `NAME[grid](...)` where NAME is a kernel of this file or an imported name; `imported`
 * gives the kernel an imported target (`mk`, `kernels.mm`) names in an imported module, if any.
 */
export function findLaunchCalls(
  root: SyntaxNode,
  kernels: Map<string, TritonKernel>,
  importedNames: Set<string>,
  imported: (target: SyntaxNode) => TritonKernel | null = () => null,
): { call: SyntaxNode; name: string; kernel?: TritonKernel }[] {
  const found: { call: SyntaxNode; name: string; kernel?: TritonKernel }[] = [];
  for (const node of moduleNodes(root).calls) {
    const target = calleeOf(node).subscripted;
    if (!target) continue;
    const name = target.type === 'identifier' ? target.text : target.type === 'attribute' ? field(target, 'attribute')?.text : undefined;
    if (!name) continue;
    // The file's own kernel of that name wins over an import; `module.kernel` is looked up in the module first.
    const other = target.type === 'identifier' && kernels.has(name) ? null : imported(target);
    if (other) found.push({ call: node, name: other.info.name, kernel: other });
    else if (kernels.has(name) || (target.type === 'identifier' && importedNames.has(name))) found.push({ call: node, name });
  }
  return found;
}

/** `home`: the scopes the kernel's parameter defaults fold in (an imported kernel's module's; else `scopes`). */
export function readLaunch(
  call: SyntaxNode,
  name: string,
  kernel: TritonKernel | null,
  scopes: ScopeSet,
  home: ScopeSet,
  tileParams: TileParam[],
  problems: Problem[],
): FoundLaunch {
  const evaluator = scopes.evaluator;
  const scope = scopes.scopeFor(call);
  const args = callArguments(call);
  const constexpr = new Set(kernel?.info.constexprParams ?? []);
  const kernelParameters = kernel?.parameters.filter((parameter) => parameter.kind === 'positional' || parameter.kind === 'keyword-only') ?? [];
  const parameterNames = new Set(kernelParameters.map((parameter) => parameter.name));

  const metaParams: Record<string, number | null> = {};
  const templateArgs: FoldedValue[] = [];
  const argumentValues = new Map<string, PyValue>();
  // `*args` takes as many parameters as it has items (`*bias_strides`, a known tuple); after one of
  // unknown length no positional argument is at a known parameter.
  const splatItems = (node: SyntaxNode): PyValue[] | null => {
    const inner = node.namedChildren[0];
    return inner ? iterate(evaluator.evaluate(inner, scope)) : null;
  };
  let shift = 0;
  let splat = 0;
  args.positional.forEach((argument, index) => {
    while (!Number.isNaN(shift) && splat < args.listSplats.length && args.listSplats[splat]!.before <= index) {
      const items = splatItems(args.listSplats[splat]!.node);
      items?.forEach((item, offset) => {
        const parameter = kernelParameters[index + shift + offset];
        if (parameter) argumentValues.set(parameter.name, item);
      });
      shift = items ? shift + items.length : Number.NaN;
      splat++;
    }
    const parameter = Number.isNaN(shift) ? undefined : kernelParameters[index + shift];
    if (!parameter) return;
    const value = evaluator.evaluate(argument, scope);
    argumentValues.set(parameter.name, value);
    // A constexpr passed by position (`mm[grid](a, b, c, M, N, K, 128, 128, 64)`) sets the tile like a keyword does.
    if (constexpr.has(parameter.name)) {
      const folded = asNumber(value);
      metaParams[parameter.name] = folded;
      templateArgs.push({ text: argument.text, value: folded, range: rangeOf(argument) });
      if (mayBeTile(parameter.name, value, argument)) {
        tileParams.push({ name: parameter.name, value: folded, valueRange: rangeOf(argument), range: rangeOf(argument), origin: 'launch-kwarg' });
      }
    }
  });

  const keywordValues = new Map<string, PyValue>();
  let numWarps: number | null | undefined;
  let numStages: number | null | undefined;
  for (const [keyword, entry] of args.keywords) {
    const value = evaluator.evaluate(entry.value, scope);
    keywordValues.set(keyword, value);
    argumentValues.set(keyword, value);
    const folded = asNumber(value);
    const isMeta =
      constexpr.has(keyword) ||
      (!kernel && !LAUNCH_OPTIONS.has(keyword) && /^[A-Z][A-Z0-9_]*$/.test(keyword)) ||
      (!!kernel && !parameterNames.has(keyword) && !LAUNCH_OPTIONS.has(keyword) && kernel.parameters.some((parameter) => parameter.kind === 'kwargs'));
    if (keyword === 'num_warps') numWarps = folded;
    if (keyword === 'num_stages') numStages = folded;
    if (isMeta) metaParams[keyword] = folded;
    if (isMeta || keyword === 'num_warps' || keyword === 'num_stages') {
      templateArgs.push({ text: entry.node.text, value: folded, range: rangeOf(entry.node) });
      if (mayBeTile(keyword, value, entry.value)) {
        tileParams.push({ name: keyword, value: folded, valueRange: rangeOf(entry.value), range: rangeOf(entry.node), origin: 'launch-kwarg' });
      }
    }
  }

  // META as the grid function sees it: every kernel argument by name, constexpr defaults, then the
  // first autotune config (autotuned keys must not also be passed at the launch), then launch keywords.
  const meta = new Map<string, PyValue>(argumentValues);
  // Defaults fold in the module that defines the kernel (another one for an imported kernel).
  for (const parameter of kernel?.parameters ?? []) {
    if (!meta.has(parameter.name) && parameter.defaultValue) meta.set(parameter.name, home.evaluator.evaluate(parameter.defaultValue, home.module));
  }
  const firstConfig = kernel?.info.configs[0];
  let metaSource: LaunchSite['metaSource'] = 'triton-defaults';
  if (firstConfig) {
    metaSource = 'first-config';
    for (const [key, value] of Object.entries(firstConfig.params)) {
      meta.set(key, value === null ? UNKNOWN : numberValue(value, Number.isInteger(value), rangeOf(call)));
      if (keywordValues.has(key)) {
        problems.push({
          range: rangeOf(args.keywords.get(key)!.node),
          message: `${key} is autotuned for ${name}; passing it at the launch conflicts with the configs`,
          severity: 'warning',
        });
      }
    }
    numWarps = firstConfig.numWarps;
    numStages = firstConfig.numStages;
  } else if (Object.keys(metaParams).length > 0 || numWarps !== undefined || numStages !== undefined) {
    metaSource = 'launch-kwargs';
  }
  const resolvedWarps = numWarps === undefined ? TRITON_DEFAULT_NUM_WARPS : numWarps;
  const resolvedStages = numStages === undefined ? TRITON_DEFAULT_NUM_STAGES : numStages;
  meta.set('num_warps', resolvedWarps === null ? UNKNOWN : numberValue(resolvedWarps, true, rangeOf(call)));
  meta.set('num_stages', resolvedStages === null ? UNKNOWN : numberValue(resolvedStages, true, rangeOf(call)));

  const callee = field(call, 'function')!;
  const gridNodes = callee.childrenForFieldName('subscript').filter((node): node is SyntaxNode => node !== null);
  const grid = foldGrid(gridNodes, scopes, scope, meta);
  const gridFollows = grid ? followedBy(gridNodes, scopes, scope, meta, grid) : undefined;
  // The grid the autotuner launches with each config: META as above with that config's values (their
  // num_warps and num_stages already default to Triton's in configs.ts).
  const configLaunches = kernel?.info.configs.map((config) => {
    const configMeta = new Map(meta);
    for (const [key, value] of Object.entries(config.params))
      configMeta.set(key, value === null ? UNKNOWN : numberValue(value, Number.isInteger(value), rangeOf(call)));
    configMeta.set('num_warps', config.numWarps === null ? UNKNOWN : numberValue(config.numWarps, true, rangeOf(call)));
    configMeta.set('num_stages', config.numStages === null ? UNKNOWN : numberValue(config.numStages, true, rangeOf(call)));
    const block: [number, number, number] | null = config.numWarps === null ? null : [config.numWarps * 32, 1, 1];
    return { grid: foldGrid(gridNodes, scopes, scope, configMeta), block };
  });
  const gridText = gridNodes.map((node) => node.text).join(', ');
  const gridRange = gridNodes.length > 0 ? { start: gridNodes[0].startIndex, end: gridNodes[gridNodes.length - 1].endIndex } : rangeOf(callee);

  const site: LaunchSite = {
    kernel: name,
    range: rangeOf(call),
    grid,
    block: resolvedWarps === null ? null : [resolvedWarps * 32, 1, 1],
    gridExpr: { text: gridText, value: grid ? grid[0] * grid[1] * grid[2] : null, range: gridRange },
    blockExpr: null,
    dynamicSharedMemBytes: null,
    stream: null,
    templateArgs,
    metaParams,
    numWarps: resolvedWarps,
    numStages: resolvedStages,
    metaSource,
    ...(configLaunches && configLaunches.length > 0 ? { configLaunches } : {}),
    ...(gridFollows ? { gridFollows } : {}),
    problem: { m: null, n: null, k: null, batch: null, dtype: null, assumed: [], source: 'code' },
  };
  return { site, call, kernel, argumentValues };
}

/** At most this many meta-parameters are probed for the grid's dependence. */
const MAX_GRID_PROBES = 16;

/** The numeric tile-named meta-parameters (TILE_NAME) whose doubling changes the folded grid: the grid is computed from them. */
function followedBy(
  gridNodes: SyntaxNode[],
  scopes: ScopeSet,
  scope: ReturnType<ScopeSet['scopeFor']>,
  meta: Map<string, PyValue>,
  grid: [number, number, number],
): string[] {
  const follows: string[] = [];
  let probes = 0;
  for (const [name, value] of meta) {
    if (value.kind !== 'number' || !(value.value > 0) || !TILE_NAME.test(name) || name === 'num_warps' || name === 'num_stages') continue;
    if (++probes > MAX_GRID_PROBES) break;
    const doubled = new Map(meta);
    doubled.set(name, numberValue(value.value * 2, Number.isInteger(value.value), value.range));
    const other = foldGrid(gridNodes, scopes, scope, doubled);
    if (!other || other.some((dim, i) => dim !== grid[i])) follows.push(name);
  }
  return follows;
}

function foldGrid(
  gridNodes: SyntaxNode[],
  scopes: ScopeSet,
  scope: ReturnType<ScopeSet['scopeFor']>,
  meta: Map<string, PyValue>,
): [number, number, number] | null {
  if (gridNodes.length === 0) return null;
  let value: PyValue =
    gridNodes.length === 1
      ? scopes.evaluator.evaluate(gridNodes[0], scope)
      : { kind: 'sequence', items: gridNodes.map((node) => scopes.evaluator.evaluate(node, scope)), tuple: true };
  if (value.kind === 'function') value = scopes.evaluator.apply(value, [{ kind: 'dict', entries: meta }], new Map());
  const dims = value.kind === 'number' ? [value] : iterate(value);
  if (!dims || dims.length === 0 || dims.length > 3) return null;
  const numbers = dims.map(asInteger);
  if (numbers.some((dim) => dim === null || dim < 0)) return null;
  return [numbers[0]!, numbers[1] ?? 1, numbers[2] ?? 1];
}
