// Finds `@triton.jit` kernels in a Python module and reads what the performance model needs from
// each: parameters, tl.constexpr parameters, tl.dot use, operand dtype, the K loop and its tile, and
// whether it is a GEMM. Autotune configs are read by configs.ts; launches by launches.ts.
import type { SyntaxNode } from './tree';
import { instructionUse } from '../instruction-rules';
import type { Dtype, InstructionUse, KernelInfo, Problem, TileLoop, TileParam } from '../types';
import { readConfigs } from './configs';
import { constexprDefaults } from './tile-params';
import { attachedAnnotations, type Annotation } from './annotations';
import type { Evaluator } from './evaluate';
import { attentionBackward, isAttention } from './attention';
import { readParameters, type PythonParameter } from './parameters';
import type { ScopeSet } from './scopes';
import {
  bodyNodes,
  bodyOf,
  callArguments,
  calleeOf,
  dottedName,
  field,
  type LineIndex,
  moduleNodes,
  outsideNested,
  rangeOf,
  stringLiteral,
  syntaxChildren,
  walk,
} from './syntax';
import { dtypeFromName } from './values';

export interface TritonKernel {
  info: KernelInfo;
  definition: SyntaxNode;
  /** The decorated definition (decorators included), or the definition itself. */
  outer: SyntaxNode;
  parameters: PythonParameter[];
  /** The `@triton.autotune(...)` call, if any. */
  autotune: SyntaxNode | null;
  /** How tl.dot treats fp32 operands: Triton's default on NVIDIA is tf32. */
  dotPrecision: 'tf32' | 'ieee' | null;
  dtypeFromAnnotation: boolean;
  /** The scopes of the module that defines the kernel (another module's for an imported kernel): its defaults fold there. */
  scopes: ScopeSet;
}

interface Decorators {
  jit: boolean;
  autotune: SyntaxNode | null;
}

function readDecorators(decorated: SyntaxNode, evaluator: Evaluator): Decorators {
  const result: Decorators = { jit: false, autotune: null };
  for (const decorator of syntaxChildren(decorated).filter((child) => child.type === 'decorator')) {
    const expression = syntaxChildren(decorator)[0];
    if (!expression) continue;
    const callee = expression.type === 'call' ? field(expression, 'function') : expression;
    const name = callee ? evaluator.canonicalOf(callee) : null;
    if (!name) continue;
    if (/^triton(\.runtime)?(\.jit)?\.jit$/.test(name) || name === 'triton.language.jit') result.jit = true;
    if (/^triton(\.runtime)?(\.autotuner)?\.autotune$/.test(name) && expression.type === 'call') result.autotune = expression;
  }
  return result;
}

/** A jit function that returns a value is a device helper called from kernels, not a launchable kernel. */
function returnsValue(definition: SyntaxNode): boolean {
  const body = bodyOf(definition);
  if (!body) return false;
  const nodes = bodyNodes(body);
  return outsideNested(nodes.returns, nodes.nested, ['function_definition', 'lambda']).some((node) => syntaxChildren(node).length > 0);
}

/**
 * Names of jit functions that another jit function calls and the file never launches (`name[grid](...)`):
 * device helpers, also when they return nothing (vLLM's `write_zeros_to_output` stores and returns).
 */
function jitCallsBetween(root: SyntaxNode, candidates: ReadonlyArray<{ definition: SyntaxNode }>): Set<string> {
  const names = new Map<string, SyntaxNode>();
  for (const { definition } of candidates) {
    const name = field(definition, 'name')?.text;
    if (name) names.set(name, definition);
  }
  const called = new Set<string>();
  const launched = new Set<string>();
  for (const call of moduleNodes(root).calls) {
    const fn = calleeOf(call);
    if (fn.subscripted) {
      if (fn.subscripted.type === 'identifier') launched.add(fn.subscripted.text);
    } else if (fn.type === 'identifier' && names.has(fn.text)) {
      const inside = candidates.some(
        ({ definition }) => definition.startIndex <= call.startIndex && call.endIndex <= definition.endIndex && names.get(fn.text)?.id !== definition.id,
      );
      if (inside) called.add(fn.text);
    }
  }
  for (const name of launched) called.delete(name);
  return called;
}

