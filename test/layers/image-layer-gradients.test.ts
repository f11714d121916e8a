// Input gradients through the image layers, for saliency and Grad-CAM: Resizing (bilinear, nearest, area, with and
// without cropToAspectRatio), CenterCrop and RandomCrop (inference: the aspect-keeping resize; training: the batch's
// window) against central differences of a random linear read-out of the output (the maps are linear, so the
// differences are exact up to float32 rounding); RandomRotation/Translation/Zoom/Flip pass the gradient unchanged
// in inference, and say why not while training; and a saliency-style backward through a whole model.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CenterCrop,
  Dense,
  Flatten,
  RandomCrop,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
  Resizing,
} from '../../src/layers/index.js';
import type { CallContext, Layer } from '../../src/layers/layer.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/tensor.js';
import { reference } from '../helpers/backends.js';
import { centralDifferences } from '../helpers/central-differences.js';
import { rand } from './naive.js';

const ctx = (training: boolean, needsInputGrad = true): CallContext => ({
  backend: reference,
  training,
  needsInputGrad,
  rng: { seed: 4, offset: 0 },
});

/** Checks layer.backward against central differences of sum(w * layer(x)). */
function checkGradient(layer: Layer, shape: number[], training: boolean): void {
  const size = shape.reduce((a, b) => a * b, 1);
  const x: Tensor = { data: rand(size, 11, 0, 255), shape };
  const context = ctx(training);
  const first = layer.forward([x], context);
  const w = rand(first.data.length, 12, -1, 1);
  const readout = () => {
    // Same draw every call: the training crop reads the rng, so it is reset before each forward.
    context.rng.offset = 0;
    const y = layer.forward([x], { ...context, rng: { seed: 4, offset: 0 } }).data;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += w[i]! * y[i]!;
    return s;
  };
  readout();
  const dx = layer.backward({ data: Float32Array.from(w), shape: first.shape }, context)[0]!;
  readout();
  const expected = centralDifferences(readout, x.data, 1);
  assert.deepEqual(dx.shape, shape);
  let worst = 0;
  for (let i = 0; i < size; i++) worst = Math.max(worst, Math.abs(dx.data[i]! - expected[i]!));
  assert.ok(worst < 2e-3, `${layer.name}: largest difference ${worst}`);
}

describe('input gradients of the image-size layers (central differences)', () => {
  for (const [name, make, shape] of [
    ['Resizing bilinear 5x7 -> 3x4', () => new Resizing(3, 4), [2, 5, 7, 2]],
    ['Resizing bilinear upsampling 3x3 -> 5x4', () => new Resizing(5, 4), [1, 3, 3, 3]],
    ['Resizing nearest 6x6 -> 4x3', () => new Resizing(4, 3, { interpolation: 'nearest' }), [2, 6, 6, 1]],
    ['Resizing area 6x8 -> 3x4', () => new Resizing(3, 4, { interpolation: 'area' }), [1, 6, 8, 2]],
    ['Resizing cropToAspectRatio 6x9 -> 4x4', () => new Resizing(4, 4, { cropToAspectRatio: true }), [2, 6, 9, 1]],
    ['CenterCrop 7x6 -> 4x3', () => new CenterCrop(4, 3), [2, 7, 6, 2]],
    ['RandomCrop inference 7x6 -> 4x4', () => new RandomCrop(4, 4), [2, 7, 6, 1]],
  ] as const) {
    test(name, () => checkGradient(make(), [...shape], false));
  }

  test('RandomCrop while training: the gradient lands in the cropped window', () => {
    // No own seed: the window comes from the context's stream, which every read-out restarts, so it stays put.
    checkGradient(new RandomCrop(4, 3), [3, 7, 6, 2], true);
  });
});

describe('random resampling layers', () => {
  test('inference passes the gradient unchanged (they are the identity there)', () => {
    for (const layer of [new RandomRotation(0.2), new RandomTranslation(0.1, 0.1), new RandomZoom(0.2), new RandomFlip()]) {
      const x: Tensor = { data: rand(2 * 4 * 4 * 3, 5, 0, 1), shape: [2, 4, 4, 3] };
      assert.equal(layer.forward([x], ctx(false)), x);
      const dy: Tensor = { data: rand(x.data.length, 6, -1, 1), shape: x.shape };
      assert.deepEqual(Array.from(layer.backward(dy, ctx(false))[0]!.data), Array.from(dy.data));
    }
  });

  test('training rotation has no input gradient: a clear error', () => {
    const layer = new RandomRotation(0.2, { seed: 1 });
    const x: Tensor = { data: rand(2 * 4 * 4 * 3, 5, 0, 1), shape: [2, 4, 4, 3] };
    layer.forward([x], ctx(true));
    assert.throws(
      () => layer.backward({ data: new Float32Array(x.data.length), shape: x.shape }, ctx(true)),
      /no input gradient/,
    );
  });

  test('a saliency-style backward through a model that starts with Resizing and RandomRotation', () => {
    const model = new Sequential([
      new Resizing(4, 4, { inputShape: [6, 6, 1] }),
      new RandomRotation(0.1),
      new Flatten(),
      new Dense(1, { kernelInitializer: 'ones' }),
    ]);
    model.build([null, 6, 6, 1]);
    const x: Tensor = { data: rand(36, 3, 0, 1), shape: [1, 6, 6, 1] };
    const context = { ...ctx(false), backend: reference };
    model.forward([x], context);
    const dx = model.backward({ data: Float32Array.of(1), shape: [1, 1] }, context)[0]!;
    // With an all-ones Dense, d(sum of the resized image)/dx: the resize's column sums, positive and summing to 16.
    const total = Array.from(dx.data).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 16) < 1e-4, `total ${total}`);
    assert.ok(Array.from(dx.data).every((v) => v >= 0));
  });
});
