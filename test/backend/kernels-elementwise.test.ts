// Hand-computed small cases for the element-wise, row-reduction and thread-count kernels, run on every backend.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { allBackends } from '../helpers/backends.js';
import { close, f32 } from '../helpers/close.js';
import { atThreads } from '../helpers/native-compare.js';

function runElementwiseCases(b: Backend): void {
  test('axpby, multiply, scale, clip with aliasing', () => {
    const a = f32([1, 2, 3]);
    b.axpby(a, a, f32([1, 1, 1]), 2, -1);
    close(a, [1, 3, 5]);
    const out = new Float32Array(3);
    b.multiply(out, a, f32([2, 0, -1]));
    close(out, [2, 0, -5]);
    b.scale(out, out, 0.5);
    close(out, [1, 0, -2.5]);
    b.clip(out, f32([-3, 0.5, 9]), -1, 1);
    close(out, [-1, 0.5, 1]);
  });
  test('sumRows, sumSquares, argmaxRows rows=2 cols=3', () => {
    const out = new Float32Array(3);
    b.sumRows(out, f32([1, 2, 3, 4, 5, 6]), 2, 3);
    close(out, [5, 7, 9]);
    assert.equal(b.sumSquares(f32([1, 2, 3])), 14);
    const idx = new Int32Array(2);
    b.argmaxRows(idx, f32([1, 5, 5, -1, -2, -0.5]), 2, 3);
    assert.deepEqual(Array.from(idx), [1, 2]);
  });
  test(`setThreads / getThreads (${b.name === 'native' ? 'the count set' : 'reference: always 1 thread'})`, () => {
    atThreads(b, [1, 3, 2], (t) => {
      assert.equal(b.getThreads(), b.name === 'native' ? t : 1);
    });
  });
}

for (const backend of allBackends) {
  describe(`elementwise kernels on ${backend.name}`, () => {
    runElementwiseCases(backend);
  });
}
