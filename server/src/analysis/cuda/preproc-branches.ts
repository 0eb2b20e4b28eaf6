// Whether a `#define` sits in a branch of `#if` / `#elif` / `#else` that the preprocessor takes, decided
// from conditions that fold with the constants defined before it (`#if SHARED_MEMORY_LIMIT_64K` after
// `#define SHARED_MEMORY_LIMIT_64K 0`). cuda-samples' tensor-core GEMMs define CHUNK_K in both branches;
// the first definition won, so the `#else` value the compiler uses was never read. Pure; never throws.
import type { Node } from 'web-tree-sitter';
import { foldExpr, parseCExpression, type FoldEnv } from '../folding';
import { sourceText } from './syntax';

/** Conditional groups looked through, innermost first (nested `#if`s). */
const MAX_DEPTH = 4;

/** Whether a condition node folds to true or false; null when it does not fold (`defined(X)`, a `-D` flag). */
function conditionValue(condition: Node | null, env: FoldEnv, text: string): boolean | null {
  if (!condition) return null;
  const folded = foldExpr(parseCExpression(sourceText(text, condition), condition.startIndex), env, []);
  return folded.value === null ? null : folded.value !== 0;
}

/**
 * Whether the branch holding `node` (a directive directly inside `#if`, `#elif` or `#else`) is taken:
 * false when a condition that decides it folds against it, true when they all fold for it, null when it
 * is not in a conditional group or a condition that decides it does not fold (`#ifdef` is never decided).
 */
export function branchTaken(node: Node, env: FoldEnv, text: string): boolean | null {
  let verdict: boolean | null = true;
  let inside = false;
  let current: Node = node;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const group = current.parent;
    if (!group || (group.type !== 'preproc_if' && group.type !== 'preproc_elif' && group.type !== 'preproc_else')) break;
    inside = true;
    const branch = groupVerdict(group, env, text);
    if (branch === false) return false;
    if (branch === null) verdict = null;
    // The group's chain starts at its `#if`; an enclosing conditional holds that.
    let head: Node = group;
    for (let step = 0; head.type !== 'preproc_if' && head.type !== 'preproc_ifdef' && head.parent && step < 16; step++) head = head.parent;
    current = head;
  }
  return inside ? verdict : null;
}

/** Whether one branch (`#if`/`#elif` body or `#else`) is taken: its condition holds and every earlier one fails. */
function groupVerdict(group: Node, env: FoldEnv, text: string): boolean | null {
  let verdict: boolean | null = group.type === 'preproc_else' ? true : conditionValue(group.childForFieldName('condition'), env, text);
  if (verdict === false) return false;
  // Earlier branches of the chain: an `#elif` or `#else` is the `alternative` of the branch before it.
  let link = group;
  for (let step = 0; link.type !== 'preproc_if' && step < 16; step++) {
    const earlier = link.parent;
    if (!earlier) break;
    // `#ifdef X ... #else`: whether X is defined depends on flags and headers not known here.
    if (earlier.type === 'preproc_ifdef') return null;
    if (earlier.type !== 'preproc_if' && earlier.type !== 'preproc_elif') break;
    const held = conditionValue(earlier.childForFieldName('condition'), env, text);
    if (held === true) return false;
    if (held === null) verdict = null;
    link = earlier;
  }
  return verdict;
}

/**
 * The conditions that decide whether the branch holding `node` is taken (its groups' `#if`/`#elif`
 * conditions, innermost first), as text: a cache of the definitions must change when one is edited.
 */
export function branchConditions(node: Node): string {
  let conditions = '';
  let current: Node = node;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    let link = current.parent;
    if (!link || !/^preproc_(if|elif|else|ifdef)$/.test(link.type)) break;
    for (let step = 0; link && step < 16; step++) {
      const condition = link.childForFieldName('condition') ?? link.childForFieldName('name');
      conditions += `${link.type}:${condition?.text ?? ''};`;
      if (link.type === 'preproc_if' || link.type === 'preproc_ifdef') break;
      link = link.parent;
    }
    if (!link) break;
    current = link;
  }
  return conditions;
}
