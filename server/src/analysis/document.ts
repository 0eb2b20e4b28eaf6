// One open source file: its text, its syntax tree (CUDA: a tree-sitter tree kept up to date incrementally
// on edits; Python: a module assembled from per-unit parses, triton/units.ts) and its cached analysis. Pure apart from the parser it owns; it must not read files or know LSP types.
import { Parser, type Edit, type Language, type Point, type Tree } from 'web-tree-sitter';
import { analyzeCuda, MAX_SOURCE_CHARS } from './cuda/analyze';
import { headerContext, type HeaderContext } from './cuda/headers';
import { moduleContext, type TritonModuleContext } from './triton/modules';
import { createCudaAnalysisCache, recordChange, recordTreeChanges } from './cuda/cache';
import { prepareCudaText, type PreparedCuda } from './cuda/prepare';
import { editWindow, prepareCudaEdit } from './cuda/prepare-incremental';
import { applyLessThanRewrites, resolveLessThan } from './cuda/template-ambiguity';
import { containErrors, type SkippedBody } from './cuda/error-containment';
import type { PyNode } from './triton/tree';
import { UnitTrees } from './triton/units';
import { analyzeTritonTree } from './triton/index';
import { createTritonCache } from './triton/reuse';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions, type FileAnalysis, type SourceLanguage } from './types';
import type { TextEdit } from '../text/differing-span';

const parsers = new WeakMap<Language, Parser>();

/**
 * Milliseconds one re-parse (with its `<` resolution and error containment) may take: junk text such as
 * a 1 MB `a+a+...` line costs tree-sitter seconds, which would block the server. Past it the parse is
 * cancelled, the file gets one problem (OVER_BUDGET) instead of an analysis, and the next edit parses
 * it afresh (with the fresh-parse budget below).
 */
export const PARSE_BUDGET_MS = 1000;
/**
 * A parse from scratch (no tree to re-parse from: a file just opened, or after a parse that failed) gets the
 * budget once per this many lines, at least once: tree-sitter's cost on code grows with its size, and a
 * valid file at the size limit (2 MB, about 50,000 lines) needed 3.6-4.1 s for its parse and `<` resolution
 * on a 2-core VM, so under a flat 1 s budget it was never analysed. Lines, not characters: the costly junk the
 * budget is for (a pasted 1 MB `a+a+...` line, a minified line) gets no more time than before.
 */
const FRESH_PARSE_BUDGET_LINES = 10_000;

/** Lines of `text` (at least 1), counted up to `limit` (the count is only compared with it). */
function lineCount(text: string, limit: number): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0 && lines < limit; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

export const OVER_BUDGET = 'file too complex to analyse while typing (parsing took over the time budget); TileCast retries after the next edit';

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
    language,
    kernels: [],
    launches: [],
    tileParams: [],
    libraryCalls: [],
    problems: [{ range: { start: 0, end: 0 }, message, severity: 'warning' }],
  };
}

/**
 * Rewrite offsets moved by an edit of [start, end) to `insertedLength` characters, without those in the
 * edited statement (from the `;`, `{` or `}` before the edit to the one after it in the new text): a
 * change there can turn a comparison into a template argument list.
 */
function carryRewrites(rewrites: number[], start: number, end: number, insertedLength: number, newText: string): number[] {
  if (rewrites.length === 0) return rewrites;
  const delta = insertedLength - (end - start);
  let statementStart = start;
  while (statementStart > 0 && !';{}'.includes(newText[statementStart - 1]!)) statementStart--;
  let statementEnd = start + insertedLength;
  while (statementEnd < newText.length && !';{}'.includes(newText[statementEnd]!)) statementEnd++;
  const carried: number[] = [];
  for (const offset of rewrites) {
    const moved = offset < start ? offset : offset >= end ? offset + delta : -1;
    if (moved < 0 || (moved >= statementStart && moved <= statementEnd) || newText[moved] !== '<') continue;
    carried.push(moved);
  }
  return carried;
}

