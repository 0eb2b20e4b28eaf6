// Binary container for shipped TileCast models ("TCMF"): JSON header + typed-array sections + CRC32.
// Pure bytes in / bytes out: no I/O (node:zlib only for its CRC-32); decoding validates everything and never
// throws on corrupt input.
import * as zlib from 'node:zlib';
import { validateForest, type Forest, type IntervalCalibration } from './forest';
import { CODE_MAX, quantiseOffsets } from './quantise';

export const MODEL_MAGIC = 'TCMF';
/** Binary container version (layout of this file). */
export const MODEL_FORMAT_VERSION = 1;
/** Version of the artifact's logical schema (header fields). */
export const MODEL_SCHEMA_VERSION = 1;

export interface TargetSpec {
  /** What the model predicts, e.g. "runtime", "power", "energy". */
  name: string;
  /** How the raw target was transformed before training, e.g. "log-ratio-to-analytic", "log", "fraction-of-power-limit". */
  transform: string;
  params?: Record<string, unknown>;
}

export interface ModelArtifact {
  schemaVersion: number;
  featureNames: string[];
  featureVersion: string;
  target: TargetSpec;
  /** Fingerprint (e.g. SHA-256) of the training data. */
  dataFingerprint: string;
  /** Free-form JSON (held-out errors, row counts, ...). */
  metrics: Record<string, unknown>;
  calibration: IntervalCalibration[];
  /** Free-form JSON: trainer options and statistics. */
  training?: Record<string, unknown>;
  forest: Forest;
}

export interface DecodeExpectations {
  featureNames?: readonly string[];
  featureVersion?: string;
}

export type DecodeResult = { ok: true; model: ModelArtifact } | { ok: false; error: string };
export type EncodeResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

type SectionType = 'i32' | 'u16' | 'u8' | 'i8' | 'f32' | 'f64';
const SECTION_BYTES: Record<SectionType, number> = { i32: 4, u16: 2, u8: 1, i8: 1, f32: 4, f64: 8 };
/**
 * Sections in file order. The tree shape is stored as one "is leaf" bit per node in preorder (child
 * pointers and leaf numbers are rebuilt on decode); split fields exist for internal nodes only;
 * thresholds are rebuilt from the split bin and the edge table.
 */
const SECTIONS: readonly { name: string; type: SectionType }[] = [
  { name: 'treeStart', type: 'i32' },
  { name: 'leafBits', type: 'u8' },
  { name: 'splitFeature', type: 'u16' }, // bit 15: missing values go left
  { name: 'splitBin', type: 'u8' },
  { name: 'edgeStart', type: 'i32' },
  { name: 'edges', type: 'f32' },
  { name: 'leafMean', type: 'f32' },
  { name: 'quantileLevels', type: 'f64' },
  { name: 'leafQuantileScale', type: 'f32' },
  { name: 'leafQuantileCodes', type: 'i8' },
  { name: 'featureGain', type: 'f64' },
];
const MISSING_LEFT_BIT = 0x8000;

interface SectionEntry {
  name: string;
  type: SectionType;
  offset: number;
  length: number;
}

const PREAMBLE = 12; // magic(4) + format version u16 + reserved u16 + header byte length u32
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let crcTable: Int32Array | null = null;

