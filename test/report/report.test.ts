// writeReport: one folder (index.html + images/) written atomically from an evaluation, the model and a history;
// the page opens in a real browser (headless chromium) offline, with every image loaded and no console error;
// its sections and numbers are the ones given; earlier reports are replaced, other folders are never overwritten.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { diagnose } from '../../src/evaluation/diagnose.js';
import { Conv2D, Dense, Flatten, MaxPooling2D } from '../../src/layers/index.js';
import { Input } from '../../src/models/input.js';
import { Sequential } from '../../src/models/sequential.js';
import { type ReportEvaluation, writeReport } from '../../src/report/build-report.js';
import { REPORT_MARKER } from '../../src/report/report-dir.js';
import type { Tensor } from '../../src/tensor.js';
import { missingChromium, openLocalPage } from '../helpers/browser.js';
import { need, skipUnless } from '../helpers/requirements.js';
import { parseXml } from '../helpers/svg.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const N = 12;
const classNames = ['circle', 'square', 'cross'];
const images: Tensor = { data: new Float32Array(N * 64).map((_, i) => ((i * 7919) % 101) / 100), shape: [N, 8, 8, 1] };
const model = new Sequential([
  Input({ shape: [8, 8, 1] }),
  new Conv2D(4, 3, { activation: 'relu', name: 'features' }),
  new MaxPooling2D(2),
  new Flatten(),
  new Dense(3, { activation: 'softmax' }),
]);

/** An evaluation of the (untrained) model on fixed labels, counted by hand from its predictions. */
async function evaluation(): Promise<ReportEvaluation> {
  const probabilities = (await model.predict(images, { verbose: 0 })).data;
  const yTrue = Int32Array.from({ length: N }, (_, i) => i % 3);
  const yPred = new Int32Array(N);
  const confidence = new Float32Array(N);
  const matrix = [0, 1, 2].map(() => [0, 0, 0]);
  const losses = [];
  for (let i = 0; i < N; i++) {
    const row = Array.from(probabilities.subarray(3 * i, 3 * i + 3));
    yPred[i] = row.indexOf(Math.max(...row));
    confidence[i] = Math.max(...row);
    matrix[yTrue[i]!]![yPred[i]!]! += 1;
    losses.push({
      index: i,
      trueClass: yTrue[i]!,
      predictedClass: yPred[i]!,
      confidence: confidence[i]!,
      loss: -Math.log(row[yTrue[i]!]!),
    });
  }
  losses.sort((a, b) => b.loss - a.loss);
  const correct = yTrue.filter((t, i) => t === yPred[i]).length;
  const scores = { precision: 0.25, recall: 0.5, f1Score: 0.3333, support: 4 };
  return {
    classNames,
    numSamples: N,
    lossName: 'sparse_categorical_crossentropy',
    loss: losses.reduce((a, l) => a + l.loss, 0) / N,
    accuracy: correct / N,
    topK: null,
    confusionMatrix: matrix,
    classificationReport: {
      classes: classNames.map((name) => ({ name, ...scores })),
      accuracy: correct / N,
      macroAvg: { ...scores, support: N },
      weightedAvg: { ...scores, support: N },
    },
    mostConfused: [{ trueName: 'square', predictedName: 'cross', count: 2 }],
    topLosses: losses.slice(0, 5),
    predictions: { yTrue, yPred, probabilities, outputUnits: 3, confidence },
  };
}

const loadImages = async (indices: number[]): Promise<Tensor> => {
  const data = new Float32Array(indices.length * 64);
  indices.forEach((i, k) => {
    data.set(images.data.subarray(i * 64, (i + 1) * 64), k * 64);
  });
  return { data, shape: [indices.length, 8, 8, 1] };
};

const history = {
  history: {
    loss: [1.1, 0.9, 0.8, 0.75],
    val_loss: [1.0, 0.95, 0.97, 1.02],
    accuracy: [0.3, 0.4, 0.5, 0.55],
    val_accuracy: [0.33, 0.36, 0.35, 0.34],
  },
};
const diagnosis = {
  verdict: 'overfitting',
  headline: 'Diagnosis: overfitting (validation loss turned at epoch 2)',
  evidence: ['validation loss rose 7% after epoch 2 while training loss kept falling'],
  remedies: ['more data or augmentation', 'dropout'],
  limitations: [],
};

