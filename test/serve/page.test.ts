// The web page in a real browser (headless chromium through playwright-core): draw a "7" with mouse moves on the
// Keras-trained MNIST CNN and see 7 on top; upload a cat photo to a cat/dog model and see "cat" on top.
// CONVKIT_SCREENSHOT_DIR=<dir> saves screenshots of both, to look at.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Conv2D } from '../../src/layers/conv2d.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { MaxPooling2D } from '../../src/layers/max-pooling2d.js';
import { Input } from '../../src/models/input.js';
import type { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { loadImage, stackImages } from '../../src/preprocessing/image.js';
import { type ServerHandle, serve } from '../../src/serve/server.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { launchBrowser, missingChromium, type PageWatch, watchPage } from '../helpers/browser.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';
import { CAT_PHOTO, loadMnistModel, MNIST_KERAS } from './serve-fixtures.js';

const missing = missingChromium ?? missingFile(MNIST_KERAS) ?? missingFile(CAT_PHOTO);
const shots = process.env.CONVKIT_SCREENSHOT_DIR;
const SIZE = 32;

/**
 * A small CNN trained on a few cat and dog photos (the test's cat among them), with the server's default image
 * preprocessing (stretch to 32x32, /255): it must know that cat. Stands in for a real cat/dog model.
 */
async function trainCatDog(): Promise<Model> {
  const pick = (kind: string, n: number) =>
    readdirSync(`${SHARED_DATA}cats-dogs/train/${kind}`)
      .sort()
      .slice(0, n)
      .map((f) => `${SHARED_DATA}cats-dogs/train/${kind}/${f}`);
  const paths = [CAT_PHOTO, ...pick('cats', 11), ...pick('dogs', 12)];
  const images = await Promise.all(paths.map((p) => loadImage(p, { targetSize: [SIZE, SIZE], colorMode: 'rgb' })));
  const x = stackImages(images);
  x.data.forEach((v, i) => {
    x.data[i] = v / 255;
  });
  const y = { data: Float32Array.from(paths, (p) => (p.includes('/cats/') ? 0 : 1)), shape: [paths.length] };
  setRandomSeed(3);
  const model = new Sequential([
    Input([SIZE, SIZE, 3]),
    new Conv2D(8, 3, { activation: 'relu' }),
    new MaxPooling2D(2),
    new Flatten(),
    new Dense(2, { activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(x, y, { epochs: 40, batchSize: 8, verbose: 0 });
  return model;
}

/** Waits until the page has no prediction on its way, then returns the top label and the bars' text. */
async function verdict(page: Page): Promise<{ label: string; bars: string }> {
  await page.waitForFunction(() => document.body.dataset.busy === 'false' && document.querySelector('#bars li') !== null);
  const label = await page.locator('#verdict').getAttribute('data-label');
  const bars = (await page.locator('#bars').innerText()).replace(/\s+/g, ' ');
  assert.equal(await page.locator('#status').innerText(), '', 'no error shown');
  return { label: label ?? '', bars };
}

/** The page asked only its own server (no CDN) and logged no errors. */
function offlineAndClean(watch: PageWatch): void {
  assert.deepEqual(watch.errors, []);
  assert.deepEqual(watch.failed, []);
  const elsewhere = watch.requests.filter((url) => !url.startsWith(server.url) && !url.startsWith('blob:'));
  assert.deepEqual(elsewhere, [], 'every request goes to the convkit server');
}

let server: ServerHandle;

describe('serve: the web page in chromium', { skip: skipUnless(missing) }, () => {
  let browser: Browser;

  before(async () => {
    need(missing);
    const catDog = await trainCatDog();
    server = await serve({ mnist: await loadMnistModel(), catdog: { model: catDog, labels: ['cat', 'dog'] } }, { port: 0 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('draw a 7 with the mouse: the MNIST model says 7', async () => {
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(`${server.url}/?model=mnist`);
    await page.waitForFunction(() => document.body.dataset.ready === 'mnist');
    assert.equal(await page.locator('#draw').isVisible(), true);
    const box = (await page.locator('#pad').boundingBox())!;
    const at = (x: number, y: number): [number, number] => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280];
    // A seven: the top bar left to right, then the long diagonal down to the lower left.
    await page.mouse.move(...at(70, 60));
    await page.mouse.down();
    await page.mouse.move(...at(210, 60), { steps: 12 });
    await page.mouse.move(...at(120, 240), { steps: 16 });
    await page.mouse.up();
    const { label, bars } = await verdict(page);
    if (shots) await page.screenshot({ path: join(shots, 'serve-draw-7.png'), fullPage: true });
    assert.equal(label, '7', `the page says ${label}: ${bars}`);
    assert.match(bars, /^7 \d+\.\d%/);
    offlineAndClean(watch);
    await page.close();
  });

  test('upload a cat photo: the cat/dog model says cat', async () => {
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(`${server.url}/?model=catdog`);
    await page.waitForFunction(() => document.body.dataset.ready === 'catdog');
    assert.equal(await page.locator('#photo').isVisible(), true);
    await page.locator('#file').setInputFiles(CAT_PHOTO);
    const { label, bars } = await verdict(page);
    await page.waitForFunction(() => (document.querySelector('#preview') as HTMLImageElement).complete);
    if (shots) await page.screenshot({ path: join(shots, 'serve-photo-cat.png'), fullPage: true });
    assert.equal(label, 'cat', `the page says ${label}: ${bars}`);
    assert.match(bars, /^cat \d+\.\d% dog \d+\.\d%$/);
    offlineAndClean(watch);
    await page.close();
  });
});
