// Minimal RFC 4180 CSV reader for the measured-data files (quoted fields may hold commas, quotes and
// newlines). Text in, rows out; no I/O, never throws.

export interface CsvTable {
  header: string[];
  /** Data rows with their 1-based line number in the text (the header is line 1). */
  rows: Array<{ line: number; cells: string[] }>;
}

/** Splits CSV text into a header and rows. Blank lines are skipped; a trailing newline is fine. */
export function parseCsv(text: string): CsvTable {
  const all: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  const endRow = (): void => {
    if (fieldStarted || cells.length > 0) {
      cells.push(field);
      all.push({ line: rowLine, cells });
    }
    cells = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') { inQuotes = true; fieldStarted = true; }
    else if (c === ',') { cells.push(field); field = ''; fieldStarted = true; }
    else if (c === '\r') { /* CRLF: the \n ends the row */ }
    else if (c === '\n') { endRow(); line++; rowLine = line; }
    else { field += c; fieldStarted = true; }
  }
  endRow();
  const [first, ...rest] = all;
  return { header: first ? first.cells.map((h) => h.trim()) : [], rows: rest };
}
