// cache(path) on a small folder this test writes with sharp: the first complete epoch writes the file (atomically,
// no temp left), later epochs read it (proved by breaking the source images: the batches stay those of the
// uncached dataset), another shuffle seed reuses it, changed files rebuild it with a warning, an interrupted epoch
// leaves nothing, and a skipped file stays skipped with its reason.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { imageDatasetFromDirectory } from '../../src/datasets/image-directory.js';
import { ConfigError } from '../../src/errors.js';
import type { Batch } from '../../src/training/data.js';

let root: string;

async function photo(path: string, seed: number): Promise<void> {
  // A small gradient image (varied pixels, so a wrong slot or resize would show).
  const w = 9 + (seed % 4);
  const h = 7;
  const data = Buffer.alloc(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed * 31) % 256;
  await sharp(data, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(path);
}

async function epoch(ds: AsyncIterable<Batch>): Promise<{ x: number[]; y: number[] }> {
  const x: number[] = [];
  const y: number[] = [];
  for await (const b of ds) {
    x.push(...(b.x as { data: Float32Array }).data);
    y.push(...b.y.data);
  }
  return { x, y };
}

async function captureWarnings(body: () => Promise<unknown>): Promise<string> {
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
  root = mkdtempSync(join(tmpdir(), 'convkit-imgcache-'));
  for (const [c, name] of ['cats', 'dogs'].entries()) {
    mkdirSync(join(root, 'photos', name), { recursive: true });
    for (let i = 0; i < 5; i++) await photo(join(root, 'photos', name, `${i}.png`), c * 10 + i);
  }
  writeFileSync(join(root, 'photos', 'dogs', 'broken.jpg'), 'not a jpeg');
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('imageDatasetFromDirectory cache(path)', () => {
  const options = { imageSize: [6, 5] as [number, number], batchSize: 4, seed: 7 };

  test('written once by a complete epoch, then read: batches equal the uncached ones even after the sources break', async () => {
    const folder = mkdtempSync(join(root, 'c1-'));
    const source = join(folder, 'photos');
    for (const name of ['cats', 'dogs']) {
      mkdirSync(join(source, name), { recursive: true });
      for (const file of readdirSync(join(root, 'photos', name))) {
        copyFileSync(join(root, 'photos', name, file), join(source, name, file));
      }
    }
    // The uncached dataset's first two epochs (each epoch reshuffles from the seed), decoded from the sources.
    const reference = await imageDatasetFromDirectory(source, options);
    let expected: { x: number[]; y: number[] }[] = [];
    await captureWarnings(async () => {
      expected = [await epoch(reference), await epoch(reference)];
    });
    const cachePath = join(folder, 'out', 'train.cache');
    const cached = (await imageDatasetFromDirectory(source, options)).cache(cachePath);
    const warned = await captureWarnings(async () => {
      assert.deepEqual(await epoch(cached), expected[0], 'epoch 1 (writing)');
    });
    assert.match(warned, /broken\.jpg/);
    assert.deepEqual(readdirSync(join(folder, 'out')), ['train.cache'], 'no temp file left');
    // 11 files of 6x5x3 bytes and a status byte each, behind the 4096-byte header (then the reasons JSON).
    assert.ok(statSync(cachePath).size > 4096 + 11 * 91);
    for (const name of ['cats', 'dogs']) {
      for (const file of readdirSync(join(source, name))) writeFileSync(join(source, name, file), 'gone');
    }
    assert.deepEqual(await epoch(cached), expected[1], 'epoch 2 comes from the cache file, not the broken sources');
    assert.ok(expected[1]!.x.length === 10 * 6 * 5 * 3);
  });

  test('another seed reuses the file; changed files rebuild it with a warning; the skipped file keeps its reason', async () => {
    const cachePath = join(root, 'shared.cache');
    await epoch((await imageDatasetFromDirectory(join(root, 'photos'), options)).cache(cachePath));
    const written = statSync(cachePath).mtimeMs;
    const otherSeed = (await imageDatasetFromDirectory(join(root, 'photos'), { ...options, seed: 99 })).cache(cachePath);
    const warned = await captureWarnings(() => epoch(otherSeed));
    assert.equal(statSync(cachePath).mtimeMs, written, 'read, not rewritten');
    assert.match(warned, /broken\.jpg \(.*\)/, 'the reason is kept in the cache file');
    assert.doesNotMatch(warned, /not using the cache file/);
    const bigger = (await imageDatasetFromDirectory(join(root, 'photos'), { ...options, imageSize: [8, 8] })).cache(cachePath);
    assert.match(await captureWarnings(() => epoch(bigger)), /not using the cache file .*other files or decode settings/);
    assert.notEqual(statSync(cachePath).mtimeMs, written);
  });

  test('an interrupted epoch leaves no cache file and no temp; a bad path is refused at once', async () => {
    const folder = mkdtempSync(join(root, 'c3-'));
    const ds = (await imageDatasetFromDirectory(join(root, 'photos'), options)).cache(join(folder, 'x.cache'));
    for await (const _ of ds) break;
    assert.deepEqual(readdirSync(folder), []);
    const again = await imageDatasetFromDirectory(join(root, 'photos'), options);
    assert.throws(() => again.cache(''), ConfigError);
    assert.throws(() => again.cache(folder), /is a folder/);
  });
});
