// Reads `kernel<<<grid, block, smem, stream>>>(args)` launch sites from the chevron offsets found by
// prepare.ts: folded grid/block/smem, template arguments, the problem size (from the kernel's M/N/K
// parameters, by name or by use (dimension-roles.ts), an annotation, the grid or the default) and, for
// a warp-per-tile WMMA kernel, its block tile (warp-tiles.ts). Pure; text-based where the tree may be broken.
import type { Node } from 'web-tree-sitter';
import { foldCText, foldExpr, MapEnv, parseCExpression, type Expr, type FoldEnv } from '../folding';
import type { AnalysisOptions, FoldedValue, LaunchSite, Problem, Range } from '../types';
import { kernelText } from '../kernel-text';
import type { KernelDefinition } from './kernels';
import { splitTopLevel } from './kernels';
import type { Annotation, LaunchChevrons } from './prepare';
import { annotationFor, readAnnotation, resolveProblem, type CodeValues } from './problem-size';
import { scopeAt, type HostScope, type ScopeCache } from './scopes';
import { ancestorOfType, descendantsOf, sourceText } from './syntax';
import { warpPerTile } from './warp-tiles';
import { blockOffsetTiling, type BlockOffsetTiling } from './block-offsets';
import { dimensionRoles } from './dimension-roles';
import { rowsFromStores } from './store-coverage';

/** Parameter names read as problem dimensions (after removing `_` and lower-casing). */
const DIMENSION_NAMES: Record<string, 'm' | 'n' | 'k' | 'batch'> = {
  m: 'm',
  mdim: 'm',
  dimm: 'm',
  sizem: 'm',
  numrowsa: 'm',
  rowsa: 'm',
  n: 'n',
  ndim: 'n',
  dimn: 'n',
  sizen: 'n',
  colsb: 'n',
  k: 'k',
  kdim: 'k',
  dimk: 'k',
  sizek: 'k',
  colsa: 'k',
  // cuda-samples' WMMA GEMMs (cudaTensorCoreGemm simple_wmma_gemm): m_ld, n_ld, k_ld are M, N, K.
  mld: 'm',
  nld: 'n',
  kld: 'k',
  // cuda-samples' matrixMul (MatrixMulCUDA(C, A, B, wA, wB)): A's width is K, B's is N; A's height M, B's K.
  wa: 'k',
  wb: 'n',
  ha: 'm',
  hb: 'k',
  batch: 'batch',
  batchcount: 'batch',
  batchsize: 'batch',
  numbatches: 'batch',
};

type Dimension = 'm' | 'n' | 'k' | 'batch';

