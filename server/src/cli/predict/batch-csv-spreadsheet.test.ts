// `tilecast predict --batch` output opened in a spreadsheet: copied-through cells (header included) that
// would run as formulas come out neutralised, numbers stay numbers, and rows without such cells stay
// byte for byte. Uses a fake predictor: only the copying of cells is under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { CsvRecordSplitter } from '../../report/csv-stream';
import type { GemmPredictor } from '../../report/prediction';
import { predictCsvStream } from './batch-csv';

const predictor: GemmPredictor = {
  predict: (w) => ({
    runtimeMs: w.m / 1000,
    runtimeLoMs: 0,
    runtimeHiMs: 1,
    powerW: 100,
    powerLoW: 90,
    powerHiW: 110,
    energyMj: w.m / 10,
    energyLoMj: 0,
    energyHiMj: 1,
  }),
};

async function predictText(input: string): Promise<string> {
  let text = '';
  const output = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  const result = await predictCsvStream(Readable.from([input]), output, predictor, { chunkRows: 2 });
  assert.ok(result.ok, result.ok ? '' : result.error);
  return text;
}

function cellsOf(text: string): string[][] {
  const rows: string[][] = [];
  const splitter = new CsvRecordSplitter();
  splitter.push(text, (r) => rows.push(r.cells));
  splitter.end((r) => rows.push(r.cells));
  return rows;
}

test('predict --batch: formula-like input cells are neutralised with a quote, numbers stay numbers', async () => {
  const input = [
    'gpu,dtype,m,n,k,note,=HEADER()',
    'h100,fp16,64,64,64,plain,-1.5',
    'h100,fp16,64,64,64,=1+1,+3',
    'h100,fp16,64,64,64,"=HYPERLINK(""http://evil"",""click"")",@SUM(A1)',
    'h100,fp16,64,64,64,-2+3,"\tTAB"',
    '=cmd|calc,fp16,64,64,64,x,y',
    'h100,fp16,+64,64,64,x,y',
  ].join('\n');
  const text = await predictText(`${input}\n`);
  const rows = cellsOf(text);
  assert.deepEqual(rows[0].slice(0, 7), ['gpu', 'dtype', 'm', 'n', 'k', 'note', "'=HEADER()"]);
  assert.deepEqual(rows[1].slice(5, 7), ['plain', '-1.5'], 'a negative number stays a number');
  assert.ok(text.split('\n')[1].startsWith('h100,fp16,64,64,64,plain,-1.5,'), 'a row without formulas is copied verbatim');
  assert.deepEqual(rows[2].slice(5, 7), ["'=1+1", '+3'], 'a signed number stays a number');
  assert.deepEqual(rows[3].slice(5, 7), [`'=HYPERLINK("http://evil","click")`, "'@SUM(A1)"]);
  assert.deepEqual(rows[4].slice(5, 7), ["'-2+3", "'\tTAB"]);
  // A formula in a column predict reads: the row is not predicted, and the cell is still neutralised.
  assert.equal(rows[5][0], "'=cmd|calc");
  assert.match(rows[5][14], /unknown GPU/);
  assert.equal(rows[5][7], '');
  // '+64' is a size predict accepts and a number a spreadsheet reads: kept, and predicted.
  assert.equal(rows[6][2], '+64');
  assert.equal(rows[6][7], '0.064');
  // No output cell at all starts a formula.
  for (const row of rows) for (const cell of row) assert.ok(!/^[=@\t\r]/.test(cell) && !/^[+-](?![\d.])/.test(cell), JSON.stringify(cell));
});
