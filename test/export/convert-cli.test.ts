// `convkit convert` to and from the export formats, as a user runs it: the classic MNIST CNN's .h5 to ONNX (run in
// onnxruntime) and to a TF.js folder (run in TF.js), the Teachable Machine TF.js export to .keras; a folder holding
// other files is refused before anything is read, and left as it was.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadModel } from '../../src/io/load-model.js';
import { convkit } from '../helpers/cli.js';
import { assertWithin } from '../helpers/close.js';
import { missingOnnx, runInOnnxRuntime } from '../helpers/onnx.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';
import { loadInTfjs, predictInTfjs } from '../helpers/tfjs.js';
import { randomImages } from './fixtures.js';

const MNIST_H5 = join(SHARED_DATA, 'keras-mnist', 'classic-cnn', 'mnist_cnn.h5');
const TFJS_TM = join(SHARED_DATA, 'tfjs-layers-tm');
const missing = missingFile(MNIST_H5) ?? missingFile(TFJS_TM) ?? missingOnnx;
const dir = mkdtempSync(join(tmpdir(), 'convkit-convert-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('convkit convert: ONNX and TF.js', { skip: skipUnless(missing) }, () => {
  test('mnist_cnn.h5 -> .onnx and -> a TF.js folder: onnxruntime and TF.js predict as convkit', async () => {
    need(missing);
    const model = await loadModel(MNIST_H5, { compile: false });
    const x = randomImages(2, [28, 28, 1], 31);
    const expected = (await model.predict(x, { verbose: 0 })).data;
    const onnx = convkit('convert', MNIST_H5, join(dir, 'mnist.onnx'));
    assert.equal(onnx.code, 0, onnx.stderr);
    assert.match(onnx.stdout, /to .*mnist\.onnx \(ONNX model, \.onnx\): Sequential '.*', 225,034 params/);
    assertWithin('mnist .onnx', (await runInOnnxRuntime(join(dir, 'mnist.onnx'), x)).data, expected, 1e-5);
    const web = join(dir, 'web');
    const tfjs = convkit('convert', MNIST_H5, `${web}/`);
    assert.equal(tfjs.code, 0, tfjs.stderr);
    assert.match(tfjs.stdout, /\(TF\.js layers model folder, \/\)/);
    assertWithin('mnist TF.js', await predictInTfjs(await loadInTfjs(join(web, 'model.json')), x), expected, 1e-5);
    // An earlier export is replaced; a folder with anything else is refused before the input is read.
    assert.equal(convkit('convert', MNIST_H5, web).code, 0);
    writeFileSync(join(web, 'notes.txt'), 'mine');
    const refused = convkit('convert', MNIST_H5, web);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /holds other files \(notes\.txt\)/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /);
    assert.deepEqual(readdirSync(web).sort(), ['group1-shard1of1.bin', 'model.json', 'notes.txt']);
  });

  test('the Teachable Machine TF.js export -> .keras predicts as the TF.js model', async () => {
    need(missing);
    const out = join(dir, 'tm.keras');
    const r = convkit('convert', TFJS_TM, out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(TF\.js layers model\) to .*tm\.keras/);
    const x = randomImages(1, [224, 224, 3], 2, -1, 1);
    const fromTfjs = await loadInTfjs(join(TFJS_TM, 'model.json'));
    assertWithin(
      'TF.js -> .keras',
      (await (await loadModel(out)).predict(x, { verbose: 0 })).data,
      await predictInTfjs(fromTfjs, x),
      1e-5,
    );
    mkdirSync(join(dir, 'empty'));
    assert.equal(readFileSync(out).subarray(0, 2).toString(), 'PK');
  });
});
