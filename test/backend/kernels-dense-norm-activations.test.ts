// Hand-computed small cases for the dense, batchNorm and activation kernels, run on every backend in allBackends.

import { describe, test } from 'node:test';
import type { ActivationAttrs, Backend } from '../../src/backend/backend.js';
import { allBackends } from '../helpers/backends.js';
import { close, f32, range, softmaxRow } from '../helpers/close.js';

const sig = (v: number): number => 1 / (1 + Math.exp(-v));
const PHI: Record<number, number> = {
  [-2]: 0.022750131948179195,
  [-0.5]: 0.3085375387259869,
  0: 0.5,
  0.5: 0.6914624612740131,
  2: 0.9772498680518208,
  7: 1,
};

function runDenseAndNormCases(b: Backend): void {
  const attrs = { batch: 2, inUnits: 3, outUnits: 2, activation: 'linear' as const };
  const x = f32(range(6));
  const w = f32([1, 0, 0, 1, 1, 1]);
  test('dense x=[2,3] out=2 linear and relu', () => {
    const y = new Float32Array(4);
    b.denseForward(y, x, w, f32([0.5, -10]), attrs);
    close(y, [4.5, -5, 10.5, 1]);
    b.denseForward(y, x, w, f32([0.5, -10]), { ...attrs, activation: 'relu' });
    close(y, [4.5, 0, 10.5, 1]);
  });
  test('denseBackward x=[2,3] out=2', () => {
    const dy = f32([1, 2, 3, 4]);
    const dx = new Float32Array(6);
    b.denseBackwardData(dx, dy, w, attrs);
    close(dx, [1, 2, 3, 3, 4, 7]);
    const dw = new Float32Array(6);
    const db = new Float32Array(2);
    b.denseBackwardWeights(dw, db, x, dy, attrs);
    close(dw, [13, 18, 17, 24, 21, 30]);
    close(db, [4, 6]);
  });
  test('batchNorm training count=4 C=2', () => {
    const bn = { count: 4, channels: 2, epsilon: 0.75, momentum: 0.9 };
    const xs = f32([1, 5, 2, 5, 3, 5, 4, 5]);
    const y = new Float32Array(8);
    const mean = new Float32Array(2);
    const invStd = new Float32Array(2);
    const mm = f32([0, 0]);
    const mv = f32([1, 1]);
    b.batchNormForwardTraining(y, mean, invStd, xs, f32([2, 1]), f32([1, 3]), mm, mv, bn);
    const r2 = Math.SQRT2;
    close(y, [1 - 1.5 * r2, 3, 1 - 0.5 * r2, 3, 1 + 0.5 * r2, 3, 1 + 1.5 * r2, 3]);
    close(mean, [2.5, 5]);
    close(invStd, [1 / r2, 1 / Math.sqrt(0.75)]);
    close(mm, [0.25, 0.5]);
    close(mv, [1.025, 0.9]);
    // Constant dy: dx = 0, dGamma = 0, dBeta = sum(dy).
    const dx = new Float32Array(8);
    const dGamma = new Float32Array(2);
    const dBeta = new Float32Array(2);
    b.batchNormBackward(dx, dGamma, dBeta, f32([1, 1, 1, 1, 1, 1, 1, 1]), xs, f32([2, 1]), mean, invStd, {
      ...bn,
      training: true,
    });
    close(dx, [0, 0, 0, 0, 0, 0, 0, 0]);
    close(dGamma, [0, 0]);
    close(dBeta, [4, 4]);
  });
  test('batchNorm inference count=2 C=1', () => {
    const bn = { count: 2, channels: 1, epsilon: 1, momentum: 0.99 };
    const y = new Float32Array(2);
    b.batchNormForwardInference(y, f32([1, 2]), f32([2]), f32([1]), f32([1]), f32([3]), bn);
    close(y, [1, 2]);
    const dx = new Float32Array(2);
    const dGamma = new Float32Array(1);
    const dBeta = new Float32Array(1);
    b.batchNormBackward(dx, dGamma, dBeta, f32([1, 3]), f32([1, 2]), f32([2]), f32([1]), f32([0.5]), { ...bn, training: false });
    close(dx, [1, 3]);
    close(dGamma, [1.5]);
    close(dBeta, [4]);
  });
}

