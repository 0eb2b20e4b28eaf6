// Reads analysis fixtures (real CUDA/Triton files with caret expectations on comment lines, see
// docs/analysis.md "Fixture format") and compares them with a FileAnalysis. Test-only; it never
// decides what the analysis should say, it only reads what the fixture author wrote.
import type { FileAnalysis, KernelInfo, LaunchSite, Range } from '../server/src/analysis/types';

export interface Expectation {
  /** 1-based line of the expectation comment, for failure messages. */
  line: number;
  /** kernel | launch | tile | library | config | problem */
  kind: string;
  /** Kernel/API name, tile name, or problem substring (with `_` already turned into spaces). */
  subject: string;
  /** Offsets of the caret columns on the nearest preceding non-expectation line. */
  range: Range;
  fields: Record<string, string>;
  /** Everything after the kind, verbatim (editor fixtures read free text from it). */
  rest: string;
}

export interface ParsedFixture {
  path: string;
  /** Source with the `$0` cursor marker removed; this is what gets analysed. */
  text: string;
  /** Offset of `$0`, or null when the fixture has none. */
  cursor: number | null;
  expectations: Expectation[];
  /** Whole-file counts from `expect:` lines, with the line each came from. */
  counts: Array<{ key: string; value: number; line: number }>;
  /** Malformed expectation lines, reported as failures so typos do not pass silently. */
  errors: string[];
}

const EXPECTATION_LINE = /^(\s*)(\/\/|#)(\s*)(\^+)(.*)$/;
const COUNT_LINE = /^\s*(?:\/\/|#)\s*expect:\s*(.*)$/;

/** Splits `key=value` pairs; a bare word after the subject is kept under its own name with value ''. */
function parsePairs(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    const eq = token.indexOf('=');
    if (eq < 0) fields[token] = '';
    else fields[token.slice(0, eq)] = token.slice(eq + 1);
  }
  return fields;
}

const ANALYSIS_KINDS = ['kernel', 'launch', 'tile', 'library', 'config', 'problem'];

/** `kinds`: the expectation kinds this fixture family uses (analysis fixtures by default). */
export function parseFixture(path: string, rawText: string, kinds: readonly string[] = ANALYSIS_KINDS): ParsedFixture {
  const cursorAt = rawText.indexOf('$0');
  const text = cursorAt >= 0 ? rawText.slice(0, cursorAt) + rawText.slice(cursorAt + 2) : rawText;
  const expectations: Expectation[] = [];
  const counts: ParsedFixture['counts'] = [];
  const errors: string[] = [];
  let lineStart = 0;
  let targetLineStart = -1;
  let targetLineLength = 0;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, '');
    const lineNumber = index + 1;
    const countMatch = COUNT_LINE.exec(line);
    const match = EXPECTATION_LINE.exec(line);
    if (countMatch) {
      for (const [key, value] of Object.entries(parsePairs(countMatch[1]!))) {
        const number = Number(value);
        if (value === '' || !Number.isFinite(number)) errors.push(`${path}:${lineNumber}: bad count ${key}=${value}`);
        else counts.push({ key, value: number, line: lineNumber });
      }
    } else if (match) {
      const caretColumn = match[1]!.length + match[2]!.length + match[3]!.length;
      const caretLength = match[4]!.length;
      const rest = match[5]!.trim();
      if (targetLineStart < 0) {
        errors.push(`${path}:${lineNumber}: expectation has no code line above it`);
      } else if (caretColumn + caretLength > targetLineLength) {
        errors.push(`${path}:${lineNumber}: carets run past the end of the line above`);
      } else {
        const [kind = '', subjectToken = '', ...restTokens] = rest.split(/\s+/);
        let subject = subjectToken;
        let fields = parsePairs(restTokens.join(' '));
        if (kind === 'tile') {
          // `tile NAME=VALUE origin=...`: the first pair names the parameter and its value.
          const eq = subjectToken.indexOf('=');
          subject = eq < 0 ? subjectToken : subjectToken.slice(0, eq);
          fields = { ...(eq < 0 ? {} : { value: subjectToken.slice(eq + 1) }), ...fields };
        }
        if (kind === 'problem') subject = subjectToken.replace(/_/g, ' ');
        if (!kinds.includes(kind) || subject === '') {
          errors.push(`${path}:${lineNumber}: unknown expectation "${rest}"`);
        } else {
          const start = targetLineStart + caretColumn;
          expectations.push({ line: lineNumber, kind, subject, range: { start, end: start + caretLength }, fields, rest: rest.slice(kind.length).trim() });
        }
      }
    } else {
      targetLineStart = lineStart;
      targetLineLength = line.length;
    }
    lineStart += lines[index]!.length + 1;
  }
  return { path, text, cursor: cursorAt >= 0 ? cursorAt : null, expectations, counts, errors };
}

