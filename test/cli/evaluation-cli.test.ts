// End-to-end `convkit evaluate` (report and --json, on Fashion-MNIST and on an image folder), `convkit diagnose`
// (CSVLogger files) and `convkit params` (seed 003's counts, by hand; two saved files): real processes, exit codes.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { CSVLogger } from '../../src/callbacks/csv-logger.js';
import { byteRows } from '../../src/cli/common.js';
import { fashionMnist, normalize } from '../../src/datasets/index.js';
import { saveModel } from '../../src/io/keras-file.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { GlobalAveragePooling2D } from '../../src/layers/global-pooling2d.js';
import { MaxPooling2D } from '../../src/layers/max-pooling2d.js';
import { Sequential } from '../../src/models/sequential.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { convkit } from '../helpers/cli.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-evalcli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const FASHION = `${SHARED_DATA}fashion-mnist`;

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

describe('convkit evaluate', () => {
  const modelPath = join(dir, 'fashion.keras');
  before(async () => {
    setRandomSeed(2);
    const model = new Sequential([new Flatten({ inputShape: [28, 28, 1] }), new Dense(10, { activation: 'softmax' })]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await saveModel(model, modelPath);
  });

  test('--json: the last line is one JSON object matching predict() and evaluate()', {
    skip: skipUnless(missingFile(FASHION)),
  }, async () => {
    need(missingFile(FASHION));
    const r = convkit('evaluate', modelPath, '--dataset', 'fashion-mnist', '--data-dir', FASHION, '--limit', '300', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = lastJson(r.stdout) as {
      accuracy: number;
      loss: number;
      confusionMatrix: number[][];
      classificationReport: { classes: { name: string; support: number }[]; accuracy: number };
      classNames: string[];
      topLosses: unknown[];
    };
    // The same model, the same 300 test images, counted here from predict() with plain loops.
    const { loadModel } = await import('../../src/io/load-model.js');
    const model = await loadModel(modelPath);
    const [, [xTest, yTest]] = await fashionMnist.loadData({ path: FASHION });
    const x = normalize(byteRows(xTest, 0, 300));
    const probs = await model.predict(x, { verbose: 0 });
    const matrix = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    for (let i = 0; i < 300; i++) {
      const row = Array.from(probs.data.subarray(i * 10, i * 10 + 10));
      matrix[yTest.data[i]!]![row.indexOf(Math.max(...row))]! += 1;
    }
    assert.deepEqual(json.confusionMatrix, matrix);
    const [loss, accuracy] = (await model.evaluate(x, byteRows(yTest, 0, 300), { verbose: 0 })) as number[];
    assert.ok(Math.abs(json.loss - loss!) < 1e-5);
    assert.equal(json.accuracy, accuracy);
    assert.equal(json.classNames[0], 'T-shirt/top');
    assert.equal(json.classificationReport.classes[9]!.name, 'Ankle boot');
    assert.equal(
      json.classificationReport.classes.reduce((t, c) => t + c.support, 0),
      300,
    );
    assert.equal(json.topLosses.length, 10);
    assert.equal(r.stdout.trim().split('\n').length, 1, '--json prints one line');
  });

  test('the report: confusion matrix, classification report, most confused, top losses', {
    skip: skipUnless(missingFile(FASHION)),
  }, () => {
    need(missingFile(FASHION));
    const r = convkit(
      'evaluate',
      modelPath,
      '--dataset',
      'fashion-mnist',
      '--data-dir',
      FASHION,
      '--limit',
      '100',
      '--top-k',
      '3',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Evaluated 100 samples \(10 classes\)\./);
    assert.match(r.stdout, /^accuracy: \d\.\d{4}$/m);
    assert.match(r.stdout, /^top-3 accuracy: \d\.\d{4}$/m);
    assert.match(r.stdout, /^9 Ankle boot +\d/m);
    assert.match(r.stdout, / {14}precision {4}recall {2}f1-score {3}support/);
    assert.match(r.stdout, /^weighted avg +\d\.\d\d +\d\.\d\d +\d\.\d\d +100$/m);
    assert.match(r.stdout, /Top losses/);
  });

  test('--data: an image folder, its class names and file paths', async () => {
    const root = join(dir, 'colours');
    for (const [name, background] of [
      ['blue', { r: 0, g: 0, b: 255 }],
      ['green', { r: 0, g: 255, b: 0 }],
    ] as const) {
      mkdirSync(join(root, name), { recursive: true });
      for (let i = 0; i < 3; i++) {
        await sharp({ create: { width: 5 + i, height: 5, channels: 3, background } })
          .png()
          .toFile(join(root, name, `${i}.png`));
      }
    }
    setRandomSeed(3);
    const model = new Sequential([
      new Conv2D(2, 3, { inputShape: [4, 4, 3], activation: 'relu' }),
      new Flatten(),
      new Dense(2, { activation: 'softmax' }),
    ]);
    const path = join(dir, 'colours.keras');
    await saveModel(model, path);
    const r = convkit('evaluate', path, '--data', root, '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = lastJson(r.stdout) as {
      classNames: string[];
      numSamples: number;
      topLosses: { path: string; trueName: string }[];
    };
    assert.deepEqual(json.classNames, ['blue', 'green']);
    assert.equal(json.numSamples, 6);
    for (const e of json.topLosses) assert.ok(e.path.startsWith(join(root, e.trueName)), e.path);
    const limited = convkit('evaluate', path, '--data', root, '--json', '--limit', '4', '--batch-size', '3');
    assert.equal((lastJson(limited.stdout) as { numSamples: number }).numSamples, 4);

    const three = join(dir, 'three');
    mkdirSync(join(three, 'a'), { recursive: true });
    mkdirSync(join(three, 'b'));
    mkdirSync(join(three, 'c'));
    for (const c of ['a', 'b', 'c']) {
      await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 9, g: 9, b: 9 } } })
        .png()
        .toFile(join(three, c, 'x.png'));
    }
    const wrong = convkit('evaluate', path, '--data', three);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /has 3 class folders \(a, b, c\), but the model outputs 2 classes/);
    assert.doesNotMatch(wrong.stderr, /^\s+at /m);
  });

  test("--data with labels.txt beside the model: folders matched to the model's output order by name", async () => {
    // Hand-set weights: a green image scores 5 on output 0, a blue one on output 1 (the reverse of the sorted folders).
    const root = join(dir, 'paint');
    for (const [name, background] of [
      ['blue', { r: 0, g: 0, b: 255 }],
      ['greens', { r: 0, g: 255, b: 0 }],
    ] as const) {
      mkdirSync(join(root, name), { recursive: true });
      for (let i = 0; i < 3; i++) {
        await sharp({ create: { width: 6, height: 6, channels: 3, background } })
          .png()
          .toFile(join(root, name, `${i}.png`));
      }
    }
    const model = new Sequential([
      new GlobalAveragePooling2D({ inputShape: [4, 4, 3] }),
      new Dense(2, { activation: 'softmax' }),
    ]);
    model.layers[1]!.setWeights([
      [0, 0, 5, 0, 0, 5],
      [0, 0],
    ]);
    const modelDir = join(dir, 'paint-model');
    mkdirSync(modelDir);
    const path = join(modelDir, 'model.keras');
    await saveModel(model, path);
    writeFileSync(join(modelDir, 'labels.txt'), '0 Green\n1 Blue\n');
    const r = convkit('evaluate', path, '--data', root, '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = lastJson(r.stdout) as { classNames: string[]; accuracy: number; confusionMatrix: number[][] };
    assert.deepEqual(json.classNames, ['Green', 'Blue']);
    assert.deepEqual(json.confusionMatrix, [
      [3, 0],
      [0, 3],
    ]);
    assert.equal(json.accuracy, 1);
    assert.match(r.stderr, /Class names from .*labels\.txt \(folders in model output order: greens -> Green, blue -> Blue\)/);
    // --labels wins over the file beside the model; names that pair with no folder are refused, naming both lists.
    const other = join(dir, 'other-labels.txt');
    writeFileSync(other, 'red\nblue\n');
    const refused = convkit('evaluate', path, '--data', root, '--labels', other);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /class folders of .*paint \(blue, greens\) do not match the class names in .*other-labels\.txt \(red, blue\)/,
    );
    writeFileSync(other, 'one\ntwo\nthree\n');
    const count = convkit('evaluate', path, '--data', root, '--labels', other);
    assert.equal(count.code, 1);
    assert.match(
      count.stderr,
      /--labels .*other-labels\.txt: 3 class names \(one, two, three\), but the model outputs 2 classes/,
    );
    assert.doesNotMatch(count.stderr, /^\s+at /m);
  });

  const TM = `${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/`;
  test('a Teachable Machine export: its labels.txt (Cat, Dog) names the folders cats/ and dogs/; same answers as predict', {
    skip: skipUnless(missingFile(TM)),
  }, () => {
    need(missingFile(TM));
    const photos = `${SHARED_DATA}cats-dogs/test`;
    const r = convkit('evaluate', `${TM}keras_model.h5`, '--data', photos, '--preprocess', 'teachable-machine', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Class names from .*labels\.txt \(folders in model output order: cats -> Cat, dogs -> Dog\)/);
    const json = lastJson(r.stdout) as {
      classNames: string[];
      confusionMatrix: number[][];
      topLosses: { path: string; predictedName: string }[];
    };
    assert.deepEqual(json.classNames, ['Cat', 'Dog']);
    assert.equal(json.topLosses.length, 4);
    // Each photo's predicted class, as `convkit predict` gives it file by file.
    const files = json.topLosses.map((t) => t.path);
    const predicted = convkit(
      'predict',
      `${TM}keras_model.h5`,
      ...files,
      '--labels',
      `${TM}labels.txt`,
      '--preprocess',
      'teachable-machine',
      '--json',
    );
    assert.equal(predicted.code, 0, predicted.stderr);
    const labels = predicted.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).label as string);
    assert.deepEqual(
      json.topLosses.map((t) => t.predictedName),
      labels,
    );
  });

  test('bad input: a missing model, a bad threshold', () => {
    const missing = convkit('evaluate', join(dir, 'nope.keras'), '--dataset', 'mnist');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nope\.keras/);
    const threshold = convkit('evaluate', modelPath, '--threshold', '1.5');
    assert.notEqual(threshold.code, 0);
    assert.match(threshold.stderr, /--threshold: expected a number >= 0 and <= 1, received '1\.5'/);
  });
});

