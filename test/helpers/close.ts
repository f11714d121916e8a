// Small numeric helpers for the hand-computed kernel tests: float32 buffers, integer ranges, a tolerant
// element-wise comparison that names the failing index, and a reference softmax row.

import assert from 'node:assert/strict';

export const f32 = (values: number[]): Float32Array => Float32Array.from(values);
export const range = (n: number, start = 1): number[] => Array.from({ length: n }, (_, i) => i + start);

export function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5, what = ''): void {
  assert.equal(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
      assert.fail(`${what}[${i}]: expected ${e}, received ${a} (all: [${Array.from(actual).join(', ')}])`);
    }
  }
}

export function softmaxRow(row: number[]): number[] {
  const e = row.map((v) => Math.exp(v));
  const s = e.reduce((p, v) => p + v, 0);
  return e.map((v) => v / s);
}

/**
 * The largest relative difference |a - e| / (1 + |e|) and its index. NaN-safe: a NaN or infinite difference on
 * either side is the worst possible (Infinity), so a comparison never passes because NaN compares false.
 */
export function largestRelativeDifference(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): { value: number; index: number } {
  assert.equal(actual.length, expected.length, 'lengths differ');
  let value = 0;
  let index = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const err = Math.abs(a - e) / (1 + Math.abs(e));
    const measured = Number.isFinite(err) ? err : Number.POSITIVE_INFINITY;
    if (index < 0 || measured > value) {
      value = measured;
      index = i;
    }
  }
  return { value, index };
}

/** Fails unless every element is within `tol` relative difference (NaN or Infinity anywhere fails). */
export function assertWithin(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  const { value, index } = largestRelativeDifference(actual, expected);
  if (!(value <= tol)) {
    assert.fail(
      `${what}: largest relative difference ${value.toExponential(2)} at index ${index} (got ${actual[index]}, expected ${expected[index]}), tolerance ${tol}`,
    );
  }
}
