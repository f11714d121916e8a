// What loadModel does with files it cannot fully trust or understand: an unknown (custom) layer class names the
// class, the supported ones and how to register it (registerLayer or customObjects, which then load it); real
// Keras files cut short or with flipped bytes give a FormatError, never another error or a crash; convkit's own
// .h5 files carry Fletcher-32 checksums so a flipped bit in the weights is caught too.

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FormatError } from '../../src/errors.js';
import { saveModel } from '../../src/io/keras-file.js';
import { loadModel } from '../../src/io/load-model.js';
import { Dense } from '../../src/layers/dense.js';
import { LAYERS, registerLayer } from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { tensor } from '../../src/tensor.js';
import { reference } from '../helpers/backends.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-load-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MNIST_H5 = `${SHARED_DATA}keras-mnist/classic-cnn/mnist_cnn.h5`;
const MNIST_KERAS = `${SHARED_DATA}keras-mnist/classic-cnn/mnist_cnn.keras`;
const TM = `${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/keras_model.h5`;
const missing = missingFile(MNIST_H5) ?? missingFile(TM);

/** A user's layer: Dense under its own class name (a custom class Keras would need custom_objects for). */
class ScaledDense extends Dense {
  override readonly className: string = 'ScaledDense';
}

function customModel(): Sequential {
  const model = new Sequential([
    new Dense({ units: 4, inputShape: [3], name: 'hidden' }),
    new ScaledDense({ units: 2, name: 'custom' }),
  ]);
  model.backendOverride = reference;
  return model;
}

/** Evenly spread offsets, with a bit that changes from one to the next. */
function flips(length: number, count: number, from = 0): { offset: number; bit: number }[] {
  return Array.from({ length: count }, (_, i) => ({
    offset: from + Math.floor(((i + 0.5) * (length - from)) / count),
    bit: 1 << (i % 8),
  }));
}

async function outcome(path: string): Promise<'loaded' | 'FormatError'> {
  try {
    await loadModel(path, { compile: false });
    return 'loaded';
  } catch (error) {
    assert.ok(error instanceof FormatError, `${path}: ${error instanceof Error ? `${error.name}: ${error.message}` : error}`);
    return 'FormatError';
  }
}

describe('loadModel: unknown layer classes', () => {
  test('a custom class fails with its name, the supported list and how to register it; customObjects / registerLayer load it', async () => {
    const model = customModel();
    const x = tensor(Float32Array.of(0.5, -1, 2, 1, 0, -0.5), [2, 3]);
    const expected = (await model.predict(x, { verbose: 0 })).data;
    for (const name of ['custom.h5', 'custom.keras']) {
      const path = join(dir, name);
      await saveModel(model, path);
      await assert.rejects(loadModel(path), (e: Error) => {
        assert.ok(e instanceof FormatError, e.message);
        assert.match(e.message, /unknown layer class "ScaledDense"/);
        assert.match(e.message, /Expected one of the supported classes \(.*BatchNormalization, .*Conv2D, .*DepthwiseConv2D.*\)/);
        assert.match(
          e.message,
          /registerLayer\('ScaledDense', ScaledDense\), or loadModel\(path, \{ customObjects: \{ ScaledDense \} \}\)/,
        );
        return true;
      });
      const loaded = await loadModel(path, { customObjects: { ScaledDense } });
      assert.ok(loaded.getLayer('custom') instanceof ScaledDense);
      loaded.backendOverride = reference;
      assert.deepEqual((await loaded.predict(x, { verbose: 0 })).data, expected);
    }
    registerLayer('ScaledDense', ScaledDense);
    try {
      assert.ok((await loadModel(join(dir, 'custom.h5'))).getLayer('custom') instanceof ScaledDense);
    } finally {
      delete LAYERS.ScaledDense; // the registry is global: leave it as the other tests expect it
    }
  });
});

describe('loadModel: damaged real files', { skip: skipUnless(missing) }, () => {
  test('Keras files cut short anywhere are FormatErrors', async () => {
    need(missing);
    for (const source of [MNIST_H5, TM, MNIST_KERAS]) {
      const bytes = readFileSync(source);
      const extension = source.endsWith('.keras') ? '.keras' : '.h5';
      for (const fraction of [0, 0.001, 0.1, 0.5, 0.9, 0.999]) {
        const path = join(dir, `cut${extension}`);
        writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * fraction)));
        assert.equal(await outcome(path), 'FormatError', `${source} cut to ${fraction}`);
      }
      const path = join(dir, `short${extension}`);
      writeFileSync(path, bytes.subarray(0, bytes.length - 1));
      assert.equal(await outcome(path), 'FormatError', `${source} one byte short`);
    }
  });

  test('flipped bits in the header, config and metadata: a FormatError or the very same model, nothing else', async () => {
    need(missing);
    const bytes = readFileSync(MNIST_H5);
    const original = (await loadModel(MNIST_H5, { compile: false })).getWeights();
    let refused = 0;
    for (const { offset, bit } of flips(6000, 60)) {
      const copy = Uint8Array.from(bytes);
      copy[offset]! ^= bit;
      const path = join(dir, 'flip.h5');
      writeFileSync(path, copy);
      if ((await outcome(path)) === 'FormatError') refused += 1;
      else assert.deepEqual((await loadModel(path, { compile: false })).getWeights(), original, `flip at ${offset}`);
    }
    assert.ok(refused >= 10, `${refused} of 60 refused`);
    // Some of these flips make HDF5 abort; reading carries on correctly afterwards.
    assert.deepEqual((await loadModel(MNIST_H5, { compile: false })).getWeights(), original);
  });

  test('a .keras file with any flipped bit is refused (zip CRC-32)', async () => {
    need(missing);
    const bytes = readFileSync(MNIST_KERAS);
    for (const { offset, bit } of flips(bytes.length, 20)) {
      const copy = Uint8Array.from(bytes);
      copy[offset]! ^= bit;
      const path = join(dir, 'flip.keras');
      writeFileSync(path, copy);
      assert.equal(await outcome(path), 'FormatError', `flip at ${offset}`);
    }
  });

  test("convkit's .h5 files checksum their weights: flipped bits in the weight data are refused", async () => {
    need(missing);
    const path = join(dir, 'own.h5');
    await saveModel(await loadModel(MNIST_H5), path);
    const bytes = readFileSync(path);
    // The weights are the last ~900 kB of the file (the 1600x128 Dense kernel alone is 800 kB).
    for (const { offset, bit } of flips(bytes.length, 20, bytes.length - 800_000)) {
      const copy = Uint8Array.from(bytes);
      copy[offset]! ^= bit;
      const flipped = join(dir, 'own-flip.h5');
      writeFileSync(flipped, copy);
      assert.equal(await outcome(flipped), 'FormatError', `flip at ${offset}`);
    }
    copyFileSync(path, join(dir, 'own-intact.h5'));
    assert.equal(await outcome(join(dir, 'own-intact.h5')), 'loaded');
  });
});
