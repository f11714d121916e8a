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