/** CRC-32 (IEEE 802.3, as zlib computes it) of bytes[start, end): the models' checksum, verified at every load. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  // Node's own (20.15 and later) when there is one: the byte loop below, run cold at server start, took
  // ~16 ms of the two models' ~100 ms decode.
  if (typeof zlib.crc32 === 'function') return zlib.crc32(bytes.subarray(start, end)) >>> 0;
  return crc32Js(bytes, start, end);
}

/** The same CRC in JavaScript, for Node before 20.15 (checked against zlib's in artifact.test.ts). */
export function crc32Js(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  const table = crcTable;
  let crc = -1;
  for (let i = start; i < end; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

const align8 = (n: number) => (n + 7) & ~7;

/** The stored sections of a forest, or why it cannot be stored compactly. */
function packForest(forest: Forest): Map<string, ArrayBufferView> | string {
  const { child, feature, bin, flags } = forest;
  const nNodes = child.length;
  if (forest.nFeatures > 0x7fff) return `at most ${0x7fff} features can be stored, the forest has ${forest.nFeatures}`;
  const leafBits = new Uint8Array((nNodes + 7) >>> 3);
  let nLeaves = 0;
  for (let i = 0; i < nNodes; i++) {
    if (child[i] >= 0) continue;
    if (~child[i] !== nLeaves) return `leaves are not numbered in preorder (node ${i} holds leaf ${~child[i]}, expected ${nLeaves})`;
    nLeaves++;
    leafBits[i >>> 3] |= 1 << (i & 7);
  }
  const nInternal = nNodes - nLeaves;
  const splitFeature = new Uint16Array(nInternal);
  const splitBin = new Uint8Array(nInternal);
  for (let i = 0, k = 0; i < nNodes; i++) {
    if (child[i] < 0) continue;
    splitFeature[k] = feature[i] | ((flags[i] & 1) !== 0 ? MISSING_LEFT_BIT : 0);
    splitBin[k++] = bin[i];
  }
  const nq = forest.quantileLevels.length;
  const leafQuantileScale = new Float32Array(nLeaves);
  const leafQuantileCodes = new Int8Array(nLeaves * nq);
  for (let l = 0; l < nLeaves; l++) leafQuantileScale[l] = quantiseOffsets(forest.leafQuantileOffsets, l * nq, nq, leafQuantileCodes, l * nq);
  return new Map<string, ArrayBufferView>([
    ['treeStart', forest.treeStart],
    ['leafBits', leafBits],
    ['splitFeature', splitFeature],
    ['splitBin', splitBin],
    ['edgeStart', forest.edgeStart],
    ['edges', forest.edges],
    ['leafMean', forest.leafMean],
    ['quantileLevels', forest.quantileLevels],
    ['leafQuantileScale', leafQuantileScale],
    ['leafQuantileCodes', leafQuantileCodes],
    ['featureGain', forest.featureGain],
  ]);
}

/** Encodes an artifact, or says why it cannot be encoded (invalid forest, unserialisable JSON). */
export function tryEncodeModel(artifact: ModelArtifact): EncodeResult {
  try {
    if (!LITTLE_ENDIAN) return { ok: false, error: 'model encoding needs a little-endian host' };
    const forest = artifact.forest;
    const problem = validateForest(forest);
    if (problem) return { ok: false, error: `invalid forest: ${problem}` };
    if (artifact.featureNames.length !== forest.nFeatures)
      return { ok: false, error: `${artifact.featureNames.length} feature names for a forest of ${forest.nFeatures} features` };
    const packed = packForest(forest);
    if (typeof packed === 'string') return { ok: false, error: packed };
    const sections: SectionEntry[] = [];
    const views: ArrayBufferView[] = [];
    let dataBytes = 0;
    for (const s of SECTIONS) {
      const view = packed.get(s.name)!;
      const length = view.byteLength / SECTION_BYTES[s.type];
      sections.push({ name: s.name, type: s.type, offset: dataBytes, length });
      views.push(view);
      dataBytes = align8(dataBytes + view.byteLength);
    }
    const header = {
      schemaVersion: artifact.schemaVersion,
      featureNames: artifact.featureNames,
      featureVersion: artifact.featureVersion,
      target: artifact.target,
      dataFingerprint: artifact.dataFingerprint,
      metrics: artifact.metrics,
      calibration: artifact.calibration,
      training: artifact.training ?? {},
      nFeatures: forest.nFeatures,
      nTrees: forest.treeStart.length - 1,
      nNodes: forest.child.length,
      nLeaves: forest.leafMean.length,
      sections,
    };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const dataStart = align8(PREAMBLE + json.length);
    const total = dataStart + dataBytes + 4;
    const bytes = new Uint8Array(total);
    for (let i = 0; i < 4; i++) bytes[i] = MODEL_MAGIC.charCodeAt(i);
    const dv = new DataView(bytes.buffer);
    dv.setUint16(4, MODEL_FORMAT_VERSION, true);
    dv.setUint16(6, 0, true);
    dv.setUint32(8, json.length, true);
    bytes.set(json, PREAMBLE);
    sections.forEach((s, i) => {
      const v = views[i];
      bytes.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), dataStart + s.offset);
    });
    dv.setUint32(total - 4, crc32(bytes, 0, total - 4), true);
    return { ok: true, bytes };
  } catch (err) {
    return { ok: false, error: `cannot encode model: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Encodes an artifact; throws when it is invalid (a bug in the caller). Use tryEncodeModel to get the error instead. */
export function encodeModel(artifact: ModelArtifact): Uint8Array {
  const r = tryEncodeModel(artifact);
  if (!r.ok) throw new Error(r.error);
  return r.bytes;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readSection(bytes: Uint8Array, dataStart: number, dataEnd: number, s: SectionEntry): ArrayBufferView | string {
  const size = SECTION_BYTES[s.type];
  if (!Number.isSafeInteger(s.offset) || !Number.isSafeInteger(s.length) || s.offset < 0 || s.length < 0) return `section ${s.name} has a bad offset or length`;
  if (s.offset % 8 !== 0) return `section ${s.name} is misaligned`;
  const start = dataStart + s.offset;
  const end = start + s.length * size;
  if (end > dataEnd) return `section ${s.name} runs past the end of the file (truncated?)`;
  // A view of `bytes` where the section is aligned for its type (always so in a file read on its own:
  // sections sit at multiples of 8 from an 8-aligned data start), else a copy of it (a Buffer from a pool).
  const aligned = (bytes.byteOffset + start) % size === 0;
  const buffer = aligned ? bytes.buffer : bytes.slice(start, end).buffer;
  const at = aligned ? bytes.byteOffset + start : 0;
  switch (s.type) {
    case 'i32':
      return new Int32Array(buffer, at, s.length);
    case 'u16':
      return new Uint16Array(buffer, at, s.length);
    case 'u8':
      return new Uint8Array(buffer, at, s.length);
    case 'i8':
      return new Int8Array(buffer, at, s.length);
    case 'f32':
      return new Float32Array(buffer, at, s.length);
    case 'f64':
      return new Float64Array(buffer, at, s.length);
  }
}

function checkCalibration(v: unknown): IntervalCalibration[] | string {
  if (!Array.isArray(v)) return 'calibration is not a list';
  for (const c of v) {
    if (!isRecord(c)) return 'calibration entry is not an object';
    if (!(typeof c.level === 'number' && c.level > 0 && c.level < 1)) return 'calibration level must be in (0, 1)';
    if (!(typeof c.scale === 'number' && Number.isFinite(c.scale) && c.scale >= 0)) return 'calibration scale must be finite and ≥ 0';
  }
  return v as IntervalCalibration[];
}

/** What to say when the model's features do not match this TileCast's. */
function expectationError(model: ModelArtifact, expect: DecodeExpectations): string | null {
  const retrain = 'retrain with `npm run train`';
  if (expect.featureVersion !== undefined && expect.featureVersion !== model.featureVersion) {
    return `model was trained with feature version ${model.featureVersion}, this TileCast computes version ${expect.featureVersion}: ${retrain}`;
  }
  if (expect.featureNames !== undefined) {
    const want = expect.featureNames;
    const have = model.featureNames;
    if (want.length !== have.length) return `model was trained on ${have.length} features, this TileCast computes ${want.length}: ${retrain}`;
    for (let i = 0; i < want.length; i++) {
      if (want[i] !== have[i]) return `model feature ${i} is "${have[i]}", this TileCast computes "${want[i]}" there: ${retrain}`;
    }
  }
  return null;
}

/**
 * Decodes and validates a model. Never throws: corrupt, truncated or mismatched input yields { ok: false, error }.
 * The model's stored sections view `bytes` in place where aligned (no copy): do not modify `bytes` afterwards.
 */
export function decodeModel(bytes: Uint8Array, expect?: DecodeExpectations): DecodeResult {
  try {
    return decodeUnchecked(bytes, expect);
  } catch (err) {
    return { ok: false, error: `corrupt model: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function decodeUnchecked(bytes: Uint8Array, expect?: DecodeExpectations): DecodeResult {
  const fail = (error: string): DecodeResult => ({ ok: false, error });
  if (!(bytes instanceof Uint8Array)) return fail('model bytes must be a Uint8Array');
  if (!LITTLE_ENDIAN) return fail('model decoding needs a little-endian host');
  if (bytes.length < PREAMBLE + 4) return fail(`not a TileCast model: ${bytes.length} bytes is too short`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MODEL_MAGIC.charCodeAt(i)) return fail('not a TileCast model (bad magic bytes; expected "TCMF")');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(4, true);
  if (version !== MODEL_FORMAT_VERSION) {
    return fail(
      version > MODEL_FORMAT_VERSION
        ? `model format version ${version} is newer than this TileCast reads (${MODEL_FORMAT_VERSION}): update TileCast`
        : `model format version ${version} is not supported (this TileCast reads ${MODEL_FORMAT_VERSION}): retrain with \`npm run train\``,
    );
  }
  const stored = dv.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes, 0, bytes.length - 4);
  if (stored !== actual)
    return fail(`model checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)}): the file is corrupt or truncated`);
  const jsonLength = dv.getUint32(8, true);
  if (PREAMBLE + jsonLength > bytes.length - 4) return fail('model header runs past the end of the file');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + jsonLength)));
  } catch {
    return fail('model header is not valid UTF-8 JSON');
  }
  if (!isRecord(header)) return fail('model header is not a JSON object');
  const h = header;
  if (h.schemaVersion !== MODEL_SCHEMA_VERSION)
    return fail(`model schema version ${String(h.schemaVersion)} is not supported (this TileCast reads ${MODEL_SCHEMA_VERSION})`);
  if (!Array.isArray(h.featureNames) || !h.featureNames.every((n) => typeof n === 'string')) return fail('model header featureNames must be a list of strings');
  if (typeof h.featureVersion !== 'string') return fail('model header featureVersion must be a string');
  if (!isRecord(h.target) || typeof h.target.name !== 'string' || typeof h.target.transform !== 'string')
    return fail('model header target must have a name and a transform');
  if (h.target.params !== undefined && !isRecord(h.target.params)) return fail('model header target.params must be an object');
  if (typeof h.dataFingerprint !== 'string') return fail('model header dataFingerprint must be a string');
  if (!isRecord(h.metrics)) return fail('model header metrics must be an object');
  if (h.training !== undefined && !isRecord(h.training)) return fail('model header training must be an object');
  const calibration = checkCalibration(h.calibration);
  if (typeof calibration === 'string') return fail(`model header: ${calibration}`);
  if (!Array.isArray(h.sections)) return fail('model header has no section table');
  const dataStart = align8(PREAMBLE + jsonLength);
  const dataEnd = bytes.length - 4;
  const found = new Map<string, ArrayBufferView>();
  for (const raw of h.sections as unknown[]) {
    if (!isRecord(raw) || typeof raw.name !== 'string' || typeof raw.type !== 'string') return fail('model section table entry is malformed');
    const spec = SECTIONS.find((s) => s.name === raw.name);
    if (!spec) continue; // unknown sections from a compatible writer are skipped
    if (raw.type !== spec.type) return fail(`section ${spec.name} has type ${raw.type}, expected ${spec.type}`);
    if (found.has(spec.name)) return fail(`section ${spec.name} appears twice`);
    const view = readSection(bytes, dataStart, dataEnd, { name: spec.name, type: spec.type, offset: Number(raw.offset), length: Number(raw.length) });
    if (typeof view === 'string') return fail(view);
    found.set(spec.name, view);
  }
  for (const s of SECTIONS) if (!found.has(s.name)) return fail(`model is missing section ${s.name}`);
  const get = <T>(name: string) => found.get(name) as T;
  const nFeatures = h.nFeatures;
  if (typeof nFeatures !== 'number' || !Number.isInteger(nFeatures) || nFeatures < 1 || nFeatures > 0xffff) return fail('model header nFeatures is invalid');
  if (h.featureNames.length !== nFeatures) return fail(`model has ${h.featureNames.length} feature names for ${nFeatures} features`);
  const edgeStart = get<Int32Array>('edgeStart');
  const edges = get<Float32Array>('edges');
  if (edgeStart.length !== nFeatures + 1 || edgeStart[0] !== 0 || edgeStart[nFeatures] !== edges.length)
    return fail('edge table does not match the feature count');
  for (let f = 0; f < nFeatures; f++) if (!(edgeStart[f + 1] >= edgeStart[f])) return fail(`feature ${f} has a bad edge range`);
  const treeStart = get<Int32Array>('treeStart');
  const leafBits = get<Uint8Array>('leafBits');
  const splitFeature = get<Uint16Array>('splitFeature');
  const splitBin = get<Uint8Array>('splitBin');
  const leafMean = get<Float32Array>('leafMean');
  const quantileLevels = get<Float64Array>('quantileLevels');
  const scales = get<Float32Array>('leafQuantileScale');
  const codes = get<Int8Array>('leafQuantileCodes');
  const nNodes = h.nNodes;
  if (typeof nNodes !== 'number' || !Number.isInteger(nNodes) || nNodes < 1 || leafBits.length !== (nNodes + 7) >>> 3)
    return fail('model header nNodes disagrees with its leaf bitmap');
  if (splitFeature.length !== splitBin.length) return fail('split sections differ in length');
  if (treeStart.length < 2 || treeStart[0] !== 0 || treeStart[treeStart.length - 1] !== nNodes) return fail('tree ranges do not cover the nodes');
  const nq = quantileLevels.length;
  if (scales.length !== leafMean.length || codes.length !== leafMean.length * nq) return fail('leaf quantile sections do not match the leaf count');
  const nodes = rebuildNodes({ nNodes, nFeatures, treeStart, leafBits, splitFeature, splitBin, edgeStart, edges, nLeaves: leafMean.length });
  if (typeof nodes === 'string') return fail(nodes);
  const { feature, bin, flags, child, threshold } = nodes;
  const leafQuantileOffsets = dequantiseLeaves(codes, scales, nq);
  if (typeof leafQuantileOffsets === 'string') return fail(leafQuantileOffsets);
  const forest: Forest = {
    nFeatures,
    treeStart,
    feature,
    bin,
    flags,
    child,
    threshold,
    edgeStart,
    edges,
    leafMean,
    quantileLevels,
    leafQuantileOffsets,
    featureGain: get<Float64Array>('featureGain'),
  };
  const problem = validateForest(forest);
  if (problem) return fail(`invalid forest: ${problem}`);
  if (h.nTrees !== forest.treeStart.length - 1 || h.nNodes !== child.length || h.nLeaves !== forest.leafMean.length)
    return fail('model header counts disagree with its sections');
  const model: ModelArtifact = {
    schemaVersion: h.schemaVersion,
    featureNames: h.featureNames as string[],
    featureVersion: h.featureVersion,
    target: h.target as unknown as TargetSpec,
    dataFingerprint: h.dataFingerprint,
    metrics: h.metrics,
    calibration,
    training: h.training as Record<string, unknown> | undefined,
    forest,
  };
  if (expect) {
    const mismatch = expectationError(model, expect);
    if (mismatch) return fail(mismatch);
  }
  return { ok: true, model };
}

