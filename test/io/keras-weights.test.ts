// Keras 3 weights layout and .keras container checks that need no model config: the real Keras 3.11 MNIST file
// read into a hand-built model (and checked against h5py and MNIST predictions), our writer read back (and by
// h5py, required in CI), atomic writes, and the FormatErrors for foreign/damaged files.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { datasets, normalize } from '../../src/datasets/index.js';
import { FormatError, NotFoundError } from '../../src/errors.js';
import { atomicWrite, readFileOrThrow } from '../../src/io/atomic-write.js';
import { readH5Bytes, writeH5Bytes } from '../../src/io/h5.js';
import {
  autoLayerNames,
  kerasSnakeCase,
  readKerasWeights,
  readOptimizerVars,
  writeKerasWeights,
} from '../../src/io/h5-weights.js';
import { readZip, writeZip } from '../../src/io/zip.js';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { MaxPooling2D } from '../../src/layers/max-pooling2d.js';
import { Sequential } from '../../src/models/sequential.js';
import { readWithH5py } from '../helpers/h5py.js';
import { missingFile, missingH5py, need, PYTHON, skipUnless } from '../helpers/requirements.js';

const KERAS_FILE = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'keras-mnist', 'classic-cnn', 'mnist_cnn.keras');
const root = mkdtempSync(join(tmpdir(), 'convkit-io-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The seeds' MNIST CNN, built by hand with names unlike the file's. */
function mnistCnn(): Sequential {
  return new Sequential([
    new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], name: 'c1' }),
    new MaxPooling2D({ poolSize: 2 }),
    new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu', name: 'c2' }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 128, activation: 'relu', name: 'd1' }),
    new Dense({ units: 10, activation: 'softmax', name: 'd2' }),
  ]);
}

function h5pyJson(path: string, script: string): unknown {
  return JSON.parse(
    execFileSync(PYTHON, ['-c', `import h5py, json\nf = h5py.File(${JSON.stringify(path)}, 'r')\n${script}`], {
      encoding: 'utf8',
    }),
  );
}

