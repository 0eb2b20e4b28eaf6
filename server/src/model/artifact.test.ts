// Tests for the TCMF model container: exact round trip, and rejection (never a throw) of corrupt,
// truncated, forged and mismatched artifacts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { makeSynthetic } from '../../../models/training/synthetic-data';
import { trainForest } from '../../../models/training/train-forest';
import { crc32, crc32Js, decodeModel, encodeModel, tryEncodeModel, type ModelArtifact } from './artifact';
import { predictBatch } from './forest';

const names = Array.from({ length: 8 }, (_, i) => `feat_${i}`);
let artifact: ModelArtifact;
let bytes: Uint8Array;

/** Rewrites the trailing CRC so a deliberate edit passes the checksum and reaches deeper validation. */
function reseal(b: Uint8Array): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

/** Byte offset of a named section's data (parsed from the header, as a forger would). */
function sectionOffset(b: Uint8Array, name: string): number {
  const len = new DataView(b.buffer, b.byteOffset).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(b.subarray(12, 12 + len)));
  const s = header.sections.find((x: { name: string }) => x.name === name);
  return ((12 + len + 7) & ~7) + s.offset;
}

/** Re-assembles a model with an edited JSON header (same data sections), correctly sealed. */
function rebuild(b: Uint8Array, mutate: (header: Record<string, any>) => void): Uint8Array {
  const len = new DataView(b.buffer, b.byteOffset).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(b.subarray(12, 12 + len)));
  mutate(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const oldStart = (12 + len + 7) & ~7;
  const newStart = (12 + json.length + 7) & ~7;
  const out = new Uint8Array(newStart + (b.length - oldStart));
  out.set(b.subarray(0, 12));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(b.subarray(oldStart), newStart);
  return reseal(out);
}

describe('crc32', () => {
  it("equals zlib's CRC-32 (Node's and the JavaScript fallback) on the check string and on every start and end", () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (const crc of [crc32, crc32Js]) {
      assert.equal(crc(new TextEncoder().encode('123456789')), 0xcbf43926);
      assert.equal(crc(new Uint8Array(0)), 0);
      for (let start = 0; start < 10; start++)
        for (let end = start; end <= bytes.length; end += end < 40 ? 1 : 37)
          assert.equal(crc(bytes, start, end), zlibCrc32(bytes.subarray(start, end)), `${crc.name}, bytes ${start}..${end}`);
    }
  });
});

