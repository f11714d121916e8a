// Dense (2-D and 3-D input, softmax fusion, param counts) and BatchNormalization (training with moving-average
// update, inference, frozen = inference, backward in both modes) against plain-loop formulas.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { assertClose, ctx, rand } from './naive.js';

function matmul(x: ArrayLike<number>, w: ArrayLike<number>, rows: number, inn: number, out: number): Float64Array {
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < inn; i++) for (let o = 0; o < out; o++) y[r * out + o]! += x[r * inn + i]! * w[i * out + o]!;
  return y;
}

describe('Dense', () => {
  test('3-D input (N, T, IN) applies to the last axis; backward', () => {
    const layer = new Dense({ units: 3, biasInitializer: { className: 'Constant', config: { value: 0.5 } } });
    assert.deepEqual(layer.computeOutputShape([null, 4, 5]), [null, 4, 3]);
    const x = rand(2 * 4 * 5, 1);
    const out = layer.forward([{ data: x, shape: [2, 4, 5] }], ctx());
    assert.deepEqual(out.shape, [2, 4, 3]);
    const w = layer.kernel!.value;
    assertClose(
      out.data,
      Array.from(matmul(x, w, 8, 5, 3), (v) => v + 0.5),
      'y',
    );
    const dy = rand(24, 2);
    const [dx] = layer.backward({ data: dy, shape: out.shape }, ctx());
    const wt = new Float64Array(15);
    for (let i = 0; i < 5; i++) for (let o = 0; o < 3; o++) wt[o * 5 + i] = w[i * 3 + o]!;
    assertClose(dx!.data, matmul(dy, wt, 8, 3, 5), 'dx');
    assert.deepEqual(dx!.shape, [2, 4, 5]);
    const xt = new Float64Array(40);
    for (let r = 0; r < 8; r++) for (let i = 0; i < 5; i++) xt[i * 8 + r] = x[r * 5 + i]!;
    assertClose(layer.kernel!.grad, matmul(xt, dy, 5, 8, 3), 'dw');
    assert.equal(layer.flopsPerSample(), 2 * 4 * 5 * 3);
  });

  test('softmax is fused-capable and sigmoid runs after the kernel', () => {
    const layer = new Dense({ units: 4, activation: 'sigmoid' });
    const x = rand(12, 3);
    const out = layer.forward([{ data: x, shape: [3, 4] }], ctx());
    const z = layer.preActivation();
    assertClose(
      out.data,
      Array.from(z.data, (v) => 1 / (1 + Math.exp(-v))),
      'sigmoid',
    );
    assert.equal(layer.outputActivation(), 'sigmoid');
    const relu = new Dense({ units: 2, activation: 'relu' });
    relu.forward([{ data: x, shape: [3, 4] }], ctx());
    assert.throws(() => relu.preActivation(), /fused into the kernel/);
  });

  // The seed's Keras summary shows Flatten -> (None, 480000) and Dense(100) -> 48,000,100 params; 400x600 itself
  // flattens to 240,000 (24,000,100 params, the seed's own hand count). Both are checked.
  test('Keras parameter counts: Dense(100) on 480,000 features = 48,000,100; MNIST Dense(128) on 1600', () => {
    const flat = new Flatten({ inputShape: [400, 600] });
    const flatShape = flat.computeOutputShape([null, 400, 600]);
    assert.deepEqual(flatShape, [null, 240000]);
    const big = new Dense({ units: 100, kernelInitializer: 'zeros' });
    assert.deepEqual(big.computeOutputShape(flatShape), [null, 100]);
    const seedCount = new Dense({ units: 100, kernelInitializer: 'zeros' });
    seedCount.build(flatShape);
    assert.equal(seedCount.countParams(), 24000100);
    big.build([null, 480000]);
    assert.equal(big.countParams(), 48000100);
    const mnist = new Dense({ units: 128 });
    mnist.build([null, 1600]);
    assert.equal(mnist.countParams(), 204928);
  });

  test('bad options', () => {
    assert.throws(() => new Dense({ units: -1 }), /Dense: invalid 'units'. Expected a positive integer, received -1\./);
    assert.throws(() => new Dense({ units: 2, useBias: 'yes' as unknown as boolean }), /invalid 'useBias'/);
    assert.throws(() => new Dense({ units: 2 }).computeOutputShape([null]), /Expected rank >= 2/);
  });
});

