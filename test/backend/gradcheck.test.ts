// Finite-difference checks (central differences, float64) of every backward kernel on the reference backend:
// the scalar is sum(r * forward(...)) for a fixed random projection r, so the analytic gradient is backward(dy = r).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ActivationAttrs, Conv2dAttrs, LossKind, Pool2dAttrs } from '../../src/backend/backend.js';
import { conv2dGeometry, pool2dGeometry } from '../../src/backend/shapes.js';
import { reference as b } from '../helpers/backends.js';
import { centralDifferences } from '../helpers/central-differences.js';
import { assertWithin } from '../helpers/close.js';

const H = 1e-6;

/** Deterministic pseudo-random values in [low, high). */
function rand(n: number, seed: number, low = -1, high = 1): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = low + ((s >>> 8) / 16777216) * (high - low);
  }
  return out;
}

/** Compares analytic with central differences of f over every element of `param` (perturbed in place); NaN fails. */
function check(what: string, f: () => number, param: Float64Array, analytic: ArrayLike<number>, tol = 1e-6): void {
  const numeric = centralDifferences(f, param, H);
  assertWithin(`${what} (analytic vs central differences)`, analytic, numeric, tol);
}

const dot = (a: ArrayLike<number>, r: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * r[i]!;
  return s;
};

function convCase(
  name: string,
  x: [number, number, number, number],
  co: number,
  k: [number, number],
  over: Partial<Conv2dAttrs>,
): void {
  const attrs: Conv2dAttrs = {
    batch: x[0],
    inHeight: x[1],
    inWidth: x[2],
    inChannels: x[3],
    outChannels: co,
    kernelHeight: k[0],
    kernelWidth: k[1],
    strides: [1, 1],
    dilations: [1, 1],
    padding: 'valid',
    groups: 1,
    activation: 'linear',
    ...over,
  };
  test(`conv2d x=[${x}] co=${co} ${name}`, () => {
    const g = conv2dGeometry(attrs);
    const xs = rand(x[0] * x[1] * x[2] * x[3], 1);
    const w = rand(k[0] * k[1] * (x[3] / attrs.groups) * co, 2);
    const bias = rand(co, 3);
    const r = rand(x[0] * g.outHeight * g.outWidth * co, 4);
    const y = new Float64Array(r.length);
    const f = (): number => {
      b.conv2dForward(y, xs, w, bias, attrs);
      return dot(y, r);
    };
    const dx = new Float64Array(xs.length);
    const dw = new Float64Array(w.length);
    const db = new Float64Array(co);
    b.conv2dBackwardData(dx, r, w, attrs);
    b.conv2dBackwardWeights(dw, db, xs, r, attrs);
    check('dx', f, xs, dx);
    check('dw', f, w, dw);
    check('db', f, bias, db);
  });
}

describe('gradcheck conv2d (reference, float64)', () => {
  convCase('k=3 s=1 valid', [2, 5, 5, 2], 3, [3, 3], {});
  convCase('k=3 s=2 same', [2, 7, 7, 3], 2, [3, 3], { strides: [2, 2], padding: 'same' });
  convCase('k=2 s=2 same even', [1, 6, 5, 2], 2, [2, 2], { strides: [2, 2], padding: 'same' });
  convCase('k=3 d=2 same', [1, 7, 6, 2], 2, [3, 3], { dilations: [2, 2], padding: 'same' });
  convCase('k=3 groups=2', [1, 5, 5, 4], 6, [3, 3], { groups: 2 });
  convCase('k=3 depthwise multiplier=2 same', [2, 5, 5, 3], 6, [3, 3], { groups: 3, padding: 'same' });
  convCase('k=[2,3] explicit padding s=[1,2]', [1, 5, 6, 2], 2, [2, 3], {
    strides: [1, 2],
    padding: { top: 1, bottom: 0, left: 2, right: 1 },
  });
});

