// imageDatasetFromDirectory on small class folders this test writes with sharp (solid colours per class, so a
// label can be read back from the pixels) and on ../shared/data/cats-dogs by path: class inference, label modes,
// colour modes against sharp's own decode + resize, seeded split determinism and disjointness, corrupt files,
// bad input, and a tiny fit/evaluate/predict.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { datasetInfo } from '../../src/datasets/dataset-info.js';
import { imageDatasetFromDirectory } from '../../src/datasets/image-directory.js';
import { ConfigError, NotFoundError, ValueError } from '../../src/errors.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Rescaling } from '../../src/layers/rescaling.js';
import { Sequential } from '../../src/models/sequential.js';
import { loadImage } from '../../src/preprocessing/image.js';
import type { Batch } from '../../src/training/data.js';
import { setRandomSeed } from '../../src/training/seed.js';
import { missingFile, need, SHARED_DATA, skipUnless } from '../helpers/requirements.js';

const COLOURS: Record<string, [number, number, number]> = { blue: [0, 0, 255], green: [0, 200, 0], red: [220, 0, 0] };
const PER_CLASS = 4;
let root: string;

async function solid(path: string, rgb: [number, number, number], width: number, height: number): Promise<void> {
  const [r, g, b] = rgb;
  await sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png()
    .toFile(path);
}

async function all(ds: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of ds) out.push(b);
  return out;
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'convkit-imgdir-'));
  for (const [name, rgb] of Object.entries(COLOURS)) {
    mkdirSync(join(root, 'colours', name, 'nested'), { recursive: true });
    for (let i = 0; i < PER_CLASS; i++) {
      const folder = i === 0 ? join(root, 'colours', name, 'nested') : join(root, 'colours', name);
      await solid(join(folder, `${i}.png`), rgb, 10 + i * 3, 7 + i);
    }
    writeFileSync(join(root, 'colours', name, 'notes.txt'), 'not an image');
  }
  mkdirSync(join(root, 'corrupt', 'a'), { recursive: true });
  mkdirSync(join(root, 'corrupt', 'b'), { recursive: true });
  await solid(join(root, 'corrupt', 'a', 'ok.png'), [1, 2, 3], 5, 5);
  await solid(join(root, 'corrupt', 'b', 'ok.png'), [4, 5, 6], 5, 5);
  writeFileSync(join(root, 'corrupt', 'b', 'broken.jpg'), Buffer.from('this is no jpeg at all'));
  mkdirSync(join(root, 'empty-class', 'a'), { recursive: true });
  mkdirSync(join(root, 'empty-class', 'b'), { recursive: true });
  await solid(join(root, 'empty-class', 'a', 'x.png'), [1, 1, 1], 4, 4);
  mkdirSync(join(root, 'no-classes'), { recursive: true });
});

after(() => rmSync(root, { recursive: true, force: true }));

/** The class a solid-colour pixel row [r, g, b] belongs to. */
function colourOf(_r: number, g: number, b: number): string {
  return b > 128 ? 'blue' : g > 100 ? 'green' : 'red';
}

