// Counter-based random numbers: value i of a stream depends only on (seed, offset + i), so the reference and
// native backends (which ports these exact integer steps to C++) produce the same numbers, in any order.

const GOLDEN = 0x9e3779b9;
const TWO_POW_MINUS_24 = 1 / 16777216;

/** A 32-bit avalanche mix (lowbias32): every input bit flips about half the output bits. */
export function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Stream key for a seed; attempt k > 0 gives the independent streams truncated normals redraw from. */
export function streamKey(seed: number, attempt = 0): number {
  return mix32(((seed + Math.imul(attempt, GOLDEN)) >>> 0) ^ GOLDEN);
}

/** 32 random bits at counter c (taken modulo 2^32) of a stream. */
export function bitsAt(key: number, counter: number): number {
  return mix32((key ^ mix32(counter >>> 0)) >>> 0);
}

/** Uniform in [0, 1) with 24 bits, exactly representable in float32. */
export function uniformAt(key: number, counter: number): number {
  return (bitsAt(key, counter) >>> 8) * TWO_POW_MINUS_24;
}

/** Standard normal for element index e by Box-Muller on counters 2e and 2e+1 (computed in float64). */
export function normalAt(key: number, element: number): number {
  const u1 = ((bitsAt(key, 2 * element) >>> 8) + 1) * TWO_POW_MINUS_24; // (0, 1], log is finite
  const u2 = (bitsAt(key, 2 * element + 1) >>> 8) * TWO_POW_MINUS_24;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Standard normal restricted to |z| <= 2 (Keras's truncated_normal): redraws from stream attempt 1, 2, ... */
export function truncatedNormalAt(seed: number, element: number): number {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const z = normalAt(streamKey(seed, attempt), element);
    if (Math.abs(z) <= 2) return z;
  }
  return 0;
}