function poolCase(
  mode: 'max' | 'avg',
  x: [number, number, number, number],
  p: [number, number],
  s: [number, number],
  padding: 'valid' | 'same',
): void {
  const attrs: Pool2dAttrs = { batch: x[0], inHeight: x[1], inWidth: x[2], channels: x[3], poolSize: p, strides: s, padding };
  test(`${mode}Pool2d x=[${x}] p=${p} s=${s} ${padding}`, () => {
    const g = pool2dGeometry(attrs);
    const xs = rand(x[0] * x[1] * x[2] * x[3], 5);
    const r = rand(x[0] * g.outHeight * g.outWidth * x[3], 6);
    const y = new Float64Array(r.length);
    const argmax = new Int32Array(r.length);
    const f = (): number => {
      if (mode === 'max') b.maxPool2dForward(y, argmax, xs, attrs);
      else b.avgPool2dForward(y, xs, attrs);
      return dot(y, r);
    };
    f();
    const dx = new Float64Array(xs.length);
    if (mode === 'max') b.maxPool2dBackward(dx, r, argmax, attrs);
    else b.avgPool2dBackward(dx, r, attrs);
    check('dx', f, xs, dx);
  });
}

describe('gradcheck pooling (reference, float64)', () => {
  for (const mode of ['max', 'avg'] as const) {
    poolCase(mode, [2, 4, 4, 2], [2, 2], [2, 2], 'valid');
    poolCase(mode, [2, 5, 5, 2], [2, 2], [2, 2], 'same');
    poolCase(mode, [1, 5, 6, 2], [3, 3], [1, 1], 'same');
    poolCase(mode, [1, 5, 5, 1], [3, 2], [2, 1], 'valid');
  }
  for (const mode of ['max', 'avg'] as const) {
    test(`globalPool2d ${mode} x=[2,3,4,3]`, () => {
      const attrs = { batch: 2, inHeight: 3, inWidth: 4, channels: 3, mode };
      const xs = rand(72, 7);
      const r = rand(6, 8);
      const y = new Float64Array(6);
      const f = (): number => {
        b.globalPool2dForward(y, xs, attrs);
        return dot(y, r);
      };
      const dx = new Float64Array(72);
      b.globalPool2dBackward(dx, r, xs, attrs);
      check('dx', f, xs, dx);
    });
  }
});

describe('gradcheck dense and batchNorm (reference, float64)', () => {
  test('dense x=[3,4] out=5', () => {
    const attrs = { batch: 3, inUnits: 4, outUnits: 5, activation: 'linear' as const };
    const xs = rand(12, 9);
    const w = rand(20, 10);
    const bias = rand(5, 11);
    const r = rand(15, 12);
    const y = new Float64Array(15);
    const f = (): number => {
      b.denseForward(y, xs, w, bias, attrs);
      return dot(y, r);
    };
    const dx = new Float64Array(12);
    const dw = new Float64Array(20);
    const db = new Float64Array(5);
    b.denseBackwardData(dx, r, w, attrs);
    b.denseBackwardWeights(dw, db, xs, r, attrs);
    check('dx', f, xs, dx);
    check('dw', f, w, dw);
    check('db', f, bias, db);
  });
  for (const training of [true, false]) {
    test(`batchNorm count=6 C=3 ${training ? 'training' : 'inference'}`, () => {
      const attrs = { count: 6, channels: 3, epsilon: 1e-3, momentum: 0.9 };
      const xs = rand(18, 13, -2, 2);
      const gamma = rand(3, 14, 0.5, 1.5);
      const beta = rand(3, 15);
      const movingMean = rand(3, 16);
      const movingVar = rand(3, 17, 0.5, 2);
      const r = rand(18, 18);
      const y = new Float64Array(18);
      const mean = new Float64Array(3);
      const invStd = new Float64Array(3);
      const f = (): number => {
        if (training) b.batchNormForwardTraining(y, mean, invStd, xs, gamma, beta, movingMean.slice(), movingVar.slice(), attrs);
        else b.batchNormForwardInference(y, xs, gamma, beta, movingMean, movingVar, attrs);
        return dot(y, r);
      };
      f();
      if (!training) {
        mean.set(movingMean);
        for (let c = 0; c < 3; c++) invStd[c] = 1 / Math.sqrt(movingVar[c]! + attrs.epsilon);
      }
      const dx = new Float64Array(18);
      const dGamma = new Float64Array(3);
      const dBeta = new Float64Array(3);
      b.batchNormBackward(dx, dGamma, dBeta, r, xs, gamma, mean, invStd, { ...attrs, training });
      check('dx', f, xs, dx);
      check('dGamma', f, gamma, dGamma);
      check('dBeta', f, beta, dBeta);
    });
  }
});