/**
 * Row/column (UTF-16 code units, as web-tree-sitter counts them for string input) of `offset`, counting
 * lines from `from` (at `fromPoint`, by default the start of the text) so later points need not rescan.
 */
function pointAt(text: string, offset: number, from = 0, fromPoint: Point = { row: 0, column: 0 }): Point {
  let row = fromPoint.row;
  let lineStart = from - fromPoint.column;
  for (let i = text.indexOf('\n', from); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/**
 * `text[from, to)` with each lone `\r` (old Mac OS line ends) turned into `\n`: the same length, so
 * every offset still points at the original characters, and the grammars, which end line comments and
 * preprocessor lines at `\n` only, see the line breaks an editor shows.
 */
export function normalizeLineEnds(text: string, from = 0, to = text.length): string {
  let out = '';
  let last = from;
  for (let i = text.indexOf('\r', from); i >= 0 && i < to; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) === 10) continue;
    out += text.slice(last, i) + '\n';
    last = i + 1;
  }
  return last === from ? text.slice(from, to) : out + text.slice(last, to);
}

/** What another file lends a file's analysis: a header a CUDA file includes, a module a Triton file imports. */
export type IncludedContext = HeaderContext | TritonModuleContext;

export class SourceDocument {
  private currentText: string;
  /** currentText with lone `\r` made `\n` (normalizeLineEnds): what is parsed and analysed. */
  private analysisText: string;
  /** Whether the text has ever held a `\r`: only then is analysisText kept apart from currentText. */
  private hasCarriageReturns: boolean;
  private parseText = '';
  /** The CUDA tree (null for Python, read as units, and when nothing could be parsed). */
  private tree: Tree | null = null;
  /** A Python file's module, assembled from its units' trees (triton/units.ts); null when nothing could be parsed. */
  private pythonRoot: PyNode | null = null;
  private readonly pythonUnits = new UnitTrees();
  /** Per-kernel and per-launch results of the last Triton analysis, reused while what they read is unchanged. */
  private readonly tritonCache = createTritonCache();
  private cached: { options: AnalysisOptions; included: readonly IncludedContext[]; result: FileAnalysis } | null = null;
  /** This document as another file's header or imported module (asIncluded), kept until the next edit. */
  private included: IncludedContext | null = null;
  private readonly grammar: Language;
  /** Per-kernel and per-launch results of the last analysis, reused when their text did not change. */
  private readonly cudaCache = createCudaAnalysisCache();
  /** Set when the last parse ran out of its time budget (then `tree` is null). */
  private overBudget = false;
  /** Deadline of the re-parse in progress (performance.now() milliseconds). */
  private deadline = Infinity;
  /** The time budget of one re-parse, in milliseconds (PARSE_BUDGET_MS unless a test sets another). */
  parseBudgetMs = PARSE_BUDGET_MS;
  /** Whether the re-parse in progress is no longer wanted (its version is outdated); set by the caller. */
  shouldStop: (() => boolean) | null;
  /** Set when the caller's shouldStop stopped the last re-parse (then `tree` is null). */
  private stopped = false;

  /** Whether the caller's shouldStop stopped the last re-parse: the text has no tree and no analysis of its own. */
  get wasStopped(): boolean {
    return this.stopped && !this.parsed;
  }

  /** Whether the current text has a tree to analyse. */
  private get parsed(): boolean {
    return this.language === 'cuda' ? this.tree !== null : this.pythonRoot !== null;
  }

  constructor(
    grammars: { cpp: Language; python: Language },
    readonly language: SourceLanguage,
    text: string,
    shouldStop: (() => boolean) | null = null,
    parseBudgetMs: number = PARSE_BUDGET_MS,
  ) {
    this.shouldStop = shouldStop;
    this.parseBudgetMs = parseBudgetMs;
    this.currentText = text;
    this.hasCarriageReturns = text.includes('\r');
    this.analysisText = this.hasCarriageReturns ? normalizeLineEnds(text) : text;
    this.grammar = language === 'cuda' ? grammars.cpp : grammars.python;
    this.reparse(null);
  }

