// Layers keep their output and gradient buffers across steps, and since a batch-size change no longer reallocates
// them (reuse keeps the largest allocation), a smaller batch runs in a view of a buffer holding an earlier, larger
// batch's stale values. Checked here: the memory is kept, and predictions and SGD training steps at changing batch
// sizes equal those of models whose buffers are all fresh.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Add,
  BatchNormalization,
  Conv2D,
  Dense,
  DepthwiseConv2D,
  GlobalAveragePooling2D,
  Input,
  MaxPooling2D,
  Model,
  ReLU,
  SGD,
  setRandomSeed,
  ZeroPadding2D,
} from '../../src/index.js';
import { reuse } from '../../src/layers/common.js';
import { cloneModelArchitecture } from '../../src/models/model-config.js';
import type { Tensor } from '../../src/tensor.js';
import { expectClose } from '../helpers/native-compare.js';

/** A small MobileNetV2-like network: every layer kind whose buffers the MobileNets reuse. */
function network(): Model {
  const input = Input({ shape: [10, 10, 3] });
  let x = new Conv2D(6, 3, { padding: 'same', useBias: false }).apply(input);
  x = new BatchNormalization().apply(x);
  const a = new ReLU({ maxValue: 6 }).apply(x);
  let b = new ZeroPadding2D([
    [0, 1],
    [0, 1],
  ]).apply(a);
  b = new DepthwiseConv2D(3, { strides: 1, padding: 'valid' }).apply(b);
  b = new ZeroPadding2D([
    [1, 0],
    [1, 0],
  ]).apply(b);
  b = new DepthwiseConv2D(1).apply(b);
  x = new Add().apply([a, b]);
  x = new MaxPooling2D(2).apply(x);
  x = new GlobalAveragePooling2D().apply(x);
  return new Model(input, new Dense(4, { activation: 'softmax' }).apply(x));
}

const rows = (x: Tensor, from: number, to: number): Tensor => {
  const size = x.data.length / x.shape[0]!;
  return { data: x.data.slice(from * size, to * size), shape: [to - from, ...x.shape.slice(1)] };
};

describe('layer buffers across batch sizes', () => {
  test('reuse keeps the largest allocation and grows only past it', () => {
    const a = reuse(null, 8);
    const smaller = reuse(a, 4);
    assert.equal(smaller.length, 4);
    assert.equal(smaller.buffer, a.buffer, 'a smaller batch reuses the memory');
    const back = reuse(smaller, 8);
    assert.equal(back.length, 8);
    assert.equal(back.buffer, a.buffer, 'back to the larger size: still the same memory');
    assert.equal(reuse(back, 8), back);
    const larger = reuse(back, 9);
    assert.equal(larger.length, 9);
    assert.notEqual(larger.buffer, a.buffer);
  });

  test('predictions at changing batch sizes equal one batch of all', async () => {
    setRandomSeed(11);
    const model = network();
    const x: Tensor = { data: Float32Array.from({ length: 7 * 300 }, (_, i) => Math.sin(i * 0.37)), shape: [7, 10, 10, 3] };
    const all = await model.predict(x, { batchSize: 7, verbose: 0 });
    const pieces: number[] = [];
    for (const [from, to] of [
      [0, 4],
      [4, 5],
      [5, 7],
    ] as const) {
      pieces.push(...(await model.predictOnBatch(rows(x, from, to))).data);
    }
    expectClose('4, 1, 2 rows', pieces, all.data, 1e-6, 1e-5);
    const inThrees = await model.predict(x, { batchSize: 3, verbose: 0 });
    expectClose('batches of 3', inThrees.data, all.data, 1e-6, 1e-5);
  });

  test('SGD steps at batch sizes 5, 2, 5, 1 equal the same steps in fresh models', async () => {
    setRandomSeed(12);
    const model = network();
    const x: Tensor = { data: Float32Array.from({ length: 13 * 300 }, (_, i) => Math.cos(i * 0.21)), shape: [13, 10, 10, 3] };
    const y: Tensor = { data: Float32Array.from({ length: 13 }, (_, i) => i % 4), shape: [13] };
    const compile = (m: Model) => m.compile({ optimizer: new SGD(0.1), loss: 'sparseCategoricalCrossentropy' });
    compile(model);
    const initial = model.getWeights().map((w) => w.slice());
    let weights = initial;
    for (const [from, to] of [
      [0, 5],
      [5, 7],
      [7, 12],
      [12, 13],
    ] as const) {
      await model.trainOnBatch(rows(x, from, to), rows(y, from, to));
      const fresh = cloneModelArchitecture(model);
      compile(fresh);
      fresh.setWeights(weights);
      await fresh.trainOnBatch(rows(x, from, to), rows(y, from, to));
      weights = fresh.getWeights().map((w) => w.slice());
    }
    const reused = model.getWeights();
    assert.equal(reused.length, weights.length);
    for (const [i, w] of reused.entries()) expectClose(`weight ${i}`, w, weights[i]!, 1e-6, 1e-5);
    assert.ok(
      reused.some((w, i) => w.some((v, j) => v !== initial[i]![j])),
      'the steps changed the weights',
    );
  });
});
