// The web page in a real browser (headless chromium through playwright-core): draw a "7" with mouse moves on the
// Keras-trained MNIST CNN and see 7 on top; upload a cat photo to Teachable Machine's cat/dog model and see "Cat".
// CONVKIT_SCREENSHOT_DIR=<dir> saves screenshots of both, to look at.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type ServerHandle, serve } from '../../src/serve/server.js';
import { launchBrowser, missingChromium, type PageWatch, watchPage } from '../helpers/browser.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';
import { CAT_PHOTO, loadMnistModel, MNIST_KERAS } from './serve-fixtures.js';

const TM = `${SHARED_DATA}teachable-machine/cat-dog-11Maximus11/`;
const missing = missingChromium ?? missingFile(MNIST_KERAS) ?? missingFile(CAT_PHOTO) ?? missingFile(`${TM}keras_model.h5`);
const shots = process.env.CONVKIT_SCREENSHOT_DIR;

/** Waits until the page has no prediction on its way, then returns the top label and the bars' text. */
async function verdict(page: Page): Promise<{ label: string; bars: string }> {
  // Generous: the first MobileNetV2 inference in a fresh worker on a loaded machine can take many seconds.
  await page.waitForFunction(() => document.body.dataset.busy === 'false', undefined, { timeout: 120_000 });
  assert.equal(await page.locator('#status').innerText(), '', 'no error shown');
  const label = await page.locator('#verdict').getAttribute('data-label');
  const bars = (await page.locator('#bars').innerText()).replace(/\s+/g, ' ');
  return { label: label ?? '', bars };
}

/** The Grad-CAM overlay arrived (it may take seconds on MobileNetV2) and is a real picture. */
async function overlayShown(page: Page): Promise<void> {
  await page.waitForFunction(() => ['shown', 'none'].includes(document.body.dataset.overlay ?? ''), undefined, {
    timeout: 120_000,
  });
  assert.equal(await page.evaluate(() => document.body.dataset.overlay), 'shown');
  const size = await page.locator('#overlay').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(size[0]! >= 224 && size[1]! >= 224, `overlay size ${size}`);
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
    // The real Teachable Machine cat/dog export (Keras 2 .h5, MobileNetV2) with its labels and preprocessing.
    const catdog = { model: `${TM}keras_model.h5`, labels: `${TM}labels.txt`, preprocess: 'teachable-machine' as const };
    server = await serve({ mnist: await loadMnistModel(), catdog }, { port: 0 });
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
    await overlayShown(page);
    if (shots) await page.screenshot({ path: join(shots, 'serve-draw-7.png'), fullPage: true });
    assert.equal(label, '7', `the page says ${label}: ${bars}`);
    assert.match(bars, /^7 \d+\.\d%/);
    offlineAndClean(watch);
    await page.close();
  });

  test('upload a cat photo: the Teachable Machine cat/dog model says Cat', async () => {
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(`${server.url}/?model=catdog`);
    await page.waitForFunction(() => document.body.dataset.ready === 'catdog');
    assert.equal(await page.locator('#photo').isVisible(), true);
    await page.locator('#file').setInputFiles(CAT_PHOTO);
    const { label, bars } = await verdict(page);
    await page.waitForFunction(() => (document.querySelector('#preview') as HTMLImageElement).complete);
    await overlayShown(page);
    if (shots) await page.screenshot({ path: join(shots, 'serve-photo-cat.png'), fullPage: true });
    assert.equal(label, 'Cat', `the page says ${label}: ${bars}`);
    assert.match(bars, /^Cat \d+\.\d% Dog \d+\.\d%$/);
    offlineAndClean(watch);
    await page.close();
  });
});
