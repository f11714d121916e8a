// Hand-computed small cases for the loss and optimizer-update kernels, run on every backend in allBackends.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend, LossAttrs } from '../../src/backend/backend.js';
import { ValueError } from '../../src/errors.js';
import { allBackends } from '../helpers/backends.js';
import { close, f32, softmaxRow } from '../helpers/close.js';

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

for (const backend of allBackends) {
  describe(`loss/optimizer kernels on ${backend.name}`, () => {
    runLossCases(backend);
    runOptimizerCases(backend);
  });
}
