// Lossy-but-bounded storage of per-leaf quantile offsets: one float32 scale per leaf plus one int8 code
// per stored level. Pure arithmetic; no I/O. Idempotent: quantising dequantised values changes nothing.

/** Codes span -CODE_MAX..CODE_MAX; an offset is code x scale / CODE_MAX. */
export const CODE_MAX = 127;

/**
 * Quantises offsets[start .. start + n) in place-independent form: returns the leaf scale (the largest
 * absolute offset, as float32) and writes codes into `codes` at `codeStart`. Error ≤ scale / 254.
 */
export function quantiseOffsets(offsets: ArrayLike<number>, start: number, n: number, codes: Int8Array, codeStart: number): number {
  let m = 0;
  for (let j = 0; j < n; j++) {
    const a = Math.abs(offsets[start + j]);
    if (a > m) m = a;
  }
  let scale = Math.fround(m);
  if (scale < m) scale = nextFloat32Up(scale);
  if (!(scale > 0) || !Number.isFinite(scale)) {
    for (let j = 0; j < n; j++) codes[codeStart + j] = 0;
    return scale > 0 ? scale : 0;
  }
  for (let j = 0; j < n; j++) {
    const c = Math.round((offsets[start + j] / scale) * CODE_MAX);
    codes[codeStart + j] = c > CODE_MAX ? CODE_MAX : c < -CODE_MAX ? -CODE_MAX : c;
  }
  return scale;
}

/** The float32 offset a code stands for. */
export function dequantise(code: number, scale: number): number {
  return Math.fround((code * scale) / CODE_MAX);
}

/** Rounds one leaf's offsets (in place) to exactly what the artifact will store. */
export function roundLeafOffsets(offsets: number[] | Float32Array, start: number, n: number): void {
  const codes = new Int8Array(n);
  const scale = quantiseOffsets(offsets, start, n, codes, 0);
  for (let j = 0; j < n; j++) offsets[start + j] = dequantise(codes[j], scale);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function nextFloat32Up(x: number): number {
  f32[0] = x;
  u32[0] += 1; // x is positive and finite here
  return f32[0];
}