describe('io: Keras 3 weights layout', () => {
  test('Keras auto names: snake case and per-class counters', () => {
    assert.equal(kerasSnakeCase('MaxPooling2D'), 'max_pooling2d');
    assert.equal(kerasSnakeCase('BatchNormalization'), 'batch_normalization');
    assert.equal(kerasSnakeCase('DepthwiseConv2D'), 'depthwise_conv2d');
    assert.equal(kerasSnakeCase('GlobalAveragePooling2D'), 'global_average_pooling2d');
    assert.equal(kerasSnakeCase('ReLU'), 're_lu');
    assert.deepEqual(autoLayerNames(mnistCnn().layers), [
      'conv2d',
      'max_pooling2d',
      'conv2d_1',
      'max_pooling2d_1',
      'flatten',
      'dense',
      'dense_1',
    ]);
  });

  test('real Keras 3.11 mnist_cnn.keras weights load by structure, equal the values h5py reads, and classify MNIST', {
    skip: skipUnless(missingFile(KERAS_FILE) ?? missingH5py),
  }, async () => {
    need(missingFile(KERAS_FILE) ?? missingH5py);
    const entries = readZip(readFileSync(KERAS_FILE), KERAS_FILE, 'a .keras file');
    const model = mnistCnn();
    const optimizer = await readH5Bytes(entries['model.weights.h5']!, 'model.weights.h5', 'weights', (file) => {
      readKerasWeights(file, model, 'model.weights.h5');
      return readOptimizerVars(file);
    });
    assert.equal(optimizer?.length, 18);
    assert.equal(optimizer![0]![0], 2110);
    const kernel = model.layers[5]!.weights[0]!;
    assert.deepEqual(kernel.shape, [1600, 128]);
    // Every weight equals what h5py reads from Keras's own file, at the path its layer's auto name gives.
    const unzipped = join(root, 'real.weights.h5');
    writeFileSync(unzipped, entries['model.weights.h5']!);
    const seen = readWithH5py(unzipped, 'h5').datasets;
    const names = autoLayerNames(model.layers);
    let compared = 0;
    model.layers.forEach((layer, li) => {
      layer.weights.forEach((weight, wi) => {
        const ds = seen[`layers/${names[li]}/vars/${wi}`];
        assert.ok(ds, `no layers/${names[li]}/vars/${wi} in the Keras file`);
        assert.deepEqual(Float32Array.from(ds.values), weight.value, `${layer.name}.${weight.name}`);
        compared++;
      });
    });
    assert.equal(compared, 8);
    const [, [xTest, yTest]] = await datasets.mnist.loadData();
    const n = 200;
    const x = normalize({ data: xTest.data.subarray(0, n * 784), shape: [n, 28, 28] });
    const probs = await model.predict(x);
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = probs.data.subarray(i * 10, i * 10 + 10);
      if (row.indexOf(Math.max(...row)) === yTest.data[i]) correct++;
    }
    assert.ok(correct >= 190, `accuracy ${correct}/${n}`);
  });

  test('our writer round-trips, and h5py sees Keras paths, dtypes and attributes', {
    skip: skipUnless(missingH5py),
  }, async () => {
    need(missingH5py);
    const source = mnistCnn();
    const bytes = await writeH5Bytes((file) =>
      writeKerasWeights(file, source, { name: 'adam', values: [Float32Array.of(7), Float32Array.of(0.001)] }),
    );
    const target = mnistCnn();
    await readH5Bytes(bytes, 'ours', 'weights', (file) => readKerasWeights(file, target, 'ours'));
    assert.deepEqual(target.getWeights(), source.getWeights());
    const path = join(root, 'ours.weights.h5');
    writeFileSync(path, bytes);
    const seen = h5pyJson(
      path,
      "out = []\nf.visititems(lambda n, o: out.append([n, list(o.shape), str(o.dtype)]) if hasattr(o, 'shape') else None)\nprint(json.dumps(out + [f['layers/dense/vars'].attrs['name']]))",
    ) as unknown[];
    assert.deepEqual(seen.slice(0, 3), [
      ['layers/conv2d/vars/0', [3, 3, 1, 32], 'float32'],
      ['layers/conv2d/vars/1', [32], 'float32'],
      ['layers/conv2d_1/vars/0', [3, 3, 32, 64], 'float32'],
    ]);
    assert.ok(seen.some((e) => JSON.stringify(e) === JSON.stringify(['optimizer/vars/0', [], 'int64'])));
    assert.equal(seen.at(-1), 'd1');
  });

  test('missing groups, wrong counts and shapes are FormatErrors naming file, expected and found', async () => {
    const small = new Sequential([new Dense({ units: 4, inputShape: [3], name: 'a' }), new Dense({ units: 2, name: 'b' })]);
    const bytes = await writeH5Bytes((file) => writeKerasWeights(file, small, null));
    const wider = new Sequential([new Dense({ units: 5, inputShape: [3] }), new Dense({ units: 2 })]);
    await assert.rejects(
      readH5Bytes(bytes, 'w.h5', 'weights', (f) => readKerasWeights(f, wider, 'w.h5')),
      (e: Error) => {
        assert.ok(e instanceof FormatError);
        assert.match(e.message, /'w\.h5': weight '.*\/kernel' has the wrong shape\. Expected \(3, 5\), received \(3, 4\)/);
        return true;
      },
    );
    const deeper = new Sequential([new Dense({ units: 4, inputShape: [3] }), new Dense({ units: 2 }), new Dense({ units: 2 })]);
    await assert.rejects(
      readH5Bytes(bytes, 'w.h5', 'weights', (f) => readKerasWeights(f, deeper, 'w.h5')),
      /no weights for layer .*Expected an HDF5 group 'layers\/dense_2'/,
    );
    const noBias = new Sequential([new Dense({ units: 4, inputShape: [3], useBias: false }), new Dense({ units: 2 })]);
    await assert.rejects(
      readH5Bytes(bytes, 'w.h5', 'weights', (f) => readKerasWeights(f, noBias, 'w.h5')),
      /wrong number of weights\. Expected 1 \(kernel\).*received 2/,
    );
    const shallow = new Sequential([new Dense({ units: 4, inputShape: [3] })]);
    await assert.rejects(
      readH5Bytes(bytes, 'w.h5', 'weights', (f) => readKerasWeights(f, shallow, 'w.h5')),
      /weights at 'layers\/dense_1' that no layer/,
    );
    const empty = await writeH5Bytes((file) => file.create_group('model_weights'));
    await assert.rejects(
      readH5Bytes(empty, 'old.h5', 'weights', (f) => readKerasWeights(f, small, 'old.h5')),
      /no 'layers' group.*received root groups \[model_weights\].*Keras 2 legacy/,
    );
    await assert.rejects(
      readH5Bytes(new Uint8Array([1, 2, 3]), 'junk.h5', 'a weights file', () => 0),
      /'junk\.h5' is not an HDF5 file\. Expected a weights file/,
    );
  });

  test('zip errors: not a zip, damaged zip', () => {
    assert.throws(
      () => readZip(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0, 0]), 'm.keras', 'a .keras file'),
      (e: Error) => {
        assert.ok(e instanceof FormatError);
        assert.match(e.message, /'m\.keras' is not a zip archive\. Expected a \.keras file.*HDF5 file/);
        return true;
      },
    );
    const zip = writeZip({ 'config.json': '{}' });
    assert.throws(() => readZip(zip.subarray(0, zip.length - 30), 'cut.keras', 'a .keras file'), /damaged zip|not a zip/);
  });

  test('atomic writes leave no temp file on failure; missing files are NotFoundError', async () => {
    const dir = join(root, 'atomic');
    const path = join(dir, 'out.bin');
    await atomicWrite(path, (tmp) => writeFileSync(tmp, 'one'));
    await assert.rejects(
      atomicWrite(path, (tmp) => {
        writeFileSync(tmp, 'partial');
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.equal(readFileSync(path, 'utf8'), 'one');
    assert.deepEqual(readdirSync(dir), ['out.bin']);
    assert.throws(() => readFileOrThrow(join(dir, 'nope.keras'), 'loadModel'), NotFoundError);
  });
});
