// Bad arguments on every backend: each kernel names the argument, says what it expected and what it received,
// with ShapeError for buffers, ConfigError for attrs and ValueError for sparse labels.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend, Conv2dAttrs, Pool2dAttrs } from '../../src/backend/backend.js';
import { ConfigError, ShapeError, ValueError } from '../../src/errors.js';
import { allBackends } from '../helpers/backends.js';

type ErrorClass = typeof ShapeError | typeof ConfigError | typeof ValueError;

function rejects(run: () => void, type: ErrorClass, where: string, arg: string, extra?: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    assert.ok(e.message.startsWith(`${where}: invalid '${arg}'.`), e.message);
    assert.match(e.message, /Expected/);
    assert.match(e.message, /received/);
    if (extra) assert.match(e.message, extra);
    return true;
  });
}

function conv(over: Partial<Conv2dAttrs> = {}): Conv2dAttrs {
  return {
    batch: 2,
    inHeight: 28,
    inWidth: 28,
    inChannels: 1,
    outChannels: 4,
    kernelHeight: 3,
    kernelWidth: 3,
    strides: [1, 1],
    dilations: [1, 1],
    padding: 'valid',
    groups: 1,
    activation: 'linear',
    ...over,
  };
}

const pool: Pool2dAttrs = { batch: 1, inHeight: 4, inWidth: 4, channels: 2, poolSize: [2, 2], strides: [2, 2], padding: 'valid' };

