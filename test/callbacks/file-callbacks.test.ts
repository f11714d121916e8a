// ModelCheckpoint (templates, saveBestOnly, weights-only naming), CSVLogger, LearningRateScheduler, TerminateOnNaN
// and BackupAndRestore's file protocol, with synthetic logs and a fake target.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  BackupAndRestore,
  CSVLogger,
  formatFilepath,
  LearningRateScheduler,
  ModelCheckpoint,
  TerminateOnNaN,
} from '../../src/callbacks/index.js';
import { ConfigError, ValueError } from '../../src/errors.js';
import { FakeTarget, runEpochs } from './fake-target.js';

const root = mkdtempSync(join(tmpdir(), 'convkit-cb-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('callbacks: ModelCheckpoint', () => {
  test('formatFilepath: Python format subset', () => {
    const values = { epoch: 3, val_loss: 0.12567, loss: 1.5 };
    assert.equal(formatFilepath('ckpt-{epoch:02d}-{val_loss:.2f}.keras', values), 'ckpt-03-0.13.keras');
    assert.equal(formatFilepath('m-{epoch}-{loss:.4f}-{{x}}.keras', values), 'm-3-1.5000-{x}.keras');
    assert.equal(formatFilepath('{epoch:03d}', { epoch: 12 }), '012');
    assert.equal(formatFilepath('{loss:.1e}', { loss: 0.000123 }), '1.2e-04');
    assert.throws(
      () => formatFilepath('{val_acc:.2f}', values),
      (e: Error) => {
        assert.ok(e instanceof ValueError);
        assert.match(e.message, /cannot fill '\{val_acc\}'.*Expected one of: epoch, loss, val_loss/);
        return true;
      },
    );
    assert.throws(() => formatFilepath('{loss:>10s}', values), /invalid format spec/);
  });

  test('saves every epoch with 1-based epoch names', async () => {
    const target = new FakeTarget();
    const cb = new ModelCheckpoint({ filepath: join(root, 'all', 'ckpt-{epoch:02d}-{val_loss:.2f}.keras') });
    await runEpochs(cb, target, [{ val_loss: 0.5 }, { val_loss: 0.25 }]);
    assert.deepEqual(
      target.saves.map((s) => s.path),
      [join(root, 'all', 'ckpt-01-0.50.keras'), join(root, 'all', 'ckpt-02-0.25.keras')],
    );
  });

  test('saveBestOnly saves only on improvement (max mode for accuracy)', async () => {
    const target = new FakeTarget();
    const cb = new ModelCheckpoint({
      filepath: join(root, 'best', 'w-{epoch}.weights.h5'),
      monitor: 'val_accuracy',
      saveBestOnly: true,
      saveWeightsOnly: true,
    });
    await runEpochs(
      cb,
      target,
      [0.5, 0.7, 0.6, 0.8].map((a) => ({ val_accuracy: a })),
    );
    assert.deepEqual(
      target.saves.map((s) => [s.path.slice(root.length), s.weightsOnly]),
      [
        ['/best/w-1.weights.h5', true],
        ['/best/w-2.weights.h5', true],
        ['/best/w-4.weights.h5', true],
      ],
    );
  });

  test('path suffix rules and saveFreq in batches', async () => {
    assert.throws(
      () => new ModelCheckpoint({ filepath: 'w.h5', saveWeightsOnly: true }),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /'\.weights\.h5'.*received "w\.h5"/);
        return true;
      },
    );
    assert.throws(() => new ModelCheckpoint({ filepath: 'model.txt' }), ConfigError);
    assert.throws(() => new ModelCheckpoint({ filepath: 'w.weights.h5' }), /saveWeightsOnly: true with '\.weights\.h5'/);
    assert.equal(new ModelCheckpoint({ filepath: 'fine_tuned_model.h5' }).filepath, 'fine_tuned_model.h5');
    assert.throws(() => new ModelCheckpoint({ filepath: 'm.keras', saveFreq: 0 }), ConfigError);
    const target = new FakeTarget();
    const cb = new ModelCheckpoint({ filepath: join(root, 'freq', 'm-{epoch}-{batch}.keras'), saveFreq: 2 });
    cb.setModel(target);
    await cb.onTrainBegin();
    await cb.onEpochBegin(0);
    for (let b = 0; b < 5; b++) await cb.onTrainBatchEnd(b, { loss: 1 });
    assert.deepEqual(
      target.saves.map((s) => s.path.slice(root.length)),
      ['/freq/m-1-2.keras', '/freq/m-1-4.keras'],
    );
  });
});

