// Functional and Sequential models: whole-model gradient checks (Sequential, residual DAG, multi-input,
// nested), freezing, getLayer/weights, input-shape errors and Keras JSON round trips.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, NotFoundError, ShapeError } from '../../src/errors.js';
import { Add } from '../../src/layers/add.js';
import { AveragePooling2D } from '../../src/layers/average-pooling2d.js';
import { BatchNormalization } from '../../src/layers/batch-normalization.js';
import { Concatenate } from '../../src/layers/concatenate.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { callLayer, Input } from '../../src/models/input.js';
import { Model } from '../../src/models/model.js';
import { modelFromKeras, modelToKeras } from '../../src/models/model-config.js';
import { Sequential } from '../../src/models/sequential.js';
import { backend, checkGradients, seeded, smallSequential, toyData } from '../training/fixtures.js';

const { x, y, yOneHot } = toyData(16);

function residualModel(): Model {
  const input = Input({ shape: [6] });
  const a = callLayer(new Dense({ units: 5, activation: 'tanh' }), input);
  const b = callLayer(new Dense({ units: 5, activation: 'tanh' }), a);
  const sum = callLayer(new Add(), [a, b]);
  const out = callLayer(new Dense({ units: 3, activation: 'softmax' }), sum);
  const model = new Model({ inputs: input, outputs: out, name: 'residual' });
  model.backendOverride = backend;
  return model;
}