function cases(b: Backend): void {
  const x = new Float32Array(2 * 28 * 28);
  const w = new Float32Array(9 * 4);
  const y = new Float32Array(2 * 26 * 26 * 4);

  test('conv2dForward x length 1500 for (N=2, H=28, W=28, C=1)', () => {
    rejects(
      () => b.conv2dForward(y, new Float32Array(1500), w, null, conv()),
      ShapeError,
      'conv2dForward',
      'x',
      /Float32Array\(1568\) for \(N=2, H=28, W=28, C=1\), received Float32Array\(1500\)/,
    );
  });
  test('conv2dForward w wrong type Int32Array', () => {
    rejects(
      () => b.conv2dForward(y, x, new Int32Array(36) as unknown as Float32Array, null, conv()),
      ShapeError,
      'conv2dForward',
      'w',
      /Int32Array\(36\)/,
    );
  });
  test('conv2dForward y shape mismatch with same padding', () => {
    rejects(() => b.conv2dForward(y, x, w, null, conv({ padding: 'same' })), ShapeError, 'conv2dForward', 'y', /OH=28/);
  });
  test('conv2dForward bias length 3 for CO=4', () => {
    rejects(() => b.conv2dForward(y, x, w, new Float32Array(3), conv()), ShapeError, 'conv2dForward', 'b');
  });
  test('conv2d batch=0 and kernelHeight=-1 and strides=[0,1]', () => {
    rejects(
      () => b.conv2dForward(y, x, w, null, conv({ batch: 0 })),
      ConfigError,
      'conv2dForward',
      'attrs.batch',
      /positive integer/,
    );
    rejects(
      () => b.conv2dBackwardData(x, y, w, conv({ kernelHeight: -1 })),
      ConfigError,
      'conv2dBackwardData',
      'attrs.kernelHeight',
    );
    rejects(
      () => b.conv2dBackwardWeights(w, null, x, y, conv({ strides: [0, 1] })),
      ConfigError,
      'conv2dBackwardWeights',
      'attrs.strides[0]',
    );
    rejects(() => b.conv2dForward(y, x, w, null, conv({ inWidth: 2.5 })), ConfigError, 'conv2dForward', 'attrs.inWidth');
  });
  test("conv2d padding='full' unknown", () => {
    rejects(
      () => b.conv2dForward(y, x, w, null, conv({ padding: 'full' as 'same' })),
      ConfigError,
      'conv2dForward',
      'attrs.padding',
      /"full"/,
    );
    rejects(
      () => b.conv2dForward(y, x, w, null, conv({ padding: { top: -1, bottom: 0, left: 0, right: 0 } })),
      ConfigError,
      'conv2dForward',
      'attrs.padding.top',
    );
  });
  test('conv2d groups=2 with inChannels=3', () => {
    rejects(
      () =>
        b.conv2dForward(
          new Float32Array(8),
          new Float32Array(6),
          new Float32Array(12),
          null,
          conv({ batch: 1, inHeight: 1, inWidth: 2, inChannels: 3, outChannels: 4, kernelHeight: 1, kernelWidth: 1, groups: 2 }),
        ),
      ConfigError,
      'conv2dForward',
      'attrs.groups',
    );
  });
  test('conv2d kernel 5 larger than a 3x3 input (valid)', () => {
    rejects(
      () =>
        b.conv2dForward(
          new Float32Array(1),
          new Float32Array(9),
          new Float32Array(25),
          null,
          conv({ batch: 1, inHeight: 3, inWidth: 3, outChannels: 1, kernelHeight: 5, kernelWidth: 5 }),
        ),
      ShapeError,
      'conv2dForward',
      'attrs.kernelHeight',
      /padded input height 3/,
    );
  });
  test('conv2d activation unknown', () => {
    rejects(
      () => b.conv2dForward(y, x, w, null, conv({ activation: 'tanh' as 'relu' })),
      ConfigError,
      'conv2dForward',
      'attrs.activation',
    );
  });
  test('maxPool2d argmax Float32Array and padding unknown and window too large', () => {
    rejects(
      () => b.maxPool2dForward(new Float32Array(8), new Float32Array(8) as unknown as Int32Array, new Float32Array(32), pool),
      ShapeError,
      'maxPool2dForward',
      'argmax',
      /Int32Array\(8\)/,
    );
    rejects(
      () => b.avgPool2dForward(new Float32Array(8), new Float32Array(32), { ...pool, padding: 'causal' as 'same' }),
      ConfigError,
      'avgPool2dForward',
      'attrs.padding',
    );
    rejects(
      () => b.avgPool2dForward(new Float32Array(8), new Float32Array(32), { ...pool, poolSize: [5, 2] }),
      ShapeError,
      'avgPool2dForward',
      'attrs.poolSize[0]',
    );
    rejects(
      () => b.maxPool2dBackward(new Float32Array(31), new Float32Array(8), new Int32Array(8), pool),
      ShapeError,
      'maxPool2dBackward',
      'dx',
    );
  });
  test('globalPool2d mode unknown', () => {
    rejects(
      () =>
        b.globalPool2dForward(new Float32Array(2), new Float32Array(32), {
          batch: 1,
          inHeight: 4,
          inWidth: 4,
          channels: 2,
          mode: 'sum' as 'max',
        }),
      ConfigError,
      'globalPool2dForward',
      'attrs.mode',
    );
  });
  test('dense w length 5 for (IN=3, OUT=2)', () => {
    rejects(
      () =>
        b.denseForward(new Float32Array(4), new Float32Array(6), new Float32Array(5), null, {
          batch: 2,
          inUnits: 3,
          outUnits: 2,
          activation: 'linear',
        }),
      ShapeError,
      'denseForward',
      'w',
      /\(IN=3, OUT=2\)/,
    );
    rejects(
      () =>
        b.denseBackwardWeights(new Float32Array(6), null, new Float32Array(6), new Float32Array(4), {
          batch: 2,
          inUnits: 3,
          outUnits: -2,
          activation: 'linear',
        }),
      ConfigError,
      'denseBackwardWeights',
      'attrs.outUnits',
    );
  });
  test('batchNorm gamma length and momentum out of range', () => {
    const c = new Float32Array(3);
    const attrs = { count: 4, channels: 3, epsilon: 1e-3, momentum: 0.99 };
    rejects(
      () => b.batchNormForwardInference(new Float32Array(12), new Float32Array(12), new Float32Array(2), c, c, c, attrs),
      ShapeError,
      'batchNormForwardInference',
      'gamma',
    );
    rejects(
      () => b.batchNormForwardTraining(new Float32Array(12), c, c, new Float32Array(12), c, c, c, c, { ...attrs, momentum: 1.5 }),
      ConfigError,
      'batchNormForwardTraining',
      'attrs.momentum',
    );
  });
  test('activation kind unknown, softmax axisSize not dividing, length mismatch', () => {
    const v = new Float32Array(6);
    rejects(() => b.activationForward(v, v, { kind: 'mish' as 'relu' }), ConfigError, 'activationForward', 'attrs.kind');
    rejects(() => b.activationForward(v, v, { kind: 'softmax', axisSize: 4 }), ShapeError, 'activationForward', 'x');
    rejects(() => b.activationBackward(v, new Float32Array(5), v, v, { kind: 'relu' }), ShapeError, 'activationBackward', 'dy');
  });
  test('loss kind unknown, input length, sparse label out of range, labelSmoothing > 1', () => {
    const attrs = { kind: 'categoricalCrossentropy' as const, batch: 2, classes: 3, fromLogits: false, labelSmoothing: 0 };
    rejects(
      () =>
        b.lossForward(new Float32Array(2), null, new Float32Array(6), new Float32Array(6), {
          ...attrs,
          kind: 'hinge' as 'categoricalCrossentropy',
        }),
      ConfigError,
      'lossForward',
      'attrs.kind',
    );
    rejects(
      () => b.lossForward(new Float32Array(2), null, new Float32Array(5), new Float32Array(6), attrs),
      ShapeError,
      'lossForward',
      'input',
    );
    rejects(
      () => b.lossForward(new Float32Array(2), null, new Float32Array(6), new Float32Array(6), { ...attrs, labelSmoothing: 2 }),
      ConfigError,
      'lossForward',
      'attrs.labelSmoothing',
    );
    rejects(
      () =>
        b.lossForward(new Float32Array(2), null, new Float32Array(6), Float32Array.from([1, -1]), {
          ...attrs,
          kind: 'sparseCategoricalCrossentropy',
        }),
      ValueError,
      'lossForward',
      'target[1]',
      /received -1/,
    );
    rejects(
      () =>
        b.lossForward(new Float32Array(2), null, new Float32Array(6), new Float32Array(6), {
          ...attrs,
          sampleWeight: new Float32Array(3),
        }),
      ShapeError,
      'lossForward',
      'attrs.sampleWeight',
    );
  });
  test('random distribution unknown and dropout rate=1', () => {
    const v = new Float32Array(4);
    rejects(
      () => b.random(v, { seed: 1, offset: 0, distribution: 'gamma' as 'normal' }),
      ConfigError,
      'random',
      'attrs.distribution',
    );
    rejects(() => b.random(v, { seed: 1, offset: -1, distribution: 'normal' }), ConfigError, 'random', 'attrs.offset');
    rejects(() => b.dropoutForward(v, v, v, { rate: 1, seed: 1, offset: 0 }), ConfigError, 'dropoutForward', 'attrs.rate');
    rejects(
      () => b.dropoutForward(v, new Float32Array(3), v, { rate: 0.5, seed: 1, offset: 0 }),
      ShapeError,
      'dropoutForward',
      'mask',
    );
  });
  test('element-wise length mismatch and argmaxRows out type', () => {
    rejects(() => b.axpby(new Float32Array(3), new Float32Array(3), new Float32Array(4), 1, 1), ShapeError, 'axpby', 'b');
    rejects(() => b.sumRows(new Float32Array(2), new Float32Array(6), 2, 3), ShapeError, 'sumRows', 'out');
    rejects(
      () => b.argmaxRows(new Float32Array(2) as unknown as Int32Array, new Float32Array(6), 2, 3),
      ShapeError,
      'argmaxRows',
      'out',
    );
    rejects(() => b.sumRows(new Float32Array(3), new Float32Array(6), 0, 3), ConfigError, 'sumRows', 'rows');
  });
  test('optimizers: velocity missing with momentum, grad length, beta out of range', () => {
    const p = new Float32Array(3);
    rejects(
      () => b.sgdUpdate(p, p, null, { learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 }),
      ShapeError,
      'sgdUpdate',
      'velocity',
      /momentum > 0/,
    );
    rejects(
      () => b.sgdUpdate(p, new Float32Array(2), null, { learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0 }),
      ShapeError,
      'sgdUpdate',
      'grad',
    );
    rejects(
      () => b.adamUpdate(p, p, p, p, { learningRate: 0.1, beta1: 1, beta2: 0.999, epsilon: 1e-7, step: 1, weightDecay: 0 }),
      ConfigError,
      'adamUpdate',
      'attrs.beta1',
    );
    rejects(
      () => b.adamUpdate(p, p, p, p, { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 0, weightDecay: 0 }),
      ConfigError,
      'adamUpdate',
      'attrs.step',
    );
    rejects(
      () =>
        b.rmspropUpdate(p, p, p, null, null, {
          learningRate: 0.1,
          rho: 0.9,
          momentum: 0,
          epsilon: 1e-7,
          centered: true,
          weightDecay: 0,
        }),
      ShapeError,
      'rmspropUpdate',
      'meanGrad',
    );
  });
  test('image ops: method unknown, fill mode unknown, transforms length', () => {
    const attrs = { batch: 1, inHeight: 2, inWidth: 2, channels: 1, outHeight: 4, outWidth: 4, method: 'bicubic' as 'area' };
    rejects(() => b.resizeImages(new Float32Array(16), new Float32Array(4), attrs), ConfigError, 'resizeImages', 'attrs.method');
    rejects(
      () => b.resizeImages(new Float32Array(15), new Float32Array(4), { ...attrs, method: 'area' }),
      ShapeError,
      'resizeImages',
      'y',
    );
    const affine = {
      batch: 1,
      height: 2,
      width: 2,
      channels: 1,
      transforms: new Float32Array(8),
      interpolation: 'nearest' as const,
      fillMode: 'mirror' as 'wrap',
      fillValue: 0,
    };
    rejects(
      () => b.affineTransform(new Float32Array(4), new Float32Array(4), affine),
      ConfigError,
      'affineTransform',
      'attrs.fillMode',
    );
    rejects(
      () =>
        b.affineTransform(new Float32Array(4), new Float32Array(4), {
          ...affine,
          fillMode: 'wrap',
          transforms: new Float32Array(6),
        }),
      ShapeError,
      'affineTransform',
      'attrs.transforms',
    );
  });
  test('setThreads(0)', () => {
    rejects(() => b.setThreads(0), ConfigError, 'setThreads', 'count');
  });
}

for (const backend of allBackends) {
  describe(`argument errors on ${backend.name}`, () => cases(backend));
}