type Actual = number | string | boolean | null | undefined | Array<number | string>;

/** Compares one expected string with an actual value; returns a description of the mismatch or null. */
function compareValue(expected: string, actual: Actual, unordered = false): string | null {
  const show = (value: Actual) => (Array.isArray(value) ? value.join(',') : String(value));
  if (Array.isArray(actual)) {
    const want = expected === '' ? [] : expected.split(',');
    const got = actual.map(String);
    if (unordered) {
      want.sort();
      got.sort();
    }
    const same = want.length === got.length && want.every((item, i) => item === got[i] || (Number(item) === Number(got[i]) && got[i] !== ''));
    return same ? null : `expected ${expected || '(empty)'}, got ${show(actual) || '(empty)'}`;
  }
  if (expected === 'null') return actual === null || actual === undefined ? null : `expected null, got ${show(actual)}`;
  if (typeof actual === 'number') return Number(expected) === actual ? null : `expected ${expected}, got ${actual}`;
  if (typeof actual === 'boolean') return expected === String(actual) ? null : `expected ${expected}, got ${actual}`;
  return expected === actual ? null : `expected ${expected}, got ${show(actual)}`;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start === b.start && a.end === b.end;
}

function describeRange(text: string, range: Range): string {
  return JSON.stringify(text.slice(range.start, Math.min(range.end, range.start + 40)));
}

function kernelField(kernel: KernelInfo, key: string): Actual | symbol {
  switch (key) {
    case 'kind':
      return kernel.kind;
    case 'dtype':
      return kernel.dtype;
    case 'smem':
      return kernel.staticSharedMemBytes;
    case 'tensorCores':
      return kernel.tensorCores;
    case 'instructions':
      // Rule ids with their minimum compute capability, in text order: `wmma-ampere@8,wmma@7`.
      return (kernel.instructions ?? []).map((use) => `${use.rule}@${use.minComputeCapability}`);
    case 'params':
      return kernel.parameters.map((p) => p.name);
    case 'templateParams':
      return kernel.templateParameters;
    case 'sharedArrays':
      return kernel.sharedArrays.length;
    case 'dynamicSmem':
      return kernel.sharedArrays.some((array) => array.dynamic);
    case 'maxThreads':
      return kernel.launchBounds?.maxThreadsPerBlock ?? null;
    case 'minBlocks':
      return kernel.launchBounds?.minBlocksPerSM ?? null;
    case 'tileLoops':
      return kernel.tileLoops.length;
    case 'kStride':
      return kernel.tileLoops[0]?.stride?.value ?? null;
    case 'configs':
      return kernel.configs.length;
    case 'constexpr':
      return kernel.constexprParams;
    case 'attention':
      return kernel.attention === true;
    default:
      return UNKNOWN;
  }
}