describe('models/model', () => {
  test('Sequential gradients match finite differences (sparse CE fused with softmax)', () => {
    checkGradients(smallSequential(), x, y);
  });

  test('Sequential gradients match finite differences (categorical CE, MSE)', () => {
    checkGradients(smallSequential(), x, yOneHot, 'categoricalCrossentropy');
    checkGradients(smallSequential(), x, yOneHot, 'meanSquaredError');
  });

  test('conv model gradients (Conv2D -> AveragePooling2D -> Flatten -> Dense softmax)', () => {
    const model = new Sequential([
      new Conv2D({ filters: 3, kernelSize: 3, activation: 'tanh', padding: 'same', inputShape: [4, 4, 2] }),
      new AveragePooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 3, activation: 'softmax' }),
    ]);
    const images = { data: seeded(6 * 32, 11), shape: [6, 4, 4, 2] };
    checkGradients(model, images, { data: Float32Array.from([0, 1, 2, 0, 1, 2]), shape: [6] });
  });

  test('binary crossentropy fused with a sigmoid output', () => {
    const model = new Sequential([
      new Dense({ units: 4, activation: 'tanh', inputShape: [6] }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ]);
    const labels = { data: Float32Array.from(y.data, (v) => (v === 0 ? 1 : 0)), shape: [16, 1] };
    checkGradients(model, x, labels, 'binaryCrossentropy');
  });

  test('functional summary lists inputs and connections', () => {
    const lines: string[] = [];
    residualModel().summary((l) => lines.push(l));
    const text = lines.join('\n');
    assert.equal(lines[0], 'Model: "residual"');
    assert.match(text, /Connected to/);
    assert.match(text, /\(InputLayer\)\s+\[\(None, 6\)\]\s+0\s+\[\]/);
    assert.match(text, /add(_\d+)? \(Add\)\s+\(None, 5\)\s+0\s+\['dense_\d+\[0\]\[0\]',/);
    assert.match(text, /Total params: 83 \(332\.00 B\)/);
    const flops = residualModel().summary({ printFn: () => {}, showFlops: true });
    assert.match(flops, /FLOPs/);
  });

  test('residual functional model: gradients summed over both uses of a tensor', () => {
    checkGradients(residualModel(), x, y);
  });

  test('two-input model with Concatenate', () => {
    const left = Input({ shape: [6], name: 'left' });
    const right = Input({ shape: [2], name: 'right' });
    const h = callLayer(new Dense({ units: 4, activation: 'tanh' }), left);
    const joined = callLayer(new Concatenate(), [h, right]);
    const model = new Model({
      inputs: [left, right],
      outputs: callLayer(new Dense({ units: 3, activation: 'softmax' }), joined),
    });
    const extra = { data: seeded(32, 9), shape: [16, 2] };
    checkGradients(model, [x, extra], y);
    assert.equal(model.layers.length, 5);
  });

  test('nested model as a layer: gradients flow through it', () => {
    const inner = new Sequential(
      [new Dense({ units: 5, activation: 'tanh', inputShape: [6] }), new Dense({ units: 4, activation: 'tanh' })],
      { name: 'inner' },
    );
    const outer = new Sequential([inner, new Dense({ units: 3, activation: 'softmax' })]);
    checkGradients(outer, x, y);
    assert.equal(outer.weights.length, 6);
    assert.equal(outer.getLayer('inner'), inner);
  });

  test('frozen nested model: weights and BN moving statistics unchanged by fit', async () => {
    const inner = new Sequential([
      new Dense({ units: 5, inputShape: [6] }),
      new BatchNormalization(),
      new Dense({ units: 4, activation: 'tanh' }),
    ]);
    const outer = new Sequential([inner, new Dense({ units: 3, activation: 'softmax' })]);
    outer.backendOverride = backend;
    inner.trainable = false;
    outer.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const before = inner.getWeights();
    const head = outer.layers[1]!.getWeights();
    await outer.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    assert.deepEqual(inner.getWeights(), before);
    assert.notDeepEqual(outer.layers[1]!.getWeights(), head);
    assert.equal(outer.trainableWeights.length, 2);
    assert.equal(outer.nonTrainableWeights.length, 8);
    assert.ok(inner.layers.every((l) => !l.trainable));
    inner.trainable = true;
    assert.equal(outer.trainableWeights.length, 8);
  });

  test('a frozen layer keeps its weights', async () => {
    const model = smallSequential();
    model.layers[0]!.trainable = false;
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const before = model.layers[0]!.getWeights();
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    assert.deepEqual(model.layers[0]!.getWeights(), before);
  });

  test('getLayer, weights order, setWeights', () => {
    const model = smallSequential();
    assert.equal(model.getLayer(1), model.layers[1]);
    assert.throws(() => model.getLayer('nope'), NotFoundError);
    assert.deepEqual(
      model.weights.map((w) => w.name),
      ['kernel', 'bias', 'kernel', 'bias'],
    );
    const zeros = model.getWeights().map((w) => new Float32Array(w.length));
    model.setWeights(zeros);
    assert.ok(model.getWeights().every((w) => w.every((v) => v === 0)));
  });

  test('wrong input shape -> ShapeError naming expected and received', async () => {
    const model = smallSequential();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await assert.rejects(
      model.fit({ data: new Float32Array(20), shape: [4, 5] }, { data: new Float32Array(4), shape: [4] }, { verbose: 0 }),
      (e: unknown) => {
        assert.ok(e instanceof ShapeError);
        assert.match(e.message, /Expected shape \(None, 6\), received \(4, 5\)/);
        return true;
      },
    );
  });

  test('graph errors: disconnected inputs, reused layer', () => {
    const a = Input({ shape: [3] });
    const b = Input({ shape: [3] });
    const out = callLayer(new Dense({ units: 2 }), b);
    assert.throws(() => new Model({ inputs: a, outputs: out }), /graph disconnected/);
    const dense = new Dense({ units: 2 });
    callLayer(dense, a);
    assert.throws(() => callLayer(dense, a), ConfigError);
  });

  test('Sequential starting with Input() (Keras 3 style)', () => {
    const model = new Sequential([
      Input({ shape: [6] }),
      new Dense({ units: 4 }),
      new Dense({ units: 3, activation: 'softmax' }),
    ]);
    assert.equal(model.built, true);
    assert.equal(model.layers.length, 2);
    assert.equal(model.countParams(), 6 * 4 + 4 + 4 * 3 + 3);
  });

  test('lazy Sequential builds on the first batch', async () => {
    const model = new Sequential([new Dense({ units: 4, activation: 'relu' }), new Dense({ units: 3, activation: 'softmax' })]);
    model.backendOverride = backend;
    assert.equal(model.built, false);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await model.fit(x, y, { verbose: 0 });
    assert.equal(model.built, true);
    assert.equal(model.countParams(), 6 * 4 + 4 + 4 * 3 + 3);
  });

  test('Keras JSON: Sequential and Functional round trip; Keras 2 inbound_nodes read', () => {
    const seq = smallSequential();
    const seqJson = modelToKeras(seq);
    assert.equal(seqJson.class_name, 'Sequential');
    const seqBack = modelFromKeras(JSON.parse(JSON.stringify(seqJson)));
    assert.equal(seqBack.countParams(), seq.countParams());
    const classes = (j: { config: Record<string, unknown> }): unknown =>
      (j.config.layers as { class_name: string }[]).map((l) => l.class_name);
    assert.deepEqual(classes(modelToKeras(seqBack)), ['InputLayer', 'Dense', 'Dense']);
    assert.deepEqual(classes(seqJson), ['InputLayer', 'Dense', 'Dense']);
    const res = residualModel();
    const json = JSON.parse(JSON.stringify(modelToKeras(res)));
    assert.equal(json.class_name, 'Functional');
    const back = modelFromKeras(json);
    assert.equal(back.countParams(), res.countParams());
    assert.equal(back.layers.length, res.layers.length);
    // Keras 2: inbound_nodes as [[[name, 0, 0, {}], ...]].
    for (const layer of json.config.layers) {
      if (!layer.inbound_nodes.length) continue;
      const args = layer.inbound_nodes[0].args;
      const tensors = Array.isArray(args[0]) ? args[0] : args;
      layer.inbound_nodes = [tensors.map((t: { config: { keras_history: [string] } }) => [t.config.keras_history[0], 0, 0, {}])];
    }
    json.class_name = 'Model';
    assert.equal(modelFromKeras(json).countParams(), res.countParams());
  });

  test('nested model survives a JSON round trip', () => {
    const inner = new Sequential([new Dense({ units: 5, inputShape: [6] })], { name: 'inner_block' });
    const outer = new Sequential([inner, new Dense({ units: 3, activation: 'softmax' })]);
    const back = modelFromKeras(JSON.parse(JSON.stringify(modelToKeras(outer))));
    assert.equal(back.countParams(), outer.countParams());
    assert.ok(back.getLayer('inner_block') instanceof Sequential);
  });
});
