// A large top-level class or function parsed statement by statement (units.ts parses other units whole): its
// header is parsed with a stub body, each body statement (a method, or a statement of a function, with the
// lines up to the next one: a "chunk") is parsed under a stub `class _:` or `def _():` line and kept while
// its text is unchanged, and the definition's block is assembled from the chunks' statements. A keystroke in
// a 2,500-line class then parses one method. For valid code the result is the whole-file tree node for node
// (test/triton-units.test.ts); where the chunks do not give the shape a body has, the caller parses the
// definition whole. It must not analyse.
import type { Tree } from 'web-tree-sitter';
import { CONTINUATION, DEFINITION, decoratorsAbove, scanLine } from './scan';
import { copyTree, type PyNode, type UnitText } from './tree';

/** Definitions shorter than this are parsed whole: splitting costs more than it saves. */
export const SPLIT_CHARS = 4000;

/** The line a chunk is parsed under, so that its indented statements are a class's or a function's body. */
type Stub = 'class _:\n' | 'def _():\n' | 'async def _():\n';

/** One body statement's parse, by its text; `skip` of its unit is the stub's length. */
export interface Chunk {
  unit: UnitText;
  /** The statements it adds to the class body (comments included). */
  body: PyNode[];
  /** Nodes after the stub class: column-0 comments ending the chunk (the block's, unless the chunk is the class's last). */
  after: PyNode[];
}

/**
 * Where the body statements of the class or function that `text` (a unit) defines begin: the end of its
 * header and the start of each statement at the body's indentation after the first (a decorator's
 * definition and `else`/`except` continue a statement), and the stub its chunks parse under; null when
 * `text` defines neither, its body is on its header line, or a line is indented less than the body but
 * not at column 0.
 */
export function bodyChunks(text: string): { headerEnd: number; indent: string; starts: number[]; stub: Stub } | null {
  let i = 0;
  const state = { depth: 0, continued: false };
  // Decorators, comments and blank lines before the class line.
  for (;;) {
    if (i >= text.length) return null;
    const c = text.charCodeAt(i);
    if (c === 64 || c === 35 || c === 10 || c === 13 || c === 32 || c === 9) {
      i = scanLine(text, i, state);
      while ((state.depth > 0 || state.continued) && i < text.length) i = scanLine(text, i, state);
      continue;
    }
    break;
  }
  const keyword = /^(class[ \t(:]|def[ \t]|async[ \t]+def[ \t])/.exec(text.slice(i, i + 16))?.[1];
  if (!keyword) return null;
  const stub: Stub = keyword.startsWith('class') ? 'class _:\n' : keyword.startsWith('def') ? 'def _():\n' : 'async def _():\n';
  let headerEnd = scanLine(text, i, state);
  while ((state.depth > 0 || state.continued) && headerEnd < text.length) headerEnd = scanLine(text, headerEnd, state);
  const headerLine = text.slice(i, headerEnd).replace(/#.*$/gm, '').trimEnd();
  if (!headerLine.endsWith(':')) return null;
  let indent: string | null = null;
  const starts: number[] = [];
  let afterDecorator = false;
  for (let at = headerEnd; at < text.length; ) {
    const line = text.slice(at, text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at));
    const code = line.trimStart();
    if (code === '' || code.startsWith('#')) {
      at = scanLine(text, at, state);
      continue;
    }
    const leading = line.slice(0, line.length - code.length);
    if (indent === null) {
      if (leading === '') return null;
      indent = leading;
      starts.push(at);
    } else if (leading === '') {
      // Code at column 0 inside the unit: only after a bracket broken code left open (units.ts); the rest is the last chunk's.
      break;
    } else if (leading === indent) {
      if (!afterDecorator && !CONTINUATION.test(code)) starts.push(at);
    } else if (!leading.startsWith(indent)) {
      return null;
    }
    if (leading === indent) afterDecorator = code.startsWith('@');
    at = scanLine(text, at, state);
    while ((state.depth > 0 || state.continued) && at < text.length) {
      // Broken code: a definition at the body's indentation ends a bracket left open before it.
      if (state.depth > 0 && text.startsWith(indent, at) && DEFINITION.test(text.slice(at + indent.length, at + indent.length + 12))) {
        state.depth = 0;
        state.continued = false;
        // The definition starts a chunk with the decorators right above it.
        const from = decoratorsAbove(text, at, indent);
        if (from > starts[starts.length - 1]! && from < at) {
          starts.push(from);
          at = scanLine(text, at, state);
          afterDecorator = false;
          while ((state.depth > 0 || state.continued) && at < text.length) at = scanLine(text, at, state);
        }
        break;
      }
      at = scanLine(text, at, state);
    }
  }
  if (indent === null || starts.length < 2) return null;
  // Comments between the header line and the first statement belong to the class, not its block.
  return { headerEnd: starts[0]!, indent, starts, stub };
}

/** Parses one chunk under its stub; null when stopped (or too large to copy), 'shape' when it is not one body (the caller parses the definition whole). */
export function parseChunk(text: string, stub: Stub, parse: (text: string) => Tree | null, shouldStop: () => boolean): Chunk | null | 'shape' {
  const own = `${stub}${text}`;
  const tree = parse(own);
  if (!tree) return null;
  try {
    const unit: UnitText = { text: own, base: 0, generation: 0, skip: stub.length };
    const module = copyTree(tree, unit, shouldStop);
    if (!module) return null;
    const [stubNode, ...after] = module.children;
    const block = stubNode?.type === 'class_definition' || stubNode?.type === 'function_definition' ? stubNode.childForFieldName('body') : null;
    if (!block || block.type !== 'block' || stubNode!.hasError !== block.hasError) return 'shape';
    return { unit, body: [...block.children], after };
  } finally {
    tree.delete();
  }
}

/**
 * The definition's top-level nodes: its header's parse (`header`, of the header text with a stub body, copied
 * against the definition's unit) with its block made of the chunks' statements; null when the header does
 * not parse as a class or function with a block.
 */
export function assembleDefinition(header: PyNode, chunks: readonly Chunk[], base: number): PyNode[] | null {
  const nodes = [...header.children];
  const top = nodes[nodes.length - 1];
  const definition = top?.type === 'decorated_definition' ? top.childForFieldName('definition') : top;
  const block = definition?.type === 'class_definition' || definition?.type === 'function_definition' ? definition.childForFieldName('body') : null;
  if (!top || !definition || !block || block.type !== 'block') return null;
  // Column-0 comments ending a chunk other than the last are the block's (more of the body follows them).
  const inner = chunks.slice(0, -1).flatMap((chunk) => chunk.after);
  if (inner.some((node) => node.type !== 'comment')) return null;
  const body = chunks.flatMap((chunk, i) => (i < chunks.length - 1 ? [...chunk.body, ...chunk.after] : chunk.body));
  if (body.length === 0) return null;
  const end = body[body.length - 1]!.endIndex - base;
  block.adopt(body, body[0]!.startIndex - base, end);
  definition.resize(definition.startIndex - base, end);
  if (block.hasError) definition.markError();
  if (top !== definition) {
    top.resize(top.startIndex - base, end);
    if (block.hasError) top.markError();
  }
  return [...nodes, ...chunks[chunks.length - 1]!.after];
}
