// Hand-computed small cases for the random, dropout, resize and affine-transform kernels, run on every backend.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { normalAt, streamKey, truncatedNormalAt, uniformAt } from '../../src/backend/random.js';
import { allBackends } from '../helpers/backends.js';
import { close, f32, range } from '../helpers/close.js';

function runRandomCases(b: Backend): void {
  test('random uniform seed=7 offset=3 [-2, 2)', () => {
    const out = new Float32Array(50);
    b.random(out, { seed: 7, offset: 3, distribution: 'uniform', low: -2, high: 2 });
    const key = streamKey(7);
    close(
      out,
      Array.from(out, (_, i) => -2 + 4 * uniformAt(key, 3 + i)),
      1e-6,
    );
    const tail = new Float32Array(10);
    b.random(tail, { seed: 7, offset: 43, distribution: 'uniform', low: -2, high: 2 });
    close(tail, out.subarray(40), 0);
  });
  test('random normal and truncatedNormal seed=5 mean=1 stddev=2', () => {
    const out = new Float32Array(40);
    b.random(out, { seed: 5, offset: 0, distribution: 'normal', mean: 1, stddev: 2 });
    close(
      out,
      Array.from(out, (_, i) => normalAt(streamKey(5), i) * 2 + 1),
      1e-6,
    );
    b.random(out, { seed: 5, offset: 2, distribution: 'truncatedNormal', mean: 1, stddev: 2 });
    close(
      out,
      Array.from(out, (_, i) => truncatedNormalAt(5, 2 + i) * 2 + 1),
      1e-6,
    );
    assert.ok(out.every((v) => Math.abs(v - 1) <= 4 + 1e-6));
  });
  test('dropout rate=0.5 seed=3 offset=10', () => {
    const x = f32(range(20));
    const y = new Float32Array(20);
    const mask = new Float32Array(20);
    b.dropoutForward(y, mask, x, { rate: 0.5, seed: 3, offset: 10 });
    const expected = Array.from(mask, (_, i) => (uniformAt(streamKey(3), 10 + i) >= 0.5 ? 2 : 0));
    close(mask, expected, 0);
    close(
      y,
      expected.map((m, i) => m * x[i]!),
      0,
    );
  });
  test('dropout spatial x=[2,3,1,2] rate=0.4', () => {
    const x = f32(range(12));
    const y = new Float32Array(12);
    const mask = new Float32Array(12);
    b.dropoutForward(y, mask, x, { rate: 0.4, seed: 9, offset: 4, spatial: { batch: 2, spatialSize: 3, channels: 2 } });
    for (let i = 0; i < 12; i++) {
      const n = Math.floor(i / 6);
      const c = i % 2;
      const keep = uniformAt(streamKey(9), 4 + n * 2 + c) >= 0.4;
      close([mask[i]!], [keep ? 1 / 0.6 : 0], 1e-6, `mask ${i}`);
    }
  });
}

function runImageCases(b: Backend): void {
  const resize = (
    method: 'bilinear' | 'nearest' | 'area',
    x: number[],
    h: number,
    w: number,
    oh: number,
    ow: number,
  ): Float32Array => {
    const y = new Float32Array(oh * ow);
    b.resizeImages(y, f32(x), { batch: 1, inHeight: h, inWidth: w, channels: 1, outHeight: oh, outWidth: ow, method });
    return y;
  };
  test('resize bilinear [1,2,2,1] -> 4x4', () => {
    close(
      resize('bilinear', [1, 2, 3, 4], 2, 2, 4, 4),
      [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4],
    );
  });
  test('resize nearest [1,2,2,1] -> 4x4 and [1,1,4,1] -> 1x2', () => {
    close(resize('nearest', [1, 2, 3, 4], 2, 2, 4, 4), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    close(resize('nearest', [1, 2, 3, 4], 1, 4, 1, 2), [2, 4]);
  });
  test('resize area [1,1,3,1] -> 1x2 and [1,4,4,1] -> 2x2', () => {
    close(resize('area', [1, 2, 3], 1, 3, 1, 2), [4 / 3, 8 / 3]);
    close(resize('area', range(16), 4, 4, 2, 2), [3.5, 5.5, 11.5, 13.5]);
  });
  const affine = (
    x: number[],
    h: number,
    w: number,
    t: number[],
    interpolation: 'nearest' | 'bilinear',
    fillMode: 'constant' | 'nearest' | 'reflect' | 'wrap',
    fillValue = 0,
  ): Float32Array => {
    const y = new Float32Array(x.length);
    b.affineTransform(y, f32(x), {
      batch: 1,
      height: h,
      width: w,
      channels: 1,
      transforms: f32(t),
      interpolation,
      fillMode,
      fillValue,
    });
    return y;
  };
  const shift = (dx: number, dy = 0): number[] => [1, 0, dx, 0, 1, dy, 0, 0];
  test('affine identity [1,2,2,1]', () => {
    close(affine([1, 2, 3, 4], 2, 2, shift(0), 'bilinear', 'constant'), [1, 2, 3, 4]);
  });
  test('affine shift x+2 [1,1,4,1] every fill mode', () => {
    const x = [1, 2, 3, 4];
    close(affine(x, 1, 4, shift(2), 'nearest', 'constant', -1), [3, 4, -1, -1]);
    close(affine(x, 1, 4, shift(2), 'nearest', 'nearest'), [3, 4, 4, 4]);
    close(affine(x, 1, 4, shift(2), 'nearest', 'reflect'), [3, 4, 4, 3]);
    close(affine(x, 1, 4, shift(2), 'nearest', 'wrap'), [3, 4, 1, 2]);
  });
  test('affine shift x-1 [1,1,4,1] reflect and wrap', () => {
    close(affine([1, 2, 3, 4], 1, 4, shift(-1), 'nearest', 'reflect'), [1, 1, 2, 3]);
    close(affine([1, 2, 3, 4], 1, 4, shift(-1), 'nearest', 'wrap'), [4, 1, 2, 3]);
  });
  test('affine shift x+0.5 [1,1,4,1] bilinear and nearest constant', () => {
    close(affine([1, 2, 3, 4], 1, 4, shift(0.5), 'bilinear', 'constant'), [1.5, 2.5, 3.5, 2]);
    close(affine([1, 2, 3, 4], 1, 4, shift(0.5), 'nearest', 'constant'), [2, 3, 4, 0]);
  });
  test('affine shift y+1 [1,2,2,1] constant', () => {
    close(affine([1, 2, 3, 4], 2, 2, shift(0, 1), 'bilinear', 'constant', 9), [3, 4, 9, 9]);
  });
}

for (const backend of allBackends) {
  describe(`random/image kernels on ${backend.name}`, () => {
    runRandomCases(backend);
    runImageCases(backend);
  });
}
