// Incremental form of prepareCudaText: after an edit, only the lines around it are scanned again and
// the other records are kept (moved by the length change), when that is provably the same as a full
// scan: the re-scanned window starts and ends in plain code (no comment, string, blanked keyword or
// launch crosses its ends), no `<<<` is left open, no `#define` is cut or changes which macros are
// rewritten, and no statement macro's use is cut. Otherwise it answers null and the caller scans
// everything. Pure; the property test in test/analysis-prepare.test.ts compares it with a full scan.
import { macroTableAt } from './macros';
import { scanCuda, snippetEnd, snippetStart, type Annotation, type CudaKeyword, type PreparedCuda } from './prepare';

/** Characters before the edit that are scanned again (a `const` looks 80 characters ahead). */
const LOOK_BEHIND = 100;

function lineStartAt(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** True when a [start, end) pair of `pairs` (flattened, sorted by start) has start < at < end. */
function crosses(pairs: number[], at: number): boolean {
  let low = 0;
  let high = pairs.length / 2;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (pairs[2 * mid]! < at) low = mid + 1;
    else high = mid;
  }
  // Pairs do not overlap, so only the last one starting before `at` can contain it.
  return low > 0 && pairs[2 * (low - 1) + 1]! > at;
}

/**
 * The lines of `oldText` that an edit of [start, end) makes prepareCudaEdit scan again, [from, oldTo):
 * when it answers, its parseText equals the old one before `from` and from `oldTo` on (moved).
 */
export function editWindow(oldText: string, start: number, end: number): { from: number; oldTo: number } {
  const from = lineStartAt(oldText, Math.max(0, start - LOOK_BEHIND));
  const oldTo = oldText.indexOf('\n', end);
  return { from, oldTo: oldTo < 0 ? oldText.length : oldTo };
}

/**
 * The preparation of `newText`, which is `oldText` with [start, end) replaced by `insertedLength`
 * characters, from `old` (the preparation of `oldText`); null when a full scan is needed.
 */