/** Names an expression reads (operands, call arguments, cast operands), without duplicates. */
function namesIn(expr: Expr, out: Set<string>): Set<string> {
  const stack: Expr[] = [expr];
  for (let steps = 0; stack.length > 0 && steps < 10_000; steps++) {
    const e = stack.pop()!;
    switch (e.kind) {
      case 'name':
        out.add(e.name);
        break;
      case 'unary':
        stack.push(e.operand);
        break;
      case 'cast':
        stack.push(e.operand);
        break;
      case 'binary':
        stack.push(e.left, e.right);
        break;
      case 'ternary':
        stack.push(e.condition, e.then, e.otherwise);
        break;
      case 'call':
        stack.push(...e.args);
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * The launch's scope with the problem sizes of an annotation bound to the names that stand for them
 * and do not fold in code: the launch's arguments for the kernel's M/N/K parameters, and names that
 * spell a dimension (`N`, `n`, `dim_k`) in the grid and block expressions (or in the dim3 variables
 * they name). Null when nothing was bound.
 */
function annotatedScope(
  scope: HostScope,
  sizes: Partial<Record<Dimension, number>>,
  dimensionArguments: Map<string, Dimension>,
  parts: Array<{ text: string; start: number } | undefined>,
): HostScope | null {
  const names = new Set<string>();
  for (const part of parts) {
    if (!part) continue;
    const expr = parseCExpression(part.text.replace(/^\{/, '(').replace(/\}$/, ')'), part.start);
    namesIn(expr, names);
    if (expr.kind === 'name') for (const component of scope.dim3.get(expr.name)?.components ?? []) namesIn(component, names);
  }
  const env = new MapEnv(scope.env);
  let bound = false;
  for (const name of names) {
    const dimension = dimensionArguments.get(name) ?? DIMENSION_NAMES[name.replace(/_/g, '').toLowerCase()];
    const value = dimension ? sizes[dimension] : undefined;
    if (value === undefined) continue;
    // A name that folds in code keeps its value: the annotation only fills in what code leaves open.
    if (foldExpr({ kind: 'name', name, range: { start: 0, end: 0 } }, scope.env, []).value !== null) continue;
    env.set(name, { kind: 'value', value });
    bound = true;
  }
  return bound ? { env, dim3: scope.dim3 } : null;
}

export interface LaunchContext {
  text: string;
  scopes: ScopeCache;
  kernels: Map<string, KernelDefinition>;
  annotations: Annotation[];
  /** Annotations directly above a kernel definition, by kernel name. */
  kernelAnnotations: Map<string, Annotation>;
  fileAnnotation: Annotation | null;
  lineStarts: number[];
  options: AnalysisOptions;
  problems: Problem[];
}

/** Kernel name and template arguments written before `<<<` (`ns::mm<64, 64, 8>`). */
export function readCallee(
  text: string,
  open: number,
): { name: string; nameRange: Range; templateArgs: Array<{ text: string; start: number; end: number }> } | null {
  let end = open;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  let templateArgs: Array<{ text: string; start: number; end: number }> = [];
  let nameEnd = end;
  if (text[end - 1] === '>') {
    let level = 0;
    let i = end - 1;
    for (; i >= 0 && end - i < 2000; i--) {
      if (text[i] === '>') level++;
      else if (text[i] === '<' && --level === 0) break;
      else if (text[i] === ';' || text[i] === '{' || text[i] === '}') return null;
    }
    if (i < 0 || text[i] !== '<') return null;
    templateArgs = splitTopLevelAngles(text.slice(i + 1, end - 1), i + 1);
    nameEnd = i;
    while (nameEnd > 0 && /\s/.test(text[nameEnd - 1]!)) nameEnd--;
  }
  let start = nameEnd;
  while (start > 0 && /[\w:]/.test(text[start - 1]!)) start--;
  const qualified = text.slice(start, nameEnd);
  const name = qualified.split('::').pop() ?? '';
  if (!/^[A-Za-z_]\w*$/.test(name)) return null;
  const nameStart = nameEnd - name.length;
  return { name, nameRange: { start: nameStart, end: nameEnd }, templateArgs };
}

/** splitTopLevel that also respects nested `<...>` (template arguments of template arguments). */
function splitTopLevelAngles(text: string, offset: number): Array<{ text: string; start: number; end: number }> {
  const masked = text.replace(/<[^<>]*>/g, (m) => '('.padEnd(m.length - 1, ' ') + ')');
  return splitTopLevel(masked, offset).map((part) => ({ ...part, text: text.slice(part.start - offset, part.end - offset) }));
}

/** The kernel's argument list after `>>>`, as parts with offsets; null if no `(` follows. */
function readKernelArgs(text: string, close: number): { parts: Array<{ text: string; start: number; end: number }>; end: number } | null {
  let i = close + 3;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  if (text[i] !== '(') return null;
  let level = 0;
  let j = i;
  for (; j < text.length && j - i < 200000; j++) {
    const c = text[j];
    if (c === '(') level++;
    else if (c === ')' && --level === 0) break;
    else if (c === ';' && level <= 1) return { parts: splitTopLevel(text.slice(i + 1, j), i + 1), end: j };
  }
  return { parts: splitTopLevel(text.slice(i + 1, j), i + 1), end: Math.min(text.length, j + 1) };
}

function folded(part: { text: string; start: number; end: number } | undefined, env: FoldEnv, problems: Problem[]): FoldedValue | null {
  if (!part) return null;
  return { text: part.text, value: foldExpr(parseCExpression(part.text, part.start), env, problems).value, range: { start: part.start, end: part.end } };
}

/** Folds a grid/block argument: a dim3 variable, `dim3(a, b)`, `{a, b}` or an integer. */
function foldDim3(
  part: { text: string; start: number; end: number } | undefined,
  scope: HostScope,
  problems: Problem[],
): { triple: [number, number, number] | null; value: FoldedValue | null } {
  if (!part) return { triple: null, value: null };
  const expr = parseCExpression(part.text.replace(/^\{/, '(').replace(/\}$/, ')'), part.start);
  let components: Expr[] | null = null;
  if (expr.kind === 'name' && scope.dim3.has(expr.name)) components = scope.dim3.get(expr.name)!.components;
  else if (expr.kind === 'call' && /(^|::)dim3$/.test(expr.callee)) components = expr.args;
  else if (part.text.startsWith('{') && part.text.endsWith('}'))
    components = splitTopLevel(part.text.slice(1, -1), part.start + 1).map((p) => parseCExpression(p.text, p.start));
  else {
    // `dim3{a, b}` (brace initialisation) is not an expression the C parser reads.
    const brace = /^(?:::)?dim3\s*\{/.exec(part.text);
    if (brace && part.text.endsWith('}')) {
      const inner = part.text.slice(brace[0].length, -1);
      components = splitTopLevel(inner, part.start + brace[0].length).map((p) => parseCExpression(p.text, p.start));
    }
  }
  let triple: [number, number, number] | null = null;
  if (components) {
    if (components.length <= 3) {
      const values = components.map((c) => foldExpr(c, scope.env, problems).value);
      while (values.length < 3) values.push(1);
      triple = values.every((v) => v !== null) ? (values.map((v) => Math.trunc(v!)) as [number, number, number]) : null;
    }
  } else {
    const value = foldExpr(expr, scope.env, problems).value;
    triple = value === null ? null : [Math.trunc(value), 1, 1];
  }
  const total = triple ? triple[0] * triple[1] * triple[2] : null;
  return { triple, value: { text: part.text, value: total, range: { start: part.start, end: part.end } } };
}

/** `blockIdx.x * F + threadIdx.x` and its commuted forms, per axis: F is the block's extent in C. */
const PER_THREAD_INDEX = {
  x: perThreadPatterns('x'),
  y: perThreadPatterns('y'),
};

function perThreadPatterns(axis: 'x' | 'y'): RegExp[] {
  return [
    new RegExp(`blockIdx\\.${axis}\\s*\\*\\s*([\\w.:]+)\\s*\\+\\s*threadIdx\\.${axis}\\b`),
    new RegExp(`([\\w.:]+)\\s*\\*\\s*blockIdx\\.${axis}\\s*\\+\\s*threadIdx\\.${axis}\\b`),
    new RegExp(`threadIdx\\.${axis}\\s*\\+\\s*blockIdx\\.${axis}\\s*\\*\\s*([\\w.:]+)`),
  ];
}

/**
 * M and N of a GEMM that computes one C element per thread (`col = blockIdx.x * blockDim.x +
 * threadIdx.x`, or `* TILE` with TILE equal to the block size): N = grid.x × block.x and
 * M = grid.y × block.y, rounded up to whole blocks. Other kernels give nothing.
 */
function sizesFromGrid(
  kernelText: string,
  kind: 'gemm' | 'other',
  grid: [number, number, number] | null,
  block: [number, number, number] | null,
  env: FoldEnv,
): { m?: number; n?: number } {
  if (kind !== 'gemm' || !grid || !block) return {};
  const perThread = (axis: 'x' | 'y', blockSize: number): boolean => {
    return PER_THREAD_INDEX[axis].some((pattern) => {
      const factor = pattern.exec(kernelText)?.[1];
      if (!factor) return false;
      if (factor === `blockDim.${axis}`) return true;
      return foldExpr(parseCExpression(factor, 0), env, []).value === blockSize;
    });
  };
  const result: { m?: number; n?: number } = {};
  if (perThread('x', block[0])) result.n = grid[0] * block[0];
  if (perThread('y', block[1])) result.m = grid[1] * block[1];
  return result;
}

/**
 * Whether a kernel uses blockIdx.z as a batch index, read on its tree: it reads blockIdx.z, and no
 * `for` header reads it or a variable initialised or assigned from it (that is a split of K).
 */
export function batchedByGridZ(kernel: Node): boolean {
  const isZ = (node: Node) => node.text === 'blockIdx.z';
  const uses = descendantsOf(kernel, 'field_expression').filter(isZ);
  if (uses.length === 0) return false;
  const names = new Set<string>();
  for (const use of uses) {
    const owner = ancestorOfType(use, ['init_declarator', 'assignment_expression'], 12);
    const target = owner?.type === 'init_declarator' ? owner.childForFieldName('declarator') : owner?.childForFieldName('left');
    if (target?.type === 'identifier') names.add(target.text);
  }
  for (const loop of descendantsOf(kernel, 'for_statement')) {
    for (const field of ['initializer', 'condition', 'update']) {
      const part = loop.childForFieldName(field);
      if (!part) continue;
      if (descendantsOf(part, 'field_expression').some(isZ)) return false;
      if (descendantsOf(part, 'identifier').some((id) => names.has(id.text))) return false;
    }
  }
  return true;
}

/** The launch at `chevrons`; `named` is launchCallee's answer for it when the caller has it already. */
export function readLaunch(chevrons: LaunchChevrons, context: LaunchContext, named = launchCallee(chevrons.open, context)): LaunchSite | null {
  const { text, problems } = context;
  const { written, callee } = named;
  if (!callee || !written) {
    problems.push({ range: { start: chevrons.open, end: chevrons.open + 3 }, message: 'kernel launch without a readable kernel name', severity: 'warning' });
    return null;
  }
  const config = splitTopLevel(text.slice(chevrons.open + 3, chevrons.close), chevrons.open + 3);
  const kernelArgs = readKernelArgs(text, chevrons.close);
  const range: Range = { start: written.nameRange.start, end: kernelArgs?.end ?? chevrons.close + 3 };
  return launchOf(callee, config, kernelArgs, range, chevrons.open, context);
}

type Callee = NonNullable<ReturnType<typeof readCallee>>;

/**
 * The kernel a `<<<` launch names: `written` is the name before `<<<` (the launch's range starts there),
 * `callee` the kernel it stands for, the same unless a local alias names a kernel (aliasedKernel).
 */
export function launchCallee(open: number, context: Pick<LaunchContext, 'text' | 'scopes' | 'kernels'>): { written: Callee | null; callee: Callee | null } {
  const written = readCallee(context.text, open);
  if (!written || context.kernels.has(written.name) || written.templateArgs.length > 0) return { written, callee: written };
  return { written, callee: aliasedKernel(written.name, open, context) ?? written };
}

/** The kernel a name used at `at` refers to: itself, or the kernel a local alias of that name stands for. */
export function kernelNameAt(name: string, at: number, context: Pick<LaunchContext, 'text' | 'scopes' | 'kernels'>): string {
  return context.kernels.has(name) ? name : (aliasedKernel(name, at, context)?.name ?? name);
}

/**
 * `auto kernel = gemm<BM, BN, BK>;` (or `= &gemm<...>`) before `kernel<<<...>>>` in the same function, as
 * code that sets the kernel's attributes (`cudaFuncSetAttribute(kernel, ...)`) writes it: the kernel the
 * local name stands for, with the template arguments written at the alias (their ranges there, so a tile
 * action rewrites the alias). The last such declaration before the launch wins; null when there is none.
 */
function aliasedKernel(name: string, at: number, context: Pick<LaunchContext, 'text' | 'scopes' | 'kernels'>): Callee | null {
  const fn = ancestorOfType(context.scopes.root.descendantForIndex(at), ['function_definition'], 64);
  // Launches run this on every analysis (for their cache key): a function without `name =` has no alias to walk for.
  if (!fn || !new RegExp(`\\b${name}\\s*=[^=]`).test(context.text.slice(fn.startIndex, at))) return null;
  let found: Callee | null = null;
  for (const declarator of descendantsOf(fn, 'init_declarator')) {
    if (declarator.startIndex >= at) break;
    if (declarator.childForFieldName('declarator')?.text !== name) continue;
    const value = declarator.childForFieldName('value');
    const target = value ? readCallee(context.text, value.endIndex) : null;
    if (target && context.kernels.has(target.name)) found = target;
  }
  return found;
}

/**
 * The innermost `if` around the launch at `at` (within its function) whose condition folds, in the launch's
 * scope, against the branch the launch is in: a size-dispatching launcher's other branch when the code fixes
 * the sizes. Its condition's text and range, and whether it holds; null when no such `if` exists.
 */
function branchNotTaken(at: number, env: FoldEnv, context: LaunchContext): LaunchSite['notTaken'] | null {
  let node: Node | null = context.scopes.root.descendantForIndex(at);
  for (let step = 0; node && node.type !== 'function_definition' && step < 400; step++) {
    const parent: Node | null = node.parent;
    if (parent?.type === 'if_statement') {
      const inside = (branch: Node | null) => !!branch && branch.startIndex <= at && at < branch.endIndex;
      const inThen = inside(parent.childForFieldName('consequence'));
      const inElse = inside(parent.childForFieldName('alternative'));
      const clause = parent.childForFieldName('condition');
      const condition = clause?.childForFieldName('value') ?? null;
      if ((inThen || inElse) && condition && !condition.hasError) {
        const value = foldCText(sourceText(context.text, condition), condition.startIndex, env, []).value;
        if (value !== null && Number.isFinite(value) && inThen === (value === 0)) {
          return { condition: sourceText(context.text, condition), range: { start: condition.startIndex, end: condition.endIndex }, holds: value !== 0 };
        }
      }
    }
    node = parent;
  }
  return null;
}

/** A text part with its offsets: a launch configuration value or a kernel argument. */
export type LaunchPart = { text: string; start: number; end: number };

/**
 * The M/N/K roles of a GEMM kernel's integer parameters when none is named for a dimension (`BT`, `C`,
 * `OC`), read from its body; null otherwise.
 */
function rolesOf(kernel: KernelDefinition, text: string): Map<string, 'm' | 'n' | 'k'> | null {
  const { info } = kernel;
  if (info.kind !== 'gemm' || info.parameters.some((p) => DIMENSION_NAMES[p.name.replace(/_/g, '').toLowerCase()])) return null;
  const integers = integerParameters(kernel);
  if (integers.length === 0) return null;
  const roles = dimensionRoles(kernelText(text, info), integers);
  return roles.size > 0 ? roles : null;
}

function integerParameters(kernel: KernelDefinition): string[] {
  return kernel.info.parameters.filter((p) => !p.type.includes('*') && /\b(int|unsigned|long|size_t|u?int(32|64)_t|uint)\b/.test(p.type)).map((p) => p.name);
}

/**
 * A GEMM kernel of the file with no parameter named for a dimension whose output pointer moves to its
 * block's tile by blockIdx (block-offsets.ts): its block tile, the grid axis over M, and its N and K
 * parameters. Null otherwise.
 */
function blockTilingOf(kernel: KernelDefinition, callee: Callee, scope: HostScope, context: LaunchContext): BlockOffsetTiling | null {
  const { info } = kernel;
  if (info.kind !== 'gemm' || info.header || info.parameters.some((p) => DIMENSION_NAMES[p.name.replace(/_/g, '').toLowerCase()])) return null;
  const node = ancestorOfType(context.scopes.root.descendantForIndex(info.nameRange.start), ['function_definition'], 12);
  if (!node) return null;
  // Template arguments fold in the launch's scope; the kernel's parameters are run-time values.
  const env = new MapEnv(context.scopes.file.env);
  kernel.templateParameters.forEach((param, i) => {
    const value = param.kind === 'value' ? (folded(callee.templateArgs[i], scope.env, [])?.value ?? null) : null;
    env.set(param.name, { kind: 'value', value });
  });
  for (const param of info.parameters) env.hide(param.name);
  return blockOffsetTiling(node, context.text, info.parameters, new Set(integerParameters(kernel)), info.tileLoops[0]?.range.start ?? null, env);
}

/**
 * M from how a GEMM kernel in the file stores C (store-coverage.ts), its parameters bound to the
 * launch's arguments and template arguments folded in the launch's scope; null when it does not say.
 */
function rowsOfKernel(
  kernel: KernelDefinition,
  callee: Callee,
  kernelArgs: { parts: LaunchPart[] } | null,
  grid: [number, number, number],
  block: [number, number, number],
  n: number,
  scope: HostScope,
  context: LaunchContext,
): number | null {
  if (kernel.info.header || !kernelArgs) return null;
  const node = ancestorOfType(context.scopes.root.descendantForIndex(kernel.info.nameRange.start), ['function_definition'], 12);
  if (!node) return null;
  const integer = (part: LaunchPart | undefined) => {
    const value = folded(part, scope.env, [])?.value ?? null;
    return value !== null && Number.isInteger(value) ? value : null;
  };
  const values = new Map<string, number | null>();
  kernel.templateParameters.forEach((param, i) => values.set(param.name, param.kind === 'value' ? integer(callee.templateArgs[i]) : null));
  kernel.info.parameters.forEach((param, i) => values.set(param.name, integer(kernelArgs.parts[i])));
  return rowsFromStores(node, context.text, kernel.info.parameters, values, context.scopes.file.env, grid, block, n);
}

/**
 * A launch from its parts, however it was written (`<<<grid, block, smem, stream>>>(args)` or
 * `cudaLaunchKernel(kernel, grid, block, args, smem, stream)`): `config` is grid, block, dynamic shared
 * memory, stream; names resolve in the scope at `at`.
 */
export function launchOf(
  callee: NonNullable<ReturnType<typeof readCallee>>,
  config: Array<LaunchPart | undefined>,
  kernelArgs: { parts: LaunchPart[] } | null,
  range: Range,
  at: number,
  context: LaunchContext,
): LaunchSite {
  const { text, problems } = context;
  const scope = scopeAt(context.scopes, at);
  let grid = foldDim3(config[0], scope, problems);
  let block = foldDim3(config[1], scope, problems);
  const templateArgs: FoldedValue[] = callee.templateArgs.map((arg) => folded(arg, scope.env, problems)!);

  // Problem size from the kernel's dimension parameters, folded in the launch's scope.
  const code: CodeValues = { m: null, n: null, k: null, batch: null, dtype: null };
  const kernel = context.kernels.get(callee.name);
  const dimensionParameters = new Set<string>();
  // Names of the launch's arguments for the kernel's dimension parameters (`rows` passed for `M`).
  const dimensionArguments = new Map<string, Dimension>();
  // Without a parameter named for a dimension, a GEMM's use of its parameters says which is which (dimension-roles.ts).
  const rolesRead = kernel ? rolesOf(kernel, text) : null;
  // Without those, the block's move of its output pointer (block-offsets.ts) gives N, K and the block tile.
  const blockTiling = kernel && !rolesRead ? blockTilingOf(kernel, callee, scope, context) : null;
  const roles = blockTiling
    ? new Map<string, 'm' | 'n' | 'k'>([
        [blockTiling.n, 'n'],
        [blockTiling.k, 'k'],
      ])
    : rolesRead;
  const dimensionOf = (name: string) => DIMENSION_NAMES[name.replace(/_/g, '').toLowerCase()] ?? roles?.get(name);
  if (kernel) {
    for (const param of kernel.info.parameters) {
      const dimension = dimensionOf(param.name);
      if (dimension) dimensionParameters.add(dimension);
    }
    // A square GEMM's single N parameter sizes M too (not with a K beside it: matrixMul's wA and wB).
    if (kernel.info.kind === 'gemm' && dimensionParameters.has('n') && !dimensionParameters.has('k')) dimensionParameters.add('m');
  }
  if (kernel && kernelArgs) {
    const params = kernel.info.parameters;
    const byDimension = new Map<string, number>();
    params.forEach((param, i) => {
      const dimension = dimensionOf(param.name);
      if (dimension && !byDimension.has(dimension)) byDimension.set(dimension, i);
    });
    // Square kernels take one size (`matmul(A, B, C, int N)`): M = N = K = N by construction.
    if (kernel.info.kind === 'gemm' && byDimension.has('n') && !byDimension.has('m') && !byDimension.has('k')) {
      byDimension.set('m', byDimension.get('n')!);
      byDimension.set('k', byDimension.get('n')!);
    }
    for (const [dimension, index] of byDimension) {
      const argument = kernelArgs.parts[index];
      if (argument && /^[A-Za-z_]\w*$/.test(argument.text.trim()) && !dimensionArguments.has(argument.text.trim()))
        dimensionArguments.set(argument.text.trim(), dimension as Dimension);
      const value = folded(argument, scope.env, problems)?.value ?? null;
      code[dimension as 'm' | 'n' | 'k' | 'batch'] = value !== null && Number.isInteger(value) ? value : null;
    }
    code.dtype = kernel.info.dtype;
  }
  const starts = context.lineStarts;
  const annotation =
    annotationFor(text, starts, context.annotations, range.start, range.end) ?? context.kernelAnnotations.get(callee.name) ?? context.fileAnnotation;
  // Grid coverage is used only for a dimension the kernel takes no parameter for (sizes fixed at
  // compile time): with a runtime M the grid is only an upper bound, and that would be a guess.
  // A WMMA kernel with one warp per fragment tile of C: its block tile is warps × fragment (warp-tiles.ts).
  const warpTiling =
    kernel && kernel.info.kind === 'gemm' && kernel.info.tensorCores === 'wmma' && block.triple
      ? warpPerTile(kernelText(text, kernel.info), block.triple, scope.env)
      : null;
  let fromGrid: { m?: number; n?: number; batch?: number } = {};
  if (warpTiling && grid.triple) {
    const [mAxis, nAxis] = warpTiling.axisM === 'x' ? [0, 1] : [1, 0];
    fromGrid = { m: grid.triple[mAxis]! * warpTiling.blockM, n: grid.triple[nAxis]! * warpTiling.blockN };
  } else if (blockTiling && grid.triple) {
    fromGrid = { m: grid.triple[blockTiling.axisM === 'x' ? 0 : 1]! * blockTiling.blockM };
  } else if (kernel && kernel.info.kind === 'gemm' && grid.triple && block.triple) {
    fromGrid = sizesFromGrid(kernelText(text, kernel.info), kernel.info.kind, grid.triple, block.triple, scope.env);
    if (fromGrid.m === undefined && !dimensionParameters.has('m') && code.n !== null) {
      const m = rowsOfKernel(kernel, callee, kernelArgs, grid.triple, block.triple, code.n, scope, context);
      if (m !== null) fromGrid.m = m;
    }
  }
  // grid.z slices of a GEMM kernel that indexes its operands with blockIdx.z are a batch (not a split
  // of K: blockIdx.z in a K loop's bounds, directly or through a variable, is a split-K, left alone).
  if (kernel && kernel.info.kind === 'gemm' && grid.triple && grid.triple[2] > 1) {
    const node = kernel.info.header ? null : ancestorOfType(context.scopes.root.descendantForIndex(kernel.info.nameRange.start), ['function_definition'], 12);
    if (kernel.info.header ? kernel.batchedByGridZ : node && batchedByGridZ(node)) fromGrid.batch = grid.triple[2];
  }
  if (dimensionParameters.has('m')) delete fromGrid.m;
  if (dimensionParameters.has('n')) delete fromGrid.n;
  const annotated = annotation ? readAnnotation(annotation, []) : null;
  const problem = resolveProblem(code, annotated, context.options, fromGrid);
  // A grid over the problem size (`CEIL_DIV(N, BN)`, N a runtime parameter) folds with the sizes an
  // annotation gives; problems were reported by the first fold.
  if (annotated && (!grid.triple || !block.triple)) {
    const sized = annotatedScope(scope, annotated, dimensionArguments, [config[0], config[1]]);
    if (sized) {
      if (!grid.triple) grid = foldDim3(config[0], sized, []);
      if (!block.triple) block = foldDim3(config[1], sized, []);
    }
  }

  const notTaken = branchNotTaken(at, scope.env, context);
  return {
    ...(notTaken ? { notTaken } : {}),
    kernel: callee.name,
    range,
    grid: grid.triple,
    block: block.triple,
    gridExpr: grid.value,
    blockExpr: block.value,
    dynamicSharedMemBytes: folded(config[2], scope.env, problems),
    stream: config[3] ? { text: config[3].text, value: null, range: { start: config[3].start, end: config[3].end } } : null,
    templateArgs,
    metaParams: {},
    numWarps: null,
    numStages: null,
    problem,
    ...(warpTiling ? { blockTile: { m: warpTiling.blockM, n: warpTiling.blockN } } : {}),
    ...(blockTiling && !warpTiling ? { blockTile: { m: blockTiling.blockM, n: blockTiling.blockN } } : {}),
  };
}
