// The native backend against the reference on random inputs over many shapes: convolution, pooling, dense and
// batch norm, forward and backward, within atol/rtol; a failure prints the largest difference and the first mismatches. Skipped as a
// whole (with the reason) when the native addon is not built.

import { describe, test } from 'node:test';
import type { Conv2dAttrs, Padding2d, Pool2dAttrs } from '../../src/backend/backend.js';
import { conv2dGeometry, pool2dGeometry } from '../../src/backend/shapes.js';
import { reference } from '../helpers/backends.js';
import { both, expectClose, native, rand, skip } from '../helpers/native-compare.js';

interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  s?: [number, number];
  d?: [number, number];
  padding: 'valid' | 'same' | Padding2d;
  groups?: number;
}
const convCases: ConvCase[] = [
  { x: [2, 7, 7, 3], k: [3, 3], co: 4, padding: 'same' },
  { x: [1, 9, 8, 1], k: [3, 3], co: 5, s: [2, 2], padding: 'same' },
  { x: [2, 10, 9, 2], k: [3, 3], co: 3, d: [2, 2], padding: 'valid' },
  { x: [2, 8, 8, 4], k: [3, 3], co: 8, groups: 4, padding: 'same' },
  { x: [3, 9, 7, 4], k: [3, 3], co: 6, groups: 2, s: [2, 2], padding: 'valid' },
  { x: [2, 6, 7, 3], k: [2, 3], co: 4, s: [2, 1], padding: { top: 1, bottom: 2, left: 0, right: 1 } },
  { x: [2, 11, 11, 3], k: [3, 3], co: 3, groups: 3, s: [2, 2], padding: 'same' },
  { x: [1, 5, 5, 3], k: [5, 5], co: 2, d: [1, 1], s: [1, 1], padding: 'same' },
  { x: [4, 13, 13, 32], k: [3, 3], co: 64, padding: 'valid' },
  { x: [3, 10, 9, 16], k: [3, 3], co: 32, padding: 'same' },
  { x: [5, 12, 12, 32], k: [3, 3], co: 16, padding: 'valid' },
  { x: [3, 28, 28, 1], k: [3, 3], co: 32, padding: 'valid' },
];

