// Loading real Keras legacy `.h5` files made by others (../shared/data): Teachable Machine's Keras 2.4 exports
// (nested Sequential / Functional MobileNetV2, DepthwiseConv2D with groups) and the Keras 3.11 MNIST CNN. Every
// weight is checked against h5py's read of the same dataset (found through the file's own layer_names /
// weight_names), parameter counts against the INSPECT.txt numbers, and predictions against the `.keras` twin.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadModel } from '../../src/io/load-model.js';
import type { Layer } from '../../src/layers/layer.js';
import type { Model } from '../../src/models/model.js';
import { tensor } from '../../src/tensor.js';
import { reference } from '../helpers/backends.js';
import { readWithH5py } from '../helpers/h5py.js';
import { missingFile, missingH5py, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const TM = `${SHARED_DATA}teachable-machine/`;
const TM_MODELS = {
  'cat-dog-11Maximus11': 538_508,
  'water-bottle-963n': 538_508,
  'rock-paper-scissors-92009': 538_608,
};
const MNIST_H5 = `${SHARED_DATA}keras-mnist/classic-cnn/mnist_cnn.h5`;
const MNIST_KERAS = `${SHARED_DATA}keras-mnist/classic-cnn/mnist_cnn.keras`;
const CAT_DOG = `${TM}cat-dog-11Maximus11/keras_model.h5`;
const missing = missingFile(CAT_DOG) ?? missingFile(MNIST_H5);

/** Leaf layers of a model, nested models opened (name -> layer). */
function leaves(layer: Layer, out = new Map<string, Layer>()): Map<string, Layer> {
  const children = (layer as Partial<Model>).layers;
  if (Array.isArray(children)) for (const child of children) leaves(child, out);
  else out.set(layer.name, layer);
  return out;
}

/** A deterministic input batch in [-1, 1]. */
function wave(shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.9);
}

describe('loadModel: Teachable Machine keras_model.h5 (Keras 2.4, nested models)', { skip: skipUnless(missing) }, () => {
  for (const [name, params] of Object.entries(TM_MODELS)) {
    test(`${name}: loads with ${params} parameters, a nested summary, and predicts probabilities`, async () => {
      need(missing);
      const model = await loadModel(`${TM}${name}/keras_model.h5`);
      assert.equal(model.countParams(), params);
      const lines: string[] = [];
      model.summary({ printFn: (line: string) => lines.push(line) });
      const text = lines.join('\n');
      assert.match(text, new RegExp(`Total params: ${params.toLocaleString('en-US')}`));
      assert.match(text, /sequential_1 \(Sequential\)/);
      model.backendOverride = reference;
      const out = await model.predict(tensor(wave([2, 224, 224, 3]), [2, 224, 224, 3]), { verbose: 0 });
      const classes = out.shape[1]!;
      for (let r = 0; r < 2; r++) {
        const row = [...out.data.subarray(r * classes, (r + 1) * classes)];
        assert.ok(
          row.every((p) => p >= 0 && p <= 1),
          `row ${r}: ${row}`,
        );
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${r} sums to 1: ${row}`);
      }
    });
  }

  test('every weight equals what h5py reads at the path the file lists for it', { skip: skipUnless(missingH5py) }, async () => {
    need(missing);
    need(missingH5py);
    const model = await loadModel(CAT_DOG);
    const view = readWithH5py(CAT_DOG, 'h5');
    const byLayer = leaves(model);
    let checked = 0;
    for (const [path, dataset] of Object.entries(view.datasets)) {
      // model_weights/<group>/<inner layer>/<weight>:0 (the group is a nested model; the inner layer owns the weight)
      const parts = path.split('/');
      assert.equal(parts[0], 'model_weights', path);
      const layer = byLayer.get(parts.at(-2)!);
      assert.ok(layer, `no layer for ${path}`);
      const weight = layer.weights.find((w) => w.name === parts.at(-1)!.replace(/:\d+$/, ''));
      assert.ok(weight, `no weight for ${path}`);
      assert.deepEqual(weight.shape, dataset.shape, path);
      assert.deepEqual([...weight.value], dataset.values, path);
      checked += 1;
    }
    assert.equal(checked, 263);
  });

  test('BatchNormalization moving statistics come from their own datasets (weight_names order, not position)', async () => {
    need(missing);
    const model = await loadModel(CAT_DOG);
    const bn = leaves(model).get('bn_Conv1')!;
    const [gamma, beta, mean, variance] = bn.weights;
    assert.deepEqual(
      bn.weights.map((w) => w.name),
      ['gamma', 'beta', 'moving_mean', 'moving_variance'],
    );
    // Variances are positive and differ from gammas; a positional mix-up (trainable-first file order) would not be.
    assert.ok([...variance!.value].every((v) => v > 0));
    assert.notDeepEqual([...gamma!.value], [...variance!.value]);
    assert.notDeepEqual([...beta!.value], [...mean!.value]);
  });
});

describe('loadModel: the Keras 3.11 MNIST CNN saved as legacy .h5 and as .keras', { skip: skipUnless(missing) }, () => {
  test('225,034 parameters, compiled from training_config, and the same predictions as the .keras twin', async () => {
    need(missing);
    const h5 = await loadModel(MNIST_H5);
    const keras = await loadModel(MNIST_KERAS);
    assert.equal(h5.countParams(), 225_034);
    assert.equal(h5.compiled?.optimizer.className, 'Adam');
    h5.backendOverride = reference;
    keras.backendOverride = reference;
    const x = tensor(wave([4, 28, 28, 1]).map(Math.abs), [4, 28, 28, 1]);
    const a = await h5.predict(x, { verbose: 0 });
    const b = await keras.predict(x, { verbose: 0 });
    assert.deepEqual([...a.data], [...b.data]);
  });
});
