// NaN stays NaN on every backend: each kernel given a NaN (or an Inf that meets a 0) must put NaN exactly where
// the math says (the outputs that depend on it), never a finite number. Expectations are computed here from the
// kernel's definition (which outputs read which inputs), not from either backend. Then whole seed models.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSeedModel } from '../../src/applications/seed-models.js';
import type { ActivationAttrs, Conv2dAttrs, LossKind, Pool2dAttrs } from '../../src/backend/backend.js';
import { getBackend, setBackend } from '../../src/backend/registry.js';
import { allBackends } from '../helpers/backends.js';

const mask = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isNaN(v) ? 'N' : '.')).join('');
const expected = (n: number, nanAt: (i: number) => boolean) =>
  Array.from({ length: n }, (_, i) => (nanAt(i) ? 'N' : '.')).join('');
/** Values in [-2, 2] (some negative, some zero) with NaN at the given indices. */
const data = (n: number, nanAt: number[] = []) => {
  const a = Float32Array.from({ length: n }, (_, i) => ((i * 7) % 5) - 2);
  for (const i of nanAt) a[i] = Number.NaN;
  return a;
};

for (const b of allBackends) {
  describe(`NaN propagation: ${b.name}`, () => {
    const acts: ActivationAttrs[] = [
      { kind: 'linear' },
      { kind: 'relu' },
      { kind: 'relu', maxValue: 6 },
      { kind: 'relu', threshold: 0.5 },
      { kind: 'relu', alpha: 0.1 },
      { kind: 'relu6' },
      { kind: 'leakyRelu' },
      { kind: 'elu' },
      { kind: 'sigmoid' },
      { kind: 'hardSigmoid' },
      { kind: 'tanh' },
      { kind: 'swish' },
      { kind: 'gelu' },
      { kind: 'softplus' },
    ];
    test('activations: NaN in, NaN out at the same place; softmax: the whole row', () => {
      for (const a of acts) {
        const y = new Float32Array(8);
        b.activationForward(y, data(8, [1]), a);
        assert.equal(
          mask(y),
          expected(8, (i) => i === 1),
          JSON.stringify(a),
        );
      }
      const y = new Float32Array(8);
      b.activationForward(y, data(8, [5]), { kind: 'softmax', axisSize: 4 });
      assert.equal(
        mask(y),
        expected(8, (i) => i >= 4),
        'softmax',
      );
    });

    test('max pooling: a NaN anywhere in a window makes that window NaN, and argmax points at it', () => {
      const attrs: Pool2dAttrs = {
        batch: 1,
        inHeight: 4,
        inWidth: 4,
        channels: 1,
        poolSize: [2, 2],
        strides: [2, 2],
        padding: 'valid',
      };
      for (let p = 0; p < 16; p++) {
        const y = new Float32Array(4);
        const argmax = new Int32Array(4);
        b.maxPool2dForward(y, argmax, data(16, [p]), attrs);
        const window = (Math.floor(p / 8) << 1) + (Math.floor((p % 4) / 2) | 0);
        assert.equal(
          mask(y),
          expected(4, (i) => i === window),
          `NaN at ${p}`,
        );
        assert.equal(argmax[window], p);
        const avg = new Float32Array(4);
        b.avgPool2dForward(avg, data(16, [p]), attrs);
        assert.equal(
          mask(avg),
          expected(4, (i) => i === window),
          `avg, NaN at ${p}`,
        );
      }
    });

    test('global pooling: a NaN cell makes its (image, channel) NaN', () => {
      for (const mode of ['max', 'avg'] as const) {
        for (let cell = 0; cell < 4; cell++) {
          const y = new Float32Array(4);
          // x: (2, 2, 2, 2); NaN in image 1, channel 0, at this cell.
          b.globalPool2dForward(y, data(16, [8 + cell * 2]), { batch: 2, inHeight: 2, inWidth: 2, channels: 2, mode });
          assert.equal(
            mask(y),
            expected(4, (i) => i === 2),
            `${mode} cell ${cell}`,
          );
        }
      }
    });

    for (const activation of ['linear', 'relu'] as const) {
      test(`dense (${activation}): NaN input row, NaN weight times 0, and Inf times 0 all give NaN`, () => {
        const attrs = { batch: 2, inUnits: 4, outUnits: 3, activation };
        const y = new Float32Array(6);
        b.denseForward(y, data(8, [5]), data(12), null, attrs);
        assert.equal(
          mask(y),
          expected(6, (i) => i >= 3),
          'NaN in input row 1',
        );
        const x = data(8);
        x[0] = 0;
        x[4] = 0; // input unit 0 is 0 in both rows: 0 * NaN must still be NaN
        b.denseForward(y, x, data(12, [1]), null, attrs);
        assert.equal(
          mask(y),
          expected(6, (i) => i % 3 === 1),
          'NaN weight (0, 1)',
        );
        const w = data(12);
        w[0] = 0;
        const inf = data(8);
        inf[0] = Number.POSITIVE_INFINITY; // row 0: Inf * 0 = NaN for each output whose weight from unit 0 is 0
        b.denseForward(y, inf, w, null, attrs);
        assert.equal(
          mask(y),
          expected(6, (i) => i < 3 && w[i] === 0),
          'Inf input times a zero weight',
        );
      });
    }

    for (const activation of ['linear', 'relu'] as const) {
      // 1 input channel x 16 filters runs the hand-written AVX-512 kernel on native; 3 channels run oneDNN.
      for (const ci of [1, 3]) {
        test(`conv2d 3x3 valid (${activation}, ${ci} channel${ci > 1 ? 's' : ''}): NaN input, NaN weight`, () => {
          const attrs: Conv2dAttrs = {
            batch: 1,
            inHeight: 5,
            inWidth: 5,
            inChannels: ci,
            outChannels: 16,
            kernelHeight: 3,
            kernelWidth: 3,
            strides: [1, 1],
            dilations: [1, 1],
            padding: 'valid',
            groups: 1,
            activation,
          };
          const y = new Float32Array(9 * 16);
          // NaN at pixel (0, 0), channel 0: only output (0, 0) reads it, for all 16 filters.
          b.conv2dForward(y, data(25 * ci, [0]), data(9 * ci * 16), null, attrs);
          assert.equal(
            mask(y),
            expected(144, (i) => i < 16),
            'NaN input pixel',
          );
          // NaN in tap (0, 0), channel 0 of filter 3: every output of filter 3, also where the pixel is 0.
          b.conv2dForward(y, data(25 * ci), data(9 * ci * 16, [3]), null, attrs);
          assert.equal(
            mask(y),
            expected(144, (i) => i % 16 === 3),
            'NaN weight',
          );
        });
      }
    }

    const losses: [LossKind, Float32Array][] = [
      ['categoricalCrossentropy', Float32Array.of(1, 0, 0, 0, 0, 1)],
      ['sparseCategoricalCrossentropy', Float32Array.of(0, 2)],
      ['binaryCrossentropy', Float32Array.of(1, 0, 0, 0, 0, 1)],
      ['meanSquaredError', Float32Array.of(1, 0, 0, 0, 0, 1)],
    ];
    for (const [kind, target] of losses) {
      for (const fromLogits of [false, true]) {
        test(`loss ${kind}${fromLogits ? ' from logits' : ''}: a NaN prediction gives a NaN loss and gradient`, () => {
          const l = new Float32Array(2);
          const d = new Float32Array(6);
          const input = Float32Array.of(0.2, 0.5, 0.3, 0.1, Number.NaN, 0.7);
          b.lossForward(l, d, input, target, { kind, batch: 2, classes: 3, fromLogits, labelSmoothing: 0 });
          assert.equal(mask(l), '.N');
          const perRow = kind === 'categoricalCrossentropy' || kind === 'sparseCategoricalCrossentropy';
          assert.equal(mask(d), perRow ? '...NNN' : '....N.');
        });
      }
    }

    test('seed models: a NaN pixel makes its image NaN, a NaN weight makes every output NaN', async () => {
      const previous = getBackend();
      setBackend(b);
      try {
        for (const name of ['mnist-cnn', 'lenet5', 'bn-dropout-cnn', 'mlp']) {
          const model = buildSeedModel(name, { inputShape: [28, 28, 1] });
          const x = { data: Float32Array.from({ length: 2 * 784 }, (_, i) => (i % 7) / 7), shape: [2, 28, 28, 1] };
          x.data[784 + 300] = Number.NaN;
          assert.equal(
            mask((await model.predict(x, { verbose: 0 })).data),
            expected(20, (i) => i >= 10),
            `${name} input`,
          );
          x.data[784 + 300] = 0;
          model.weights[0]!.value[0] = Number.NaN; // past setWeights, as a diverged step would leave it
          assert.equal(mask((await model.predict(x, { verbose: 0 })).data), 'N'.repeat(20), `${name} weight`);
        }
      } finally {
        setBackend(previous);
      }
    });
  });
}
