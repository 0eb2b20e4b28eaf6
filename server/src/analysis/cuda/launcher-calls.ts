// The calls of a launcher function in the file, for scopes.ts: a function's parameters take the
// arguments of its calls (every call agreeing on a parameter's value), folded in each caller's scope,
// which is itself propagated from its own callers, up to LAUNCHER_DEPTH functions up. llm.c's
// dev/cuda files launch from `matmul_forward1(..., B, T, C, OC)`, called from a `switch` dispatcher
// `matmul_forward(kernel_num, ...)` that main calls twice with the same sizes: one level of
// propagation from a single call left every size unknown. Pure; reads the tree at recorded offsets.
import type { Node } from 'web-tree-sitter';
import { foldExpr, type Expr, type FoldEnv, type MapEnv } from '../folding';
import type { Dim3Definition } from './scopes';
import { ancestorOfType, namedChildrenOf, rangeAt, sourceText } from './syntax';

/** How many functions up the call chain parameters are propagated (the launch's function is 1 of them). */
export const LAUNCHER_DEPTH = 3;
/** Calls of one function read; with more, its parameters are left unknown. */
const MAX_CALLS = 8;
export const MAX_CALL_SITES_SCANNED = 50;

/** A call of a launcher: where it starts and its argument list (`(` to `)` inclusive). */
export interface CallRef {
  start: number;
  argsStart: number;
  argsEnd: number;
  /** The call's node, when the tree was read (for its argument nodes). */
  node: Node | null;
}

/** What these lookups need of scopes.ts's cache. */
interface CallCache {
  root: Node;
  text: string;
  callSites: Map<string, number[]>;
}

/**
 * The calls of the function [fn.start, fn.end) named `fnName` elsewhere in the file (a recursive call
 * inside it does not count), or [] when there are none or more than MAX_CALLS.
 */
export function callsOf(cache: CallCache, fn: { start: number; end: number }, fnName: string | null): CallRef[] {
  if (!fnName || !/^\w+$/.test(fnName)) return [];
  const calls: CallRef[] = [];
  let scanned = 0;
  for (const at of cache.callSites.get(fnName) ?? []) {
    if (++scanned > MAX_CALL_SITES_SCANNED) return [];
    if (at >= fn.start && at < fn.end) continue;
    const call = ancestorOfType(cache.root.descendantForIndex(at, at + 1), ['call_expression'], 3);
    const callee = call?.childForFieldName('function');
    const calleeName = callee?.type === 'template_function' ? callee.childForFieldName('name')?.text : callee?.text;
    if (!call || calleeName !== fnName) continue;
    if (calls.length === MAX_CALLS) return [];
    const args = call.childForFieldName('arguments');
    calls.push({ start: call.startIndex, argsStart: args?.startIndex ?? -1, argsEnd: args?.endIndex ?? -1, node: call });
  }
  return calls;
}

/**
 * A `dim3` passed to a launcher's parameter `name` (`const dim3 &dimsA`): its components fold in the
 * caller's scope (`callerEnv`) and are bound in the launcher's `env` as `dimsA.x`, `.y`, `.z`, so that
 * `dim3 grid(dimsB.x / threads.x, ...)` folds there too. A component that does not fold in the caller
 * is kept as the caller's expression.
 */
export function dim3Argument(name: string, dim3: Dim3Definition, callerEnv: FoldEnv, env: MapEnv): Dim3Definition {
  const components = ['x', 'y', 'z'].map((axis, index): Expr => {
    const component = dim3.components[index];
    const folded = component ? foldExpr(component, callerEnv, []) : { value: 1, isFloat: false };
    if (component && folded.value === null) return component;
    env.set(`${name}.${axis}`, { kind: 'value', value: folded.value, isFloat: folded.isFloat });
    return { kind: 'name', name: `${name}.${axis}`, range: dim3.range };
  });
  return { components, range: dim3.range };
}

/** A call's argument nodes (when its text holds comments, strings or templates). */
export function argumentNodes(cache: CallCache, call: CallRef): Array<{ text: string; start: number; identifier: boolean }> {
  if (call.argsStart < 0) return [];
  const node = call.node ?? ancestorOfType(cache.root.descendantForIndex(call.start, call.start + 1), ['call_expression'], 3);
  const args = node?.childForFieldName('arguments');
  if (!args) return [];
  return namedChildrenOf(args)
    .filter((c) => c.type !== 'comment')
    .map((c) => ({ text: sourceText(cache.text, c), start: c.startIndex, identifier: c.type === 'identifier' }));
}

/**
 * The functions whose text a launch's folded values can depend on through call-site propagation: the
 * callers of each name in `names`, and theirs, LAUNCHER_DEPTH - 1 levels up, as cache keys (`f` a whole
 * function, `t` a window around a call outside any function) and spans. Text only, no tree walks.
 */
export function callerDependencies(
  text: string,
  callSites: Map<string, number[]>,
  functions: Array<{ start: number; end: number }>,
  fn: { start: number; end: number },
  names: Set<string>,
): { keys: string[]; spans: number[] } {
  const keys: string[] = [];
  const spans: number[] = [];
  const seen = new Set<number>([fn.start]);
  let level: Array<{ range: { start: number; end: number }; names: Set<string> }> = [{ range: fn, names }];
  let callers = 0;
  for (let depth = 1; depth < LAUNCHER_DEPTH && level.length > 0; depth++) {
    const next: typeof level = [];
    for (const { range, names: called } of level) {
      for (const name of called) {
        for (const at of callSites.get(name) ?? []) {
          if (at >= range.start && at < range.end) continue;
          if (++callers > MAX_CALL_SITES_SCANNED) return { keys, spans };
          const caller = rangeAt(functions, at);
          const span = caller ?? { start: Math.max(0, at - 40), end: Math.min(text.length, at + 200) };
          keys.push(`${depth}${caller ? 'f' : 't'}${span.end - span.start}@${at - span.start}`);
          spans.push(span.start, span.end);
          if (caller && !seen.has(caller.start)) {
            seen.add(caller.start);
            const header = text.slice(caller.start, Math.min(caller.end, text.indexOf('{', caller.start) >>> 0));
            const callerName = /([A-Za-z_]\w*)\s*\(/.exec(header)?.[1];
            if (callerName) next.push({ range: caller, names: new Set([callerName]) });
          }
        }
      }
    }
    level = next;
  }
  return { keys, spans };
}
