// The streaming CSV splitter: quoted commas, quotes and newlines, CRLF, BOM and blank lines, and the
// same records whatever the chunk boundaries are; plus field escaping for output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvRecordSplitter, csvField, csvRecord, hasFormulaCell, isFormulaCell, neutraliseFormula, spreadsheetCsvRecord, type CsvRecord } from './csv-stream';

function split(chunks: string[]): CsvRecord[] {
  const splitter = new CsvRecordSplitter();
  const out: CsvRecord[] = [];
  for (const chunk of chunks) splitter.push(chunk, (r) => out.push(r));
  splitter.end((r) => out.push(r));
  return out;
}

const TRICKY = '\uFEFFgpu,note,m\r\nh100,"a, b",1\r\n\r\nA100,"say ""hi""",2\n"rtx 4090","line1\nline2",3\n,,\nlast,x,4';

test('csv: quoted fields, CRLF, BOM, blank lines, missing final newline', () => {
  const records = split([TRICKY]);
  assert.deepEqual(
    records.map((r) => r.cells),
    [
      ['gpu', 'note', 'm'],
      ['h100', 'a, b', '1'],
      ['A100', 'say "hi"', '2'],
      ['rtx 4090', 'line1\nline2', '3'],
      ['', '', ''],
      ['last', 'x', '4'],
    ],
  );
  assert.deepEqual(
    records.map((r) => r.line),
    [1, 2, 4, 5, 7, 8],
  );
  assert.equal(records[1].raw, 'h100,"a, b",1');
  assert.equal(records[3].raw, '"rtx 4090","line1\nline2",3');
  assert.ok(records.every((r) => !r.unterminated));
});

test('csv: every chunking of the input gives the same records', () => {
  const whole = split([TRICKY]);
  for (let size = 1; size <= 7; size++) {
    const chunks: string[] = [];
    for (let i = 0; i < TRICKY.length; i += size) chunks.push(TRICKY.slice(i, i + size));
    assert.deepEqual(split(chunks), whole, `chunks of ${size}`);
  }
  // A chunk boundary between CR and LF, and between two quotes of an escaped quote.
  assert.deepEqual(
    split(['a,b\r', '\nc,d\n']).map((r) => r.cells),
    [
      ['a', 'b'],
      ['c', 'd'],
    ],
  );
  assert.deepEqual(
    split(['"x"', '"y",1\n']).map((r) => r.cells),
    [['x"y', '1']],
  );
});

test('csv: an unclosed quote at the end of input is reported, not lost', () => {
  const records = split(['a,b\n1,"open\nstill open']);
  assert.equal(records.length, 2);
  assert.equal(records[1].unterminated, true);
  assert.deepEqual(records[1].cells, ['1', 'open\nstill open']);
});

test('csv: a lone CR inside an unquoted field stays in the field; empty input gives no records', () => {
  assert.deepEqual(
    split(['a\rb,c\n']).map((r) => r.cells),
    [['a\rb', 'c']],
  );
  assert.deepEqual(split(['']), []);
  assert.deepEqual(split(['\n\r\n\n']), []);
});

test('csv: fields are quoted only when they must be', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvRecord(['x', 'y,z', '']), 'x,"y,z",');
  // Round trip through the splitter.
  const values = ['a', 'b,c', 'd"e', 'f\r\ng', ''];
  assert.deepEqual(split([csvRecord(values) + '\n'])[0].cells, values);
});

test('csv: cells a spreadsheet would run as formulas are neutralised; numbers stay numbers', () => {
  // OWASP "CSV Injection": = + - @ tab and carriage return start a formula.
  for (const formula of [
    '=1+1',
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    '-2+3',
    '@SUM(A1:A2)',
    '\tx',
    '\r=1',
    '-',
    '+',
    '-1.5 ',
    '-Infinity',
    '--1',
  ]) {
    assert.equal(isFormulaCell(formula), true, JSON.stringify(formula));
    assert.equal(neutraliseFormula(formula), `'${formula}`);
  }
  for (const plain of ['', 'h100', ' =1', "'=1", '1=1', 'a-b', '-1.5', '+3', '-0', '2e-3', '-2E+3', '.5', '-.5', '4096', '4096.0']) {
    assert.equal(isFormulaCell(plain), false, JSON.stringify(plain));
    assert.equal(neutraliseFormula(plain), plain);
  }
  assert.equal(hasFormulaCell(['a', '-1', '+2']), false);
  assert.equal(hasFormulaCell(['a', '-1', '@x']), true);
  // Quoted as CSV requires after the quote is added; the splitter reads back the neutralised text.
  const record = spreadsheetCsvRecord(['=a,b', '\tx', '-1.5', 'say "=hi"', '=x"y']);
  assert.equal(record, `"'=a,b",'\tx,-1.5,"say ""=hi""","'=x""y"`);
  assert.deepEqual(split([`${record}\n`])[0].cells, ["'=a,b", "'\tx", '-1.5', 'say "=hi"', `'=x"y`]);
});

test('csv: random tables survive write -> random chunking -> split (LF and CRLF)', () => {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const alphabet = ['a', 'b', ',', '"', '\n', '\r\n', ' ', '1', 'é', '\u{1F600}'];
  const value = () => Array.from({ length: Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  for (let round = 0; round < 200; round++) {
    const width = 1 + Math.floor(random() * 5);
    // A record must not be blank (blank lines are skipped): the first cell of each row is never empty.
    const table = Array.from({ length: 1 + Math.floor(random() * 8) }, () => Array.from({ length: width }, (_, i) => (i === 0 ? 'x' + value() : value())));
    const eol = random() < 0.5 ? '\n' : '\r\n';
    const text = table.map(csvRecord).join(eol) + (random() < 0.5 ? eol : '');
    const chunks: string[] = [];
    for (let i = 0; i < text.length; ) {
      const size = 1 + Math.floor(random() * 9);
      chunks.push(text.slice(i, i + size));
      i += size;
    }
    assert.deepEqual(
      split(chunks).map((r) => r.cells),
      table,
      JSON.stringify(text),
    );
  }
});