/** A `@triton.jit` function the file may launch (not a helper): what readKernel reads. */
export interface KernelCandidate {
  definition: SyntaxNode;
  outer: SyntaxNode;
  autotune: SyntaxNode | null;
  nameNode: SyntaxNode;
}

/**
 * The file's jit functions, split into kernels (launchable) and helpers by name (they return a value, or
 * another jit function calls them and nothing launches them; their tl.dot counts for the kernels that call
 * them); `@triton.autotune` without `@triton.jit` is a problem.
 */
export function discoverKernels(
  root: SyntaxNode,
  evaluator: Evaluator,
  problems: Problem[],
): { candidates: KernelCandidate[]; helpers: Map<string, SyntaxNode> } {
  const jitted: { definition: SyntaxNode; outer: SyntaxNode; autotune: SyntaxNode | null }[] = [];
  for (const node of moduleNodes(root).decoratedDefinitions) {
    const definition = field(node, 'definition');
    if (definition?.type !== 'function_definition') continue;
    const decorators = readDecorators(node, evaluator);
    if (decorators.jit) jitted.push({ definition, outer: node, autotune: decorators.autotune });
    else if (decorators.autotune) {
      problems.push({
        range: rangeOf(decorators.autotune),
        message: '@triton.autotune without @triton.jit below it: not analysed as a kernel',
        severity: 'warning',
      });
    }
  }
  const helpers = new Map<string, SyntaxNode>();
  const calledByOthers = jitCallsBetween(root, jitted);
  for (const candidate of jitted) {
    const name = field(candidate.definition, 'name')?.text;
    if (name && (returnsValue(candidate.definition) || calledByOthers.has(name))) helpers.set(name, candidate.definition);
  }
  const candidates: KernelCandidate[] = [];
  for (const candidate of jitted) {
    const nameNode = field(candidate.definition, 'name');
    if (nameNode && !helpers.has(nameNode.text)) candidates.push({ ...candidate, nameNode });
  }
  return { candidates, helpers };
}

/** The annotations of a kernel: attached above its decorators, or inside its definition. */
export function kernelAnnotations(annotations: Annotation[], candidate: { definition: SyntaxNode; outer: SyntaxNode }, lines: LineIndex): Annotation[] {
  return [
    ...attachedAnnotations(annotations, candidate.outer, lines),
    ...annotations.filter((annotation) => annotation.range.start >= candidate.definition.startIndex && annotation.range.end <= candidate.definition.endIndex),
  ];
}

/** What one kernel gives the file: the kernel (configs read), its config and constexpr tile parameters, its problems. */
export interface KernelReading {
  kernel: TritonKernel;
  /** Config tiles listed once per literal within the kernel (the file lists each once over all kernels). */
  tileParams: TileParam[];
  problems: Problem[];
}

/** Reads a kernel whole: readKernel, its autotune configs, its constexpr defaults. `annotatedDtype` comes from its annotations. */
export function readKernelWhole(candidate: KernelCandidate, scopes: ScopeSet, helpers: Map<string, SyntaxNode>, annotatedDtype: Dtype | null): KernelReading {
  const kernel = readKernel(candidate, scopes, helpers, annotatedDtype);
  const tileParams: TileParam[] = [];
  const problems: Problem[] = [];
  readConfigs(kernel, scopes, tileParams, problems, new Set());
  tileParams.push(...constexprDefaults(kernel, scopes));
  return { kernel, tileParams, problems };
}

const ATTENTION_REASON = 'flash attention: QKᵀ and P·V tl.dot in one loop over KV blocks, with an online softmax';

interface DotUse {
  node: SyntaxNode;
  operands: SyntaxNode[];
}

