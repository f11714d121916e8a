// Labels as users have them (Uint8Array from mnist.loadData(), Int32Array, Float32Array, number[]) in fit,
// validation and evaluate; every label checked before the first step with the dataset index; one
// fit/evaluate/predict at a time per model.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Callback } from '../../src/callbacks/callback.js';
import { ShapeError, StateError, ValueError } from '../../src/errors.js';
import { SGD } from '../../src/training/optimizers/index.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { smallSequential, toyData } from './fixtures.js';

const { x, y } = toyData(48);

class BatchCounter extends Callback {
  batches = 0;
  override async onTrainBatchEnd(): Promise<void> {
    this.batches++;
  }
}

function compiledModel() {
  const model = smallSequential();
  model.compile({ optimizer: new SGD(0.1), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

async function trainedWith(labels: { data: ArrayLike<number>; shape: number[] }): Promise<Float32Array[]> {
  setRandomSeed(5);
  const model = compiledModel();
  await model.fit(x, labels as never, { epochs: 2, batchSize: 16, verbose: 0, validationData: [x, labels as never] });
  return model.getWeights();
}

describe('training/labels', () => {
  test('Uint8Array, Int32Array, Float32Array and number[] labels train to the same weights', async () => {
    const reference = await trainedWith(y);
    for (const data of [Uint8Array.from(y.data), Int32Array.from(y.data), Array.from(y.data)]) {
      assert.deepEqual(await trainedWith({ data, shape: [48] }), reference, data.constructor.name);
    }
  });

  test('evaluate with Uint8Array labels equals evaluate with Float32Array labels', async () => {
    const model = compiledModel();
    const asFloat = await model.evaluate(x, y, { verbose: 0 });
    const asBytes = await model.evaluate(x, { data: Uint8Array.from(y.data), shape: [48] }, { verbose: 0 });
    assert.deepEqual(asBytes, asFloat);
  });

  test('a label out of range fails before the first step and names its dataset index', async () => {
    for (const bad of [Uint8Array.from(y.data), Int32Array.from(y.data)]) {
      bad[37] = 3; // the model has 3 output units: valid labels are 0..2
      const model = compiledModel();
      const counter = new BatchCounter();
      await assert.rejects(
        model.fit(x, { data: bad, shape: [48] }, { batchSize: 16, verbose: 0, callbacks: [counter] }),
        (e: unknown) =>
          e instanceof ValueError &&
          /fit: invalid 'y\[37\]'\. Expected an integer class index in \[0, 2\] \(the model has 3 output units\), received 3\./.test(
            e.message,
          ),
      );
      assert.equal(counter.batches, 0);
    }
  });

  test('validation labels are checked before training starts too', async () => {
    const bad = Float32Array.from(y.data);
    bad[5] = 1.5;
    const counter = new BatchCounter();
    await assert.rejects(
      compiledModel().fit(x, y, { verbose: 0, callbacks: [counter], validationData: [x, { data: bad, shape: [48] }] }),
      /fit: invalid 'validationData\[1\]\[5\]'\. Expected an integer class index in \[0, 2\].*received 1\.5/,
    );
    assert.equal(counter.batches, 0);
  });

  test('evaluate checks all labels first; one-hot labels in [0, 1] for categorical losses', async () => {
    const bad = Uint8Array.from(y.data);
    bad[47] = 9;
    await assert.rejects(compiledModel().evaluate(x, { data: bad, shape: [48] }), /evaluate: invalid 'y\[47\]'/);
    const model = smallSequential();
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const oneHot = new Float32Array(48 * 3);
    for (let i = 0; i < 48; i++) oneHot[i * 3 + y.data[i]!] = 1;
    oneHot[10 * 3 + 2] = -1;
    await assert.rejects(model.fit(x, { data: oneHot, shape: [48, 3] }, { verbose: 0 }), /fit: invalid 'y\[10, 2\]'/);
    await assert.rejects(
      model.fit(x, y, { verbose: 0 }),
      (e: unknown) => e instanceof ShapeError && /sparseCategoricalCrossentropy/.test(e.message),
    );
  });

  test('a second fit/evaluate/predict while fit is running throws a StateError', async () => {
    const model = compiledModel();
    const training = model.fit(x, y, { epochs: 3, verbose: 0 });
    await assert.rejects(
      model.evaluate(x, y, { verbose: 0 }),
      (e: unknown) => e instanceof StateError && /still running fit\(\)/.test(e.message),
    );
    await assert.rejects(model.fit(x, y, { verbose: 0 }), StateError);
    await assert.rejects(model.predict(x, { verbose: 0 }), StateError);
    await training;
    // Once fit is done, the model serves calls again.
    const result = await model.evaluate(x, y, { verbose: 0 });
    assert.ok(Array.isArray(result));
  });

  test('a streamed Dataset: a bad label names its index in the stream, counted across batches', async () => {
    const bad = Uint8Array.from(y.data);
    bad[21] = 7;
    const dataset = {
      length: 3,
      async *[Symbol.asyncIterator]() {
        for (let b = 0; b < 3; b++) {
          yield {
            x: { data: x.data.subarray(b * 96, (b + 1) * 96), shape: [16, 6] },
            y: { data: bad.subarray(b * 16, (b + 1) * 16), shape: [16] },
          };
        }
      },
    };
    await assert.rejects(
      compiledModel().fit(dataset as never, { verbose: 0 }),
      (e: unknown) => e instanceof ValueError && /invalid label 7 at dataset index 21 \(row 5 of this batch\)/.test(e.message),
    );
  });
});