function launchField(launch: LaunchSite, key: string): Actual | symbol {
  switch (key) {
    case 'grid':
      return launch.grid ?? null;
    case 'block':
      return launch.block ?? null;
    case 'dynsmem':
      return launch.dynamicSharedMemBytes?.value ?? null;
    case 'stream':
      return launch.stream?.text ?? null;
    case 'templateArgs':
      return launch.templateArgs.map((arg) => (arg.value === null ? 'null' : arg.value));
    case 'num_warps':
      return launch.numWarps;
    case 'num_stages':
      return launch.numStages;
    case 'm':
      return launch.problem.m;
    case 'n':
      return launch.problem.n;
    case 'k':
      return launch.problem.k;
    case 'batch':
      return launch.problem.batch;
    case 'dtype':
      return launch.problem.dtype;
    case 'assumed':
      return launch.problem.assumed;
    case 'source':
      return launch.problem.source;
    case 'blockTile':
      return launch.blockTile ? [launch.blockTile.m, launch.blockTile.n] : null;
    default:
      return key in launch.metaParams ? launch.metaParams[key] : UNKNOWN;
  }
}

const UNKNOWN = Symbol('unknown key');

function checkFields(
  failures: string[],
  where: string,
  fields: Record<string, string>,
  read: (key: string) => Actual | symbol,
  unorderedKeys: string[] = [],
): void {
  for (const [key, expected] of Object.entries(fields)) {
    const actual = read(key);
    if (actual === UNKNOWN) {
      failures.push(`${where}: unknown key "${key}"`);
      continue;
    }
    const mismatch = compareValue(expected, actual as Actual, unorderedKeys.includes(key));
    if (mismatch) failures.push(`${where}: ${key}: ${mismatch}`);
  }
}

/** Checks every expectation of a fixture against an analysis; returns failure lines (empty = pass). */
export function checkFixture(fixture: ParsedFixture, analysis: FileAnalysis): string[] {
  const failures = [...fixture.errors];
  const { text, path } = fixture;
  for (const expectation of fixture.expectations) {
    const where = `${path}:${expectation.line}`;
    const { range, subject, fields } = expectation;
    switch (expectation.kind) {
      case 'kernel': {
        const kernel = analysis.kernels.find((k) => k.name === subject && sameRange(k.nameRange, range));
        if (!kernel) {
          const names = analysis.kernels.map((k) => `${k.name}@${k.nameRange.start}`).join(' ');
          failures.push(`${where}: no kernel ${subject} at ${describeRange(text, range)} (have: ${names || 'none'})`);
        } else checkFields(failures, where, fields, (key) => kernelField(kernel, key));
        break;
      }
      case 'launch': {
        const launch = analysis.launches.find((l) => l.kernel === subject && l.range.start === range.start);
        if (!launch) {
          const names = analysis.launches.map((l) => `${l.kernel}@${l.range.start}`).join(' ');
          failures.push(`${where}: no launch of ${subject} starting at ${describeRange(text, range)} (have: ${names || 'none'})`);
        } else checkFields(failures, where, fields, (key) => launchField(launch, key), ['assumed']);
        break;
      }
      case 'tile': {
        const param = analysis.tileParams.find((p) => p.name === subject && sameRange(p.valueRange, range));
        if (!param) {
          const names = analysis.tileParams.map((p) => `${p.name}@${p.valueRange.start}`).join(' ');
          failures.push(`${where}: no tile parameter ${subject} with value at ${describeRange(text, range)} (have: ${names || 'none'})`);
        } else {
          checkFields(failures, where, fields, (key) => {
            if (key === 'value') return param.value;
            if (key === 'origin') return param.origin;
            return UNKNOWN;
          });
        }
        break;
      }
      case 'library': {
        const call = analysis.libraryCalls.find((c) => c.api === subject && c.range.start === range.start);
        if (!call) {
          failures.push(`${where}: no library call ${subject} at ${describeRange(text, range)}`);
        } else {
          checkFields(failures, where, fields, (key) => {
            if (key === 'm' || key === 'n' || key === 'k' || key === 'batch' || key === 'dtype' || key === 'transA' || key === 'transB') return call[key];
            if (key === 'realGemms') return call.realGemms ?? null;
            return UNKNOWN;
          });
        }
        break;
      }
      case 'config': {
        const kernel = analysis.kernels.find((k) => k.name === subject);
        const config = kernel?.configs.find((c) => c.range.start === range.start);
        if (!config) {
          failures.push(`${where}: no config of kernel ${subject} starting at ${describeRange(text, range)}`);
        } else {
          checkFields(failures, where, fields, (key) => {
            if (key === 'num_warps') return config.numWarps;
            if (key === 'num_stages') return config.numStages;
            return key in config.params ? config.params[key] : UNKNOWN;
          });
        }
        break;
      }
      case 'problem': {
        const wanted = subject.toLowerCase();
        const found = analysis.problems.some((p) => p.range.start <= range.start && p.range.end >= range.end && p.message.toLowerCase().includes(wanted));
        if (!found) {
          const have = analysis.problems.map((p) => `[${p.range.start},${p.range.end}) ${p.message}`).join('; ');
          failures.push(`${where}: no problem covering ${describeRange(text, range)} containing "${subject}" (have: ${have || 'none'})`);
        }
        break;
      }
    }
  }
  for (const { key, value, line } of fixture.counts) {
    const actual = countOf(analysis, key);
    if (actual === null) failures.push(`${path}:${line}: unknown count "${key}"`);
    else if (actual !== value)
      failures.push(
        `${path}:${line}: expected ${key}=${value}, got ${actual}${key === 'problems' ? ` (${analysis.problems.map((p) => p.message).join('; ')})` : ''}`,
      );
  }
  return failures;
}