describe('callbacks: CSVLogger', () => {
  test('header epoch + sorted keys, one row per epoch, append without a second header', async () => {
    const file = join(root, 'log.csv');
    const logs = [
      { val_loss: 0.5, loss: 0.75, accuracy: 0.5, val_accuracy: 0.25 },
      { val_loss: 0.25, loss: 0.5, accuracy: 0.75, val_accuracy: Number.NaN },
    ];
    await runEpochs(new CSVLogger(file), new FakeTarget(), logs);
    assert.equal(
      readFileSync(file, 'utf8'),
      'epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,0.75,0.25,0.5\n1,0.75,0.5,nan,0.25\n',
    );
    await runEpochs(new CSVLogger(file, { append: true, separator: ';' }), new FakeTarget(), [logs[0]!]);
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 5);
    assert.match(readFileSync(file, 'utf8'), /\n0;0\.5;0\.75;0\.25;0\.5\n$/);
  });

  test('without validation keys, reserves val_ columns as Keras does (NA)', async () => {
    const file = join(root, 'noval.csv');
    await runEpochs(new CSVLogger(file), new FakeTarget(), [{ loss: 1 }]);
    assert.equal(readFileSync(file, 'utf8'), 'epoch,loss,val_loss\n0,1,NA\n');
  });
});

describe('callbacks: LearningRateScheduler and TerminateOnNaN', () => {
  test('schedule(epoch, lr) sets the lr each epoch and logs it', async () => {
    const target = new FakeTarget(1);
    const cb = new LearningRateScheduler((epoch, lr) => (epoch < 2 ? lr : lr / 2));
    cb.setModel(target);
    const seen: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      await cb.onEpochBegin(epoch);
      const logs: Record<string, number> = {};
      await cb.onEpochEnd(epoch, logs);
      seen.push(logs.learning_rate!);
    }
    assert.deepEqual(seen, [1, 1, 0.5, 0.25]);
    const bad = new LearningRateScheduler(() => Number.NaN);
    bad.setModel(target);
    await assert.rejects(bad.onEpochBegin(0), ValueError);
  });

  test('TerminateOnNaN stops on NaN or Inf loss only', async () => {
    const cb = new TerminateOnNaN();
    const target = new FakeTarget();
    cb.setModel(target);
    await cb.onTrainBatchEnd(0, { loss: 1 });
    await cb.onTrainBatchEnd(1, {});
    assert.equal(target.stopTraining, false);
    await cb.onTrainBatchEnd(2, { loss: Number.POSITIVE_INFINITY });
    assert.equal(target.stopTraining, true);
    const target2 = new FakeTarget();
    cb.setModel(target2);
    await cb.onTrainBatchEnd(0, { loss: Number.NaN });
    assert.equal(target2.stopTraining, true);
  });
});

describe('callbacks: BackupAndRestore (file protocol)', () => {
  test('backs up each epoch, resumes from the last, deletes on normal end', async () => {
    const dir = join(root, 'backup');
    const target = new FakeTarget();
    const cb = new BackupAndRestore({ backupDir: dir });
    cb.setModel(target);
    await cb.onTrainBegin();
    assert.equal(await cb.resumeEpoch(), null);
    await cb.onEpochEnd(0);
    await cb.onEpochEnd(1);
    assert.deepEqual(readdirSync(dir).sort(), ['backup-epoch-2.keras', 'training_metadata.json']);
    // A new run (after a crash) resumes at epoch 2 from the latest file.
    const resumed = new FakeTarget();
    const again = new BackupAndRestore({ backupDir: dir });
    again.setModel(resumed);
    assert.equal(await again.resumeEpoch(), 2);
    assert.deepEqual(resumed.restores, [join(dir, 'backup-epoch-2.keras')]);
    await again.onTrainEnd();
    assert.equal(existsSync(dir), false);
  });

  test('corrupt metadata is a FormatError with a hint', async () => {
    const dir = join(root, 'bad-backup');
    const cb = new BackupAndRestore({ backupDir: dir });
    cb.setModel(new FakeTarget());
    await cb.onEpochEnd(0);
    writeFileSync(join(dir, 'training_metadata.json'), '{"epoch":');
    await assert.rejects(cb.resumeEpoch(), /not valid JSON.*delete the backup folder/);
  });
});
