// Keras 3 semantics pinned by hand-computed values, on every backend: ReLU with a threshold is
// `x > threshold ? x : 0` (0 exactly at the threshold, the slope below it, the clip after the test), and binary
// cross-entropy on probabilities clips to [1e-7, 1 - 1e-7] in FLOAT32 (1 - 1e-7 rounds to 0.99999988), as
// keras/src/activations/activations.py and keras/src/backend/*/nn.py do.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ActivationAttrs, Backend, LossAttrs } from '../../src/backend/backend.js';
import { ReLU } from '../../src/layers/relu.js';
import { allBackends } from '../helpers/backends.js';
import { close, f32 } from '../helpers/close.js';

// The float32 clip bounds Keras/TensorFlow use: the float32 nearest to 1e-7 and to 1 - 1e-7 (0.99999988079071).
const LOW = Math.fround(1e-7);
const HIGH = Math.fround(1 - 1e-7);

function relu(b: Backend, x: number[], attrs: ActivationAttrs): { y: Float32Array; dx: Float32Array } {
  const xs = f32(x);
  const y = new Float32Array(x.length);
  const dx = new Float32Array(x.length);
  b.activationForward(y, xs, attrs);
  b.activationBackward(dx, f32(x.map(() => 1)), xs, y, attrs);
  return { y, dx };
}

function bce(b: Backend, p: number[], t: number[]): { losses: Float32Array; grad: Float32Array } {
  const attrs: LossAttrs = { kind: 'binaryCrossentropy', batch: p.length, classes: 1, fromLogits: false, labelSmoothing: 0 };
  const losses = new Float32Array(p.length);
  const grad = new Float32Array(p.length);
  b.lossForward(losses, grad, f32(p), f32(t), attrs);
  return { losses, grad };
}

for (const b of allBackends) {
  describe(`Keras semantics on ${b.name}`, () => {
    test('relu threshold=5: Keras docs example [-10, -5, 0, 5, 10] -> [0, 0, 0, 0, 10]', () => {
      const { y, dx } = relu(b, [-10, -5, 0, 5, 10], { kind: 'relu', threshold: 5 });
      close(y, [0, 0, 0, 0, 10], 0, 'y');
      close(dx, [0, 0, 0, 0, 1], 0, 'dx');
    });
    test('relu threshold=5 negativeSlope=0.5: the slope below, 0 at the threshold', () => {
      const { y, dx } = relu(b, [-10, 0, 5, 10], { kind: 'relu', threshold: 5, alpha: 0.5 });
      close(y, [-7.5, -2.5, 0, 10], 0, 'y');
      close(dx, [0.5, 0.5, 0, 1], 0, 'dx');
    });
    test('relu threshold=2 maxValue=1: the threshold test comes before the clip', () => {
      // Keras: x * (x > 2), then clip to [0, 1]: 1.5 -> 0 (not 1), 2 -> 0, 3 -> 1.
      const { y } = relu(b, [1.5, 2, 3], { kind: 'relu', threshold: 2, maxValue: 1 });
      close(y, [0, 0, 1], 0, 'y');
    });
    test('binary cross-entropy on saturated probabilities: float32 clip bounds', () => {
      // p = 1, t = 0: -log(1 - 0.99999988) = 15.942385 (a float64 clip would give -log(1e-7) = 16.118).
      // p = 0, t = 1: -log(float32(1e-7)) = 16.118096. Clipped entries pass no gradient.
      const { losses, grad } = bce(b, [1, 0, 0.5], [0, 1, 1]);
      close(losses, [-Math.log(1 - HIGH), -Math.log(LOW), Math.log(2)], 1e-6, 'losses');
      assert.ok(Math.abs(losses[0]! - 15.942385) < 1e-4, `saturated loss ${losses[0]}, Keras 15.942385`);
      close(grad, [0, 0, -2 / 3], 1e-6, 'grad');
    });
    test('binary cross-entropy just inside the float32 bounds keeps its gradient', () => {
      const { losses, grad } = bce(b, [HIGH], [0]);
      close(losses, [-Math.log(1 - HIGH)], 1e-6, 'losses');
      close(grad, [1 / (1 - HIGH)], 1e-6, 'grad');
    });
  });
}

describe('Keras semantics: ReLU layer options', () => {
  test('a negative threshold is refused, as Keras refuses it', () => {
    assert.throws(() => new ReLU({ threshold: -1 }), /ReLU: invalid 'threshold'\. Expected a number >= 0, received -1/);
  });
});