export function prepareCudaEdit(oldText: string, old: PreparedCuda, newText: string, start: number, end: number, insertedLength: number): PreparedCuda | null {
  if (old.unmatchedLaunches.length > 0 || newText.length !== oldText.length + insertedLength - (end - start)) return null;
  const delta = insertedLength - (end - start);
  const { from, oldTo } = editWindow(oldText, start, end);
  const newTo = oldTo + delta;
  for (const at of [from, oldTo]) {
    if (crosses(old.regions, at)) return null;
    if (old.keywords.some((k) => k.start < at && at < k.end)) return null;
    if (old.launches.some((l) => l.open < at && at < l.close + 3)) return null;
    if (old.macroStatements.some((m) => m.start < at && at < m.end)) return null;
  }
  // A `#define` (continuations included, up to its line break) that reaches into the window, or a macro
  // definition in it: the macros rewritten after it may change.
  if (old.definitionTokens.some((t) => t.token === 'define' && ((t.from < from && t.end > from) || (t.from < oldTo && t.end > oldTo + 1)))) return null;
  if (old.macroDefinitions.some((d) => d.start >= from && d.start < oldTo)) return null;
  const scan = scanCuda(newText, from, newTo, macroTableAt(old.macroDefinitions, from));
  if (scan.end > newTo || scan.pendingOpens.length > 0 || scan.macroDefinitions.length > 0) return null;
  if (scan.definitionTokens.some((t) => t.token === 'define' && t.end > newTo + 1)) return null;
  if (scan.macroStatements.some((m) => m.end > newTo) || scan.edits.some((e) => e.end > newTo)) return null;

  const moved = (offset: number) => offset + delta;
  const before = <T>(items: T[], at: (item: T) => number) => items.filter((item) => at(item) < from);
  const after = <T>(items: T[], at: (item: T) => number) => items.filter((item) => at(item) >= oldTo);

  const keywords = [
    ...before(old.keywords, (k) => k.start),
    ...scan.keywords,
    // Built field by field: a spread per keyword costs more than the rest of the move.
    ...after(old.keywords, (k) => k.start).map(
      (k): CudaKeyword =>
        k.args
          ? { keyword: k.keyword, start: moved(k.start), end: moved(k.end), args: { text: k.args.text, start: moved(k.args.start), end: moved(k.args.end) } }
          : { keyword: k.keyword, start: moved(k.start), end: moved(k.end) },
    ),
  ];
  const launches = [
    ...before(old.launches, (l) => l.open),
    ...scan.launches.sort((a, b) => a.open - b.open),
    ...after(old.launches, (l) => l.open).map((l) => ({ open: moved(l.open), close: moved(l.close) })),
  ];
  const shiftAnnotation = (a: Annotation): Annotation => {
    const valueRanges: Annotation['valueRanges'] = {};
    for (const [key, range] of Object.entries(a.valueRanges)) valueRanges[key] = { start: moved(range.start), end: moved(range.end) };
    return { ...a, start: moved(a.start), end: moved(a.end), valueRanges };
  };
  const annotations = [...before(old.annotations, (a) => a.start), ...scan.annotations, ...after(old.annotations, (a) => a.start).map(shiftAnnotation)];
  const cublasIdentifiers = [
    ...before(old.cublasIdentifiers, (c) => c.start),
    ...scan.cublasIdentifiers,
    ...after(old.cublasIdentifiers, (c) => c.start).map((c) => ({ ...c, start: moved(c.start) })),
  ];
  const macroStatements = [
    ...before(old.macroStatements, (m) => m.start),
    ...scan.macroStatements,
    ...after(old.macroStatements, (m) => m.start).map((m) => ({ start: moved(m.start), end: moved(m.end) })),
  ];
  // None start in the window (checked above).
  const macroDefinitions = old.macroDefinitions.map((d) => (d.start < from ? d : { ...d, start: moved(d.start), end: moved(d.end) }));
  const forKeywords = [...old.forKeywords.filter((f) => f < from), ...scan.forKeywords, ...old.forKeywords.filter((f) => f >= oldTo).map(moved)];

  // A definition's signature text can reach into the window from outside: read it again there.
  const touches = (t: PreparedCuda['definitionTokens'][number]) => t.from - 1 <= oldTo && t.end + 1 >= from;
  const reread = (t: PreparedCuda['definitionTokens'][number]): PreparedCuda['definitionTokens'][number] => {
    switch (t.token) {
      case 'const':
      case 'constexpr':
        return { ...t, from: snippetStart(newText, t.start), end: snippetEnd(newText, t.start, ';{)') };
      case 'enum':
        return { ...t, from: t.start, end: snippetEnd(newText, t.start, '};') };
      case 'using':
      case 'typedef':
        return { ...t, from: t.start, end: snippetEnd(newText, t.start, ';{') };
      case 'GemmShape':
        return { ...t, from: snippetStart(newText, t.start), end: snippetEnd(newText, t.start, ';') };
      case 'define':
        return { ...t, end: snippetEnd(newText, newText.indexOf('define', t.start), '\n') };
      case 'template':
        return t;
      case 'scope':
        return { ...t, from: t.start, end: snippetEnd(newText, t.start, '{;') };
    }
  };
  const definitionTokens = [
    ...before(old.definitionTokens, (t) => t.start).map((t) => (touches(t) ? reread(t) : t)),
    ...scan.definitionTokens,
    ...after(old.definitionTokens, (t) => t.start).map((t) => {
      const shiftedToken = { token: t.token, start: moved(t.start), from: moved(t.from), end: moved(t.end) };
      return touches(t) ? reread(shiftedToken) : shiftedToken;
    }),
  ];

  const callSites = new Map<string, number[]>();
  for (const [name, offsets] of old.callSites) {
    const last = offsets[offsets.length - 1]!;
    if (last < from) {
      callSites.set(name, offsets);
      continue;
    }
    const kept = offsets.filter((o) => o < from || o >= oldTo).map((o) => (o >= oldTo ? moved(o) : o));
    if (kept.length > 0) callSites.set(name, kept);
  }
  for (const [name, offsets] of scan.callSites) {
    const existing = callSites.get(name);
    callSites.set(name, existing ? [...existing, ...offsets].sort((a, b) => a - b) : offsets);
  }

  const regions: number[] = [];
  for (let k = 0; k < old.regions.length; k += 2) if (old.regions[k]! < from) regions.push(old.regions[k]!, old.regions[k + 1]!);
  regions.push(...scan.regions);
  for (let k = 0; k < old.regions.length; k += 2) if (old.regions[k]! >= oldTo) regions.push(moved(old.regions[k]!), moved(old.regions[k + 1]!));

  // The parsed text: unchanged outside the window; inside, the new text with this scan's rewrites.
  const parts: string[] = [old.parseText.slice(0, from)];
  let last = from;
  for (const edit of scan.edits) {
    parts.push(newText.slice(last, edit.start));
    const length = edit.end - edit.start;
    const original = newText.slice(edit.start, edit.end);
    parts.push(edit.replacement !== '' ? edit.replacement.padEnd(length, ' ') : original.replace(/[^\n\r]/g, ' '));
    last = edit.end;
  }
  parts.push(newText.slice(last, newTo), old.parseText.slice(oldTo));
  const parseText = parts.join('');
  if (parseText.length !== newText.length) return null;
  return {
    parseText,
    keywords,
    launches,
    annotations,
    unmatchedLaunches: [],
    cublasIdentifiers,
    definitionTokens,
    callSites,
    forKeywords,
    regions,
    macroDefinitions,
    macroStatements,
  };
}