const ACT_X = [-2, -0.5, 0, 0.5, 2, 7];
const gc = Math.sqrt(2 / Math.PI);
const ACT_CASES: [string, ActivationAttrs, number[]][] = [
  ['linear', { kind: 'linear' }, ACT_X],
  ['relu', { kind: 'relu' }, [0, 0, 0, 0.5, 2, 7]],
  ['relu alpha=0.1 max=6 threshold=1', { kind: 'relu', alpha: 0.1, maxValue: 6, threshold: 1 }, [-0.3, -0.15, -0.1, -0.05, 2, 6]],
  ['relu6', { kind: 'relu6' }, [0, 0, 0, 0.5, 2, 6]],
  ['leakyRelu default', { kind: 'leakyRelu' }, [-0.6, -0.15, 0, 0.5, 2, 7]],
  ['elu', { kind: 'elu' }, ACT_X.map((v) => (v > 0 ? v : Math.exp(v) - 1))],
  ['sigmoid', { kind: 'sigmoid' }, ACT_X.map(sig)],
  ['hardSigmoid', { kind: 'hardSigmoid' }, [1 / 6, 2.5 / 6, 0.5, 3.5 / 6, 5 / 6, 1]],
  ['tanh', { kind: 'tanh' }, ACT_X.map(Math.tanh)],
  ['swish', { kind: 'swish' }, ACT_X.map((v) => v * sig(v))],
  ['gelu exact', { kind: 'gelu' }, ACT_X.map((v) => v * PHI[v]!)],
  [
    'gelu approximate',
    { kind: 'gelu', approximate: true },
    ACT_X.map((v) => 0.5 * v * (1 + Math.tanh(gc * (v + 0.044715 * v ** 3)))),
  ],
  ['softplus', { kind: 'softplus' }, ACT_X.map((v) => Math.log(1 + Math.exp(v)))],
];

function runActivationCases(b: Backend): void {
  for (const [name, attrs, expected] of ACT_CASES) {
    test(`activation ${name} x=[${ACT_X}]`, () => {
      const y = new Float32Array(6);
      b.activationForward(y, f32(ACT_X), attrs);
      close(y, expected, 1e-6);
    });
  }
  test('activation softmax axisSize=3 rows=2', () => {
    const y = new Float32Array(6);
    b.activationForward(y, f32(ACT_X), { kind: 'softmax', axisSize: 3 });
    close(y, [...softmaxRow(ACT_X.slice(0, 3)), ...softmaxRow(ACT_X.slice(3))], 1e-6);
    const dx = new Float32Array(6);
    b.activationBackward(dx, f32([1, 0, 0, 0, 0, 1]), f32(ACT_X), y, { kind: 'softmax', axisSize: 3 });
    const expected = Array.from(y, (v, i) => v * ((i === 0 || i === 5 ? 1 : 0) - (i < 3 ? y[0]! : y[5]!)));
    close(dx, expected, 1e-6);
  });
  test("activationBackward relu, sigmoid, hardSigmoid, leakyRelu (kinks as TensorFlow: relu'(0) = 0)", () => {
    const x = f32(ACT_X);
    const dy = f32([1, 2, 3, 4, 5, 6]);
    const back = (attrs: ActivationAttrs): Float32Array => {
      const y = new Float32Array(6);
      const dx = new Float32Array(6);
      b.activationForward(y, x, attrs);
      b.activationBackward(dx, dy, x, y, attrs);
      return dx;
    };
    close(back({ kind: 'relu', maxValue: 6 }), [0, 0, 0, 4, 5, 0]);
    close(back({ kind: 'leakyRelu' }), [0.3, 0.6, 0.9, 4, 5, 6]);
    close(back({ kind: 'hardSigmoid' }), [1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 0]);
    close(
      back({ kind: 'sigmoid' }),
      ACT_X.map((v, i) => (i + 1) * sig(v) * (1 - sig(v))),
      1e-6,
    );
    close(
      back({ kind: 'tanh' }),
      ACT_X.map((v, i) => (i + 1) * (1 - Math.tanh(v) ** 2)),
      1e-6,
    );
    close(
      back({ kind: 'elu' }),
      ACT_X.map((v, i) => (i + 1) * (v > 0 ? 1 : Math.exp(v))),
      1e-6,
    );
  });
}

for (const backend of allBackends) {
  describe(`dense/norm/activation kernels on ${backend.name}`, () => {
    runDenseAndNormCases(backend);
    runActivationCases(backend);
  });
}
