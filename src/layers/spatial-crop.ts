// Copies between an (N, H, W, C) image and a window of a larger one: ZeroPadding2D's forward is Cropping2D's
// backward and the other way round. Plain loops over rows (data movement only, no arithmetic).

import { ConfigError, invalid } from '../errors.js';

/** [[top, bottom], [left, right]] from an int, a pair [symH, symW], or the nested form. */
export function normalizeAmounts(where: string, arg: string, value: unknown): [[number, number], [number, number]] {
  const nonNeg = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (nonNeg(value))
    return [
      [value, value],
      [value, value],
    ];
  if (Array.isArray(value) && value.length === 2) {
    const [a, b] = value as unknown[];
    if (nonNeg(a) && nonNeg(b))
      return [
        [a, a],
        [b, b],
      ];
    if (Array.isArray(a) && Array.isArray(b) && a.length === 2 && b.length === 2 && [...a, ...b].every(nonNeg)) {
      return [
        [a[0], a[1]],
        [b[0], b[1]],
      ];
    }
  }
  throw new ConfigError(invalid(where, arg, 'a non-negative integer, [height, width], or [[top, bottom], [left, right]]', value));
}

/**
 * Copies `small` (N, h, w, C) into/out of `big` (N, H, W, C) at offset (top, left). toBig: small -> big
 * (the rest of big is zeroed); else big's window -> small.
 */
export function copyWindow(
  big: Float32Array,
  small: Float32Array,
  dims: { n: number; bigH: number; bigW: number; h: number; w: number; c: number; top: number; left: number },
  toBig: boolean,
): void {
  const { n, bigH, bigW, h, w, c, top, left } = dims;
  if (toBig) big.fill(0);
  const rowLen = w * c;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      const s = (b * h + i) * rowLen;
      const d = ((b * bigH + i + top) * bigW + left) * c;
      if (toBig) big.set(small.subarray(s, s + rowLen), d);
      else small.set(big.subarray(d, d + rowLen), s);
    }
  }
}
