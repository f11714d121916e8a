// imageDatasetFromDirectory's bad-input and label options on folders this test writes with sharp: `strict` (stop
// instead of skipping, naming the file and why), the decode pixel limit (sharp's limitInputPixels; the message
// names the image's size), a file link pointing at itself, an explicit `labels` list (file order checked against
// Python's sorted(os.walk), the independent reference), `labelMode: null` / `labels: null` (images only:
// predict works, fit says why not), and `convkit train --data --strict`.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { imageDatasetFromDirectory } from '../../src/datasets/image-directory.js';
import { ConfigError, FormatError, ValueError } from '../../src/errors.js';
import { Dense } from '../../src/layers/dense.js';
import { Flatten } from '../../src/layers/flatten.js';
import { Sequential } from '../../src/models/sequential.js';
import type { InputBatch } from '../../src/training/data.js';
import { missingFile, need, PYTHON, skipUnless } from '../helpers/requirements.js';

let root: string;

async function solid(path: string, value: number, width = 6, height = 5): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: value, g: value, b: value } } })
    .png()
    .toFile(path);
}

async function batches<B extends InputBatch>(ds: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  for await (const b of ds) out.push(b);
  return out;
}

/** Runs `body` with console.warn captured; returns what was warned. */
async function warnings(body: () => Promise<unknown>): Promise<string> {
  const original = console.warn;
  const lines: string[] = [];
  console.warn = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    await body();
  } finally {
    console.warn = original;
  }
  return lines.join('\n');
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'convkit-imglabels-'));
  // Bad files beside good ones: a corrupt JPEG, an image over the pixel limit used below, a file linked to itself.
  mkdirSync(join(root, 'bad', 'a'), { recursive: true });
  mkdirSync(join(root, 'bad', 'b'), { recursive: true });
  await solid(join(root, 'bad', 'a', 'ok.png'), 10);
  await solid(join(root, 'bad', 'b', 'ok.png'), 20);
  await solid(join(root, 'bad', 'b', 'wide.png'), 30, 60, 50);
  writeFileSync(join(root, 'bad', 'a', 'broken.jpg'), 'this is no jpeg');
  // Layout whose Keras order differs from a depth-first walk: 'a b' sorts between 'a' and 'a/c'.
  const flat = join(root, 'flat');
  for (const dir of ['', 'a', 'a b', 'a/c', 'a_c']) mkdirSync(join(flat, dir), { recursive: true });
  const files = ['z.png', 'a/2.png', 'a/1.png', 'a b/3.png', 'a/c/4.png', 'a_c/5.png'];
  for (const [i, file] of files.entries()) await solid(join(flat, file), 40 * i);
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('imageDatasetFromDirectory: strict, pixel limit, links', () => {
  test('unreadable images are skipped with one warning giving each reason; strict stops naming the file', async () => {
    const options = { imageSize: [4, 4] as [number, number], batchSize: 8, shuffle: false, maxPixels: 2000 };
    const ds = await imageDatasetFromDirectory(join(root, 'bad'), options);
    let served = 0;
    const warned = await warnings(async () => {
      for (const b of await batches(ds)) served += Array.isArray(b.x) ? 0 : b.x.shape[0]!;
    });
    assert.equal(served, 2);
    assert.match(warned, /skipped 2 image\(s\)/);
    assert.match(warned, /broken\.jpg \(.*(unsupported image format|Input buffer)/i);
    assert.match(warned, /wide\.png \(60x50 \(3,000 pixels\) is above the decode limit of 2,000 pixels/);
    const strict = await imageDatasetFromDirectory(join(root, 'bad'), { ...options, strict: true });
    await assert.rejects(
      batches(strict),
      (error: Error) => error instanceof FormatError && /broken\.jpg/.test(error.message) && /strict/.test(error.message),
    );
  });

  test("the pixel limit is sharp's own check: the same image decodes under a limit it fits", async () => {
    const ds = await imageDatasetFromDirectory(join(root, 'bad', 'b'), {
      imageSize: [4, 4],
      labels: null,
      maxPixels: 3000,
      strict: true,
    });
    assert.equal(Array.isArray((await batches(ds))[0]!.x), false);
    const tight = await imageDatasetFromDirectory(join(root, 'bad', 'b'), {
      imageSize: [4, 4],
      labels: null,
      maxPixels: 2999,
      strict: true,
    });
    await assert.rejects(batches(tight), /wide\.png.*60x50 \(3,000 pixels\) is above the decode limit of 2,999/);
    await assert.rejects(
      imageDatasetFromDirectory(join(root, 'bad'), { maxPixels: 0 }),
      (e: Error) => e instanceof ConfigError && /maxPixels/.test(e.message),
    );
  });

  test('a file linked to itself is reported as a link loop', async () => {
    const dir = join(root, 'selflink');
    mkdirSync(join(dir, 'a'), { recursive: true });
    await solid(join(dir, 'a', 'ok.png'), 1);
    symlinkSync('loop.png', join(dir, 'a', 'loop.png'));
    const ds = await imageDatasetFromDirectory(dir, { imageSize: [2, 2], strict: true, shuffle: false });
    await assert.rejects(batches(ds), /loop\.png.*symbolic-link loop \(ELOOP\)/);
  });
});

describe('imageDatasetFromDirectory: labels list and no labels', { skip: skipUnless(missingFile(PYTHON)) }, () => {
  test("a labels list follows Keras's file order (Python's sorted(os.walk)) and each file gets its label", async () => {
    need(missingFile(PYTHON));
    const flat = join(root, 'flat');
    const pythonOrder = JSON.parse(
      execFileSync(
        PYTHON,
        [
          '-c',
          'import json,os,sys; d=sys.argv[1]; print(json.dumps([os.path.join(r,f) for r,_,fs in sorted(os.walk(d), key=lambda x: x[0]) for f in sorted(fs)]))',
          flat,
        ],
        { encoding: 'utf8' },
      ),
    ) as string[];
    const labels = [2, 0, 1, 1, 0, 2];
    const ds = await imageDatasetFromDirectory(flat, { imageSize: [2, 2], labels, shuffle: false, batchSize: 4 });
    assert.deepEqual(ds.filePaths, pythonOrder);
    assert.deepEqual(ds.classNames, ['0', '1', '2']);
    assert.deepEqual(ds.classCounts, { 0: 2, 1: 2, 2: 2 });
    // Each file is a solid grey 40 * (its position in the creation list): map pixel value -> file -> label.
    const created = ['z.png', 'a/2.png', 'a/1.png', 'a b/3.png', 'a/c/4.png', 'a_c/5.png'].map((f) => join(flat, f));
    const seen: number[][] = [];
    for (const b of await batches(ds)) {
      const x = b.x as { data: Float32Array; shape: number[] };
      for (let i = 0; i < x.shape[0]!; i++) {
        const file = created[Math.round(x.data[i * 12]! / 40)]!;
        seen.push([labels[pythonOrder.indexOf(file)]!, b.y.data[i]!]);
      }
    }
    assert.equal(seen.length, 6);
    for (const [expected, got] of seen) assert.equal(got, expected);
  });

  test('a labels list: wrong length, classNames beside it, non-contiguous labels for categorical are errors', async () => {
    need(missingFile(PYTHON));
    const flat = join(root, 'flat');
    await assert.rejects(
      imageDatasetFromDirectory(flat, { labels: [0, 1] }),
      (e: Error) => e instanceof ValueError && /6 found/.test(e.message) && /2 labels/.test(e.message),
    );
    await assert.rejects(imageDatasetFromDirectory(flat, { labels: [0, 1, 0, 1, 0, 1], classNames: ['a'] }), ConfigError);
    await assert.rejects(imageDatasetFromDirectory(flat, { labels: [0, 1, 0, -1, 0, 1] }), /non-negative integer/);
    await assert.rejects(
      imageDatasetFromDirectory(flat, { labels: [0, 5, 0, 5, 0, 5], labelMode: 'categorical' }),
      /labels from 0 to 1 for labelMode 'categorical'/,
    );
    const ints = await imageDatasetFromDirectory(flat, { labels: [0, 5, 0, 5, 0, 5], imageSize: [2, 2] });
    assert.deepEqual(ints.classCounts, { 0: 3, 5: 3 });
  });

  test('labelMode null: images only from the whole folder; predict gives one row per file, fit says why not', async () => {
    need(missingFile(PYTHON));
    const flat = join(root, 'flat');
    const ds = await imageDatasetFromDirectory(flat, { imageSize: [3, 3], labelMode: null, shuffle: false, batchSize: 4 });
    assert.equal(ds.filePaths.length, 6);
    const all = await batches(ds);
    assert.ok(all.every((b) => !('y' in b)));
    const same = await imageDatasetFromDirectory(flat, { imageSize: [3, 3], labels: null, shuffle: false });
    assert.deepEqual(same.filePaths, ds.filePaths);
    const model = new Sequential([new Flatten({ inputShape: [3, 3, 3] }), new Dense(2, { activation: 'softmax' })]);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const predictions = await model.predict(ds, { verbose: 0 });
    assert.deepEqual(predictions.shape, [6, 2]);
    await assert.rejects(
      model.fit(ds as never, { epochs: 1, verbose: 0 }),
      (e: Error) => e instanceof ValueError && /batch\.y/.test(e.message) && /predict/.test(e.message),
    );
  });
});

describe('cli train --data --strict', () => {
  test('stops at the corrupt file with its name and no stack trace; without --strict it trains', () => {
    const run = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/main.ts',
          'train',
          '--data',
          join(root, 'bad'),
          '--image-size',
          '4,4',
          '--model',
          'mlp',
          '--epochs',
          '1',
          '--out',
          join(root, 'm.keras'),
          ...extra,
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
    const strict = run('--strict');
    assert.notEqual(strict.status, 0);
    assert.match(strict.stderr, /broken\.jpg/);
    assert.doesNotMatch(strict.stderr, /\n\s+at /);
    const lenient = run();
    assert.equal(lenient.status, 0, lenient.stderr);
    assert.match(lenient.stderr, /skipped 1 image\(s\).*\n.*broken\.jpg/);
  });
});
