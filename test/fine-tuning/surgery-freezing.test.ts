// Fine-tuning mechanics: flattening nested models (same predictions, Keras's layer list), cutting at the feature
// layer, a new head, freezing / unfreezing counted as Keras counts model.layers, and what freezing means in fit:
// frozen weights bit-identical after steps, frozen BatchNormalization in inference mode, summary counts.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freeze, unfreeze } from '../../src/fine-tuning/freezing.js';
import { addClassifier, featureExtractor, flattenModel } from '../../src/fine-tuning/surgery.js';
import {
  Adam,
  BatchNormalization,
  Conv2D,
  Dense,
  GlobalAveragePooling2D,
  Input,
  Model,
  NotFoundError,
  ReLU,
  Sequential,
  setRandomSeed,
} from '../../src/index.js';
import { allBackends } from '../helpers/backends.js';

const images = (n: number, seed: number) => ({
  data: Float32Array.from({ length: n * 6 * 6 * 2 }, (_, i) => Math.sin(i * 0.37 + seed)),
  shape: [n, 6, 6, 2],
});
const labels = (n: number) => ({ data: Float32Array.from({ length: n }, (_, i) => i % 3), shape: [n] });

/** A Teachable-Machine-shaped model: Sequential[ Sequential[ Functional conv base, pooling ], Sequential[ Dense, Dense ] ]. */
function nestedModel(): Sequential {
  const input = Input({ shape: [6, 6, 2], name: 'base_input' });
  let x = new Conv2D(4, 3, { padding: 'same', useBias: false, name: 'conv_a' }).apply(input);
  x = new BatchNormalization({ name: 'bn_a' }).apply(x);
  x = new ReLU({ maxValue: 6, name: 'relu_a' }).apply(x);
  x = new Conv2D(5, 3, { strides: 2, useBias: false, name: 'conv_b' }).apply(x);
  x = new BatchNormalization({ name: 'bn_b' }).apply(x);
  x = new ReLU({ maxValue: 6, name: 'relu_b' }).apply(x);
  const conv = new Model(input, x, { name: 'model1' });
  const base = new Sequential([Input([6, 6, 2]), conv, new GlobalAveragePooling2D({ name: 'pool' })], { name: 'sequential_1' });
  const head = new Sequential(
    [
      Input([5]),
      new Dense(7, { activation: 'relu', name: 'dense_1' }),
      new Dense(3, { activation: 'softmax', useBias: false, name: 'dense_2' }),
    ],
    {
      name: 'sequential_3',
    },
  );
  return new Sequential([Input([6, 6, 2]), base, head], { name: 'tm_like' });
}

/** Gives every BatchNormalization non-trivial moving statistics, so inference and training modes differ. */
function setMovingStats(model: Model): void {
  for (const layer of flattenModel(model).layers) {
    if (layer instanceof BatchNormalization) {
      const c = layer.movingMean!.value.length;
      layer.movingMean!.value.set(Float32Array.from({ length: c }, (_, i) => 0.3 * i - 0.2));
      layer.movingVariance!.value.set(Float32Array.from({ length: c }, (_, i) => 0.5 + 0.25 * i));
    }
  }
}

const snapshot = (model: Model) => new Map(model.weights.map((w) => [w, w.value.slice()]));

