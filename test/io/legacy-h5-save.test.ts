// Saving Keras legacy `.h5` full models: h5py (Python) checks the layout Keras 2's model.save('x.h5') writes
// (root attrs model_config / keras_version / backend / training_config, model_weights with layer_names and
// weight_names, datasets at <layer>/<layer>/<weight>:0, nested models in their own group), bit-exact values, and
// round trips: .h5 -> loadModel -> same predictions, .h5 -> .keras -> same; ModelCheckpoint writes .h5 files.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelCheckpoint } from '../../src/callbacks/model-checkpoint.js';
import { saveModel } from '../../src/io/keras-file.js';
import { loadModel } from '../../src/io/load-model.js';
import { Add } from '../../src/layers/add.js';
import { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { DepthwiseConv2D } from '../../src/layers/depthwise-conv2d.js';
import { GlobalAveragePooling2D } from '../../src/layers/global-pooling2d.js';
import { ReLU } from '../../src/layers/relu.js';
import { Input } from '../../src/models/input.js';
import { Model } from '../../src/models/model.js';
import { type Tensor, tensor } from '../../src/tensor.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { reference } from '../helpers/backends.js';
import { assertWithin } from '../helpers/close.js';
import { missingFile, missingH5py, need, PYTHON, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-h5-save-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TM = `${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/keras_model.h5`;

/** What h5py sees: root and model_weights attributes, each group's weight_names, every dataset's values. */
const LAYOUT_SCRIPT = `
import json, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
def text(v):
    return v.decode('utf8') if isinstance(v, bytes) else str(v)
def names(attr):
    return [text(n) for n in attr]
mw = f['model_weights']
out = {'root_attrs': {k: text(v) for k, v in f.attrs.items()},
       'weights_attrs': sorted(mw.attrs.keys()),
       'layer_names': names(mw.attrs['layer_names']), 'groups': {}, 'datasets': {}}
for name in out['layer_names']:
    out['groups'][name] = names(mw[name].attrs['weight_names'])
def visit(path, obj):
    if isinstance(obj, h5py.Dataset):
        out['datasets'][path] = {'shape': list(obj.shape), 'dtype': str(obj.dtype), 'values': np.asarray(obj[()]).ravel().tolist()}
mw.visititems(visit)
print(json.dumps(out))
`;

interface Layout {
  root_attrs: Record<string, string>;
  weights_attrs: string[];
  layer_names: string[];
  groups: Record<string, string[]>;
  datasets: Record<string, { shape: number[]; dtype: string; values: number[] }>;
}

function layoutOf(path: string): Layout {
  return JSON.parse(execFileSync(PYTHON, ['-c', LAYOUT_SCRIPT, path], { encoding: 'utf8', maxBuffer: 1 << 28 })) as Layout;
}

/** A small functional DAG (residual Add, depthwise conv, BatchNorm, ReLU6, Dense without bias), trained one step. */
async function trainedDag(): Promise<Model> {
  setRandomSeed(5);
  const inputs = Input({ shape: [8, 8, 3], name: 'image' });
  const stem = new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', name: 'stem' }).apply(inputs);
  const bn = new BatchNormalization({ name: 'stem_bn' }).apply(stem);
  const relu = new ReLU({ maxValue: 6, name: 'stem_relu' }).apply(bn);
  const dw = new DepthwiseConv2D({ kernelSize: 3, padding: 'same', name: 'dw' }).apply(relu);
  const sum = new Add({ name: 'residual' }).apply([relu, dw]);
  const pooled = new GlobalAveragePooling2D({ name: 'pool' }).apply(sum);
  const outputs = new Dense({ units: 3, activation: 'softmax', useBias: false, name: 'head' }).apply(pooled);
  const model = new Model({ inputs, outputs, name: 'dag' });
  model.backendOverride = reference;
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const n = 6;
  const x = Float32Array.from({ length: n * 8 * 8 * 3 }, (_, i) => Math.sin(i * 0.31));
  const y = Float32Array.from({ length: n }, (_, i) => i % 3);
  await model.fit({ data: x, shape: [n, 8, 8, 3] }, { data: y, shape: [n] }, { epochs: 1, batchSize: 3, verbose: 0 });
  return model;
}

function probe(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.17)),
    shape,
  );
}

async function predictionsOf(model: Model, x: Tensor): Promise<Float32Array> {
  model.backendOverride = reference;
  return (await model.predict(x, { verbose: 0 })).data;
}

