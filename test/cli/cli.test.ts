// End-to-end tests of the `convkit` command: real processes, real files, exit codes and stderr.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { mnist, normalize, toCategorical } from '../../src/datasets/index.js';
import { saveModel } from '../../src/io/keras-file.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Sequential } from '../../src/models/sequential.js';
import { convkit } from '../helpers/cli.js';
import { missingFile, need, skipUnless } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('cli', () => {
  const model = join(dir, 'mlp.keras');
  const digits: { path: string; label: number }[] = [];

  before(async () => {
    // Three real MNIST test digits written as PNG files, as a user would have them.
    const [, [xTest, yTest]] = await mnist.loadData();
    for (const i of [0, 1, 2]) {
      const path = join(dir, `digit-${i}.png`);
      await sharp(Buffer.from(xTest.data.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(path);
      digits.push({ path, label: yTest.data[i]! });
    }
  });

  test('--help lists the commands', () => {
    const r = convkit('--help');
    assert.equal(r.code, 0);
    for (const command of ['train', 'evaluate', 'predict', 'summary']) assert.match(r.stdout, new RegExp(command));
  });

  test('summary --model mnist-cnn prints Keras counts', () => {
    const r = convkit('summary', '--model', 'mnist-cnn', '--input-shape', '28,28,1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /conv2d \(Conv2D\)\s+\(None, 26, 26, 32\)\s+320/);
    assert.match(r.stdout, /Total params: 225,034/);
  });

  test('train, evaluate and predict --json on a saved model', () => {
    const csv = join(dir, 'history.csv');
    const trained = convkit(
      'train',
      '--model',
      'mlp',
      '--epochs',
      '2',
      '--limit',
      '3000',
      '--seed',
      '1',
      '--out',
      model,
      '--csv',
      csv,
    );
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stdout, /test accuracy: \d+\.\d+%/);
    assert.ok(existsSync(model));
    const accuracy = Number(/test accuracy: (\d+\.\d+)%/.exec(trained.stdout)![1]);
    assert.ok(accuracy > 80, `an MLP on 3000 MNIST digits should pass 80%, got ${accuracy}%`);
    assert.equal(readFileSync(csv, 'utf8').trim().split('\n').length, 3); // header + 2 epochs

    const evaluated = convkit('evaluate', model, '--dataset', 'mnist');
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.equal(Number(/accuracy: (\d\.\d+)/.exec(evaluated.stdout)![1]).toFixed(2), (accuracy / 100).toFixed(2));

    const predicted = convkit('predict', model, ...digits.map((d) => d.path), '--json');
    assert.equal(predicted.code, 0, predicted.stderr);
    const rows = predicted.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { image: string; probabilities: number[]; label: string; index: number });
    assert.equal(rows.length, 3);
    let right = 0;
    rows.forEach((row, i) => {
      assert.equal(row.image, digits[i]!.path);
      assert.equal(row.probabilities.length, 10);
      assert.ok(Math.abs(row.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
      assert.equal(row.index, row.probabilities.indexOf(Math.max(...row.probabilities)));
      assert.equal(row.label, String(row.index));
      if (row.index === digits[i]!.label) right++;
    });
    assert.ok(right >= 2, `expected most of 3 digits right, got ${right}`);

    const summary = convkit('summary', model);
    assert.equal(summary.code, 0, summary.stderr);
    assert.match(summary.stdout, /Total params: 101,770/); // 784*128+128 + 128*10+10

    const top = convkit('predict', model, digits[0]!.path, '--top', '3');
    assert.equal(top.code, 0, top.stderr);
    assert.equal(top.stdout.trim().split(': ')[1]!.split(', ').length, 3);
  });

  test('train --validation-split holds out the last rows and logs val_ metrics', () => {
    const csv = join(dir, 'validation.csv');
    const out = join(dir, 'validation.keras');
    const args = ['--model', 'mlp', '--epochs', '2', '--limit', '1000', '--validation-split', '0.2', '--seed', '4'];
    const r = convkit('train', ...args, '--csv', csv, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
    const columns = header!.split(',');
    assert.ok(columns.includes('val_loss') && columns.includes('val_accuracy'), header);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const valAccuracy = Number(row.split(',')[columns.indexOf('val_accuracy')]);
      // 200 held-out digits: the accuracy is a multiple of 1/200, and an MLP on 800 digits passes 70%.
      assert.ok(Number.isInteger(Math.round(valAccuracy * 200 * 1e6) / 1e6), `val_accuracy ${valAccuracy}`);
      assert.ok(valAccuracy > 0.7, `val_accuracy ${valAccuracy}`);
    }
  });

  const kerasFile = '../shared/data/keras-mnist/classic-cnn/mnist_cnn.keras';
  test('evaluate a model compiled with categorical cross-entropy (one-hot labels), as the library evaluates it', async () => {
    const path = join(dir, 'categorical.keras');
    const m = new Sequential([new Flatten({ inputShape: [28, 28, 1] }), new Dense(10, { activation: 'softmax' })]);
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await saveModel(m, path);
    const [, [xTest, yTest]] = await mnist.loadData();
    const [loss, accuracy] = (await m.evaluate(normalize(xTest), toCategorical(yTest, 10), { verbose: 0 })) as number[];
    const r = convkit('evaluate', path, '--dataset', 'mnist');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(Number(/^loss: (\d+\.\d+)/m.exec(r.stdout)?.[1]), Number(loss!.toFixed(4)));
    assert.equal(Number(/^accuracy: (\d\.\d+)/m.exec(r.stdout)?.[1]), Number(accuracy!.toFixed(4)));
  });

  test('evaluate a .keras file written by Keras 3.11', { skip: skipUnless(missingFile(kerasFile)) }, () => {
    need(missingFile(kerasFile));
    const r = convkit('evaluate', kerasFile, '--dataset', 'mnist', '--batch-size', '500');
    assert.equal(r.code, 0, r.stderr);
    // Trained by someone else in Keras: a working import keeps its accuracy near the 99% such a CNN reaches.
    assert.ok(Number(/accuracy: (\d\.\d+)/.exec(r.stdout)![1]) > 0.97, r.stdout);
  });

  test('bad input fails with a clear message and a non-zero exit code', () => {
    const unknown = convkit('summary', '--model', 'resnet');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /Expected one of mnist-cnn, fashion-cnn, lenet5, bn-dropout-cnn, mlp, received "resnet"/);

    const missing = convkit('predict', join(dir, 'nope.keras'), 'x.png');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nope\.keras/);

    const epochs = convkit('train', '--epochs', '0');
    assert.notEqual(epochs.code, 0);
    assert.match(epochs.stderr, /--epochs: expected an integer >= 1, received '0'/);

    const dataset = convkit('evaluate', model, '--dataset', 'cifar');
    assert.notEqual(dataset.code, 0);
    assert.match(dataset.stderr, /Expected 'mnist' or 'fashion-mnist', received "cifar"/);
  });
});
