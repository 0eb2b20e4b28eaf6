// Python builtins, triton/torch functions and tensor/dict methods for the Triton evaluator: cdiv,
// min/max, range, zip/product, triton.Config, torch tensor factories and shape-changing methods.
// Total functions over evaluated values: unknown in, unknown out; never throws.
import type { SyntaxNode } from './tree';
import { callArguments, rangeOf } from './syntax';
import type { Dtype } from '../types';
import { asInteger, asNumber, iterate, keyOf, MAX_ITEMS, NONE, numberValue, sequence, truthiness, UNKNOWN, type ConfigValue, type PyValue } from './values';

export function callBuiltin(
  canonical: string,
  node: SyntaxNode,
  positional: () => PyValue[],
  keyword: (name: string) => PyValue | null,
  keywords: () => Map<string, PyValue>,
  /** Calls a lambda or `def` value with positional arguments (Evaluator.apply). */
  apply: (fn: PyValue, args: PyValue[]) => PyValue,
): PyValue | null {
  const range = rangeOf(node);
  const name = canonical.replace(/^builtins\./, '');
  switch (name) {
    case 'triton.cdiv':
    case 'triton.language.cdiv':
    case 'triton.language.math.cdiv': {
      const [a, b] = positional().map(asInteger);
      if (a === null || b === null || a === undefined || b === undefined || b === 0) return UNKNOWN;
      return numberValue(Math.floor((a + b - 1) / b), true, range);
    }
    case 'triton.next_power_of_2': {
      const n = asInteger(positional()[0] ?? UNKNOWN);
      if (n === null) return UNKNOWN;
      let power = 1;
      while (power < n) power *= 2;
      return numberValue(power, true, range);
    }
    case 'triton.Config':
      return config(node, positional, keyword);
    case 'triton.language.constexpr':
      return positional()[0] ?? UNKNOWN;
    case 'min':
    case 'max': {
      let values = positional();
      if (values.length === 1) values = iterate(values[0]) ?? [UNKNOWN];
      const numbers = values.map(asNumber);
      if (numbers.length === 0 || numbers.some((value) => value === null)) return UNKNOWN;
      const chosen = (name === 'min' ? Math.min : Math.max)(...(numbers as number[]));
      return values[numbers.indexOf(chosen)];
    }
    case 'abs': {
      const value = positional()[0] ?? UNKNOWN;
      const number = asNumber(value);
      return number === null ? UNKNOWN : numberValue(Math.abs(number), value.kind !== 'number' || value.isInt, range);
    }
    case 'int': {
      const value = positional()[0] ?? UNKNOWN;
      const number = asNumber(value);
      if (number !== null) return numberValue(Math.trunc(number), true, range);
      if (value.kind === 'string' && /^\s*-?\d+\s*$/.test(value.value)) return numberValue(Number(value.value), true, range);
      return UNKNOWN;
    }
    case 'float': {
      const number = asNumber(positional()[0] ?? UNKNOWN);
      return number === null ? UNKNOWN : numberValue(number, false, range);
    }
    case 'len': {
      const value = positional()[0] ?? UNKNOWN;
      if (value.kind === 'tensor') return value.shape?.[0] ?? UNKNOWN;
      const items = iterate(value);
      return items ? numberValue(items.length, true, range) : UNKNOWN;
    }
    case 'range': {
      const bounds = positional().map(asInteger);
      if (bounds.length === 0 || bounds.some((value) => value === null)) return UNKNOWN;
      const [start, stop, step] = bounds.length === 1 ? [0, bounds[0]!, 1] : [bounds[0]!, bounds[1]!, bounds[2] ?? 1];
      if (step === 0) return UNKNOWN;
      const items: PyValue[] = [];
      for (let value = start; step > 0 ? value < stop : value > stop; value += step) {
        if (items.length >= MAX_ITEMS) return UNKNOWN;
        items.push(numberValue(value, true, range));
      }
      return sequence(items, false);
    }
    case 'list':
    case 'tuple':
    case 'sorted':
    case 'reversed': {
      const values = positional();
      if (values.length === 0) return sequence([], name === 'tuple');
      const items = iterate(values[0]);
      if (!items) return UNKNOWN;
      if (name === 'reversed') return sequence([...items].reverse(), false);
      if (name === 'sorted') {
        const numbers = items.map(asNumber);
        if (numbers.some((value) => value === null)) return UNKNOWN;
        return sequence(
          [...items].sort((a, b) => asNumber(a)! - asNumber(b)!),
          false,
        );
      }
      return sequence([...items], name === 'tuple');
    }
    case 'sum': {
      const items = iterate(positional()[0] ?? UNKNOWN);
      const numbers = items?.map(asNumber);
      if (!numbers || numbers.some((value) => value === null)) return UNKNOWN;
      return numberValue(
        (numbers as number[]).reduce((a, b) => a + b, 0),
        true,
        range,
      );
    }
    case 'zip':
    case 'itertools.product': {
      const lists = positional().map(iterate);
      if (lists.length === 0 || lists.some((items) => items === null)) return UNKNOWN;
      const columns = lists as PyValue[][];
      if (name === 'zip') {
        const length = Math.min(...columns.map((items) => items.length));
        return sequence(
          Array.from({ length }, (_, i) =>
            sequence(
              columns.map((items) => items[i]),
              true,
            ),
          ),
          false,
        );
      }
      let rows: PyValue[][] = [[]];
      for (const items of columns) {
        rows = rows.flatMap((row) => items.map((item) => [...row, item]));
        if (rows.length > MAX_ITEMS) return UNKNOWN;
      }
      return sequence(
        rows.map((row) => sequence(row, true)),
        false,
      );
    }
    case 'filter':
    case 'map':
      return name === 'filter' ? filter(positional(), apply) : map(positional(), apply);
    case 'enumerate': {
      const items = iterate(positional()[0] ?? UNKNOWN);
      return items
        ? sequence(
            items.map((item, i) => sequence([numberValue(i, true, range), item], true)),
            false,
          )
        : UNKNOWN;
    }
    case 'dict': {
      const values = positional();
      const base = values.length === 0 ? new Map<string, PyValue>() : values[0].kind === 'dict' ? new Map(values[0].entries) : null;
      if (!base || values.length > 1) return UNKNOWN;
      for (const [key, value] of keywords()) base.set(key, value);
      return { kind: 'dict', entries: base };
    }
    default:
      return torchFactory(name, positional, keyword);
  }
}

