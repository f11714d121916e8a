// Independent reads of what convkit writes: h5py (via /usr/bin/python3) opens the .weights.h5 and the whole .keras
// archive (Python's zipfile, CRCs checked, config.json parsed) and every weight value must equal what convkit holds,
// bit for bit, at the Keras 3 path layers/<auto name>/vars/<i>; optimizer variables likewise.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { autoLayerNames } from '../../src/io/h5-weights.js';
import { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { DepthwiseConv2D } from '../../src/layers/depthwise-conv2d.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Flatten } from '../../src/layers/flatten.js';
import type { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { reference } from '../helpers/backends.js';
import { type H5pyView, readWithH5py } from '../helpers/h5py.js';
import { missingH5py, need, skipUnless } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-h5py-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Conv + BatchNorm + depthwise + dropout + dense, trained two steps so moving statistics and Adam slots are non-trivial. */
async function trainedModel(): Promise<Model> {
  setRandomSeed(11);
  const model = new Sequential([
    new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2] }),
    new BatchNormalization(),
    new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2, activation: 'relu' }),
    new Dropout({ rate: 0.25 }),
    new Flatten(),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  model.backendOverride = reference;
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const n = 8;
  const x = new Float32Array(n * 72).map((_, i) => Math.sin(i * 0.37));
  const y = new Float32Array(n).map((_, i) => i % 3);
  await model.fit({ data: x, shape: [n, 6, 6, 2] }, { data: y, shape: [n] }, { epochs: 1, batchSize: 4, verbose: 0 });
  return model;
}

/** Every layer weight and optimizer variable of `model` against h5py's datasets, and nothing left over. */
function expectSameValues(model: Model, seen: H5pyView): void {
  const expected = new Set<string>();
  const names = autoLayerNames(model.layers);
  model.layers.forEach((layer, li) => {
    layer.weights.forEach((weight, wi) => {
      const path = `layers/${names[li]}/vars/${wi}`;
      expected.add(path);
      const ds = seen.datasets[path];
      assert.ok(
        ds,
        `h5py finds no dataset ${path} (${layer.name}.${weight.name}); it has ${Object.keys(seen.datasets).join(', ')}`,
      );
      assert.equal(ds.dtype, 'float32', path);
      assert.deepEqual(ds.shape, weight.shape, `${path} shape`);
      assert.deepEqual(Float32Array.from(ds.values), weight.value, `${path} (${layer.name}.${weight.name}) values`);
    });
  });
  const state = model.compiled!.optimizer.getState();
  state.forEach((value, i) => {
    const path = `optimizer/vars/${i}`;
    expected.add(path);
    const ds = seen.datasets[path];
    assert.ok(ds, `h5py finds no dataset ${path}`);
    assert.deepEqual(Float32Array.from(ds.values), value, `${path} values`);
  });
  assert.equal(seen.datasets['optimizer/vars/0']!.values[0], model.compiled!.optimizer.iterations);
  assert.deepEqual(Object.keys(seen.datasets).sort(), [...expected].sort(), 'datasets h5py sees');
}

describe('io: h5py reads back what convkit writes', () => {
  test('a .weights.h5 file: every weight and optimizer variable equal', { skip: skipUnless(missingH5py) }, async () => {
    need(missingH5py);
    const model = await trainedModel();
    const path = join(dir, 'model.weights.h5');
    await model.save(path, { weightsOnly: true });
    expectSameValues(model, readWithH5py(path, 'h5'));
  });

  test('a whole .keras archive via zipfile + h5py: entries, CRCs, config.json and every value', {
    skip: skipUnless(missingH5py),
  }, async () => {
    need(missingH5py);
    const model = await trainedModel();
    const path = join(dir, 'model.keras');
    await model.save(path);
    const seen = readWithH5py(path, 'keras');
    assert.deepEqual(seen.entries, ['config.json', 'metadata.json', 'model.weights.h5']);
    assert.equal(seen.crcOk, true);
    assert.equal(seen.config!.class_name, 'Sequential');
    const layers = (seen.config!.config as { layers: { class_name: string; config: { name: string } }[] }).layers;
    const own = layers.filter((l) => l.class_name !== 'InputLayer');
    assert.deepEqual(
      own.map((l) => [l.class_name, l.config.name]),
      model.layers.map((l) => [l.className, l.name]),
    );
    assert.match(String(seen.metadata!.keras_version), /^3\./);
    expectSameValues(model, seen);
  });
});