function readKernel(candidate: KernelCandidate, scopes: ScopeSet, helpers: Map<string, SyntaxNode>, annotatedDtype: Dtype | null): TritonKernel {
  const { definition, outer, autotune, nameNode } = candidate;
  const evaluator = scopes.evaluator;
  const parameters = readParameters(definition);
  const constexprParams = parameters
    .filter((parameter) => parameter.annotation && /(^|\.)constexpr$/.test(parameter.annotation.text.trim()))
    .map((parameter) => parameter.name);
  const body = bodyOf(definition);
  const dots = body ? findDots(body, evaluator, helpers) : [];
  const dotPrecision = readDotPrecision(dots);
  const tileLoops = body ? findTileLoops(body, dots, definition, scopes, constexprParams) : [];

  let dtype: Dtype | null = annotatedDtype;
  if (!dtype) dtype = dtypeFromCode(parameters, dots, body, evaluator, dotPrecision);

  const instructions = dotInstructionUses(dots, parameters, body, evaluator);
  const attention = dots.length > 0 && body !== null && isAttention(body, evaluator, helpers);
  const backward =
    !attention && dots.length > 0 && body !== null
      ? attentionBackward(
          body,
          parameters.map((parameter) => parameter.name),
          evaluator,
          helpers,
        )
      : null;
  const info: KernelInfo = {
    name: nameNode.text,
    range: rangeOf(outer),
    nameRange: rangeOf(nameNode),
    kind: dots.length > 0 ? 'gemm' : 'other',
    kindReason: attention
      ? ATTENTION_REASON
      : backward
        ? `flash attention backward: P recomputed from the saved softmax statistics, ${backward.products} tl.dot per KV block`
        : body
          ? describeKind(body, dots, tileLoops, evaluator)
          : 'empty kernel body',
    ...(attention || backward ? { attention: true } : {}),
    ...(backward ? { attentionBackward: backward } : {}),
    ...(dots.length > 0 && body && persistentLoop(body) ? { persistent: true } : {}),
    parameters: parameters.map((parameter) => ({
      name: parameter.name,
      type: parameter.annotation?.text ?? '',
      range: rangeOf(parameter.node),
    })),
    templateParameters: [],
    launchBounds: null,
    sharedArrays: [],
    staticSharedMemBytes: null,
    dtype,
    tensorCores: dots.length > 0 ? 'tl-dot' : 'none',
    ...(instructions.length > 0 ? { instructions } : {}),
    tileLoops,
    constexprParams,
    configs: [],
  };
  return { info, definition, outer, parameters, autotune, dotPrecision, dtypeFromAnnotation: annotatedDtype !== null, scopes };
}

/** `tl.dot(a, b)`, `tl.dot_scaled(...)`, `a @ b`, and calls to jit helpers that contain one. */
function findDots(body: SyntaxNode, evaluator: Evaluator, helpers: Map<string, SyntaxNode>, seen = new Set<string>()): DotUse[] {
  const dots: DotUse[] = [];
  const nodes = bodyNodes(body);
  // Calls and `@` operators merged back into document order.
  const candidates = [...nodes.calls, ...nodes.binaryOperators].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  for (const node of candidates) {
    if (node.type === 'call') {
      const callee = field(node, 'function');
      const canonical = callee ? evaluator.canonicalOf(callee) : null;
      if (canonical === 'triton.language.dot' || canonical === 'triton.language.dot_scaled') {
        dots.push({ node, operands: callArguments(node).positional });
      } else if (callee?.type === 'attribute' && field(callee, 'attribute')?.text === 'dot' && !canonical) {
        const object = field(callee, 'object');
        const other = callArguments(node).positional[0];
        if (object && other) dots.push({ node, operands: [object, other] });
      } else if (callee?.type === 'identifier' && helpers.has(callee.text) && !seen.has(callee.text)) {
        seen.add(callee.text);
        const helperBody = bodyOf(helpers.get(callee.text)!);
        if (helperBody && findDots(helperBody, evaluator, helpers, seen).length > 0) dots.push({ node, operands: [] });
      }
    } else if (node.type === 'binary_operator' && field(node, 'operator')?.type === '@') {
      const left = field(node, 'left');
      const right = field(node, 'right');
      if (left && right) dots.push({ node, operands: [left, right] });
    }
  }
  return dots;
}

function readDotPrecision(dots: DotUse[]): 'tf32' | 'ieee' | null {
  for (const dot of dots) {
    if (dot.node.type !== 'call') continue;
    const keywords = callArguments(dot.node).keywords;
    const precision = keywords.get('input_precision')?.value;
    const text = precision ? stringLiteral(precision) : null;
    if (text) return text.startsWith('tf32') ? 'tf32' : text === 'ieee' ? 'ieee' : null;
    const allow = keywords.get('allow_tf32')?.value;
    if (allow?.type === 'true') return 'tf32';
    if (allow?.type === 'false') return 'ieee';
  }
  return dots.length > 0 ? 'tf32' : null;
}

