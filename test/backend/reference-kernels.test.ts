// Hand-computed small cases for every backend kernel, run on every backend in allBackends (float32 buffers).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ActivationAttrs, Backend, Conv2dAttrs, LossAttrs, Pool2dAttrs } from '../../src/backend/backend.js';
import { normalAt, streamKey, truncatedNormalAt, uniformAt } from '../../src/backend/random.js';
import { ValueError } from '../../src/errors.js';
import { allBackends } from '../helpers/backends.js';

const f32 = (values: number[]): Float32Array => Float32Array.from(values);
const range = (n: number, start = 1): number[] => Array.from({ length: n }, (_, i) => i + start);

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5, what = ''): void {
  assert.equal(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
      assert.fail(`${what}[${i}]: expected ${e}, received ${a} (all: [${Array.from(actual).join(', ')}])`);
    }
  }
}

function conv(over: Partial<Conv2dAttrs>): Conv2dAttrs {
  return {
    batch: 1,
    inHeight: 3,
    inWidth: 3,
    inChannels: 1,
    outChannels: 1,
    kernelHeight: 2,
    kernelWidth: 2,
    strides: [1, 1],
    dilations: [1, 1],
    padding: 'valid',
    groups: 1,
    activation: 'linear',
    ...over,
  };
}

function pool(over: Partial<Pool2dAttrs>): Pool2dAttrs {
  return { batch: 1, inHeight: 4, inWidth: 4, channels: 1, poolSize: [2, 2], strides: [2, 2], padding: 'valid', ...over };
}

const sig = (v: number): number => 1 / (1 + Math.exp(-v));
const PHI: Record<number, number> = {
  [-2]: 0.022750131948179195,
  [-0.5]: 0.3085375387259869,
  0: 0.5,
  0.5: 0.6914624612740131,
  2: 0.9772498680518208,
  7: 1,
};

