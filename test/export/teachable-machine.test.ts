// The real Teachable Machine models through the exporters and loadModel: the cat/dog keras_model.h5 (MobileNetV2
// alpha 0.35, nested models) exported to ONNX runs in onnxruntime and exported to TF.js runs in TF.js with convkit's
// predictions; loadModel and `convkit summary` read the TF.js Teachable Machine export by content.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadModel } from '../../src/io/load-model.js';
import { exportOnnx } from '../../src/io/onnx-export.js';
import { exportTfjs } from '../../src/io/tfjs-export.js';
import { loadTfjsModel } from '../../src/io/tfjs-load.js';
import type { Model } from '../../src/models/model.js';
import type { Tensor } from '../../src/tensor.js';
import { assertWithin } from '../helpers/close.js';
import { missingOnnx, runInOnnxRuntime } from '../helpers/onnx.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';
import { loadInTfjs, predictInTfjs } from '../helpers/tfjs.js';
import { randomImages } from './fixtures.js';

const CAT_DOG = join(SHARED_DATA, 'teachable-machine', 'cat-dog-11Maximus11', 'keras_model.h5');
const TFJS_TM = join(SHARED_DATA, 'tfjs-layers-tm');
const missing = missingFile(CAT_DOG) ?? missingFile(TFJS_TM);
const root = mkdtempSync(join(tmpdir(), 'convkit-tm-export-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('export: Teachable Machine models', { skip: skipUnless(missing) }, () => {
  let model: Model;
  let x: Tensor;
  let expected: Tensor;

  before(async () => {
    if (missing) return;
    model = await loadModel(CAT_DOG, { compile: false });
    x = randomImages(2, [224, 224, 3], 8, -1, 1);
    expected = await model.predict(x, { verbose: 0 });
  });

  test('keras_model.h5 -> ONNX: onnxruntime predicts as convkit', { skip: skipUnless(missingOnnx) }, async () => {
    need(missing ?? missingOnnx);
    const path = join(root, 'cat-dog.onnx');
    await exportOnnx(model, path);
    assertWithin('cat/dog model in onnxruntime', (await runInOnnxRuntime(path, x)).data, expected.data, 1e-5);
  });

  test('keras_model.h5 -> TF.js: loadLayersModel predicts as convkit, and loadModel reads the folder back', async () => {
    need(missing);
    const dir = join(root, 'cat-dog-tfjs');
    await exportTfjs(model, dir);
    assertWithin(
      'cat/dog model in TF.js',
      await predictInTfjs(await loadInTfjs(join(dir, 'model.json')), x),
      expected.data,
      1e-5,
    );
    const back = await loadModel(dir);
    assertWithin('cat/dog model back from TF.js', (await back.predict(x, { verbose: 0 })).data, expected.data, 1e-6);
  });

  test('loadModel recognises a TF.js model.json by content; convkit summary prints it', async () => {
    need(missing);
    const viaDispatcher = await loadModel(join(TFJS_TM, 'model.json'));
    const direct = await loadTfjsModel(TFJS_TM);
    assert.deepEqual(viaDispatcher.getWeights(), direct.getWeights());
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'summary', TFJS_TM], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /sequential_5 \(Sequential\)\s+\(None, 1280\)\s+410208/);
    assert.match(r.stdout, /Total params: 538,808/);
  });
});
