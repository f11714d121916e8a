// Real models doing their real job after loading: the Keras 3 MNIST CNN (legacy .h5 and .keras, same weights)
// scores 98.76% on the MNIST test set, its author's figure; the Teachable Machine cat/dog model classifies real
// cats-dogs validation photos, preprocessed the Teachable Machine way (fit / center-crop to 224x224, x/127.5 - 1,
// done here with sharp directly, independently of convkit's image code), in the order its labels.txt gives.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { mnist } from '../../src/datasets/mnist.js';
import { loadModel } from '../../src/io/load-model.js';
import type { Model } from '../../src/models/model.js';
import { tensor } from '../../src/tensor.js';
import { nativeBackend, nativeMissingReason } from '../helpers/backends.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const MNIST_H5 = `${SHARED_DATA}keras-mnist/classic-cnn/mnist_cnn.h5`;
const MNIST_KERAS = `${SHARED_DATA}keras-mnist/classic-cnn/mnist_cnn.keras`;
const TM_DIR = `${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/`;
const VALIDATION = `${SHARED_DATA}cats-dogs/validation/`;
// The native backend: 10,000 MNIST images and 40 MobileNetV2 passes take minutes on the reference backend.
const missing = missingFile(MNIST_H5) ?? missingFile(`${TM_DIR}keras_model.h5`) ?? missingFile(VALIDATION) ?? nativeMissingReason;

async function load(path: string): Promise<Model> {
  const model = await loadModel(path, { compile: false });
  model.backendOverride = nativeBackend;
  return model;
}

async function predictedClasses(model: Model, x: Float32Array, shape: number[]): Promise<number[]> {
  const out = await model.predict(tensor(x, shape), { batchSize: 256, verbose: 0 });
  const classes = out.shape[1]!;
  return Array.from({ length: shape[0]! }, (_, r) => {
    const row = out.data.subarray(r * classes, (r + 1) * classes);
    return row.indexOf(Math.max(...row));
  });
}

/** Teachable Machine's preprocessing: scale the shorter side to 224, center-crop 224x224, RGB, x/127.5 - 1. */
async function teachableMachineInput(path: string): Promise<Float32Array> {
  const data = await sharp(path).resize(224, 224, { fit: 'cover', position: 'centre' }).removeAlpha().raw().toBuffer();
  return Float32Array.from(data, (v) => v / 127.5 - 1);
}

describe('real models score as their authors report', { skip: skipUnless(missing) }, () => {
  test('the classic MNIST CNN: .h5 and .keras both reach 98.76% on the 10,000 test images, with identical outputs', async () => {
    need(missing);
    const [, [images, labels]] = await mnist.loadData();
    const x = Float32Array.from(images.data, (v) => v / 255);
    const shape = [labels.data.length, 28, 28, 1];
    const h5 = await predictedClasses(await load(MNIST_H5), x, shape);
    const keras = await predictedClasses(await load(MNIST_KERAS), x, shape);
    assert.deepEqual(h5, keras);
    const correct = h5.filter((c, i) => c === labels.data[i]).length;
    assert.equal(correct, 9876);
  });

  test('the Teachable Machine cat/dog model classifies 40 real validation photos (labels.txt order)', async () => {
    need(missing);
    const labels = readFileSync(`${TM_DIR}labels.txt`, 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => line.trim().split(/\s+/).slice(1).join(' '));
    assert.deepEqual(labels, ['Cat', 'Dog']);
    const model = await load(`${TM_DIR}keras_model.h5`);
    const folders = { cats: labels.indexOf('Cat'), dogs: labels.indexOf('Dog') };
    const inputs: Float32Array[] = [];
    const expected: number[] = [];
    for (const [folder, label] of Object.entries(folders)) {
      // Every 20th photo: a spread over the folder, not its first files.
      const files = readdirSync(`${VALIDATION}${folder}`)
        .sort()
        .filter((_, i) => i % 20 === 0)
        .slice(0, 20);
      for (const file of files) {
        inputs.push(await teachableMachineInput(`${VALIDATION}${folder}/${file}`));
        expected.push(label);
      }
    }
    const x = new Float32Array(inputs.length * 224 * 224 * 3);
    for (const [i, input] of inputs.entries()) x.set(input, i * input.length);
    const predicted = await predictedClasses(model, x, [inputs.length, 224, 224, 3]);
    const correct = predicted.filter((c, i) => c === expected[i]).length;
    assert.equal(inputs.length, 40);
    // 825/832 (99.16%) on the whole validation folder (README); a wrong weight mapping lands near 50%.
    assert.ok(correct >= 38, `${correct}/40 correct`);
  });
});
