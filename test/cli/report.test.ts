// `convkit report` and `convkit train --report` as a user runs them: real processes on the seed's MNIST CNN trained by
// someone else in Keras (../shared/data), on the MNIST test split and on a folder of digit PNGs; the pages are opened
// in headless chromium (every image loaded, no console error, nothing fetched from outside the folder), their
// numbers checked against this process's own predictions, and bad input refused before any work.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { mnist } from '../../src/datasets/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { missingChromium, openLocalPage } from '../helpers/browser.js';
import { convkit } from '../helpers/cli.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const MODEL = join(SHARED_DATA, 'keras-mnist/classic-cnn/mnist_cnn.keras');
const missing = missingFile(MODEL) ?? missingChromium;
const dir = mkdtempSync(join(tmpdir(), 'convkit-report-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Opens the page in chromium and checks what an offline report must get right; returns the image files shown. */
async function checkInBrowser(index: string): Promise<string[]> {
  const opened = await openLocalPage(index, process.env.CONVKIT_REPORT_SCREENSHOT);
  for (const img of opened.images) assert.ok(img.complete && img.naturalWidth > 0, `${img.src} did not load`);
  assert.deepEqual(opened.errors, []);
  assert.deepEqual(opened.failed, []);
  assert.deepEqual(opened.outside, [], 'the page fetched something outside its folder');
  assert.ok(
    opened.svgWidths.length >= 3 && opened.svgWidths.every((w) => w > 100),
    `inline charts laid out: ${opened.svgWidths}`,
  );
  return opened.images.map((i) => i.src);
}

describe('cli: report', { skip: skipUnless(missing) }, () => {
  const folder = join(dir, 'digits');
  before(async () => {
    if (missing) return;
    // Class subfolders 0..9 holding the first two test digits of each class, as PNG files.
    const [, [xTest, yTest]] = await mnist.loadData();
    const seen = new Array<number>(10).fill(0);
    for (let i = 0; seen.some((n) => n < 2); i++) {
      const c = yTest.data[i]!;
      if (seen[c]! >= 2) continue;
      mkdirSync(join(folder, String(c)), { recursive: true });
      await sharp(Buffer.from(xTest.data.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(join(folder, String(c), `${i}.png`));
      seen[c]! += 1;
    }
  });

  test('--dataset mnist --history: the page, its numbers, the diagnosis from the CSV; opens in chromium', async () => {
    need(missing);
    const history = join(dir, 'history.csv');
    // A run whose validation loss turns after epoch 2 while training loss keeps falling: overfitting.
    writeFileSync(
      history,
      'epoch,accuracy,loss,val_accuracy,val_loss\n0,0.90,0.33,0.95,0.16\n1,0.96,0.12,0.97,0.10\n2,0.98,0.06,0.97,0.11\n3,0.99,0.03,0.965,0.14\n4,0.995,0.015,0.96,0.18\n5,0.998,0.008,0.958,0.22\n',
    );
    const out = join(dir, 'report');
    const r = convkit('report', MODEL, '--dataset', 'mnist', '--limit', '300', '--history', history, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Report written to .*report\/index\.html/);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    assert.match(html, /<p class="meta">Data: mnist test split<\/p>/);
    assert.match(html, /Evaluated on 300 images/);
    assert.match(html, /<p class="verdict overfitting">overfitting: /);
    assert.match(html, /<h2>Learning curves<\/h2>\n<figure><svg role="img"/);
    assert.match(html, /Grad-CAM for the predicted class at layer conv2d_3/);
    assert.match(html, /Total params: 225,034/);
    assert.deepEqual(readdirSync(join(out, 'images')).sort(), ['explanations.png', 'predictions.png', 'top-losses.png']);
    // The accuracy card against this process's own predictions of the same 300 digits.
    const model = await loadModel(MODEL, { compile: false });
    const [, [xTest, yTest]] = await mnist.loadData();
    const x = { data: Float32Array.from(xTest.data.subarray(0, 300 * 784), (v) => v / 255), shape: [300, 28, 28, 1] };
    const p = (await model.predict(x, { verbose: 0 })).data;
    let right = 0;
    for (let i = 0; i < 300; i++) {
      const row = Array.from(p.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === yTest.data[i]) right += 1;
    }
    assert.match(
      html,
      new RegExp(`<div class="value">${((100 * right) / 300).toFixed(2)}%</div><div class="label">accuracy</div>`),
    );
    const shown = await checkInBrowser(join(out, 'index.html'));
    assert.deepEqual(shown, ['images/predictions.png', 'images/top-losses.png', 'images/explanations.png']);
  });

  test('--data: a folder of class subfolders; pictures read back from the files', async () => {
    need(missing);
    const out = join(dir, 'folder-report');
    const r = convkit('report', MODEL, '--data', folder, '--preprocess', 'mnist', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    assert.match(html, /Data: folder .*digits/);
    assert.match(html, /Evaluated on 20 images/);
    assert.match(html, /No training history was given/);
    await checkInBrowser(join(out, 'index.html'));
  });

  test('train --data --report: the validation images of the folder, read back for the pictures', async () => {
    need(missing);
    const out = join(dir, 'folder-train-report');
    const r = convkit(
      'train',
      ...['--data', folder, '--model', 'mlp', '--image-size', '28,28', '--color-mode', 'grayscale'],
      ...['--validation-split', '0.5', '--epochs', '2', '--seed', '2', '--out', join(dir, 'digits.keras'), '--report', out],
    );
    assert.equal(r.code, 0, r.stderr);
    const validation = Number(/; (\d+) for validation\)/.exec(r.stdout)?.[1]);
    assert.ok(validation > 0, r.stdout);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    assert.match(html, new RegExp(`Data: the ${validation} validation images of .*digits`));
    assert.match(html, new RegExp(`<div class="value">${validation}</div><div class="label">samples</div>`));
    assert.match(html, /<h2>Learning curves<\/h2>\n<figure><svg/);
    await checkInBrowser(join(out, 'index.html'));
  });

  test('bad input is refused before the model runs: a folder of other files, a missing or binary history', () => {
    need(missing);
    const busy = join(dir, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    const refused = convkit('report', MODEL, '--out', busy);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--out: '.*busy' holds other files \(notes.txt\)/);
    const noHistory = convkit('report', MODEL, '--out', join(dir, 'r2'), '--history', join(dir, 'nope.csv'));
    assert.equal(noHistory.code, 1);
    assert.match(noHistory.stderr, /nope\.csv/);
    const binary = convkit('report', MODEL, '--out', join(dir, 'r3'), '--history', MODEL);
    assert.equal(binary.code, 1);
    assert.match(binary.stderr, /binary, not text|first column/);
    for (const r of [refused, noHistory, binary]) assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.ok(!existsSync(join(dir, 'r2')) && !existsSync(join(dir, 'r3')));
  });
});

describe('cli: train --report', { skip: skipUnless(missingChromium) }, () => {
  test("trains, saves, and writes the report with the run's own learning curves and diagnosis", async () => {
    need(missingChromium);
    const out = join(dir, 'train-report');
    const r = convkit(
      'train',
      ...['--model', 'mlp', '--epochs', '2', '--limit', '600', '--validation-split', '0.2', '--seed', '1'],
      ...['--out', join(dir, 'mlp.keras'), '--report', out],
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Report written to .*train-report\/index\.html/);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    assert.match(html, /Model: mlp, trained on mnist \(600 samples, 2 epochs\)/);
    assert.match(html, /Evaluated on 10,000 images/);
    assert.match(html, /<p class="verdict (overfitting|underfitting|healthy|not-yet-converged|diverging)">/);
    // The test accuracy the training printed is the report's.
    const printed = /test accuracy: (\d+\.\d\d)%/.exec(r.stdout);
    assert.ok(printed, r.stdout);
    assert.match(html, new RegExp(`<div class="value">${printed[1]}%</div><div class="label">accuracy</div>`));
    assert.match(html, /The model has no convolution layer, so no Grad-CAM/);
    await checkInBrowser(join(out, 'index.html'));
    const busy = join(dir, 'busy-train');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    const refused = convkit('train', '--model', 'mlp', '--epochs', '1', '--out', join(dir, 'x.keras'), '--report', busy);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--report: '.*busy-train' holds other files/);
    assert.doesNotMatch(refused.stdout, /Epoch/, 'refused before training');
  });
});

describe('cli: cv --report', { skip: skipUnless(missingChromium) }, () => {
  test("the out-of-fold report: every sample once, the folds' own accuracy, mean curves; opens in chromium", async () => {
    need(missingChromium);
    const out = join(dir, 'cv-report');
    const r = convkit(
      'cv',
      ...['--model', 'mlp', '--folds', '2', '--limit', '200', '--epochs', '2', '--seed', '5'],
      '--report',
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Report written to .*cv-report\/index\.html/);
    // Two folds of 100: the out-of-fold accuracy is the mean of the folds' printed accuracies.
    const folds = [...r.stdout.matchAll(/^fold \d\/2: loss \d+\.\d+, accuracy (\d\.\d+)/gm)].map((m) => Number(m[1]));
    assert.equal(folds.length, 2, r.stdout);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const shown = Number(/<div class="value">(\d+\.\d\d)%<\/div><div class="label">accuracy<\/div>/.exec(html)?.[1]);
    assert.ok(Math.abs(shown - (100 * (folds[0]! + folds[1]!)) / 2) <= 0.011, `${shown}% vs folds ${folds}`);
    assert.match(html, /<div class="value">200<\/div><div class="label">samples<\/div>/);
    assert.match(html, /Out-of-fold predictions: each of the 200 samples scored once/);
    assert.match(html, /<h2>Learning curves<\/h2>\n<figure><svg/);
    await checkInBrowser(join(out, 'index.html'));
  });
});