  get text(): string {
    return this.currentText;
  }

  /** The CUDA tree of the last parse (of its rewritten text), or null when over the size cap; null for Python (units, parseUnits). */
  get syntaxTree(): Tree | null {
    return this.tree;
  }

  /** The CUDA preparation of the current text (its parseText with the `<` rewrites), kept so analysis does not redo it. */
  private prepared: PreparedCuda | null = null;
  /** Offsets where a misread `<` is parsed as `>` (cuda/template-ambiguity.ts), sorted. */
  private rewrites: number[] = [];

  /** After an incremental preparation: the parsed text is unchanged before `from` and from `oldTo` (old offsets) on. */
  private unchangedOutside: { from: number; oldTo: number } | null = null;
  /** Whether the parsed text is the preparation's own (no `<` rewrites applied): then unchangedOutside holds for it too. */
  private parsedPristine = false;

  /** tree-sitter's changed ranges of the last incremental parse ([start, end) pairs), else null. */
  private treeChanges: number[] | null = null;

  /** The preparation of the current text as prepareCudaText gives it (no `<` rewrites), for incremental preparation. */
  private pristine: PreparedCuda | null = null;

  /** The text tree-sitter parses; after an edit of the previous text, CUDA is re-scanned around the edit only when that is exact. */
  private textToParse(text: string, edit?: { previous: string; start: number; end: number; insertedLength: number }): string {
    const incremental = edit && this.pristine ? prepareCudaEdit(edit.previous, this.pristine, text, edit.start, edit.end, edit.insertedLength) : null;
    this.unchangedOutside = incremental && edit ? editWindow(edit.previous, edit.start, edit.end) : null;
    this.pristine = incremental ?? prepareCudaText(text);
    this.prepared = this.pristine;
    return this.prepared.parseText;
  }

  /** Whether the re-parse in progress must end now: past its budget, or no longer wanted. */
  private expired(): boolean {
    if (performance.now() > this.deadline) return true;
    if (this.shouldStop?.()) this.stopped = true;
    return this.stopped;
  }

  /** Parse options that cancel the parse once it has expired(). */
  private within(): { progressCallback: () => boolean } {
    return { progressCallback: () => this.expired() };
  }

  /**
   * Re-parses `text`, which differs from the text of `base` only in the sorted [start, end) pairs of
   * `ranges` (same-length changes: a `<` that became `>`, a blanked body), incrementally from a copy
   * of `base`; adds tree-sitter's changed ranges to `changes` when given.
   */
  private reparseRanges(parser: Parser, text: string, base: Tree, ranges: number[], changes: number[] | null): Tree | null {
    const copy = base.copy();
    try {
      let from = 0;
      let fromPoint: Point = { row: 0, column: 0 };
      for (let i = 0; i < ranges.length; i += 2) {
        const start = ranges[i]!;
        const end = ranges[i + 1]!;
        fromPoint = pointAt(text, start, from, fromPoint);
        from = start;
        // Same length and line breaks kept, so the end has the same point before and after.
        const after = pointAt(text, end, start, fromPoint);
        copy.edit({ startIndex: start, oldEndIndex: end, newEndIndex: end, startPosition: fromPoint, oldEndPosition: after, newEndPosition: after } as Edit);
      }
      const tree = parser.parse(text, copy, this.within());
      // A stopped parse stays outstanding in the parser, which would resume it on its next parse of any text.
      if (!tree) parser.reset();
      if (tree && changes) for (const range of copy.getChangedRanges(tree)) changes.push(range.startIndex, range.endIndex);
      return tree;
    } finally {
      copy.delete();
    }
  }