for (const backend of allBackends) {
  describe(`fine-tuning mechanics (${backend.name})`, () => {
    test('flattenModel inlines nested models: Keras layer list, same weights, same predictions', async () => {
      setRandomSeed(3);
      const nested = nestedModel();
      nested.backendOverride = backend;
      assert.deepEqual(
        nested.layers.map((l) => l.name),
        ['sequential_1', 'sequential_3'],
      );
      const flat = flattenModel(nested);
      flat.backendOverride = backend;
      assert.equal(flat.layers[0]!.className, 'InputLayer');
      assert.deepEqual(
        flat.layers.slice(1).map((l) => l.name),
        ['conv_a', 'bn_a', 'relu_a', 'conv_b', 'bn_b', 'relu_b', 'pool', 'dense_1', 'dense_2'],
      );
      assert.equal(flat.countParams(), nested.countParams());
      const x = images(4, 1);
      const expected = await nested.predict(x, { verbose: 0 });
      const actual = await flat.predict(x, { verbose: 0 });
      assert.deepEqual(Array.from(actual.data), Array.from(expected.data));
    });

    test("Keras's functional slicing: new Model(model.inputs, model.getLayer(name).output)", async () => {
      const flat = flattenModel(nestedModel());
      flat.backendOverride = backend;
      const cut = new Model(flat.inputs, flat.getLayer('relu_b').output);
      assert.deepEqual(cut.outputs[0]!.shape, [null, 2, 2, 5]);
      assert.equal(cut.getLayer('conv_b'), flat.getLayer('conv_b'), 'layers (and weights) are shared');
      assert.throws(() => new Dense(3).output, /has not been called on a symbolic tensor yet/);
    });

    test('featureExtractor stops before the Dense head; upTo picks any layer; a wrong name lists the layers', async () => {
      const nested = nestedModel();
      const features = featureExtractor(nested);
      assert.deepEqual(features.outputs[0]!.shape, [null, 5]);
      assert.equal(features.layers[features.layers.length - 1]!.name, 'pool');
      const upTo = featureExtractor(nested, { upTo: 'dense_1' });
      assert.deepEqual(upTo.outputs[0]!.shape, [null, 7]);
      assert.throws(
        () => featureExtractor(nested, { upTo: 'dense_9' }),
        (e: Error) => {
          assert.ok(e instanceof NotFoundError);
          assert.match(e.message, /invalid 'upTo'.*received "dense_9".*conv_a, bn_a/);
          return true;
        },
      );
      const classifier = addClassifier(featureExtractor(nested, { upTo: 'relu_b' }), 4);
      assert.deepEqual(
        classifier.layers.slice(-2).map((l) => l.className),
        ['GlobalAveragePooling2D', 'Dense'],
      );
      assert.deepEqual(classifier.outputs[0]!.shape, [null, 4]);
    });

    test('freeze + unfreeze({ last }) counts model.layers as Keras; summary splits the params', () => {
      const model = addClassifier(featureExtractor(nestedModel()), 3);
      freeze(model);
      const unfrozen = unfreeze(model, { last: 4 });
      assert.deepEqual(
        unfrozen.map((l) => l.name),
        ['bn_b', 'relu_b', 'pool', 'predictions'],
      );
      const lines: string[] = [];
      model.summary((line) => lines.push(line));
      // conv_a 2*9*4 = 72, bn_a 4*4 = 16, conv_b 4*9*5 = 180, bn_b 5*4 = 20, predictions 5*3 + 3 = 18: total 306.
      // Trainable: bn_b gamma and beta (10) and predictions (18); bn_b's moving statistics never train.
      assert.ok(lines.includes('Total params: 306 (1.20 KB)'), lines.join('\n'));
      assert.ok(lines.includes('Trainable params: 28 (112.00 B)'), lines.join('\n'));
      assert.ok(lines.includes('Non-trainable params: 278 (1.09 KB)'), lines.join('\n'));
      unfreeze(model, { names: ['conv_a'] });
      assert.equal(
        model.trainableWeights.reduce((t, w) => t + w.value.length, 0),
        28 + 72,
      );
      assert.throws(() => unfreeze(model, { last: 99 }), /invalid 'last'. Expected an integer from 0 to 9/);
      assert.throws(() => unfreeze(model, { names: ['nope'] }), /invalid 'names'.*received "nope"/);
    });

    test('a fit step changes only unfrozen weights; frozen ones (and frozen BN statistics) stay bit-identical', async () => {
      setRandomSeed(5);
      const model = addClassifier(featureExtractor(nestedModel()), 3);
      model.backendOverride = backend;
      setMovingStats(model);
      freeze(model);
      unfreeze(model, { last: 4 });
      model.compile({ optimizer: new Adam(1e-2), loss: 'sparseCategoricalCrossentropy' });
      const before = snapshot(model);
      await model.fit(images(8, 2), labels(8), { epochs: 2, batchSize: 4, verbose: 0 });
      const trainable = new Set(model.trainableWeights);
      const bnB = model.getLayer('bn_b') as BatchNormalization;
      for (const w of model.weights) {
        const changed = w.value.some((v, i) => v !== before.get(w)![i]);
        // bn_b is unfrozen: it trains in batch-statistics mode, so its moving statistics move too.
        const expectChange = trainable.has(w) || w === bnB.movingMean || w === bnB.movingVariance;
        assert.equal(changed, expectChange, `${w.name} of ${model.layers.find((l) => l.weights.includes(w))!.name}`);
      }
    });

    test('a frozen BatchNormalization computes with its moving statistics inside fit (Keras 2.1+)', async () => {
      setRandomSeed(7);
      const model = addClassifier(featureExtractor(nestedModel()), 3);
      model.backendOverride = backend;
      setMovingStats(model);
      freeze(model);
      unfreeze(model, { last: 1 });
      model.compile({ optimizer: new Adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
      const x = images(6, 3);
      const y = labels(6);
      // testOnBatch runs inference mode; trainOnBatch reports the loss of its training-mode forward pass, taken
      // before its update. They agree only if every frozen BN used its moving statistics while training.
      const inference = (await model.testOnBatch(x, y)).loss!;
      const training = (await model.trainOnBatch(x, y)).loss!;
      assert.ok(Math.abs(training - inference) <= 1e-6 * (1 + Math.abs(inference)), `${training} vs ${inference}`);
      // Control: with bn_b unfrozen the training pass uses batch statistics and the loss differs.
      unfreeze(model, { names: ['bn_b'] });
      model.compile({ optimizer: new Adam(0), loss: 'sparseCategoricalCrossentropy' });
      const inference2 = (await model.testOnBatch(x, y)).loss!;
      const training2 = (await model.trainOnBatch(x, y)).loss!;
      assert.ok(
        Math.abs(training2 - inference2) > 1e-3,
        `batch statistics should change the loss: ${training2} vs ${inference2}`,
      );
    });
  });
}
