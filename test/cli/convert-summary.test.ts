// `convkit convert` and `convkit summary` on the real files in ../shared/data, as a user runs them: Teachable
// Machine's keras_model.h5 to .keras / .h5 / .weights.h5 with identical predictions, a summary for every model
// (param totals as INSPECT.txt gives them) and the layer listing of a weights-only file; wrong paths and unknown
// output extensions are one clear line, and nothing is written.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { convertCommand } from '../../src/cli/convert.js';
import { summaryCommand } from '../../src/cli/summary.js';
import { loadModel } from '../../src/io/load-model.js';
import { tensor } from '../../src/tensor.js';
import { nativeBackend, reference } from '../helpers/backends.js';
import { convkit } from '../helpers/cli.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-convert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TM = `${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/keras_model.h5`;
const MNIST_H5 = `${SHARED_DATA}keras-mnist/classic-cnn/mnist_cnn.h5`;
const MOBILENET = `${SHARED_DATA}mobilenet-v1-0.25-224-no-top/mobilenet_2_5_224_tf_no_top.h5`;
const missing = missingFile(TM) ?? missingFile(MNIST_H5) ?? missingFile(MOBILENET);

/** Runs a command in-process and returns what it printed. */
async function printed(run: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    await run();
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

async function predictions(path: string): Promise<Float32Array> {
  const model = await loadModel(path, { compile: false });
  model.backendOverride = nativeBackend ?? reference;
  const x = tensor(
    Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => Math.sin(i * 0.01)),
    [1, 224, 224, 3],
  );
  return (await model.predict(x, { verbose: 0 })).data;
}

describe('convkit convert / summary on real files', { skip: skipUnless(missing) }, () => {
  test('convert keras_model.h5 to .keras, .h5 and .weights.h5: same predictions, the format named', async () => {
    need(missing);
    const expected = await predictions(TM);
    const cli = convkit('convert', TM, join(dir, 'tm.keras'));
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(
      cli.stdout,
      /Converted .*keras_model\.h5 \(Keras \.h5\) to .*tm\.keras \(Keras 3 model, \.keras\): Sequential 'sequential_4', 538,508 params/,
    );
    assert.deepEqual(await predictions(join(dir, 'tm.keras')), expected);
    await printed(() => convertCommand(join(dir, 'tm.keras'), join(dir, 'tm.h5'), {}));
    assert.deepEqual(await predictions(join(dir, 'tm.h5')), expected);
    const out = await printed(() => convertCommand(TM, join(dir, 'tm.weights.h5'), {}));
    assert.match(out, /\(Keras 3 weights only, \.weights\.h5\)/);
    const rebuilt = await loadModel(TM, { compile: false });
    for (const layer of rebuilt.layers) layer.setWeights(layer.weights.map((w) => new Float32Array(w.value.length)));
    await rebuilt.loadWeights(join(dir, 'tm.weights.h5'));
    assert.deepEqual(rebuilt.getWeights(), (await loadModel(TM, { compile: false })).getWeights());
  });

  test('summary: every model file gives its param total; a weights-only file lists its layers', async () => {
    need(missing);
    const totals: [string, string][] = [
      [TM, '538,508'],
      [`${SHARED_DATA}teachable-machine/rock-paper-scissors-92009/keras_model.h5`, '538,608'],
      [MNIST_H5, '225,034'],
      [`${SHARED_DATA}keras-mnist/classic-cnn/mnist_cnn.keras`, '225,034'],
      [`${SHARED_DATA}tfjs-layers-tm`, '538,808'],
    ];
    for (const [path, total] of totals) {
      const out = await printed(() => summaryCommand(path, {}));
      assert.match(out, new RegExp(`Total params: ${total} `), path);
    }
    const cli = convkit('summary', MOBILENET);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /Keras weights-only \.h5, keras_version 2\.0\.4; no architecture/);
    assert.match(cli.stdout, / {3}conv_dw_1\/depthwise_kernel:0 +\(3, 3, 8, 1\) +72\n/);
    assert.match(cli.stdout, /Layers: 83 \(54 with weights\)\nTotal params: 218,544\n/);
  });

  test('bad paths and unknown output extensions: one clear line, exit code 1, nothing written', async () => {
    need(missing);
    const onnxLater = convkit('convert', TM, join(dir, 'model.txt'));
    assert.equal(onnxLater.code, 1);
    assert.match(
      onnxLater.stderr,
      /invalid 'output'\. Expected a path ending in '\.weights\.h5' \(Keras 3 weights only\), '\.h5' \(Keras legacy full model\), '\.keras' \(Keras 3 model\).*Hint: the output extension chooses the format/,
    );
    assert.doesNotMatch(onnxLater.stderr, /\n\s+at /);
    await assert.rejects(convertCommand(join(dir, 'missing.h5'), join(dir, 'out.keras'), {}), /file not found: '.*missing\.h5'/);
    await assert.rejects(
      convertCommand(MOBILENET, join(dir, 'weights.keras'), {}),
      /holds Keras 2 weights \(layer_names\) only, no architecture/,
    );
    for (const name of ['model.txt', 'out.keras', 'weights.keras']) assert.equal(existsSync(join(dir, name)), false, name);
    // The same path in and out: read fully, then replaced atomically.
    const inPlace = join(dir, 'in-place.h5');
    await printed(() => convertCommand(MNIST_H5, inPlace, {}));
    await printed(() => convertCommand(inPlace, inPlace, {}));
    assert.equal((await loadModel(inPlace)).countParams(), 225_034);
  });
});