  /**
   * Parses a CUDA `next` (incrementally after `edit` when there is a tree), in which the `<` rewrites `carried`
   * are applied (Python: parseUnits). A tree with errors then has its misread `<` comparisons resolved
   * (cuda/template-ambiguity.ts), also incrementally, so a syntax error anywhere in the file does not
   * make every keystroke re-parse it from scratch. tree-sitter's incremental parse of a text with errors
   * usually gives the tree a fresh parse gives (test/analysis-fuzz.test.ts compares the analyses, default
   * seed), but not always: its error recovery can settle differently when it reuses old nodes (fuzz seed
   * 6 finds a case in tree-sitter alone), and `<` rewrites carried from a valid version can leave fewer
   * errors than a cold parse finds (seeds 3, 8, 11). Known limitation; see docs/analysis.md.
   */
  private reparse(edit: Edit | null, preparedText?: string, carried: number[] = []): void {
    if (this.language !== 'cuda') {
      this.parseUnits();
      return;
    }
    if (this.analysisText.length > MAX_SOURCE_CHARS) {
      this.tree?.delete();
      this.tree = null;
      this.parseText = '';
      this.rewrites = [];
      return;
    }
    let next = preparedText ?? this.textToParse(this.analysisText);
    const parser = parserFor(this.grammar);
    // Re-parsing from a tree is incremental; from scratch the parser reads every character.
    const fresh = !(edit && this.tree);
    const scale = fresh && next.length > 200_000 ? Math.max(1, lineCount(next, 10 * FRESH_PARSE_BUDGET_LINES) / FRESH_PARSE_BUDGET_LINES) : 1;
    this.deadline = performance.now() + this.parseBudgetMs * scale;
    this.stopped = false;
    const options = this.within();
    let old: Tree | null = null;
    if (edit && this.tree) {
      this.tree.edit(edit);
      old = this.tree;
    }
    let tree: Tree | null = null;
    let rewrites = carried;
    let skipped: SkippedBody[] = [];
    // Where the structure changed: the analysis carries the rest of the tree's layout over (cuda/structure.ts).
    const changes: number[] | null = old ? [] : null;
    try {
      tree = parser.parse(next, old, options);
      if (!tree) parser.reset();
      if (tree && changes && old) for (const range of old.getChangedRanges(tree)) changes.push(range.startIndex, range.endIndex);
      if (tree?.rootNode.hasError) {
        // Blanking a runaway error's function (cuda/error-containment.ts) can uncover misread `<` that
        // the runaway ERROR hid, so the two alternate until neither changes anything.
        // Past the budget a re-parse returns null, which both steps take as "keep the tree you have".
        for (let pass = 0; pass < 4 && !this.expired(); pass++) {
          const resolved = resolveLessThan(
            next,
            tree,
            (text, base, offsets) =>
              this.reparseRanges(
                parser,
                text,
                base,
                offsets.flatMap((o) => [o, o + 1]),
                changes,
              ),
            rewrites,
          );
          ({ tree, parseText: next, rewrites } = resolved);
          if (!tree.rootNode.hasError) break;
          const contained = containErrors(next, tree, (text, base, ranges) => this.reparseRanges(parser, text, base, ranges, changes));
          ({ tree, parseText: next } = contained);
          if (contained.skipped.length === 0) break;
          skipped = [...skipped, ...contained.skipped].sort((a, b) => a.start - b.start);
          rewrites = rewrites.filter((offset) => !skipped.some((span) => span.start <= offset && offset < span.end));
        }
      }
    } catch {
      parser.reset();
      tree?.delete();
      tree = null;
      rewrites = [];
    }
    if (this.stopped) {
      // Stopped part-way (a newer version is waiting): keep no half-resolved tree; the next edit parses afresh.
      tree?.delete();
      tree = null;
    }
    this.overBudget = tree === null && (this.stopped || performance.now() > this.deadline);
    if (old && old !== tree) old.delete();
    else if (!edit) this.tree?.delete();
    this.tree = tree;
    this.treeChanges = changes;
    this.parseText = next;
    this.parsedPristine = next === this.pristine?.parseText;
    this.rewrites = rewrites;
    if (this.prepared) this.prepared = { ...this.prepared, parseText: next, skippedBodies: skipped };
  }

