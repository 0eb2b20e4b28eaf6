// Checks the library tile heuristic against the tiles cuBLAS kernel names show (NeuSight data) and
// the split-K rule, with the tile counts worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseLibraryTile, clblastTile } from './library-tiles';

const hopper = { smCount: 132, computeCapability: '9.0' };
const a100 = { smCount: 108, computeCapability: '8.0' };
const p100 = { smCount: 56, computeCapability: '6.0' };

test('library tiles: large bf16 on Hopper takes 128x256x64', () => {
  // 8192/128 * 8192/256 = 64 * 32 = 2048 tiles >= 132 SMs: the largest candidate
  const c = chooseLibraryTile(8192, 8192, 8192, 1, 'bf16', hopper, true);
  assert.equal(c.tile.blockM, 128);
  assert.equal(c.tile.blockN, 256);
  assert.equal(c.tile.blockK, 64);
  assert.equal(c.splitK, 1);
  // fp8 keeps the stage's bytes: BK = 64 * 2/1 = 128
  assert.equal(chooseLibraryTile(8192, 8192, 8192, 1, 'fp8', hopper, true).tile.blockK, 128);
});

test('library tiles: decode-sized M uses swap-AB 16-row tiles, 64-row tiles up to 64, and split-K', () => {
  // m = 1 (<= 16) on cc 9.0: swap-AB 16-row tiles with BK = 128; 16x128 -> 4096/128 = 32 tiles, 16x64 -> 64,
  // both < 132: take 16x64; 64 < 66 = SMs/2 and K = 4096 >= 8*128: splitK = min(2^floor(log2(132/64)) = 2, 4096/(4*128) = 8, 32) = 2
  const c = chooseLibraryTile(1, 4096, 4096, 1, 'bf16', hopper, true);
  assert.equal(c.tile.blockM, 16);
  assert.equal(c.tile.blockN, 64);
  assert.equal(c.tile.blockK, 128);
  assert.equal(c.splitK, 2);
  // m = 20: 32-row tiles; n = 16384: 32x128 -> 128 tiles < 132, 32x64 -> 256 >= 132: 32x64, no split
  const wide = chooseLibraryTile(20, 16384, 4096, 1, 'bf16', hopper, true);
  assert.equal(wide.tile.blockM, 32);
  assert.equal(wide.tile.blockN, 64);
  assert.equal(wide.splitK, 1);
  // m = 48: BM = 64 candidates; 64x128 -> 4096/128 = 32, 64x64 -> 64 tiles < 132 -> 64x64 with split-K
  // min(2^floor(log2(132/64)) = 2, 4096/(4*64) = 16, 32) = 2
  const mid = chooseLibraryTile(48, 4096, 4096, 1, 'bf16', hopper, true);
  assert.equal(mid.tile.blockM, 64);
  assert.equal(mid.tile.blockN, 64);
  assert.equal(mid.splitK, 2);
});

test('library tiles: medium shape steps down to a smaller tile to fill the SMs', () => {
  // 1024x1024 on Hopper: 128x256 -> 8*4 = 32 tiles; 128x128 -> 64; 64x128 -> 16*8 = 128; 64x64 -> 256 >= 132
  const c = chooseLibraryTile(1024, 1024, 1024, 1, 'bf16', hopper, true);
  assert.equal(c.tile.blockM, 64);
  assert.equal(c.tile.blockN, 64);
  // 4096x4096 on A100: 128x256 -> 32*16 = 512 tiles >= 108
  const big = chooseLibraryTile(4096, 4096, 4096, 1, 'fp16', a100, true);
  assert.equal(big.tile.blockM, 128);
  assert.equal(big.tile.blockN, 256);
  assert.equal(big.tile.blockK, 32);
});

test('library tiles: fp32 SGEMM tiles follow the cuBLAS kernel names in NeuSight', () => {
  // A100 batched: ampere_sgemm_128x128 (256 threads)
  const bmm = chooseLibraryTile(200, 200, 200, 8, 'fp32', a100, false);
  assert.equal(bmm.tile.blockM, 128);
  assert.equal(bmm.tile.blockN, 128);
  assert.equal(bmm.tile.threads, 256);
  // P100 large: maxwell_sgemm_128x64 (128 threads): 4096/128 * 4096/64 = 2048 tiles >= 56
  const pascal = chooseLibraryTile(4096, 4096, 4096, 1, 'fp32', p100, false);
  assert.equal(pascal.tile.blockM, 128);
  assert.equal(pascal.tile.blockN, 64);
  assert.equal(pascal.tile.threads, 128);
  // A100 small output, long K: 64x64 tiles = 2*2 = 4 < 54 and K = 8192 >= 1024 -> 32x32 sliced1x4
  const sliced = chooseLibraryTile(100, 100, 8192, 1, 'fp32', a100, false);
  assert.equal(sliced.tile.blockM, 32);
  assert.match(sliced.kernelName, /sliced1x4/);
});

test('library tiles: CLBlast tunables map to the tile', () => {
  const t = clblastTile({ MWG: 64, NWG: 128, KWG: 32, MDIMC: 16, NDIMC: 8, MDIMA: 16, NDIMB: 8, KWI: 2, VWM: 4, VWN: 2, STRM: 0, STRN: 1, SA: 1, SB: 1 });
  // threads = 16 * 8 = 128; thread tile = 64/16 x 128/8 = 4 x 16
  assert.equal(t.threads, 128);
  assert.equal(t.warps, 4);
  assert.equal(t.threadM, 4);
  assert.equal(t.threadN, 16);
  assert.equal(t.blockK, 32);
  assert.equal(t.vectorWidth, 4);
  assert.equal(clblastTile(undefined).blockM, undefined);
});