describe('saveModel to a legacy .h5: the Keras 2 layout', () => {
  test('h5py finds Keras 2 root attributes, layer_names, weight_names and <layer>/<layer>/<weight>:0 datasets', {
    skip: skipUnless(missingH5py),
  }, async () => {
    need(missingH5py);
    const model = await trainedDag();
    const path = join(dir, 'dag.h5');
    await saveModel(model, path);
    const layout = layoutOf(path);
    assert.deepEqual(Object.keys(layout.root_attrs).sort(), ['backend', 'keras_version', 'model_config', 'training_config']);
    assert.equal(layout.root_attrs.backend, 'tensorflow');
    assert.match(layout.root_attrs.keras_version!, /^2\./);
    assert.deepEqual(layout.weights_attrs, ['backend', 'keras_version', 'layer_names']);

    const config = JSON.parse(layout.root_attrs.model_config!) as {
      class_name: string;
      config: { layers: Record<string, unknown>[] };
    };
    assert.equal(config.class_name, 'Functional');
    const residual = config.config.layers.find((l) => l.name === 'residual')!;
    assert.deepEqual(residual.inbound_nodes, [
      [
        ['stem_relu', 0, 0, {}],
        ['dw', 0, 0, {}],
      ],
    ]);
    const input = config.config.layers.find((l) => l.class_name === 'InputLayer')!;
    assert.deepEqual((input.config as Record<string, unknown>).batch_input_shape, [null, 8, 8, 3]);
    assert.doesNotMatch(layout.root_attrs.model_config!, /"module"|"registered_name"|DTypePolicy|"batch_shape"/);
    const training = JSON.parse(layout.root_attrs.training_config!) as Record<string, Record<string, unknown>>;
    assert.equal(training.optimizer_config!.class_name, 'Adam');
    assert.deepEqual(training.metrics, ['accuracy']);

    assert.deepEqual(
      layout.layer_names,
      model.layers.map((l) => l.name),
    );
    assert.deepEqual(layout.groups.stem_bn, [
      'stem_bn/gamma:0',
      'stem_bn/beta:0',
      'stem_bn/moving_mean:0',
      'stem_bn/moving_variance:0',
    ]);
    assert.deepEqual(layout.groups.head, ['head/kernel:0']);
    assert.deepEqual(layout.groups.residual, []);
    const expected: string[] = [];
    for (const layer of model.layers) {
      for (const weight of layer.weights) {
        const key = `${layer.name}/${layer.name}/${weight.name}:0`;
        expected.push(key);
        const dataset = layout.datasets[key];
        assert.ok(dataset, `h5py finds no ${key}`);
        assert.equal(dataset.dtype, 'float32');
        assert.deepEqual(dataset.shape, weight.shape, key);
        assert.deepEqual(Float32Array.from(dataset.values), weight.value, key);
      }
    }
    assert.deepEqual(Object.keys(layout.datasets).sort(), expected.sort());
  });

  test('round trips: .h5 -> loadModel, and .h5 -> .keras, give the same predictions and stay compiled', async () => {
    const model = await trainedDag();
    const x = probe([4, 8, 8, 3]);
    const before = await predictionsOf(model, x);
    const h5 = join(dir, 'round.h5');
    await model.save(h5);
    const loaded = await loadModel(h5);
    assert.equal(loaded.compiled?.optimizer.className, 'Adam');
    assertWithin('.h5 round trip', await predictionsOf(loaded, x), before, 1e-6);
    const keras = join(dir, 'round.keras');
    await saveModel(loaded, keras);
    assertWithin('.h5 -> .keras', await predictionsOf(await loadModel(keras), x), before, 1e-6);
    // The loaded model trains on (compiled from training_config).
    await loaded.fit(x, { data: Float32Array.of(0, 1, 2, 0), shape: [4] }, { epochs: 1, verbose: 0 });
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.tmp-')),
      [],
    );
  });

  test('a nested Teachable Machine model saves its inner weights in the nested group and reloads', {
    skip: skipUnless(missingH5py ?? missingFile(TM)),
  }, async () => {
    need(missingH5py ?? missingFile(TM));
    const model = await loadModel(TM);
    const path = join(dir, 'tm.h5');
    await saveModel(model, path);
    const layout = layoutOf(path);
    assert.deepEqual(layout.layer_names, ['sequential_1', 'sequential_3']);
    assert.equal(layout.groups.sequential_1!.length, 260);
    assert.deepEqual(layout.groups.sequential_1!.slice(0, 3), ['Conv1/kernel:0', 'bn_Conv1/gamma:0', 'bn_Conv1/beta:0']);
    // Keras's legacy order: every trainable weight first, then the moving statistics.
    assert.ok(layout.groups.sequential_1!.slice(-34).every((n) => /moving_(mean|variance):0$/.test(n)));
    assert.ok(layout.datasets['sequential_1/Conv1/kernel:0']);
    const x = probe([1, 224, 224, 3]);
    assert.deepEqual(await predictionsOf(await loadModel(path), x), await predictionsOf(model, x));
  });

  test('ModelCheckpoint writes the best model to an .h5 path, loadable and equal to the model', async () => {
    const model = await trainedDag();
    const path = join(dir, 'fine_tuned_model.h5');
    const checkpoint = new ModelCheckpoint(path, { monitor: 'loss', saveBestOnly: true });
    const x = probe([6, 8, 8, 3]);
    const y = { data: Float32Array.of(0, 1, 2, 0, 1, 2), shape: [6] };
    await model.fit(x, y, { epochs: 2, batchSize: 3, verbose: 0, callbacks: [checkpoint] });
    assert.ok(checkpoint.saved.length >= 1);
    const best = await loadModel(path);
    assert.equal(best.countParams(), model.countParams());
  });
});