function bnTraining(x: Float32Array, rows: number, c: number, gamma: number[], beta: number[], eps: number) {
  const mean = new Array(c).fill(0);
  const v = new Array(c).fill(0);
  for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) mean[j] += x[r * c + j]! / rows;
  for (let r = 0; r < rows; r++) for (let j = 0; j < c; j++) v[j] += (x[r * c + j]! - mean[j]) ** 2 / rows;
  const xhat = Array.from(x, (val, i) => (val - mean[i % c]) / Math.sqrt(v[i % c] + eps));
  return { mean, v, xhat, y: xhat.map((h, i) => gamma[i % c]! * h + beta[i % c]!) };
}

describe('BatchNormalization', () => {
  test('training: batch statistics, moving averages, backward (standard formula)', () => {
    const layer = new BatchNormalization({
      momentum: 0.9,
      gammaInitializer: { className: 'Constant', config: { value: 1.5 } },
      betaInitializer: { className: 'Constant', config: { value: 0.25 } },
    });
    const shape = [2, 3, 3, 4];
    const x = rand(72, 41, -2, 3);
    const out = layer.forward([{ data: x, shape }], ctx(true));
    const g = [1.5, 1.5, 1.5, 1.5];
    const ref = bnTraining(x, 18, 4, g, [0.25, 0.25, 0.25, 0.25], 0.001);
    assertClose(out.data, ref.y, 'y');
    assertClose(
      layer.movingMean!.value,
      ref.mean.map((m) => 0.1 * m),
      'moving mean',
    );
    assertClose(
      layer.movingVariance!.value,
      ref.v.map((v) => 0.9 + 0.1 * v),
      'moving variance',
    );
    assert.deepEqual(
      layer.weights.map((w) => [w.name, w.trainable]),
      [
        ['gamma', true],
        ['beta', true],
        ['moving_mean', false],
        ['moving_variance', false],
      ],
    );
    const dy = rand(72, 42);
    const [dx] = layer.backward({ data: dy, shape }, ctx(true));
    const m = 18;
    const dbeta = new Array(4).fill(0);
    const dgamma = new Array(4).fill(0);
    for (let i = 0; i < 72; i++) {
      dbeta[i % 4] += dy[i]!;
      dgamma[i % 4] += dy[i]! * ref.xhat[i]!;
    }
    const expectedDx = Array.from(dy, (d, i) => {
      const j = i % 4;
      return ((g[j]! / Math.sqrt(ref.v[j] + 0.001)) * (m * d - dbeta[j] - ref.xhat[i]! * dgamma[j])) / m;
    });
    assertClose(dx!.data, expectedDx, 'dx', 1e-3);
    assertClose(layer.gamma!.grad, dgamma, 'dgamma');
    assertClose(layer.beta!.grad, dbeta, 'dbeta');
  });

  test('inference and frozen training use moving statistics; backward is the affine map', () => {
    for (const [label, training, trainable] of [
      ['inference', false, true],
      ['frozen', true, false],
    ] as const) {
      const layer = new BatchNormalization({ axis: [1], trainable });
      layer.build([null, 2]);
      layer.setWeights([
        [2, 3],
        [0.5, -1],
        [1, -2],
        [4, 0.25],
      ]);
      const x = rand(6, 51);
      const out = layer.forward([{ data: x, shape: [3, 2] }], ctx(training));
      const scale = [2 / Math.sqrt(4.001), 3 / Math.sqrt(0.251)];
      assertClose(
        out.data,
        Array.from(x, (v, i) => (v - [1, -2][i % 2]!) * scale[i % 2]! + [0.5, -1][i % 2]!),
        `${label} y`,
      );
      assertClose(layer.movingMean!.value, [1, -2], `${label} moving mean unchanged`);
      const dy = rand(6, 52);
      const [dx] = layer.backward({ data: dy, shape: [3, 2] }, ctx(training));
      assertClose(
        dx!.data,
        Array.from(dy, (d, i) => d * scale[i % 2]!),
        `${label} dx`,
      );
      if (!trainable)
        assert.ok(
          layer.gamma!.grad.every((v) => v === 0),
          'frozen: no weight grads',
        );
    }
  });

  test('axis validation', () => {
    assert.doesNotThrow(() => new BatchNormalization({ axis: 3 }).computeOutputShape([null, 4, 4, 8]));
    assert.throws(
      () => new BatchNormalization({ axis: 1 }).computeOutputShape([null, 4, 4, 8]),
      /invalid 'axis'. Expected -1 or 3/,
    );
    assert.throws(() => new BatchNormalization({ axis: [1, 2] }), /BatchNormalization: invalid 'axis'/);
    assert.throws(() => new BatchNormalization({ epsilon: 0 }), /invalid 'epsilon'/);
  });
});