/** The type name (last dotted part) named by `.to(T)`, `tl.cast(x, T)` or `x.to(dtype=T)` at `node`, if it is such a cast. */
function castTarget(node: SyntaxNode, evaluator: Evaluator): string | null {
  if (node.type !== 'call') return null;
  const callee = field(node, 'function');
  if (!callee) return null;
  const args = callArguments(node);
  let target: SyntaxNode | undefined;
  if (callee.type === 'attribute' && field(callee, 'attribute')?.text === 'to' && !evaluator.canonicalOf(callee)) {
    target = args.keywords.get('dtype')?.value ?? args.positional[0];
  } else if (evaluator.canonicalOf(callee) === 'triton.language.cast') {
    target = args.keywords.get('dtype')?.value ?? args.positional[1];
  }
  const parts = target ? dottedName(target) : null;
  return parts ? (parts[parts.length - 1] ?? null) : null;
}

/** The dtype named by `.to(T)`, `tl.cast(x, T)` or `x.to(dtype=T)` at `node`, if it is such a cast. */
function castDtype(node: SyntaxNode, evaluator: Evaluator): Dtype | null {
  const name = castTarget(node, evaluator);
  return name ? dtypeFromName(name) : null;
}

/** The dtype an operand expression is cast to, following one local assignment (`a = tl.load(p).to(T)`). */
function operandDtype(operand: SyntaxNode, body: SyntaxNode, evaluator: Evaluator, at: number): Dtype | null {
  const name = operandCast(operand, body, evaluator, at);
  return name ? dtypeFromName(name) : null;
}

/** The type name an operand expression is cast to, following one local assignment. */
function operandCast(operand: SyntaxNode, body: SyntaxNode, evaluator: Evaluator, at: number): string | null {
  const direct = castTarget(operand, evaluator);
  if (direct) return direct;
  if (operand.type !== 'identifier') return null;
  let found: string | null = null;
  for (const node of bodyNodes(body).assignments) {
    if (node.startIndex >= at) break;
    if (field(node, 'left')?.text === operand.text) {
      const right = field(node, 'right');
      const cast = right ? castTarget(right, evaluator) : null;
      if (cast) found = cast;
    }
  }
  return found;
}

/** fp8e4nv spellings (Triton `float8e4nv`, PyTorch `float8_e4m3fn`, signature strings `*fp8e4nv`). */
const FP8E4NV = /\b(float8e4nv|fp8e4nv|float8_e4m3fn)\b/;

/**
 * The first tl.dot whose operands are fp8e4nv (cast to it, or loaded through a pointer annotated
 * with it): the Triton NVIDIA backend rejects that type below capability 8.9.
 */
function dotInstructionUses(dots: DotUse[], parameters: PythonParameter[], body: SyntaxNode | null, evaluator: Evaluator): InstructionUse[] {
  if (!body || dots.length === 0) return [];
  const annotated = parameters.some((parameter) => parameter.annotation && FP8E4NV.test(parameter.annotation.text));
  for (const dot of dots) {
    const cast = dot.operands.map((operand) => operandCast(operand, body, evaluator, dot.node.startIndex)).find((name) => name && FP8E4NV.test(name));
    if (cast || annotated) return [instructionUse('triton-fp8e4nv', dot.node.text, rangeOf(dot.node))];
  }
  return [];
}

const DTYPE_WORD = /\b(float8\w*|fp8\w*|bfloat16|bf16|float16|fp16|float32|fp32|float64|fp64|int8|tf32)\b/;

