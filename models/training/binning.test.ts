// Tests for quantile binning and the seeded generator the trainer relies on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EDGE_SAMPLE_ROWS, MISSING_BIN, binCode, binMatrix, computeBinEdges } from './binning';
import { Rng } from './rng';

describe('binning', () => {
  it('gives each distinct value its own bin when there are few', () => {
    const x = Float32Array.from([3, 1, 2, 2, NaN, 1, 3]);
    const e = computeBinEdges(x, 7, 1, 255);
    assert.deepEqual([...e.edges], [1, 2]);
    const codes = new Uint8Array(7);
    binMatrix(x, 7, 1, e, codes);
    assert.deepEqual([...codes], [2, 0, 1, 1, MISSING_BIN, 0, 2]);
  });

  it('places quantile edges so bins hold about equal counts', () => {
    const n = 20000;
    const rng = new Rng(1);
    const x = Float32Array.from({ length: n }, () => rng.nextFloat() ** 3);
    const e = computeBinEdges(x, n, 1, 16);
    assert.equal(e.edges.length, 15);
    const codes = new Uint8Array(n);
    binMatrix(x, n, 1, e, codes);
    const counts = new Array(16).fill(0);
    for (const c of codes) counts[c]++;
    for (const c of counts) assert.ok(Math.abs(c - n / 16) < (0.05 * n) / 16, `bin count ${c}`);
  });

  it('binMatrix agrees with binCode, including edges, infinities and NaN', () => {
    const nRows = 3000;
    const nF = 3;
    const rng = new Rng(2);
    const x = new Float32Array(nRows * nF);
    for (let i = 0; i < x.length; i++) x[i] = Math.round(rng.nextFloat() * 1000) / 10;
    const e = computeBinEdges(x, nRows, nF, 64);
    x[0] = Infinity;
    x[1] = -Infinity;
    x[2] = NaN;
    x[3] = e.edges[e.edgeStart[0] + 5];
    const codes = new Uint8Array(x.length);
    binMatrix(x, nRows, nF, e, codes);
    for (let r = 0; r < nRows; r++) {
      for (let f = 0; f < nF; f++) {
        const want = binCode(e.edges, e.edgeStart[f], e.edgeStart[f + 1], x[r * nF + f]);
        assert.equal(codes[r * nF + f], want);
      }
    }
    assert.equal(codes[0], e.edgeStart[1] - e.edgeStart[0]);
    assert.equal(codes[1], 0);
    assert.equal(codes[2], MISSING_BIN);
    assert.equal(codes[3], 5); // a value equal to an edge is in that edge's bin (x <= edge)
  });

  it('handles all-missing and constant features, and samples rows for large inputs', () => {
    const e = computeBinEdges(Float32Array.from([NaN, NaN, 5, 5, 5, 5]), 3, 2, 255);
    assert.equal(e.edgeStart[1] - e.edgeStart[0], 0);
    assert.equal(e.edgeStart[2] - e.edgeStart[1], 0);
    const n = EDGE_SAMPLE_ROWS + 5000;
    const rng = new Rng(3);
    const x = Float32Array.from({ length: n }, () => rng.nextFloat());
    const big = computeBinEdges(x, n, 1, 255);
    assert.equal(big.edges.length, 254);
    for (let i = 1; i < big.edges.length; i++) assert.ok(big.edges[i] > big.edges[i - 1]);
  });
});

describe('Rng', () => {
  it('is deterministic per seed tuple and uniform enough', () => {
    const a = new Rng(5, 1);
    const b = new Rng(5, 1);
    const c = new Rng(5, 2);
    const sa = Array.from({ length: 5 }, () => a.nextU32());
    assert.deepEqual(
      sa,
      Array.from({ length: 5 }, () => b.nextU32()),
    );
    assert.notDeepEqual(
      sa,
      Array.from({ length: 5 }, () => c.nextU32()),
    );
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100000; i++) counts[a.nextInt(10)]++;
    for (const k of counts) assert.ok(Math.abs(k - 10000) < 400);
  });
});