describe('convkit diagnose', () => {
  async function csv(name: string, rows: Record<string, number>[]): Promise<string> {
    const path = join(dir, name);
    const logger = new CSVLogger(path);
    await logger.onTrainBegin();
    for (const [epoch, logs] of rows.entries()) await logger.onEpochEnd(epoch, logs);
    return path;
  }

  test('prints the verdict first, evidence and remedies; --json parses', async () => {
    const loss = [1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08];
    const valLoss = [1.0, 0.75, 0.6, 0.55, 0.58, 0.63, 0.7, 0.78];
    const path = await csv(
      'overfit.csv',
      loss.map((l, i) => ({ loss: l, val_loss: valLoss[i]! })),
    );
    const r = convkit('diagnose', path);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'Diagnosis: overfitting');
    assert.match(lines[1]!, /turned at epoch 4/);
    assert.match(r.stdout, /What to try:\n {2}\* More training data, or data augmentation/);
    const json = lastJson(convkit('diagnose', path, '--json').stdout) as { verdict: string; facts: { bestEpoch: number } };
    assert.equal(json.verdict, 'overfitting');
    assert.equal(json.facts.bestEpoch, 4);
  });

  test('convkit train prints the diagnosis, and diagnoses its own --csv file', () => {
    const path = join(dir, 'train.csv');
    const args = ['--model', 'mlp', '--epochs', '2', '--limit', '500', '--validation-split', '0.2', '--seed', '3'];
    const trained = convkit('train', ...args, '--csv', path, '--out', join(dir, 'trained.keras'));
    assert.equal(trained.code, 0, trained.stderr);
    const verdict = /^Diagnosis: (.+)$/m.exec(trained.stdout)?.[1];
    assert.ok(verdict, trained.stdout);
    const r = convkit('diagnose', path);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], `Diagnosis: ${verdict}`);
  });

  test('without validation it says what it cannot tell', async () => {
    const path = await csv('train-only.csv', [{ loss: 1 }, { loss: 0.6 }, { loss: 0.45 }, { loss: 0.44 }, { loss: 0.439 }]);
    const r = convkit('diagnose', path);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Diagnosis: healthy/);
    assert.match(r.stdout, /No validation data: overfitting cannot be seen/);
  });

  test('bad files fail with a message, no stack trace', () => {
    const missing = convkit('diagnose', join(dir, 'none.csv'));
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /none\.csv/);
    const model = convkit('diagnose', 'package.json');
    assert.notEqual(model.code, 0);
    assert.match(model.stderr, /package\.json: the first column is .*not 'epoch'/);
    assert.doesNotMatch(model.stderr, /^\s+at /m);
  });
});