  /**
   * Parses a Python text as units (triton/units.ts): the units whose text changed are parsed from scratch,
   * the rest kept, so the tree is the same whatever edits led to the text, errors included. The budget
   * and stopping rules are reparse()'s; a stopped or expired parse leaves no module (the units already
   * parsed are kept: each is whole).
   */
  private parseUnits(): void {
    if (this.analysisText.length > MAX_SOURCE_CHARS) {
      this.pythonUnits.clear();
      this.pythonRoot = null;
      return;
    }
    const text = this.analysisText;
    const parser = parserFor(this.grammar);
    const scale = text.length > 200_000 ? Math.max(1, lineCount(text, 10 * FRESH_PARSE_BUDGET_LINES) / FRESH_PARSE_BUDGET_LINES) : 1;
    this.deadline = performance.now() + this.parseBudgetMs * scale;
    this.stopped = false;
    const options = this.within();
    let root: PyNode | null = null;
    try {
      root = this.pythonUnits.update(
        text,
        (unitText) => {
          if (this.expired()) return null;
          const tree = parser.parse(unitText, null, options);
          // A stopped parse stays outstanding in the parser, which would resume it on its next parse of any text.
          if (!tree) parser.reset();
          return tree;
        },
        () => this.expired(),
      );
    } catch {
      parser.reset();
      root = null;
    }
    if (this.stopped) root = null;
    // Out of time, stopped, or a unit too large to copy (a pasted 1 MB junk line): too complex while typing.
    this.overBudget = root === null;
    this.pythonRoot = root;
  }

  /** Applies one edit (offsets into the current text) and re-parses incrementally. */
  applyEdit(edit: TextEdit): void {
    const oldReal = this.currentText;
    let start = Math.max(0, Math.min(edit.start, oldReal.length));
    let end = Math.max(start, Math.min(edit.end, oldReal.length));
    this.currentText = oldReal.slice(0, start) + edit.newText + oldReal.slice(end);
    let insertedLength = edit.newText.length;
    const oldText = this.analysisText;
    if (this.hasCarriageReturns || edit.newText.includes('\r')) {
      // The edit can make a `\r` before it lone or not lone any more: normalise one character around it too.
      this.hasCarriageReturns = true;
      const delta = insertedLength - (end - start);
      start = Math.max(0, start - 1);
      end = Math.min(oldReal.length, end + 1);
      const inserted = normalizeLineEnds(this.currentText, start, end + delta);
      insertedLength = inserted.length;
      this.analysisText = oldText.slice(0, start) + inserted + oldText.slice(end);
    } else {
      this.analysisText = this.currentText;
    }
    this.cached = null;
    this.included = null;
    if (this.language !== 'cuda') {
      this.parseUnits();
      return;
    }
    if (!this.tree || oldText.length > MAX_SOURCE_CHARS || this.analysisText.length > MAX_SOURCE_CHARS) {
      this.cudaCache.change = null;
      this.cudaCache.lastText = null;
      this.tree?.delete();
      this.tree = null;
      this.reparse(null);
      return;
    }
    // The CUDA rewrite can change outside the edited span (an edit that opens a comment un-blanks
    // `__global__` further down), so the tree edit covers the whole span where the parsed text differs.
    const oldParse = this.parseText;
    const wasPristine = this.parsedPristine;
    const freshParse = this.textToParse(this.analysisText, { previous: oldText, start, end, insertedLength });
    // `<` rewrites outside the edited statement carry over (a fresh parse with errors recomputes them).
    const carried = carryRewrites(this.rewrites, start, end, insertedLength, this.analysisText);
    const newParse = carried.length > 0 ? applyLessThanRewrites(freshParse, carried) : freshParse;
    // Both parsed texts are the preparations' own: they agree outside the re-scanned window, so the
    // comparison starts at its edges instead of walking the whole file.
    const known = wasPristine && carried.length === 0 ? this.unchangedOutside : null;
    const limit = Math.min(oldParse.length, newParse.length, start);
    let prefix = known ? Math.min(known.from, limit) : 0;
    while (prefix < limit && oldParse.charCodeAt(prefix) === newParse.charCodeAt(prefix)) prefix++;
    const suffixLimit = Math.min(oldParse.length - prefix, newParse.length - prefix, oldText.length - end);
    let suffix = known ? Math.min(oldParse.length - known.oldTo, suffixLimit) : 0;
    while (suffix < suffixLimit && oldParse.charCodeAt(oldParse.length - 1 - suffix) === newParse.charCodeAt(newParse.length - 1 - suffix)) suffix++;
    const oldEnd = oldParse.length - suffix;
    const newEnd = newParse.length - suffix;
    // The text changed in [start, end) and the parsed text in [prefix, oldEnd): both shift by the same amount.
    const singleEdit = this.cudaCache.change === null;
    const startPosition = pointAt(oldParse, prefix);
    recordChange(this.cudaCache, oldText, Math.min(start, prefix), Math.max(end, oldEnd), Math.max(start + insertedLength, newEnd));
    this.reparse(
      {
        startIndex: prefix,
        oldEndIndex: oldEnd,
        newEndIndex: newEnd,
        startPosition,
        // The texts agree before `prefix`: count lines from there.
        oldEndPosition: pointAt(oldParse, oldEnd, prefix, startPosition),
        newEndPosition: pointAt(newParse, newEnd, prefix, startPosition),
      } as Edit,
      newParse,
      carried,
    );
    if (this.treeChanges) recordTreeChanges(this.cudaCache, this.treeChanges, singleEdit);
  }

