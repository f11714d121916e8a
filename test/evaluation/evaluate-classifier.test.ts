// evaluateClassifier against independent computations on the same untrained models: the confusion matrix and
// top losses from model.predict() with plain loops, loss / accuracy / top-k from model.evaluate() with Keras's
// metrics, binary models with a threshold, an image folder (file paths in the top losses), and bad input.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { imageDatasetFromDirectory } from '../../src/datasets/image-directory.js';
import { ConfigError, ShapeError, ValueError } from '../../src/errors.js';
import { classificationReport, formatClassificationReport } from '../../src/evaluation/classification-metrics.js';
import { evaluateClassifier } from '../../src/evaluation/evaluate-classifier.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Rescaling } from '../../src/layers/rescaling.js';
import { Sequential } from '../../src/models/sequential.js';
import { l2 } from '../../src/regularizers.js';
import type { Tensor } from '../../src/tensor.js';
import { SparseTopKCategoricalAccuracy } from '../../src/training/metrics.js';
import { setRandomSeed } from '../../src/training/seed.js';

const N = 203; // not a multiple of the batch size
const K = 5;

function data(seed: number, n: number, features: number, classes: number): { x: Tensor; y: Tensor } {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const x = Float32Array.from({ length: n * features }, () => next() * 4 - 2);
  const y = Float32Array.from({ length: n }, () => Math.floor(next() * classes));
  return { x: { data: x, shape: [n, features] }, y: { data: y, shape: [n] } };
}

function softmaxModel(regularized = false) {
  setRandomSeed(7);
  const model = new Sequential([
    new Dense(K, { activation: 'softmax', inputShape: [6], ...(regularized ? { kernelRegularizer: l2(0.05) } : {}) }),
  ]);
  model.compile({
    optimizer: 'adam',
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy', new SparseTopKCategoricalAccuracy({ k: 3 })],
  });
  return model;
}

describe('evaluateClassifier on a softmax model', () => {
  test('matrix, accuracy, loss, top-k and top losses agree with predict() and evaluate()', async () => {
    const model = softmaxModel();
    const { x, y } = data(1, N, 6, K);
    const result = await evaluateClassifier(model, [x, y], { topK: 3, batchSize: 32, print: false, topLosses: 7 });
    const probs = await model.predict(x, { verbose: 0 });
    const matrix = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    const perSample: number[] = [];
    for (let i = 0; i < N; i++) {
      const row = Array.from(probs.data.subarray(i * K, (i + 1) * K));
      const pred = row.indexOf(Math.max(...row));
      matrix[y.data[i]!]![pred]! += 1;
      perSample.push(-Math.log(row[y.data[i]!]!));
      assert.equal(result.predictions.yPred[i], pred);
      assert.equal(result.predictions.confidence[i], Math.max(...row));
    }
    assert.deepEqual(result.confusionMatrix, matrix);
    const logs = await model.evaluate(x, y, { returnDict: true, verbose: 0 });
    assert.ok(Math.abs(result.loss - logs.loss!) < 1e-6, `loss ${result.loss} vs evaluate ${logs.loss}`);
    assert.equal(result.accuracy, logs.accuracy);
    assert.deepEqual(result.topK, { k: 3, accuracy: logs.sparse_top_k_categorical_accuracy });
    assert.equal(result.numSamples, N);
    assert.equal(result.binary, false);
    assert.equal(result.lossName, 'sparse_categorical_crossentropy');
    // Top losses: the 7 largest -log p(true), largest first, with their indices.
    const order = perSample.map((l, i) => [l, i] as const).sort((a, b) => b[0] - a[0]);
    assert.equal(result.topLosses.length, 7);
    result.topLosses.forEach((e, j) => {
      assert.equal(e.index, order[j]![1]);
      assert.ok(Math.abs(e.loss - order[j]![0]) < 1e-4, `loss of #${e.index}`);
      assert.equal(e.trueClass, y.data[e.index]);
      assert.equal(e.trueName, String(y.data[e.index]));
      assert.equal(e.path, undefined);
    });
    assert.deepEqual(result.classificationReport, classificationReport(y.data, result.predictions.yPred, { numClasses: K }));
    assert.equal(result.predictions.probabilities.length, N * K);
    assert.deepEqual(Array.from(result.predictions.probabilities), Array.from(probs.data));
  });

  test('regularization penalties are part of the loss, as in evaluate()', async () => {
    const model = softmaxModel(true);
    const { x, y } = data(2, 50, 6, K);
    const result = await evaluateClassifier(model, { x, y }, { print: false });
    const logs = await model.evaluate(x, y, { returnDict: true, verbose: 0 });
    assert.ok(Math.abs(result.loss - logs.loss!) < 1e-6, `loss ${result.loss} vs evaluate ${logs.loss}`);
  });

  test('one-hot labels, an uncompiled model and printing', async () => {
    setRandomSeed(3);
    const model = new Sequential([new Dense(K, { activation: 'softmax', inputShape: [6] })]);
    const { x, y } = data(4, 40, 6, K);
    const oneHot = new Float32Array(40 * K);
    y.data.forEach((c, i) => {
      oneHot[i * K + c] = 1;
    });
    const lines: string[] = [];
    const names = ['zero', 'one', 'two', 'three', 'four'];
    const a = await evaluateClassifier(model, [x, { data: oneHot, shape: [40, K] }], {
      classNames: names,
      print: (l) => lines.push(l),
    });
    const b = await evaluateClassifier(model, [x, y], { classNames: names, print: false });
    assert.deepEqual(a.confusionMatrix, b.confusionMatrix);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-6);
    assert.equal(a.topK, null, 'k = 5 is not below 5 classes: no top-k');
    assert.equal(lines[0], 'Evaluated 40 samples (5 classes).');
    const text = lines.join('\n');
    assert.ok(
      text.includes(
        formatClassificationReport(classificationReport(y.data, b.predictions.yPred, { classNames: names })).trimEnd(),
      ),
    );
    assert.match(text, /rows = true class/);
    assert.match(text, /^0 zero /m);
  });
});