/** `torch.randn((M, K), dtype=torch.float16)` and friends: a tensor with a shape and a dtype. */
function torchFactory(name: string, positional: () => PyValue[], keyword: (name: string) => PyValue | null): PyValue | null {
  const match = /^torch\.(randn|rand|empty|zeros|ones|full|randint|randn_like|rand_like|empty_like|zeros_like|ones_like|full_like)$/.exec(name);
  if (!match) return null;
  const factory = match[1];
  const dtypeKeyword = keyword('dtype');
  const explicitDtype = dtypeKeyword?.kind === 'dtype' ? dtypeKeyword.dtype : null;
  const values = positional();
  if (factory.endsWith('_like')) {
    const source = values[0];
    if (!source || source.kind !== 'tensor') return { kind: 'tensor', shape: null, dtype: explicitDtype };
    return { kind: 'tensor', shape: source.shape, dtype: dtypeKeyword ? explicitDtype : source.dtype };
  }
  let shapeValue: PyValue | undefined;
  if (factory === 'randint') shapeValue = keyword('size') ?? values[2] ?? (values.length === 2 ? values[1] : undefined);
  else if (factory === 'full') shapeValue = keyword('size') ?? values[0];
  else shapeValue = keyword('size') ?? (values.length === 1 && values[0].kind === 'sequence' ? values[0] : sequence(values, true));
  const shape = shapeValue ? iterate(shapeValue) : null;
  // PyTorch's default dtype is float32 (randint: int64, which we do not model).
  const defaultDtype = factory === 'randint' ? null : 'fp32';
  return { kind: 'tensor', shape, dtype: dtypeKeyword ? explicitDtype : defaultDtype };
}

