// `convkit finetune` end to end on a few real cats-dogs photos and a small pretrained base saved here: the head is
// replaced, only the unfrozen layers change, the best checkpoint's validation accuracy is the one reported, the
// labels file is written, and `convkit predict --preprocess teachable-machine --labels` reads both back. Also the
// errors a new user meets (wrong folder layout, bad --augment, class count mismatch), each before any training.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type FineTuneOptions, fineTune } from '../../src/fine-tuning/fine-tune-folder.js';
import {
  BatchNormalization,
  Callback,
  Conv2D,
  Dense,
  GlobalAveragePooling2D,
  Input,
  type Model,
  ReLU,
  Sequential,
  setRandomSeed,
} from '../../src/index.js';
import { loadModel } from '../../src/io/keras-file.js';
import { loadImagesFor } from '../../src/preprocessing/presets.js';
import { convkit } from '../helpers/cli.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const CATS_DOGS = `${SHARED_DATA}cats-dogs`;
const dir = mkdtempSync(join(tmpdir(), 'convkit-finetune-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('cli finetune', { skip: skipUnless(missingFile(CATS_DOGS)) }, () => {
  const data = join(dir, 'data');
  const base = join(dir, 'base.keras');
  const validationFiles: { path: string; label: number }[] = [];
  before(async () => {
    if (missingFile(CATS_DOGS)) return;
    // A few real photos (any size, JPEG) in the train/validation/test layout; copies in a temp folder, never in the
    // project.
    for (const [split, count] of [
      ['train', 6],
      ['validation', 3],
      ['test', 2],
    ] as const) {
      for (const [label, cls] of ['cats', 'dogs'].entries()) {
        mkdirSync(join(data, split, cls), { recursive: true });
        for (const file of readdirSync(join(CATS_DOGS, split, cls))
          .sort()
          .slice(0, count)) {
          copyFileSync(join(CATS_DOGS, split, cls, file), join(data, split, cls, file));
          if (split === 'validation') validationFiles.push({ path: join(data, split, cls, file), label });
        }
      }
    }
    // A small "pretrained" base with a 3-class head, Teachable-Machine-shaped (conv, BN, ReLU6, pooling, Dense, Dense).
    setRandomSeed(4);
    const model = new Sequential(
      [
        Input([32, 32, 3]),
        new Conv2D(4, 3, { name: 'conv_a' }),
        new BatchNormalization({ name: 'bn_a' }),
        new ReLU({ maxValue: 6, name: 'relu_a' }),
        new Conv2D(6, 3, { strides: 2, name: 'conv_b' }),
        new ReLU({ name: 'relu_b' }),
        new GlobalAveragePooling2D({ name: 'pool' }),
        new Dense(5, { activation: 'relu', name: 'dense_1' }),
        new Dense(3, { activation: 'softmax', name: 'dense_2' }),
      ],
      { name: 'tiny_base' },
    );
    await model.save(base);
  });

  test('replaces the head, trains only the unfrozen layers, reports the best checkpoint, predicts with its labels', async () => {
    need(missingFile(CATS_DOGS));
    const out = join(dir, 'best.keras');
    const labels = join(dir, 'labels.txt');
    const r = convkit(
      'finetune',
      ...['--base', base, '--data', data, '--replace-head', '--unfreeze', '3', '--lr', '0.01', '--epochs', '3'],
      ...['--batch-size', '4', '--seed', '1', '--augment', 'flip,rotation=0.1,zoom=0.1', '--out', out, '--labels-out', labels],
      ...['--report', join(dir, 'report')],
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const reported = /^validation accuracy: (\d+\.\d\d)%$/.exec(lines[lines.length - 2]!);
    assert.ok(reported, `line before the report's: ${lines[lines.length - 2]}`);
    assert.match(lines[lines.length - 1]!, /^Report written to .*report\/index\.html$/);
    // The report scores the best model on test/ with evaluateClassifier: the same accuracy fineTune measured there
    // with model.evaluate, the run's own curves and diagnosis, the Grad-CAM pictures.
    const tested = /^test accuracy: (\d+\.\d\d)%$/m.exec(r.stdout);
    assert.ok(tested, r.stdout);
    const html = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
    assert.match(html, /Data: .*test \(images the training never saw\)/);
    assert.match(html, /<div class="value">4<\/div><div class="label">samples<\/div>/);
    assert.match(html, new RegExp(`<div class="value">${tested[1]}%</div><div class="label">accuracy</div>`));
    assert.match(html, /<h2>Learning curves<\/h2>\n<figure><svg/);
    assert.match(html, /<p class="verdict [a-z-]+">/);
    // The last convolution is conv_b; Grad-CAM takes the ReLU right after it, as Keras examples do.
    assert.match(html, /Grad-CAM for the predicted class at layer relu_b/);
    assert.match(r.stdout, /Epoch 3\/3/);
    assert.match(r.stdout, /Classes \(label order\): cats, dogs/);
    // The reported accuracy is the best epoch's val_accuracy (the checkpoint kept), not the last epoch's.
    const improvements = [...r.stdout.matchAll(/val_accuracy improved from \S+ to (\d\.\d+)/g)].map((m) => Number(m[1]));
    assert.ok(improvements.length > 0, r.stdout);
    assert.equal(Number(reported[1]), Number((100 * improvements[improvements.length - 1]!).toFixed(2)));
    assert.equal(readFileSync(labels, 'utf8'), '0 cats\n1 dogs\n');

    const original = await loadModel(base, { compile: false });
    const tuned = await loadModel(out, { compile: false });
    assert.deepEqual(
      tuned.layers.map((l) => l.className),
      [
        'InputLayer',
        'RandomFlip',
        'RandomRotation',
        'RandomZoom',
        'Conv2D',
        'BatchNormalization',
        'ReLU',
        'Conv2D',
        'ReLU',
      ].concat(['GlobalAveragePooling2D', 'Dense']),
    );
    assert.equal(tuned.layers[tuned.layers.length - 1]!.name, 'predictions');
    assert.deepEqual(tuned.outputs[0]!.shape, [null, 2]);
    // --unfreeze 3 = relu_b, pool, predictions: the convolutions and BN (moving statistics too) stay bit-identical.
    for (const name of ['conv_a', 'bn_a', 'conv_b']) {
      const before = original.getLayer(name).getWeights();
      const afterTuning = tuned.getLayer(name).getWeights();
      before.forEach((w, i) => {
        assert.deepEqual(Array.from(afterTuning[i]!), Array.from(w), `${name} weight ${i}`);
      });
    }

    // predict reads the labels file and the preset; its probabilities are the library's on the same files.
    const p = convkit(
      'predict',
      out,
      ...validationFiles.map((f) => f.path),
      '--preprocess',
      'teachable-machine',
      '--labels',
      labels,
      '--json',
    );
    assert.equal(p.code, 0, p.stderr);
    const rows = p.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { label: string; probabilities: number[] });
    const x = await loadImagesFor(
      tuned,
      validationFiles.map((f) => f.path),
      { preprocess: 'teachable-machine' },
    );
    const expected = await tuned.predict(x, { verbose: 0 });
    rows.forEach((row, i) => {
      assert.ok(['cats', 'dogs'].includes(row.label));
      row.probabilities.forEach((v, c) => {
        assert.ok(Math.abs(v - expected.data[i * 2 + c]!) < 1e-6, `image ${i} class ${c}`);
      });
    });
  });

  test('headEpochs trains the new head alone first, then the unfrozen layers; freezeBatchNorm keeps BN fixed', async () => {
    need(missingFile(CATS_DOGS));
    const out = join(dir, 'two-phase.keras');
    const original = await loadModel(base, { compile: false });
    const snapshots: Record<string, Float32Array[]>[] = [];
    class Snapshot extends Callback {
      override async onEpochEnd(): Promise<void> {
        const model = this.model as unknown as Model;
        snapshots.push(
          Object.fromEntries(['conv_a', 'bn_a', 'conv_b', 'predictions'].map((n) => [n, model.getLayer(n).getWeights()])),
        );
      }
    }
    // Flattened layers: input, conv_a, bn_a, relu_a, conv_b, relu_b, pool, predictions; the last 6 start at bn_a.
    const result = await fineTune({
      ...{ base, data, out, verbose: 0, replaceHead: true, unfreeze: 6, freezeBatchNorm: true, seed: 3, batchSize: 4 },
      ...{ headEpochs: 2, headLearningRate: 0.01, learningRate: 0.01, epochs: 2, callbacks: [new Snapshot()] },
    });
    assert.deepEqual(result.history.epoch, [0, 1, 2, 3]);
    assert.equal(result.epochs, 4);
    const same = (a: Float32Array[], b: Float32Array[]) => a.every((w, i) => w.every((v, j) => Object.is(v, b[i]![j])));
    const first = original.getLayer('conv_b').getWeights();
    // Head phase (epochs 0, 1): conv_b unchanged, the head moves. Then conv_b trains too.
    assert.ok(same(snapshots[1]!.conv_b!, first), 'conv_b frozen during the head phase');
    assert.ok(!same(snapshots[1]!.predictions!, snapshots[0]!.predictions!), 'the head trains in the head phase');
    assert.ok(!same(snapshots[3]!.conv_b!, first), 'conv_b trains in the second phase');
    // Frozen throughout: conv_a (not unfrozen) and bn_a (unfrozen but freezeBatchNorm), moving statistics included.
    for (const name of ['conv_a', 'bn_a']) assert.ok(same(snapshots[3]![name]!, original.getLayer(name).getWeights()), name);
    // The checkpoint spans both phases: the reported accuracy is the best val_accuracy of all four epochs.
    const best = Math.max(...result.history.history.val_accuracy!);
    assert.ok(Math.abs(result.validationAccuracy - best) < 1e-6, `${result.validationAccuracy} vs ${best}`);
    await assert.rejects(
      fineTune({ base, data, out, verbose: 0, headEpochs: 1 }),
      /invalid 'headEpochs'. Expected 0 unless replaceHead is set/,
    );
  });

  test("a new user's mistakes fail before training with a clear message (library), one line and no stack (CLI)", async () => {
    need(missingFile(CATS_DOGS));
    const out = join(dir, 'x.keras');
    const cases: [Partial<FineTuneOptions>, RegExp][] = [
      [{ data: join(data, 'train') }, /invalid 'data'. Expected a folder with train\/ inside.*convkit split/],
      [{ augment: 'flip,rot=0.1' }, /invalid 'augment'. Expected one of flip, rotation, zoom/],
      [{}, /the base's head outputs 3 classes, but .* has 2 class folders.*--replace-head/],
      [{ replaceHead: true, imageSize: [64, 64] }, /invalid 'imageSize'. Expected the base's input size \[32, 32\]/],
      [{ preprocess: 'tm' as 'none' }, /invalid 'preprocess'. Expected 'teachable-machine', 'mnist', 'none', received "tm"/],
      [{ out: join(dir, 'best.txt') }, /Expected a name ending in '.keras' or '.h5'/],
      [{ out: join(dir, 'best.weights.h5') }, /invalid 'out'. Expected a model path ending in '.keras' or '.h5'/],
      [{ replaceHead: true, unfreeze: 0 }, /invalid 'unfreeze'. Expected layers with weights/],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(fineTune({ base, data, out, verbose: 0, ...options }), message, JSON.stringify(options));
    }
    const r = convkit('finetune', '--base', base, '--data', data, '--augment', 'flip,rot=0.1', '--out', out);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fineTune: invalid 'augment'/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(r.stdout, /Epoch 1/, 'no training started');
    const both = convkit('predict', base, validationFiles[0]!.path, '--preprocess', 'teachable-machine', '--scale', '2');
    assert.equal(both.code, 1);
    assert.match(both.stderr, /give either --preprocess or --scale\/--offset/);
  });
});
