// Deterministic seeded random numbers for the forest trainer (xoshiro128**, seeded per tree by splitmix32).
// No global state and no Math.random: the same (seed, treeIndex) always yields the same stream.

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seeds from any number of 32-bit integers (e.g. the user seed and a tree index). */
  constructor(...seeds: number[]) {
    const st = { s: 0x6a09e667 };
    for (const seed of seeds) {
      st.s = (st.s ^ (seed >>> 0)) | 0;
      st.s = splitmix32(st) | 0;
      // Include the high part of seeds above 2^32 too.
      st.s = (st.s ^ Math.floor(Math.abs(seed) / 4294967296)) | 0;
    }
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n), n ≤ 2^32. */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
