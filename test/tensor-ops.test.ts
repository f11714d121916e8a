// The NumPy-style tensor helpers against NumPy itself (/usr/bin/python3 computes the same operation on the same
// values) and against hand-written cases: element types kept, shapes right, bad arguments named.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { ConfigError, ShapeError, ValueError } from '../src/errors.js';
import { tensor } from '../src/tensor.js';
import { argMax, concatenate, oneHot, reshape, sliceRows, take } from '../src/tensor-ops.js';

/** Runs `expr` in NumPy with `x` (and `y`) bound to the given nested lists; returns [values, shape]. */
function numpy(expr: string, x: unknown, y?: unknown): { values: number[]; shape: number[] } {
  const script = `import json, numpy as np
x = np.array(json.loads(${JSON.stringify(JSON.stringify(x))}), dtype=np.float64)
y = np.array(json.loads(${JSON.stringify(JSON.stringify(y ?? 0))}), dtype=np.float64)
r = np.asarray(${expr})
print(json.dumps({"values": [float(v) for v in r.ravel()], "shape": list(r.shape)}))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }));
}

/** A tensor's values as nested lists, for NumPy. */
function nested(data: ArrayLike<number>, shape: number[]): unknown {
  if (shape.length === 0) return data[0];
  const [first, ...rest] = shape;
  const step = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: first! }, (_, i) => nested(Array.from(data).slice(i * step, (i + 1) * step), rest));
}

const x = tensor(
  Float32Array.from({ length: 24 }, (_, i) => ((i * 7) % 11) - 5),
  [4, 3, 2],
);
const xs = nested(x.data, x.shape);

describe('tensor helpers (NumPy semantics)', () => {
  test('sliceRows matches x[a:b], with negative and clamped bounds', () => {
    for (const [a, b, expr] of [
      [1, 3, 'x[1:3]'],
      [-2, undefined, 'x[-2:]'],
      [0, 10, 'x[0:10]'],
      [3, 1, 'x[3:1]'],
    ] as const) {
      const got = sliceRows(x, a, b);
      const want = numpy(expr, xs);
      assert.deepEqual(got.shape, want.shape, expr);
      assert.deepEqual(Array.from(got.data), want.values, expr);
    }
    const bytes = sliceRows(tensor(Uint8Array.of(1, 2, 3, 4), [4]), 1, 3);
    assert.ok(bytes.data instanceof Uint8Array);
    assert.deepEqual(Array.from(bytes.data), [2, 3]);
  });

  test('take matches np.take(x, indices, axis=0); an index out of range is named', () => {
    const got = take(x, [3, 0, -1, 0]);
    const want = numpy('np.take(x, [3, 0, -1, 0], axis=0)', xs);
    assert.deepEqual(got.shape, want.shape);
    assert.deepEqual(Array.from(got.data), want.values);
    assert.ok(take(tensor(Int32Array.of(5, 6, 7), [3]), [2]).data instanceof Int32Array);
    assert.throws(
      () => take(x, [0, 4]),
      (e: unknown) => e instanceof ValueError && /take: invalid 'indices\[1\]'\. Expected an index in \[-4, 3\]/.test(e.message),
    );
  });

  test('reshape matches np.reshape with -1, shares the data, and names a bad shape', () => {
    const got = reshape(x, [-1, 6]);
    const want = numpy('x.reshape(-1, 6)', xs);
    assert.deepEqual(got.shape, want.shape);
    assert.deepEqual(Array.from(got.data), want.values);
    assert.equal(got.data, x.data);
    assert.throws(
      () => reshape(x, [5, -1]),
      (e: unknown) => e instanceof ShapeError && /reshape: invalid 'shape'/.test(e.message),
    );
    assert.throws(() => reshape(x, [-1, -1]), ConfigError);
    assert.throws(() => reshape(x, [2, 3]), ShapeError);
  });

  test('argMax matches np.argmax(x, axis=-1): first of ties, NaN wins, Int32Array result', () => {
    const got = argMax(x);
    const want = numpy('np.argmax(x, axis=-1)', xs);
    assert.deepEqual(got.shape, want.shape);
    assert.deepEqual(Array.from(got.data), want.values);
    assert.ok(got.data instanceof Int32Array);
    const ties = tensor([1, 3, 3, Number.NaN, 0, 5, 2, 2, 2], [3, 3]);
    // JSON writes NaN as null, which NumPy reads back as nan in a float64 array.
    const wantTies = numpy('np.argmax(x, axis=-1)', nested(ties.data, ties.shape));
    assert.deepEqual(Array.from(argMax(ties).data), wantTies.values);
    assert.deepEqual(wantTies.values, [1, 0, 0]);
  });

  test('oneHot matches keras.utils.to_categorical (np.eye(n)[labels]) for any integer array', () => {
    const labels = tensor(Uint8Array.of(2, 0, 1, 2), [4]);
    const got = oneHot(labels, 3);
    const want = numpy('np.eye(3)[x.astype(int)]', [2, 0, 1, 2]);
    assert.deepEqual(got.shape, want.shape);
    assert.deepEqual(Array.from(got.data), want.values);
    assert.deepEqual(oneHot(Int32Array.of(1, 3)).shape, [2, 4]);
    assert.deepEqual(oneHot(tensor(Float32Array.of(0, 1, 1, 0), [2, 2]), 2).shape, [2, 2, 2]);
    assert.throws(
      () => oneHot(Uint8Array.of(0, 5), 3),
      (e: unknown) =>
        e instanceof ValueError && /oneHot: invalid 'labels\[1\]'\. Expected an integer in \[0, 2\], received 5/.test(e.message),
    );
  });

  test('concatenate matches np.concatenate on axis 0, 1 and -1; mismatches are named', () => {
    const y = tensor(
      Float32Array.from({ length: 12 }, (_, i) => i * 0.5),
      [2, 3, 2],
    );
    const ys = nested(y.data, y.shape);
    const rows = concatenate([x, y]);
    let want = numpy('np.concatenate([x, y])', xs, ys);
    assert.deepEqual(rows.shape, want.shape);
    assert.deepEqual(Array.from(rows.data), want.values);
    const z = tensor(
      Float32Array.from({ length: 8 }, (_, i) => -i - 1),
      [4, 1, 2],
    );
    const middle = concatenate([x, z], 1);
    want = numpy('np.concatenate([x, y], axis=1)', xs, nested(z.data, z.shape));
    assert.deepEqual(middle.shape, want.shape);
    assert.deepEqual(Array.from(middle.data), want.values);
    const last = concatenate([x, x], -1);
    want = numpy('np.concatenate([x, x], axis=-1)', xs);
    assert.deepEqual(last.shape, want.shape);
    assert.deepEqual(Array.from(last.data), want.values);
    assert.throws(
      () => concatenate([x, y], 1),
      (e: unknown) => e instanceof ShapeError && /concatenate: invalid 'tensors\[1\]'/.test(e.message),
    );
    assert.throws(() => concatenate([x, tensor(new Uint8Array(6), [1, 3, 2]) as never]), ShapeError);
  });

  test('tensor() keeps a typed array and its shape', () => {
    const bytes = tensor(new Uint8Array(6), [2, 3]);
    assert.ok(bytes.data instanceof Uint8Array);
    assert.deepEqual(bytes.shape, [2, 3]);
    assert.throws(() => tensor([1, 2, 3], [2, 2]), ShapeError);
  });
});
