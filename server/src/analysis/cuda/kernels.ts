// Reads each `__global__` function definition: name, parameters, template parameters, launch
// bounds, shared arrays, element type, tensor-core use, K tile loops, and whether it is a GEMM.
// Pure; folding problems go to the caller's list, and nothing here throws on odd trees.
import type { Node } from 'web-tree-sitter';
import { foldCText, MapEnv, sizeOfType, type FoldEnv } from '../folding';
import type { Dtype, KernelInfo, KernelParameter, Problem, Range, SharedArray, TileLoop } from '../types';
import { aliasedType, bindLocalDefinitions, hideAlias } from './definitions';
import { instructionUses } from './instructions';
import { withHelperInstructions } from './helper-instructions';
import type { CudaKeyword, PreparedCuda } from './prepare';
import { ancestorOfType, blankComments, declaredName, firstAtOrAfter, namedChildrenOf, rangeOf, skipSpaces, sourceText, squash } from './syntax';
import { accumulatesRegisterTile } from './register-tile';
import { kernelHelpers, tensorCoreUse, type TensorHelpers } from './tensor-helpers';

export interface TemplateParameter {
  name: string;
  /** 'type' for `typename T`/`class T`, 'value' for `int BM`. */
  kind: 'type' | 'value';
}

/** A kernel and the syntax the launch analysis needs afterwards. */
export interface KernelDefinition {
  info: KernelInfo;
  templateParameters: TemplateParameter[];
  /** Start of the whole definition including `template <...>`. */
  start: number;
  /** What a launch's cache key needs from the kernel (parameter names, dtype, kind), as JSON; set by analyze.ts. */
  launchKey?: string;
  /** A kernel read from an included header (headers.ts): whether it indexes operands with blockIdx.z (read on the header's tree). */
  batchedByGridZ?: boolean;
}

/** Element type names → Dtype (CUDA Math API type names, CUTLASS numeric types). */
export function dtypeOfTypeName(typeName: string): Dtype | null {
  const t = typeName
    .replace(/\b(const|volatile|unsigned|signed)\b|[*&]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (/\b(double|double2|double4)\b|\bf64\b/.test(t)) return 'fp64';
  if (/\b(__nv_bfloat16|nv_bfloat16|__nv_bfloat162|bfloat16_t|bfloat16|bf16)\b/.test(t)) return 'bf16';
  if (/\b(half|__half|half2|__half2|half_t|f16)\b/.test(t)) return 'fp16';
  if (/\b(tf32|tfloat32_t)\b/.test(t)) return 'tf32';
  if (/\b(__nv_fp8_e4m3|__nv_fp8_e5m2|float_e4m3_t|float_e5m2_t|e4m3|e5m2)\b/.test(t)) return 'fp8';
  if (/\b(int8_t|uint8_t|char|s8|u8)\b/.test(t)) return 'int8';
  if (/\b(float|float2|float4|f32)\b/.test(t)) return 'fp32';
  return null;
}

/** PTX `mma.sync...m16n8k16.row.col.f32.f16.f16.f32`: the A operand type is the third type suffix. */
function dtypeOfMmaPtx(body: string): Dtype | null {
  const match = /mma\.sync\.aligned\.m\d+n\d+k\d+(?:\.row\.col)?\.(\w+)\.(\w+)\.(\w+)/.exec(body);
  if (!match) return null;
  const a = match[2]!;
  return ({ f16: 'fp16', bf16: 'bf16', tf32: 'tf32', s8: 'int8', u8: 'int8', e4m3: 'fp8', e5m2: 'fp8', f64: 'fp64' } as Record<string, Dtype>)[a] ?? null;
}

/**
 * `acc += A[..] * B[..]`, `acc += __half2float(A[..]) * __half2float(B[..])` (a conversion around an operand),
 * `fma(a, b, acc)`, `acc += a_reg[i] * b_reg[j]`: a multiply-accumulate statement.
 */
const MULTIPLY_ACCUMULATE = /\+=\s*[^;]*?\w\s*(\[[^;]*?\])+[\s)]*\*\s*[^;]*?\w\s*\[|\b(fmaf?|__fmaf?_r[nzud]|__hfma2?)\s*\(|\+=\s*\w+\s*\*\s*\w+\s*;/;

/** A dot product over a loop variable: `X += A[... v ...] * B[... v ...]` with two different arrays. */
function isDotProductLoop(loopVariable: string, loopBody: string): boolean {
  const statement = /\+=\s*(\w+)\s*\[([^\]]*)\]\s*\*\s*(\w+)\s*\[([^\]]*)\]/g;
  const variable = new RegExp(`\\b${loopVariable.replace(/\W/g, '')}\\b`);
  for (let m = statement.exec(loopBody); m; m = statement.exec(loopBody)) {
    if (m[1] !== m[3] && variable.test(m[2]!) && variable.test(m[4]!)) return true;
  }
  return false;
}

