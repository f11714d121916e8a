// datasetInfo on a folder the test makes with sharp (known sizes, a corrupt image, a text file, duplicates within
// and across splits, an imbalanced class) and on ../shared/data/cats-dogs (counts and hashes from its SHA256SUMS).

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { datasetInfo } from '../../src/datasets/dataset-info.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const root = mkdtempSync(join(tmpdir(), 'convkit-info-'));
after(() => rmSync(root, { recursive: true, force: true }));
const CATS_DOGS = join(SHARED_DATA, 'cats-dogs');

async function image(path: string, width: number, height: number, format: 'png' | 'jpeg', shade: number) {
  const img = sharp({ create: { width, height, channels: 3, background: { r: shade, g: 255 - shade, b: 7 } } });
  await (format === 'png' ? img.png() : img.jpeg()).toFile(path);
}

/** Width and height from a JPEG's SOF marker, parsed by hand (independent of sharp/libvips). */
function jpegSize(bytes: Buffer): [number, number] {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) throw new Error(`not a JPEG marker at ${i}`);
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = bytes.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [bytes.readUInt16BE(i + 7), bytes.readUInt16BE(i + 5)];
    }
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}

describe('datasetInfo', () => {
  // train: cat 4 images + 1 in-split duplicate, dog 2 images; validation: cat 2, dog 1; test: cat 1 duplicate of a
  // train cat (leakage) + a corrupt .jpg, dog 1 + a text file. Totals: cat 9, dog 5 (12 readable
  // images: an even count, so the median is a mean of two).
  const widths: number[] = [];
  const heights: number[] = [];
  before(async () => {
    const add = async (rel: string, w: number, h: number, format: 'png' | 'jpeg', shade: number) => {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      await image(join(root, rel), w, h, format, shade);
      widths.push(w);
      heights.push(h);
    };
    await add('train/cat/c0.png', 10, 12, 'png', 1);
    await add('train/cat/c1.png', 20, 8, 'png', 2);
    await add('train/cat/c2.jpg', 30, 30, 'jpeg', 3);
    await add('train/cat/c3.jpg', 16, 40, 'jpeg', 4);
    await add('train/dog/d0.png', 11, 11, 'png', 5);
    await add('train/dog/d1.jpg', 50, 5, 'jpeg', 6);
    await add('validation/cat/c4.png', 9, 9, 'png', 7);
    await add('validation/cat/c5.png', 40, 3, 'png', 10);
    await add('validation/dog/d2.png', 13, 17, 'png', 8);
    await add('test/dog/d3.jpg', 21, 22, 'jpeg', 9);
    copyFileSync(join(root, 'train/cat/c0.png'), join(root, 'train/cat/c0-again.png'));
    widths.push(10);
    heights.push(12);
    mkdirSync(join(root, 'test/cat'), { recursive: true });
    copyFileSync(join(root, 'train/cat/c2.jpg'), join(root, 'test/cat/c2-leaked.jpg'));
    widths.push(30);
    heights.push(30);
    writeFileSync(join(root, 'test/cat/broken.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(40, 0x55)]));
    writeFileSync(join(root, 'test/dog/notes.txt'), 'labelled by hand on Tuesday');
  });

  test('counts per split and class, sizes, formats, unreadable files, duplicates, leakage, imbalance', async () => {
    const info = await datasetInfo(root);
    assert.deepEqual(info.splits, ['test', 'train', 'validation']);
    assert.deepEqual(info.classes, ['cat', 'dog']);
    assert.deepEqual(info.counts, { test: { cat: 2, dog: 2 }, train: { cat: 5, dog: 2 }, validation: { cat: 2, dog: 1 } });
    assert.deepEqual(info.totals, { cat: 9, dog: 5 });
    assert.equal(info.files, 14);
    const median = (v: number[]) => {
      const s = [...v].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    assert.deepEqual(info.width, { min: Math.min(...widths), median: median(widths), max: Math.max(...widths) });
    assert.deepEqual(info.height, { min: Math.min(...heights), median: median(heights), max: Math.max(...heights) });
    assert.deepEqual(info.formats, { png: 7, jpeg: 5 });
    assert.deepEqual(
      info.unreadable.map((u) => u.path),
      ['test/cat/broken.jpg', 'test/dog/notes.txt'],
    );
    assert.deepEqual(info.duplicates, [
      ['test/cat/c2-leaked.jpg', 'train/cat/c2.jpg'],
      ['train/cat/c0-again.png', 'train/cat/c0.png'],
    ]);
    assert.deepEqual(info.leakage, [['test/cat/c2-leaked.jpg', 'train/cat/c2.jpg']]);
    assert.deepEqual(info.imbalance, { largest: 'cat', smallest: 'dog', ratio: 9 / 5, warning: true });
    const relaxed = await datasetInfo(root, { imbalanceRatio: 2 });
    assert.equal(relaxed.imbalance?.warning, false);
  });

  test('a folder of classes without splits; bad input named', async () => {
    const info = await datasetInfo(join(root, 'train'));
    assert.equal(info.splits, null);
    assert.deepEqual(info.counts, { all: { cat: 5, dog: 2 } });
    assert.deepEqual(info.leakage, []);
    assert.equal(info.duplicates.length, 1);
    await assert.rejects(datasetInfo(join(root, 'nope')), /folder not found: '.*nope'/);
    await assert.rejects(datasetInfo(root, { imbalanceRatio: 0.5 }), /'imbalanceRatio'/);
    await assert.rejects(datasetInfo(root, { ratio: 2 } as never), /unknown option 'ratio'/);
    await assert.rejects(datasetInfo(join(root, 'train', 'cat')), /no class subfolders/);
  });

  test('../shared/data/cats-dogs: counts per split, no duplicates, all JPEG (as its SHA256SUMS says)', {
    skip: skipUnless(missingFile(CATS_DOGS)),
  }, async () => {
    need(missingFile(CATS_DOGS));
    const sums = readFileSync(join(CATS_DOGS, 'SHA256SUMS'), 'utf8').trim().split('\n');
    const hashes = sums.map((line) => line.split(/\s+/)[0]);
    const expectedDuplicates = hashes.length - new Set(hashes).size;
    const info = await datasetInfo(CATS_DOGS);
    assert.deepEqual(info.splits, ['test', 'train', 'validation']);
    for (const split of info.splits!) {
      for (const c of ['cats', 'dogs']) assert.equal(info.counts[split]![c], readdirSync(join(CATS_DOGS, split, c)).length);
    }
    assert.equal(info.files, sums.length);
    assert.equal(info.duplicates.length, expectedDuplicates);
    assert.deepEqual(info.unreadable, []);
    assert.deepEqual(info.formats, { jpeg: sums.length });
    assert.equal(info.imbalance?.warning, false);
    // Sizes against the SOF headers of every file, parsed here by hand.
    const w: number[] = [];
    const h: number[] = [];
    for (const line of sums) {
      const [width, height] = jpegSize(readFileSync(join(CATS_DOGS, line.split(/\s+/)[1]!)));
      w.push(width);
      h.push(height);
    }
    const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
    const mid = (v: number[]) => {
      const s = sorted(v);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    assert.deepEqual(info.width, { min: sorted(w)[0], median: mid(w), max: sorted(w).at(-1) });
    assert.deepEqual(info.height, { min: sorted(h)[0], median: mid(h), max: sorted(h).at(-1) });
  });
});