function dtypeFromCode(
  parameters: PythonParameter[],
  dots: DotUse[],
  body: SyntaxNode | null,
  evaluator: Evaluator,
  precision: 'tf32' | 'ieee' | null,
): Dtype | null {
  const withTensorCorePrecision = (dtype: Dtype | null): Dtype | null => (dtype === 'fp32' && dots.length > 0 && precision === 'tf32' ? 'tf32' : dtype);
  // Pointer annotations (`a_ptr: tl.pointer_type(tl.float16)`, `"*fp16"`) state the element type.
  for (const parameter of parameters) {
    const match = parameter.annotation ? DTYPE_WORD.exec(parameter.annotation.text) : null;
    if (match) return withTensorCorePrecision(dtypeFromName(match[1]));
  }
  if (!body) return null;
  for (const dot of dots) {
    for (const operand of dot.operands) {
      const dtype = operandDtype(operand, body, evaluator, dot.node.startIndex);
      if (dtype) return withTensorCorePrecision(dtype);
    }
    if (dot.node.type === 'call') {
      const formats = callArguments(dot.node)
        .positional.map(stringLiteral)
        .filter((text): text is string => text !== null);
      for (const format of formats) {
        if (format === 'e2m1') return 'fp4';
        if (/^e[45]m[23]$/.test(format)) return 'fp8';
        if (format === 'bf16') return 'bf16';
        if (format === 'fp16') return 'fp16';
      }
    }
  }
  // An int32 accumulator (`acc = tl.zeros(..., dtype=tl.int32)`) is what tl.dot gives int8 operands; the
  // output cast after it (often fp16) is not the operands' type.
  if (dots.length > 0 && /\bzeros\((?:[^()]|\([^()]*\))*dtype\s*=\s*(tl\.|triton\.language\.)?int32\b/.test(body.text)) return 'int8';
  const explicitPrecision = dots.some((dot) => dot.node.type === 'call' && /input_precision|allow_tf32/.test(dot.node.text));
  if (explicitPrecision && precision) return precision === 'tf32' ? 'tf32' : 'fp32';
  // Otherwise the casts in the body (e.g. the output `acc.to(tl.float16)`) say what the data is; casts
  // under `if ... dtype ...:` are alternatives for other element types and count only if nothing else does.
  const counts = new Map<Dtype, number>();
  const conditional = new Map<Dtype, number>();
  for (const node of bodyNodes(body).calls) {
    const dtype = castDtype(node, evaluator);
    if (dtype) {
      const guarded = insideDtypeCondition(node, body);
      const table = guarded ? conditional : counts;
      table.set(dtype, (table.get(dtype) ?? 0) + 1);
    }
  }
  // A tie (e.g. `if fp8: acc.to(tl.float8e4nv) else: acc.to(tl.float16)`) says nothing: null.
  const pick = (table: Map<Dtype, number>): Dtype | null | 'tie' => {
    const ranked = [...table].sort((a, b) => b[1] - a[1]);
    if (ranked.length === 0) return null;
    return ranked.length > 1 && ranked[0][1] === ranked[1][1] ? 'tie' : ranked[0][0];
  };
  const unconditional = pick(counts);
  if (unconditional === 'tie') return null;
  const chosen = unconditional ?? pick(conditional);
  return chosen === 'tie' ? null : withTensorCorePrecision(chosen);
}

function insideDtypeCondition(node: SyntaxNode, body: SyntaxNode): boolean {
  for (let current = node.parent; current && current.id !== body.id; current = current.parent) {
    if (current.type === 'if_statement' || current.type === 'elif_clause') {
      const condition = field(current, 'condition');
      if (condition && /dtype|element_ty/.test(condition.text)) return true;
    }
  }
  return false;
}

/** The innermost `for` loops that contain a tl.dot: the K loops. */
function findTileLoops(body: SyntaxNode, dots: DotUse[], definition: SyntaxNode, scopes: ScopeSet, constexprParams: string[]): TileLoop[] {
  const nodes = bodyNodes(body);
  const loops = outsideNested(nodes.loops, nodes.nested, ['function_definition']);
  const containsDot = (loop: SyntaxNode) => dots.some((dot) => dot.node.startIndex >= loop.startIndex && dot.node.endIndex <= loop.endIndex);
  const withDot = loops.filter(containsDot);
  const innermost = withDot.filter(
    (loop) => !withDot.some((other) => other !== loop && other.startIndex >= loop.startIndex && other.endIndex <= loop.endIndex && other.id !== loop.id),
  );
  return innermost.map((loop) => ({ range: rangeOf(loop), stride: kTileOf(loop, body, definition, scopes, constexprParams) }));
}

const K_TILE_NAME = /^(BLOCK|TILE)(_SIZE)?_?K$|^BLOCK_K\w*$|^BK$|^(BLOCK|TILE)_SIZE_K$/;

function kTileOf(loop: SyntaxNode, body: SyntaxNode, definition: SyntaxNode, scopes: ScopeSet, constexprParams: string[]): TileLoop['stride'] {
  const scope = scopes.functionScope(definition);
  const fold = (node: SyntaxNode) => {
    const value = scopes.evaluator.evaluate(node, scope);
    return value.kind === 'number' ? value.value : null;
  };
  if (loop.type === 'for_statement') {
    const right = field(loop, 'right');
    if (right?.type === 'call') {
      const args = callArguments(right);
      const step = args.keywords.get('step')?.value ?? args.positional[2];
      if (step && step.text !== '1') {
        const magnitude = step.type === 'unary_operator' && step.text.startsWith('-') ? (field(step, 'argument') ?? step) : step;
        return { text: magnitude.text, value: fold(magnitude), range: rangeOf(magnitude) };
      }
    }
  }
  // `range(0, tl.cdiv(K, BLOCK_SIZE_K))` or `range(k_tiles)`: the K tile is the BLOCK_*K name in the
  // header (through local assignments such as `k_tiles = tl.cdiv(K, BLOCK_SIZE_K)`), else in the body.
  const header = loop.type === 'for_statement' ? field(loop, 'right') : field(loop, 'condition');
  const searchIn = (node: SyntaxNode | null, depth: number): SyntaxNode | null => {
    if (!node || depth > 3) return null;
    let hit: SyntaxNode | null = null;
    walk(node, (inner) => {
      if (hit) return false;
      if (inner.type !== 'identifier') return undefined;
      if (K_TILE_NAME.test(inner.text)) hit = inner;
      else {
        const assignment = localAssignment(body, inner.text, inner.startIndex);
        if (assignment) hit = searchIn(assignment, depth + 1);
      }
      return undefined;
    });
    return hit;
  };
  let tile = searchIn(header, 0) ?? searchIn(field(loop, 'body'), 3);
  if (!tile) {
    const name = constexprParams.find((parameter) => K_TILE_NAME.test(parameter));
    const parameter = name ? readParameters(definition).find((p) => p.name === name) : undefined;
    if (parameter) tile = parameter.nameNode;
  }
  return tile ? { text: tile.text, value: fold(tile), range: rangeOf(tile) } : null;
}

function localAssignment(body: SyntaxNode, name: string, before: number): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  for (const node of bodyNodes(body).assignments) {
    if (node.startIndex >= before) break;
    if (field(node, 'left')?.text === name) found = field(node, 'right');
  }
  return found;
}

