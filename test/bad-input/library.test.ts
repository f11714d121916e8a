// Bad-input corpus, library side: each hostile or broken input -> the error class and the words it must say,
// thrown before any weight changes. Each row was a silent wrong answer, a hang or a raw crash before its fix.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { crc32, gzipSync } from 'node:zlib';
import { deflateSync } from 'fflate';
import { maybeGunzip, readIdx } from '../../src/datasets/idx.js';
import { ConfigError, FormatError, IOError, ShapeError, ValueError } from '../../src/errors.js';
import { loadModel, loadWeights, readKerasArchive, saveModel } from '../../src/io/keras-file.js';
import { crc32Portable, writeZip } from '../../src/io/zip.js';
import { Conv2D, Dense, Flatten } from '../../src/layers/index.js';
import type { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { loadImage } from '../../src/preprocessing/image.js';
import type { Dataset } from '../../src/training/data.js';
import { rawZip } from './raw-zip.js';

const KERAS_FILE = '../shared/data/keras-mnist/classic-cnn/mnist_cnn.keras';
const dir = mkdtempSync(join(tmpdir(), 'convkit-bad-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the real Keras file with one byte flipped at `offset` (from the end when negative). */
function flipped(name: string, offset: number): string {
  const bytes = readFileSync(KERAS_FILE);
  const at = offset < 0 ? bytes.length + offset : offset;
  bytes[at] = bytes[at]! ^ 0x01;
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

interface Case {
  name: string;
  run: () => unknown;
  error: new (...args: never[]) => Error;
  message: RegExp;
}

function convNet(): Sequential {
  // Conv2D then Dense without Flatten: the Dense acts per pixel and the output is (N, 4, 4, 3).
  const model = new Sequential([
    new Conv2D({ filters: 2, kernelSize: 3, inputShape: [6, 6, 1] }),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  return model;
}

function denseNet(): Sequential {
  const model = new Sequential([new Flatten({ inputShape: [6, 6, 1] }), new Dense({ units: 3, activation: 'softmax' })]);
  model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  return model;
}

const x4 = { data: Float32Array.from({ length: 4 * 36 }, (_, i) => (i % 11) / 11), shape: [4, 6, 6, 1] };
const y4 = { data: Float32Array.of(0, 1, 2, 1), shape: [4] };
const empty = { x: { data: new Float32Array(0), shape: [0, 6, 6, 1] }, y: { data: new Float32Array(0), shape: [0] } };
const noBatches: Dataset = { length: 0, async *[Symbol.asyncIterator]() {} };

/** Runs `train` and checks it threw as expected without changing a single weight. */
async function failsBeforeTraining(model: Model, train: (m: Model) => Promise<unknown>, error: Case['error'], message: RegExp) {
  model.build([null, 6, 6, 1]);
  const before = model.getWeights().map((w) => w.slice());
  await assert.rejects(
    async () => train(model),
    (e: Error) => e instanceof error && message.test(e.message),
  );
  for (const [i, w] of model.getWeights().entries()) assert.deepEqual(w, before[i], 'a weight changed before the error');
}

describe('bad input: library corpus', () => {
  const files: Case[] = [
    {
      name: '.keras with a flipped byte in model.weights.h5',
      run: () => loadModel(flipped('flip-weights.keras', 20_000)),
      error: FormatError,
      message: /entry 'model\.weights\.h5' fails its CRC-32 check/,
    },
    {
      name: '.keras with a flipped byte in config.json',
      run: () => loadModel(flipped('flip-config.keras', 400)),
      error: FormatError,
      message: /entry 'config\.json' fails its CRC-32 check/,
    },
    {
      name: 'zip bomb: config.json declares 1.3 GB',
      run: () =>
        loadModel(
          file(
            'bomb-declared.keras',
            rawZip([{ name: 'config.json', method: 8, data: deflateSync(new Uint8Array(1 << 20)), size: 1_300_000_000 }]),
          ),
        ),
      error: FormatError,
      message: /'config\.json' declares 1300000000 bytes uncompressed.*zip bomb/,
    },
    {
      name: 'zip bomb: config.json declares 100 bytes (with their CRC) and inflates to 8 MiB',
      run: () =>
        loadModel(
          file(
            'bomb-lying.keras',
            rawZip([
              {
                name: 'config.json',
                method: 8,
                data: deflateSync(new Uint8Array(8 << 20)),
                size: 100,
                crc: crc32(new Uint8Array(100)),
              },
            ]),
          ),
        ),
      error: FormatError,
      message: /'config\.json' inflates beyond its declared 100 bytes/,
    },
    {
      name: 'config.json that is not UTF-8',
      run: () => loadModel(file('latin1.keras', writeZip({ 'config.json': Uint8Array.of(0x7b, 0xe9, 0x7d) }))),
      error: FormatError,
      message: /config\.json' is not UTF-8 text/,
    },
    {
      name: 'weights file cut to a third',
      run: async () => {
        const model = await loadModel(KERAS_FILE, { compile: false });
        const { weights } = readKerasArchive(readFileSync(KERAS_FILE), KERAS_FILE);
        return loadWeights(model, file('cut.weights.h5', weights.subarray(0, 900_000)));
      },
      error: FormatError,
      message: /could not be opened as HDF5.*truncated file: eof = 900000/,
    },
    {
      name: '/dev/zero as a model',
      run: () => loadModel('/dev/zero'),
      error: IOError,
      message:
        /'\/dev\/zero' is a character device\. Expected a model file \(\.keras, Keras \.h5, or TF\.js model\.json or its folder\) \(a regular file\)/,
    },
    {
      name: 'a folder as a model',
      run: () => loadModel(dir),
      error: IOError,
      message: /is a folder.*give the path of a file inside it/,
    },
    {
      name: 'a 3 GiB (sparse) file as a model',
      run: () => {
        const path = file('huge.keras', '');
        truncateSync(path, 3 * 2 ** 30);
        return loadModel(path);
      },
      error: IOError,
      message: /is too large\. Expected .* of at most 2\.0 GiB, received 3\.0 GiB/,
    },
    {
      name: 'a FIFO as an image',
      run: () => {
        const path = join(dir, 'pipe.png');
        assert.equal(spawnSync('mkfifo', [path]).status, 0);
        return loadImage(path);
      },
      error: IOError,
      message: /'.*pipe\.png' is a FIFO \(named pipe\)\. Expected an image file/,
    },
    {
      name: 'a FIFO as an IDX dataset file',
      run: () => {
        const path = join(dir, 'train-labels-idx1-ubyte');
        assert.equal(spawnSync('mkfifo', [path]).status, 0);
        return readIdx(path);
      },
      error: IOError,
      message: /is a FIFO \(named pipe\)\. Expected an IDX dataset file/,
    },
    {
      name: 'a gzip bomb as an IDX file (8 MiB of zeros against a 1 MiB cap)',
      run: () => maybeGunzip(gzipSync(new Uint8Array(8 << 20)), 'bomb.gz', 1 << 20),
      error: FormatError,
      message: /'bomb\.gz' decompresses to more than 1048576 bytes.*gzip bomb/,
    },
  ];
  for (const c of files) {
    test(`file: ${c.name}`, { timeout: 30_000 }, async () => {
      await assert.rejects(
        async () => c.run(),
        (e: Error) => e instanceof c.error && c.message.test(e.message),
      );
    });
  }

  test('the CRC-32 used before Node 20.15 equals zlib.crc32', () => {
    const bytes = readFileSync(KERAS_FILE);
    assert.equal(crc32Portable(bytes), crc32(bytes));
    assert.equal(crc32Portable(new Uint8Array(0)), 0);
  });

  test('a real .keras still loads (the CRC check accepts what Keras writes)', async () => {
    copyFileSync(KERAS_FILE, join(dir, 'ok.keras'));
    const model = await loadModel(join(dir, 'ok.keras'));
    assert.equal(model.countParams(), 225_034);
  });

  const training: {
    name: string;
    model: () => Model;
    train: (m: Model) => Promise<unknown>;
    error: Case['error'];
    message: RegExp;
  }[] = [
    {
      name: 'fit on zero samples',
      model: denseNet,
      train: (m) => m.fit(empty.x, empty.y, { verbose: 0 }),
      error: ValueError,
      message: /fit: invalid 'x'\. Expected at least one sample, received 0/,
    },
    {
      name: 'evaluate on zero samples',
      model: denseNet,
      train: (m) => m.evaluate(empty.x, empty.y, { verbose: 0 }),
      error: ValueError,
      message: /evaluate: invalid 'x'\. Expected at least one sample, received 0/,
    },
    {
      name: 'fit on a Dataset that yields nothing',
      model: denseNet,
      train: (m) => m.fit(noBatches, { verbose: 0 }),
      error: ValueError,
      message: /fit: the data gave no batches in epoch 1/,
    },
    {
      name: 'a validation split that leaves no validation rows',
      model: denseNet,
      train: (m) => m.fit(x4, y4, { validationSplit: 0.1, verbose: 0 }),
      error: ValueError,
      message: /invalid 'validationSplit'.*received 0\.1 of 4 samples, which leaves no validation rows/,
    },
    {
      name: 'a Dense on a 4-D tensor with (N,) labels',
      model: convNet,
      train: (m) => m.fit(x4, y4, { verbose: 0 }),
      error: ShapeError,
      message: /output has shape \(4, 4, 4, 3\)\. Expected \(batch, classes\).*Hint: add Flatten\(\)/,
    },
    {
      name: 'one-hot labels for a 4-D output under categorical crossentropy',
      model: () => {
        const m = convNet();
        m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
        return m;
      },
      train: (m) => m.fit(x4, { data: new Float32Array(4 * 48), shape: [4, 4, 4, 3] }, { verbose: 0 }),
      error: ShapeError,
      message: /Expected \(batch, classes\) for categorical_crossentropy/,
    },
    {
      name: 'a negative classWeight',
      model: denseNet,
      train: (m) => m.fit(x4, y4, { classWeight: { 0: -1 }, verbose: 0 }),
      error: ConfigError,
      message: /invalid 'classWeight\[0\]'\. Expected a finite number >= 0, received -1/,
    },
    {
      name: 'a NaN classWeight',
      model: denseNet,
      train: (m) => m.fit(x4, y4, { classWeight: { 1: Number.NaN }, verbose: 0 }),
      error: ConfigError,
      message: /invalid 'classWeight\[1\]'\. Expected a finite number >= 0, received NaN/,
    },
    {
      name: 'a classWeight for a class the model does not have',
      model: denseNet,
      train: (m) => m.fit(x4, y4, { classWeight: { 7: 2 }, verbose: 0 }),
      error: ConfigError,
      message: /invalid 'classWeight'\. Expected keys that are class indices 0\.\.2, received "7"/,
    },
    {
      name: 'a NaN sampleWeight',
      model: denseNet,
      train: (m) => m.fit(x4, y4, { sampleWeight: Float32Array.of(1, Number.NaN, 1, 1), verbose: 0 }),
      error: ValueError,
      message: /invalid 'sampleWeight'\. Expected finite weights >= 0, received NaN\. At sample 1/,
    },
    {
      name: 'trainOnBatch on zero samples',
      model: denseNet,
      train: (m) => m.trainOnBatch(empty.x, empty.y),
      error: ValueError,
      message: /fit: invalid 'x'\. Expected at least one sample, received 0/,
    },
    {
      name: 'a Dataset batch with a negative sample weight',
      model: denseNet,
      train: (m) =>
        m.fit(
          {
            length: 1,
            async *[Symbol.asyncIterator]() {
              yield { x: x4, y: y4, sampleWeight: Float32Array.of(1, 1, -2, 1) };
            },
          },
          { verbose: 0 },
        ),
      error: ValueError,
      message: /invalid 'sampleWeight'\. Expected finite weights >= 0, received -2\. At sample 2/,
    },
  ];
  for (const c of training) {
    test(`training: ${c.name} fails before any weight changes`, async () => {
      await failsBeforeTraining(c.model(), c.train, c.error, c.message);
    });
  }

  const saves: [string, RegExp][] = [
    ['/sys/convkit-test.keras', /save: cannot write '\/sys\/convkit-test\.keras': permission denied \(EACCES\)/],
    [
      '/sys/convkit-test.weights.h5',
      /writeH5File: cannot create '\/sys\/convkit-test\.weights\.h5\.tmp-\d+-\w+' \(.*Permission denied/,
    ],
    [
      '/proc/convkit-test.keras',
      /save: cannot write '\/proc\/convkit-test\.keras': (no such file or folder \(ENOENT\)|permission denied \(EACCES\))/,
    ],
    [join(dir, 'saved-over-a-folder.keras'), /save: cannot write '.*saved-over-a-folder\.keras': it is a folder \(EISDIR\)/],
  ];
  for (const [path, message] of saves) {
    test(`saveModel to ${path.startsWith(dir) ? 'an existing folder' : path} is an IOError and leaves no temp file`, async () => {
      if (path.startsWith(dir)) mkdirSync(path, { recursive: true });
      const model = denseNet();
      model.build([null, 6, 6, 1]);
      await assert.rejects(saveModel(model, path), (e: Error) => e instanceof IOError && message.test(e.message));
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.includes('.tmp-')),
        [],
      );
    });
  }

  test('setWeights refuses NaN and Infinity, naming the weight and index', () => {
    const model = denseNet();
    model.build([null, 6, 6, 1]);
    const dense = model.layers[1]!;
    const kernel = new Float32Array(108);
    kernel[5] = Number.NaN;
    assert.throws(
      () => dense.setWeights([kernel, new Float32Array(3)]),
      (e: Error) =>
        e instanceof ValueError && /invalid 'kernel'\. Expected finite numbers, received NaN at index 5/.test(e.message),
    );
    assert.throws(
      () => model.setWeights([new Float32Array(108), Float32Array.of(0, Infinity, 0)]),
      /received Infinity at index 1/,
    );
  });

  test('Dense(1e8) is a ConfigError naming the layer and size, not a RangeError', () => {
    assert.throws(
      () => new Sequential([new Dense({ units: 1e8, inputShape: [784] })]),
      (e: Error) =>
        e instanceof ConfigError && /weight 'kernel' of shape \(784, 100000000\) needs 78,400,000,000 floats/.test(e.message),
    );
  });
});