const ACTIVATIONS: [string, ActivationAttrs][] = [
  ['linear', { kind: 'linear' }],
  ['relu', { kind: 'relu' }],
  ['relu alpha=0.2 max=1.5 threshold=-0.5', { kind: 'relu', alpha: 0.2, maxValue: 1.5, threshold: -0.5 }],
  ['relu6', { kind: 'relu6' }],
  ['leakyRelu', { kind: 'leakyRelu' }],
  ['elu alpha=1.5', { kind: 'elu', alpha: 1.5 }],
  ['sigmoid', { kind: 'sigmoid' }],
  ['hardSigmoid', { kind: 'hardSigmoid' }],
  ['tanh', { kind: 'tanh' }],
  ['softmax axisSize=4', { kind: 'softmax', axisSize: 4 }],
  ['swish', { kind: 'swish' }],
  ['gelu exact', { kind: 'gelu' }],
  ['gelu approximate', { kind: 'gelu', approximate: true }],
  ['softplus', { kind: 'softplus' }],
];

describe('gradcheck activations (reference, float64)', () => {
  for (const [name, attrs] of ACTIVATIONS) {
    test(`activation ${name} x=[24] in [-4, 8)`, () => {
      const xs = rand(24, 19, -4, 8);
      const r = rand(24, 20);
      const y = new Float64Array(24);
      const f = (): number => {
        b.activationForward(y, xs, attrs);
        return dot(y, r);
      };
      f();
      const dx = new Float64Array(24);
      b.activationBackward(dx, r, xs, y, attrs);
      check('dx', f, xs, dx);
    });
  }
});

describe('gradcheck losses (reference, float64)', () => {
  const kinds: LossKind[] = [
    'categoricalCrossentropy',
    'sparseCategoricalCrossentropy',
    'binaryCrossentropy',
    'meanSquaredError',
  ];
  for (const kind of kinds) {
    for (const fromLogits of [false, true]) {
      for (const labelSmoothing of [0, 0.1]) {
        for (const weighted of [false, true]) {
          test(`loss ${kind} fromLogits=${fromLogits} labelSmoothing=${labelSmoothing} sampleWeight=${weighted}`, () => {
            const N = 3;
            const K = 4;
            const probabilities = !fromLogits && kind !== 'meanSquaredError';
            const input = probabilities ? rand(N * K, 21, 0.05, 0.95) : rand(N * K, 21, -3, 3);
            let target: Float64Array;
            if (kind === 'sparseCategoricalCrossentropy') target = Float64Array.from([2, 0, 3]);
            else if (kind === 'categoricalCrossentropy') target = Float64Array.from([0, 0, 1, 0, 1, 0, 0, 0, 0.25, 0.25, 0.5, 0]);
            else target = rand(N * K, 22, 0, 1);
            const attrs = {
              kind,
              batch: N,
              classes: K,
              fromLogits,
              labelSmoothing,
              ...(weighted ? { sampleWeight: Float64Array.from([0.5, 2, 0]) } : {}),
            };
            const losses = new Float64Array(N);
            const f = (): number => {
              b.lossForward(losses, null, input, target, attrs);
              return losses.reduce((p, v) => p + v, 0) / N;
            };
            const dInput = new Float64Array(N * K);
            b.lossForward(losses, dInput, input, target, attrs);
            check('dInput', f, input, dInput, 1e-5);
          });
        }
      }
    }
  }
});

describe('gradcheck itself', () => {
  test('a NaN analytic gradient or a NaN function value fails the check', () => {
    const p = Float64Array.of(1, 2);
    assert.throws(() => check('nan grad', () => p[0]! + p[1]!, p, [1, Number.NaN]), /Infinity at index 1/);
    assert.throws(() => check('nan f', () => (p[1]! > 1.5 ? Number.NaN : p[0]!), p, [1, 0]), /Infinity at index 0/);
    check('finite', () => p[0]! + 3 * p[1]!, p, [1, 3]);
  });
});