interface StoredNodes {
  nNodes: number;
  nFeatures: number;
  treeStart: Int32Array;
  leafBits: Uint8Array;
  splitFeature: Uint16Array;
  splitBin: Uint8Array;
  edgeStart: Int32Array;
  edges: Float32Array;
  nLeaves: number;
}

/**
 * The node arrays prediction walks, rebuilt from the preorder leaf bits (after a leaf, the next node is
 * the right child of the most recent internal node still waiting for one), or why they cannot be.
 */
function rebuildNodes(s: StoredNodes): Pick<Forest, 'feature' | 'bin' | 'flags' | 'child' | 'threshold'> | string {
  const { nNodes, nFeatures, treeStart, leafBits, splitFeature, splitBin, edgeStart, edges, nLeaves } = s;
  const feature = new Uint16Array(nNodes);
  const bin = new Uint8Array(nNodes);
  const flags = new Uint8Array(nNodes);
  const child = new Int32Array(nNodes);
  const threshold = new Float32Array(nNodes);
  const waiting = new Int32Array(nNodes);
  let nWaiting = 0;
  let nextLeaf = 0;
  let nextSplit = 0;
  let previousLeaf = false;
  for (let t = 0; t + 1 < treeStart.length; t++) {
    const start = treeStart[t];
    const end = treeStart[t + 1];
    if (!(end > start)) return `tree ${t} is empty or out of order`;
    for (let i = start; i < end; i++) {
      if (i > start && previousLeaf) {
        if (nWaiting === 0) return `tree ${t} has nodes after its last leaf`;
        child[waiting[--nWaiting]] = i;
      }
      previousLeaf = (leafBits[i >>> 3] & (1 << (i & 7))) !== 0;
      if (previousLeaf) {
        if (nextLeaf >= nLeaves) return 'more leaves than leaf values';
        child[i] = ~nextLeaf++;
      } else {
        if (nextSplit >= splitFeature.length) return 'more internal nodes than split records';
        const packed = splitFeature[nextSplit];
        const f = packed & ~MISSING_LEFT_BIT;
        if (f >= nFeatures) return `node ${i} splits on feature ${f}, the model has ${nFeatures}`;
        const b = splitBin[nextSplit++];
        feature[i] = f;
        flags[i] = (packed & MISSING_LEFT_BIT) !== 0 ? 1 : 0;
        bin[i] = b;
        const first = edgeStart[f];
        threshold[i] = b < edgeStart[f + 1] - first ? edges[first + b] : Infinity; // binThreshold, inline: this loop runs cold at start
        waiting[nWaiting++] = i;
      }
    }
    if (nWaiting > 0) return `tree ${t} ends before all its splits have two children (truncated?)`;
  }
  if (nextLeaf !== nLeaves || nextSplit !== splitFeature.length) return 'node counts disagree with the leaf and split sections';
  return { feature, bin, flags, child, threshold };
}

/** Each leaf's quantile offsets from its int8 codes and float32 scale, or why they cannot be. */
function dequantiseLeaves(codes: Int8Array, scales: Float32Array, nq: number): Float32Array | string {
  const offsets = new Float32Array(codes.length);
  for (let l = 0; l < scales.length; l++) {
    const sc = scales[l];
    if (!(sc >= 0 && Number.isFinite(sc))) return `leaf ${l} has a bad quantile scale`;
    // dequantise() inline, the same expression (a Float32Array store rounds as its Math.fround does): this loop runs cold at start.
    for (let j = l * nq, e = j + nq; j < e; j++) offsets[j] = (codes[j] * sc) / CODE_MAX;
  }
  return offsets;
}
