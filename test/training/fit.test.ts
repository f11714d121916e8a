// fit / evaluate / predict: loss goes down, History keys, validation split, seeded determinism, Dataset input,
// callback hook order, label errors and the non-TTY progress line.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Callback, type Logs } from '../../src/callbacks/callback.js';
import { ConfigError, ShapeError, ValueError } from '../../src/errors.js';
import { Dense } from '../../src/layers/dense.js';
import { Dropout } from '../../src/layers/dropout.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Dataset } from '../../src/training/data.js';
import { SparseTopKCategoricalAccuracy } from '../../src/training/metrics.js';
import { Adam, SGD } from '../../src/training/optimizers/index.js';
import { formatEta, formatTimePerUnit, ProgressBar } from '../../src/training/progress-bar.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { backend, smallSequential, toyData } from './fixtures.js';

const { x, y, yOneHot } = toyData(64);

class Recorder extends Callback {
  events: string[] = [];
  override async onTrainBegin(): Promise<void> {
    this.events.push('trainBegin');
  }
  override async onTrainEnd(): Promise<void> {
    this.events.push('trainEnd');
  }
  override async onEpochBegin(e: number): Promise<void> {
    this.events.push(`epochBegin ${e}`);
  }
  override async onEpochEnd(e: number, logs: Logs = {}): Promise<void> {
    this.events.push(`epochEnd ${e} ${Object.keys(logs).sort().join(',')}`);
  }
  override async onTrainBatchBegin(b: number): Promise<void> {
    this.events.push(`batchBegin ${b}`);
  }
  override async onTrainBatchEnd(b: number, logs: Logs = {}): Promise<void> {
    this.events.push(`batchEnd ${b} ${Object.keys(logs).sort().join(',')}`);
  }
  override async onTestBegin(): Promise<void> {
    this.events.push('testBegin');
  }
  override async onTestEnd(): Promise<void> {
    this.events.push('testEnd');
  }
}

