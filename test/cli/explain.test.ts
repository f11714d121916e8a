// `convkit explain` as a user runs it: real processes on the seed's MNIST CNN trained by someone else in Keras
// (../shared/data) and MNIST digits written as PNG files; outputs checked as files (PNG size and pixels against the library's own overlay, SVG structure), and bad input
// failing fast with one clear message.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { mnist } from '../../src/datasets/index.js';
import { gradCam } from '../../src/explain/grad-cam.js';
import { loadModel } from '../../src/io/load-model.js';
import { heatmapOverlayPng } from '../../src/plots/explanation-figure.js';
import { loadImage } from '../../src/preprocessing/image.js';
import { convkit } from '../helpers/cli.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';
import { findAll, parseXml } from '../helpers/svg.js';

const MODEL = join(SHARED_DATA, 'keras-mnist/classic-cnn/mnist_cnn.keras');
const missing = missingFile(MODEL);
const dir = mkdtempSync(join(tmpdir(), 'convkit-explain-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** MNIST test digit `i` as a PNG file. */
async function digit(xTest: { data: Uint8Array }, i: number, path: string): Promise<void> {
  await sharp(Buffer.from(xTest.data.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
    .png()
    .toFile(path);
}

describe('cli: explain', { skip: skipUnless(missing) }, () => {
  const seven = join(dir, 'seven.png');
  const three = join(dir, 'three.png');
  const labels = join(dir, 'labels.txt');

  before(async () => {
    if (missing) return;
    const [, [xTest]] = await mnist.loadData();
    await digit(xTest, 0, seven);
    await digit(xTest, 18, three); // a 3 that the seed CNN reads as 8
    writeFileSync(
      labels,
      ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].map((n, i) => `${i} ${n}\n`).join(''),
    );
  });

  test('explain: Grad-CAM of the predicted class at the last convolution, the same pixels as the library', async () => {
    need(missing);
    const out = join(dir, 'cam.png');
    const r = convkit('explain', MODEL, seven, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /seven\.png: 7 \d+\.\d%/);
    assert.match(r.stdout, /Grad-CAM for class 7 \(logit \d+\.\d+\) at layer conv2d_3 \(11x11\)/);
    const model = await loadModel(MODEL, { compile: false });
    const decoded = await loadImage(seven, { colorMode: 'grayscale' });
    const image = { data: decoded.data.map((v) => v / 255), shape: decoded.shape };
    const expected = await sharp(await heatmapOverlayPng(image, gradCam(model, image).heatmap))
      .raw()
      .toBuffer();
    const written = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([written.info.width, written.info.height], [224, 224]);
    // The CLI ran on the native backend, this process on the reference one: equal up to float rounding.
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(written.data[i]! - expected[i]!));
    assert.equal(written.data.length, expected.length);
    assert.ok(worst <= 2, `the CLI overlay differs from heatmapOverlayPng(gradCam(...)) by up to ${worst}`);
  });

  test('explain: a class by name, saliency, and an SVG figure with image, Grad-CAM and saliency', () => {
    need(missing);
    const byName = convkit(
      'explain',
      MODEL,
      three,
      '--labels',
      labels,
      '--class',
      'three',
      '--method',
      'saliency',
      '--out',
      join(dir, 's.png'),
      '--size',
      '112',
    );
    assert.equal(byName.code, 0, byName.stderr);
    assert.match(byName.stdout, /three\.png: eight \d+\.\d%/);
    assert.match(byName.stdout, /Saved .*s\.png \(saliency for three\)/);
    const figure = convkit('explain', MODEL, three, '--out', join(dir, 'fig.svg'));
    assert.equal(figure.code, 0, figure.stderr);
    const svg = parseXml(readFileSync(join(dir, 'fig.svg'), 'utf8'));
    assert.equal(findAll(svg, (e) => e.name === 'image').length, 3);
  });

  test('explain: bad input fails before any work, one message, no stack trace', () => {
    need(missing);
    const cases: [string[], RegExp][] = [
      [['--out', join(dir, 'cam.jpg')], /--out: invalid path '.*cam\.jpg'. Expected a name ending in '.png' or '.svg'/],
      [
        ['--out', join(dir, 'x.png'), '--class', '12'],
        /--class: invalid value. Expected a class index 0..9 .*received "12". Hint: give --labels/,
      ],
      [
        ['--out', join(dir, 'x.png'), '--layer', 'dense'],
        /invalid 'layerName'. Expected one of the model's layers with a \(H, W, C\) output: conv2d_2, max_pooling2d_2, conv2d_3, max_pooling2d_3, received "dense"/,
      ],
    ];
    for (const [extra, message] of cases) {
      const r = convkit('explain', MODEL, seven, ...extra);
      assert.equal(r.code, 1, `${extra.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    const noImage = convkit('explain', MODEL, join(dir, 'nope.png'), '--out', join(dir, 'x.png'));
    assert.equal(noImage.code, 1);
    assert.match(noImage.stderr, /nope\.png/);
    assert.ok(!existsSync(join(dir, 'x.png')));
  });
});