describe('imageDatasetFromDirectory', () => {
  test('infers sorted classes, finds images recursively, labels match the pixels (int labels)', async () => {
    const ds = await imageDatasetFromDirectory(join(root, 'colours'), { imageSize: [6, 5], batchSize: 5, seed: 3 });
    assert.deepEqual(ds.classNames, ['blue', 'green', 'red']);
    assert.deepEqual(ds.classCounts, { blue: 4, green: 4, red: 4 });
    assert.equal(ds.filePaths.length, 12);
    assert.equal(ds.length, 3);
    const batches = await all(ds);
    assert.deepEqual(
      batches.map((b) => (b.x as { shape: number[] }).shape),
      [
        [5, 6, 5, 3],
        [5, 6, 5, 3],
        [2, 6, 5, 3],
      ],
    );
    let seen = 0;
    for (const { x, y } of batches) {
      const xt = x as { data: Float32Array; shape: number[] };
      assert.deepEqual(y.shape, [xt.shape[0]]);
      for (let i = 0; i < xt.shape[0]!; i++) {
        const at = i * 6 * 5 * 3;
        const name = colourOf(xt.data[at]!, xt.data[at + 1]!, xt.data[at + 2]!);
        assert.equal(ds.classNames[y.data[i]!], name);
        seen++;
      }
    }
    assert.equal(seen, 12);
  });

  test('classNames chooses and orders classes; categorical and binary label modes', async () => {
    const ds = await imageDatasetFromDirectory(join(root, 'colours'), {
      classNames: ['red', 'blue'],
      labelMode: 'categorical',
      imageSize: [4, 4],
      shuffle: false,
    });
    assert.deepEqual(ds.classNames, ['red', 'blue']);
    const [batch] = await all(ds);
    assert.deepEqual(batch!.y.shape, [8, 2]);
    const x = batch!.x as { data: Float32Array };
    for (let i = 0; i < 8; i++) {
      const expected = colourOf(x.data[i * 48]!, x.data[i * 48 + 1]!, x.data[i * 48 + 2]!) === 'red' ? [1, 0] : [0, 1];
      assert.deepEqual(Array.from(batch!.y.data.subarray(i * 2, i * 2 + 2)), expected);
    }
    const binary = await imageDatasetFromDirectory(join(root, 'colours'), {
      classNames: ['blue', 'red'],
      labelMode: 'binary',
      imageSize: [4, 4],
      shuffle: false,
    });
    const [b] = await all(binary);
    assert.deepEqual(b!.y.shape, [8, 1]);
    assert.deepEqual(Array.from(b!.y.data), [0, 0, 0, 0, 1, 1, 1, 1]);
    await assert.rejects(
      imageDatasetFromDirectory(join(root, 'colours'), { labelMode: 'binary' }),
      (e: Error) => e instanceof ValueError && /'binary' needs exactly 2/.test(e.message),
    );
  });

  test('grayscale, rgb and rgba pixels equal sharp decoding and resizing the file itself', async () => {
    const src = join(root, 'gradient');
    mkdirSync(join(src, 'only'), { recursive: true });
    const w = 23;
    const h = 17;
    const raw = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) raw.set([(i * 7) % 256, (i * 13) % 256, (i * 3) % 256], i * 3);
    const file = join(src, 'only', 'g.png');
    await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toFile(file);
    for (const [colorMode, channels] of [
      ['grayscale', 1],
      ['rgb', 3],
      ['rgba', 4],
    ] as const) {
      const ds = await imageDatasetFromDirectory(src, { imageSize: [9, 11], colorMode, shuffle: false });
      const [batch] = await all(ds);
      const x = batch!.x as { data: Float32Array; shape: number[] };
      assert.deepEqual(x.shape, [1, 9, 11, channels]);
      let expected = sharp(file).resize(11, 9, { fit: 'fill', kernel: 'linear' });
      if (colorMode === 'grayscale') expected = expected.grayscale();
      if (colorMode === 'rgba') expected = expected.ensureAlpha();
      const want = await expected.raw().toBuffer();
      assert.equal(want.length, x.data.length);
      assert.deepEqual(Array.from(x.data), Array.from(want));
    }
  });

  test('EXIF orientation is applied; WebP and GIF (first frame) are read', async () => {
    const src = join(root, 'formats');
    mkdirSync(join(src, 'x'), { recursive: true });
    // Stored 20 wide x 10 high, left half red and right half blue, tagged "rotate 90 degrees clockwise to view":
    // viewed, it is 10 wide x 20 high with red on top.
    const raw = Buffer.alloc(20 * 10 * 3);
    for (let row = 0; row < 10; row++)
      for (let col = 0; col < 20; col++) raw.set(col < 10 ? [255, 0, 0] : [0, 0, 255], (row * 20 + col) * 3);
    await sharp(raw, { raw: { width: 20, height: 10, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toFile(join(src, 'x', 'a.jpg'));
    const ds = await imageDatasetFromDirectory(src, { imageSize: [20, 10], shuffle: false });
    const [batch] = await all(ds);
    const x = (batch!.x as { data: Float32Array }).data;
    const at = (row: number, col: number) => Array.from(x.subarray((row * 10 + col) * 3, (row * 10 + col) * 3 + 3));
    assert.ok(at(2, 5)[0]! > 200 && at(2, 5)[2]! < 50, `top is red: ${at(2, 5)}`);
    assert.ok(at(17, 5)[2]! > 200 && at(17, 5)[0]! < 50, `bottom is blue: ${at(17, 5)}`);
    await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: 0, g: 200, b: 0 } } })
      .webp({ lossless: true })
      .toFile(join(src, 'x', 'c.webp'));
    await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: 0, g: 0, b: 255 } } })
      .gif()
      .toFile(join(src, 'x', 'd.gif'));
    const formats = await imageDatasetFromDirectory(src, { imageSize: [3, 3], shuffle: false, classNames: ['x'] });
    const [b] = await all(formats);
    const px = (b!.x as { data: Float32Array }).data;
    assert.equal(b!.y.shape[0], 3);
    assert.deepEqual(Array.from(px.subarray(27, 27 + 3)), [0, 200, 0]);
    assert.deepEqual(Array.from(px.subarray(2 * 27, 2 * 27 + 3)), [0, 0, 255]);
  });

  test('BMP files (24-bit bottom-up with row padding, 8-bit palette) are read pixel for pixel', async () => {
    const src = join(root, 'bmp');
    mkdirSync(join(src, 'x'), { recursive: true });
    // 3 wide x 2 high, written by hand from the BMP layout: rows bottom-up, BGR, each row padded to 4 bytes.
    const top = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    const bottom = [
      [10, 20, 30],
      [40, 50, 60],
      [70, 80, 90],
    ];
    const header = (bits: number, dataOffset: number, size: number, colours: number) => {
      const h = Buffer.alloc(54);
      h.write('BM', 0, 'latin1');
      h.writeUInt32LE(size, 2);
      h.writeUInt32LE(dataOffset, 10);
      h.writeUInt32LE(40, 14);
      h.writeInt32LE(3, 18);
      h.writeInt32LE(2, 22);
      h.writeUInt16LE(1, 26);
      h.writeUInt16LE(bits, 28);
      h.writeUInt32LE(colours, 46);
      return h;
    };
    const row24 = (pixels: number[][]) => Buffer.from([...pixels.flatMap(([r, g, b]) => [b!, g!, r!]), 0, 0, 0]);
    const pixels24 = Buffer.concat([row24(bottom), row24(top)]);
    writeFileSync(join(src, 'x', 'a.bmp'), Buffer.concat([header(24, 54, 54 + pixels24.length, 0), pixels24]));
    const palette = Buffer.from([...top, ...bottom].flatMap(([r, g, b]) => [b!, g!, r!, 0]));
    const indices = Buffer.from([3, 4, 5, 0, 0, 1, 2, 0]);
    writeFileSync(
      join(src, 'x', 'b.bmp'),
      Buffer.concat([header(8, 54 + palette.length, 54 + palette.length + 8, 6), palette, indices]),
    );
    const ds = await imageDatasetFromDirectory(src, { imageSize: [2, 3], shuffle: false, interpolation: 'nearest' });
    const [batch] = await all(ds);
    assert.deepEqual((batch!.x as { shape: number[] }).shape, [2, 2, 3, 3]);
    const expected = [...top, ...bottom].flat();
    assert.deepEqual(Array.from((batch!.x as { data: Float32Array }).data), [...expected, ...expected]);
    // The other readers share the BMP path: loadImage (convkit predict) and datasetInfo (convkit dataset-info).
    assert.deepEqual(Array.from((await loadImage(join(src, 'x', 'a.bmp'))).data), expected);
    const info = await datasetInfo(src);
    assert.deepEqual(info.unreadable, []);
    assert.deepEqual(info.formats, { bmp: 2 });
  });

  test('cache() serves later epochs from memory; without it the files are read again', async () => {
    const src = join(root, 'cache');
    mkdirSync(join(src, 'x'), { recursive: true });
    for (let i = 0; i < 3; i++) await solid(join(src, 'x', `${i}.png`), [10, 20, 30], 4, 4);
    const firstPixels = async (ds: AsyncIterable<Batch>) =>
      Array.from(((await all(ds))[0]!.x as { data: Float32Array }).data.subarray(0, 3));
    const cached = (await imageDatasetFromDirectory(src, { imageSize: [2, 2], shuffle: false })).cache();
    const plain = await imageDatasetFromDirectory(src, { imageSize: [2, 2], shuffle: false });
    assert.deepEqual(await firstPixels(cached), [10, 20, 30]);
    assert.deepEqual(await firstPixels(plain), [10, 20, 30]);
    for (let i = 0; i < 3; i++) await solid(join(src, 'x', `${i}.png`), [90, 80, 70], 4, 4);
    assert.deepEqual(await firstPixels(cached), [10, 20, 30]);
    assert.deepEqual(await firstPixels(plain), [90, 80, 70]);
  });

  test('followLinks: linked folders are entered only when asked, and a link loop is refused', async () => {
    const src = join(root, 'links');
    mkdirSync(join(src, 'a'), { recursive: true });
    mkdirSync(join(root, 'elsewhere'), { recursive: true });
    await solid(join(src, 'a', 'own.png'), [1, 2, 3], 4, 4);
    await solid(join(root, 'elsewhere', 'linked.png'), [1, 2, 3], 4, 4);
    symlinkSync(join(root, 'elsewhere'), join(src, 'a', 'more'));
    assert.equal((await imageDatasetFromDirectory(src, { imageSize: [2, 2] })).filePaths.length, 1);
    assert.equal((await imageDatasetFromDirectory(src, { imageSize: [2, 2], followLinks: true })).filePaths.length, 2);
    symlinkSync(join(src, 'a'), join(root, 'elsewhere', 'back'));
    await assert.rejects(imageDatasetFromDirectory(src, { imageSize: [2, 2], followLinks: true }), /symbolic-link loops/);
  });

  test('a seeded split is reproducible and training/validation are disjoint and cover every file', async () => {
    const options = { validationSplit: 0.25, seed: 42, imageSize: [4, 4] as [number, number] };
    const [train, val] = await imageDatasetFromDirectory(join(root, 'colours'), { ...options, subset: 'both' });
    assert.equal(val.filePaths.length, 3);
    assert.equal(train.filePaths.length, 9);
    assert.equal(new Set([...train.filePaths, ...val.filePaths]).size, 12);
    const again = await imageDatasetFromDirectory(join(root, 'colours'), { ...options, subset: 'validation' });
    assert.deepEqual(again.filePaths, val.filePaths);
    const other = await imageDatasetFromDirectory(join(root, 'colours'), { ...options, seed: 7, subset: 'validation' });
    const orders = await Promise.all(
      [1, 2, 3, 4, 5].map((seed) => imageDatasetFromDirectory(join(root, 'colours'), { ...options, seed, subset: 'validation' })),
    );
    assert.ok(
      [other, ...orders].some((d) => d.filePaths.join() !== val.filePaths.join()),
      'the seed changes the split',
    );
    await assert.rejects(
      imageDatasetFromDirectory(join(root, 'colours'), { validationSplit: 0.2, subset: 'training' }),
      (e: Error) => e instanceof ConfigError && /'seed'/.test(e.message),
    );
  });

  test('a corrupt image is skipped and listed in one warning', async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const ds = await imageDatasetFromDirectory(join(root, 'corrupt'), { imageSize: [5, 5], shuffle: false });
    assert.equal(ds.filePaths.length, 3);
    const batches = await all(ds);
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0]!.y.shape, [2]);
    assert.deepEqual(Array.from(batches[0]!.y.data), [0, 1]);
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0]!.arguments[0]), /skipped 1 image.*\n.*broken\.jpg/);
  });

  test('bad input: missing folder, no class folders, an empty class, unknown and invalid options', async () => {
    await assert.rejects(
      imageDatasetFromDirectory(join(root, 'nope')),
      (e: Error) => e instanceof NotFoundError && /No such folder/.test(e.message),
    );
    await assert.rejects(
      imageDatasetFromDirectory(join(root, 'no-classes')),
      (e: Error) => e instanceof ValueError && /no subfolders/.test(e.message),
    );
    await assert.rejects(
      imageDatasetFromDirectory(join(root, 'empty-class')),
      (e: Error) => e instanceof ValueError && /no images in .*empty-class\/b/.test(e.message),
    );
    await assert.rejects(
      imageDatasetFromDirectory(join(root, 'colours'), { image_size: [4, 4] } as never),
      (e: Error) => e instanceof ConfigError && /unknown option 'image_size'.*imageSize/.test(e.message),
    );
    await assert.rejects(imageDatasetFromDirectory(join(root, 'colours'), { colorMode: 'rgbx' as never }), ConfigError);
    await assert.rejects(imageDatasetFromDirectory(join(root, 'colours'), { imageSize: [0, 4] }), ConfigError);
    await assert.rejects(imageDatasetFromDirectory(join(root, 'colours'), { classNames: ['purple'] }), /classNames.*purple/);
  });

  test('fit, evaluate and predict run on the dataset', async () => {
    setRandomSeed(1);
    const ds = await imageDatasetFromDirectory(join(root, 'colours'), { imageSize: [4, 4], batchSize: 4, seed: 1 });
    const model = new Sequential([
      new Rescaling({ scale: 1 / 255, inputShape: [4, 4, 3] }),
      new Flatten(),
      new Dense({ units: 3, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(ds, { epochs: 2, verbose: 0 });
    assert.equal(history.history.loss!.length, 2);
    assert.ok(Number.isFinite(history.history.loss![1]));
    const loss = (await model.evaluate(ds, { verbose: 0 })) as number[];
    assert.ok(Number.isFinite(loss[0]));
    const ordered = await imageDatasetFromDirectory(join(root, 'colours'), { imageSize: [4, 4], shuffle: false });
    const predictions = await model.predict(ordered, { verbose: 0 });
    assert.deepEqual(predictions.shape, [12, 3]);
  });

  const catsDogs = `${SHARED_DATA}cats-dogs/validation`;
  test('cats-dogs: two classes inferred, batches of real JPEGs at 64x64', {
    skip: skipUnless(missingFile(catsDogs)),
  }, async () => {
    need(missingFile(catsDogs));
    const ds = await imageDatasetFromDirectory(catsDogs, { imageSize: [64, 64], batchSize: 16, labelMode: 'binary', seed: 5 });
    assert.deepEqual(ds.classNames, ['cats', 'dogs']);
    const counts = ds.classCounts;
    assert.ok(counts.cats! > 0 && counts.dogs! > 0);
    assert.equal(ds.filePaths.length, counts.cats! + counts.dogs!);
    let n = 0;
    for await (const { x, y } of ds) {
      assert.deepEqual((x as { shape: number[] }).shape, [16, 64, 64, 3]);
      assert.ok(Array.from(y.data).every((label) => label === 0 || label === 1));
      if (++n === 2) break;
    }
    // The label of a file is its folder: check one file end to end against its own decode.
    const first = await imageDatasetFromDirectory(catsDogs, { imageSize: [64, 64], shuffle: false, batchSize: 1 });
    for await (const { x, y } of first) {
      const want = await sharp(first.filePaths[0]!)
        .rotate()
        .resize(64, 64, { fit: 'fill', kernel: 'linear' })
        .removeAlpha()
        .raw()
        .toBuffer();
      assert.deepEqual(Array.from((x as { data: Float32Array }).data), Array.from(want));
      assert.equal(first.classNames[y.data[0]!], first.filePaths[0]!.split('/').at(-2));
      break;
    }
  });
});