describe('report: writeReport', () => {
  const out = join(dir, 'report');
  let html = '';
  before(async () => {
    const path = await writeReport(out, {
      model,
      evaluation: await evaluation(),
      loadImages,
      history,
      diagnosis,
      meta: ['data: 12 synthetic images'],
    });
    assert.equal(path, `${out}/index.html`);
    html = readFileSync(path, 'utf8');
  });

  test('one folder: index.html, the marker and the PNG pictures; nothing else, no temp folders', async () => {
    assert.deepEqual(readdirSync(out).sort(), [REPORT_MARKER, 'images', 'index.html']);
    assert.deepEqual(readdirSync(join(out, 'images')).sort(), ['explanations.png', 'predictions.png', 'top-losses.png']);
    for (const name of readdirSync(join(out, 'images')))
      assert.equal((await sharp(join(out, 'images', name)).metadata()).format, 'png');
    assert.deepEqual(readdirSync(dir), ['report']);
  });

  test('the page: sections in order, the given numbers and verdict, inline SVG charts, no external reference', () => {
    const order = [
      'Diagnosis',
      'Learning curves',
      'Confusion matrix',
      'Classification report',
      'True vs predicted',
      'Predictions',
      'Top losses',
      'Grad-CAM and saliency',
      'Model',
    ];
    const positions = order.map((title) => html.indexOf(`<h2>${title}</h2>`));
    assert.ok(
      positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]!)),
      `sections: ${positions}`,
    );
    assert.match(html, /<p class="verdict overfitting">Diagnosis: overfitting \(validation loss turned at epoch 2\)<\/p>/);
    assert.match(html, /<li>more data or augmentation<\/li>/);
    assert.match(html, /<tr><td>square<\/td><td>0.25<\/td><td>0.50<\/td><td>0.33<\/td><td>4<\/td><\/tr>/);
    assert.match(html, /<li>square predicted as cross: 2<\/li>/);
    assert.match(html, /Grad-CAM for the predicted class at layer features/);
    assert.match(html, /Total params: /);
    assert.equal((html.match(/<svg role="img"/g) ?? []).length, 4, 'learning curves, two confusion matrices, scatter');
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'no URL outside the folder');
    assert.doesNotMatch(html, /<script/);
  });

  test('opens in chromium: every image loaded, no console error, no request outside the folder', {
    skip: skipUnless(missingChromium),
  }, async () => {
    need(missingChromium);
    const opened = await openLocalPage(join(out, 'index.html'));
    assert.equal(opened.images.length, 3);
    for (const img of opened.images) assert.ok(img.complete && img.naturalWidth > 0, `${img.src} did not load`);
    assert.deepEqual(opened.errors, []);
    assert.deepEqual(opened.failed, []);
    assert.deepEqual(opened.outside, []);
    // The inline SVG charts are laid out (a broken SVG has no size).
    const sizes = opened.svgWidths;
    assert.ok(sizes.length === 4 && sizes.every((w) => w > 100), `svg widths ${sizes}`);
  });

  test('without a history: the page says why there are no curves and no diagnosis', async () => {
    const bare = join(dir, 'bare');
    await writeReport(bare, { model, evaluation: await evaluation(), loadImages, gridImages: 0, topLosses: 0, explain: 0 });
    const page = readFileSync(join(bare, 'index.html'), 'utf8');
    assert.match(page, /No training history was given \(pass the CSVLogger file with --history/);
    assert.equal((page.match(/<svg role="img"/g) ?? []).length, 3);
    assert.ok(!existsSync(join(bare, 'images')));
    rmSync(bare, { recursive: true });
  });

  test("with a history and no diagnosis given, the page shows diagnose(history)'s verdict, not a missing-history note", async () => {
    const own = join(dir, 'own-diagnosis');
    await writeReport(own, {
      model,
      evaluation: await evaluation(),
      loadImages,
      history,
      gridImages: 0,
      topLosses: 0,
      explain: 0,
    });
    const page = readFileSync(join(own, 'index.html'), 'utf8');
    const expected = diagnose(history);
    assert.equal(expected.verdict, 'overfitting');
    assert.ok(page.includes(`<p class="verdict overfitting">${expected.headline}</p>`), page.slice(0, 3000));
    assert.doesNotMatch(page, /No training history/);
    rmSync(own, { recursive: true });
  });

  test('an earlier report is replaced; a folder with other files and a file path are refused before any work', async () => {
    writeFileSync(join(out, 'images', 'stale.png'), 'old');
    await writeReport(out, { model, evaluation: await evaluation(), loadImages, explain: 1 });
    assert.ok(!existsSync(join(out, 'images', 'stale.png')), 'the old folder is gone');
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'thesis.tex'), 'precious');
    await assert.rejects(
      writeReport(mine, { model, evaluation: await evaluation(), loadImages }),
      /holds other files \(thesis.tex\).*choose another folder/,
    );
    assert.equal(readFileSync(join(mine, 'thesis.tex'), 'utf8'), 'precious');
    await assert.rejects(
      writeReport(join(mine, 'thesis.tex'), { model, evaluation: await evaluation(), loadImages }),
      /is a file. Expected a folder/,
    );
    assert.deepEqual(readdirSync(dir).sort(), ['mine', 'report']);
    parseXml(readFileSync(join(out, 'index.html'), 'utf8').match(/<svg role="img"[\s\S]*?<\/svg>/)![0]);
  });
});