describe('convkit params', () => {
  test("--compare mlp,cnn: seed 003's counts, the ratio and weight sharing", () => {
    const r = convkit('params', '--compare', 'mlp,cnn', '--input-shape', '400,600,3');
    assert.equal(r.code, 0, r.stderr);
    // MLP: 400*600*3 = 720,000 inputs x 100 units + 100 biases; CNN: 100 filters x (3*3*3 + 1).
    assert.match(r.stdout, /dense \(Dense\) +\(None, 100\) +72000100/);
    assert.match(r.stdout, /Total params: 72,000,100/);
    assert.match(r.stdout, /conv2d \(Conv2D\) +\(None, 398, 598, 100\) +2800/);
    assert.match(r.stdout, /Total params: 2,800/);
    assert.match(r.stdout, /mlp has 72,000,100 parameters, cnn 2,800: 25,714\.3x more\./);
    assert.match(r.stdout, /Weight sharing: a convolution/);
    assert.match(r.stdout, /grayscale 400x600 image .* 400 x 600 x 100 \+ 100 = 24,000,100 parameters/);
    // The seed's own figure: a 400x600 grayscale image gives 400*600*100 + 100 = 24,000,100 (and 9*100 + 100 for the CNN).
    const gray = lastJson(convkit('params', '--compare', 'mlp,cnn', '--input-shape', '400,600,1', '--json').stdout) as {
      models: { totalParams: number }[];
      ratio: number;
    };
    assert.deepEqual(
      gray.models.map((m) => m.totalParams),
      [24_000_100, 1_000],
    );
    assert.equal(gray.ratio, 24_000.1);
  });

  test('--compare two saved model files', async () => {
    const a = join(dir, 'dense.keras');
    const b = join(dir, 'conv.keras');
    await saveModel(new Sequential([new Flatten({ inputShape: [28, 28, 1] }), new Dense(10)]), a);
    await saveModel(
      new Sequential([new Conv2D(8, 3, { inputShape: [28, 28, 1] }), new MaxPooling2D(2), new Flatten(), new Dense(10)]),
      b,
    );
    const r = convkit('params', '--compare', `${a},${b}`);
    assert.equal(r.code, 0, r.stderr);
    // dense: 784*10 + 10 = 7,850. conv: 8*(9+1) = 80, then 13*13*8 = 1,352 inputs x 10 + 10 = 13,530; 13,610 in all.
    assert.match(r.stdout, /conv\.keras has 13,610 parameters, dense\.keras 7,850: 1\.7x more\./);
    assert.match(r.stdout, /1,352 inputs x 10 units \+ 10 biases = 13,530/);
  });

  const kerasMnist = `${SHARED_DATA}keras-mnist/classic-cnn/`;
  test('--compare a legacy .h5 and a .keras written by Keras', { skip: skipUnless(missingFile(kerasMnist)) }, () => {
    need(missingFile(kerasMnist));
    const r = convkit('params', '--compare', `${kerasMnist}mnist_cnn.h5,${kerasMnist}mnist_cnn.keras`);
    assert.equal(r.code, 0, r.stderr);
    // Conv 3*3*1*32 + 32 = 320, Conv 3*3*32*64 + 64 = 18,496, Dense 1,600*128 + 128 = 204,928, Dense 128*10 + 10 = 1,290.
    assert.match(r.stdout, /mnist_cnn\.h5 and mnist_cnn\.keras both have 225,034 parameters\./);
    assert.match(r.stdout, /32 filters x \(3x3x1 weights\) \+ 32 biases = 320/);
    assert.match(r.stdout, /1,600 inputs x 128 units \+ 128 biases = 204,928/);
  });

  test('bad input is named', () => {
    const one = convkit('params', '--compare', 'mlp');
    assert.notEqual(one.code, 0);
    assert.match(one.stderr, /expected two names separated by a comma/);
    const mixed = convkit('params', '--compare', 'mlp,model.keras');
    assert.match(mixed.stderr, /mix of a seed name and a file/);
    const shape = convkit('params', '--compare', 'mlp,cnn', '--input-shape', '400,600');
    assert.match(shape.stderr, /--input-shape: expected three positive integers/);
  });
});
