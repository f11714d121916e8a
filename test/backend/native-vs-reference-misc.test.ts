// The native backend against the reference, part 2: activations, losses, randomness (bit-exact uniform and
// dropout), element-wise kernels and reductions, optimizers, image ops, threads and error paths.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ActivationAttrs, Conv2dAttrs, LossAttrs } from '../../src/backend/backend.js';
import { reference } from '../helpers/backends.js';
import { both, expectClose, native, rand, skip } from '../helpers/native-compare.js';

describe('native vs reference: activations, losses, random, element-wise, optimizers, images', { skip }, () => {
  const acts: ActivationAttrs[] = [
    { kind: 'linear' },
    { kind: 'relu' },
    { kind: 'relu', alpha: 0.1, maxValue: 1.5, threshold: 0.2 },
    { kind: 'relu', maxValue: 6 },
    { kind: 'relu', maxValue: 1.1 },
    { kind: 'relu6' },
    { kind: 'leakyRelu' },
    { kind: 'leakyRelu', alpha: 0.2 },
    { kind: 'elu' },
    { kind: 'elu', alpha: 0.5 },
    { kind: 'sigmoid' },
    { kind: 'hardSigmoid' },
    { kind: 'tanh' },
    { kind: 'softmax', axisSize: 7 },
    { kind: 'swish' },
    { kind: 'gelu' },
    { kind: 'gelu', approximate: true },
    { kind: 'softplus' },
  ];
  for (const a of acts) {
    test(`activation ${JSON.stringify(a)} forward, backward`, () => {
      const x = rand(3 * 7 * 11, 41, -8, 8);
      const y = new Float32Array(x.length);
      reference.activationForward(y, x, a);
      both('act fwd', [new Float32Array(x.length), x], (b, [out, xx]) => b.activationForward(out!, xx!, a), 1e-6, 1e-5);
      both(
        'act bwd',
        [new Float32Array(x.length), rand(x.length, 42), x, y],
        (b, [dx, dy, xx, yy]) => b.activationBackward(dx!, dy!, xx!, yy!, a),
        1e-6,
        1e-5,
      );
    });
  }

  test('clipped relu (ReLU6 and relu maxValue) at the kinks, infinities and NaN', () => {
    const x = Float32Array.from([
      -1,
      -0,
      0,
      1e-30,
      3,
      6,
      6.000001,
      7,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    for (const a of [{ kind: 'relu6' }, { kind: 'relu', maxValue: 6 }, { kind: 'relu', maxValue: 2.5 }] as ActivationAttrs[]) {
      const y = new Float32Array(x.length);
      reference.activationForward(y, x, a);
      both('clipped fwd', [new Float32Array(x.length), x], (b, [out, xx]) => b.activationForward(out!, xx!, a), 0, 0);
      const dy = Float32Array.from(x, (_, i) => i + 1);
      both(
        'clipped bwd',
        [new Float32Array(x.length), dy, x, y],
        (b, [dx, d, xx, yy]) => b.activationBackward(dx!, d!, xx!, yy!, a),
        0,
        0,
      );
    }
  });

  const K = 7;
  const N = 9;
  for (const kind of [
    'categoricalCrossentropy',
    'sparseCategoricalCrossentropy',
    'binaryCrossentropy',
    'meanSquaredError',
  ] as const) {
    for (const fromLogits of [true, false]) {
      for (const labelSmoothing of [0, 0.1]) {
        test(`loss ${kind} fromLogits=${fromLogits} labelSmoothing=${labelSmoothing}`, () => {
          const sparse = kind === 'sparseCategoricalCrossentropy';
          const target = sparse ? Float32Array.from({ length: N }, (_, i) => (i * 3) % K) : rand(N * K, 43, 0, 1);
          if (kind === 'categoricalCrossentropy') for (let i = 0; i < N * K; i++) target[i] = i % K === (i * 5) % 3 ? 1 : 0;
          const input = fromLogits || kind === 'meanSquaredError' ? rand(N * K, 44, -4, 4) : rand(N * K, 45, 0.01, 1);
          const a: LossAttrs = { kind, batch: N, classes: K, fromLogits, labelSmoothing, sampleWeight: rand(N, 46, 0, 2) };
          both(
            'loss',
            [new Float32Array(N), new Float32Array(N * K), input, target],
            (b, [l, d, inp, t]) => b.lossForward(l!, d!, inp!, t!, a),
            1e-5,
            1e-4,
          );
          const { sampleWeight: _, ...unweighted } = a;
          both(
            'loss unweighted',
            [new Float32Array(N), input, target],
            (b, [l, inp, t]) => b.lossForward(l!, null, inp!, t!, unweighted),
            1e-5,
            1e-4,
          );
        });
      }
    }
  }
  test('loss sparse label out of range raises ValueError on native', () => {
    const a: LossAttrs = { kind: 'sparseCategoricalCrossentropy', batch: 2, classes: 3, fromLogits: true, labelSmoothing: 0 };
    assert.throws(
      () => native.lossForward(new Float32Array(2), null, rand(6, 47), Float32Array.from([1, 3]), a),
      (e: Error) => e.name === 'ValueError',
    );
  });

  test('random uniform and dropout match bit for bit; normals within tolerance', () => {
    for (const [seed, offset] of [
      [0, 0],
      [42, 1000],
      [4294967295, 7],
    ] as const) {
      both(
        'uniform',
        [new Float32Array(1001)],
        (b, [o]) => b.random(o!, { seed, offset, distribution: 'uniform', low: -2, high: 3 }),
        0,
        0,
      );
      both(
        'normal',
        [new Float32Array(1001)],
        (b, [o]) => b.random(o!, { seed, offset, distribution: 'normal', mean: 1, stddev: 2 }),
        1e-6,
        1e-6,
      );
      both(
        'truncated',
        [new Float32Array(1001)],
        (b, [o]) => b.random(o!, { seed, offset, distribution: 'truncatedNormal' }),
        1e-6,
        1e-6,
      );
      both(
        'dropout',
        [new Float32Array(600), new Float32Array(600), rand(600, 48)],
        (b, [y, m, x]) => b.dropoutForward(y!, m!, x!, { rate: 0.3, seed, offset }),
        0,
        0,
      );
      const spatial = { batch: 2, spatialSize: 30, channels: 10 };
      both(
        'spatial dropout',
        [new Float32Array(600), new Float32Array(600), rand(600, 49)],
        (b, [y, m, x]) => b.dropoutForward(y!, m!, x!, { rate: 0.5, seed, offset, spatial }),
        0,
        0,
      );
    }
  });

  test('element-wise kernels and reductions', () => {
    const a = rand(1000, 50, -3, 3);
    const c = rand(1000, 51, -3, 3);
    both('axpby', [new Float32Array(1000), a, c], (b, [o, x, y]) => b.axpby(o!, x!, y!, 0.7, -1.3));
    both('axpby aliased', [a, c], (b, [x, y]) => b.axpby(x!, x!, y!, 2, 0.5));
    both('multiply', [new Float32Array(1000), a, c], (b, [o, x, y]) => b.multiply(o!, x!, y!));
    both('scale', [a], (b, [x]) => b.scale(x!, x!, -0.25));
    both('clip', [new Float32Array(1000), a], (b, [o, x]) => b.clip(o!, x!, -1, 0.5));
    both('sumRows', [new Float32Array(40), a], (b, [o, x]) => b.sumRows(o!, x!, 25, 40));
    expectClose('sumSquares', [native.sumSquares(a)], [reference.sumSquares(a)], 1e-9, 1e-12);
    const am = [new Int32Array(25), new Int32Array(25)];
    const ties = Float32Array.from(a, (v) => Math.round(v));
    native.argmaxRows(am[0]!, ties, 25, 40);
    reference.argmaxRows(am[1]!, ties, 25, 40);
    expectClose('argmaxRows', am[0]!, am[1]!, 0, 0);
  });

  test('optimizers over 3 steps (SGD momentum/nesterov/decay, Adam/AdamW, RMSprop centered/momentum)', () => {
    const g = rand(300, 52);
    for (const [momentum, nesterov, weightDecay] of [
      [0, false, 0],
      [0.9, false, 0],
      [0.9, true, 0.01],
    ] as const) {
      both(
        'sgd',
        [rand(300, 53), new Float32Array(300)],
        (b, [p, v]) => {
          for (let s = 0; s < 3; s++) b.sgdUpdate(p!, g, v!, { learningRate: 0.1, momentum, nesterov, weightDecay });
        },
        1e-6,
        1e-5,
      );
    }
    for (const weightDecay of [0, 0.004]) {
      both(
        'adam',
        [rand(300, 54), new Float32Array(300), new Float32Array(300)],
        (b, [p, m, v]) => {
          for (let step = 1; step <= 3; step++)
            b.adamUpdate(p!, g, m!, v!, { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step, weightDecay });
        },
        1e-6,
        1e-5,
      );
    }
    for (const [centered, momentum] of [
      [false, 0],
      [true, 0.9],
    ] as const) {
      both(
        'rmsprop',
        [rand(300, 55), new Float32Array(300), new Float32Array(300), new Float32Array(300)],
        (b, [p, ms, mg, mb]) => {
          for (let s = 0; s < 3; s++)
            b.rmspropUpdate(p!, g, ms!, mg!, mb!, {
              learningRate: 0.01,
              rho: 0.9,
              momentum,
              epsilon: 1e-7,
              centered,
              weightDecay: 0,
            });
        },
        1e-6,
        1e-5,
      );
    }
  });

  for (const method of ['bilinear', 'nearest', 'area'] as const) {
    for (const [oh, ow] of [
      [13, 11],
      [4, 5],
      [7, 6],
    ] as const) {
      test(`resize ${method} [2,7,6,3] -> ${oh}x${ow}`, () => {
        const a = { batch: 2, inHeight: 7, inWidth: 6, channels: 3, outHeight: oh, outWidth: ow, method };
        both('resize', [new Float32Array(2 * oh * ow * 3), rand(252, 56)], (b, [y, x]) => b.resizeImages(y!, x!, a), 1e-5, 1e-5);
      });
    }
  }
  for (const fillMode of ['constant', 'nearest', 'reflect', 'wrap'] as const) {
    for (const interpolation of ['nearest', 'bilinear'] as const) {
      test(`affine ${fillMode} ${interpolation}`, () => {
        const transforms = Float32Array.from([0.9, -0.3, 2.5, 0.35, 1.1, -1.7, 0.01, -0.02, 1.2, 0, -3.1, 0, 1.2, 4.4, 0, 0]);
        const a = { batch: 2, height: 9, width: 8, channels: 2, transforms, interpolation, fillMode, fillValue: 0.5 };
        both('affine', [new Float32Array(288), rand(288, 57)], (b, [y, x]) => b.affineTransform(y!, x!, a), 1e-5, 1e-5);
      });
    }
  }

  test('threads: 1 and 2 threads give the same conv result; getThreads reflects setThreads', () => {
    const before = native.getThreads();
    const attrs: Conv2dAttrs = {
      batch: 4,
      inHeight: 13,
      inWidth: 13,
      inChannels: 8,
      outChannels: 16,
      kernelHeight: 3,
      kernelWidth: 3,
      strides: [1, 1],
      dilations: [1, 1],
      padding: 'same',
      groups: 1,
      activation: 'relu',
    };
    const x = rand(4 * 169 * 8, 58);
    const k = rand(9 * 8 * 16, 59);
    const out = [1, 2].map((t) => {
      native.setThreads(t);
      assert.equal(native.getThreads(), t);
      const y = new Float32Array(4 * 169 * 16);
      native.conv2dForward(y, x, k, null, attrs);
      return y;
    });
    native.setThreads(before);
    expectClose('threads', out[0]!, out[1]!, 1e-5, 1e-5);
  });

  test('threads: Winograd backward weights split over the batch (odd batch) matches 1 thread', () => {
    const before = native.getThreads();
    const attrs: Conv2dAttrs = {
      batch: 5,
      inHeight: 9,
      inWidth: 9,
      inChannels: 16,
      outChannels: 32,
      kernelHeight: 3,
      kernelWidth: 3,
      strides: [1, 1],
      dilations: [1, 1],
      padding: 'valid',
      groups: 1,
      activation: 'linear',
    };
    const x = rand(5 * 81 * 16, 60);
    const dy = rand(5 * 49 * 32, 61);
    const out = [1, 2, 3].map((t) => {
      native.setThreads(t);
      const dw = new Float32Array(9 * 16 * 32);
      const db = new Float32Array(32);
      native.conv2dBackwardWeights(dw, db, x, dy, attrs);
      return [dw, db] as const;
    });
    native.setThreads(before);
    for (const t of [1, 2]) {
      expectClose(`dw ${t + 1} threads`, out[0]![0], out[t]![0], 1e-3, 1e-4);
      expectClose(`db ${t + 1} threads`, out[0]![1], out[t]![1], 1e-4, 1e-4);
    }
  });

  test('errors: Float64Array and wrong lengths are rejected with clear messages', () => {
    assert.throws(() => native.scale(new Float64Array(3), new Float64Array(3), 2), /Float32Array/);
    const a = { batch: 1, inUnits: 3, outUnits: 2, activation: 'linear' as const };
    assert.throws(
      () => native.denseForward(new Float32Array(2), new Float32Array(4), new Float32Array(6), null, a),
      (e: Error) => e.name === 'ShapeError',
    );
  });
});
