// The values the Triton analysis's small Python evaluator computes with (numbers, strings, lists,
// dicts, dtypes, tensors with shapes, lambdas, triton.Config records) and dtype-name mapping.
// Plain data only; evaluation lives in evaluate.ts.
import type { SyntaxNode } from './tree';
import type { Dtype, Range } from '../types';

export type PyValue =
  | { kind: 'number'; value: number; isInt: boolean; range: Range }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'none' }
  | { kind: 'sequence'; items: PyValue[]; tuple: boolean }
  | { kind: 'dict'; entries: Map<string, PyValue> }
  /** A dict with keys other than strings (`{torch.float16: {...}, torch.float8_e4m3fn: {...}}`), by keyOf: read by subscript and `.get` only. */
  | { kind: 'lookup'; entries: Map<string, PyValue> }
  | { kind: 'dtype'; dtype: Dtype | null; name: string }
  | { kind: 'tensor'; shape: PyValue[] | null; dtype: Dtype | null }
  | { kind: 'function'; node: SyntaxNode; lambda: boolean; closure: Scope | null }
  | { kind: 'config'; config: ConfigValue }
  | { kind: 'unknown' };

/** A `triton.Config(...)` as evaluated: parameter values with the ranges of the text they came from. */
export interface ConfigValue {
  /** The `triton.Config(...)` call. */
  callRange: Range;
  /** The list comprehension that produced this config, when it came from one (its configs share this range). */
  comprehensionRange: Range | null;
  params: Map<string, PyValue>;
  numWarps: PyValue | null;
  numStages: PyValue | null;
}

/** Name resolution for the evaluator: `at` is the offset of the use, for flow-insensitive "last binding before" lookups. */
export interface Scope {
  lookup(name: string, at: number): PyValue;
}

/** Comprehensions, ranges and loops stop here; real autotune spaces are far smaller. */
export const MAX_ITEMS = 4096;

export const UNKNOWN: PyValue = { kind: 'unknown' };
export const NONE: PyValue = { kind: 'none' };

export function numberValue(value: number, isInt: boolean, range: Range): PyValue {
  return { kind: 'number', value, isInt, range };
}

export function sequence(items: PyValue[], tuple: boolean): PyValue {
  return { kind: 'sequence', items, tuple };
}

/** A dict key as a lookup's map key: strings, numbers (bools are ints), dtypes and None; null when not hashable here. */
export function keyOf(value: PyValue): string | null {
  if (value.kind === 'string') return `s:${value.value}`;
  if (value.kind === 'number' || value.kind === 'bool') return `n:${asNumber(value)}`;
  if (value.kind === 'dtype') return `d:${value.dtype ?? value.name}`;
  if (value.kind === 'none') return 'none';
  return null;
}

/** The folded number of a value, or null; Python bools are ints. */
export function asNumber(value: PyValue): number | null {
  if (value.kind === 'number') return value.value;
  if (value.kind === 'bool') return value.value ? 1 : 0;
  return null;
}

export function asInteger(value: PyValue): number | null {
  const number = asNumber(value);
  return number !== null && Number.isInteger(number) ? number : null;
}

/** Truthiness in Python terms; null where it cannot be known. */
export function truthiness(value: PyValue): boolean | null {
  switch (value.kind) {
    case 'number':
      return value.value !== 0;
    case 'bool':
      return value.value;
    case 'string':
      return value.value.length > 0;
    case 'none':
      return false;
    case 'sequence':
      return value.items.length > 0;
    case 'dict':
      return value.entries.size > 0;
    case 'dtype':
    case 'function':
    case 'config':
    case 'tensor':
      return true;
    default:
      return null;
  }
}

/** Items of an iterable value, or null when unknown. */
export function iterate(value: PyValue): PyValue[] | null {
  if (value.kind === 'sequence') return value.items;
  if (value.kind === 'dict') return [...value.entries.keys()].map((key) => ({ kind: 'string', value: key }) as PyValue);
  if (value.kind === 'string') return [...value.value].map((character) => ({ kind: 'string', value: character }) as PyValue);
  return null;
}

/**
 * Maps a dtype spelling from Triton (`float16`, `float8e4nv`), PyTorch (`float8_e4m3fn`, `half`) or a
 * signature string / annotation (`fp16`, `*bf16`) to TileCast's Dtype; null when not a dtype we model.
 */
export function dtypeFromName(raw: string): Dtype | null {
  const name = raw.replace(/^\*/, '').toLowerCase();
  if (/^(float8|fp8|f8)/.test(name)) return 'fp8';
  if (/^(float4|fp4|e2m1)/.test(name)) return 'fp4';
  switch (name) {
    case 'float16':
    case 'fp16':
    case 'half':
    case 'f16':
      return 'fp16';
    case 'bfloat16':
    case 'bf16':
      return 'bf16';
    case 'float32':
    case 'fp32':
    case 'float':
    case 'f32':
      return 'fp32';
    case 'tf32':
    case 'tensorfloat32':
      return 'tf32';
    case 'float64':
    case 'fp64':
    case 'double':
    case 'f64':
      return 'fp64';
    case 'int8':
    case 'i8':
    case 'uint8':
    case 'u8':
      return 'int8';
    default:
      return null;
  }
}

/** Whether `name` names a dtype at all (known or not), e.g. `int32`, so tensors of it are recognised. */
export function isDtypeName(name: string): boolean {
  return dtypeFromName(name) !== null || /^(u?int(16|32|64)|bool|int1|complex\d*|long|short|int)$/.test(name.toLowerCase());
}
