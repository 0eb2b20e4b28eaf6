// Reads a kernel's `@triton.autotune(configs=...)` into TritonConfig records (literal lists, list
// comprehensions, helper functions in the same file) and the config values as tile parameters.
// It must not guess configs that do not fold: those become a problem, not invented values.
import type { Problem, Range, TileParam, TritonConfig } from '../types';
import type { TritonKernel } from './kernels';
import type { ScopeSet } from './scopes';
import { callArguments, rangeOf } from './syntax';
import { mayBeTile } from './tile-params';
import { asNumber, iterate, type PyValue } from './values';

/** Triton's own defaults in `triton.Config.__init__` (num_warps=4, num_stages=3). */
export const TRITON_DEFAULT_NUM_WARPS = 4;
export const TRITON_DEFAULT_NUM_STAGES = 3;

/** `seenTiles` is shared by all kernels of a file so configs from one helper are listed once. */
export function readConfigs(kernel: TritonKernel, scopes: ScopeSet, tileParams: TileParam[], problems: Problem[], seenTiles: Set<string>): void {
  if (!kernel.autotune) return;
  const args = callArguments(kernel.autotune);
  const expression = args.keywords.get('configs')?.value ?? args.positional[0];
  if (!expression) {
    problems.push({ range: rangeOf(kernel.autotune), message: `@triton.autotune on ${kernel.info.name} has no configs`, severity: 'warning' });
    return;
  }
  const value = scopes.evaluator.evaluate(expression, scopes.scopeFor(kernel.autotune));
  const items = iterate(value);
  if (!items || items.some((item) => item.kind !== 'config')) {
    problems.push({
      range: rangeOf(expression),
      message: `autotune configs of ${kernel.info.name} could not be evaluated; grid and tile sizes will use defaults or launch keywords`,
      severity: 'info',
    });
    return;
  }
  const constexpr = new Set(kernel.info.constexprParams);
  const acceptsAnyKeyword = kernel.parameters.some((parameter) => parameter.kind === 'kwargs');
  const reported = new Set<string>();
  for (const item of items) {
    if (item.kind !== 'config') continue;
    const config = item.config;
    const range = config.comprehensionRange ?? config.callRange;
    const record: TritonConfig = {
      range,
      params: {},
      numWarps: config.numWarps ? asNumber(config.numWarps) : TRITON_DEFAULT_NUM_WARPS,
      numStages: config.numStages ? asNumber(config.numStages) : TRITON_DEFAULT_NUM_STAGES,
    };
    for (const [name, param] of config.params) {
      record.params[name] = asNumber(param);
      addTile(name, param, range, seenTiles, tileParams);
      if (!constexpr.has(name) && !acceptsAnyKeyword && !reported.has(name)) {
        reported.add(name);
        problems.push({
          range,
          message: `config sets '${name}', which is not a tl.constexpr parameter of ${kernel.info.name}`,
          severity: 'warning',
        });
      }
    }
    if (config.numWarps) addTile('num_warps', config.numWarps, range, seenTiles, tileParams);
    if (config.numStages) addTile('num_stages', config.numStages, range, seenTiles, tileParams);
    kernel.info.configs.push(record);
  }
  // A K tile that is a config parameter folds when every config gives it the same value.
  for (const loop of kernel.info.tileLoops) {
    const name = loop.stride?.text;
    if (!loop.stride || loop.stride.value !== null || !name || kernel.info.configs.length === 0) continue;
    const values = new Set(kernel.info.configs.map((config) => config.params[name] ?? null));
    const [only] = values;
    if (values.size === 1 && only !== null && only !== undefined) loop.stride.value = only;
  }
}

/** Config tiles listed once per literal over all kernels of a file (a helper's configs shared by several kernels). */
export function onceEach(tileParams: readonly TileParam[], seen: Set<string>): TileParam[] {
  return tileParams.filter((param) => {
    if (param.origin !== 'triton-config') return true;
    const key = `${param.name}@${param.valueRange.start}:${param.valueRange.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One tile parameter per distinct literal (comprehension configs share their literals); numbers only, not flags (`'EVEN_K': 1`). */
function addTile(name: string, value: PyValue, range: Range, seen: Set<string>, tileParams: TileParam[]): void {
  if (value.kind !== 'number' || !mayBeTile(name, value, null)) return;
  const key = `${name}@${value.range.start}:${value.range.end}`;
  if (seen.has(key)) return;
  seen.add(key);
  tileParams.push({ name, value: value.value, valueRange: value.range, range, origin: 'triton-config' });
}