describe('model artifact', () => {
  before(async () => {
    const data = makeSynthetic({ nRows: 1500, nFeatures: 8, seed: 2, missingFraction: 0.2 });
    const trained = await trainForest(data, { trees: 8, maxDepth: 8, minSamplesLeaf: 10, featureFraction: 0.6, sampleFraction: 0.8, seed: 5, workers: 1 });
    artifact = {
      schemaVersion: 1,
      featureNames: names,
      featureVersion: '3',
      target: { name: 'runtime', transform: 'log-ratio-to-analytic', params: { base: 'e' } },
      dataFingerprint: 'sha256:abc',
      metrics: { heldOutMape: 0.12, rows: 1500 },
      calibration: [{ level: 0.8, scale: 1.25, targetCoverage: 0.8, n: 300, coverageBefore: 0.7, coverageAfter: 0.8, source: 'holdout' }],
      training: { trees: 8 },
      forest: trained.forest,
    };
    bytes = encodeModel(artifact);
  });

  it('round-trips exactly: same arrays, header, predictions and bytes', () => {
    const r = decodeModel(bytes, { featureNames: names, featureVersion: '3' });
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.deepEqual(r.model, artifact);
    const data = makeSynthetic({ nRows: 200, nFeatures: 8, seed: 11, missingFraction: 0.2 });
    const a = predictBatch(artifact, data.x, 200);
    const b = predictBatch(r.model, data.x, 200);
    assert.deepEqual([a.mean, a.lo, a.hi], [b.mean, b.lo, b.hi]);
    assert.deepEqual(encodeModel(r.model), bytes);
    // Works from a Uint8Array view at an odd offset inside a bigger buffer.
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    assert.ok(decodeModel(padded.subarray(3)).ok);
  });

  it('decodes the same model from bytes at any offset of a larger buffer (a pooled Buffer), viewing aligned sections in place', () => {
    for (const shift of [0, 1, 2, 3, 4, 6, 8]) {
      const holder = new Uint8Array(bytes.length + 16);
      holder.set(bytes, shift);
      const r = decodeModel(holder.subarray(shift, shift + bytes.length));
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.deepEqual(r.model, artifact, `bytes at offset ${shift}`);
      assert.equal(r.model.forest.treeStart.buffer === holder.buffer, shift % 4 === 0, `section shares the input's memory at offset ${shift}`);
    }
  });

  it('quantises interval offsets to int8 x per-leaf scale (error ≤ scale/254) and keeps means exact', () => {
    const f = { ...artifact.forest, leafQuantileOffsets: artifact.forest.leafQuantileOffsets.map((v, i) => v * 1.01 + (i % 3) * 1e-3) };
    const r = decodeModel(encodeModel({ ...artifact, forest: f }));
    assert.ok(r.ok);
    const got = r.model.forest.leafQuantileOffsets;
    const nq = f.quantileLevels.length;
    for (let l = 0; l < f.leafMean.length; l++) {
      let scale = 0;
      for (let j = 0; j < nq; j++) scale = Math.max(scale, Math.abs(f.leafQuantileOffsets[l * nq + j]));
      for (let j = 0; j < nq; j++) assert.ok(Math.abs(got[l * nq + j] - f.leafQuantileOffsets[l * nq + j]) <= (scale / 254) * (1 + 1e-6), `leaf ${l}`);
    }
    assert.deepEqual(r.model.forest.leafMean, artifact.forest.leafMean);
    assert.deepEqual(r.model.forest.threshold, artifact.forest.threshold);
    // Quantisation is idempotent: the decoded model re-encodes to the same bytes.
    const again = decodeModel(encodeModel(r.model));
    assert.ok(again.ok);
    assert.deepEqual(again.model.forest.leafQuantileOffsets, got);
  });

  it('rejects every single-byte corruption and every truncation without throwing', () => {
    for (let i = 0; i < bytes.length; i += Math.max(1, Math.floor(bytes.length / 997))) {
      const bad = bytes.slice();
      bad[i] ^= 0x5a;
      const r = decodeModel(bad);
      assert.equal(r.ok, false, `flip at ${i} accepted`);
    }
    for (let n = 0; n < bytes.length; n += Math.max(1, Math.floor(bytes.length / 499))) {
      const r = decodeModel(bytes.subarray(0, n));
      assert.equal(r.ok, false, `truncation to ${n} accepted`);
    }
    assert.match((decodeModel(new Uint8Array(3)) as { error: string }).error, /too short/);
    assert.match((decodeModel(new TextEncoder().encode('PK\u0003\u0004 not a model at all')) as { error: string }).error, /magic/);
    assert.match((decodeModel(bytes.subarray(0, bytes.length - 10)) as { error: string }).error, /checksum/);
  });

  it('rejects forged content that passes the checksum', () => {
    const newer = bytes.slice();
    newer[4] = 9;
    assert.match((decodeModel(reseal(newer)) as { error: string }).error, /format version 9 is newer/);
    const feature = bytes.slice();
    new DataView(feature.buffer).setUint16(sectionOffset(feature, 'splitFeature'), 200, true);
    assert.match((decodeModel(reseal(feature)) as { error: string }).error, /feature 200/);
    // Flipping one "is leaf" bit breaks the tree shape, which the rebuild detects.
    for (const bit of [0, 1, 2, 5]) {
      const shape = bytes.slice();
      shape[sectionOffset(shape, 'leafBits')] ^= 1 << bit;
      const r = decodeModel(reseal(shape));
      assert.equal(r.ok, false, `leaf bit ${bit}`);
      assert.match((r as { error: string }).error, /tree 0|node counts|leaves|internal/);
    }
    const scale = bytes.slice();
    new DataView(scale.buffer).setFloat32(sectionOffset(scale, 'leafQuantileScale'), NaN, true);
    assert.match((decodeModel(reseal(scale)) as { error: string }).error, /quantile scale/);
  });

  it('rejects forged headers that pass the checksum', () => {
    const cases: [string, (h: Record<string, any>) => void, RegExp][] = [
      ['section past the end', (h) => (h.sections.find((x: any) => x.name === 'edges').length += 100000), /past the end/],
      ['section type changed', (h) => (h.sections.find((x: any) => x.name === 'treeStart').type = 'f32'), /type f32, expected i32/],
      ['section missing', (h) => (h.sections = h.sections.filter((x: any) => x.name !== 'leafMean')), /missing section leafMean/],
      ['misaligned section', (h) => (h.sections.find((x: any) => x.name === 'splitBin').offset += 1), /misaligned/],
      ['node count', (h) => (h.nNodes += 8), /nNodes/],
      ['count mismatch', (h) => (h.nTrees += 1), /counts disagree/],
      ['names vs features', (h) => h.featureNames.pop(), /7 feature names for 8/],
      ['bad calibration', (h) => (h.calibration[0].scale = -1), /scale/],
      ['schema version', (h) => (h.schemaVersion = 2), /schema version 2/],
      ['no target', (h) => delete h.target, /target/],
    ];
    for (const [name, mutate, re] of cases) {
      const r = decodeModel(rebuild(bytes, mutate));
      assert.equal(r.ok, false, name);
      assert.match((r as { error: string }).error, re, name);
    }
    assert.ok(decodeModel(rebuild(bytes, () => {})).ok, 'an unmodified rebuild decodes');
  });

  it('rejects a feature version or feature list mismatch with a retrain message', () => {
    const v = decodeModel(bytes, { featureVersion: '4' });
    assert.equal(v.ok, false);
    assert.equal((v as { error: string }).error, 'model was trained with feature version 3, this TileCast computes version 4: retrain with `npm run train`');
    const swapped = [...names];
    swapped[5] = 'other';
    assert.match(
      (decodeModel(bytes, { featureNames: swapped }) as { error: string }).error,
      /feature 5 is "feat_5", this TileCast computes "other".*npm run train/,
    );
    assert.match((decodeModel(bytes, { featureNames: names.slice(1) }) as { error: string }).error, /trained on 8 features, this TileCast computes 7/);
  });

  it('refuses to encode an invalid artifact and reports why', () => {
    const r = tryEncodeModel({ ...artifact, featureNames: names.slice(2) });
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, /6 feature names/);
    const bad = { ...artifact, forest: { ...artifact.forest, child: artifact.forest.child.map((c, i) => (i === 0 ? 0 : c)) } };
    assert.equal(tryEncodeModel(bad).ok, false);
    assert.throws(() => encodeModel(bad), /invalid forest/);
  });
});
