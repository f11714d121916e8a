// EarlyStopping, ReduceLROnPlateau and the monitor base, driven by synthetic logs (Keras's own test cases).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { autoMode, EarlyStopping, ReduceLROnPlateau } from '../../src/callbacks/index.js';
import { ConfigError } from '../../src/errors.js';
import { FakeTarget, runEpochs } from './fake-target.js';

const losses = (...values: number[]) => values.map((v) => ({ loss: v, val_loss: v }));

function captureWarnings<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (message: string) => warnings.push(String(message));
  return fn()
    .then((result) => ({ result, warnings }))
    .finally(() => {
      console.warn = original;
    });
}

describe('callbacks: monitor base', () => {
  test('auto mode: max for accuracy-like names, min otherwise', () => {
    assert.equal(autoMode('val_accuracy'), 'max');
    assert.equal(autoMode('acc'), 'max');
    assert.equal(autoMode('val_auc'), 'max');
    assert.equal(autoMode('precision'), 'max');
    assert.equal(autoMode('val_recall'), 'max');
    assert.equal(autoMode('val_loss'), 'min');
    assert.equal(autoMode('mse'), 'min');
  });

  test('isImprovement honours minDelta in both directions', () => {
    const min = new EarlyStopping({ minDelta: 0.1 });
    assert.equal(min.isImprovement(0.85, 1), true);
    assert.equal(min.isImprovement(0.95, 1), false);
    assert.equal(min.isImprovement(5, null), true);
    const max = new EarlyStopping({ monitor: 'val_accuracy', minDelta: -0.1 });
    assert.equal(max.minDelta, 0.1);
    assert.equal(max.isImprovement(0.95, 0.8), true);
    assert.equal(max.isImprovement(0.85, 0.8), false);
  });

  test('missing metric warns once, listing available keys', async () => {
    const es = new EarlyStopping({ monitor: 'val_acc', patience: 0 });
    const { result, warnings } = await captureWarnings(() =>
      runEpochs(es, new FakeTarget(), [
        { loss: 1, accuracy: 0.5 },
        { loss: 0.5, accuracy: 0.6 },
        { loss: 0.4, accuracy: 0.7 },
      ]),
    );
    assert.equal(result.stoppedAfter, 3);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /'val_acc' is not in the logs; available metrics are: accuracy, loss/);
  });

  test('bad options are ConfigErrors', () => {
    assert.throws(() => new EarlyStopping({ mode: 'up' as 'min' }), ConfigError);
    assert.throws(() => new EarlyStopping({ patience: -1 }), ConfigError);
    assert.throws(() => new ReduceLROnPlateau({ factor: 1.5 }), /ReduceLROnPlateau: invalid 'factor'/);
  });
});

describe('callbacks: EarlyStopping', () => {
  test('patience 2 stops at the third epoch without improvement', async () => {
    const es = new EarlyStopping({ patience: 2 });
    const { stoppedAfter } = await runEpochs(es, new FakeTarget(), losses(1, 0.5, 0.6, 0.7, 0.4, 0.3));
    assert.equal(stoppedAfter, 3);
    assert.equal(es.stoppedEpoch, 3);
    assert.equal(es.best, 0.5);
  });

  test('restoreBestWeights sets the best epoch weights at train end', async () => {
    const target = new FakeTarget();
    const es = new EarlyStopping({ patience: 2, restoreBestWeights: true });
    await runEpochs(es, target, losses(1, 0.5, 0.6, 0.7, 0.8));
    assert.equal(es.bestEpoch, 1);
    assert.deepEqual([...target.weights[0]!], [1]);
  });

  test('max mode on accuracy and minDelta', async () => {
    const es = new EarlyStopping({ monitor: 'val_accuracy', patience: 1, minDelta: 0.05 });
    const logs = [0.5, 0.6, 0.62, 0.64, 0.9].map((a) => ({ val_accuracy: a }));
    const { stoppedAfter } = await runEpochs(es, new FakeTarget(), logs);
    assert.equal(stoppedAfter, 2);
  });

  test('baseline: the first value does not reset the wait unless it beats the baseline', async () => {
    const withBaseline = new EarlyStopping({ patience: 2, baseline: 0.1 });
    assert.equal((await runEpochs(withBaseline, new FakeTarget(), losses(1, 1, 1, 1))).stoppedAfter, 1);
    const without = new EarlyStopping({ patience: 2 });
    assert.equal((await runEpochs(without, new FakeTarget(), losses(1, 1, 1, 1))).stoppedAfter, 2);
  });

  test('startFromEpoch ignores warm-up epochs; state resets between runs', async () => {
    const es = new EarlyStopping({ patience: 0, startFromEpoch: 2 });
    const first = await runEpochs(es, new FakeTarget(), losses(1, 2, 3, 4, 5));
    assert.equal(first.stoppedAfter, 3);
    const second = await runEpochs(es, new FakeTarget(), losses(5, 4, 3, 2, 1));
    assert.equal(second.stoppedAfter, 5);
    assert.equal(es.best, 1);
  });
});

describe('callbacks: ReduceLROnPlateau', () => {
  test('factor, patience, cooldown and minLr', async () => {
    const target = new FakeTarget(1);
    const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 2, cooldown: 1, minLr: 0.2 });
    const lrs: number[] = [];
    cb.setModel(target);
    await cb.onTrainBegin();
    const values = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    for (const [epoch, v] of values.entries()) {
      const logs: Record<string, number> = { val_loss: v };
      await cb.onEpochEnd(epoch, logs);
      lrs.push(target.lr);
    }
    // Keras: epoch 0 sets best; waits 1,2 -> reduce at 2; epoch 3 spends the cooldown and counts 1; reduce at 4;
    // again at 6 (clamped to minLr); never below minLr after that.
    assert.deepEqual(lrs, [1, 1, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2]);
  });

  test('minDelta default 1e-4 ignores tiny gains; logs get learning_rate', async () => {
    const target = new FakeTarget(0.1);
    const cb = new ReduceLROnPlateau({ patience: 1 });
    cb.setModel(target);
    await cb.onTrainBegin();
    const logs: Record<string, number> = { val_loss: 1 };
    await cb.onEpochEnd(0, logs);
    assert.equal(logs.learning_rate, 0.1);
    await cb.onEpochEnd(1, { val_loss: 1 - 5e-5 });
    assert.ok(Math.abs(target.lr - 0.01) < 1e-12);
  });
});