describe('native vs reference: conv, pool, dense, batch norm', { skip }, () => {
  for (const c of convCases) {
    const [n, h, w, ci] = c.x;
    const groups = c.groups ?? 1;
    const attrs: Conv2dAttrs = {
      batch: n,
      inHeight: h,
      inWidth: w,
      inChannels: ci,
      outChannels: c.co,
      kernelHeight: c.k[0],
      kernelWidth: c.k[1],
      strides: c.s ?? [1, 1],
      dilations: c.d ?? [1, 1],
      padding: c.padding,
      groups,
      activation: 'linear',
    };
    const g = conv2dGeometry(attrs);
    const xLen = n * h * w * ci;
    const yLen = n * g.outHeight * g.outWidth * c.co;
    const wLen = c.k[0] * c.k[1] * (ci / groups) * c.co;
    const name = `conv2d x=[${c.x}] k=${c.k.join('x')} co=${c.co} s=${attrs.strides} d=${attrs.dilations} ${JSON.stringify(c.padding)} g=${groups}`;
    const tol = [1e-4, 1e-4] as const;
    test(`${name} forward (bias+relu, no bias)`, () => {
      both(
        name,
        [new Float32Array(yLen), rand(xLen, 1), rand(wLen, 2), rand(c.co, 3)],
        (b, [y, x, k, bias]) => b.conv2dForward(y!, x!, k!, bias!, { ...attrs, activation: 'relu' }),
        ...tol,
      );
      both(
        name,
        [new Float32Array(yLen), rand(xLen, 4), rand(wLen, 5)],
        (b, [y, x, k]) => b.conv2dForward(y!, x!, k!, null, attrs),
        ...tol,
      );
    });
    test(`${name} backward data`, () => {
      both(
        name,
        [new Float32Array(xLen), rand(yLen, 6), rand(wLen, 7)],
        (b, [dx, dy, k]) => b.conv2dBackwardData(dx!, dy!, k!, attrs),
        ...tol,
      );
    });
    test(`${name} backward weights (+bias, no bias)`, () => {
      both(
        name,
        [new Float32Array(wLen), new Float32Array(c.co), rand(xLen, 8), rand(yLen, 9)],
        (b, [dw, db, x, dy]) => b.conv2dBackwardWeights(dw!, db!, x!, dy!, attrs),
        1e-3,
        1e-4,
      );
      both(
        name,
        [new Float32Array(wLen), rand(xLen, 10), rand(yLen, 11)],
        (b, [dw, x, dy]) => b.conv2dBackwardWeights(dw!, null, x!, dy!, attrs),
        1e-3,
        1e-4,
      );
    });
  }

  const poolCases: Pool2dAttrs[] = [
    { batch: 2, inHeight: 7, inWidth: 9, channels: 3, poolSize: [2, 2], strides: [2, 2], padding: 'valid' },
    { batch: 1, inHeight: 7, inWidth: 9, channels: 5, poolSize: [2, 2], strides: [2, 2], padding: 'same' },
    { batch: 2, inHeight: 8, inWidth: 7, channels: 17, poolSize: [3, 3], strides: [2, 2], padding: 'same' },
    { batch: 2, inHeight: 6, inWidth: 6, channels: 2, poolSize: [2, 3], strides: [1, 1], padding: 'valid' },
    { batch: 3, inHeight: 26, inWidth: 26, channels: 32, poolSize: [2, 2], strides: [2, 2], padding: 'valid' },
  ];
  for (const p of poolCases) {
    const g = pool2dGeometry(p);
    const xLen = p.batch * p.inHeight * p.inWidth * p.channels;
    const yLen = p.batch * g.outHeight * g.outWidth * p.channels;
    const name = `pool x=[${p.batch},${p.inHeight},${p.inWidth},${p.channels}] pool=${p.poolSize} s=${p.strides} ${p.padding}`;
    test(`max ${name} forward, argmax, backward`, () => {
      const x = rand(xLen, 12);
      const am = [new Int32Array(yLen), new Int32Array(yLen)] as const;
      const ys = [new Float32Array(yLen), new Float32Array(yLen)];
      native.maxPool2dForward(ys[0]!, am[0], x, p);
      reference.maxPool2dForward(ys[1]!, am[1], x, p);
      expectClose(`${name} y`, ys[0]!, ys[1]!, 0, 0);
      expectClose(`${name} argmax`, am[0], am[1], 0, 0);
      const dy = rand(yLen, 13);
      both(name, [new Float32Array(xLen).fill(7)], (b, [dx]) => b.maxPool2dBackward(dx!, dy, am[0], p));
    });
    test(`avg ${name} forward, backward`, () => {
      both(name, [new Float32Array(yLen), rand(xLen, 14)], (b, [y, x]) => b.avgPool2dForward(y!, x!, p));
      both(name, [new Float32Array(xLen).fill(3), rand(yLen, 15)], (b, [dx, dy]) => b.avgPool2dBackward(dx!, dy!, p));
    });
  }
  for (const mode of ['max', 'avg'] as const) {
    test(`global ${mode} pool x=[3,5,7,6] forward, backward`, () => {
      const a = { batch: 3, inHeight: 5, inWidth: 7, channels: 6, mode };
      both('global', [new Float32Array(18), rand(630, 16)], (b, [y, x]) => b.globalPool2dForward(y!, x!, a));
      both('global', [new Float32Array(630), rand(18, 17), rand(630, 18)], (b, [dx, dy, x]) =>
        b.globalPool2dBackward(dx!, dy!, x!, a),
      );
    });
  }

  for (const [n, i, o] of [
    [1, 7, 3],
    [5, 33, 17],
    [64, 1600, 128],
    [64, 128, 10],
  ] as const) {
    test(`dense x=[${n},${i}] out=${o} forward, backward data, backward weights`, () => {
      const a = { batch: n, inUnits: i, outUnits: o, activation: 'relu' as const };
      both(
        'dense fwd',
        [new Float32Array(n * o), rand(n * i, 19), rand(i * o, 20), rand(o, 21)],
        (b, [y, x, k, bias]) => b.denseForward(y!, x!, k!, bias!, a),
        1e-4,
        1e-4,
      );
      both(
        'dense fwd nobias',
        [new Float32Array(n * o), rand(n * i, 22), rand(i * o, 23)],
        (b, [y, x, k]) => b.denseForward(y!, x!, k!, null, { ...a, activation: 'linear' }),
        1e-4,
        1e-4,
      );
      both(
        'dense bwd data',
        [new Float32Array(n * i), rand(n * o, 24), rand(i * o, 25)],
        (b, [dx, dy, k]) => b.denseBackwardData(dx!, dy!, k!, a),
        1e-4,
        1e-4,
      );
      both(
        'dense bwd weights',
        [new Float32Array(i * o), new Float32Array(o), rand(n * i, 26), rand(n * o, 27)],
        (b, [dw, db, x, dy]) => b.denseBackwardWeights(dw!, db!, x!, dy!, a),
        1e-4,
        1e-4,
      );
    });
  }

  for (const [count, c] of [
    [1, 3],
    [37, 5],
    [512, 16],
  ] as const) {
    test(`batch norm count=${count} C=${c} training/inference forward and backward`, () => {
      const a = { count, channels: c, epsilon: 1e-3, momentum: 0.99 };
      const len = count * c;
      const x = rand(len, 28, -2, 3);
      if (count > 1) {
        both(
          'bn train',
          [
            new Float32Array(len),
            new Float32Array(c),
            new Float32Array(c),
            x,
            rand(c, 29),
            rand(c, 30),
            rand(c, 31),
            rand(c, 32, 0.5, 2),
          ],
          (b, [y, m, s, xx, gm, bt, mm, mv]) => b.batchNormForwardTraining(y!, m!, s!, xx!, gm!, bt!, mm!, mv!, a),
          1e-4,
          1e-4,
        );
      }
      both(
        'bn infer',
        [new Float32Array(len), x, rand(c, 33), rand(c, 34), rand(c, 35), rand(c, 36, 0.5, 2)],
        (b, [y, xx, gm, bt, mm, mv]) => b.batchNormForwardInference(y!, xx!, gm!, bt!, mm!, mv!, a),
        1e-5,
        1e-4,
      );
      for (const training of [true, false]) {
        both(
          `bn backward training=${training}`,
          [
            new Float32Array(len),
            new Float32Array(c),
            new Float32Array(c),
            rand(len, 37),
            x,
            rand(c, 38),
            rand(c, 39),
            rand(c, 40, 0.5, 2),
          ],
          (b, [dx, dg, dbt, dy, xx, gm, m, s]) => b.batchNormBackward(dx!, dg!, dbt!, dy!, xx!, gm!, m!, s!, { ...a, training }),
          1e-4,
          1e-4,
        );
      }
    });
  }
});
