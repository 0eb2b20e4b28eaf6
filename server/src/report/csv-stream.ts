// Incremental RFC 4180 CSV record splitter for streamed input (text chunks in, records out), CSV
// field escaping for output, and neutralising of cells a spreadsheet would run as formulas.
// Pure: no I/O, never throws; holds only the unfinished last record.

export interface CsvRecord {
  /** Parsed fields (quotes removed, doubled quotes undone). */
  cells: string[];
  /** The record's text exactly as it was read, without its line ending. */
  raw: string;
  /** 1-based line of the record's first character (a record with quoted newlines spans several). */
  line: number;
  /** True when the input ended inside a quoted field. */
  unterminated: boolean;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Splits CSV text into records as chunks arrive. Quoted fields may hold commas, quotes and newlines
 * (also across chunk boundaries); LF and CRLF line endings; a UTF-8 BOM at the start is dropped;
 * blank lines are skipped. Call `push` per chunk and `end` once; both call `onRecord` in order.
 */
export class CsvRecordSplitter {
  private buffer = '';
  private line = 1;
  private started = false;

  push(chunk: string, onRecord: (record: CsvRecord) => void): void {
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.buffer = this.buffer.length > 0 ? this.buffer + chunk : chunk;
    const consumed = this.split(false, onRecord);
    this.buffer = consumed >= this.buffer.length ? '' : this.buffer.slice(consumed);
  }

  end(onRecord: (record: CsvRecord) => void): void {
    this.split(true, onRecord);
    this.buffer = '';
  }

  /** Emits every complete record in the buffer (all of it when `final`); returns the characters consumed. */
  private split(final: boolean, onRecord: (record: CsvRecord) => void): number {
    const text = this.buffer;
    const len = text.length;
    let start = 0;
    // Position of the next quote at or after `start` (len when none): searched once, not per line.
    let quote = -1;
    while (start < len) {
      const newline = text.indexOf('\n', start);
      if (newline === -1 && !final) break;
      const lineEnd = newline === -1 ? len : newline;
      if (quote < start) {
        quote = text.indexOf('"', start);
        if (quote === -1) quote = len;
      }
      if (quote >= lineEnd) {
        // Fast path: no quotes on this line.
        const end = lineEnd > start && text.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
        if (end > start) {
          const raw = text.slice(start, end);
          onRecord({ cells: raw.split(','), raw, line: this.line, unterminated: false });
        }
        this.line++;
        start = lineEnd + 1;
        continue;
      }
      const parsed = parseQuotedRecord(text, start, final);
      if (parsed === null) break; // the record continues in the next chunk
      onRecord({ cells: parsed.cells, raw: text.slice(start, parsed.end), line: this.line, unterminated: parsed.unterminated });
      this.line += parsed.newlines + 1;
      start = parsed.next;
    }
    return Math.min(start, len);
  }
}

/**
 * Parses one record that contains a quote, from `start`. Returns null when the buffer ends before the
 * record does and more input may follow; `end` excludes the line ending, `next` is past it.
 */
function parseQuotedRecord(
  text: string,
  start: number,
  final: boolean,
): { cells: string[]; end: number; next: number; newlines: number; unterminated: boolean } | null {
  const len = text.length;
  const cells: string[] = [];
  let i = start;
  let newlines = 0;
  for (;;) {
    if (i < len && text.charCodeAt(i) === QUOTE) {
      let field = '';
      let j = i + 1;
      let closed = false;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) break;
        field += text.slice(j, q);
        if (q + 1 >= len && !final) return null; // a doubled quote may straddle chunks
        if (text.charCodeAt(q + 1) === QUOTE) {
          field += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        closed = true;
        break;
      }
      if (!closed) {
        if (!final) return null;
        field += text.slice(j);
        for (let p = i; p < len; p++) if (text.charCodeAt(p) === LF) newlines++;
        cells.push(field);
        return { cells, end: len, next: len, newlines, unterminated: true };
      }
      for (let p = i; p < j; p++) if (text.charCodeAt(p) === LF) newlines++;
      // Text between the closing quote and the delimiter is kept verbatim (as lenient readers do).
      let end = j;
      while (end < len) {
        const c = text.charCodeAt(end);
        if (c === COMMA || c === LF || (c === CR && (end + 1 >= len || text.charCodeAt(end + 1) === LF))) break;
        end++;
      }
      cells.push(end > j ? field + text.slice(j, end) : field);
      i = end;
    } else {
      let end = i;
      while (end < len) {
        const c = text.charCodeAt(end);
        if (c === COMMA || c === LF || (c === CR && (end + 1 >= len || text.charCodeAt(end + 1) === LF))) break;
        end++;
      }
      cells.push(text.slice(i, end));
      i = end;
    }
    if (i < len && text.charCodeAt(i) === COMMA) {
      i++;
      continue;
    }
    if (i >= len && !final) return null;
    break;
  }
  const end = i;
  if (i < len && text.charCodeAt(i) === CR) i++;
  if (i < len && text.charCodeAt(i) === LF) i++;
  else if (i >= len && !final && end < len) return null;
  return { cells, end, next: i, newlines, unterminated: false };
}

const NEEDS_QUOTES = /[",\r\n]/;

/** A plain decimal number, optionally signed: "-1.5", "+3", "2e-3", ".5". A spreadsheet reads it as that number. */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * True when a spreadsheet would read the cell as a formula: it starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return (OWASP, "CSV Injection") and is not a plain number. Numbers such as `-1.5` and `+3` stay
 * numbers: a formula made of one number computes that number, so there is nothing to neutralise.
 */
export function isFormulaCell(value: string): boolean {
  if (value.length === 0) return false;
  const first = value.charCodeAt(0);
  // = + - @ TAB CR
  if (first !== 61 && first !== 43 && first !== 45 && first !== 64 && first !== 9 && first !== 13) return false;
  return !PLAIN_NUMBER.test(value);
}

/** The cell a spreadsheet shows as text: a formula-like cell gets a leading single quote; anything else is unchanged. */
export function neutraliseFormula(value: string): string {
  return isFormulaCell(value) ? `'${value}` : value;
}

/** True when any cell of a record needs neutralising (the record then cannot be copied verbatim). */
export function hasFormulaCell(cells: readonly string[]): boolean {
  for (let i = 0; i < cells.length; i++) if (isFormulaCell(cells[i])) return true;
  return false;
}

/** One CSV field: quoted (with doubled quotes) when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A CSV record from fields, without a line ending. */
export function csvRecord(values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) out += (i === 0 ? '' : ',') + csvField(values[i]);
  return out;
}

/** A CSV field safe to open in a spreadsheet: formula-like text neutralised, then quoted as CSV requires. */
export function spreadsheetCsvField(value: string): string {
  return csvField(neutraliseFormula(value));
}

/** A CSV record whose formula-like cells are neutralised (see isFormulaCell), without a line ending. */
export function spreadsheetCsvRecord(values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) out += (i === 0 ? '' : ',') + spreadsheetCsvField(values[i]);
  return out;
}