/** Whether the kernel loops over output tiles itself: a stride of the SM count, or a loop from the program id. */
function persistentLoop(body: SyntaxNode): boolean {
  return /\bNUM_SMS?\b/i.test(body.text) || /for\s+\w+\s+in\s+(tl\.)?range\(\s*(start_pid|pid|tl\.program_id)/.test(body.text);
}

function describeKind(body: SyntaxNode, dots: DotUse[], loops: TileLoop[], evaluator: Evaluator): string {
  const used = new Set<string>();
  for (const node of bodyNodes(body).calls) {
    const callee = field(node, 'function');
    const canonical = callee ? evaluator.canonicalOf(callee) : null;
    if (canonical?.startsWith('triton.language.')) used.add(canonical.slice('triton.language.'.length));
  }
  // The name as an identifier, not inside a string or a comment (the text test first: it is cheap).
  const grouped =
    /\bGROUP(_SIZE)?_M\b/.test(body.text) && body.descendantsOfType('identifier').some((node) => node !== null && /^GROUP(_SIZE)?_M$/.test(node.text));
  if (dots.length > 0) {
    const traits: string[] = [];
    if (grouped) traits.push('grouped tile order (GROUP_SIZE_M)');
    if (persistentLoop(body)) traits.push('persistent (loops over tiles)');
    const base = loops.length > 0 ? 'tl.dot inside a K loop' : 'tl.dot on a single K tile (no K loop)';
    return traits.length > 0 ? `${base}; ${traits.join(', ')}` : base;
  }
  const reductions = ['sum', 'max', 'min', 'reduce', 'argmax', 'argmin', 'xor_sum', 'cumsum', 'associative_scan'].filter((name) => used.has(name));
  if (reductions.length > 0) {
    if (used.has('exp') && used.has('max') && used.has('sum')) return 'no tl.dot: softmax (tl.max, tl.exp, tl.sum)';
    if (used.has('rsqrt') || used.has('sqrt') || /\bmean\b|\bvar\b|rstd/.test(body.text)) return 'no tl.dot: normalization (mean/variance reduction)';
    return `no tl.dot: reduction (${reductions.map((name) => `tl.${name}`).join(', ')})`;
  }
  if (used.has('atomic_add')) return 'no tl.dot: atomic accumulation';
  return 'no tl.dot: elementwise';
}
