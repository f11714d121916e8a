// The seed examples run as a user runs them (short settings) and print what the seeds print.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { missingFile, need, skipUnless } from './helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-examples-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function example(name: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), resolve('examples', name), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('examples', () => {
  test('parameter-comparison prints the MLP and CNN counts', () => {
    const r = example('parameter-comparison.ts');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /MLP on 400x600 gray: 24,000,100 parameters/);
    assert.match(r.stdout, /CNN: 2,800 parameters/);
    assert.match(r.stdout, /maxpool_layer \(MaxPooling2D\s+\(None, 199, 299, 100\)\s+0/);
  });

  test('mnist trains one epoch, reports accuracy and saves a .keras file', () => {
    const r = example('mnist.ts', '1');
    assert.equal(r.code, 0, r.stderr);
    const accuracy = Number(/test accuracy: (\d+\.\d+)%/.exec(r.stdout)![1]);
    assert.ok(accuracy > 97, `one epoch of the seed CNN should pass 97%, got ${accuracy}%`);
    assert.match(r.stdout, /First 10 \(predicted\/true\): (\d\/\d ){9}\d\/\d/);
    assert.ok(existsSync(join(dir, 'mnist_cnn.keras')));
  });

  test('image-folders splits a folder, previews the augmentation, trains and evaluates', async () => {
    const photos = join(dir, 'photos');
    for (const [name, base] of [
      ['dark', 40],
      ['light', 210],
    ] as const) {
      mkdirSync(join(photos, name), { recursive: true });
      for (let i = 0; i < 10; i++) {
        const v = base + i;
        await sharp({ create: { width: 20, height: 14, channels: 3, background: { r: v, g: v, b: v } } })
          .png()
          .toFile(join(photos, name, `${i}.png`));
      }
    }
    const r = example('image-folders.ts', photos, '--out', join(dir, 'work'), '--size', '16', '--epochs', '1');
    assert.equal(r.code, 0, r.stderr);
    // 10 per class: round(1.5) = 2 for validation and for test, 6 left for training.
    assert.match(r.stdout, /train: dark 6, light 6\nvalidation: dark 2, light 2\ntest: dark 2, light 2/);
    const preview = await sharp(join(dir, 'work', 'augmentation-preview.png')).metadata();
    assert.deepEqual([preview.width, preview.height], [8 * 16, 16]);
    assert.match(r.stdout, /Classes: dark, light/);
    assert.match(r.stdout, /Test loss: \d+\.\d{4} - test accuracy: \d+\.\d%/);
  });

  const fashion = resolve('../shared/data/fashion-mnist');
  test('fashion-mnist runs the three seed models', { skip: skipUnless(missingFile(fashion)) }, () => {
    need(missingFile(fashion));
    const r = example('fashion-mnist.ts', '--data-dir', fashion, '--epochs', '1', '--limit', '1000');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.match(/Classe predita foi \d com \d+%\. Classe correta é 0, T-shirt\/top\./g)?.length, 3);
    assert.match(r.stdout, /Total params: 118,980/);
  });

  test("fashion-mnist-evaluation runs seed 003's evaluation steps and the report", {
    skip: skipUnless(missingFile(fashion)),
  }, () => {
    need(missingFile(fashion));
    const r = example(
      'fashion-mnist-evaluation.ts',
      '--data-dir',
      fashion,
      '--epochs',
      '2',
      '--limit',
      '1000',
      '--test-limit',
      '300',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Diagnosis: (overfitting|underfitting|healthy|not yet converged|diverging)$/m);
    assert.match(r.stdout, /Classe predita foi \d com \d+%\. Classe correta é \d, [^.]+\./);
    assert.match(r.stdout, /^Confusion matrix \(rows = true class, columns = predicted class\):$/m);
    assert.match(r.stdout, /^ {4}accuracy {27}\d\.\d\d {7}300$/m);
    assert.match(r.stdout, /^ {2}Ankle boot +\d\.\d\d +\d\.\d\d +\d\.\d\d +\d+$/m);
    assert.match(r.stdout, /The model confuses \S/);
  });

  test("evaluation-pictures draws the seeds' evaluation pictures as PNG/SVG files and writes the report", {
    skip: skipUnless(missingFile(fashion)),
  }, async () => {
    need(missingFile(fashion));
    const args = ['--data-dir', fashion, '--epochs', '2', '--limit', '1500', '--test-limit', '300', '--out', 'pictures'];
    const r = example('evaluation-pictures.ts', ...args);
    assert.equal(r.code, 0, r.stderr);
    const accuracy = /test accuracy: (\d+\.\d\d)%/.exec(r.stdout)?.[1];
    assert.ok(accuracy, r.stdout);
    const pictures = join(dir, 'pictures');
    const sizes: Record<string, [number, number]> = {};
    for (const name of ['learning-curves', 'confusion-matrix', 'plot-image', 'batch-predictions', 'top-losses', 'grad-cam']) {
      const meta = await sharp(join(pictures, `${name}.png`)).metadata();
      assert.equal(meta.format, 'png', name);
      sizes[name] = [meta.width!, meta.height!];
    }
    // One tile for plot_image, 3 rows of 5 for the batch, 4 rows of image / Grad-CAM / saliency.
    assert.ok(sizes['batch-predictions']![0] > 4 * sizes['plot-image']![0], JSON.stringify(sizes));
    assert.ok(sizes['grad-cam']![1] > sizes['grad-cam']![0], 'four rows of three pictures are taller than wide');
    const text = (name: string) => readFileSync(join(pictures, name), 'utf8');
    assert.match(text('confusion-matrix-normalised.svg'), /^<svg [\s\S]*Ankle boot[\s\S]*normalised/);
    assert.match(text('true-vs-predicted.svg'), /^<svg [\s\S]*300 samples/);
    assert.match(text('plot-value-array.svg'), /^<svg [\s\S]*T-shirt\/top/);
    // The page holds the classification report and the same test accuracy.
    const html = text('report/index.html');
    assert.match(html, /<h2>Classification report<\/h2>/);
    assert.match(html, new RegExp(`<div class="value">${accuracy}%</div><div class="label">accuracy</div>`));
  });

  const catsDogs = resolve('../shared/data/cats-dogs');
  const teachable = resolve('../shared/data/teachable-machine/cat-dog-11Maximus11/keras_model.h5');
  test('fine-tune-cats-dogs runs seed 004 on a tiny folder', {
    skip: skipUnless(missingFile(catsDogs) ?? missingFile(teachable)),
  }, () => {
    need(missingFile(catsDogs) ?? missingFile(teachable));
    // Three photos per class and split (copies in the temp folder), one epoch: the notebook's steps, not its numbers.
    const data = join(dir, 'cats-dogs-tiny');
    for (const split of ['train', 'validation', 'test']) {
      for (const cls of ['cats', 'dogs']) {
        mkdirSync(join(data, split, cls), { recursive: true });
        for (const file of readdirSync(join(catsDogs, split, cls))
          .sort()
          .slice(0, split === 'test' ? 2 : 3)) {
          copyFileSync(join(catsDogs, split, cls, file), join(data, split, cls, file));
        }
      }
    }
    const r = example('fine-tune-cats-dogs.ts', '--base', teachable, '--data', data, '--epochs', '1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Total params: 538,508/);
    assert.match(r.stdout, /Trainable layers: Conv_1_bn, out_relu, \S+, dense_Dense1, dense_Dense2/);
    assert.match(r.stdout, /Classes: cats, dogs \(train 6, validation 6, test 4 images\)/);
    // The Teachable Machine model was trained on cats and dogs: one epoch at 1e-5 keeps it right on these photos.
    const accuracy = Number(/Test accuracy: (\d+\.\d+)%/.exec(r.stdout)?.[1]);
    assert.ok(accuracy >= 75, `test accuracy ${accuracy}%`);
    assert.match(r.stdout, /Confusion matrix \(rows true, columns predicted: cats, dogs\)/);
    assert.match(r.stdout, /cats +\d\.\d\d +\d\.\d\d +\d\.\d\d +2/);
    assert.match(r.stdout, /cat\.\S+\.jpg: (Gato|Cachorro)/);
    assert.equal(r.stdout.match(/(Gato|Cachorro) +\d+\.\d%/g)?.length, 4, 'a grid of the 4 test images');
    assert.ok(existsSync(join(dir, 'fine_tuned_model.h5')));
    for (const file of ['learning-curves.svg', 'confusion-matrix.svg', 'true-vs-predicted.svg', 'predictions.svg']) {
      assert.match(readFileSync(join(dir, file), 'utf8'), /^<svg/, file);
    }
  });
});