describe('evaluateClassifier on a binary (sigmoid) model', () => {
  test('the threshold decides class 1; loss matches evaluate() with binary cross-entropy', async () => {
    setRandomSeed(11);
    const model = new Sequential([new Dense(1, { activation: 'sigmoid', inputShape: [6] })]);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const { x, y } = data(5, 120, 6, 2);
    const probs = await model.predict(x, { verbose: 0 });
    for (const threshold of [0.5, 0.7]) {
      const r = await evaluateClassifier(model, [x, y], { threshold, print: false, classNames: ['cat', 'dog'] });
      const matrix = [
        [0, 0],
        [0, 0],
      ];
      for (let i = 0; i < 120; i++) matrix[y.data[i]!]![probs.data[i]! > threshold ? 1 : 0]! += 1;
      assert.deepEqual(r.confusionMatrix, matrix, `threshold ${threshold}`);
      assert.equal(r.binary, true);
      assert.equal(r.threshold, threshold);
      assert.equal(r.topK, null);
      if (threshold === 0.5) {
        const logs = await model.evaluate(x, { data: y.data, shape: [120, 1] }, { returnDict: true, verbose: 0 });
        assert.ok(Math.abs(r.loss - logs.loss!) < 1e-6);
        assert.equal(r.accuracy, logs.accuracy);
      }
      const e = r.topLosses[0]!;
      const p = probs.data[e.index]!;
      assert.ok(Math.abs(e.confidence - (p > threshold ? p : 1 - p)) < 1e-7);
    }
  });

  test('labels other than 0/1 are refused by index', async () => {
    const model = new Sequential([new Dense(1, { activation: 'sigmoid', inputShape: [2] })]);
    const x = { data: new Float32Array(6), shape: [3, 2] };
    await assert.rejects(
      evaluateClassifier(model, [x, { data: [0, 1, 2], shape: [3] }], { print: false }),
      (e: Error) => e instanceof ValueError && /y\[2\]/.test(e.message) && /0 or 1/.test(e.message),
    );
  });
});

describe('evaluateClassifier on an image folder', () => {
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'convkit-evalcls-'));
    const colours: Record<string, [number, number, number]> = { blue: [0, 0, 255], red: [255, 0, 0] };
    for (const [name, [r, g, b]] of Object.entries(colours)) {
      mkdirSync(join(root, name));
      for (let i = 0; i < 5; i++) {
        await sharp({ create: { width: 6, height: 6, channels: 3, background: { r, g, b } } })
          .png()
          .toFile(join(root, name, `${i}.png`));
      }
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('class names come from the folders and top losses name their files', async () => {
    setRandomSeed(5);
    const model = new Sequential([
      new Rescaling(1 / 255, { inputShape: [4, 4, 3] }),
      new Flatten(),
      new Dense(2, { activation: 'softmax' }),
    ]);
    const ds = await imageDatasetFromDirectory(root, { imageSize: [4, 4], batchSize: 3, seed: 1 });
    const r = await evaluateClassifier(model, ds, { print: false, topLosses: 10 });
    assert.deepEqual(r.classNames, ['blue', 'red']);
    assert.equal(r.numSamples, 10);
    assert.equal(r.predictions.paths?.length, 10);
    for (const e of r.topLosses) {
      assert.ok(e.path?.startsWith(join(root, e.trueName)), `${e.path} is in the ${e.trueName} folder`);
      assert.equal(r.predictions.paths![e.index], e.path);
    }
  });
});

describe('evaluateClassifier input checks', () => {
  const model = new Sequential([new Dense(3, { activation: 'softmax', inputShape: [2] })]);
  const x = { data: new Float32Array(8), shape: [4, 2] };
  const y = { data: [0, 1, 2, 1], shape: [4] };

  test('options are checked by name', async () => {
    await assert.rejects(
      evaluateClassifier(model, [x, y], { top_k: 2 } as never),
      (e: Error) => e instanceof ConfigError && /top_k/.test(e.message),
    );
    await assert.rejects(evaluateClassifier(model, [x, y], { classNames: ['a'] }), /classNames.*3 names/);
    await assert.rejects(evaluateClassifier(model, [x, y], { threshold: 2 }), /threshold/);
    await assert.rejects(evaluateClassifier(model, [x, y], { batchSize: 0 }), /batchSize/);
  });

  test('labels out of range, mismatched rows and empty data are named', async () => {
    await assert.rejects(
      evaluateClassifier(model, [x, { data: [0, 1, 3, 1], shape: [4] }], { print: false }),
      /y\[2\].*\[0, 2\]/,
    );
    await assert.rejects(evaluateClassifier(model, [x, { data: [0, 1], shape: [2] }], { print: false }), ShapeError);
    await assert.rejects(
      evaluateClassifier(
        model,
        [
          { data: new Float32Array(0), shape: [0, 2] },
          { data: [], shape: [0] },
        ],
        { print: false },
      ),
      /no samples/,
    );
    await assert.rejects(evaluateClassifier(model, { x } as never, { print: false }), /Dataset, \[x, y\] or \{ x, y \}/);
  });
});
