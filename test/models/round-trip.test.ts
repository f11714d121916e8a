// Round trips judged by predictions, on every backend, for a conv + BatchNorm + depthwise + dropout model:
// Keras config JSON -> model (weights copied) and .keras save -> load predict exactly what the original predicts;
// seeded training is bit-identical run to run (native included) and a different seed gives different weights.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { loadModel } from '../../src/io/keras-file.js';
import { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { DepthwiseConv2D } from '../../src/layers/depthwise-conv2d.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Flatten } from '../../src/layers/flatten.js';
import type { Model } from '../../src/models/model.js';
import { modelFromKeras, modelToKeras } from '../../src/models/model-config.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/tensor.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { allBackends } from '../helpers/backends.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-roundtrip-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const N = 24;
const x: Tensor = {
  data: new Float32Array(N * 8 * 8 * 2).map((_, i) => Math.sin(i * 0.61) + 0.3 * Math.cos(i * 0.17)),
  shape: [N, 8, 8, 2],
};
const y: Tensor = { data: new Float32Array(N).map((_, i) => i % 3), shape: [N] };

function cnn(backend: Backend, seed: number): Model {
  setRandomSeed(seed);
  const model = new Sequential([
    new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 2] }),
    new BatchNormalization({ momentum: 0.8 }),
    new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2, dilationRate: 2, padding: 'same' }),
    new Dropout({ rate: 0.3 }),
    new Flatten(),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  model.backendOverride = backend;
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return model;
}

async function trained(backend: Backend, seed: number): Promise<Model> {
  const model = cnn(backend, seed);
  await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle: true });
  return model;
}

const predict = async (model: Model): Promise<Float32Array> => (await model.predict(x, { verbose: 0 })).data;

for (const backend of allBackends) {
  describe(`round trips by prediction on ${backend.name}`, () => {
    test('config JSON -> model with the weights copied predicts the same, bit for bit', async () => {
      const model = await trained(backend, 3);
      const clone = modelFromKeras(JSON.parse(JSON.stringify(modelToKeras(model))));
      clone.backendOverride = backend;
      assert.deepEqual(
        clone.layers.map((l) => l.getConfig()),
        model.layers.map((l) => l.getConfig()),
      );
      clone.setWeights(model.getWeights());
      const expected = await predict(model);
      assert.ok(
        expected.some((v, i) => Math.abs(v - expected[i % 3]!) > 1e-3),
        'predictions depend on the input',
      );
      assert.deepEqual(await predict(clone), expected);
    });

    test('.keras save -> load predicts the same, bit for bit (BatchNorm moving statistics included)', async () => {
      const model = await trained(backend, 4);
      const bn = model.layers.find((l) => l.className === 'BatchNormalization')!;
      assert.ok(
        bn.weights[2]!.value.some((v) => v !== 0),
        'moving mean was updated by training',
      );
      const path = join(dir, `cnn-${backend.name}.keras`);
      await model.save(path);
      const loaded = await loadModel(path);
      loaded.backendOverride = backend;
      assert.deepEqual(await predict(loaded), await predict(model));
    });

    test('seeded training is bit-identical run to run; a different seed differs', async () => {
      const a = (await trained(backend, 5)).getWeights();
      const b = (await trained(backend, 5)).getWeights();
      const c = (await trained(backend, 6)).getWeights();
      assert.deepEqual(b, a);
      assert.notDeepEqual(c, a);
    });
  });
}
