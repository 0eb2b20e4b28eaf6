// One open source file: its text, its tree-sitter tree (kept up to date incrementally on edits) and
// its cached analysis. Pure apart from the parser it owns; it must not read files or know LSP types.
import { Parser, type Edit, type Language, type Node, type Point, type Tree } from 'web-tree-sitter';
import { analyzeCuda, MAX_SOURCE_CHARS } from './cuda/analyze';
import { createCudaAnalysisCache } from './cuda/cache';
import { prepareCudaText, type PreparedCuda } from './cuda/prepare';
import { analyzeTritonSafely } from './triton-bridge';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions, type FileAnalysis, type SourceLanguage } from './types';

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

const parsers = new WeakMap<Language, Parser>();

/** One parser per grammar, shared: parsing is synchronous, so documents never interleave on it. */
function parserFor(language: Language): Parser {
  let parser = parsers.get(language);
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(language);
    parsers.set(language, parser);
  }
  return parser;
}

function emptyAnalysis(language: SourceLanguage, message: string): FileAnalysis {
  return {
    language, kernels: [], launches: [], tileParams: [], libraryCalls: [],
    problems: [{ range: { start: 0, end: 0 }, message, severity: 'warning' }],
  };
}

/** Row/column (UTF-16 code units, as web-tree-sitter counts them for string input) of an offset. */
function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

export class SourceDocument {
  private currentText: string;
  private parseText = '';
  private tree: Tree | null = null;
  private cached: { options: AnalysisOptions; result: FileAnalysis } | null = null;
  private readonly grammar: Language;
  /** Per-kernel and per-launch results of the last analysis, reused when their text did not change. */
  private readonly cudaCache = createCudaAnalysisCache();

  constructor(private readonly grammars: { cpp: Language; python: Language }, readonly language: SourceLanguage, text: string) {
    this.currentText = text;
    this.grammar = language === 'cuda' ? grammars.cpp : grammars.python;
    this.reparse(null);
  }

  get text(): string {
    return this.currentText;
  }

  /** The tree of the last parse (of the CUDA-rewritten text for CUDA), or null when over the size cap. */
  get syntaxTree(): Tree | null {
    return this.tree;
  }

  /** The CUDA preparation of the current text, kept so analysis does not redo it. */
  private prepared: PreparedCuda | null = null;

  private textToParse(text: string): string {
    if (this.language !== 'cuda') return text;
    this.prepared = prepareCudaText(text);
    return this.prepared.parseText;
  }

  private reparse(edit: Edit | null, preparedText?: string): void {
    if (this.currentText.length > MAX_SOURCE_CHARS) {
      this.tree?.delete();
      this.tree = null;
      this.parseText = '';
      return;
    }
    const next = preparedText ?? this.textToParse(this.currentText);
    const parser = parserFor(this.grammar);
    let old: Tree | null = null;
    if (edit && this.tree) {
      this.tree.edit(edit);
      old = this.tree;
    }
    let tree: Tree | null = null;
    try {
      tree = parser.parse(next, old);
      // Error recovery after an incremental parse can differ from a fresh parse of the same text
      // (found by the fuzz test). Results must not depend on edit history, so a tree with errors
      // is re-parsed from scratch; valid code keeps the fast incremental path.
      if (tree && old && tree.rootNode.hasError) {
        tree.delete();
        tree = parser.parse(next);
      }
    } catch {
      tree = null;
    }
    if (old && old !== tree) old.delete();
    else if (!edit) this.tree?.delete();
    this.tree = tree;
    this.parseText = next;
  }

  /** Applies one edit (offsets into the current text) and re-parses incrementally. */
  applyEdit(edit: TextEdit): void {
    const start = Math.max(0, Math.min(edit.start, this.currentText.length));
    const end = Math.max(start, Math.min(edit.end, this.currentText.length));
    const oldText = this.currentText;
    this.currentText = oldText.slice(0, start) + edit.newText + oldText.slice(end);
    this.cached = null;
    if (!this.tree || oldText.length > MAX_SOURCE_CHARS || this.currentText.length > MAX_SOURCE_CHARS) {
      this.tree?.delete();
      this.tree = null;
      this.reparse(null);
      return;
    }
    // The CUDA rewrite can change outside the edited span (an edit that opens a comment un-blanks
    // `__global__` further down), so the tree edit covers the whole span where the parsed text differs.
    const oldParse = this.parseText;
    const newParse = this.textToParse(this.currentText);
    let prefix = 0;
    const limit = Math.min(oldParse.length, newParse.length, start);
    while (prefix < limit && oldParse.charCodeAt(prefix) === newParse.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    const suffixLimit = Math.min(oldParse.length - prefix, newParse.length - prefix, oldText.length - end);
    while (suffix < suffixLimit && oldParse.charCodeAt(oldParse.length - 1 - suffix) === newParse.charCodeAt(newParse.length - 1 - suffix)) suffix++;
    const oldEnd = oldParse.length - suffix;
    const newEnd = newParse.length - suffix;
    this.reparse({
      startIndex: prefix,
      oldEndIndex: oldEnd,
      newEndIndex: newEnd,
      startPosition: pointAt(oldParse, prefix),
      oldEndPosition: pointAt(oldParse, oldEnd),
      newEndPosition: pointAt(newParse, newEnd),
    } as Edit, newParse);
  }

  /** Analysis of the current text; cached until the next edit (or different options). */
  analyze(options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS): FileAnalysis {
    if (this.cached && this.cached.options === options) return this.cached.result;
    let result: FileAnalysis;
    if (this.currentText.length > MAX_SOURCE_CHARS) {
      result = emptyAnalysis(this.language, `file is larger than ${MAX_SOURCE_CHARS} characters; TileCast does not analyse it`);
    } else if (!this.tree) {
      result = emptyAnalysis(this.language, 'the parser failed on this file; nothing was analysed');
    } else if (this.language === 'cuda') {
      result = analyzeCuda(this.tree.rootNode, this.currentText, options, this.cudaCache, this.prepared ?? undefined);
    } else {
      result = analyzeTritonSafely(this.tree.rootNode as Node, this.currentText, options);
    }
    this.cached = { options, result };
    return result;
  }

  /** Frees the tree-sitter tree (WebAssembly memory); the document must not be used afterwards. */
  dispose(): void {
    this.tree?.delete();
    this.tree = null;
  }
}