function runConvCases(b: Backend): void {
  test('conv2d x=[1,3,3,1] k=2 s=1 valid bias', () => {
    const y = new Float32Array(4);
    b.conv2dForward(y, f32(range(9)), f32([1, 0, 0, 1]), f32([1]), conv({}));
    close(y, [7, 9, 13, 15]);
  });
  test('conv2d x=[1,3,3,1] k=2 s=2 same', () => {
    const y = new Float32Array(4);
    b.conv2dForward(y, f32(range(9)), f32([1, 0, 0, 1]), null, conv({ strides: [2, 2], padding: 'same' }));
    close(y, [6, 3, 7, 9]);
  });
  test('conv2d x=[1,3,3,1] k=2 relu', () => {
    const y = new Float32Array(4);
    b.conv2dForward(y, f32(range(9)), f32([-1, 0, 0, -1]), f32([7]), conv({ activation: 'relu' }));
    close(y, [1, 0, 0, 0]);
  });
  test('conv2d x=[1,3,3,1] k=2 d=2 valid', () => {
    const y = new Float32Array(1);
    b.conv2dForward(y, f32(range(9)), f32([1, 1, 1, 1]), null, conv({ dilations: [2, 2] }));
    close(y, [20]);
  });
  test('conv2d x=[1,3,3,1] k=2 explicit padding', () => {
    const y = new Float32Array(6);
    const padding = { top: 1, bottom: 0, left: 0, right: 0 };
    b.conv2dForward(y, f32(range(9)), f32([1, 0, 0, 1]), null, conv({ padding }));
    close(y, [2, 3, 6, 8, 12, 14]);
  });
  test('conv2d x=[1,1,1,2] k=1 groups=2', () => {
    const y = new Float32Array(2);
    b.conv2dForward(
      y,
      f32([1, 2]),
      f32([3, 4]),
      null,
      conv({ inHeight: 1, inWidth: 1, inChannels: 2, outChannels: 2, kernelHeight: 1, kernelWidth: 1, groups: 2 }),
    );
    close(y, [3, 8]);
  });
  test('conv2d x=[1,1,1,2] k=1 depthwise multiplier=2', () => {
    const y = new Float32Array(4);
    b.conv2dForward(
      y,
      f32([1, 2]),
      f32([1, 2, 3, 4]),
      null,
      conv({ inHeight: 1, inWidth: 1, inChannels: 2, outChannels: 4, kernelHeight: 1, kernelWidth: 1, groups: 2 }),
    );
    close(y, [1, 2, 6, 8]);
  });
  test('conv2dBackwardData x=[1,3,3,1] k=2', () => {
    const dx = new Float32Array(9).fill(99);
    b.conv2dBackwardData(dx, f32([1, 1, 1, 1]), f32([1, 2, 3, 4]), conv({}));
    close(dx, [1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });
  test('conv2dBackwardWeights x=[1,3,3,1] k=2', () => {
    const dw = new Float32Array(4).fill(99);
    const db = new Float32Array(1).fill(99);
    b.conv2dBackwardWeights(dw, db, f32(range(9)), f32([1, 1, 1, 1]), conv({}));
    close(dw, [12, 16, 24, 28]);
    close(db, [4]);
  });
}

function runPoolCases(b: Backend): void {
  test('maxPool2d x=[1,4,4,1] p=2 s=2 valid', () => {
    const y = new Float32Array(4);
    const argmax = new Int32Array(4);
    b.maxPool2dForward(y, argmax, f32(range(16)), pool({}));
    close(y, [6, 8, 14, 16]);
    assert.deepEqual(Array.from(argmax), [5, 7, 13, 15]);
    const dx = new Float32Array(16).fill(9);
    b.maxPool2dBackward(dx, f32([1, 2, 3, 4]), argmax, pool({}));
    close(dx, [0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
  });
  test('maxPool2d x=[1,3,3,1] p=2 s=2 same negative', () => {
    const y = new Float32Array(4);
    const argmax = new Int32Array(4);
    b.maxPool2dForward(y, argmax, f32(range(9).map((v) => -v)), pool({ inHeight: 3, inWidth: 3, padding: 'same' }));
    close(y, [-1, -3, -7, -9]);
    assert.deepEqual(Array.from(argmax), [0, 2, 6, 8]);
  });
  test('maxPool2d ties go to the first', () => {
    const y = new Float32Array(1);
    const argmax = new Int32Array(1);
    b.maxPool2dForward(y, argmax, f32([1, 1, 1, 1]), pool({ inHeight: 2, inWidth: 2 }));
    assert.deepEqual(Array.from(argmax), [0]);
  });
  test('maxPool2d x=[1,1,3,1] p=[1,2] s=1 overlapping backward', () => {
    const attrs = pool({ inHeight: 1, inWidth: 3, poolSize: [1, 2], strides: [1, 1] });
    const y = new Float32Array(2);
    const argmax = new Int32Array(2);
    b.maxPool2dForward(y, argmax, f32([1, 3, 2]), attrs);
    close(y, [3, 3]);
    const dx = new Float32Array(3);
    b.maxPool2dBackward(dx, f32([1, 1]), argmax, attrs);
    close(dx, [0, 2, 0]);
  });
  test('avgPool2d x=[1,3,3,1] p=2 s=2 same', () => {
    const attrs = pool({ inHeight: 3, inWidth: 3, padding: 'same' });
    const y = new Float32Array(4);
    b.avgPool2dForward(y, f32(range(9)), attrs);
    close(y, [3, 4.5, 7.5, 9]);
    const dx = new Float32Array(9).fill(7);
    b.avgPool2dBackward(dx, f32([1, 1, 1, 1]), attrs);
    close(dx, [0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1]);
  });
  test('globalPool2d x=[1,2,2,2] max and avg', () => {
    const x = f32([1, 5, 3, 2, 0, 7, 3, 1]);
    const base = { batch: 1, inHeight: 2, inWidth: 2, channels: 2 };
    const y = new Float32Array(2);
    b.globalPool2dForward(y, x, { ...base, mode: 'max' });
    close(y, [3, 7]);
    b.globalPool2dForward(y, x, { ...base, mode: 'avg' });
    close(y, [1.75, 3.75]);
    const dx = new Float32Array(8).fill(9);
    b.globalPool2dBackward(dx, f32([1, 2]), x, { ...base, mode: 'max' });
    close(dx, [0, 0, 1, 0, 0, 2, 0, 0]);
    b.globalPool2dBackward(dx, f32([1, 2]), x, { ...base, mode: 'avg' });
    close(dx, [0.25, 0.5, 0.25, 0.5, 0.25, 0.5, 0.25, 0.5]);
  });
}

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

function softmaxRow(row: number[]): number[] {
  const e = row.map((v) => Math.exp(v));
  const s = e.reduce((p, v) => p + v, 0);
  return e.map((v) => v / s);
}

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

function loss(over: Partial<LossAttrs>): LossAttrs {
  return { kind: 'categoricalCrossentropy', batch: 1, classes: 3, fromLogits: false, labelSmoothing: 0, ...over };
}

function runLossCases(b: Backend): void {
  const l = new Float32Array(1);
  const d = new Float32Array(3);
  test('loss categorical probabilities unnormalised', () => {
    b.lossForward(l, d, f32([0.4, 0.6, 1]), f32([0, 0, 1]), loss({}));
    close(l, [-Math.log(0.5)]);
    close(d, [0.5, 0.5, -0.5]);
  });
  test('loss categorical logits labelSmoothing=0.1', () => {
    const z = [1, 2, 3];
    const y = [0.1 / 3, 0.9 + 0.1 / 3, 0.1 / 3];
    const lse = Math.log(z.reduce((p, v) => p + Math.exp(v), 0));
    b.lossForward(l, d, f32(z), f32([0, 1, 0]), loss({ fromLogits: true, labelSmoothing: 0.1 }));
    close(l, [lse - y.reduce((p, v, i) => p + v * z[i]!, 0)]);
    close(
      d,
      softmaxRow(z).map((s, i) => s - y[i]!),
    );
  });
  test('loss sparse logits batch=2 sampleWeight=[2,0]', () => {
    const losses = new Float32Array(2);
    const dInput = new Float32Array(6);
    const z = [1, 2, 3];
    const s = softmaxRow(z);
    b.lossForward(
      losses,
      dInput,
      f32([...z, ...z]),
      f32([1, 2]),
      loss({ kind: 'sparseCategoricalCrossentropy', batch: 2, fromLogits: true, sampleWeight: f32([2, 0]) }),
    );
    close(losses, [-2 * Math.log(s[1]!), 0]);
    close(dInput, [s[0]!, s[1]! - 1, s[2]!, 0, 0, 0]);
  });
  test('loss sparse label out of range raises ValueError', () => {
    assert.throws(
      () =>
        b.lossForward(
          new Float32Array(2),
          null,
          new Float32Array(6),
          f32([0, 3]),
          loss({ kind: 'sparseCategoricalCrossentropy', batch: 2 }),
        ),
      (e: unknown) => e instanceof ValueError && /target\[1\]/.test(e.message) && /received 3/.test(e.message),
    );
    assert.throws(
      () =>
        b.lossForward(
          new Float32Array(1),
          null,
          new Float32Array(3),
          f32([0.5]),
          loss({ kind: 'sparseCategoricalCrossentropy' }),
        ),
      (e: unknown) => e instanceof ValueError && /0\.5/.test(e.message),
    );
  });
  test('loss binary probabilities classes=2', () => {
    const d2 = new Float32Array(2);
    b.lossForward(l, d2, f32([0.8, 0.25]), f32([1, 0]), loss({ kind: 'binaryCrossentropy', classes: 2 }));
    close(l, [-(Math.log(0.8) + Math.log(0.75)) / 2]);
    close(d2, [-1 / 0.8 / 2, 1 / 0.75 / 2]);
  });
  test('loss binary logits labelSmoothing=0.2', () => {
    const d1 = new Float32Array(1);
    b.lossForward(
      l,
      d1,
      f32([0]),
      f32([1]),
      loss({ kind: 'binaryCrossentropy', classes: 1, fromLogits: true, labelSmoothing: 0.2 }),
    );
    close(l, [Math.log(2)]);
    close(d1, [0.5 - 0.9]);
  });
  test('loss meanSquaredError classes=2', () => {
    const d2 = new Float32Array(2);
    b.lossForward(l, d2, f32([1, 2]), f32([0, 4]), loss({ kind: 'meanSquaredError', classes: 2 }));
    close(l, [2.5]);
    close(d2, [1, -2]);
  });
}

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
  test('setThreads / getThreads', () => {
    b.setThreads(b.getThreads());
    assert.ok(b.getThreads() >= 1);
  });
}

function runOptimizerCases(b: Backend): void {
  test('sgd lr=0.1 plain, momentum=0.9, nesterov, weightDecay=0.5', () => {
    const g = f32([0.5, -1]);
    const p = f32([1, 2]);
    b.sgdUpdate(p, g, null, { learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0 });
    close(p, [0.95, 2.1]);
    const p2 = f32([1, 2]);
    const v = new Float32Array(2);
    const attrs = { learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 };
    b.sgdUpdate(p2, g, v, attrs);
    b.sgdUpdate(p2, g, v, attrs);
    close(v, [-0.095, 0.19]);
    close(p2, [0.855, 2.29]);
    const p3 = f32([1, 2]);
    b.sgdUpdate(p3, g, new Float32Array(2), { ...attrs, nesterov: true });
    close(p3, [0.905, 2.19]);
    const p4 = f32([1, 2]);
    b.sgdUpdate(p4, g, null, { learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0.5 });
    close(p4, [0.9, 2.0]);
  });
  test('adam lr=0.01 step=1 and step=2', () => {
    const p = f32([1]);
    const m = new Float32Array(1);
    const v = new Float32Array(1);
    const attrs = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step: 1, weightDecay: 0 };
    b.adamUpdate(p, f32([0.5]), m, v, attrs);
    const alpha1 = (0.01 * Math.sqrt(1 - 0.999)) / (1 - 0.9);
    close(m, [0.05]);
    close(v, [0.00025]);
    const p1 = 1 - (alpha1 * 0.05) / (Math.sqrt(0.00025) + 1e-7);
    close(p, [p1], 1e-7);
    b.adamUpdate(p, f32([-1]), m, v, { ...attrs, step: 2 });
    const m2 = 0.9 * 0.05 - 0.1;
    const v2 = 0.999 * 0.00025 + 0.001;
    const alpha2 = (0.01 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.81);
    close(p, [p1 - (alpha2 * m2) / (Math.sqrt(v2) + 1e-7)], 1e-6);
  });
  test('rmsprop lr=0.01 rho=0.9 plain, centered, momentum=0.9', () => {
    const base = { learningRate: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false, weightDecay: 0 };
    const p = f32([1]);
    const ms = new Float32Array(1);
    b.rmspropUpdate(p, f32([0.5]), ms, null, null, base);
    close(ms, [0.025]);
    close(p, [1 - 0.005 / Math.sqrt(0.025 + 1e-7)], 1e-7);
    const pc = f32([1]);
    const mg = new Float32Array(1);
    b.rmspropUpdate(pc, f32([0.5]), new Float32Array(1), mg, null, { ...base, centered: true });
    close(mg, [0.05]);
    close(pc, [1 - 0.005 / Math.sqrt(0.025 - 0.0025 + 1e-7)], 1e-7);
    const pm = f32([1]);
    const buf = f32([0.1]);
    b.rmspropUpdate(pm, f32([0.5]), new Float32Array(1), null, buf, { ...base, momentum: 0.9 });
    const inc = 0.005 / Math.sqrt(0.025 + 1e-7);
    close(buf, [0.09 + inc], 1e-7);
    close(pm, [1 - 0.09 - inc], 1e-7);
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
  describe(`kernels on ${backend.name}`, () => {
    runConvCases(backend);
    runPoolCases(backend);
    runDenseAndNormCases(backend);
    runActivationCases(backend);
    runLossCases(backend);
    runRandomCases(backend);
    runElementwiseCases(backend);
    runOptimizerCases(backend);
    runImageCases(backend);
  });
}
