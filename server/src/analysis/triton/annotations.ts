// Reads `# tilecast: M=4096 N=4096 K=4096 dtype=fp16` comments (for attention launches `seq=`,
// `seq_kv=`, `heads=`, `head_dim=`, `causal=`) and finds the ones attached to a
// construct (on its lines or in the comment block directly above it). Text only; no evaluation.
import type { SyntaxNode } from './tree';
import type { Dtype, Problem, Range } from '../types';
import { type LineIndex, moduleNodes, rangeOf } from './syntax';
import { dtypeFromName } from './values';

export interface Annotation {
  range: Range;
  line: number;
  /** Module-level comment (not inside a def, a call or a block). */
  topLevel: boolean;
  m: number | null;
  n: number | null;
  k: number | null;
  batch: number | null;
  dtype: Dtype | null;
  /** An attention launch's shape (triton/attention.ts): `seq=`, `seq_kv=`, `heads=` (× batch), `head_dim=`, `causal=`. */
  attention: AnnotatedAttention;
}

export interface AnnotatedAttention {
  seq: number | null;
  seqKv: number | null;
  heads: number | null;
  headDim: number | null;
  causal: boolean | null;
}

const KEYS = new Set(['m', 'n', 'k', 'batch', 'dtype', 'seq', 'seq_kv', 'heads', 'head_dim', 'causal']);
const ATTENTION_KEYS: Record<string, 'seq' | 'seqKv' | 'heads' | 'headDim'> = { seq: 'seq', seq_kv: 'seqKv', heads: 'heads', head_dim: 'headDim' };

export function collectAnnotations(root: SyntaxNode, lines: LineIndex, problems: Problem[]): Annotation[] {
  const annotations: Annotation[] = [];
  for (const node of moduleNodes(root).comments) {
    const match = /^#\s*tilecast\s*:(.*)$/i.exec(node.text);
    if (!match) continue;
    const annotation: Annotation = {
      range: rangeOf(node),
      line: lines.lineOf(node.startIndex),
      topLevel: node.parent?.type === 'module',
      m: null,
      n: null,
      k: null,
      batch: null,
      dtype: null,
      attention: { seq: null, seqKv: null, heads: null, headDim: null, causal: null },
    };
    for (const pair of match[1]
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean)) {
      const [rawKey, rawValue] = pair.split('=');
      const key = rawKey.toLowerCase();
      if (!KEYS.has(key) || rawValue === undefined || rawValue === '') {
        problems.push({
          range: rangeOf(node),
          message: `tilecast annotation: unknown entry '${pair}' (use M=, N=, K=, batch=, dtype=; for attention seq=, seq_kv=, heads=, head_dim=, causal=)`,
          severity: 'warning',
        });
        continue;
      }
      if (key === 'dtype') {
        annotation.dtype = dtypeFromName(rawValue);
        if (!annotation.dtype) problems.push({ range: rangeOf(node), message: `tilecast annotation: unknown dtype '${rawValue}'`, severity: 'warning' });
        continue;
      }
      if (key === 'causal') {
        const flag = /^(true|1|yes)$/i.test(rawValue) ? true : /^(false|0|no)$/i.test(rawValue) ? false : null;
        if (flag === null)
          problems.push({ range: rangeOf(node), message: `tilecast annotation: causal must be true or false, not '${rawValue}'`, severity: 'warning' });
        else annotation.attention.causal = flag;
        continue;
      }
      const value = Number(rawValue.replace(/_/g, ''));
      if (!Number.isInteger(value) || value <= 0) {
        problems.push({ range: rangeOf(node), message: `tilecast annotation: ${rawKey} must be a positive integer, not '${rawValue}'`, severity: 'warning' });
        continue;
      }
      const attentionKey = ATTENTION_KEYS[key];
      if (attentionKey) annotation.attention[attentionKey] = value;
      else annotation[key as 'm' | 'n' | 'k' | 'batch'] = value;
    }
    annotations.push(annotation);
  }
  return annotations;
}

/**
 * Annotations on the lines of `node` or in the unbroken block of comment-only lines directly above it,
 * nearest first.
 */
export function attachedAnnotations(annotations: Annotation[], node: SyntaxNode, lines: LineIndex): Annotation[] {
  const first = lines.lineOf(node.startIndex);
  const last = lines.lineOf(node.endIndex);
  let top = first;
  while (
    top > 0 &&
    lines
      .lineText(top - 1)
      .trim()
      .startsWith('#')
  )
    top--;
  return annotations
    .filter((annotation) => annotation.line >= top && annotation.line <= last)
    .sort((a, b) => Math.abs(a.line - first) - Math.abs(b.line - first));
}
