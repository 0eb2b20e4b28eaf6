// Minimal RFC 4180 CSV reader for the measured-data files (quoted fields may hold commas, quotes and
// newlines). Text in, rows out; no I/O, never throws.

export interface CsvTable {
  header: string[];
  /** Data rows with their 1-based line number in the text (the header is line 1). */
  rows: Array<{ line: number; cells: string[] }>;
}

/** Splits CSV text into a header and rows. Blank lines are skipped; CRLF and a trailing newline are fine. */
export function parseCsv(text: string): CsvTable {
  const all: Array<{ line: number; cells: string[] }> = [];
  const len = text.length;
  let i = 0;
  let line = 1;
  while (i < len) {
    const rowLine = line;
    const cells: string[] = [];
    // read fields until end of row
    for (;;) {
      if (text.charCodeAt(i) === 34 /* " */) {
        let field = '';
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q === -1) {
            field += text.slice(j);
            j = len;
            break;
          }
          field += text.slice(j, q);
          if (text.charCodeAt(q + 1) === 34) {
            field += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        for (let p = 0; p < field.length; p++) if (field.charCodeAt(p) === 10) line++;
        // anything between the closing quote and the delimiter is kept verbatim
        let end = j;
        while (end < len && text.charCodeAt(end) !== 44 && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
        cells.push(field + text.slice(j, end));
        i = end;
      } else {
        let end = i;
        while (end < len) {
          const c = text.charCodeAt(end);
          if (c === 44 || c === 10 || c === 13) break;
          end++;
        }
        cells.push(text.slice(i, end));
        i = end;
      }
      if (i < len && text.charCodeAt(i) === 44) {
        i++;
        continue;
      }
      break;
    }
    if (i < len && text.charCodeAt(i) === 13) i++;
    if (i < len && text.charCodeAt(i) === 10) {
      i++;
      line++;
    }
    if (!(cells.length === 1 && cells[0] === '')) all.push({ line: rowLine, cells });
  }
  const [first, ...rest] = all;
  return { header: first ? first.cells.map((h) => h.trim()) : [], rows: rest };
}