describe('training/fit', () => {
  test('trainOnBatch decreases the loss on a toy problem', async () => {
    const model = smallSequential();
    model.compile({ optimizer: new Adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const first = (await model.trainOnBatch(x, y)).loss!;
    let last = first;
    for (let i = 0; i < 200; i++) last = (await model.trainOnBatch(x, y)).loss!;
    assert.ok(last < first * 0.5, `loss ${first} -> ${last}`);
    const [, accuracy] = (await model.evaluate(x, y, { verbose: 0 })) as number[];
    assert.ok(accuracy! > 0.9, `accuracy ${accuracy}`);
  });

  test('fit with validationSplit: History keys and lengths', async () => {
    const model = smallSequential();
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, yOneHot, { epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0 });
    assert.deepEqual(Object.keys(history.history).sort(), ['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss']);
    for (const series of Object.values(history.history)) assert.equal(series.length, 3);
    assert.deepEqual(history.epoch, [0, 1, 2]);
    assert.equal(history.params?.steps, 3);
  });

  test('callbacks receive hooks in Keras order', async () => {
    const model = smallSequential();
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['acc'] });
    const recorder = new Recorder();
    await model.fit(x, y, { epochs: 2, batchSize: 32, validationData: [x, y], callbacks: [recorder], verbose: 0 });
    assert.deepEqual(recorder.events, [
      'trainBegin',
      'epochBegin 0',
      'batchBegin 0',
      'batchEnd 0 acc,loss',
      'batchBegin 1',
      'batchEnd 1 acc,loss',
      'testBegin',
      'testEnd',
      'epochEnd 0 acc,learning_rate,loss,val_acc,val_loss',
      'epochBegin 1',
      'batchBegin 0',
      'batchEnd 0 acc,loss',
      'batchBegin 1',
      'batchEnd 1 acc,loss',
      'testBegin',
      'testEnd',
      'epochEnd 1 acc,learning_rate,loss,val_acc,val_loss',
      'trainEnd',
    ]);
  });

  test('stopTraining set by a callback ends fit after that epoch', async () => {
    class Stopper extends Callback {
      override async onEpochEnd(): Promise<void> {
        this.model!.stopTraining = true;
      }
    }
    const model = smallSequential();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const history = await model.fit(x, y, { epochs: 5, callbacks: [new Stopper()], verbose: 0 });
    assert.equal(history.history.loss!.length, 1);
  });

  test('same seed, same data: bit-identical weights (shuffle and dropout)', async () => {
    const run = async (): Promise<Float32Array[]> => {
      setRandomSeed(1234);
      const model = new Sequential([
        new Dense({ units: 8, activation: 'relu', inputShape: [6] }),
        new Dropout({ rate: 0.3 }),
        new Dense({ units: 3, activation: 'softmax' }),
      ]);
      model.backendOverride = backend;
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
      return model.getWeights();
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(a, b);
  });

  test('evaluate returns named logs with returnDict; predict returns (N, classes)', async () => {
    const model = smallSequential();
    // Top-2 of 3 classes (the default k=5 would count every row as a hit and could not fail).
    model.compile({
      optimizer: 'adam',
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy', new SparseTopKCategoricalAccuracy(2)],
    });
    const logs = await model.evaluate(x, y, { batchSize: 10, verbose: 0, returnDict: true });
    assert.deepEqual(Object.keys(logs).sort(), ['accuracy', 'loss', 'sparse_top_k_categorical_accuracy']);
    const p = await model.predict(x, { batchSize: 10, verbose: 0 });
    let top1 = 0;
    let top2 = 0;
    for (let i = 0; i < 64; i++) {
      const row = Array.from(p.data.subarray(i * 3, i * 3 + 3));
      const above = row.filter((v) => v > row[y.data[i]!]!).length;
      if (above === 0) top1++;
      if (above < 2) top2++;
    }
    assert.ok(top2 < 64 && top2 > top1, `an untrained model misses some rows in its top 2 (${top1} top-1, ${top2} top-2 hits)`);
    assert.equal(logs.accuracy, top1 / 64);
    assert.equal(logs.sparse_top_k_categorical_accuracy, top2 / 64);
    assert.deepEqual(p.shape, [64, 3]);
    for (let i = 0; i < 64; i++) assert.ok(Math.abs(p.data[i * 3]! + p.data[i * 3 + 1]! + p.data[i * 3 + 2]! - 1) < 1e-5);
    const one = await model.predictOnBatch({ data: x.data.subarray(0, 12), shape: [2, 6] });
    assert.deepEqual(Array.from(one.data), Array.from(p.data.subarray(0, 6)));
  });

  test('fit and evaluate on a Dataset', async () => {
    const batches = 4;
    const dataset: Dataset = {
      length: batches,
      async *[Symbol.asyncIterator]() {
        for (let b = 0; b < batches; b++) {
          yield {
            x: { data: x.data.subarray(b * 96, (b + 1) * 96), shape: [16, 6] },
            y: { data: y.data.subarray(b * 16, (b + 1) * 16), shape: [16] },
          };
        }
      },
    };
    const model = smallSequential();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(dataset, { epochs: 2, validationData: dataset, verbose: 0 });
    assert.equal(history.history.val_loss!.length, 2);
    const [loss] = (await model.evaluate(dataset, { verbose: 0 })) as number[];
    assert.ok(Number.isFinite(loss));
  });

  test('classWeight and sampleWeight scale the loss', async () => {
    const model = smallSequential();
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'sparseCategoricalCrossentropy' });
    const base = (await model.testOnBatch(x, y)).loss!;
    const doubled = (await model.testOnBatch(x, y, new Float32Array(64).fill(2))).loss!;
    assert.ok(Math.abs(doubled - 2 * base) < 1e-5);
    const h = await model.fit(x, y, { epochs: 1, batchSize: 64, classWeight: { 0: 3, 1: 3, 2: 3 }, shuffle: false, verbose: 0 });
    assert.ok(Math.abs(h.history.loss![0]! - 3 * base) < 1e-4);
  });

  test('bad labels and names give clear errors', async () => {
    const model = smallSequential();
    assert.throws(
      () => model.compile({ optimizer: 'adamx', loss: 'mse' }),
      (e: unknown) => e instanceof ConfigError && /adam, sgd, rmsprop, adamw/.test(e.message),
    );
    assert.throws(
      () => model.compile({ optimizer: 'adam', loss: 'hinge' }),
      (e: unknown) => e instanceof ConfigError && /sparseCategoricalCrossentropy/.test(e.message),
    );
    assert.throws(() => model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['f1'] }), ConfigError);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await assert.rejects(model.fit(x, { data: new Float32Array(64).fill(7), shape: [64] }, { verbose: 0 }), ValueError);
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await assert.rejects(
      model.fit(x, y, { verbose: 0 }),
      (e: unknown) => e instanceof ShapeError && /sparseCategoricalCrossentropy/.test(e.message),
    );
    await assert.rejects(smallSequential().fit(x, y), /not compiled/);
  });

  test('NaN loss is reported, training continues', async () => {
    const model = smallSequential();
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const bad = { data: yOneHot.data.slice(), shape: yOneHot.shape };
    bad.data[0] = Number.NaN;
    const h = await model.fit(x, bad, { epochs: 2, batchSize: 64, verbose: 0 });
    assert.equal(h.history.loss!.length, 2);
    assert.ok(Number.isNaN(h.history.loss![0]));
  });

  test('progress bar: non-TTY prints one Keras line per epoch; verbose 2 form', () => {
    let clock = 0;
    const lines: string[] = [];
    const bar = new ProgressBar({ target: 938, verbose: 1, interactive: false, write: (t) => lines.push(t), now: () => clock });
    for (let i = 1; i <= 938; i++) {
      clock = i * 0.013;
      bar.update(i, { loss: 0.1623, accuracy: 0.9512 });
    }
    bar.update(938, { loss: 0.16234, accuracy: 0.95121, val_loss: 0.05, val_accuracy: 0.98, learning_rate: 0.001 }, true);
    assert.deepEqual(lines, [
      '938/938 ━━━━━━━━━━━━━━━━━━━━ 12s 13ms/step - accuracy: 0.9512 - loss: 0.1623 - val_accuracy: 0.9800 - val_loss: 0.0500\n',
    ]);
    const two: string[] = [];
    const bar2 = new ProgressBar({ target: 313, verbose: 2, interactive: false, write: (t) => two.push(t), now: () => clock });
    clock += 4;
    bar2.update(313, { loss: 0.2789, accuracy: 0.8977 }, true);
    assert.deepEqual(two, ['313/313 - 4s - 13ms/step - accuracy: 0.8977 - loss: 0.2789\n']);
    const tty: string[] = [];
    clock = 0;
    const bar3 = new ProgressBar({ target: 100, verbose: 1, interactive: true, write: (t) => tty.push(t), now: () => clock });
    for (let i = 1; i <= 100; i++) {
      clock = i * 0.013;
      bar3.update(i, { loss: 1 });
    }
    bar3.update(100, { loss: 0.5 }, true);
    assert.ok(tty.length >= 10 && tty.length <= 16, `${tty.length} redraws for 1.3 s`);
    const esc = String.fromCharCode(27);
    const green = (n: number): string => `${esc}[32m${'━'.repeat(n)}${esc}[0m`;
    const grey = (n: number): string => `${esc}[37m${'━'.repeat(n)}${esc}[0m`;
    assert.equal(tty[0], `\r  1/100 ${grey(20)} 1s 13ms/step - loss: 1.0000`);
    assert.ok(tty[8]!.startsWith(`\r 65/100 ${green(13)}${grey(7)} 0s 13ms/step`), tty[8]);
    assert.ok(tty[tty.length - 1]!.endsWith('\n'));
    assert.equal(formatEta(3725), '1:02:05');
    assert.equal(formatEta(125), '2:05');
    assert.equal(formatTimePerUnit(0.0005), ' 500us/step');
  });
});