/** Both a row and a column coordinate come from the launch (2-D output), as in a GEMM's C tile. */
function hasTwoDimensionalIndex(body: string): boolean {
  return /\b(blockIdx|threadIdx)\.y\b/.test(body) && /\b(blockIdx|threadIdx)\.x\b/.test(body);
}

function otherKindReason(body: string): string {
  if (/\b(__expf|expf|exp|__exp2f|exp2f)\s*\(/.test(body) && /\b(max|fmaxf|fmax)\b/.test(body))
    return 'exponentials with a running max (softmax-like), no multiply-accumulate over K';
  if (/__shfl_(down|xor)_sync|>>=\s*1|\/=\s*2/.test(body)) return 'tree or warp-shuffle reduction, no GEMM tiles';
  if (!/\b(for|while)\b/.test(body)) return 'elementwise: no loop over a reduction dimension';
  return 'no tiled or dot-product multiply-accumulate pattern found';
}

interface LoopFacts {
  /** The whole `for` statement. */
  range: Range;
  variable: string;
  conditionText: string;
  /** Start of the condition, or -1 without one. */
  conditionStart: number;
  strideText: string | null;
  strideStart: number;
  bodyText: string;
  /** The `for_statement` node the facts were read from. */
  node?: Node;
}

type Span = { start: number; end: number } | null;

/** What the K-loop analysis reads from a `for` statement's parts (from the tree or from loops-text.ts). */
function loopFacts(range: Range, initializer: Span, condition: Span, update: Span, body: Span, text: string): LoopFacts {
  let variable = '';
  if (initializer) {
    const match = /(\w+)\s*=/.exec(text.slice(initializer.start, initializer.end));
    variable = match?.[1] ?? '';
  }
  let strideText: string | null = null;
  let strideStart = 0;
  if (update) {
    const updateText = text.slice(update.start, update.end);
    const plusAssign = /^\s*(\w+)\s*\+=\s*/.exec(updateText);
    const assignPlus = /^\s*(\w+)\s*=\s*\1\s*\+\s*/.exec(updateText);
    const increment = /^\s*(\+\+\s*\w+|\w+\s*\+\+)\s*$/.test(updateText);
    const match = plusAssign ?? assignPlus;
    if (match) {
      strideText = updateText.slice(match[0].length).trim();
      strideStart = update.start + match[0].length;
      if (!variable) variable = match[1]!;
    } else if (increment) {
      strideText = '1';
      strideStart = update.start + updateText.search(/\+\+/);
      if (!variable) variable = updateText.replace(/\+\+|\s/g, '');
    }
  }
  let bodyText = '';
  if (body) {
    const raw = text.slice(body.start, body.end);
    // Without a `/` there is no comment to blank (the common case: skip the regex).
    bodyText = blankComments(raw);
  }
  return {
    range,
    variable,
    conditionText: condition ? text.slice(condition.start, condition.end) : '',
    conditionStart: condition ? condition.start : -1,
    strideText,
    strideStart,
    bodyText,
  };
}

function readLoop(loop: Node, text: string): LoopFacts {
  const span = (node: Node | null): Span => (node ? { start: node.startIndex, end: node.endIndex } : null);
  const facts = loopFacts(
    rangeOf(loop),
    span(loop.childForFieldName('initializer')),
    span(loop.childForFieldName('condition')),
    span(loop.childForFieldName('update')),
    span(loop.childForFieldName('body')),
    text,
  );
  return { ...facts, node: loop };
}

function loopStride(facts: LoopFacts, env: FoldEnv, problems: Problem[]): TileLoop['stride'] {
  if (facts.strideText === null) return null;
  let strideText = facts.strideText;
  let start = facts.strideStart;
  if (strideText === '1') {
    // `for (t = 0; t < (K + TILE - 1) / TILE; ++t)` walks tiles one at a time: the K tile is the divisor.
    const divisor = /\/\s*(\(?[\w\s*+]+\)?)\s*$/.exec(facts.conditionText);
    if (divisor && facts.conditionStart >= 0) {
      strideText = divisor[1]!.trim();
      start = facts.conditionStart + facts.conditionText.lastIndexOf(strideText);
    }
  }
  const folded = foldCText(strideText, start, env, problems);
  return { text: strideText, value: folded.value, range: { start, end: start + strideText.length } };
}

export interface KernelContext {
  root: Node;
  text: string;
  parseText: string;
  keywords: CudaKeyword[];
  /** Offsets of `for` keywords (prepare.ts), in order. */
  forKeywords: number[];
  fileEnv: FoldEnv;
  problems: Problem[];
  /** Template arguments known for a kernel (from its launches or explicit instantiations), by kernel name. */
  templateBindings: Map<string, Map<string, { value: number | null; typeName: string | null }>>;
  /** The definition tokens prepare.ts recorded: a kernel's own constants and aliases are read from those inside it. */
  definitionTokens?: PreparedCuda['definitionTokens'];
  /** The macros and functions of the file that issue tensor-core instructions (tensor-helpers.ts); none when absent. */
  tensorHelpers?: TensorHelpers;
}

export function templateParametersOf(definition: Node): TemplateParameter[] {
  const template = definition.parent?.type === 'template_declaration' ? definition.parent : null;
  const list = template?.childForFieldName('parameters');
  if (!list) return [];
  const result: TemplateParameter[] = [];
  for (const param of namedChildrenOf(list)) {
    if (param.type === 'type_parameter_declaration' || param.type === 'optional_type_parameter_declaration') {
      const name = param.childForFieldName('name') ?? namedChildrenOf(param).find((c) => c.type === 'type_identifier');
      if (name) result.push({ name: name.text, kind: 'type' });
    } else if (param.type === 'parameter_declaration' || param.type === 'optional_parameter_declaration') {
      const name = declaredName(param.childForFieldName('declarator'));
      if (name) result.push({ name: name.text, kind: 'value' });
    }
  }
  return result;
}

function parametersOf(declarator: Node | null, parseText: string): KernelParameter[] {
  const list = declarator?.childForFieldName('parameters');
  if (!list) return [];
  const result: KernelParameter[] = [];
  for (const param of namedChildrenOf(list)) {
    if (param.type !== 'parameter_declaration' && param.type !== 'optional_parameter_declaration') continue;
    const name = declaredName(param.childForFieldName('declarator'));
    const whole = sourceText(parseText, param);
    const type = name ? squash(parseText.slice(param.startIndex, name.startIndex) + parseText.slice(name.endIndex, param.endIndex)) : squash(whole);
    result.push({ name: name?.text ?? '', type, range: rangeOf(param) });
  }
  return result;
}

function sharedArraysOf(definitionStart: number, definitionEnd: number, context: KernelContext, env: FoldEnv): SharedArray[] {
  const { parseText, root } = context;
  const arrays: SharedArray[] = [];
  const seen = new Set<number>();
  const { keywords } = context;
  for (let k = firstKeywordAt(keywords, definitionStart); k < keywords.length && keywords[k]!.start < definitionEnd; k++) {
    const keyword = keywords[k]!;
    if (keyword.keyword !== '__shared__' || keyword.end > definitionEnd) continue;
    const node = root.namedDescendantForIndex(skipSpaces(parseText, keyword.end));
    const declaration = ancestorOfType(node, ['declaration'], 8);
    if (!declaration || seen.has(declaration.startIndex)) continue;
    seen.add(declaration.startIndex);
    const typeNode = declaration.childForFieldName('type');
    const elementType = typeNode ? squash(sourceText(parseText, typeNode)) : '';
    const isExtern = namedChildrenOf(declaration).some((c) => c.type === 'storage_class_specifier' && c.text === 'extern');
    for (const declarator of declaration.childrenForFieldName('declarator')) {
      if (!declarator) continue;
      let current: Node | null = declarator.type === 'init_declarator' ? declarator.childForFieldName('declarator') : declarator;
      const dims: Array<Range | null> = [];
      for (let step = 0; current && current.type === 'array_declarator' && step < 8; step++) {
        const size = current.childForFieldName('size');
        dims.push(size ? rangeOf(size) : null);
        current = current.childForFieldName('declarator');
      }
      arrays.push(sharedArray(current?.text ?? '', elementType, isExtern, dims, rangeOf(declarator), context, env));
    }
  }
  return arrays;
}

/** One shared array's size: element size times the folded dimensions (null for `[]` or `extern`). */
function sharedArray(
  name: string,
  elementType: string,
  isExtern: boolean,
  dims: Array<Range | null>,
  range: Range,
  context: KernelContext,
  env: FoldEnv,
): SharedArray {
  let elementSize = sizeOfType(elementType);
  if (elementSize === null) {
    // A template parameter bound at launches, or a type alias (`using T = half;`, definitions.ts).
    const bound = env.lookup(`sizeof(${elementType})`);
    elementSize = bound?.kind === 'value' ? bound.value : null;
    elementSize ??= sizeOfType(aliasedType(env, elementType) ?? '');
  }
  let sizeBytes: number | null = null;
  const dynamic = isExtern || dims.some((d) => d === null);
  if (!dynamic && elementSize !== null) {
    sizeBytes = elementSize;
    for (const dim of dims) {
      const folded = foldCText(sourceText(context.text, dim!), dim!.start, env, context.problems).value;
      sizeBytes = folded === null || sizeBytes === null ? null : sizeBytes * folded;
    }
  }
  return { name, elementType, sizeBytes: dynamic ? null : sizeBytes, dynamic, range };
}

/**
 * A parameter's, fragment's or shared array's element type, through the template bindings for `T *` and
 * type aliases (`using T = half;`: `env` has the file's and the kernel's, hidden by template parameters).
 */
function resolveType(typeText: string, bindings: Map<string, { typeName: string | null }> | undefined, env: FoldEnv): Dtype | null {
  const direct = dtypeOfTypeName(typeText);
  if (direct) return direct;
  const word = /\b([A-Za-z_]\w*)\s*\*/.exec(typeText)?.[1] ?? typeText.replace(/\b(const|volatile)\b|[*&\s]/g, '');
  const typeName = bindings?.get(word)?.typeName ?? aliasedType(env, word);
  if (!typeName) return null;
  return dtypeOfTypeName(typeName) ?? dtypeOfTypeName(aliasedType(env, typeName) ?? '');
}

/** Where a kernel definition lies, read once per analysis (each node getter crosses into WebAssembly). */
export interface KernelSpan {
  /** The function_definition node (may be looked up when read: structure.ts LazyKernelSpan). */
  readonly node: Node;
  /** The function definition itself, without a `template <...>` header. */
  definitionStart: number;
  definitionEnd: number;
  /** Start of the whole definition, including `template <...>`. */
  start: number;
  isTemplate: boolean;
}

/** The kernel's name without qualifiers (`ns::mm` → `mm`), read from its declarator. */
export function kernelNameOf(span: KernelSpan): string | null {
  const declarator = span.node.childForFieldName('declarator');
  const name = declarator?.childForFieldName('declarator');
  if (!name) return null;
  const simple = name.type === 'template_function' ? name.childForFieldName('name') : name;
  return simple ? (simple.text.split('::').pop() ?? null) : null;
}

/** Reads one `__global__` definition from its node (`span.node`, possibly a lookup). */
export function readKernel(span: KernelSpan, context: KernelContext): KernelDefinition | null {
  const { text, parseText } = context;
  const { definitionStart, definitionEnd, start } = span;
  const definition = span.node;
  const declarator = definition.childForFieldName('declarator');
  if (!declarator || declarator.type !== 'function_declarator') return null;
  const nameNode = declarator.childForFieldName('declarator');
  if (!nameNode) return null;
  const simpleName = nameNode.type === 'template_function' ? nameNode.childForFieldName('name') : nameNode;
  const nameRangeNode = simpleName ?? nameNode;
  const name = nameRangeNode.text.split('::').pop() ?? nameRangeNode.text;
  const nameRange = rangeOf(nameRangeNode);
  const parameters = parametersOf(declarator, parseText);
  const bodyNode = definition.childForFieldName('body');
  const bodyRange = bodyNode ? rangeOf(bodyNode) : null;
  const templateParameters = span.isTemplate ? templateParametersOf(definition) : [];

  // Kernel scope: its own constants and aliases over the file's (which hold other functions' of the same
  // name, the first one winning); parameters are runtime values (hide file constants of the same name);
  // template parameters take the values seen at launches/instantiations when they are unambiguous.
  const env = new MapEnv(context.fileEnv);
  if (context.definitionTokens) bindLocalDefinitions(context.root, text, context.definitionTokens, definitionStart, definitionEnd, env);
  for (const param of parameters) if (param.name) env.hide(param.name);
  const bindings = context.templateBindings.get(name);
  for (const param of templateParameters) {
    const bound = bindings?.get(param.name);
    if (param.kind === 'value') env.set(param.name, { kind: 'value', value: bound?.value ?? null });
    else {
      // A type parameter hides a file alias of its name; bound at launches, it has the bound type's size.
      hideAlias(env, param.name);
      if (!bound?.typeName) continue;
      const size = sizeOfType(bound.typeName) ?? sizeOfType(aliasedType(env, bound.typeName) ?? '');
      env.set(`sizeof(${param.name})`, { kind: 'value', value: size });
      env.set(param.name, { kind: 'value', value: null });
    }
  }

  // Launch bounds: the `__launch_bounds__` between the start of the definition and the name.
  let launchBounds: KernelInfo['launchBounds'] = null;
  // `__global__ __launch_bounds__(256) void k(...)` puts the keywords before the definition node.
  // Keywords are in text order: binary search instead of scanning them all for every kernel.
  const { keywords } = context;
  const nameAt = firstKeywordAt(keywords, nameRange.start);
  let globalKeyword: CudaKeyword | undefined;
  for (let k = nameAt - 1; k >= 0 && !globalKeyword; k--) if (keywords[k]!.keyword === '__global__') globalKeyword = keywords[k];
  const lowerLimit = Math.min(start, globalKeyword?.start ?? start);
  let precedingBounds: CudaKeyword | undefined;
  for (let k = firstKeywordAt(keywords, lowerLimit); k < nameAt && !precedingBounds; k++) {
    if (keywords[k]!.keyword === '__launch_bounds__' && keywords[k]!.args) precedingBounds = keywords[k];
  }
  if (precedingBounds?.args) {
    const args = splitTopLevel(precedingBounds.args.text, precedingBounds.args.start);
    launchBounds = {
      maxThreadsPerBlock: args[0] ? foldCText(args[0].text, args[0].start, env, context.problems).value : null,
      minBlocksPerSM: args[1] ? foldCText(args[1].text, args[1].start, env, context.problems).value : null,
    };
  }

  const sharedArrays = sharedArraysOf(definitionStart, definitionEnd, context, env);
  const staticArrays = sharedArrays.filter((a) => !a.dynamic);
  const staticSharedMemBytes = staticArrays.some((a) => a.sizeBytes === null) ? null : staticArrays.reduce((sum, a) => sum + (a.sizeBytes ?? 0), 0);

  const body = bodyRange ? blankComments(sourceText(text, bodyRange)) : '';
  // Tensor-core instructions issued through a macro the body uses or a function it calls count as its own.
  const helpers = kernelHelpers(context.tensorHelpers, span);
  const reach = helpers.text ? `${body}\n${helpers.text}` : body;
  let tensor = tensorCoreUse(body);
  if (tensor.use === 'none' && helpers.text) {
    const through = tensorCoreUse(reach);
    tensor = { use: through.use, evidence: `${through.evidence} in ${helpers.names.slice(0, 2).join(', ')}` };
  }

  // Element type: tensor-core operand types first, then the first pointer parameter (A), then shared tiles.
  let dtype: Dtype | null = null;
  const fragment = /fragment\s*<\s*(?:nvcuda::)?(?:wmma::)?matrix_a\s*,[^,]+,[^,]+,[^,]+,\s*([\w:]+)/.exec(reach);
  if (fragment) dtype = resolveType(fragment[1]!.replace(/^.*::precision::/, ''), bindings, env);
  dtype ??= dtypeOfMmaPtx(reach);
  if (!dtype) {
    const pointer = parameters.find((p) => p.type.includes('*'));
    if (pointer) dtype = resolveType(pointer.type, bindings, env);
  }
  if (!dtype && sharedArrays.length > 0) dtype = resolveType(sharedArrays[0]!.elementType, bindings, env);

  // K tile loops: outermost loops that synchronise the block (shared tiles) or issue MMAs.
  const tileLoops: TileLoop[] = [];
  const tileLoopNodes: Node[] = [];
  const loopFacts = bodyRange ? loopsIn(bodyRange.start, bodyRange.end, context) : [];
  const taken: Range[] = [];
  for (const facts of loopFacts) {
    const range = facts.range;
    if (taken.some((outer) => outer.start <= range.start && range.end <= outer.end)) continue;
    const synchronises = /__syncthreads\s*\(|\bcp_async_wait|\bpipeline_wait|\b__pipeline_wait_prior/.test(facts.bodyText);
    const issuesMma = tensorCoreUse(facts.bodyText).use !== 'none' || /load_matrix_sync/.test(facts.bodyText) || !!helpers.call?.test(facts.bodyText);
    // A loop that walks down (`s >>= 1`, a tree reduction) is not a K loop, even if it synchronises.
    if ((!synchronises && !issuesMma) || facts.strideText === null) continue;
    taken.push(range);
    tileLoops.push({ range, stride: loopStride(facts, env, context.problems) });
    if (facts.node) tileLoopNodes.push(facts.node);
  }

  // GEMM or not, with the evidence.
  let kind: KernelInfo['kind'] = 'other';
  let kindReason = '';
  // Tested per statement (bounded length) so the lazy patterns cannot backtrack across a whole body.
  const multiplyAccumulate = body
    .split(';')
    .some((statement) => statement.length < 2000 && (statement.includes('+=') || statement.includes('fma')) && MULTIPLY_ACCUMULATE.test(`${statement};`));
  const tiled =
    staticArrays.length + sharedArrays.filter((a) => a.dynamic).length >= 1 &&
    tileLoops.length > 0 &&
    (sharedArrays.length >= 2 || hasTwoDimensionalIndex(body) || /\bsmem\b|\bshared\b/i.test(body));
  // A register tile accumulated in a K loop (`vals[i][j] += lhs.x * rhs[j].x`), read from the loop's tree;
  // looked for only in a tiled kernel the multiply-accumulate pattern above does not match.
  const registerTile = () => {
    const notRegisters = new Set([...parameters.map((p) => p.name), ...sharedArrays.map((a) => a.name)]);
    return tileLoopNodes.some((loop) => accumulatesRegisterTile(loop, notRegisters));
  };
  if (tensor.use !== 'none') {
    kind = 'gemm';
    kindReason = `tensor-core matrix multiply (${tensor.evidence})`;
  } else if (/cutlass::gemm::kernel|\bGemmKernel\b|cutlass::gemm::threadblock/.test(body)) {
    kind = 'gemm';
    kindReason = 'CUTLASS GEMM kernel';
  } else if (tiled && multiplyAccumulate) {
    kind = 'gemm';
    kindReason = 'shared-memory tiles and a K tile loop with multiply-accumulate';
  } else if (tiled && registerTile()) {
    kind = 'gemm';
    kindReason = 'shared-memory tiles and a K tile loop accumulating a register tile';
  } else if (hasTwoDimensionalIndex(body) && loopFacts.some((facts) => facts.variable && isDotProductLoop(facts.variable, facts.bodyText))) {
    kind = 'gemm';
    kindReason = 'dot-product loop over K (A[row*K + k] * B[k*N + col]) for a 2-D output';
  } else {
    kindReason = otherKindReason(body);
  }

  const instructions = bodyNode ? withHelperInstructions(instructionUses(definition, text, parameters), context.tensorHelpers, span) : [];
  const info: KernelInfo = {
    name,
    range: { start, end: definitionEnd },
    nameRange,
    kind,
    kindReason,
    parameters,
    templateParameters: templateParameters.map((p) => p.name),
    launchBounds,
    sharedArrays,
    staticSharedMemBytes,
    dtype,
    tensorCores: tensor.use,
    ...(instructions.length > 0 ? { instructions } : {}),
    tileLoops,
    constexprParams: [],
    configs: [],
  };
  return { info, templateParameters, start };
}

/** Splits `a, f(b, c), d` on top-level commas; each part keeps its offset (spaces trimmed). */
export function splitTopLevel(rawText: string, offset: number): Array<{ text: string; start: number; end: number }> {
  // Comments inside argument lists (fixture expectations, notes) are blanked so they never split or pollute parts.
  const text = blankComments(rawText);
  const parts: Array<{ text: string; start: number; end: number }> = [];
  let level = 0;
  let partStart = 0;
  const push = (end: number) => {
    const raw = text.slice(partStart, end);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed) parts.push({ text: trimmed, start: offset + partStart + lead, end: offset + partStart + lead + trimmed.length });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[' || c === '{') level++;
    else if (c === ')' || c === ']' || c === '}') level = Math.max(0, level - 1);
    else if (c === ',' && level === 0) {
      push(i);
      partStart = i + 1;
    }
  }
  push(text.length);
  return parts;
}

/**
 * The `for` statements in [start, end), in text order, found from the `for` keywords prepare.ts recorded
 * with a few node lookups each (no subtree walk).
 */
function loopsIn(start: number, end: number, context: KernelContext): LoopFacts[] {
  const { forKeywords, root, text } = context;
  let low = 0;
  let high = forKeywords.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (forKeywords[mid]! < start) low = mid + 1;
    else high = mid;
  }
  const loops: LoopFacts[] = [];
  for (let k = low; k < forKeywords.length && forKeywords[k]! < end; k++) {
    const at = forKeywords[k]!;
    const statement = root.descendantForIndex(at)?.parent;
    if (statement && statement.type === 'for_statement' && statement.startIndex === at) loops.push(readLoop(statement, text));
  }
  return loops;
}

/** Index of the first keyword starting at or after `offset` (keywords are sorted by start). */
function firstKeywordAt(keywords: CudaKeyword[], offset: number): number {
  return firstAtOrAfter(keywords, offset, (keyword) => keyword.start);
}
