// .keras save/load end to end (needs models/model-config and layers/serialization): our round trip with
// optimizer state, the real Keras 3.11 file, weights-only files, damaged archives, and BackupAndRestore
// resuming a killed fit() to the same weights as an uninterrupted one.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { BackupAndRestore, Callback } from '../../src/callbacks/index.js';
import { ConfigError, FormatError, NotFoundError } from '../../src/errors.js';
import { writeZip } from '../../src/io/zip.js';
import { missingFile, need, skipUnless } from '../helpers/requirements.js';

const KERAS_FILE = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'keras-mnist', 'classic-cnn', 'mnist_cnn.keras');
const root = mkdtempSync(join(tmpdir(), 'convkit-kf-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function modules() {
  const io = await import('../../src/io/keras-file.js');
  const { Sequential } = await import('../../src/models/sequential.js');
  const { Dense } = await import('../../src/layers/dense.js');
  const { setRandomSeed } = await import('../../src/training/seed.js');
  return { io, Sequential, Dense, setRandomSeed };
}

async function tinyModel(seed: number) {
  const { Sequential, Dense, setRandomSeed } = await modules();
  setRandomSeed(seed);
  const model = new Sequential([
    new Dense({ units: 8, activation: 'relu', inputShape: [4] }),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return model;
}

function tinyData() {
  const n = 24;
  const x = new Float32Array(n * 4);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = Math.sin(i * 1.3 + j * 0.7);
    y[i] = i % 3;
  }
  return { x: { data: x, shape: [n, 4] }, y: { data: y, shape: [n] } };
}

describe('io: .keras files', () => {
  test('save -> load round trip keeps config, weights, compile config and optimizer state', async () => {
    const { io } = await modules();
    const model = await tinyModel(1);
    const { x, y } = tinyData();
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false });
    const path = join(root, 'tiny.keras');
    await model.save(path);
    const entries = unzipSync(readFileSync(path));
    assert.deepEqual(Object.keys(entries).sort(), ['config.json', 'metadata.json', 'model.weights.h5']);
    const config = JSON.parse(strFromU8(entries['config.json']!));
    assert.equal(config.class_name, 'Sequential');
    assert.equal(config.module, 'keras');
    assert.equal(config.compile_config.optimizer.class_name, 'Adam');
    assert.match(JSON.parse(strFromU8(entries['metadata.json']!)).keras_version, /^3\./);
    const loaded = await io.loadModel(path);
    assert.deepEqual(loaded.getWeights(), model.getWeights());
    assert.deepEqual(loaded.compiled!.optimizer.getState(), model.compiled!.optimizer.getState());
    assert.equal(loaded.compiled!.optimizer.iterations, 6);
    const uncompiled = await io.loadModel(path, { compile: false });
    assert.equal(uncompiled.compiled, null);
  });

  test('real Keras 3.11 mnist_cnn.keras loads with Adam state', {
    skip: skipUnless(missingFile(KERAS_FILE)),
  }, async () => {
    need(missingFile(KERAS_FILE));
    const { io } = await modules();
    const model = await io.loadModel(KERAS_FILE);
    assert.equal(model.countParams(), 225034);
    assert.equal(model.compiled?.optimizer.className, 'Adam');
    assert.equal(model.compiled?.optimizer.iterations, 2110);
  });

  test('weights-only save/load and loadStateInto', async () => {
    const { io } = await modules();
    const a = await tinyModel(2);
    const b = await tinyModel(3);
    const path = join(root, 'w.weights.h5');
    await a.save(path, { weightsOnly: true });
    await io.loadWeights(b, path);
    assert.deepEqual(b.getWeights(), a.getWeights());
    await assert.rejects(a.save(join(root, 'w.h5'), { weightsOnly: true }), ConfigError);
    await assert.rejects(a.save(join(root, 'model.txt')), ConfigError);
  });

  test('damaged and foreign .keras files are FormatErrors; missing is NotFoundError', async () => {
    const { io } = await modules();
    const bad = (name: string, bytes: Uint8Array | string) => {
      const p = join(root, name);
      writeFileSync(p, bytes);
      return p;
    };
    await assert.rejects(
      io.loadModel(bad('text.keras', 'hello')),
      (e: Error) => e instanceof FormatError && /not a zip archive/.test(e.message),
    );
    await assert.rejects(
      io.loadModel(bad('noconfig.keras', writeZip({ 'a.txt': 'x' }))),
      /has no config\.json.*received entries \[a\.txt\]/,
    );
    await assert.rejects(
      io.loadModel(bad('badjson.keras', writeZip({ 'config.json': '{"class_name":' }))),
      /config\.json is not valid JSON/,
    );
    await assert.rejects(
      io.loadModel(bad('noweights.keras', writeZip({ 'config.json': JSON.stringify({ class_name: 'Sequential', config: {} }) }))),
      FormatError,
    );
    const model = await tinyModel(4);
    const good = join(root, 'good.keras');
    await model.save(good);
    const bytes = readFileSync(good);
    await assert.rejects(io.loadModel(bad('cut.keras', bytes.subarray(0, bytes.length >> 1))), FormatError);
    await assert.rejects(io.loadModel(join(root, 'missing.keras')), NotFoundError);
  });
});

class KillAt extends Callback {
  constructor(private readonly epoch: number) {
    super();
  }
  override async onEpochEnd(epoch: number): Promise<void> {
    if (epoch === this.epoch) throw new Error('killed');
  }
}

describe('callbacks: BackupAndRestore end to end', () => {
  test('2 epochs + kill + resume ends with the same weights as 4 uninterrupted epochs', async () => {
    const { x, y } = tinyData();
    const fitOptions = { epochs: 4, batchSize: 8, verbose: 0 as const, shuffle: false };
    const straight = await tinyModel(7);
    await straight.fit(x, y, fitOptions);

    const backupDir = join(root, 'backup');
    const first = await tinyModel(7);
    await assert.rejects(
      first.fit(x, y, { ...fitOptions, callbacks: [new BackupAndRestore({ backupDir }), new KillAt(1)] }),
      /killed/,
    );
    assert.ok(existsSync(join(backupDir, 'training_metadata.json')));
    const resumed = await tinyModel(99);
    const epochs: number[] = [];
    class Seen extends Callback {
      override async onEpochBegin(epoch: number): Promise<void> {
        epochs.push(epoch);
      }
    }
    await resumed.fit(x, y, { ...fitOptions, callbacks: [new BackupAndRestore({ backupDir }), new Seen()] });
    assert.deepEqual(epochs, [2, 3]);
    assert.deepEqual(resumed.getWeights(), straight.getWeights());
    assert.equal(resumed.compiled!.optimizer.iterations, straight.compiled!.optimizer.iterations);
    assert.equal(existsSync(backupDir), false);
  });
});
