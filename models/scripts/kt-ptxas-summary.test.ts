// The ptxas summary's register-cap table (kt-ptxas.ts --maxnreg): ptxas's spills beside the estimate's
// two spill predictions, per accumulator count, from rows built here (no compiling).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config, Row } from './kt-ptxas';
import { capComparison } from './kt-ptxas-summary';

const config = (MWG: number, NWG: number, MDIMC: number, NDIMC: number): Config => ({
  MWG,
  NWG,
  KWG: 32,
  MDIMC,
  NDIMC,
  MDIMA: MDIMC,
  NDIMB: NDIMC,
  KWI: 2,
  VWM: 1,
  VWN: 1,
  STRM: 0,
  STRN: 0,
  SA: 1,
  SB: 1,
});
const row = (c: Config, registers: number, spillStores: number): Row => ({
  entry: { key: JSON.stringify(c), config: c, time: {} },
  arch: 'sm_75',
  stratum: 'test',
  result: { registers, spillStores, spillLoads: spillStores, stackFrame: 0, smem: 0 },
});

test('capComparison: per accumulator count, ptxas spills against the estimate under the cap', () => {
  const rows = [
    row(config(16, 16, 8, 8), 40, 0), // 4 accumulators per thread: no spill anywhere
    row(config(128, 128, 16, 16), 63, 500), // 64 accumulators: ptxas spills under a 63 cap
    row(config(128, 128, 16, 16), 63, 300),
  ];
  const lines = capComparison(rows, 63).split('\n');
  assert.match(lines[0], /cap of 63 registers per thread.*3 configurations compiled/);
  const cells = (acc: number) =>
    lines
      .find((l) => l.trim().startsWith(`${acc} `))!
      .trim()
      .split(/\s+/);
  // acc, n, ptxas spills, median spill stores, demand > cap, median excess, lower bound > cap, median excess
  assert.deepEqual(cells(4).slice(0, 4), ['4', '1', '0.0%', '0']);
  assert.deepEqual(cells(64).slice(0, 4), ['64', '2', '100.0%', '400']);
  // 64 accumulators + 16 operand registers + live overhead is over 63: both predictions say it spills.
  assert.equal(cells(64)[4], '100.0%');
  assert.equal(cells(64)[6], '100.0%');
  assert.ok(Number(cells(64)[7]) > 0 && Number(cells(64)[7]) < Number(cells(64)[5]), 'the lower bound spills fewer registers than the demand');
  assert.equal(cells(4)[6], '0.0%');
});

test('capComparison: configurations that did not compile are counted apart', () => {
  const failed: Row = { entry: { key: 'x', config: config(16, 16, 8, 8), time: {} }, arch: 'sm_75', stratum: 'test', error: 'nvcc exit 1' };
  assert.match(capComparison([row(config(16, 16, 8, 8), 40, 0), failed], 63), /1 configurations compiled, 1 with an error/);
});
