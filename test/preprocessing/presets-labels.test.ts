// Named preprocessing and labels files: 'teachable-machine' crops the centre to the model's aspect ratio and maps
// pixels to [-1, 1], 'mnist' is grayscale / 255 (checked on images drawn here with known colours, expectations by
// hand), and labels.txt parsing on Teachable Machine's real files plus hand-written edge cases.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { imageDatasetFromDirectory } from '../../src/datasets/image-directory.js';
import { FormatError, Input, Model } from '../../src/index.js';
import { parseLabels, readLabels, readLabelsSync, writeLabels } from '../../src/io/labels.js';
import { Flatten } from '../../src/layers/flatten.js';
import { loadImagesFor } from '../../src/preprocessing/presets.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-presets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An identity-shaped model: what loadImagesFor reads is its input shape only. */
function imageModel(h: number, w: number, c: number): Model {
  const input = Input([h, w, c]);
  return new Model(input, new Flatten().apply(input));
}

describe('preprocessing presets and labels files', () => {
  const stripes = join(dir, 'stripes.png');
  const grey = join(dir, 'grey.png');
  before(async () => {
    // 40 wide, 20 high: red columns 0-9, green 10-29, blue 30-39. Its centred 20x20 square is all green.
    const pixels = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 40; x++) pixels[(y * 40 + x) * 3 + (x < 10 ? 0 : x < 30 ? 1 : 2)] = 255;
    }
    await sharp(pixels, { raw: { width: 40, height: 20, channels: 3 } })
      .png()
      .toFile(stripes);
    await sharp({ create: { width: 30, height: 30, channels: 3, background: { r: 51, g: 51, b: 51 } } })
      .png()
      .toFile(grey);
  });

  test("'teachable-machine': centre crop to the model's aspect ratio, then x / 127.5 - 1", async () => {
    const x = await loadImagesFor(imageModel(8, 8, 3), [stripes], { preprocess: 'teachable-machine' });
    assert.deepEqual(x.shape, [1, 8, 8, 3]);
    for (let i = 0; i < 64; i++) assert.deepEqual(Array.from(x.data.subarray(i * 3, i * 3 + 3)), [-1, 1, -1], `pixel ${i}`);
    // Stretching (the default) keeps the red and blue borders: the first column is red.
    const stretched = await loadImagesFor(imageModel(8, 8, 3), [stripes], { scale: 1, offset: 0 });
    assert.deepEqual(Array.from(stretched.data.subarray(0, 3)), [255, 0, 0]);
  });

  test('imageDatasetFromDirectory cropToAspectRatio crops the same window before resizing', async () => {
    const folder = join(dir, 'folder', 'stripes');
    mkdirSync(folder, { recursive: true });
    copyFileSync(stripes, join(folder, 'a.png'));
    const ds = await imageDatasetFromDirectory(join(dir, 'folder'), {
      imageSize: [8, 8],
      cropToAspectRatio: true,
      shuffle: false,
    });
    for await (const batch of ds) {
      const x = batch.x as { data: Float32Array };
      for (let i = 0; i < 64; i++) assert.deepEqual(Array.from(x.data.subarray(i * 3, i * 3 + 3)), [0, 255, 0], `pixel ${i}`);
    }
  });

  test("'mnist': grayscale, x / 255; 'none' keeps 0..255; scale/offset and invert as before", async () => {
    const mnist = await loadImagesFor(imageModel(28, 28, 1), [grey], { preprocess: 'mnist' });
    assert.deepEqual(mnist.shape, [1, 28, 28, 1]);
    assert.ok(mnist.data.every((v) => Math.abs(v - 51 / 255) < 1e-6));
    const none = await loadImagesFor(imageModel(4, 4, 3), [grey], { preprocess: 'none' });
    assert.ok(none.data.every((v) => v === 51));
    const inverted = await loadImagesFor(imageModel(4, 4, 1), [grey], { invert: true, scale: 0.5, offset: 1 });
    assert.ok(inverted.data.every((v) => v === (255 - 51) * 0.5 + 1));
  });

  test('a preset that does not fit the model, or given with scale/offset, is a clear error', async () => {
    await assert.rejects(
      loadImagesFor(imageModel(8, 8, 3), [grey], { preprocess: 'mnist' }),
      /gives grayscale images, but the model takes 3 channel/,
    );
    await assert.rejects(
      loadImagesFor(imageModel(8, 8, 3), [grey], { preprocess: 'teachable-machine', scale: 2 }),
      /either a preset or 'scale'\/'offset'/,
    );
    await assert.rejects(
      loadImagesFor(imageModel(8, 8, 3), [grey], { preprocess: 'tm' as 'none' }),
      /Expected 'teachable-machine', 'mnist', 'none', received "tm"/,
    );
    await assert.rejects(
      loadImagesFor(imageModel(8, 8, 3), [grey], { prepocess: 'none' } as never),
      /unknown option 'prepocess'. Did you mean 'preprocess'/,
    );
  });

  test('labels.txt from Teachable Machine (with its trailing blank line) (its own spelling kept) and a name containing digits', {
    skip: skipUnless(missingFile(SHARED_DATA)),
  }, async () => {
    need(missingFile(SHARED_DATA));
    assert.deepEqual(await readLabels(`${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/labels.txt`), ['Cat', 'Dog']);
    assert.deepEqual(await readLabels(`${SHARED_DATA}teachable-machine/rock-paper-scissors-92009/labels.txt`), [
      'ROCK',
      'PAPPER',
      'SCISSOR',
    ]);
    assert.deepEqual(await readLabels(`${SHARED_DATA}teachable-machine/water-bottle-963n/labels.txt`), ['5 Galoon', '500ML']);
    // The synchronous reader (serve, explain, predict) is the same parser: the digits of '5 Galoon' stay.
    assert.deepEqual(readLabelsSync(`${SHARED_DATA}teachable-machine/water-bottle-963n/labels.txt`), ['5 Galoon', '500ML']);
    assert.deepEqual(readLabelsSync(`${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/labels.txt`), ['Cat', 'Dog']);
  });

  test('labels files: the sync reader checks indexes too, and errors name the option and the file', () => {
    const twice = join(dir, 'twice.txt');
    writeFileSync(twice, '0 cat\n0 dog\n');
    assert.throws(
      () => readLabelsSync(twice, '--labels'),
      (e: Error) => e instanceof FormatError && e.message.includes(`${twice}: invalid line '0 dog'`),
    );
    assert.throws(() => readLabelsSync(join(dir, 'nope.txt'), '--labels'), /^.*--labels.*nope\.txt/s);
  });

  test('labels: any order of "index name" lines, plain names, CRLF; a repeated or missing index fails', async () => {
    assert.deepEqual(parseLabels('1 dog\r\n0 cat\r\n\r\n'), ['cat', 'dog']);
    assert.deepEqual(parseLabels('cat\ndog\n'), ['cat', 'dog']);
    assert.deepEqual(parseLabels('\uFEFF0 a b\n1 c\n'), ['a b', 'c']);
    assert.throws(
      () => parseLabels('0 cat\n0 dog\n', 'l.txt'),
      (e: Error) => e instanceof FormatError && /l.txt: invalid line '0 dog'.*index 0 twice/.test(e.message),
    );
    assert.throws(() => parseLabels('0 cat\n2 dog\n'), /Expected each index from 0 to 1 once/);
    const path = join(dir, 'labels.txt');
    await writeLabels(path, ['cats', 'dogs']);
    assert.equal(readFileSync(path, 'utf8'), '0 cats\n1 dogs\n');
    assert.deepEqual(await readLabels(path), ['cats', 'dogs']);
  });
});
