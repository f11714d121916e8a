// NormalizedBatches: uint8 images scaled batch by batch must train exactly as normalize() + arrays does (the
// independent expectation: fit's own array path with the same seed), and serve the same rows and values.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ByteTensor } from '../../src/datasets/idx.js';
import { NormalizedBatches } from '../../src/datasets/normalized-batches.js';
import { normalize, toCategorical } from '../../src/datasets/preprocess.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Sequential } from '../../src/models/sequential.js';
import { setRandomSeed } from '../../src/training/seed.js';

/** 8x8 uint8 images whose label (0-2) is the brightest third of the rows, with deterministic noise. */
function byteImages(count: number): { images: ByteTensor; labels: ByteTensor } {
  const data = new Uint8Array(count * 64);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 3;
    for (let p = 0; p < 64; p++) {
      const band = Math.min(2, Math.floor(p / 8 / 3));
      data[i * 64 + p] = (band === labels[i] ? 150 : 20) + ((i * 37 + p * 11) % 90);
    }
  }
  return { images: { data, shape: [count, 8, 8] }, labels: { data: labels, shape: [count] } };
}

function model(): Sequential {
  const m = new Sequential([
    new Conv2D({ filters: 3, kernelSize: [3, 3], activation: 'relu', inputShape: [8, 8, 1] }),
    new Flatten(),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

describe('NormalizedBatches', () => {
  const { images, labels } = byteImages(50);

  test('fit on uint8 batches is bit-identical to fit on normalize() arrays with the same seed (shuffled, 3 epochs)', async () => {
    setRandomSeed(11);
    const onArrays = model();
    const y = { data: Float32Array.from(labels.data), shape: [50] };
    const arraysHistory = await onArrays.fit(normalize(images), y, { epochs: 3, batchSize: 16, verbose: 0 });
    setRandomSeed(11);
    const onBatches = model();
    const batchesHistory = await onBatches.fit(new NormalizedBatches(images, labels, 16), { epochs: 3, verbose: 0 });
    sameBits(batchesHistory.history.loss!, arraysHistory.history.loss!, 'loss');
    assert.ok(arraysHistory.history.loss![2]! < arraysHistory.history.loss![0]!, 'training must move the weights');
    onArrays.layers.forEach((layer, l) => {
      const other = onBatches.layers[l]!.getWeights();
      layer.getWeights().forEach((w, k) => {
        sameBits(other[k]!, w, `layer ${l} weight ${k}`);
      });
    });
  });

  test('evaluate over unshuffled batches equals evaluate on arrays', async () => {
    setRandomSeed(2);
    const m = model();
    const y = { data: Float32Array.from(labels.data), shape: [50] };
    const onArrays = await m.evaluate(normalize(images), y, { batchSize: 16, verbose: 0 });
    const onBatches = await m.evaluate(new NormalizedBatches(images, labels, 16, false), { verbose: 0 });
    assert.deepEqual(onBatches, onArrays);
  });

  test('oneHotClasses serves toCategorical labels: evaluate of a categorical model equals evaluate on arrays', async () => {
    setRandomSeed(3);
    const m = model();
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const onArrays = await m.evaluate(normalize(images), toCategorical(labels, 3), { batchSize: 16, verbose: 0 });
    const onBatches = await m.evaluate(new NormalizedBatches(images, labels, 16, false, 3), { verbose: 0 });
    assert.deepEqual(onBatches, onArrays);
    const first = (await new NormalizedBatches(images, labels, 4, false, 3)[Symbol.asyncIterator]().next()).value;
    assert.deepEqual(first.y.shape, [4, 3]);
    assert.deepEqual([...first.y.data], [...toCategorical(labels, 3).data.subarray(0, 12)]);
    assert.throws(
      () => new NormalizedBatches(images, labels, 16, false, 2),
      (e: Error) =>
        e instanceof ValueError && /invalid 'labels\[2\]'. Expected a class index below 2, received 2/.test(e.message),
    );
  });

  test('serves rows in order without shuffle: values x/255, a channel axis, a short last batch', async () => {
    const ds = new NormalizedBatches(images, labels, 16, false);
    assert.equal(ds.length, 4);
    ds.reset();
    const shapes: number[][] = [];
    let row = 0;
    for await (const batch of ds) {
      const x = batch.x as { data: Float32Array; shape: number[] };
      shapes.push(x.shape);
      for (let r = 0; r < x.shape[0]!; r++, row++) {
        assert.equal(batch.y.data[r], labels.data[row]);
        for (let p = 0; p < 64; p++) assert.equal(x.data[r * 64 + p], Math.fround(images.data[row * 64 + p]! / 255));
      }
    }
    assert.equal(row, 50);
    assert.deepEqual(shapes, [
      [16, 8, 8, 1],
      [16, 8, 8, 1],
      [16, 8, 8, 1],
      [2, 8, 8, 1],
    ]);
  });

  test('bad arguments name the argument, what was expected and what was received', () => {
    assert.throws(
      () => new NormalizedBatches(images, labels, 0),
      (e: Error) => {
        assert.ok(e instanceof ValueError);
        assert.match(e.message, /NormalizedBatches: invalid 'batchSize'. Expected a positive integer, received 0/);
        return true;
      },
    );
    assert.throws(
      () => new NormalizedBatches(images, { data: labels.data.subarray(0, 10), shape: [10] }, 8),
      (e: Error) => e instanceof ShapeError && /invalid 'labels'. Expected 50 class indices/.test(e.message),
    );
    assert.throws(
      () => new NormalizedBatches({ data: images.data, shape: [50 * 64] }, labels, 8),
      (e: Error) => e instanceof ShapeError && /invalid 'images'/.test(e.message),
    );
  });
});
