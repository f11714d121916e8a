// `convkit tune --model file.keras`: a saved model as the architecture to tune. Each trial rebuilds it with the
// space's layer values and training parameters applied (read back from the rebuilt model's own config and optimizer),
// fresh seeded weights, the file's optimizer unless the space names one; spaces the model cannot take are refused
// naming the parameter; and the CLI searches a real file end to end, saving a best.keras with the best trial's values.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadModel } from '../../src/io/load-model.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Flatten } from '../../src/layers/flatten.js';
import { MaxPooling2D } from '../../src/layers/max-pooling2d.js';
import type { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { setRandomSeed } from '../../src/training/seed.js';
import {
  buildFileModel,
  checkModelFileFits,
  checkModelFileSpace,
  readModelFileTemplate,
} from '../../src/tuning/model-file-template.js';
import { searchSpace } from '../../src/tuning/search-space.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-tune-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A small MNIST CNN saved compiled with SGD (lr 0.05, momentum 0.9), as a user's own model file would be. */
async function savedModel(): Promise<string> {
  const model = new Sequential(
    [
      new Conv2D(4, 3, { activation: 'relu', inputShape: [28, 28, 1], name: 'conv' }),
      new MaxPooling2D(2, { name: 'pool' }),
      new Flatten({ name: 'flat' }),
      new Dropout(0.5, { name: 'drop' }),
      new Dense(10, { activation: 'softmax', name: 'head' }),
    ],
    { name: 'users_cnn' },
  );
  model.compile({
    optimizer: { name: 'sgd', learningRate: 0.05, momentum: 0.9 },
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const path = join(dir, 'users-cnn.keras');
  await model.save(path);
  return path;
}

const layerConfig = (model: Model, name: string) =>
  model.layers.find((l) => l.name === name)!.getConfig() as Record<string, unknown>;

describe('tune --model file.keras', () => {
  test("a trial rebuilds the file's architecture with the space's values, fresh seeded weights and the file's optimizer", async () => {
    const path = await savedModel();
    const file = await readModelFileTemplate(path);
    const original = await loadModel(path);
    setRandomSeed(5);
    const { model, batchSize } = buildFileModel(file, { 'conv.filters': 6, 'drop.rate': 0.2, 'conv.kernelSize': 5, lr: 0.01 });
    assert.equal(layerConfig(model, 'conv').filters, 6);
    assert.deepEqual(layerConfig(model, 'conv').kernelSize, [5, 5], 'a number sets both sizes, as Keras');
    assert.equal(layerConfig(model, 'drop').rate, 0.2);
    assert.equal(layerConfig(model, 'head').units, 10, 'what the space does not name stays as in the file');
    assert.deepEqual(model.outputs[0]!.shape, [null, 10]);
    const optimizer = model.compiled!.optimizer.toKerasConfig() as { class_name: string; config: Record<string, unknown> };
    assert.equal(optimizer.class_name, 'SGD');
    assert.equal(optimizer.config.momentum, 0.9, "the file's optimizer settings are kept");
    assert.ok(Math.abs((optimizer.config.learning_rate as number) - 0.01) < 1e-9, 'lr from the space');
    assert.equal(batchSize, 64);
    // Fresh weights: not the file's, and the same again from the same seed.
    setRandomSeed(5);
    const again = buildFileModel(file, { 'conv.filters': 6, 'drop.rate': 0.2, 'conv.kernelSize': 5, lr: 0.01 }).model;
    assert.deepEqual(again.getWeights()[0], model.getWeights()[0]);
    setRandomSeed(5);
    const plain = buildFileModel(file, {}).model;
    assert.notDeepEqual(plain.getWeights()[0], original.getWeights()[0]);
    assert.equal(plain.getWeights()[0]!.length, original.getWeights()[0]!.length);
    const adam = buildFileModel(file, { optimizer: 'adam', lr: 0.002 }).model.compiled!.optimizer.toKerasConfig() as {
      class_name: string;
    };
    assert.equal(adam.class_name, 'Adam', 'a space naming the optimizer replaces the file');
    checkModelFileFits(file, [28, 28, 1], 10);
    assert.throws(
      () => checkModelFileFits(file, [32, 32, 3], 10),
      /--model: invalid 'model'. Expected .*users-cnn.keras to take the data's images \[32, 32, 3\].*inputs \[28, 28, 1\]/,
    );
    assert.throws(
      () => checkModelFileFits(file, [28, 28, 1], 2),
      /--model: invalid 'model'. Expected .*users-cnn.keras to have one output of 2 class scores.*received "10 output unit\(s\)"/,
    );
  });

  test('a space the model cannot take is refused naming the parameter, before any data', async () => {
    const file = await readModelFileTemplate(await savedModel());
    const ok = searchSpace({
      lr: { type: 'loguniform', min: 1e-3, max: 1e-1 },
      'conv.filters': { type: 'int', min: 2, max: 8 },
      'drop.rate': { type: 'uniform', min: 0, max: 0.6 },
      'conv.activation': { type: 'choice', values: ['relu', 'elu'] },
      batchSize: 32,
    });
    checkModelFileSpace(file, ok);
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { 'dense.units': { type: 'int', min: 8, max: 32 } },
        /space: invalid 'dense.units'. Expected a layer of .*\(conv, pool, flat, drop, head\), received "dense"/,
      ],
      [
        { 'drop.units': 3 },
        /space: invalid 'drop.units'. Expected a config value of layer 'drop' \(Dropout\): rate.*received "units"/,
      ],
      [
        { filters: { type: 'int', min: 2, max: 8 } },
        /space: invalid 'filters'. Expected lr, optimizer, batchSize, or <layer>.<key>.*Layers: conv, pool/,
      ],
      [
        { 'drop.rate': { type: 'uniform', min: 0.2, max: 1.5 } },
        /space: invalid 'drop.rate'. Expected a value layer 'drop' accepts, received 1.5. The layer says: .*rate/,
      ],
      [
        { 'conv.filters': { type: 'choice', values: [4, 'many'] } },
        /space: invalid 'conv.filters'. Expected a number like the file's 4, received "many"/,
      ],
      [{ lr: { type: 'choice', values: [0.01, -1] } }, /space: invalid 'lr'. Expected a learning rate > 0, received -1/],
      [{ 'drop.name': 'x' }, /space: invalid 'drop.name'. Expected a config value of layer 'drop'/],
    ];
    for (const [space, message] of cases) {
      assert.throws(
        () => checkModelFileSpace(file, searchSpace(space as never)),
        (e: Error) => e instanceof ConfigError && message.test(e.message),
        JSON.stringify(space),
      );
    }
  });

  test('convkit tune --model file.keras searches it end to end; best.keras holds the best trial values', async () => {
    const path = await savedModel();
    const space = join(dir, 'file-space.json');
    writeFileSync(
      space,
      JSON.stringify({ 'conv.filters': { type: 'choice', values: [2, 6] }, 'drop.rate': { type: 'choice', values: [0.1, 0.4] } }),
    );
    const out = join(dir, 'file-search');
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'tune', '--space', space, '--model', path, '--dataset', 'mnist'];
    const run = (...more: string[]) => spawnSync(process.execPath, [...args, ...more], { encoding: 'utf8', timeout: 240_000 });
    const r = run('--limit', '300', '--strategy', 'grid', '--epochs', '1', '--seed', '2', '--baseline', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /users-cnn\.keras: 5 layers, fresh weights per trial, optimizer SGD from the file \(learning rate 0.05\)/,
    );
    const best = JSON.parse(readFileSync(join(out, 'best.json'), 'utf8')) as { params: Record<string, number> };
    const saved = await loadModel(join(out, 'best.keras'));
    const params = best.params;
    if ('conv.filters' in params) {
      assert.equal(layerConfig(saved, 'conv').filters, params['conv.filters']);
      assert.equal(layerConfig(saved, 'drop').rate, params['drop.rate']);
    } else assert.equal(layerConfig(saved, 'conv').filters, 4, 'the baseline is the file as saved');
    const trials = readFileSync(join(out, 'trials.jsonl'), 'utf8').trim().split('\n');
    assert.equal(trials.length, 5, 'four grid points and the baseline');
    writeFileSync(join(dir, 'bad-space.json'), '{"conv.filter": 3}');
    const refused = run('--limit', '300', '--out', join(dir, 'bad'), '--space', join(dir, 'bad-space.json'));
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /space: invalid 'conv.filter'. Expected a config value of layer 'conv' \(Conv2D\): filters, kernel_size.*Did you mean 'conv.filters'\?/,
    );
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
    const missing = spawnSync(process.execPath, [...args.slice(0, 7), join(dir, 'nope.keras'), '--out', join(dir, 'x')], {
      encoding: 'utf8',
    });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /--model: invalid 'model'. Expected a template \(mnist-cnn, .*\) or a model file/);
    const typo = spawnSync(process.execPath, [...args.slice(0, 7), 'mnist-cn', '--out', join(dir, 'x')], { encoding: 'utf8' });
    assert.match(typo.stderr, /received "mnist-cn". Did you mean 'mnist-cnn'\?/);
  });
});
