// The TrainingTarget side with real callbacks: BackupAndRestore resumes an interrupted fit from the next epoch
// with the same weights as an uninterrupted run; EarlyStopping and ReduceLROnPlateau act through the model.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BackupAndRestore, Callback, EarlyStopping, ReduceLROnPlateau } from '../../src/callbacks/index.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { smallSequential, toyData } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-training-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { x, y } = toyData(32);

class Interrupt extends Callback {
  constructor(private readonly at: number) {
    super();
  }
  override async onEpochEnd(epoch: number): Promise<void> {
    if (epoch === this.at) throw new Error('interrupted');
  }
}

describe('training/callbacks integration', () => {
  for (const shuffle of [false, true]) {
    test(`BackupAndRestore resumes at the next epoch with identical results (shuffle=${shuffle})`, async () => {
      const build = () => {
        setRandomSeed(5);
        const model = smallSequential();
        model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
        return model;
      };
      const reference = build();
      await reference.fit(x, y, { epochs: 4, batchSize: 8, shuffle, verbose: 0 });
      const model = build();
      const backup = new BackupAndRestore({ backupDir: join(dir, `backup-${shuffle}`) });
      await assert.rejects(
        model.fit(x, y, { epochs: 4, batchSize: 8, shuffle, verbose: 0, callbacks: [backup, new Interrupt(1)] }),
        /interrupted/,
      );
      const epochs: number[] = [];
      class Seen extends Callback {
        override async onEpochBegin(epoch: number): Promise<void> {
          epochs.push(epoch);
        }
      }
      const fresh = build();
      await fresh.fit(x, y, {
        epochs: 4,
        batchSize: 8,
        shuffle,
        verbose: 0,
        callbacks: [new BackupAndRestore({ backupDir: join(dir, `backup-${shuffle}`) }), new Seen()],
      });
      assert.deepEqual(epochs, [2, 3]);
      assert.deepEqual(fresh.getWeights(), reference.getWeights());
    });
  }

  test('EarlyStopping stops and ReduceLROnPlateau lowers the learning rate', async () => {
    const model = smallSequential();
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    // Starts from 0.1 (not 0, which halving leaves at 0): minDelta 1 makes every epoch a plateau.
    model.setLearningRate(0.1);
    const rates: number[] = [];
    class Rates extends Callback {
      override async onEpochEnd(): Promise<void> {
        rates.push(model.getLearningRate());
      }
    }
    const history = await model.fit(x, y, {
      epochs: 20,
      verbose: 0,
      callbacks: [
        new ReduceLROnPlateau({ monitor: 'loss', patience: 1, factor: 0.5, minDelta: 1 }),
        new EarlyStopping({ monitor: 'loss', patience: 3, minDelta: 1 }),
        new Rates(),
      ],
    });
    // Keras: epoch 0 sets the best; each later epoch waits 1 = patience and halves; EarlyStopping waits 3 epochs.
    // The logs carry the rate the epoch trained with (Keras writes it before reducing).
    assert.equal(history.history.loss!.length, 4);
    assert.deepEqual(rates, [0.1, 0.05, 0.025, 0.0125]);
    assert.deepEqual(history.history.learning_rate, [0.1, 0.1, 0.05, 0.025]);
  });
});