export function callMethod(object: PyValue, name: string, positional: PyValue[], keyword: (name: string) => PyValue | null, node: SyntaxNode): PyValue {
  const range = rangeOf(node);
  if (object.kind === 'tensor') {
    switch (name) {
      case 'to':
        return { ...object, dtype: convertedDtype(object.dtype, positional, keyword, node) };
      case 'half':
        return { ...object, dtype: 'fp16' };
      case 'bfloat16':
        return { ...object, dtype: 'bf16' };
      case 'float':
        return { ...object, dtype: 'fp32' };
      case 'double':
        return { ...object, dtype: 'fp64' };
      case 'contiguous':
      case 'cuda':
      case 'cpu':
      case 'clone':
      case 'detach':
      case 'requires_grad_':
        return object;
      case 't':
        return { ...object, shape: object.shape ? transposeLast(object.shape) : null };
      case 'transpose': {
        const [a, b] = positional.map(asInteger);
        if (!object.shape || a === null || b === null || a === undefined || b === undefined) return { ...object, shape: null };
        const shape = [...object.shape];
        const ia = a < 0 ? shape.length + a : a;
        const ib = b < 0 ? shape.length + b : b;
        if (shape[ia] === undefined || shape[ib] === undefined) return { ...object, shape: null };
        [shape[ia], shape[ib]] = [shape[ib], shape[ia]];
        return { ...object, shape };
      }
      case 'size': {
        if (!object.shape) return UNKNOWN;
        if (positional.length === 0) return sequence(object.shape, true);
        const index = asInteger(positional[0]);
        if (index === null) return UNKNOWN;
        return object.shape[index < 0 ? object.shape.length + index : index] ?? UNKNOWN;
      }
      case 'dim':
        return object.shape ? numberValue(object.shape.length, true, range) : UNKNOWN;
      case 'numel': {
        const numbers = object.shape?.map(asInteger);
        if (!numbers || numbers.some((value) => value === null)) return UNKNOWN;
        return numberValue(
          (numbers as number[]).reduce((a, b) => a * b, 1),
          true,
          range,
        );
      }
      case 'view':
      case 'reshape': {
        const dims = positional.length === 1 && positional[0].kind === 'sequence' ? positional[0].items : positional;
        return { ...object, shape: dims.some((dim) => asInteger(dim) === -1) ? null : dims };
      }
      default:
        return UNKNOWN;
    }
  }
  if (object.kind === 'lookup' && name === 'get') {
    const key = positional[0] ? keyOf(positional[0]) : null;
    return key === null ? UNKNOWN : (object.entries.get(key) ?? positional[1] ?? NONE);
  }
  if (object.kind === 'dict') {
    if (name === 'get') {
      const key = positional[0];
      if (key?.kind !== 'string') return UNKNOWN;
      return object.entries.get(key.value) ?? positional[1] ?? NONE;
    }
    if (name === 'keys')
      return sequence(
        [...object.entries.keys()].map((key) => ({ kind: 'string', value: key }) as PyValue),
        false,
      );
    if (name === 'values') return sequence([...object.entries.values()], false);
    if (name === 'items')
      return sequence(
        [...object.entries].map(([key, value]) => sequence([{ kind: 'string', value: key }, value], true)),
        false,
      );
  }
  return UNKNOWN;
}

/**
 * `filter(keep, configs)`, `filter(lambda c: ..., xs)`, `filter(None, xs)`: the items the predicate keeps,
 * as a list (what `list(filter(...))` makes of the iterator). The predicate is a lambda or a function the
 * interpreter runs; when it does not fold for one item, which items stay is not known, and nor is the result.
 */