  /** Analysis of the current text; cached until the next edit (or different options). */
  analyze(options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS, included: readonly IncludedContext[] = []): FileAnalysis {
    if (this.cached && this.cached.options === options && this.cached.included === included) return this.cached.result;
    let result: FileAnalysis;
    if (this.analysisText.length > MAX_SOURCE_CHARS) {
      result = emptyAnalysis(this.language, `file is larger than ${MAX_SOURCE_CHARS} characters; TileCast does not analyse it`);
    } else if (!this.parsed && this.overBudget) {
      result = emptyAnalysis(this.language, OVER_BUDGET);
    } else if (!this.parsed) {
      result = emptyAnalysis(this.language, 'the parser failed on this file; nothing was analysed');
    } else if (this.tree) {
      const headers = included.filter((c): c is HeaderContext => c.kind === 'cuda-header');
      result = analyzeCuda(this.tree.rootNode, this.analysisText, options, this.cudaCache, this.prepared ?? undefined, headers);
    } else {
      const modules = included.filter((c): c is TritonModuleContext => c.kind === 'triton-module');
      result = analyzeTritonTree(this.pythonRoot!, this.analysisText, options, modules, this.tritonCache);
    }
    this.cached = { options, included, result };
    return result;
  }

  /**
   * This document read as what another file lends its analysis under `name`: a header a CUDA file includes
   * (cuda/headers.ts), a module a Triton file imports (triton/modules.ts); null when it has no tree. Kept
   * until the next edit; valid only while this document lives.
   */
  asIncluded(name: string): IncludedContext | null {
    if (!this.parsed || this.analysisText.length > MAX_SOURCE_CHARS) return null;
    if (this.included?.name !== name || this.included.text !== this.analysisText)
      this.included = this.tree
        ? headerContext(name, this.tree.rootNode, this.analysisText, this.prepared ?? prepareCudaText(this.analysisText))
        : moduleContext(name, this.pythonRoot!, this.analysisText);
    return this.included;
  }

  /** Frees the tree-sitter tree (WebAssembly memory); the document must not be used afterwards. */
  dispose(): void {
    this.tree?.delete();
    this.tree = null;
    this.pythonUnits.clear();
    this.pythonRoot = null;
  }
}