function countOf(analysis: FileAnalysis, key: string): number | null {
  switch (key) {
    case 'kernels':
      return analysis.kernels.length;
    case 'gemmKernels':
      return analysis.kernels.filter((k) => k.kind === 'gemm').length;
    case 'launches':
      return analysis.launches.length;
    case 'tileParams':
      return analysis.tileParams.length;
    case 'libraryCalls':
      return analysis.libraryCalls.length;
    case 'problems':
      return analysis.problems.length;
    case 'errors':
      return analysis.problems.filter((p) => p.severity === 'error').length;
    case 'configs':
      return analysis.kernels.reduce((sum, k) => sum + k.configs.length, 0);
    default:
      return null;
  }
}

/** Every range in an analysis, labelled, for well-formedness checks (fuzz and bad-input tests). */
export function allRanges(analysis: FileAnalysis): Array<{ label: string; range: Range }> {
  const out: Array<{ label: string; range: Range }> = [];
  const add = (label: string, range: Range | null | undefined) => {
    if (range) out.push({ label, range });
  };
  for (const kernel of analysis.kernels) {
    add(`kernel ${kernel.name}`, kernel.range);
    add(`kernel ${kernel.name} name`, kernel.nameRange);
    kernel.parameters.forEach((p) => add(`param ${p.name}`, p.range));
    kernel.sharedArrays.forEach((a) => add(`shared ${a.name}`, a.range));
    kernel.tileLoops.forEach((loop) => {
      add('tile loop', loop.range);
      add('tile loop stride', loop.stride?.range);
    });
    kernel.configs.forEach((config) => add('config', config.range));
  }
  for (const launch of analysis.launches) {
    add(`launch ${launch.kernel}`, launch.range);
    add('grid', launch.gridExpr?.range);
    add('block', launch.blockExpr?.range);
    add('dynamic smem', launch.dynamicSharedMemBytes?.range);
    add('stream', launch.stream?.range);
    launch.templateArgs.forEach((arg) => add('template arg', arg.range));
  }
  for (const param of analysis.tileParams) {
    add(`tile ${param.name}`, param.range);
    add(`tile ${param.name} value`, param.valueRange);
  }
  analysis.libraryCalls.forEach((call) => add(`library ${call.api}`, call.range));
  analysis.problems.forEach((problem) => add(`problem ${problem.message}`, problem.range));
  return out;
}

/** Ranges that are not 0 <= start <= end <= length, described for an assertion message. */
export function badRanges(analysis: FileAnalysis, textLength: number): string[] {
  return allRanges(analysis)
    .filter(
      ({ range }) => !(Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.start <= range.end && range.end <= textLength),
    )
    .map(({ label, range }) => `${label}: [${range.start}, ${range.end}) of ${textLength}`);
}