function filter([predicate, iterable]: PyValue[], apply: (fn: PyValue, args: PyValue[]) => PyValue): PyValue {
  const items = iterate(iterable ?? UNKNOWN);
  if (!items || !predicate || (predicate.kind !== 'function' && predicate.kind !== 'none')) return UNKNOWN;
  const kept: PyValue[] = [];
  for (const item of items) {
    const truth = truthiness(predicate.kind === 'none' ? item : apply(predicate, [item]));
    if (truth === null) return UNKNOWN;
    if (truth) kept.push(item);
  }
  return sequence(kept, false);
}

/** `map(f, xs)` and `map(f, xs, ys)` (pairwise, to the shortest): `f` of each, as a list; an item `f` does not fold for is unknown. */
function map([fn, ...iterables]: PyValue[], apply: (fn: PyValue, args: PyValue[]) => PyValue): PyValue {
  const columns = iterables.map(iterate);
  if (!fn || fn.kind !== 'function' || columns.length === 0 || columns.some((items) => items === null)) return UNKNOWN;
  const length = Math.min(...columns.map((items) => items!.length));
  const argumentsAt = (i: number) => columns.map((items) => items![i]);
  return sequence(
    Array.from({ length }, (_, i) => apply(fn, argumentsAt(i))),
    false,
  );
}

/** A device argument of `.to(...)` that does not fold: `a.device`, `DEVICE`, `dev`, `torch.device("cuda")`. */
const DEVICE_TEXT = /device|\bdev\b|cuda|cpu/i;

/**
 * The dtype after `tensor.to(...)`, from `current`. Its forms are `to(dtype)`, `to(device, dtype)`,
 * `to(other_tensor)` and `to(device=..., dtype=...)`, with non_blocking/copy flags. An argument that does
 * not fold could be the dtype (`to(dtype)` of a run-time choice), so the dtype becomes unknown rather than
 * staying what it was; only one whose wording names a device is passed over, as a string or flag is.
 */
function convertedDtype(current: Dtype | null, positional: PyValue[], keyword: (name: string) => PyValue | null, node: SyntaxNode): Dtype | null {
  const named = keyword('dtype');
  if (named) return named.kind === 'dtype' ? named.dtype : named.kind === 'none' ? current : null;
  const nodes = callArguments(node).positional;
  let dtype = current;
  for (const [i, value] of positional.entries()) {
    if (value.kind === 'dtype' || value.kind === 'tensor') dtype = value.dtype;
    else if (value.kind === 'unknown' && !DEVICE_TEXT.test(nodes[i]?.text ?? '')) return null;
  }
  return dtype;
}

function config(node: SyntaxNode, positional: () => PyValue[], keyword: (name: string) => PyValue | null): PyValue {
  const args = callArguments(node);
  const first = args.positional[0];
  const kwargs = keyword('kwargs') ?? (first ? positional()[0] : null);
  const params = kwargs?.kind === 'dict' ? kwargs.entries : new Map<string, PyValue>();
  let comprehension: SyntaxNode | null = null;
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'list_comprehension' || current.type === 'generator_expression') comprehension = current;
    if (current.type === 'function_definition' || current.type === 'module') break;
  }
  const config: ConfigValue = {
    callRange: rangeOf(node),
    comprehensionRange: comprehension ? rangeOf(comprehension) : null,
    params,
    numWarps: keyword('num_warps') ?? (args.positional[1] ? positional()[1] : null),
    numStages: keyword('num_stages') ?? (args.positional[2] ? positional()[2] : null),
  };
  if (kwargs && kwargs.kind !== 'dict') config.params = new Map([['?', UNKNOWN]]);
  return { kind: 'config', config };
}

export function transposeLast(shape: PyValue[]): PyValue[] {
  if (shape.length < 2) return shape;
  const result = [...shape];
  [result[result.length - 2], result[result.length - 1]] = [result[result.length - 1], result[result.length - 2]];
  return result;
}
